import { GetCallerIdentityCommand, STSServiceException } from '@aws-sdk/client-sts';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { AwsSettings } from '../../src/aws/clients.js';
import { runCredentials } from '../../src/steps/credentials.js';
import { makeTestContext } from '../support/context.js';
import {
  ACCOUNT,
  AWS_KEY_ID,
  AWS_SECRET,
  configText,
  mockAws,
  setKey,
  SHARED_CONFIG,
  SHARED_CREDENTIALS,
} from '../aws/fakes.js';

let aws: ReturnType<typeof mockAws>;
let home: string;
const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE };

beforeEach(async () => {
  aws = mockAws();
  home = await mkdtemp(join(tmpdir(), 'sparkify-creds-'));
  process.env.AWS_CONFIG_FILE = join(home, '.aws', 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, '.aws', 'credentials');
  await mkdir(join(home, '.aws'));
  await writeFile(process.env.AWS_CONFIG_FILE, SHARED_CONFIG);
  await writeFile(process.env.AWS_SHARED_CREDENTIALS_FILE, SHARED_CREDENTIALS);
});

afterEach(async () => {
  aws.restore();
  if (saved.config === undefined) delete process.env.AWS_CONFIG_FILE;
  else process.env.AWS_CONFIG_FILE = saved.config;
  if (saved.credentials === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
  else process.env.AWS_SHARED_CREDENTIALS_FILE = saved.credentials;
  await rm(home, { recursive: true, force: true });
});

const IDENTITY = { Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/dev`, UserId: 'AIDAEXAMPLE' };

function recordingMaker() {
  const made: AwsSettings[] = [];
  return {
    made,
    makeClients: (settings: AwsSettings) => {
      made.push(settings);
      return Promise.resolve(aws.clients);
    },
  };
}

describe('runCredentials', () => {
  test('a profile picked from the list is verified with STS and shown with account and ARN', async () => {
    const t = await makeTestContext({ config: configText(), answers: ['profile sparkify'] });
    aws.sts.on(GetCallerIdentityCommand).resolves(IDENTITY);
    const maker = recordingMaker();
    const env: NodeJS.ProcessEnv = {};
    expect(await runCredentials(t.ctx, { makeClients: maker.makeClients, env })).toEqual({
      ok: true,
      summary: `account ${ACCOUNT}`,
    });
    expect(maker.made).toEqual([{ region: 'us-west-2', profile: 'sparkify' }]);
    expect(t.ui.spinners[0]!.end).toEqual({
      state: 'succeed',
      text: `Signed in to account ${ACCOUNT} as arn:aws:iam::${ACCOUNT}:user/dev`,
    });
    expect(env.AWS_PROFILE).toBe('sparkify');
    expect(t.ui.of('note')).toEqual(['To use profile sparkify in later commands too: export AWS_PROFILE=sparkify']);
    await t.cleanup();
  });

  test('typed keys: secret masked at a password prompt, saved to [AWS] only after the warning and a yes', async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: ['Type an access key ID and secret', AWS_KEY_ID, AWS_SECRET, true],
    });
    aws.sts.on(GetCallerIdentityCommand).resolves(IDENTITY);
    const maker = recordingMaker();
    await runCredentials(t.ctx, { makeClients: maker.makeClients, env: {} });
    expect(t.prompts.asked.map((prompt) => [prompt.kind, prompt.message])).toEqual([
      ['select', 'Which AWS credentials should the wizard use?'],
      ['input', 'AWS access key ID'],
      ['password', 'AWS secret access key'],
      ['confirm', 'Save the key ID and secret in dwh.cfg [AWS] anyway?'],
    ]);
    expect(maker.made).toEqual([
      { region: 'us-west-2', keys: { accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET } },
    ]);
    expect(t.ui.of('warn')).toEqual([
      '⚠ Keys saved in dwh.cfg sit in a plain file; ' +
        'an AWS profile (`aws configure --profile sparkify`, or SSO) is safer.',
    ]);
    expect(await readFile(t.configPath, 'utf8')).toBe(
      setKey(setKey(configText(), 'AWS.KEY', AWS_KEY_ID), 'AWS.SECRET', AWS_SECRET),
    );
    expect(t.ui.text()).not.toContain(AWS_SECRET);
    await t.cleanup();
  });

  test('a bad key gets a message that says so, and nothing is saved', async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: ['Type an access key ID and secret', AWS_KEY_ID, AWS_SECRET],
    });
    aws.sts.on(GetCallerIdentityCommand).rejects(
      new STSServiceException({
        name: 'InvalidClientTokenId',
        $fault: 'client',
        message: 'The security token included in the request is invalid.',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const failure = (await runCredentials(t.ctx, { ...recordingMaker(), env: {} }).catch(
      (error: unknown) => error,
    )) as Error;
    expect(failure.message).toBe(
      'AWS rejected the access key while checking the AWS credentials (InvalidClientTokenId): ' +
        'the key ID is wrong or deleted; check [AWS] KEY, AWS_ACCESS_KEY_ID or the profile, ' +
        'then run `sparkify-dwh credentials`',
    );
    expect(t.ui.spinners[0]!.end).toEqual({ state: 'fail', text: 'AWS did not accept the credentials' });
    expect(await readFile(t.configPath, 'utf8')).toBe(configText());
    expect(`${failure.message}\n${t.ui.text()}`).not.toContain(AWS_SECRET);
    await t.cleanup();
  });

  test('no region anywhere: asked, default us-west-2; another region is warned about and saved', async () => {
    const t = await makeTestContext({
      config: configText({ 'AWS.REGION': '' }),
      answers: ['eu-west-1', 'profile default'],
    });
    aws.sts.on(GetCallerIdentityCommand).resolves(IDENTITY);
    const maker = recordingMaker();
    await runCredentials(t.ctx, { makeClients: maker.makeClients, env: {} });
    expect(t.ui.of('warn')).toEqual([
      '⚠ Region eu-west-1 differs from us-west-2, where the Sparkify bucket is: ' +
        'loading will be slower and transfer is billed.',
    ]);
    expect(maker.made).toEqual([{ region: 'eu-west-1', profile: 'default' }]);
    expect(await readFile(t.configPath, 'utf8')).toBe(configText({ 'AWS.REGION': 'eu-west-1' }));
    await t.cleanup();
  });

  test('under --yes: what the config and environment say, no prompts', async () => {
    const t = await makeTestContext({
      config: configText({ 'AWS.KEY': AWS_KEY_ID, 'AWS.SECRET': AWS_SECRET }),
      yes: true,
    });
    aws.sts.on(GetCallerIdentityCommand).resolves(IDENTITY);
    const maker = recordingMaker();
    await runCredentials(t.ctx, { makeClients: maker.makeClients, env: { AWS_PROFILE: 'sparkify' } });
    expect(maker.made).toEqual([
      { region: 'us-west-2', keys: { accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET } },
    ]);
    expect(t.ui.text()).not.toContain(AWS_SECRET);
    await t.cleanup();
  });
});
