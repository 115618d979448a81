/**
 * A tiny local stand-in for the two AWS services the menu reads on the redshift target, for the
 * built program in a pseudo-terminal: the SDK sends every call to AWS_ENDPOINT_URL (the SDK's own
 * configuration chain, see src/aws/clients.ts), so pointing that here keeps the test off the network.
 *
 * Redshift and STS both speak the AWS query protocol: a form-encoded POST whose `Action` names the
 * operation, answered with XML. Errors use the `<ErrorResponse><Error><Code>` shape.
 * https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusters.html
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const STUB_ACCOUNT = '123456789012';

export interface AwsStub {
  url: string;
  /** Every Action asked for, in order. */
  actions: string[];
  close(): Promise<void>;
}

export interface StubCluster {
  identifier: string;
  /** Where the cluster says it listens (a local port nothing answers on keeps SQL off the network). */
  endpoint: { address: string; port: number };
  createdAt: Date;
}

/** Start the stub on a free local port. Without `cluster`, DescribeClusters answers ClusterNotFound. */
export async function startAwsStub(options: { cluster?: StubCluster; delayMs?: number } = {}): Promise<AwsStub> {
  const actions: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const action = new URLSearchParams(body).get('Action') ?? '(none)';
      actions.push(action);
      const { status, xml } = answer(action, options.cluster);
      setTimeout(() => {
        response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'stub-request' });
        response.end(xml);
      }, options.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    actions,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

function answer(action: string, cluster: StubCluster | undefined): { status: number; xml: string } {
  const meta = '<ResponseMetadata><RequestId>stub-request</RequestId></ResponseMetadata>';
  switch (action) {
    case 'GetCallerIdentity':
      return {
        status: 200,
        xml:
          '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
          `<Arn>arn:aws:iam::${STUB_ACCOUNT}:user/alice</Arn><UserId>AIDASTUBUSER</UserId>` +
          `<Account>${STUB_ACCOUNT}</Account></GetCallerIdentityResult>${meta}</GetCallerIdentityResponse>`,
      };
    case 'DescribeClusters':
      if (!cluster) return error(404, 'ClusterNotFound', 'Cluster dwhcluster not found.');
      return {
        status: 200,
        xml:
          '<DescribeClustersResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/"><DescribeClustersResult>' +
          '<Clusters><Cluster>' +
          `<ClusterIdentifier>${cluster.identifier}</ClusterIdentifier><ClusterStatus>available</ClusterStatus>` +
          '<ClusterAvailabilityStatus>Available</ClusterAvailabilityStatus>' +
          '<NodeType>ra3.large</NodeType><NumberOfNodes>1</NumberOfNodes>' +
          '<DBName>dwh</DBName><MasterUsername>dwhuser</MasterUsername><PubliclyAccessible>true</PubliclyAccessible>' +
          `<Endpoint><Address>${cluster.endpoint.address}</Address><Port>${cluster.endpoint.port}</Port></Endpoint>` +
          `<ClusterCreateTime>${cluster.createdAt.toISOString()}</ClusterCreateTime>` +
          '<Tags><Tag><Key>created-by</Key><Value>sparkify-dwh</Value></Tag>' +
          `<Tag><Key>sparkify-dwh:cluster</Key><Value>${cluster.identifier}</Value></Tag></Tags>` +
          `</Cluster></Clusters></DescribeClustersResult>${meta}</DescribeClustersResponse>`,
      };
    case 'DescribeScheduledActions':
      return {
        status: 200,
        xml:
          '<DescribeScheduledActionsResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/">' +
          `<DescribeScheduledActionsResult><ScheduledActions/></DescribeScheduledActionsResult>${meta}` +
          '</DescribeScheduledActionsResponse>',
      };
    default:
      return error(400, 'InvalidAction', `The stub does not answer ${action}.`);
  }
}

function error(status: number, code: string, message: string): { status: number; xml: string } {
  return {
    status,
    xml:
      `<ErrorResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/"><Error><Type>Sender</Type>` +
      `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>stub-request</RequestId></ErrorResponse>`,
  };
}
