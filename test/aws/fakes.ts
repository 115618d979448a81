/**
 * Shared doubles for the AWS tests: SDK clients whose `send` is mocked (aws-sdk-client-mock, so no
 * request ever leaves the process), a fake clock that makes polling instant, and a dwh.cfg text.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { DescribeScheduledActionsCommand, RedshiftClient, RedshiftServiceException } from '@aws-sdk/client-redshift';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import type { Cluster } from '@aws-sdk/client-redshift';
import type { AwsClients } from '../../src/aws/clients.js';
import type { Clock } from '../../src/context.js';

/** Distinctive secrets: tests scan every output for them. */
export const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz9SECRET9';
export const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const DB_PASSWORD = 'Sparkify9Pa55wordXyz';

export const REGION = 'us-west-2';
export const ACCOUNT = '123456789012';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/dwhRole`;
export const ENDPOINT = 'dwhcluster.abc123xyz.us-west-2.redshift.amazonaws.com';

export function mockAws() {
  const redshift = mockClient(RedshiftClient);
  // No automatic pause scheduled (teardown looks for one); a test that schedules one says so after this.
  redshift.on(DescribeScheduledActionsCommand).resolves({ ScheduledActions: [] });
  const serverless = mockClient(RedshiftServerlessClient);
  const iam = mockClient(IAMClient);
  // No role until a test says so (its own GetRole answers, set later, win over this one).
  iam
    .on(GetRoleCommand)
    .callsFake((input: { RoleName?: string }) =>
      Promise.reject(
        new NoSuchEntityException({ message: `The role with name ${input.RoleName} cannot be found.`, $metadata: {} }),
      ),
    );
  const ec2 = mockClient(EC2Client);
  const sts = mockClient(STSClient);
  const credentials = { accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET };
  // This one instance only: a class-wide mock would also take over the Data API double's own client.
  const dataClient = new RedshiftDataClient({ region: REGION, credentials });
  const redshiftData = mockClient(dataClient);
  const clients: AwsClients = {
    region: REGION,
    redshift: new RedshiftClient({ region: REGION, credentials }),
    redshiftServerless: new RedshiftServerlessClient({ region: REGION, credentials }),
    redshiftData: dataClient,
    iam: new IAMClient({ region: REGION, credentials }),
    ec2: new EC2Client({ region: REGION, credentials }),
    sts: new STSClient({ region: REGION, credentials }),
  };
  return {
    redshift,
    serverless,
    redshiftData,
    /** The same Data API mock, by its shorter name. */
    data: redshiftData,
    iam,
    ec2,
    sts,
    clients,
    restore: () => {
      for (const mock of [redshift, serverless, redshiftData, iam, ec2, sts]) mock.restore();
    },
  };
}

/**
 * Time that passes only when someone sleeps: polling loops finish at once. `onSleep` runs before
 * each sleep (e.g. to abort after the n-th one, as Ctrl-C would).
 */
export function fakeClock(start = Date.UTC(2025, 0, 2, 3, 4, 5)) {
  let now = start;
  const sleeps: number[] = [];
  const clock = {
    onSleep: undefined as undefined | ((count: number) => void),
    sleeps,
    now: () => now,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      sleeps.push(ms);
      clock.onSleep?.(sleeps.length);
      if (signal?.aborted) {
        const error = new Error('The wait was interrupted');
        error.name = 'AbortError';
        return Promise.reject(error);
      }
      now += ms;
      return Promise.resolve();
    },
  } satisfies Clock & Record<string, unknown>;
  return clock;
}

const EXAMPLE = readFileSync(new URL('../../dwh.cfg.example', import.meta.url), 'utf8');

/**
 * dwh.cfg.example for the redshift target, with a DB password set and DWH_ACCESS = public: the
 * direct TLS path most step tests were written for (more `KEY = value` edits after; the private
 * path's tests set DWH_ACCESS back, or use privateConfigText).
 */
export function configText(edits: Record<string, string> = {}): string {
  let text = EXAMPLE.replace(/^TARGET = embedded$/m, 'TARGET = redshift')
    .replace(/^DWH_DB_PASSWORD =$/m, `DWH_DB_PASSWORD = ${DB_PASSWORD}`)
    .replace(/^DWH_ACCESS =$/m, 'DWH_ACCESS = public');
  for (const [key, value] of Object.entries(edits)) text = setKey(text, key, value);
  return text;
}

/** dwh.cfg.example for the redshift target as a new user has it: no password, no CIDR, no DWH_ACCESS (private). */
export function privateConfigText(edits: Record<string, string> = {}): string {
  let text = EXAMPLE.replace(/^TARGET = embedded$/m, 'TARGET = redshift');
  for (const [key, value] of Object.entries(edits)) text = setKey(text, key, value);
  return text;
}

/** Replace the first `KEY = …` line (after `[SECTION]` when given as SECTION.KEY). */
export function setKey(text: string, qualified: string, value: string): string {
  const [section, key] = qualified.includes('.') ? (qualified.split('.') as [string, string]) : [undefined, qualified];
  const start = section ? text.indexOf(`[${section}]`) : 0;
  if (start < 0) throw new Error(`no section ${section}`);
  const pattern = new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} =.*$`, 'm');
  const tail = text.slice(start);
  if (!pattern.test(tail)) throw new Error(`no key ${qualified}`);
  return text.slice(0, start) + tail.replace(pattern, value === '' ? `${key} =` : `${key} = ${value}`);
}

