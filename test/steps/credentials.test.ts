import { GetCallerIdentityCommand, STSServiceException } from '@aws-sdk/client-sts';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { resolveAwsSettings } from '../../src/aws/credentials.js';
import { credentialsStatus, runCredentials } from '../../src/steps/credentials.js';
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

/** The settings the context's clients are made with after the step (what every later AWS call uses). */
async function settingsAfter(t: Awaited<ReturnType<typeof makeTestContext>>, env: NodeJS.ProcessEnv) {
  return resolveAwsSettings(t.ctx.config.values(), env, t.ctx.awsChoice);
}

describe('runCredentials', () => {
  test('a picked profile is verified with STS, used for the session, saved as [AWS] PROFILE on yes', async () => {
    const env: NodeJS.ProcessEnv = {};
    const t = await makeTestContext({
      env,
      aws: aws.clients,
      config: configText(),
      answers: ['profile sparkify', true],
    });
    aws.sts.on(GetCallerIdentityCommand).resolves(IDENTITY);
    expect(await runCredentials(t.ctx)).toEqual({ ok: true, summary: `account ${ACCOUNT}` });
    expect(await settingsAfter(t, env)).toEqual({ region: 'us-west-2', profile: 'sparkify' });
    expect(t.ui.spinners[0]!.end).toEqual({
      state: 'succeed',
      text: `Signed in to account ${ACCOUNT} as arn:aws:iam::${ACCOUNT}:user/dev`,
    });
    expect(t.prompts.messages()).toEqual([
      'Which AWS credentials should the wizard use?',
      'Save profile sparkify as [AWS] PROFILE in dwh.cfg, for later commands too?',
    ]);
    expect(t.ctx.config.get('AWS', 'PROFILE')).toBe('sparkify');
    // No heading of its own: the guided setup heads it with the step's title (printed once).
    expect(t.ui.of('heading')).toEqual([]);
    // The environment is left alone: the choice lives in the session and in dwh.cfg.
    expect(env).toEqual({});
    await t.cleanup();
  });

  test('a profile kept for the session only: dwh.cfg unchanged, the session still uses it', async () => {
    const env: NodeJS.ProcessEnv = { AWS_PROFILE: 'work' };
    const t = await makeTestContext({
      env,
      aws: aws.clients,
      config: configText(),
      answers: ['profile sparkify', false],
    });
    aws.sts.on(GetCallerIdentityCommand).resolves(IDENTITY);
    await runCredentials(t.ctx);
    expect(await readFile(t.configPath, 'utf8')).toBe(configText());
    // The pick wins over AWS_PROFILE for the rest of the session.
    expect(await settingsAfter(t, env)).toEqual({ region: 'us-west-2', profile: 'sparkify' });
    expect(t.ui.of('note')).toEqual(['Profile sparkify is used until the wizard exits.']);
    // The pick does not pin the region: an edited [AWS] REGION is followed.
    await t.ctx.config.update([{ section: 'AWS', key: 'REGION', value: 'eu-west-1' }]);
    expect(await settingsAfter(t, env)).toEqual({ region: 'eu-west-1', profile: 'sparkify' });
    await t.cleanup();
  });

  test('"keys from the environment" wins over a set AWS_PROFILE (explicit provider, not the SDK chain)', async () => {
    const env: NodeJS.ProcessEnv = {
      AWS_PROFILE: 'work',
      AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE000001',
      AWS_SECRET_ACCESS_KEY: 'x'.repeat(40),
    };
    const t = await makeTestContext({
      env,
      aws: aws.clients,
      config: configText(),
      answers: ['AWS_ACCESS_KEY_ID from the environment'],
    });
    aws.sts.on(GetCallerIdentityCommand).resolves(IDENTITY);
    await runCredentials(t.ctx);
    expect(await settingsAfter(t, env)).toEqual({ region: 'us-west-2', environmentKeys: true });
    expect(t.prompts.remaining()).toBe(0);
    await t.cleanup();
  });

  test('typed keys: secret masked at a password prompt, saved to [AWS] only after the warning and a yes', async () => {
    const t = await makeTestContext({
      env: { AWS_PROFILE: 'work' },
      aws: aws.clients,
      config: configText(),
      answers: ['Type an access key ID and secret', AWS_KEY_ID, AWS_SECRET, true],
    });
    aws.sts.on(GetCallerIdentityCommand).resolves(IDENTITY);
    await runCredentials(t.ctx);
    expect(t.prompts.asked.map((prompt) => [prompt.kind, prompt.message])).toEqual([
      ['select', 'Which AWS credentials should the wizard use?'],
      ['input', 'AWS access key ID'],
      ['password', 'AWS secret access key'],
      ['confirm', 'Save the key ID and secret in dwh.cfg [AWS] anyway?'],
    ]);
    // Typed keys win over AWS_PROFILE.
    expect(await settingsAfter(t, { AWS_PROFILE: 'work' })).toEqual({
      region: 'us-west-2',
      keys: { accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET },
    });
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

  test('a bad key gets a message that says so, nothing is saved and the session keeps what it had', async () => {
    const t = await makeTestContext({
      env: {},
      aws: aws.clients,
      config: configText(),
      answers: ['Type an access key ID and secret', AWS_KEY_ID, AWS_SECRET],
    });
    const before = { credentials: { kind: 'profile' as const, profile: 'sparkify' }, label: 'profile sparkify' };
    t.ctx.awsChoice = before;
    aws.sts.on(GetCallerIdentityCommand).rejects(
      new STSServiceException({
        name: 'InvalidClientTokenId',
        $fault: 'client',
        message: 'The security token included in the request is invalid.',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const failure = (await runCredentials(t.ctx).catch((error: unknown) => error)) as Error;
    expect(failure.message).toBe(
      'AWS rejected the access key while checking the AWS credentials (InvalidClientTokenId): ' +
        'the key ID is wrong or deleted; check [AWS] KEY, AWS_ACCESS_KEY_ID or the profile, ' +
        'then run `sparkify-dwh credentials`',
    );
    expect(t.ui.spinners[0]!.end).toEqual({
      state: 'fail',
      text: 'AWS did not accept the credentials; nothing was saved',
    });
    expect(await readFile(t.configPath, 'utf8')).toBe(configText());
    expect(t.ctx.awsChoice).toBe(before);
    expect(`${failure.message}\n${t.ui.text()}`).not.toContain(AWS_SECRET);
    await t.cleanup();
  });

  test('nothing set up: the user may decline typing keys and is told how to make a profile', async () => {
    await rm(join(home, '.aws'), { recursive: true });
    const t = await makeTestContext({
      env: {},
      aws: aws.clients,
      config: configText(),
      answers: ['Not now: set up a profile first'],
    });
    expect(await runCredentials(t.ctx)).toEqual({ ok: false, summary: 'no credentials chosen' });
    expect(t.prompts.messages()).toEqual(['No AWS credentials found. How do you want to sign in?']);
    expect(t.ui.text()).toContain('`aws configure --profile sparkify`');
    expect(aws.sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
    expect(await readFile(t.configPath, 'utf8')).toBe(configText());
    expect(t.ctx.awsChoice).toBeUndefined();
    await t.cleanup();
  });

  test('an unreachable AWS is not reported as refused keys, and the typed keys are not kept', async () => {
    const t = await makeTestContext({
      env: {},
      aws: aws.clients,
      config: configText(),
      answers: ['Type an access key ID and secret', AWS_KEY_ID, AWS_SECRET],
    });
    aws.sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('getaddrinfo ENOTFOUND sts.us-west-2.amazonaws.com'), { code: 'ENOTFOUND' }));
    const failure = (await runCredentials(t.ctx).catch((error: unknown) => error)) as Error;
    expect(failure.message).toMatch(/^could not reach AWS while checking the AWS credentials/);
    expect(t.ui.spinners[0]!.end).toEqual({
      state: 'fail',
      text: 'Could not reach AWS to check the credentials; nothing was saved',
    });
    expect(await readFile(t.configPath, 'utf8')).toBe(configText());
    expect(t.ctx.awsChoice).toBeUndefined();
    await t.cleanup();
  });

  test('no region anywhere: asked, default us-west-2; another region is warned about and saved', async () => {
    const t = await makeTestContext({
      env: {},
      aws: aws.clients,
      config: configText({ 'AWS.REGION': '' }),
      answers: ['profile sparkify', 'eu-west-1', false],
    });
    aws.sts.on(GetCallerIdentityCommand).resolves(IDENTITY);
    await runCredentials(t.ctx);
    expect(t.ui.of('warn')).toEqual([
      '⚠ Region eu-west-1 differs from us-west-2, where the [S3] data is: ' +
        'loading will be slower and transfer is billed.',
    ]);
    expect(await settingsAfter(t, {})).toEqual({ region: 'eu-west-1', profile: 'sparkify' });
    expect(await readFile(t.configPath, 'utf8')).toBe(configText({ 'AWS.REGION': 'eu-west-1' }));
    await t.cleanup();
  });

  test("[AWS] REGION empty: the picked profile's own region is used, not asked and not written", async () => {
    await writeFile(process.env.AWS_CONFIG_FILE!, `${SHARED_CONFIG}\n[profile eu]\nregion = eu-central-1\n`);
    const t = await makeTestContext({
      env: {},
      aws: aws.clients,
      config: configText({ 'AWS.REGION': '' }),
      answers: ['profile eu', false],
    });
    aws.sts.on(GetCallerIdentityCommand).resolves(IDENTITY);
    await runCredentials(t.ctx);
    expect(t.prompts.messages()).toEqual([
      'Which AWS credentials should the wizard use?',
      'Save profile eu as [AWS] PROFILE in dwh.cfg, for later commands too?',
    ]);
    expect(t.ui.of('info')).toContain('Region eu-central-1, from profile eu.');
    expect(await settingsAfter(t, {})).toEqual({ region: 'eu-central-1', profile: 'eu' });
    expect(await readFile(t.configPath, 'utf8')).toBe(configText({ 'AWS.REGION': '' }));
    await t.cleanup();
  });

  test('under --yes: what the config and environment say, no prompts', async () => {
    const t = await makeTestContext({
      env: { AWS_PROFILE: 'sparkify' },
      aws: aws.clients,
      config: configText({ 'AWS.KEY': AWS_KEY_ID, 'AWS.SECRET': AWS_SECRET }),
      yes: true,
    });
    aws.sts.on(GetCallerIdentityCommand).resolves(IDENTITY);
    await runCredentials(t.ctx);
    expect(await settingsAfter(t, { AWS_PROFILE: 'sparkify' })).toEqual({
      region: 'us-west-2',
      keys: { accessKeyId: AWS_KEY_ID, secretAccessKey: AWS_SECRET },
    });
    expect(t.ui.text()).not.toContain(AWS_SECRET);
    await t.cleanup();
  });
});

describe('credentialsStatus', () => {
  test("reads the context's environment, not the process's", async () => {
    const env: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE000001', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) };
    const withKeys = await makeTestContext({ env, aws: aws.clients, config: configText() });
    expect(await credentialsStatus(withKeys.ctx)).toEqual({
      state: 'done',
      detail: 'AWS_ACCESS_KEY_ID from the environment',
    });
    await withKeys.cleanup();
    const without = await makeTestContext({ env: {}, aws: aws.clients, config: configText() });
    expect((await credentialsStatus(without.ctx)).detail).not.toContain('AWS_ACCESS_KEY_ID');
    await without.cleanup();
  });
});
