/**
 * Where the warehouse lives: the guided setup asks it first and the menu's "Warehouse" entry asks
 * it again; the answer goes to [WAREHOUSE] TARGET (with POSTGRES_URL, tested with a real
 * connection first, and [DWH] DWH_ACCESS / DWH_ALLOWED_CIDR). A real PostgreSQL server for the
 * postgres choice; no AWS is reached.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { runMenu } from '../../src/steps/menu.js';
import { runSetup } from '../../src/steps/setup.js';
import { chooseTarget, maskPassword } from '../../src/steps/target.js';
import { makeTestContext } from '../support/context.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

type Made = Awaited<ReturnType<typeof makeTestContext>>;
const made: Made[] = [];
afterEach(async () => {
  for (const m of made.splice(0)) await m.cleanup();
});
async function context(options: Parameters<typeof makeTestContext>[0]): Promise<Made> {
  const m = await makeTestContext(options);
  made.push(m);
  return m;
}

let db: TestDatabase;
/**
 * The test database's URL with a password in it. A server that checks passwords (CI's, reached with
 * SPARKIFY_TEST_POSTGRES_URL) keeps its own; a throwaway one trusts local connections, so any works.
 */
let urlWithPassword: string;
let PASSWORD = 'Pg-s3cret-9041';
beforeAll(async () => {
  db = await createTestDatabase();
  const url = new URL(db.url);
  if (url.password === '') url.password = PASSWORD;
  else PASSWORD = decodeURIComponent(url.password);
  urlWithPassword = url.toString();
});
afterAll(async () => {
  await db.drop();
});

const EMBEDDED = '[WAREHOUSE]\nTARGET = embedded\nPOSTGRES_URL =\n\n[DWH]\nDWH_ACCESS =\nDWH_ALLOWED_CIDR =\n';
const WHERE = 'Where does the warehouse live?';
const messages = (m: Made): string[] => m.prompts.asked.map((prompt) => prompt.message);

test('setup asks where first; a PostgreSQL URL is tested, then written; its password is never shown', async () => {
  // Where → postgres, its URL; then stop at the first step's question (no data: do not generate).
  const m = await context({ config: EMBEDDED, answers: ['postgres', urlWithPassword, false] });
  const result = await runSetup(m.ctx);
  expect(result.ok).toBe(false); // stopped for lack of data, after the choice was recorded
  expect(messages(m).slice(0, 2)).toEqual([WHERE, 'PostgreSQL URL']);
  const written = await readFile(m.configPath, 'utf8');
  expect(written).toMatch(/^TARGET = postgres$/m);
  expect(written).toContain(`POSTGRES_URL = ${urlWithPassword}`);
  expect(m.ctx.target()).toBe('postgres');
  // The connection test names the server, its password masked.
  const spinner = m.ui.spinners[0]!;
  expect(spinner.texts[0]).toMatch(/^Connecting to postgres:\/\/.*:\*{3,4}@/);
  expect(spinner.end?.state).toBe('succeed');
  expect(m.ui.text()).not.toContain(PASSWORD);
  expect(m.ui.text()).toMatch(/Steps: Create tables → Load data/);
});

test('a URL nobody answers at is not written; the user may type another or stop', async () => {
  const refused = 'postgres://ana:Nobody-home-1@127.0.0.1:1/sparkify';
  const m = await context({ config: EMBEDDED, answers: ['postgres', refused, true, refused, false] });
  const before = await readFile(m.configPath, 'utf8');
  const result = await runSetup(m.ctx);
  expect(result).toEqual({ ok: false, summary: 'no PostgreSQL server chosen' });
  expect(messages(m).filter((message) => message === 'Type another URL?')).toHaveLength(2);
  expect(m.ui.of('error').join('\n')).toMatch(/127\.0\.0\.1:1/);
  expect(m.ui.text()).not.toContain('Nobody-home-1');
  expect(await readFile(m.configPath, 'utf8')).toBe(before);
});

