/**
 * Secrets never leave dwh.cfg: a full local pipeline on PostgreSQL with distinctive secrets in
 * every secret key (and the password inside POSTGRES_URL), failing commands included, with and
 * without DEBUG=1; then stdout, stderr and every file written under the folder (dwh.cfg aside) are
 * scanned. dwh.cfg stays 0600 through writes, and a readable dwh.cfg holding secrets is warned about.
 */
import { freePort } from '../support/postgres-server.js';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openConfig } from '../../src/config/store.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { ensureBuilt, runCli, tempDir, type CliResult } from '../cli/run.js';

const AWS_SECRET = 'wJalrXUtnFEMIK7MDENGbPxRfiCYzzSecretKey42';
const DWH_DB_PASSWORD = 'DwhPassw0rdUniqueQx';
const DB_PASSWORD = 'ClusterPassw0rdUniqueZk';
/** Ours, unless the test server needs its own (CI's role has a password): that one is then the secret. */
let URL_PASSWORD = 'PgUrlPassw0rdUniqueWv';
const UNREACHABLE_PASSWORD = 'UnreachPassw0rdUniqueJt';
const secrets = (): string[] => [AWS_SECRET, DWH_DB_PASSWORD, DB_PASSWORD, URL_PASSWORD, UNREACHABLE_PASSWORD];

let base: string;
let db: TestDatabase;
const outputs: Array<{ args: string[]; debug: boolean; result: CliResult }> = [];

function configText(postgresUrl: string): string {
  return [
    '[AWS]',
    'KEY = AKIAIOSFODNN7EXAMPLE',
    `SECRET = ${AWS_SECRET}`,
    'REGION = us-west-2',
    '',
    '[DWH]',
    `DWH_DB_PASSWORD = ${DWH_DB_PASSWORD}`,
    '',
    '[CLUSTER]',
    `DB_PASSWORD = ${DB_PASSWORD}`,
    '',
    '[WAREHOUSE]',
    'TARGET = postgres',
    `POSTGRES_URL = ${postgresUrl}`,
    '',
    '[LOCAL]',
    'SONG_DATA = data/song_data',
    'LOG_DATA = data/log_data',
    '',
  ].join('\n');
}

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else found.push(path);
  }
  return found;
}

beforeAll(async () => {
  ensureBuilt();
  base = await tempDir('secrets');
  db = await createTestDatabase();
  // A server that trusts local connections takes any password; one that checks keeps its own.
  const url = new URL(db.url);
  if (url.password === '') url.password = URL_PASSWORD;
  else URL_PASSWORD = decodeURIComponent(url.password);
  await writeFile(join(base, 'dwh.cfg'), configText(url.toString()), { mode: 0o600 });
  const unreachable = `postgres://sparkify:${UNREACHABLE_PASSWORD}@127.0.0.1:${await freePort()}/dwh`;
  await writeFile(join(base, 'unreachable.cfg'), configText(unreachable), { mode: 0o600 });

  const commands = (debug: boolean): Array<{ args: string[]; ok: boolean }> => [
    { args: ['generate', '--out', debug ? 'data-debug' : 'data', '--songs', '50', '--events', '500'], ok: true },
    { args: ['tables', 'create', '--yes'], ok: true },
    { args: ['load'], ok: true },
    { args: ['check'], ok: true },
    { args: ['analytics'], ok: true },
    { args: ['analytics', '--format', 'csv'], ok: true },
    { args: ['sql', 'SELECT current_user, count(*) FROM songplays GROUP BY 1'], ok: true },
    { args: ['sql', 'SELECT nope FROM nowhere'], ok: false },
    { args: ['sql', 'DROP TABLE songplays'], ok: false },
    { args: ['-c', 'unreachable.cfg', 'load'], ok: false },
    { args: ['-c', 'unreachable.cfg', 'sql', 'SELECT 1'], ok: false },
    { args: ['--target', 'redshift', 'sql', 'SELECT 1'], ok: false },
    { args: ['cluster', 'status'], ok: false },
  ];
  for (const debug of [false, true]) {
    for (const { args, ok } of commands(debug)) {
      const result = await runCli(args, { cwd: base, env: debug ? { DEBUG: '1' } : {} });
      expect(result.code === 0, `${args.join(' ')}: ${result.stderr}`).toBe(ok);
      outputs.push({ args, debug, result });
    }
  }
}, 180_000);

afterAll(async () => {
  await db?.drop();
  await rm(base, { recursive: true, force: true });
});

describe('no secret outside dwh.cfg', () => {
  test('stdout and stderr of every command, with and without DEBUG', () => {
    expect(outputs).toHaveLength(26);
    for (const { args, debug, result } of outputs) {
      for (const secret of secrets()) {
        expect(result.stdout, `${args.join(' ')} (DEBUG=${debug}) stdout`).not.toContain(secret);
        expect(result.stderr, `${args.join(' ')} (DEBUG=${debug}) stderr`).not.toContain(secret);
      }
    }
    // DEBUG really printed stack traces (so their text was scanned too).
    expect(outputs.some(({ debug, result }) => debug && /\n\s+at /.test(result.stderr))).toBe(true);
    // And the failures named what failed, with the secret masked where a driver echoed it.
    const unreachable = outputs.find(
      ({ args, debug }) => !debug && args.includes('unreachable.cfg') && args.includes('load'),
    );
    expect(unreachable?.result.stderr).toMatch(/127\.0\.0\.1:\d+/);
  });

  test('every file written under the folder (dwh.cfg and unreachable.cfg aside)', async () => {
    const files = (await filesUnder(base)).filter((path) => !/[/\\](dwh|unreachable)\.cfg$/.test(path));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = (await readFile(file)).toString('latin1');
      for (const secret of secrets()) expect(text, file).not.toContain(secret);
    }
  });
});

describe('dwh.cfg permissions', () => {
  test('0600 after a write-back, even when it was created 0600 and rewritten', async () => {
    const dir = join(base, 'modes');
    await mkdir(dir);
    const path = join(dir, 'dwh.cfg');
    await writeFile(path, configText('postgres://u@localhost/db'), { mode: 0o600 });
    const store = await openConfig(path);
    await store.update([{ section: 'CLUSTER', key: 'HOST', value: 'example.redshift.amazonaws.com' }]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await store.update([{ section: 'IAM_ROLE', key: 'ARN', value: 'arn:aws:iam::123456789012:role/dwhRole' }]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toContain(`SECRET = ${AWS_SECRET}`);
  });

  test('a group- or world-readable dwh.cfg with secrets gets one warning from plain commands too', async () => {
    const dir = join(base, 'readable');
    await mkdir(dir);
    const url = new URL(db.url);
    url.password = encodeURIComponent(URL_PASSWORD);
    await writeFile(join(dir, 'dwh.cfg'), configText(url.toString()));
    await chmod(join(dir, 'dwh.cfg'), 0o644);
    const warning =
      /⚠ \.\/dwh\.cfg holds secrets and other users can read it \(mode 0644\); run: chmod 600 \.\/dwh\.cfg/;
    for (const args of [['sql', 'SELECT 1'], ['check'], ['setup', '--yes']]) {
      const result = await runCli(args, { cwd: dir });
      expect(result.stderr.match(new RegExp(warning, 'g')) ?? [], `${args.join(' ')}: ${result.stderr}`).toHaveLength(
        1,
      );
      for (const secret of secrets()) expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
    }
    await chmod(join(dir, 'dwh.cfg'), 0o600);
    expect((await runCli(['sql', 'SELECT 1'], { cwd: dir })).stderr).not.toMatch(warning);
  }, 90_000);
});
