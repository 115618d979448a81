/**
 * Never wait in silence through the Redshift Data API (docs/safety.md): while a step's statement
 * waits for another session's lock, a statement of its own asks SVV_TRANSACTIONS about the running
 * statement's session (DescribeStatement's RedshiftPid). Unattended, the wait is bounded by exactly
 * one CancelStatement, Redshift having no lock_timeout. A superuser (the DbUser of a provisioned
 * cluster is its admin user) sees the holder; an ordinary user (a Serverless IAM identity) sees
 * only that it waits, and is told how a superuser finds and ends the holder.
 */
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  type Field,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, test } from 'vitest';
import { lockWatch } from '../../src/steps/lock-wait.js';
import { LockWaitTimeoutError } from '../../src/warehouse/lock-watch.js';
import { DataApiWarehouse, type DataApiTarget } from '../../src/warehouse/data-api.js';
import { makeTestContext } from '../support/context.js';

const client = new RedshiftDataClient({
  region: 'us-west-2',
  credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' },
});
const mock = mockClient(client);
afterEach(() => mock.reset());

const LOAD_ID = 'a1b2c3d4-0000-0000-0000-00000000000b';
const LOOK_ID = 'a1b2c3d4-0000-0000-0000-0000000000l0';
const OUR_PID = 1073815;
const HOLDER_PID = 1073900;
const SONGPLAYS_ID = 108212;
const CLUSTER: DataApiTarget = { clusterIdentifier: 'dwhcluster', database: 'dwh', dbUser: 'dwhuser' };
const SERVERLESS: DataApiTarget = { workgroupName: 'dwh', database: 'dev' };

const COLUMNS = ['relation_id', 'relation', 'own_user', 'pid', 'user_name', 'held_since', 'server_now'];
type Row = [number, string, string, number | null, string | null, string | null, string];

const field = (value: string | number | null): Field =>
  value === null ? { isNull: true } : typeof value === 'number' ? { longValue: value } : { stringValue: value };

/**
 * A load whose batch waits for a lock until `release()` (or until cancelled), and looks that
 * answer `rows` (what SVV_TRANSACTIONS shows the caller) while it waits, none after.
 */
function mockBlockedLoad(rows: Row[]) {
  let state: 'waiting' | 'released' | 'cancelled' = 'waiting';
  const looks: Array<{ sql: string; pid: string | undefined }> = [];
  mock.on(BatchExecuteStatementCommand).resolves({ Id: LOAD_ID });
  // Promises, as the real client's send returns (callers race them against Ctrl-C with .then).
  mock.on(DescribeStatementCommand, { Id: LOAD_ID }).callsFake(async () => {
    const status = state === 'waiting' ? 'STARTED' : state === 'released' ? 'FINISHED' : 'ABORTED';
    return {
      Id: LOAD_ID,
      Status: status,
      RedshiftPid: OUR_PID,
      SubStatements: [{ Id: `${LOAD_ID}:1`, Status: status, HasResultSet: false, ResultRows: 0 }],
    };
  });
  mock.on(CancelStatementCommand).callsFake(async () => {
    state = 'cancelled';
    return { Status: true };
  });
  let answered: Row[] = [];
  mock.on(ExecuteStatementCommand).callsFake(async (input: { Sql?: string; Parameters?: { value?: string }[] }) => {
    looks.push({ sql: input.Sql ?? '', pid: input.Parameters?.[0]?.value });
    answered = state === 'waiting' ? rows : [];
    return { Id: LOOK_ID };
  });
  mock.on(DescribeStatementCommand, { Id: LOOK_ID }).callsFake(async () => ({
    Id: LOOK_ID,
    Status: 'FINISHED',
    HasResultSet: true,
    ResultRows: answered.length,
  }));
  mock.on(GetStatementResultCommand).callsFake(async () => ({
    ColumnMetadata: COLUMNS.map((name) => ({ name, label: name, typeName: 'varchar' })),
    Records: answered.map((row) => row.map(field)),
    TotalNumRows: answered.length,
  }));
  return {
    looks,
    release: () => (state = 'released'),
    cancels: () => mock.commandCalls(CancelStatementCommand).map((call) => call.args[0].input.Id),
  };
}

async function context(target: DataApiTarget, options: { attended: boolean }) {
  const warehouse = new DataApiWarehouse({ client, target, poll: { initialMillis: 5, maxMillis: 20 } });
  const made = await makeTestContext({
    config: '[WAREHOUSE]\nTARGET = redshift\n',
    warehouse,
    env: { SPARKIFY_LOCK_WAIT: '2' },
    ...(options.attended ? {} : { yes: true }),
  });
  if (options.attended) Object.defineProperty(made.ui, 'interactive', { value: true });
  return { ...made, warehouse };
}

const TRUNCATE = 'TRUNCATE songplays';

