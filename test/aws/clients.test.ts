/**
 * The clients follow the SDK's own configuration chain: AWS_ENDPOINT_URL (so an emulator works),
 * profiles from the shared files, and real credential errors become our one-line messages. No
 * request leaves the machine: endpoints are only resolved, and credential failures happen before
 * any request is sent.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import { getCallerIdentity } from '../../src/aws/sts.js';
import { UserError } from '../../src/errors.js';

const SAVED = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_REDSHIFT',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'HOME',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
] as const;
let saved: Record<string, string | undefined>;
let home: string;

beforeEach(async () => {
  saved = Object.fromEntries(SAVED.map((name) => [name, process.env[name]]));
  home = await mkdtemp(join(tmpdir(), 'sparkify-aws-home-'));
  process.env.HOME = home;
  process.env.AWS_CONFIG_FILE = join(home, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, 'credentials');
  for (const name of [
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_REDSHIFT',
    'AWS_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
  ])
    delete process.env[name];
});

afterEach(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await rm(home, { recursive: true, force: true });
});

/** The endpoint a client would send to, as the SDK resolves it from the configuration chain. */
async function configuredEndpoint(client: { config: object }): Promise<string | undefined> {
  // serviceConfiguredEndpoint is resolved config the SDK adds (AWS_ENDPOINT_URL*, endpoint_url in profiles).
  const config = client.config as { serviceConfiguredEndpoint?: () => Promise<string | undefined> };
  return config.serviceConfiguredEndpoint?.();
}

test('AWS_ENDPOINT_URL reaches every client, and a per-service variable wins for its service', async () => {
  process.env.AWS_ENDPOINT_URL = 'http://localhost:4566';
  process.env.AWS_ENDPOINT_URL_REDSHIFT = 'http://localhost:4567';
  const clients = await createAwsClients({
    region: 'us-west-2',
    keys: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test-secret-key-000' },
  });
  expect(await configuredEndpoint(clients.redshift)).toBe('http://localhost:4567');
  expect(await configuredEndpoint(clients.iam)).toBe('http://localhost:4566');
  expect(await configuredEndpoint(clients.ec2)).toBe('http://localhost:4566');
  expect(await configuredEndpoint(clients.sts)).toBe('http://localhost:4566');
  // The Data API (DWH_ACCESS = private) and Serverless too: every client goes by the SDK's own chain.
  expect(await configuredEndpoint(clients.redshiftData)).toBe('http://localhost:4566');
  expect(await configuredEndpoint(clients.redshiftServerless)).toBe('http://localhost:4566');
  expect(clients.region).toBe('us-west-2');
  expect(await clients.redshift.config.region()).toBe('us-west-2');
  // Retries: the SDK's standard strategy with five attempts.
  expect(await clients.redshift.config.maxAttempts()).toBe(5);
});

test('without AWS_ENDPOINT_URL nothing overrides the SDK endpoints', async () => {
  const clients = await createAwsClients({ region: 'us-west-2' });
  expect(await configuredEndpoint(clients.redshift)).toBeUndefined();
});

test('a profile from the shared files supplies the keys', async () => {
  await writeFile(
    process.env.AWS_SHARED_CREDENTIALS_FILE!,
    '[sparkify]\naws_access_key_id = AKIAPROFILEEXAMPLE01\naws_secret_access_key = profile-secret-000000\n',
  );
  const clients = await createAwsClients({ region: 'us-west-2', profile: 'sparkify' });
  const credentials = await clients.sts.config.credentials();
  expect(credentials.accessKeyId).toBe('AKIAPROFILEEXAMPLE01');
});

test('a missing profile gives a one-line message naming it', async () => {
  await writeFile(process.env.AWS_CONFIG_FILE!, '[profile other]\nregion = us-west-2\n');
  const clients = await createAwsClients({ region: 'us-west-2', profile: 'nope' });
  await expect(getCallerIdentity(clients.sts, { profile: 'nope' })).rejects.toThrow(
    new UserError(
      'AWS profile "nope" could not provide credentials: check that it exists in ~/.aws/config or ' +
        '~/.aws/credentials, or run `sparkify-dwh credentials`',
    ),
  );
});

test('an SSO profile without a valid login says to run aws sso login for it', async () => {
  await writeFile(
    process.env.AWS_CONFIG_FILE!,
    '[profile work]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = DataEngineer\nregion = us-west-2\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n',
  );
  const clients = await createAwsClients({ region: 'us-west-2', profile: 'work' });
  await expect(getCallerIdentity(clients.sts, { profile: 'work' })).rejects.toThrow(
    'the AWS SSO session of profile "work" has expired: run `aws sso login --profile work` and try again',
  );
});

test('environment keys asked for explicitly win over AWS_PROFILE (the default chain takes the profile)', async () => {
  await writeFile(
    process.env.AWS_SHARED_CREDENTIALS_FILE!,
    '[sparkify]\naws_access_key_id = AKIAPROFILEEXAMPLE01\naws_secret_access_key = profile-secret-000000\n',
  );
  process.env.AWS_PROFILE = 'sparkify';
  process.env.AWS_ACCESS_KEY_ID = 'AKIAENVIRONMENTEXMPL';
  process.env.AWS_SECRET_ACCESS_KEY = 'environment-secret-0000';
  const chain = await createAwsClients({ region: 'us-west-2' });
  expect((await chain.sts.config.credentials()).accessKeyId).toBe('AKIAPROFILEEXAMPLE01');
  const explicit = await createAwsClients({ region: 'us-west-2', environmentKeys: true });
  expect((await explicit.sts.config.credentials()).accessKeyId).toBe('AKIAENVIRONMENTEXMPL');
});

test("making clients turns the SDK's own Node-version block off first (we say it in one line)", async () => {
  const saved = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  try {
    await createAwsClients({ region: 'us-west-2' });
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
  } finally {
    if (saved === undefined) delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    else process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = saved;
  }
});
