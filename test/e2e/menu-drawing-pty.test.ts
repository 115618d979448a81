/**
 * The menu's drawing as a person sees it: the built program in a 120×40 pseudo-terminal, its output
 * fed to a terminal emulator (terminal-screen.ts), and the SCREEN read back. The menu is drawn at
 * once with "checking…" and drawn again in place when the statuses arrive; afterwards the first
 * drawing must be gone: not left above the second, not pushed into the scroll-back.
 *
 * On the redshift target the AWS answers come from a local stub (aws-stub.ts) that the SDK reaches
 * through AWS_ENDPOINT_URL; the cluster's SQL port is a local port nothing listens on. No network.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn } from 'node-pty';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { startAwsStub, type AwsStub } from './aws-stub.js';
import { TerminalScreen } from './terminal-screen.js';
import { closedPort } from '../support/net.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist', 'cli.js');
const EXAMPLE = readFileSync(join(root, 'dwh.cfg.example'), 'utf8');
const COLS = 120;
const ROWS = 40;
const DOWN = '\u001b[B';
const ENTER = '\r';
const CTRL_C = '\u0003';
const HEADER_TOP = /^╭─ Sparkify data warehouse ─+╮$/;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(() => {
  if (!existsSync(cli)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
});

/** An empty folder with `config` as its dwh.cfg, and a HOME of its own (no ~/.aws of the machine's). */
async function folder(config: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sparkify-drawing-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'home'));
  await writeFile(join(dir, 'dwh.cfg'), config, { mode: 0o600 });
  return dir;
}

/** The built program in a 120×40 terminal as a person starts it: no CI, colour on, no AWS settings of the machine. */
function start(dir: string, extraEnv: Record<string, string> = {}): TerminalScreen {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('AWS_') || ['CI', 'NO_COLOR', 'FORCE_COLOR'].includes(key)) continue;
    env[key] = value;
  }
  Object.assign(env, {
    HOME: join(dir, 'home'),
    AWS_CONFIG_FILE: join(dir, 'home', 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'home', 'aws-credentials'),
    ...extraEnv,
  });
  const pty = spawn(process.execPath, [cli], { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: dir, env });
  const screen = new TerminalScreen(pty, COLS, ROWS);
  cleanups.push(() => screen.dispose());
  return screen;
}

async function stub(options: Parameters<typeof startAwsStub>[0]): Promise<AwsStub> {
  const aws = await startAwsStub(options);
  cleanups.push(() => aws.close());
  return aws;
}

function redshiftConfig(edits: Record<string, string>): string {
  let text = EXAMPLE.replace(/^TARGET = embedded$/m, 'TARGET = redshift');
  for (const [qualified, value] of Object.entries(edits)) {
    const [section, key] = qualified.split('.') as [string, string];
    const start = text.indexOf(`[${section}]`);
    text = text.slice(0, start) + text.slice(start).replace(new RegExp(`^${key} =.*$`, 'm'), `${key} = ${value}`);
  }
  return text;
}

/**
 * What a person expects once the menu is complete: one header box, at the top (under the one-line
 * Node notice where Node 20 prints it), the question right under the box and the first entry under
 * the question; no "checking…" left anywhere; nothing scrolled away or pushed to the scroll-back.
 */
function expectOneDrawingInPlace(screen: TerminalScreen, firstEntry: RegExp): void {
  const rows = screen.visibleRows();
  const transcript = screen.transcript();
  const context = `\n--- scroll-back ---\n${screen.scrollback().join('\n')}\n--- screen ---\n${rows.join('\n')}`;
  expect(
    transcript.filter((row) => HEADER_TOP.test(row)),
    `one header box${context}`,
  ).toHaveLength(1);
  expect(
    transcript.filter((row) => row.includes('checking…')),
    `no checking… line${context}`,
  ).toEqual([]);
  expect(screen.scrollback(), `nothing in the scroll-back${context}`).toEqual([]);
  const top = rows.findIndex((row) => HEADER_TOP.test(row));
  // Row 0, or row 1 under the SDK's Node-version notice (said in one line, once, on Node 20).
  expect(top, `the header at the top${context}`).toBe(rows[0]!.startsWith('Node ') ? 1 : 0);
  const bottom = rows.findIndex((row, i) => i > top && /^╰─+╯$/.test(row));
  expect(rows[bottom + 1], `the question under the box${context}`).toBe('? What next?');
  expect(rows[bottom + 2], `the first entry under the question${context}`).toMatch(firstEntry);
}

test('embedded, 120×40: the menu is drawn again in place: one header, no "checking…", nothing scrolled', async () => {
  const dir = await folder(EXAMPLE);
  const screen = start(dir);
  await screen.waitForScreen(/checking…/, 20_000);
  await screen.waitForScreen(/Create tables +• not yet/);
  await screen.quiet();
  expectOneDrawingInPlace(screen, /^❯ Guided setup \(\d steps to do\)$/);
  await screen.keys(CTRL_C);
  expect(await screen.exited()).toBe(130);
}, 90_000);

