/**
 * Ctrl-C through the Redshift Data API, as the program opens it (openWarehouse with the `aws`
 * option, DWH_ACCESS = private): one interrupt during a long statement of `sql`, `check`,
 * `analytics`, `load` or `tables create` sends CancelStatement for that statement and the command
 * stops within about a second, exiting 130; in the menu the next action works as usual. The Data
 * API is test/support/data-api-double.ts, whose held statements stay STARTED until cancelled.
 * An unattended load whose batch waits for another session's lock gives up the same way, with one
 * CancelStatement, once SPARKIFY_LOCK_WAIT has passed (docs/safety.md, Never wait in silence).
 */
import { DescribeClustersCommand } from '@aws-sdk/client-redshift';
import { BatchExecuteStatementCommand, CancelStatementCommand } from '@aws-sdk/client-redshift-data';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runCommand } from '../../src/app.js';
import { COMMANDS } from '../../src/commands.js';
import type { AppContext, StepResult } from '../../src/context.js';
import { ANALYTICS_QUERIES } from '../../src/sql/analytics.js';
import { DATA_CHECKS } from '../../src/sql/checks.js';
import { runMenu } from '../../src/steps/menu.js';
import { cluster, ENDPOINT, fakeClock, mockAws, privateConfigText, ROLE_ARN } from '../aws/fakes.js';
import { makeTestContext } from '../support/context.js';
import type { DataApiDouble } from '../support/data-api-double.js';
import { asPostgres, useDataApiDouble } from '../support/redshift-journey.js';
import { openRedshiftDataApi } from '../../src/warehouse/data-api.js';
import { InterruptedError } from '../../src/errors.js';

/** A private cluster (DWH_ACCESS unset, no password): every statement goes through the Data API. */
const CONFIG = privateConfigText({ 'CLUSTER.HOST': ENDPOINT, 'IAM_ROLE.ARN': ROLE_ARN });

const dataApi = useDataApiDouble({ pollsBeforeStart: 0 });
let double: DataApiDouble;
let aws: ReturnType<typeof mockAws>;

beforeAll(async () => {
  double = dataApi.current;
  aws = mockAws();
  // Tables made and loaded once, as the user would (polled fast, to save time): the interrupted
  // commands must leave them so.
  const warehouse = await openRedshiftDataApi({
    client: double.client,
    target: { clusterIdentifier: 'dwhcluster', database: 'dwh', dbUser: 'dwhuser' },
    poll: { initialMillis: 1, maxMillis: 1 },
  });
  const t = await makeTestContext({
    config: CONFIG,
    yes: true,
    warehouse,
    aws: { ...aws.clients, redshiftData: double.client },
    clock: fakeClock(),
  });
  try {
    expect(await command(t.ctx, 'tables create')).toBe(0);

    expect(await command(t.ctx, 'load'), t.ui.text()).toBe(0);
    expect(await countOf('songplays')).toBe(1);
  } finally {
    await t.cleanup();
  }
  aws.restore();
});

beforeEach(() => {
  aws = mockAws();
  aws.redshift
    .on(DescribeClustersCommand)
    .resolves({ Clusters: [cluster('available', { PubliclyAccessible: false })] });
});
afterEach(() => aws.restore());

function context(answers?: unknown[]) {
  return makeTestContext({
    config: CONFIG,
    ...(answers === undefined ? { yes: true } : { answers }),
    aws: { ...aws.clients, redshiftData: double.client },
    clock: fakeClock(),
  });
}

/** The command as the command line runs it (Ctrl-C handling, exit status), by its table entry. */
async function command(ctx: AppContext, name: string, input: object = {}): Promise<number> {
  const spec = COMMANDS.find((candidate) => candidate.name === name);
  if (!spec) throw new Error(`no command ${name}`);
  const step = await spec.load();
  return runCommand(ctx, name, (c): Promise<StepResult> => step(c, input as never), {
    config: spec.config,
    lock: spec.lock,
  });
}

