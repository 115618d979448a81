/**
 * Never wait in silence (issue 9, point 9): a load or `tables create` blocked by another session's
 * lock says which session holds it (pid, application, since when) within seconds. In a terminal the
 * spinner shows it and the step waits on (Ctrl-C stops it at once); unattended it gives up after a
 * bounded wait with that explanation. On real PostgreSQL, with another connection (application
 * "psql") holding an ACCESS EXCLUSIVE lock on songplays, as `LOCK TABLE` in psql would.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { runGenerate } from '../../src/steps/generate.js';
import { runLoad } from '../../src/steps/load.js';
import { UNATTENDED_LOCK_WAIT_MS, unattendedLockWaitMs } from '../../src/steps/lock-wait.js';
import { runCheck } from '../../src/steps/check.js';
import { runSql } from '../../src/steps/sql.js';
import { runTablesCreate } from '../../src/steps/tables.js';
import { ensureBuilt, failureMessage, runCli, starSnapshot, tempDir, writeConfig } from '../cli/run.js';
import { makeTestContext } from '../support/context.js';
import { createTestDatabase, type TestDatabase, holdTableLock, type HeldLock } from '../support/postgres.js';

let db: TestDatabase;
let base: string;
let project: { cwd: string };

beforeAll(async () => {
  ensureBuilt();
  db = await createTestDatabase();
  base = await tempDir('lock-waits');
  project = { cwd: join(base, 'project') };
  await mkdir(project.cwd);
  await writeConfig(join(project.cwd, 'dwh.cfg'), {
    WAREHOUSE: { TARGET: 'postgres', POSTGRES_URL: db.url },
    LOCAL: { SONG_DATA: 'data/song_data', LOG_DATA: 'data/log_data' },
  });
  const generated = await runCli(['generate', '--out', 'data', '--songs', '30', '--events', '300'], project);
  expect(generated.code, generated.stderr).toBe(0);
  expect((await runCli(['tables', 'create'], project)).code).toBe(0);
  const load = await runCli(['load'], project);
  expect(load.code, load.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await db?.drop();
  await rm(base, { recursive: true, force: true });
});

/** Another session, named like psql, holding an ACCESS EXCLUSIVE lock on songplays until released. */
const holdSongplays = (): Promise<HeldLock> => holdTableLock(db.url);

/** The application_name of every session waiting for a lock, seen by a third session. */
async function waitingApplications(): Promise<string[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ application_name: string }>(
      // This test's database only: other test files run their own lock waits on the same server.
      'SELECT application_name FROM pg_stat_activity ' +
        "WHERE datname = current_database() AND wait_event_type = 'Lock' ORDER BY 1",
    );
    return rows.map((row) => row.application_name);
  } finally {
    await client.end();
  }
}

const until = async (condition: () => boolean | Promise<boolean>, ms: number): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('unattended: a bounded wait, then the explanation (built program)', () => {
  test.each([
    ['load --yes', ['load', '--yes']],
    ['load without a terminal', ['load']],
    ['tables create --yes', ['tables', 'create', '--yes']],
  ])(
    '%s gives up within the bound, naming the pid and psql; nothing changes',
    async (_name, args) => {
      const before = await starSnapshot(project);
      const holder = await holdSongplays();
      let applications: string[] = [];
      try {
        const started = Date.now();
        const running = runCli(args, { ...project, env: { SPARKIFY_LOCK_WAIT: '4' }, timeoutMs: 30_000 });
        // Meanwhile, others can see who waits: our connections say what they are.
        await until(async () => (applications = await waitingApplications()).length > 0, 10_000).catch(() => undefined);
        const result = await running;
        const took = Date.now() - started;
        expect(result.code, result.stderr).toBe(1);
        expect(took).toBeLessThan(15_000);
        const [line, hint] = failureMessage(result.stderr);
        expect(line).toMatch(
          new RegExp(
            `^✖ gave up after 4 s waiting for a lock on songplays held by pid ${holder.pid} ` +
              '\\(psql, user \\S+, since \\d\\d:\\d\\d:\\d\\d\\); nothing was changed$',
          ),
        );
        expect(hint).toBe(
          `  → end that session's transaction (or stop it: SELECT pg_terminate_backend(${holder.pid})), ` +
            'then run this again; set SPARKIFY_LOCK_WAIT=<seconds> to wait longer, ' +
            'or run it in a terminal to wait as long as it takes',
        );
        // Said while it waited, not only at the end.
        expect(result.stderr).toMatch(
          new RegExp(`⚠ Waiting for a lock on songplays held by pid ${holder.pid} \\(psql.*; giving up after 4\\.0 s`),
        );
        expect(applications).toEqual([`sparkify-dwh ${args.filter((a) => a !== '--yes').join(' ')}`]);
      } finally {
        await holder.release();
      }
      expect(await starSnapshot(project)).toEqual(before);
    },
    60_000,
  );

  test.each([
    ['check', ['check']],
    ['analytics', ['analytics', '--query', 'plays-by-hour']],
    ['sql', ['sql', 'SELECT count(*) FROM songplays']],
  ])(
    '%s, which only reads, also says who holds the lock and gives up within the bound',
    async (command, args) => {
      const holder = await holdSongplays();
      let applications: string[] = [];
      try {
        const started = Date.now();
        const running = runCli(args, { ...project, env: { SPARKIFY_LOCK_WAIT: '3' }, timeoutMs: 30_000 });
        await until(async () => (applications = await waitingApplications()).length > 0, 10_000).catch(() => undefined);
        const result = await running;
        expect(result.code, result.stderr).toBe(1);
        expect(Date.now() - started).toBeLessThan(15_000);
        expect(result.stdout).toBe('');
        expect(failureMessage(result.stderr)[0]).toMatch(
          new RegExp(`^✖ gave up after 3 s waiting for a lock on songplays held by pid ${holder.pid} \\(psql, `),
        );
        expect(result.stderr).toMatch(
          new RegExp(`⚠ Waiting for a lock on songplays held by pid ${holder.pid} \\(psql.*; giving up after 3\\.0 s`),
        );
        expect(applications).toEqual([expect.stringMatching(new RegExp(`^sparkify-dwh ${command}`))]);
      } finally {
        await holder.release();
      }
    },
    60_000,
  );

  test('the bound is 30 s unless SPARKIFY_LOCK_WAIT says otherwise, in seconds', () => {
    expect(UNATTENDED_LOCK_WAIT_MS).toBe(30_000);
    expect(unattendedLockWaitMs({})).toBe(30_000);
    expect(unattendedLockWaitMs({ SPARKIFY_LOCK_WAIT: '2.5' })).toBe(2_500);
    expect(() => unattendedLockWaitMs({ SPARKIFY_LOCK_WAIT: 'soon' })).toThrow(
      'SPARKIFY_LOCK_WAIT must be a number of seconds above 0, not "soon"',
    );
  });
});