test('redshift, 120×40: the first drawing (header + "checking…") is replaced in place by the second', async () => {
  const aws = await stub({
    delayMs: 300, // AWS answers after the first drawing, as it does
    cluster: {
      identifier: 'dwhcluster',
      endpoint: { address: '127.0.0.1', port: await closedPort() },
      createdAt: new Date(Date.now() - 2 * 3_600_000),
    },
  });
  const dir = await folder(
    redshiftConfig({
      'AWS.KEY': 'AKIAIOSFODNN7EXAMPLE',
      'AWS.SECRET': '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',
      'DWH.DWH_ACCESS': 'public',
      'DWH.DWH_ALLOWED_CIDR': '203.0.113.7/32',
      'DWH.DWH_DB_PASSWORD': 'Sparkify9Pa55wordXyz',
      'CLUSTER.HOST': '127.0.0.1',
      'CLUSTER.DB_PASSWORD': 'Sparkify9Pa55wordXyz',
      'CLUSTER.DB_PORT': String(await closedPort()),
      'IAM_ROLE.ARN': 'arn:aws:iam::123456789012:role/dwhRole',
    }),
  );
  const screen = start(dir, { AWS_ENDPOINT_URL: aws.url });
  await screen.waitForScreen(/warehouse +checking…/, 20_000);
  // The second drawing: the cluster read from the stub (its cost in the header, "done" beside the step).
  await screen.waitForScreen(/Tear down AWS resources +• not yet/);
  await screen.waitForScreen(/│ cost +Cluster dwhcluster: running for 2 h/);
  await screen.quiet();
  expect(aws.actions).toContain('DescribeClusters');
  expectOneDrawingInPlace(screen, /^❯ Guided setup \(\d steps to do\)$/);
  expect(screen.visibleRows().join('\n')).toMatch(/Redshift cluster +✔ done \(cluster available\)/);
  await screen.keys(CTRL_C);
  expect(await screen.exited()).toBe(130);
}, 90_000);

test('redshift, in a terminal: the credentials and cluster steps head their output once', async () => {
  const aws = await stub({}); // no cluster yet: DescribeClusters answers ClusterNotFound
  const dir = await folder(redshiftConfig({}));
  const screen = start(dir, { AWS_ENDPOINT_URL: aws.url });
  await screen.waitForScreen(/AWS credentials +• not yet \(no credentials found\)/);
  await screen.quiet();
  await screen.keys(ENTER); // Guided setup
  await screen.waitForScreen(/Where does the warehouse live\?/);
  await screen.keys(ENTER); // Redshift cluster (the current target)
  await screen.waitForScreen(/How should SQL reach Redshift\?/);
  await screen.keys(ENTER); // Private
  await screen.waitForScreen(/No AWS credentials found\. How do you want to sign in\?/);
  await screen.keys(ENTER); // Type an access key ID and secret
  await screen.waitForScreen(/\? AWS access key ID/);
  await screen.keys('AKIAIOSFODNN7EXAMPLE', ENTER);
  await screen.waitForScreen(/\? AWS secret access key/);
  await screen.keys('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', ENTER);
  await screen.waitForScreen(/Save the key ID and secret in .* anyway\?/);
  await screen.keys(ENTER); // No
  await screen.waitForScreen(/\? Cluster identifier/);
  expect(aws.actions).toContain('GetCallerIdentity');
  await screen.keys(CTRL_C); // back to the menu
  await screen.waitForScreen(/Stopped; back to the menu\.[^]*What next\?/);
  await screen.quiet();

  // From the menu the answer line names the step: no heading of the step's own under it.
  await screen.keys(DOWN, DOWN, ENTER); // AWS credentials
  await screen.waitForTranscript(/What next\? AWS credentials[^]*\? .*(credentials|sign in)/);
  await screen.keys(CTRL_C);
  await screen.waitForTranscript(/Stopped; back to the menu\.[^]*Stopped; back to the menu\.[^]*What next\?/);
  await screen.quiet();
  await screen.keys(DOWN, DOWN, DOWN, ENTER); // Redshift cluster
  await screen.waitForTranscript(/What next\? Redshift cluster[^]*\? Cluster identifier/);
  await screen.keys(CTRL_C);
  await screen.quiet();

  const transcript = screen.transcript();
  const context = `\n${transcript.join('\n')}`;
  // Headings are a line of their own with a rule under them: one for each step, from the guided setup.
  expect(
    transcript.filter((row) => /^AWS credentials$/.test(row)),
    context,
  ).toHaveLength(1);
  expect(
    transcript.filter((row) => /^Redshift cluster( in [a-z0-9-]+)?$/.test(row)),
    context,
  ).toHaveLength(1);
  expect(
    transcript.filter((row) => /^─+$/.test(row)),
    context,
  ).toHaveLength(3); // Guided setup, and the two
  expect(transcript.join('\n')).not.toContain('SECRET9');
  await screen.keys(CTRL_C);
  expect(await screen.exited()).toBe(130);
}, 120_000);