/** The statement (or batch) holding a sub-statement that matches `pattern`, once the double has it STARTED. */
async function startedStatement(pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const calls = double.mock.send.getCalls();
    for (const call of calls) {
      const input = (call.args[0] as { input: { Sql?: string; Sqls?: string[] } }).input;
      const sqls = input.Sqls ?? (input.Sql === undefined ? [] : [input.Sql]);
      if (!sqls.some((sql) => pattern.test(sql))) continue;
      const answer = (await (call.returnValue as Promise<{ Id?: string }>).catch(() => undefined)) ?? {};
      if (answer.Id === undefined) continue;
      const index = sqls.findIndex((sql) => pattern.test(sql));
      const subId = input.Sqls === undefined ? answer.Id : `${answer.Id}:${index + 1}`;
      if (double.status(subId) === 'STARTED') return answer.Id;
    }
    if (Date.now() > deadline) throw new Error(`no statement matching ${pattern} started`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Ctrl-C once `pattern`'s statement runs; resolves with its Id and the time of the interrupt. */
async function interruptDuring(ctx: AppContext, pattern: RegExp): Promise<{ id: string; at: number }> {
  const id = await startedStatement(pattern);
  ctx.abort();
  return { id, at: Date.now() };
}

function cancelledIds(): string[] {
  return double.mock.commandCalls(CancelStatementCommand).map((call) => call.args[0].input.Id ?? '');
}

async function countOf(table: string): Promise<number> {
  return Number((await double.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
}

/** Every command below interrupts one long statement and checks the same three things. */
async function expectInterrupted(name: string, input: object, hold: RegExp): Promise<string> {
  double.mock.resetHistory();
  const release = double.hold(hold);
  const t = await context();
  try {
    const running = command(t.ctx, name, input);
    const { id, at } = await interruptDuring(t.ctx, hold);
    expect(await running).toBe(130);
    expect(Date.now() - at).toBeLessThan(1000);
    // One CancelStatement, for the statement that was running.
    expect(cancelledIds()).toEqual([id]);
    await expect.poll(() => double.status(id), { timeout: 1000 }).toBe('ABORTED');
    return id;
  } finally {
    release();
    await t.cleanup();
  }
}

describe('one Ctrl-C through the Data API cancels the running statement and exits 130', () => {
  test('sql "SELECT pg_sleep(60)"', async () => {
    await expectInterrupted('sql', { query: 'SELECT pg_sleep(60)', format: 'csv' }, /pg_sleep/);
  });

  test('check: the check running is cancelled', async () => {
    const first = DATA_CHECKS[0]!.sql;
    await expectInterrupted('check', {}, new RegExp(`^${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  test('analytics: the query running is cancelled', async () => {
    const first = ANALYTICS_QUERIES[0]!.sql;
    await expectInterrupted(
      'analytics',
      { format: 'csv' },
      new RegExp(`^${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
    );
  });

  test('load: its BatchExecuteStatement is cancelled and rolls back, so the load changes nothing', async () => {
    const before = {
      songplays: await countOf('songplays'),
      staging: await countOf('staging_events'),
      history: await countOf('sparkify_load_history'),
    };
    const id = await expectInterrupted('load', {}, /^COPY staging_events/);
    const batch = double.mock
      .commandCalls(BatchExecuteStatementCommand)
      .find((call) => call.args[0].input.Sqls?.some((sql) => sql.startsWith('COPY staging_events')));
    expect(batch).toBeDefined();
    expect((await batch!.returnValue).Id).toBe(id);
    expect({
      songplays: await countOf('songplays'),
      staging: await countOf('staging_events'),
      history: await countOf('sparkify_load_history'),
    }).toEqual(before);
  });

  test('tables create: the drop-and-create batch is cancelled; the loaded tables are as they were', async () => {
    const songplays = await countOf('songplays');
    // Held at the second DROP: songplays is already dropped inside the batch's transaction.
    await expectInterrupted('tables create', {}, /^DROP TABLE IF EXISTS \W?users\b/);
    expect(await countOf('songplays')).toBe(songplays);
  });
});

describe('in the menu', () => {
  test('Ctrl-C during a Data API query says it stopped, cancels it, and the next action works', async () => {
    double.mock.resetHistory();
    const release = double.hold(/pg_sleep/);
    const t = await context(['Run SQL', 'SELECT pg_sleep(60)', 'Run SQL', 'SELECT 42 AS answer', '', 'Quit']);
    try {
      const menu = runMenu(t.ctx);
      const { id, at } = await interruptDuring(t.ctx, /pg_sleep/);
      await expect.poll(() => t.ui.text(), { timeout: 1000 }).toMatch(/Stopped; back to the menu/);
      expect(Date.now() - at).toBeLessThan(1000);
      expect(cancelledIds()).toEqual([id]);
      expect((await menu).ok).toBe(true);
      // The same warehouse answered the next query: the interrupt did not stay behind.
      expect(t.ui.text()).toMatch(/42/);
      expect(t.prompts.remaining()).toBe(0);
    } finally {
      release();
      await t.cleanup();
    }
  });
});

describe("another session's lock, unattended", () => {
  const givesUp =
    'load --yes names the holder from SVV_TRANSACTIONS, gives up with one CancelStatement; nothing changes';
  test(
    givesUp,
    async () => {
      const before = { songplays: await countOf('songplays'), staging: await countOf('staging_events') };
      // Redshift's view and GETDATE(), in the double's database; a look at the view runs beside the load.
      await double.db.exec(`CREATE TABLE IF NOT EXISTS svv_transactions (
      txn_owner TEXT, txn_db TEXT, xid BIGINT, pid INTEGER, txn_start TIMESTAMP, lock_mode TEXT,
      lockable_object_type TEXT, relation INTEGER, granted BOOLEAN);
      CREATE OR REPLACE FUNCTION getdate() RETURNS TIMESTAMP LANGUAGE sql AS 'SELECT LOCALTIMESTAMP';`);
      const table = await double.db.query<{ id: number }>(
        "SELECT CAST(CAST('staging_events' AS regclass) AS oid) AS id",
      );
      const relation = Number(table.rows[0]!.id);
      double.configure({
        pageSize: 50,
        rewrite: asPostgres,
        pollsBeforeStart: 0,
        reportPid: true,
        alongside: /svv_transactions/,
      });
      double.mock.resetHistory();
      // The load's COPY into staging_events waits, as for another session's ACCESS EXCLUSIVE lock.
      const release = double.hold(/^COPY staging_events/);
      const t = await makeTestContext({
        config: CONFIG,
        yes: true,
        env: { SPARKIFY_LOCK_WAIT: '2' },
        aws: { ...aws.clients, redshiftData: double.client },
        clock: fakeClock(),
      });
      try {
        const started = Date.now();
        const running = command(t.ctx, 'load');
        const id = await startedStatement(/^COPY staging_events/);
        // What SVV_TRANSACTIONS shows the cluster's admin user: our lock not granted, analyst's granted.
        await double.db.query(
          `INSERT INTO svv_transactions VALUES
          ('dwhuser', 'dwh', 2, $1, LOCALTIMESTAMP, 'ShareRowExclusiveLock', 'relation', $2, false),
          ('analyst', 'dwh', 1, 1073900, LOCALTIMESTAMP - INTERVAL '5 minutes', 'AccessExclusiveLock',
            'relation', $2, true)`,
          [double.pid(id), relation],
        );
        expect(await running).toBe(1);
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(t.ui.text()).toMatch(
          /⚠ Waiting for a lock on staging_events held by pid 1073900 \(user analyst, since \d\d:\d\d:\d\d\); giving up after 2\.0 s/,
        );
        expect(t.ui.text()).toMatch(
          /✖ gave up after 2 s waiting for a lock on staging_events held by pid 1073900 \(user analyst, since [\d:]+\); nothing was changed/,
        );
        // One CancelStatement, for the load's batch, which rolled back.
        expect(cancelledIds()).toEqual([id]);
        await expect.poll(() => double.status(id), { timeout: 1000 }).toBe('ABORTED');
        expect({ songplays: await countOf('songplays'), staging: await countOf('staging_events') }).toEqual(before);
      } finally {
        release();
        double.configure({ pageSize: 50, rewrite: asPostgres, pollsBeforeStart: 0 });
        await double.db.query('DELETE FROM svv_transactions');
        await t.cleanup();
      }
    },
    30_000,
  );
});

describe('a Ctrl-C heard before the batch is sent', () => {
  async function channel() {
    return openRedshiftDataApi({
      client: double.client,
      target: { clusterIdentifier: 'dwhcluster', database: 'dwh', dbUser: 'dwhuser' },
      poll: { initialMillis: 1, maxMillis: 1 },
      probe: false,
    });
  }

  test('a transaction whose work resolves after the signal fired sends no BatchExecuteStatement', async () => {
    const warehouse = await channel();
    const songplays = await countOf('songplays');
    double.mock.resetHistory();
    const controller = new AbortController();
    const committing = warehouse.transaction(
      async (tx) => {
        await tx.query('DELETE FROM songplays');
        // The cancel request missed: work goes on and resolves after the Ctrl-C.
        controller.abort();
        return 'done';
      },
      { signal: controller.signal },
    );
    await expect(committing).rejects.toBeInstanceOf(InterruptedError);
    expect(double.mock.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
    expect(await countOf('songplays')).toBe(songplays);
  });

  test('a batch whose signal has already fired is not sent', async () => {
    const warehouse = await channel();
    double.mock.resetHistory();
    const controller = new AbortController();
    controller.abort();
    await expect(warehouse.batch(['DELETE FROM songplays'], { signal: controller.signal })).rejects.toBeInstanceOf(
      InterruptedError,
    );
    expect(double.mock.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
  });
});
