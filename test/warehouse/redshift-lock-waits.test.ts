/**
 * Never wait in silence on a Redshift cluster reached over the PostgreSQL wire (docs/safety.md):
 * Redshift has no pg_blocking_pids and no lock_timeout, so the channel reads SVV_TRANSACTIONS
 * (https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_TRANSACTIONS.html) over a second
 * connection and bounds a wait by cancelling its own statement. No cluster in tests: the channel
 * as shipped (TLS left out) is pointed at the test PostgreSQL server, where SVV_TRANSACTIONS and
 * GETDATE() are made from pg_locks, pg_stat_activity and clock_timestamp() with the columns AWS
 * documents; another connection ("psql") holds an ACCESS EXCLUSIVE lock, as LOCK TABLE would.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lockWatch } from '../../src/steps/lock-wait.js';
import { statusSnapshot } from '../../src/steps/state.js';
import { describeLockWait, LockWaitTimeoutError, watchLockWaits } from '../../src/warehouse/lock-watch.js';
import { openRedshift, type RedshiftConnection } from '../../src/warehouse/redshift.js';
import { toRedshiftLockWait } from '../../src/warehouse/redshift-lock-waits.js';
import type { LockWaitState, Warehouse } from '../../src/warehouse/types.js';
import { makeTestContext } from '../support/context.js';
import { createTestDatabase, type TestDatabase, holdTableLock, type HeldLock } from '../support/postgres.js';

describe('SVV_TRANSACTIONS rows as a lock wait', () => {
  test('one holder per pid, how long it has held the lock by the server clock, the table by name', () => {
    const row = {
      relation_id: 108212,
      relation: 'songplays',
      own_user: 'dwhuser',
      pid: 1073900,
      user_name: 'analyst ',
      held_since: '2026-11-30 10:32:05.123456',
      server_now: '2026-11-30 10:40:00',
    };
    expect(toRedshiftLockWait([row, row, { ...row, pid: 1073950, user_name: 'etl' }])).toEqual({
      holders: [
        { pid: 1073900, application: undefined, user: 'analyst', heldForMs: 474_877 },
        { pid: 1073950, application: undefined, user: 'etl', heldForMs: 474_877 },
      ],
      relation: 'songplays',
      waitedMs: undefined,
      hiddenHolder: undefined,
    });
    expect(toRedshiftLockWait([])).toBeUndefined();
  });

  test('a holder the user may not see: it waits, and a superuser is told how to find the holder', () => {
    const wait = toRedshiftLockWait([
      { relation_id: 108212, relation: 'songplays', own_user: 'IAMR:wizard', pid: null, server_now: '2026-11-30' },
    ]);
    expect(wait).toEqual({
      holders: [],
      relation: 'songplays',
      waitedMs: undefined,
      hiddenHolder: {
        user: 'IAMR:wizard',
        findWith: 'SELECT pid, txn_owner, txn_start FROM svv_transactions WHERE relation = 108212 AND granted',
      },
    });
    expect(describeLockWait(wait!)).toBe(
      'a lock on songplays held by another session ' +
        '(the cluster shows who only to a superuser, not to user IAMR:wizard)',
    );
  });
});

let db: TestDatabase;
let admin: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase();
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  // Redshift's view and function, with the columns and types AWS documents, made from PostgreSQL's own.
  await admin.query(`CREATE VIEW svv_transactions AS
    SELECT CAST(a.usename AS TEXT) AS txn_owner, CAST(a.datname AS TEXT) AS txn_db,
      CAST(CAST(a.backend_xid AS TEXT) AS BIGINT) AS xid, l.pid, CAST(a.xact_start AS TIMESTAMP) AS txn_start,
      l.mode AS lock_mode, l.locktype AS lockable_object_type, CAST(CAST(l.relation AS OID) AS INTEGER) AS relation,
      l.granted
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype IN ('relation', 'transactionid')`);
  await admin.query(
    'CREATE FUNCTION getdate() RETURNS TIMESTAMP LANGUAGE sql AS $$ SELECT CAST(clock_timestamp() AS TIMESTAMP) $$',
  );
  await admin.query('CREATE TABLE songplays (songplay_id INTEGER)');
  await admin.query('INSERT INTO songplays VALUES (1), (2)');
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await db?.drop();
});

async function connection(): Promise<RedshiftConnection> {
  const url = new URL(db.url);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    database: decodeURIComponent(url.pathname.slice(1)),
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
  };
}

/** The channel exactly as shipped, except that the test server speaks no TLS. */
const open = async (): Promise<Warehouse> =>
  openRedshift(await connection(), {
    clientFactory: (config) => new pg.Client({ ...config, ssl: false }),
    applicationName: 'sparkify-dwh load',
  });

/** Another session, named like psql, holding an ACCESS EXCLUSIVE lock on songplays until released. */
const holdSongplays = (): Promise<HeldLock> => holdTableLock(db.url);