test('Enter keeps the current URL: the default is shown masked and the real one is kept', async () => {
  const config = EMBEDDED.replace('POSTGRES_URL =', `POSTGRES_URL = ${urlWithPassword}`);
  const m = await context({ config, answers: ['postgres', ''] });
  expect((await chooseTarget(m.ctx, { ask: true })).ok).toBe(true);
  expect(m.prompts.asked[1]!.answer).toBe(maskPassword(urlWithPassword));
  const written = await readFile(m.configPath, 'utf8');
  expect(written).toContain(`POSTGRES_URL = ${urlWithPassword}`);
  expect(written).toMatch(/^TARGET = postgres$/m);
});

test('Redshift: one line on each place and access; private by default; TARGET and DWH_ACCESS written', async () => {
  const m = await context({ config: EMBEDDED, answers: ['redshift', 'private'] });
  const select = captureSelects(m);
  expect((await chooseTarget(m.ctx, { ask: true })).ok).toBe(true);
  const written = await readFile(m.configPath, 'utf8');
  expect(written).toMatch(/^TARGET = redshift$/m);
  expect(written).toMatch(/^DWH_ACCESS = private$/m);
  expect(written).toMatch(/^DWH_ALLOWED_CIDR =$/m);
  expect(select.choices[0]!.map((c) => c.name)).toEqual([
    'This computer         no account, no server, free: to try it, demos, tests',
    'A PostgreSQL server   your own PostgreSQL 14+: a team database, CI',
    'Redshift cluster      provisioned: full scale, billed per hour while it runs',
    'Redshift Serverless   no cluster: billed only while queries run',
  ]);
  expect(select.choices[1]!.map((c) => c.name)).toEqual([
    'Private               no open port; SQL via the Data API; no stored password',
    'Public                port open to your IP only, for psql and BI tools (TLS)',
  ]);
  expect(select.defaults).toEqual(['embedded', 'private']);
  // Every line fits an 80-column terminal beside inquirer's two-character cursor.
  for (const name of select.choices.flat().map((c) => c.name)) expect(name.length).toBeLessThanOrEqual(78);
  expect(m.ui.text()).toMatch(/Warehouse: Redshift cluster, private/);
});

test('Redshift Serverless asks nothing more: its workgroup is private whatever DWH_ACCESS says', async () => {
  const config = EMBEDDED.replace('DWH_ACCESS =', 'DWH_ACCESS = public');
  const m = await context({ config, answers: ['redshift-serverless'] });
  expect((await chooseTarget(m.ctx, { ask: true })).ok).toBe(true);
  expect(messages(m)).toEqual([WHERE]);
  const written = await readFile(m.configPath, 'utf8');
  expect(written).toMatch(/^TARGET = redshift-serverless$/m);
  expect(written).toMatch(/^DWH_ACCESS = public$/m);
  expect(m.ui.text()).toMatch(/Warehouse: Redshift Serverless, private/);
});

test('public asks the address allowed in: a typed one goes to DWH_ALLOWED_CIDR; empty keeps the lookup', async () => {
  const typed = await context({ config: EMBEDDED, answers: ['redshift', 'public', 'not-a-cidr', '198.51.100.7/32'] });
  expect((await chooseTarget(typed.ctx, { ask: true })).ok).toBe(true);
  expect(typed.prompts.asked[2]!.rejected).toHaveLength(1);
  const written = await readFile(typed.configPath, 'utf8');
  expect(written).toMatch(/^DWH_ACCESS = public$/m);
  expect(written).toMatch(/^DWH_ALLOWED_CIDR = 198\.51\.100\.7\/32$/m);

  const empty = await context({ config: EMBEDDED, answers: ['redshift', 'public', ''] });
  expect((await chooseTarget(empty.ctx, { ask: true })).ok).toBe(true);
  expect(await readFile(empty.configPath, 'utf8')).toMatch(/^DWH_ALLOWED_CIDR =$/m);
});

