/**
 * Credentials discovery and the settings AWS clients are made with: profiles read from throwaway
 * shared config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE), never ~/.aws.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { discoverCredentialSources, resolveAwsSettings } from '../../src/aws/credentials.js';
import type { DwhConfig } from '../../src/config/types.js';
import { makeTestContext } from '../support/context.js';
import { AWS_KEY_ID, AWS_SECRET, configText, SHARED_CONFIG, SHARED_CREDENTIALS } from './fakes.js';

let home: string;
const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE };

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sparkify-creds-'));
  process.env.AWS_CONFIG_FILE = join(home, '.aws', 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, '.aws', 'credentials');
  await mkdir(join(home, '.aws'));
  await writeFile(process.env.AWS_CONFIG_FILE, SHARED_CONFIG);
  await writeFile(process.env.AWS_SHARED_CREDENTIALS_FILE, SHARED_CREDENTIALS);
});

afterEach(async () => {
  if (saved.config === undefined) delete process.env.AWS_CONFIG_FILE;
  else process.env.AWS_CONFIG_FILE = saved.config;
  if (saved.credentials === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
  else process.env.AWS_SHARED_CREDENTIALS_FILE = saved.credentials;
  await rm(home, { recursive: true, force: true });
});

describe('discovery', () => {
  test('finds dwh.cfg keys, environment keys and every profile (SSO marked, AWS_PROFILE marked)', async () => {
    const t = await makeTestContext({ config: configText({ 'AWS.KEY': AWS_KEY_ID, 'AWS.SECRET': AWS_SECRET }) });
    const sources = await discoverCredentialSources(t.ctx.config.values(), {
      AWS_ACCESS_KEY_ID: 'AKIAENVEXAMPLE000001',
      AWS_SECRET_ACCESS_KEY: 'x'.repeat(40),
      AWS_PROFILE: 'sparkify',
    });
    expect(sources.map((source) => source.label)).toEqual([
      'KEY and SECRET in dwh.cfg [AWS]',
      'AWS_ACCESS_KEY_ID from the environment',
      'profile default',
      'profile sparkify (AWS_PROFILE)',
      'profile work (SSO)',
    ]);
    expect(JSON.stringify(sources)).not.toContain(AWS_SECRET);
    await t.cleanup();
  });
});

describe('resolveAwsSettings', () => {
  const base = (aws: DwhConfig['aws']): DwhConfig => ({ aws }) as DwhConfig; // only [AWS] is read
  test.each([
    [
      { key: 'AKIAX', secret: 'S', region: 'eu-west-1' },
      {},
      { region: 'eu-west-1', keys: { accessKeyId: 'AKIAX', secretAccessKey: 'S' } },
    ],
    [
      { key: 'AKIAX', secret: undefined, region: undefined },
      { AWS_PROFILE: 'dev', AWS_REGION: 'us-east-1' },
      { region: 'us-east-1', profile: 'dev' },
    ],
    // The project's file names its profile: it wins over the shell's AWS_PROFILE.
    [
      { profile: 'sparkify', region: 'us-east-2' },
      { AWS_PROFILE: 'dev' },
      { region: 'us-east-2', profile: 'sparkify' },
    ],
    [{}, { AWS_DEFAULT_REGION: 'eu-central-1' }, { region: 'eu-central-1' }],
    // No region anywhere: the default profile's own (us-west-2 in the fixture).
    [{}, {}, { region: 'us-west-2' }],
  ])('%j with env %j', async (section, env, expected) => {
    expect(await resolveAwsSettings(base(section), env)).toEqual(expected);
  });

  test("a profile's own region is used when [AWS] REGION and AWS_REGION are empty; else us-west-2", async () => {
    await writeFile(process.env.AWS_CONFIG_FILE!, `${SHARED_CONFIG}\n[profile eu]\nregion = eu-central-1\n`);
    expect(await resolveAwsSettings(base({ profile: 'eu' }), {})).toEqual({ region: 'eu-central-1', profile: 'eu' });
    expect(await resolveAwsSettings(base({}), { AWS_PROFILE: 'eu' })).toEqual({
      region: 'eu-central-1',
      profile: 'eu',
    });
    // [AWS] REGION wins over the profile's.
    expect(await resolveAwsSettings(base({ profile: 'eu', region: 'us-east-1' }), {})).toEqual({
      region: 'us-east-1',
      profile: 'eu',
    });
    // A profile without a region (work) falls back to the data's region.
    expect(await resolveAwsSettings(base({ profile: 'work' }), {})).toEqual({ region: 'us-west-2', profile: 'work' });
  });

  test('the session choice wins: typed keys and environment keys over [AWS] PROFILE and AWS_PROFILE', async () => {
    const config = base({ profile: 'sparkify', region: 'us-west-2' });
    const env = { AWS_PROFILE: 'dev' };
    expect(
      await resolveAwsSettings(config, env, {
        credentials: { kind: 'keys', accessKeyId: 'AKIATYPED', secretAccessKey: 'S' },
        label: 'typed',
      }),
    ).toEqual({ region: 'us-west-2', keys: { accessKeyId: 'AKIATYPED', secretAccessKey: 'S' } });
    expect(await resolveAwsSettings(config, env, { credentials: { kind: 'environment' }, label: 'env' })).toEqual({
      region: 'us-west-2',
      environmentKeys: true,
    });
    expect(
      await resolveAwsSettings(config, env, {
        credentials: { kind: 'profile', profile: 'work' },
        region: 'eu-west-1',
        label: 'p',
      }),
    ).toEqual({ region: 'eu-west-1', profile: 'work' });
  });
});