/** Our sessions still waiting for a lock, seen by a third session. */
async function ourWaitingSessions(): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    // This test's database only: other test files run their own lock waits on the same server.
    'SELECT count(*) AS n FROM pg_stat_activity ' +
      "WHERE datname = current_database() AND application_name LIKE 'sparkify-dwh%' AND wait_event_type = 'Lock'",
  );
  return Number(rows[0]!.n);
}

describe('redshift channel over the PostgreSQL wire', () => {
  const names = 'within seconds it names the session holding the lock (pid, user, since); released, the query answers';
  test(
    names,
    async () => {
      const warehouse = await open();
      const holder = await holdSongplays();
      const seen: LockWaitState[] = [];
      try {
        const controller = new AbortController();
        const counting = watchLockWaits(
          warehouse,
          {
            signal: controller.signal,
            giveUpAfterMs: undefined,
            onWaiting: (wait) => seen.push(wait),
            onWaitOver: () => undefined,
            firstCheckMs: 200,
            checkEveryMs: 200,
          },
          () => warehouse.readOnlyQuery<{ n: string }>('SELECT count(*) AS n FROM songplays'),
        );
        const deadline = Date.now() + 5_000;
        while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(seen[0]).toMatchObject({
          relation: 'songplays',
          holders: [{ pid: holder.pid, application: undefined, user: (await connection()).user }],
        });
        expect(seen[0]!.holders[0]!.heldForMs).toBeGreaterThanOrEqual(0);
        expect(describeLockWait(seen[0]!)).toMatch(
          new RegExp(`^a lock on songplays held by pid ${holder.pid} \\(user \\S+, since \\d\\d:\\d\\d:\\d\\d\\)$`),
        );
        await holder.release();
        await expect(counting).resolves.toMatchObject({ rows: [{ n: 2 }] });
      } finally {
        await holder.release().catch(() => undefined);
        await warehouse.close();
      }
    },
    30_000,
  );

  /** What each step runs: load and tables create a transaction, check and analytics a read, sql a stream. */
  const works: Array<[string, (warehouse: Warehouse) => Promise<unknown>]> = [
    ['a transaction (load, tables create)', (w) => w.transaction(async (tx) => tx.query('DELETE FROM songplays'))],
    ['a read-only query (check, analytics)', (w) => w.readOnlyQuery('SELECT count(*) FROM songplays')],
    [
      'a streamed read (sql)',
      async (w) => {
        const stream = await w.capabilities.streamResults!.streamReadOnly('SELECT * FROM songplays');
        for await (const page of stream.pages) void page;
      },
    ],
  ];
  test.each(works)(
    'unattended, %s waiting for the lock gives up within the bound, cancelled; nothing changes',
    async (_what, work) => {
      const warehouse = await open();
      const t = await makeTestContext({
        config: '[WAREHOUSE]\nTARGET = redshift\n',
        warehouse,
        yes: true,
        env: { SPARKIFY_LOCK_WAIT: '2' },
      });
      const holder = await holdSongplays();
      try {
        const started = Date.now();
        const failure = await lockWatch(t.ctx, warehouse)
          .run(() => work(warehouse))
          .catch((error: unknown) => error);
        const took = Date.now() - started;
        expect(failure).toBeInstanceOf(LockWaitTimeoutError);
        expect((failure as Error).message).toMatch(
          new RegExp(
            `^gave up after 2 s waiting for a lock on songplays held by pid ${holder.pid} ` +
              '\\(user \\S+, since \\d\\d:\\d\\d:\\d\\d\\); nothing was changed$',
          ),
        );
        expect((failure as LockWaitTimeoutError).hint).toMatch(
          new RegExp(
            `^end that session's transaction \\(or stop it: SELECT pg_terminate_backend\\(${holder.pid}\\)\\)`,
          ),
        );
        expect(took).toBeGreaterThanOrEqual(2_000);
        expect(took).toBeLessThan(10_000);
        expect(t.ui.text()).toMatch(
          new RegExp(`⚠ Waiting for a lock on songplays held by pid ${holder.pid} \\(user .*; giving up after 2\\.0 s`),
        );
        // Our statement no longer waits on the server.
        expect(await ourWaitingSessions()).toBe(0);
      } finally {
        await holder.release();
        await t.cleanup();
      }
      const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM songplays');
      expect(Number(rows[0]!.n)).toBe(2);
    },
    30_000,
  );

  test("the menu's statuses: a count that meets the lock is given up at once, naming the holder", async () => {
    const warehouse = await open();
    const t = await makeTestContext({ config: '[WAREHOUSE]\nTARGET = redshift\n', warehouse });
    const holder = await holdSongplays();
    try {
      const started = Date.now();
      const read = statusSnapshot(t.ctx, { lockedNotWaited: true }).warehouse();
      await expect(read).rejects.toThrow(`locked by another session (pid ${holder.pid}, ${(await connection()).user})`);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await ourWaitingSessions()).toBe(0);
      await holder.release();
      // The session is as it was: the next step's statement runs.
      await expect(warehouse.query('SELECT count(*) AS n FROM songplays')).resolves.toMatchObject({ rows: [{ n: 2 }] });
    } finally {
      await holder.release().catch(() => undefined);
      await t.cleanup();
    }
  }, 30_000);
});