test('the current target and access are the defaults', async () => {
  const config = '[WAREHOUSE]\nTARGET = redshift\n\n[DWH]\nDWH_ALLOWED_CIDR = 198.51.100.4/32\n';
  const m = await context({ config, answers: ['redshift', 'public', ''] });
  const select = captureSelects(m);
  expect((await chooseTarget(m.ctx, { ask: true })).ok).toBe(true);
  expect(select.defaults).toEqual(['redshift', 'public']);
  expect(await readFile(m.configPath, 'utf8')).toMatch(/^DWH_ACCESS = public$/m);
  expect(await readFile(m.configPath, 'utf8')).toMatch(/^DWH_ALLOWED_CIDR = 198\.51\.100\.4\/32$/m);
});

test('setup --target X --yes records X without asking; the URL is still tested', async () => {
  const config = EMBEDDED.replace('POSTGRES_URL =', `POSTGRES_URL = ${db.url}`);
  const m = await context({ config, yes: true, target: 'postgres' });
  expect((await chooseTarget(m.ctx, { ask: m.ctx.options.target === undefined })).ok).toBe(true);
  expect(await readFile(m.configPath, 'utf8')).toMatch(/^TARGET = postgres$/m);
  expect(m.ui.spinners[0]!.end?.state).toBe('succeed');
  // Recorded: the one-run override has nothing left to do.
  expect(m.ctx.options.target).toBeUndefined();
  expect(m.ctx.target()).toBe('postgres');
});

test('setup --target redshift-serverless records it, unasked, under --yes', async () => {
  const m = await context({ config: EMBEDDED, yes: true, target: 'redshift-serverless' });
  expect((await chooseTarget(m.ctx, { ask: false })).ok).toBe(true);
  expect(await readFile(m.configPath, 'utf8')).toMatch(/^TARGET = redshift-serverless$/m);
  expect(m.ui.text()).toMatch(/Warehouse: Redshift Serverless, private/);
});

test('under --yes, postgres without POSTGRES_URL fails in one line naming the key', async () => {
  const m = await context({ config: EMBEDDED, yes: true, target: 'postgres' });
  await expect(runSetup(m.ctx)).rejects.toThrow(/\[WAREHOUSE\] POSTGRES_URL in dwh\.cfg is not set/);
  expect(await readFile(m.configPath, 'utf8')).toBe(EMBEDDED);
});

test('the menu shows where the warehouse lives and switches it; the next drawing uses the new one', async () => {
  const m = await context({ config: EMBEDDED, answers: ['Warehouse', 'postgres', db.url, 'Quit'] });
  expect((await runMenu(m.ctx)).ok).toBe(true);
  const menus = m.prompts.asked.filter((prompt) => prompt.message === 'What next?');
  expect(menus).toHaveLength(2);
  const headers = m.ui.of('print');
  expect(headers[0]).toMatch(/│ target +embedded +│/);
  expect(headers[headers.length - 1]).toMatch(/│ target +postgres +│/);
  // The embedded warehouse the first drawing opened is replaced by the server's.
  expect((await m.ctx.warehouse()).description).toMatch(/^postgres:\/\/.*\/sparkify_test_/);
  expect(await readFile(m.configPath, 'utf8')).toMatch(/^TARGET = postgres$/m);
});

/** The choices and defaults of every select asked, alongside the scripted answers. */
function captureSelects(m: Made) {
  const seen = { choices: [] as Array<Array<{ name: string }>>, defaults: [] as unknown[] };
  const select = m.prompts.select.bind(m.prompts);
  m.prompts.select = (prompt) => {
    seen.choices.push(prompt.choices.map(({ name }) => ({ name })));
    seen.defaults.push(prompt.default);
    return select(prompt);
  };
  return seen;
}
