/**
 * The `sql` command's statement check (docs/safety.md): PostgreSQL's own parser decides whether a
 * statement is exactly one query that cannot act outside its READ ONLY transaction; on Redshift a
 * narrower rule on the text. Each refusal must name why, on one line.
 */
import { describe, expect, test } from 'vitest';
import { UsageError, UserError } from '../../src/errors.js';
import { ANALYTICS_QUERIES } from '../../src/sql/analytics.js';
import { DATA_CHECKS, matchRateSql } from '../../src/sql/checks.js';
import { assertReadOnlyQuery, OUTSIDE_THE_TRANSACTION } from '../../src/sql/read-only.js';

async function refusal(sql: string, dialect: 'postgres' | 'redshift' = 'postgres'): Promise<UserError> {
  try {
    await assertReadOnlyQuery(sql, dialect);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(sql)} to be refused on ${dialect}`);
}

const ALLOWED_ON_POSTGRES = [
  'SELECT 1',
  'select count(*) from songplays',
  'SELECT 1;',
  '  -- a comment first\n  SELECT 1 /* and one inside */ ; -- and after\n',
  '/* nested /* comments */ still one */ SELECT 2',
  'WITH t AS (SELECT 1 AS a) SELECT a FROM t',
  'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT sum(i) FROM n',
  'VALUES (1, 2), (3, 4)',
  'TABLE songplays',
  'SHOW server_version',
  'SHOW ALL',
  'EXPLAIN SELECT * FROM songplays',
  'EXPLAIN (COSTS false, VERBOSE) SELECT 1',
  'EXPLAIN (ANALYZE false) SELECT 1',
  'SELECT 1 UNION SELECT 2 EXCEPT SELECT 3',
  '(SELECT 1) UNION (SELECT 2) ORDER BY 1',
  'SELECT * FROM (SELECT * FROM (SELECT 1 AS x) a) b WHERE x IN (SELECT 1)',
  'SELECT pg_sleep(0.1)',
  "SELECT current_setting('server_version')",
  "SELECT pg_relation_filepath('songplays')",
  "SELECT 'COPY (SELECT 1) TO PROGRAM ''id''; DELETE FROM users; pg_terminate_backend(1)' AS text_only",
  'SELECT "pg_terminate_backend" FROM (SELECT 1 AS "pg_terminate_backend") AS t',
  'SELECT "Weird ""quoted"" column" FROM (SELECT 1 AS "Weird ""quoted"" column") AS t',
  'SELECT $$dollar; quoted$$',
  'SELECT lower(level), upper(title), lo FROM (SELECT 1 AS lo) x, (SELECT $$a$$ AS level, $$b$$ AS title) y',
  'SELECT count(*) FILTER (WHERE level = $$paid$$) OVER () FROM users',
  'SELECT currval FROM (SELECT 1 AS currval) AS s',
  "SELECT set_config_value FROM (SELECT 'x' AS set_config_value) AS s",
];

const REFUSED_ON_POSTGRES: Array<[string, RegExp]> = [
  // The reproductions of issue 9.
  ["COPY (SELECT 'garbage') TO '/pglite/data/PG_VERSION'", /read-only: COPY .*files.*database server/],
  ["COPY (SELECT 1) TO PROGRAM 'id > some-file'", /read-only: COPY .*programs/],
  ["copy songs to '/tmp/songs.csv'", /read-only: COPY/],
  ["COPY songs FROM '/etc/passwd'", /read-only: COPY/],
  ['COPY songs TO STDOUT', /read-only: COPY/],
  ['SELECT pg_terminate_backend(12345)', /pg_terminate_backend\(\) .*outside the transaction.*signals/],
  ['SELECT pg_reload_conf()', /pg_reload_conf\(\) .*configuration/],
  ['SELECT pg_stat_reset()', /pg_stat_reset\(\) .*statistics/],
  // Utilities, one statement each.
  ['DO $$ BEGIN PERFORM 1; END $$', /read-only: DO runs procedural code/],
  ['CALL some_procedure()', /read-only: CALL runs a procedure/],
  ['SET work_mem = 1', /read-only: SET changes a setting/],
  ['SET LOCAL statement_timeout = 0', /read-only: SET changes a setting/],
  ['RESET ALL', /read-only: RESET changes a setting/],
  ["ALTER SYSTEM SET log_statement = 'all'", /read-only: ALTER SYSTEM is not a query/],
  ['CREATE TABLE evil (x int)', /read-only: CREATE TABLE is not a query/],
  ['CREATE TABLE evil AS SELECT 1', /read-only: CREATE TABLE is not a query/],
  ['DROP TABLE songplays', /read-only: DROP TABLE is not a query/],
  ['TRUNCATE songplays', /read-only: TRUNCATE is not a query/],
  ['VACUUM', /read-only: VACUUM is not a query/],
  ['CHECKPOINT', /read-only: CHECKPOINT is not a query/],
  ['LISTEN x', /read-only: LISTEN is not a query/],
  ["NOTIFY x, 'y'", /read-only: NOTIFY is not a query/],
  ['PREPARE p AS SELECT 1', /read-only: PREPARE is not a query/],
  ["LOAD 'plpgsql'", /read-only: LOAD is not a query/],
  ['BEGIN', /read-only: BEGIN controls the transaction/],
  ['COMMIT', /read-only: COMMIT controls the transaction/],
  ['DECLARE c CURSOR FOR SELECT 1', /read-only: DECLARE is not a query/],
  ['GRANT SELECT ON songs TO PUBLIC', /read-only: GRANT/],
  // Writes.
  ["INSERT INTO songs VALUES ('X', 'x', NULL, 1, 1)", /read-only: INSERT changes data/],
  ["UPDATE users SET level = 'paid'", /read-only: UPDATE changes data/],
  ['DELETE FROM songplays', /read-only: DELETE changes data/],
  ['MERGE INTO users u USING users v ON u.user_id = v.user_id WHEN MATCHED THEN DELETE', /read-only: MERGE/],
  ['WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d', /read-only: .*holds a DELETE, which changes/],
  ['WITH i AS (INSERT INTO t VALUES (1) RETURNING 1) SELECT * FROM i', /holds an INSERT/],
  ['WITH u AS (UPDATE t SET a = 1 RETURNING 1) SELECT * FROM u', /holds an UPDATE/],
  ['WITH a AS (SELECT 1) DELETE FROM t', /read-only: DELETE changes data/],
  ['SELECT * INTO evil FROM songs', /read-only: SELECT … INTO creates a table/],
  ['SELECT * FROM users FOR UPDATE', /read-only: SELECT … FOR UPDATE locks rows/],
  ['SELECT * FROM users FOR NO KEY UPDATE', /FOR NO KEY UPDATE locks rows/],
  ['SELECT * FROM users FOR SHARE', /FOR SHARE locks rows/],
  ['SELECT * FROM (SELECT * FROM users FOR KEY SHARE) AS s', /FOR KEY SHARE locks rows/],
  // EXPLAIN only of an allowed query, and never ANALYZE (it runs the statement).
  ['EXPLAIN ANALYZE DELETE FROM songplays', /read-only: EXPLAIN ANALYZE runs the statement/],
  ['EXPLAIN ANALYZE SELECT 1', /EXPLAIN ANALYZE runs the statement/],
  ['EXPLAIN (ANALYZE, COSTS off) SELECT 1', /EXPLAIN ANALYZE runs the statement/],
  ['EXPLAIN (ANALYZE on) SELECT 1', /EXPLAIN ANALYZE runs the statement/],
  ['EXPLAIN DELETE FROM songplays', /read-only: DELETE changes data/],
  ['EXPLAIN CREATE TABLE evil AS SELECT 1', /read-only: CREATE TABLE is not a query/],
  ['EXPLAIN SELECT pg_reload_conf()', /pg_reload_conf\(\)/],
  // More than one statement, however it is hidden.
  ['SELECT 1; DROP TABLE x', /runs one statement at a time, and this text holds 2/],
  ['COMMIT; DROP TABLE songplays', /one statement at a time, and this text holds 2/],
  ['SELECT 1; SELECT 2; SELECT 3', /holds 3/],
  ["SELECT 'a;b'; /* ; */ SELECT 2 -- ;", /holds 2/],
  // Functions that act outside the transaction, wherever they sit in the tree.
  ["select pg_catalog.pg_read_file('PG_VERSION')", /pg_read_file\(\) .*server files/],
  ["SELECT PG_CATALOG.PG_READ_FILE('PG_VERSION')", /pg_read_file\(\)/],
  ['SELECT pg_catalog."pg_read_file"(\'PG_VERSION\')', /pg_read_file\(\)/],
  ["SELECT ('PG_VERSION'::text).pg_read_file", /pg_read_file\(\)/],
  ["SELECT x.pg_read_file FROM (SELECT 'PG_VERSION'::text AS x) AS s", /pg_read_file\(\)/],
  ["SELECT pg_read_binary_file('PG_VERSION')", /pg_read_binary_file\(\) .*server files/],
  ["SELECT * FROM pg_ls_dir('.')", /pg_ls_dir\(\)/],
  ['SELECT * FROM pg_ls_waldir()', /pg_ls_waldir\(\)/],
  ["SELECT pg_stat_file('PG_VERSION')", /pg_stat_file\(\)/],
  ["SELECT pg_file_write('x', 'y', false)", /pg_file_write\(\)/],
  ["SELECT lo_import('/etc/passwd')", /lo_import\(\) .*large object/],
  ["SELECT lo_export(1, '/tmp/x')", /lo_export\(\)/],
  ['SELECT lo_unlink(1)', /lo_unlink\(\)/],
  ["SELECT lowrite(0, 'x')", /lowrite\(\)/],
  ["SELECT * FROM dblink('dbname=x', 'DELETE FROM t') AS t(a int)", /dblink\(\) .*another database/],
  ["SELECT dblink_exec('DROP TABLE t')", /dblink_exec\(\)/],
  ['SELECT pg_advisory_lock(1)', /pg_advisory_lock\(\) .*outlive/],
  ['SELECT pg_try_advisory_lock(1)', /pg_try_advisory_lock\(\)/],
  ["SELECT nextval('s')", /nextval\(\) .*never rolled back/],
  ["SELECT setval('s', 1)", /setval\(\)/],
  ['SELECT txid_current()', /txid_current\(\)/],
  ["SELECT pg_notify('c', 'x')", /pg_notify\(\)/],
  ['SELECT pg_cancel_backend(1)', /pg_cancel_backend\(\)/],
  ["SELECT set_config('log_statement', 'all', false)", /set_config\(\) .*configuration/],
  ['SELECT pg_rotate_logfile()', /pg_rotate_logfile\(\)/],
  ["SELECT pg_stat_reset_shared('bgwriter')", /pg_stat_reset_shared\(\) .*statistics/],
  ['SELECT pg_stat_statements_reset()', /pg_stat_statements_reset\(\)/],
  ["SELECT pg_create_restore_point('x')", /pg_create_restore_point\(\) .*WAL|replication/],
  ["SELECT pg_create_logical_replication_slot('s', 'test_decoding')", /pg_create_logical_replication_slot\(\)/],
  ["SELECT * FROM pg_logical_slot_get_changes('s', NULL, NULL)", /pg_logical_slot_get_changes\(\)/],
  ['SELECT pg_switch_wal()', /pg_switch_wal\(\)/],
  ['SELECT pg_promote()', /pg_promote\(\)/],
  ["SELECT pg_backup_start('x')", /pg_backup_start\(\)/],
  ["SELECT query_to_xml('SELECT pg_reload_conf()', true, false, '')", /query_to_xml\(\) .*runs SQL/],
  ["SELECT ts_stat('SELECT 1')", /ts_stat\(\) .*runs SQL/],
  // Hidden deep inside a query.
  [
    'SELECT * FROM songplays WHERE user_id IN (SELECT user_id FROM users WHERE EXISTS ' +
      '(SELECT 1 FROM (VALUES (pg_terminate_backend(1))) AS v(x)))',
    /pg_terminate_backend\(\)/,
  ],
  ['WITH t AS (SELECT pg_reload_conf() AS r) SELECT * FROM t', /pg_reload_conf\(\)/],
  ['SELECT CASE WHEN false THEN pg_stat_reset() END', /pg_stat_reset\(\)/],
  ['SELECT count(*) FILTER (WHERE pg_reload_conf()) FROM users', /pg_reload_conf\(\)/],
  ['SELECT 1 ORDER BY pg_reload_conf()', /pg_reload_conf\(\)/],
  ["SELECT * FROM ROWS FROM (pg_ls_dir('.')) AS t", /pg_ls_dir\(\)/],
  ["TABLE users LIMIT (SELECT count(*) FROM pg_ls_dir('.'))", /pg_ls_dir\(\)/],
  ['SHOW x; SELECT pg_reload_conf()', /holds 2/],
];

describe('on PostgreSQL and the embedded warehouse: PostgreSQL’s own parser decides', () => {
  test.each(ALLOWED_ON_POSTGRES)('allowed: %s', async (sql) => {
    await expect(assertReadOnlyQuery(sql, 'postgres')).resolves.toBeUndefined();
  });

  test.each(REFUSED_ON_POSTGRES)('refused: %s', async (sql, why) => {
    const error = await refusal(sql);
    expect(error.message).toMatch(why);
    expect(error.exitCode).toBe(1);
    // One line (plus the hint the error printer puts on its own line).
    expect(error.message).not.toContain('\n');
    expect(error.hint ?? '').not.toContain('\n');
  });

  test('the hint says what can run, and for COPY how to save a result instead', async () => {
    expect((await refusal('DROP TABLE songplays')).hint).toMatch(/SELECT, WITH … SELECT, VALUES, TABLE, SHOW/);
    expect((await refusal("COPY songs TO '/tmp/x'")).hint).toMatch(/--format csv/);
    expect((await refusal('SELECT 1; SELECT 2')).hint).toMatch(/one by one/);
  });

  test('text that is not SQL is refused with the parser’s message and where', async () => {
    const error = await refusal('SELEC 1 FROM songs');
    expect(error.message).toMatch(/not valid SQL: syntax error at or near "SELEC" \(at character 1\)/);
    expect((await refusal("SELECT 'unterminated")).message).toMatch(/not valid SQL: unterminated quoted string/);
  });

  test('a text of only comments or semicolons is a usage error (exit 2), like an empty one', async () => {
    for (const sql of ['-- nothing', ';', ' ; ; /* x */ ']) {
      const error = await refusal(sql);
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toMatch(/holds no statement/);
    }
  });

  test('very deep nesting is refused or checked, never a crash', async () => {
    const deep = `SELECT ${'('.repeat(5000)}1${')'.repeat(5000)}`;
    const outcome = await assertReadOnlyQuery(deep, 'postgres').then(
      () => 'allowed',
      (error: unknown) => error,
    );
    if (outcome !== 'allowed') expect(outcome).toBeInstanceOf(UserError);
    const deepCall = `SELECT ${'abs('.repeat(2000)}pg_reload_conf()::int${')'.repeat(2000)}`;
    await expect(assertReadOnlyQuery(deepCall, 'postgres')).rejects.toBeInstanceOf(UserError);
  });

  test('every statement the product itself sends through the read-only path passes', async () => {
    for (const query of ANALYTICS_QUERIES) {
      await expect(assertReadOnlyQuery(query.sql, 'postgres'), query.name).resolves.toBeUndefined();
    }
    for (const check of DATA_CHECKS) {
      await expect(assertReadOnlyQuery(check.sql, 'postgres'), check.name).resolves.toBeUndefined();
    }
    await expect(assertReadOnlyQuery(matchRateSql(), 'postgres')).resolves.toBeUndefined();
  });

  test('every name on the refused list is really refused as a call', async () => {
    for (const group of OUTSIDE_THE_TRANSACTION) {
      for (const name of group.names) {
        expect((await refusal(`SELECT ${name}()`)).message, name).toContain(`${name}() `);
      }
      for (const prefix of group.prefixes ?? []) {
        const name = `${prefix}anything`;
        expect((await refusal(`SELECT ${name}()`)).message, name).toContain(`${name}() `);
      }
    }
  });
});

describe('on Redshift: a rule on the text (PostgreSQL’s parser cannot read Redshift-only syntax)', () => {
  const ALLOWED_ON_REDSHIFT = [
    'SELECT 1',
    '  -- why\n/* and how */ select count(*) from songplays;',
    'WITH t AS (SELECT 1 AS a) SELECT a FROM t',
    // Redshift-only syntax PostgreSQL's parser would refuse.
    'SELECT TOP 10 * FROM songplays',
    "SELECT listagg(title, ',') WITHIN GROUP (ORDER BY title) FROM songs",
    "SELECT 'it\\'s; fine' AS s",
    "SELECT 'a;b' AS s",
    'SELECT lo_discount FROM lineorder',
    "SELECT 'pg_reload_conf' AS name",
  ];
  const REFUSED_ON_REDSHIFT: Array<[string, RegExp]> = [
    ["UNLOAD ('SELECT * FROM songplays') TO 's3://bucket/x' IAM_ROLE 'arn:aws:iam::1:role/r'", /UNLOAD/],
    ["SELECT 1 FROM (SELECT 1) WHERE 'x' = 'unload'", /UNLOAD .*anywhere/],
    ["select 'a\\' , ' ; unload (...) --'", /UNLOAD/],
    ['INSERT INTO songs VALUES (1)', /only statements that start with SELECT or WITH/],
    ["COPY songs FROM 's3://x' IAM_ROLE 'y'", /only statements that start with SELECT or WITH.*COPY/],
    ['CREATE TABLE evil (x int)', /start with SELECT or WITH/],
    ["SET search_path TO 'x'", /start with SELECT or WITH/],
    ['(SELECT 1)', /start with SELECT or WITH/],
    ['SELECTED', /start with SELECT or WITH/],
    ['SELECT 1; DROP TABLE songplays', /one statement at a time/],
    ['SELECT pg_terminate_backend(12345)', /pg_terminate_backend\(\) .*signals/],
    ['SELECT PG_CANCEL_BACKEND /* x */ (1)', /pg_cancel_backend\(\)/],
    ["SELECT \"set_config\"('a', 'b', false)", /set_config\(\)/],
    ['   ', /holds no statement/],
  ];

  test.each(ALLOWED_ON_REDSHIFT)('allowed: %s', async (sql) => {
    await expect(assertReadOnlyQuery(sql, 'redshift')).resolves.toBeUndefined();
  });

  test.each(REFUSED_ON_REDSHIFT)('refused: %s', async (sql, why) => {
    const error = await refusal(sql, 'redshift');
    expect(error.message).toMatch(why);
    expect(error.message).not.toContain('\n');
  });

  test('a trailing semicolon and comment after the one statement are fine', async () => {
    await expect(assertReadOnlyQuery('SELECT 1; -- fine\n', 'redshift')).resolves.toBeUndefined();
  });
});