/** The tags the wizard puts on what it creates. */
export const TAGS = [
  { Key: 'created-by', Value: 'sparkify-dwh' },
  { Key: 'sparkify-dwh:cluster', Value: 'dwhcluster' },
];

/** The tags on the role the wizard creates: the cluster's, and the region it was made in. */
export const ROLE_TAGS = [...TAGS, { Key: 'sparkify-dwh:region', Value: REGION }];

/** A DescribeClusters entry in `status`, as the wizard's own cluster looks (endpoint once available or paused). */
export function cluster(status: string, extra: Partial<Cluster> = {}): Cluster {
  return {
    ClusterIdentifier: 'dwhcluster',
    ClusterStatus: status,
    NodeType: 'ra3.large',
    NumberOfNodes: 1,
    DBName: 'dwh',
    MasterUsername: 'dwhuser',
    ClusterCreateTime: new Date(Date.UTC(2025, 0, 2, 1, 4, 5)),
    ClusterNamespaceArn: `arn:aws:redshift:${REGION}:${ACCOUNT}:namespace:6b1a5f3c-7d2e-4a9b-8c1d-2e3f4a5b6c7d`,
    VpcId: 'vpc-0default',
    VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0wizard', Status: 'active' }],
    IamRoles: [{ IamRoleArn: ROLE_ARN, ApplyStatus: 'in-sync' }],
    Tags: TAGS,
    PubliclyAccessible: true,
    Encrypted: true,
    ...(status === 'available' || status === 'paused' ? { Endpoint: { Address: ENDPOINT, Port: 5439 } } : {}),
    ...extra,
  };
}

/**
 * What CreateCluster answers (HTTP 400 InvalidParameterValue, not a modeled fault) while a role made
 * a moment ago has not propagated through IAM yet.
 */
export const roleNotValid = () =>
  new RedshiftServiceException({
    name: 'InvalidParameterValue',
    $fault: 'client',
    message: 'The IAM role dwhRole is not valid. The IAM role must delegate access to an Amazon Redshift account.',
    $metadata: { httpStatusCode: 400 },
  });

/** A shared AWS config file: a default profile and an SSO profile (with its sso-session section). */
export const SHARED_CONFIG = [
  '[default]',
  'region = us-west-2',
  '',
  '[profile work]',
  'sso_session = corp',
  'sso_account_id = 123456789012',
  'sso_role_name = DataEngineer',
  '',
  '[sso-session corp]',
  'sso_start_url = https://corp.awsapps.com/start',
  'sso_region = us-east-1',
  '',
].join('\n');

/** A shared AWS credentials file: keys for the default profile and for a "sparkify" profile. */
export const SHARED_CREDENTIALS = [
  '[default]',
  'aws_access_key_id = AKIADEFAULTEXAMPLE01',
  `aws_secret_access_key = ${AWS_SECRET}`,
  '',
  '[sparkify]',
  'aws_access_key_id = AKIASPARKIFYEXAMPLE1',
  'aws_secret_access_key = other-secret-0000000000',
  '',
].join('\n');
