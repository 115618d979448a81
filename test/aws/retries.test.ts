/**
 * Throttling and transient faults are retried by the SDK's own retry strategy, as configured by
 * createAwsClients — shown against a local HTTP endpoint speaking the AWS query protocol (set
 * through AWS_ENDPOINT_URL, as an emulator would be), not a mock that bypasses the middleware.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import { getCallerIdentity } from '../../src/aws/sts.js';
import { describeCluster } from '../../src/aws/redshift.js';
import { UserError } from '../../src/errors.js';

const IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/ana</Arn>
    <UserId>AIDAEXAMPLEUSERID</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>0f7a-ok</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`;

const THROTTLED = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>
  <RequestId>0f7a-throttled</RequestId>
</ErrorResponse>`;

const CLUSTERS = `<DescribeClustersResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/">
  <DescribeClustersResult><Clusters><Cluster>
    <ClusterIdentifier>dwhcluster</ClusterIdentifier><ClusterStatus>available</ClusterStatus>
    <NodeType>ra3.large</NodeType><NumberOfNodes>1</NumberOfNodes>
    <DBName>dwh</DBName><MasterUsername>dwhuser</MasterUsername>
    <Endpoint><Address>dwhcluster.abc.us-west-2.redshift.amazonaws.com</Address><Port>5439</Port></Endpoint>
  </Cluster></Clusters></DescribeClustersResult>
  <ResponseMetadata><RequestId>1b2c-ok</RequestId></ResponseMetadata>
</DescribeClustersResponse>`;

let server: Server;
let replies: Array<{ status: number; body: string }>;
let requests: string[];
const savedEnv = { ...process.env };

beforeEach(async () => {
  replies = [];
  requests = [];
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push(new URLSearchParams(body).get('Action') ?? '?');
      const reply = replies.shift() ?? {
        status: 500,
        body:
          '<ErrorResponse><Error><Code>InternalFailure</Code><Message>no reply ' +
          'scripted</Message></Error></ErrorResponse>',
      };
      response.writeHead(reply.status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'test' });
      response.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  process.env = { ...savedEnv };
  await new Promise((resolve) => server.close(resolve));
});

const keys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: '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' };

test('a throttled call is retried with back-off and then succeeds', async () => {
  replies.push({ status: 400, body: THROTTLED }, { status: 400, body: THROTTLED }, { status: 200, body: IDENTITY });
  const clients = await createAwsClients({ region: 'us-west-2', keys });
  const identity = await getCallerIdentity(clients.sts);
  expect(identity).toEqual({
    account: '123456789012',
    arn: 'arn:aws:iam::123456789012:user/ana',
    userId: 'AIDAEXAMPLEUSERID',
  });
  expect(requests).toEqual(['GetCallerIdentity', 'GetCallerIdentity', 'GetCallerIdentity']);
}, 30_000);

test('a transient server error (503) is retried too', async () => {
  replies.push(
    {
      status: 503,
      body: '<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>try again</Message></Error></ErrorResponse>',
    },
    { status: 200, body: CLUSTERS },
  );
  const clients = await createAwsClients({ region: 'us-west-2', keys });
  const cluster = await describeCluster(clients.redshift, 'dwhcluster', 'us-west-2');
  expect(cluster?.status).toBe('available');
  expect(requests).toEqual(['DescribeClusters', 'DescribeClusters']);
}, 30_000);

test('throttling that never stops gives up after 5 attempts with a one-line error', async () => {
  for (let i = 0; i < 5; i++) replies.push({ status: 400, body: THROTTLED });
  const clients = await createAwsClients({ region: 'us-west-2', keys });
  const error = await getCallerIdentity(clients.sts).catch((caught: unknown) => caught);
  expect(requests).toHaveLength(5);
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).not.toContain('\n');
  expect((error as Error).message).toMatch(/throttl|rate/i);
  expect((error as Error).message).not.toContain(keys.secretAccessKey);
}, 60_000);