describe('lock waits through the Data API', () => {
  const unattended =
    'unattended on a cluster: names the holder from SVV_TRANSACTIONS, then gives up with one CancelStatement';
  test(
    unattended,
    async () => {
      const holderLock: Row = [
        SONGPLAYS_ID,
        'songplays',
        'dwhuser',
        HOLDER_PID,
        'analyst',
        '2026-11-30 10:32:05.123456',
        '2026-11-30 10:40:00',
      ];
      // The holder holds two locks on the table: named once.
      const load = mockBlockedLoad([holderLock, holderLock]);
      const t = await context(CLUSTER, { attended: false });
      try {
        const started = Date.now();
        const failure = await lockWatch(t.ctx, t.warehouse)
          .run(() => t.warehouse.batch([TRUNCATE]))
          .catch((error: unknown) => error);
        const took = Date.now() - started;
        expect(failure).toBeInstanceOf(LockWaitTimeoutError);
        const { message, hint } = failure as LockWaitTimeoutError;
        expect(message).toMatch(
          new RegExp(
            `^gave up after 2 s waiting for a lock on songplays held by pid ${HOLDER_PID} ` +
              '\\(user analyst, since \\d\\d:\\d\\d:\\d\\d\\); nothing was changed$',
          ),
        );
        expect(hint).toBe(
          `end that session's transaction (or stop it: SELECT pg_terminate_backend(${HOLDER_PID})), then run this ` +
            'again; set SPARKIFY_LOCK_WAIT=<seconds> to wait longer, ' +
            'or run it in a terminal to wait as long as it takes',
        );
        // Within the bound and a look or two, not after the statement's own end.
        expect(took).toBeGreaterThanOrEqual(2_000);
        expect(took).toBeLessThan(6_000);
        expect(load.cancels()).toEqual([LOAD_ID]);
        // Said while it waited: one warning line, without a terminal.
        expect(t.ui.text()).toMatch(
          new RegExp(
            `⚠ Waiting for a lock on songplays held by pid ${HOLDER_PID} \\(user analyst, .*giving up after 2\\.0 s`,
          ),
        );
        // Each look asked about the load's own session.
        expect(load.looks.length).toBeGreaterThan(0);
        for (const look of load.looks) {
          expect(look.sql).toMatch(/FROM svv_transactions waiting/);
          expect(look.pid).toBe(String(OUR_PID));
        }
      } finally {
        await t.cleanup();
      }
    },
    20_000,
  );

  test('Serverless, holder not visible: says it waits, how a superuser finds the holder, and gives up', async () => {
    const load = mockBlockedLoad([[SONGPLAYS_ID, 'songplays', 'IAMR:wizard', null, null, null, '2026-11-30 10:40:00']]);
    const t = await context(SERVERLESS, { attended: false });
    try {
      const failure = await lockWatch(t.ctx, t.warehouse)
        .run(() => t.warehouse.batch([TRUNCATE]))
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(LockWaitTimeoutError);
      const { message, hint } = failure as LockWaitTimeoutError;
      expect(message).toBe(
        'gave up after 2 s waiting for a lock on songplays held by another session ' +
          '(the cluster shows who only to a superuser, not to user IAMR:wizard); nothing was changed',
      );
      expect(hint).toBe(
        'a superuser can find that session (SELECT pid, txn_owner, txn_start FROM svv_transactions ' +
          `WHERE relation = ${SONGPLAYS_ID} AND granted) and end it (SELECT pg_terminate_backend(<pid>)), ` +
          'then run this again; set SPARKIFY_LOCK_WAIT=<seconds> to wait longer, ' +
          'or run it in a terminal to wait as long as it takes',
      );
      expect(load.cancels()).toEqual([LOAD_ID]);
      expect(t.ui.text()).toMatch(/⚠ Waiting for a lock on songplays held by another session \(the cluster shows/);
    } finally {
      await t.cleanup();
    }
  }, 20_000);

  test('in a terminal: the spinner names the holder and the step waits on; released, it finishes', async () => {
    const load = mockBlockedLoad([
      [SONGPLAYS_ID, 'songplays', 'dwhuser', HOLDER_PID, 'analyst', '2026-11-30 10:32:05', '2026-11-30 10:32:09'],
    ]);
    const t = await context(CLUSTER, { attended: true });
    try {
      const running = lockWatch(t.ctx, t.warehouse).run(() => t.warehouse.batch([TRUNCATE]));
      const shown = (): boolean =>
        t.ui.spinners.some((spinner) =>
          spinner.texts.some((text) =>
            new RegExp(
              `^Waiting for a lock on songplays held by pid ${HOLDER_PID} ` +
                '\\(user analyst, since \\d\\d:\\d\\d:\\d\\d\\): ' +
                "end that session's transaction, or press Ctrl-C to stop$",
            ).test(text),
          ),
        );
      const deadline = Date.now() + 5_000;
      while (!shown()) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // No bound in a terminal: past it, still waiting, nothing cancelled.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(load.cancels()).toEqual([]);
      load.release();
      await expect(running).resolves.toHaveLength(1);
      expect(load.cancels()).toEqual([]);
    } finally {
      await t.cleanup();
    }
  }, 20_000);
});
