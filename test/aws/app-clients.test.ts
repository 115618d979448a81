/**
 * The context's AWS clients (src/app.ts): made once for the same settings, made again when the
 * credentials or the region behind them change (a pick in `credentials`, an edited dwh.cfg), and the
 * AWS SDK's Node-version notice said in one line, once per run, however often they are made.
 * Clients are only constructed here: no request leaves the process.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createContext } from '../../src/app.js';
import type { AppContext } from '../../src/context.js';
import { recordingUi, scriptedPrompts } from '../support/ui.js';
import { configText } from './fakes.js';

let dir: string;
const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkify-app-aws-'));
  // Never the user's ~/.aws: an empty pair of shared files.
  process.env.AWS_CONFIG_FILE = join(dir, 'aws-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'aws-credentials');
  await writeFile(process.env.AWS_CONFIG_FILE, '');
  await writeFile(process.env.AWS_SHARED_CREDENTIALS_FILE, '');
});

afterEach(async () => {
  for (const [name, value] of [
    ['AWS_CONFIG_FILE', saved.config],
    ['AWS_SHARED_CREDENTIALS_FILE', saved.credentials],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await rm(dir, { recursive: true, force: true });
});

async function context(nodeVersion: string): Promise<{ ctx: AppContext; ui: ReturnType<typeof recordingUi> }> {
  await writeFile(join(dir, 'dwh.cfg'), configText(), { mode: 0o600 });
  const ui = recordingUi();
  const ctx = await createContext(
    { configPath: 'dwh.cfg', yes: false, color: false },
    { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {}, cwd: dir, nodeVersion },
    { ui, prompts: scriptedPrompts([]) },
  );
  return { ctx, ui };
}

test('the same settings give the same clients; a new pick or region gives new ones', async () => {
  const { ctx } = await context('v22.12.0');
  const first = await ctx.aws();
  expect(await ctx.aws()).toBe(first);
  expect(first.region).toBe('us-west-2');

  ctx.awsChoice = { credentials: { kind: 'profile', profile: 'sparkify' }, label: 'profile sparkify' };
  const picked = await ctx.aws();
  expect(picked).not.toBe(first);
  expect(await ctx.aws()).toBe(picked);

  ctx.awsChoice = {
    credentials: { kind: 'keys', accessKeyId: 'AKIATYPEDEXAMPLE0001', secretAccessKey: 'typed-secret-00000' },
    label: 'typed',
  };
  const typed = await ctx.aws();
  expect((await typed.sts.config.credentials()).accessKeyId).toBe('AKIATYPEDEXAMPLE0001');

  // dwh.cfg edited (another region): the next call follows it.
  ctx.awsChoice = undefined;
  await ctx.config.update([{ section: 'AWS', key: 'REGION', value: 'eu-west-1' }]);
  const moved = await ctx.aws();
  expect(moved.region).toBe('eu-west-1');
  expect(await moved.redshift.config.region()).toBe('eu-west-1');
  await ctx.close();
});

test('on Node 20 the SDK notice is one line, once, however often the clients are made', async () => {
  const { ctx, ui } = await context('v20.19.2');
  await ctx.aws();
  await ctx.aws();
  ctx.awsChoice = { credentials: { kind: 'profile', profile: 'other' }, label: 'profile other' };
  await ctx.aws();
  const notes = ui.of('note').filter((line) => line.includes('AWS SDK'));
  expect(notes).toEqual(['Node 20 reached end of life in April 2026; new AWS SDKs (2027+) need Node 22+.']);
  expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
  await ctx.close();
});

test('on Node 22 and later there is nothing to say', async () => {
  const { ctx, ui } = await context('v24.11.1');
  await ctx.aws();
  expect(ui.text()).not.toContain('AWS SDK');
  await ctx.close();
});