describe('in a terminal: the spinner says who holds the lock, and the step waits on', () => {
  type Made = Awaited<ReturnType<typeof makeTestContext>>;
  let made: Made | undefined;
  afterEach(async () => {
    await made?.cleanup();
    made = undefined;
  });

  async function terminalContext(): Promise<Made> {
    made = await makeTestContext({
      config:
        `[WAREHOUSE]\nTARGET = postgres\nPOSTGRES_URL = ${db.url}\n\n` +
        '[LOCAL]\nSONG_DATA = data/song_data\nLOG_DATA = data/log_data\n',
    });
    // A person at a terminal: spinners animate, so a wait is shown in them rather than bounded.
    Object.defineProperty(made.ui, 'interactive', { value: true });
    await runGenerate(made.ctx, { out: 'data', songs: 30, events: 300, seed: 1 });
    return made;
  }

  const spinnerTexts = (m: Made): string[] => m.ui.spinners.flatMap((spinner) => spinner.texts);

  test('load: within seconds the spinner names pid, psql and what to do; released, the load finishes', async () => {
    const m = await terminalContext();
    const holder = await holdSongplays();
    let loading: Promise<unknown> | undefined;
    try {
      let settled = false;
      loading = runLoad(m.ctx).finally(() => (settled = true));
      const seen = new RegExp(
        `^Waiting (\\d+ ms |[\\d.]+ s )?for a lock on songplays held by pid ${holder.pid} ` +
          "\\(psql, user \\S+, since \\d\\d:\\d\\d:\\d\\d\\): end that session's transaction, or press Ctrl-C to stop$",
      );
      await until(() => spinnerTexts(m).some((text) => seen.test(text)), 5_000);
      // It keeps waiting (no bound in a terminal).
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(settled).toBe(false);
    } finally {
      await holder.release();
    }
    await expect(loading).resolves.toMatchObject({ ok: true });
  }, 60_000);

  test('sql: a spinner of its own names the holder; released, the query answers', async () => {
    const m = await terminalContext();
    const holder = await holdSongplays();
    let querying: Promise<unknown> | undefined;
    try {
      querying = runSql(m.ctx, { query: 'SELECT count(*) AS plays FROM songplays', format: 'csv' });
      await until(
        () =>
          spinnerTexts(m).some((text) =>
            new RegExp(`^Waiting (\\d+ ms |[\\d.]+ s )?for a lock on songplays held by pid ${holder.pid} \\(psql`).test(
              text,
            ),
          ),
        5_000,
      );
    } finally {
      await holder.release();
    }
    await expect(querying).resolves.toMatchObject({ ok: true, summary: '1 rows' });
    expect(m.ui.spinners.every((spinner) => spinner.end !== undefined)).toBe(true);
  }, 60_000);

  test('check: Ctrl-C during the wait stops it at once', async () => {
    const m = await terminalContext();
    const holder = await holdSongplays();
    try {
      const checking = runCheck(m.ctx);
      await until(
        () => spinnerTexts(m).some((text) => new RegExp(`held by pid ${holder.pid} \\(psql`).test(text)),
        5_000,
      );
      const aborted = Date.now();
      m.ctx.abort();
      await expect(checking).rejects.toBeInstanceOf(InterruptedError);
      expect(Date.now() - aborted).toBeLessThan(1_500);
    } finally {
      await holder.release();
    }
  }, 60_000);

  test('tables create: the wait shows in its spinner; Ctrl-C stops it at once and changes nothing', async () => {
    const m = await terminalContext();
    const before = await starSnapshot(project);
    const holder = await holdSongplays();
    try {
      const creating = runTablesCreate(m.ctx, { confirmDrop: false });
      await until(
        () =>
          spinnerTexts(m).some((text) =>
            new RegExp(`^Creating 7 tables on .* — waiting .*held by pid ${holder.pid} \\(psql`).test(text),
          ),
        5_000,
      );
      const aborted = Date.now();
      m.ctx.abort();
      await expect(creating).rejects.toBeInstanceOf(InterruptedError);
      expect(Date.now() - aborted).toBeLessThan(1_500);
    } finally {
      await holder.release();
    }
    expect(await starSnapshot(project)).toEqual(before);
  }, 60_000);
});
