/**
 * `load` on the redshift target: COPY from S3 with the IAM role, in one transaction with the
 * transforms; a failing COPY shows the rows of stl_load_errors instead of Redshift's pointer to it.
 * The warehouse is a recording double speaking the Warehouse interface (no cluster in tests).
 */
import { afterEach, expect, test } from 'vitest';
import { copyEventsFromS3Sql, copySongsFromS3Sql } from '../../src/sql/copy.js';
import { createLoadHistoryIfMissingSql } from '../../src/sql/ddl.js';
import { existingTablesSql } from '../../src/sql/status.js';
import { clearStagingSql, clearStarSql, insertStarSql } from '../../src/sql/transform.js';
import { runLoad } from '../../src/steps/load.js';
import { configText, DB_PASSWORD, ENDPOINT, ROLE_ARN, setKey } from '../aws/fakes.js';
import { makeTestContext } from '../support/context.js';
import { recordingRedshift } from '../support/redshift-double.js';

const CONFIG = setKey(setKey(configText(), 'CLUSTER.HOST', ENDPOINT), 'IAM_ROLE.ARN', ROLE_ARN);

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

test('COPYs both staging tables from S3 with the role, then rebuilds the star schema, in one transaction', async () => {
  const fake = recordingRedshift();
  const t = await makeTestContext({ config: CONFIG, warehouse: fake.warehouse });
  cleanup = t.cleanup;
  const loaded = await runLoad(t.ctx);
  expect(loaded.ok).toBe(true);
  const copies = fake.statements.filter((s) => s.startsWith('COPY '));
  expect(copies).toEqual([
    copySongsFromS3Sql({ s3Url: 's3://udacity-dend/song_data', iamRoleArn: ROLE_ARN, region: 'us-west-2' }),
    copyEventsFromS3Sql({
      s3Url: 's3://udacity-dend/log_data',
      jsonPathsUrl: 's3://udacity-dend/log_json_path.json',
      iamRoleArn: ROLE_ARN,
      region: 'us-west-2',
    }),
  ]);
  const inOrder = fake.statements.filter((s) => s !== existingTablesSql() && !/count\(\*\)/i.test(s));
  expect(inOrder).toEqual([
    ...clearStagingSql('redshift'),
    ...copies,
    ...clearStarSql('redshift'),
    ...insertStarSql().map((s) => s.sql),
    // The load history (issue 9); its INSERT counts the rows, so the filter above leaves it out.
    createLoadHistoryIfMissingSql('redshift'),
  ]);
  expect(fake.outcome).toEqual({ committed: 1, rolledBack: 0 });
  expect(t.ui.text()).toMatch(/staging_songs: 42 rows/);
  expect(t.ui.text()).not.toContain(DB_PASSWORD);
  // The closing summary: one row per COPY (docs/redshift.md, "Live progress").
  expect(t.ui.text()).toMatch(/COPY from S3\ntable \| rows \| files \| seconds\nstaging_songs \| 42 \| +\| \d+\.\d/);
});

test("COPY names the bucket's region ([S3] REGION, default us-west-2), not the cluster's", async () => {
  const elsewhere = setKey(CONFIG, 'AWS.REGION', 'eu-west-1');
  const fake = recordingRedshift();
  const t = await makeTestContext({ config: setKey(elsewhere, 'S3.REGION', ''), warehouse: fake.warehouse });
  cleanup = t.cleanup;
  await runLoad(t.ctx);
  const copies = fake.statements.filter((s) => s.startsWith('COPY '));
  expect(copies).toHaveLength(2);
  for (const copy of copies) expect(copy).toContain("REGION 'us-west-2'");

  const other = recordingRedshift();
  const moved = await makeTestContext({
    config: setKey(elsewhere, 'S3.REGION', 'us-east-1'),
    warehouse: other.warehouse,
  });
  await runLoad(moved.ctx);
  for (const copy of other.statements.filter((s) => s.startsWith('COPY ')))
    expect(copy).toContain("REGION 'us-east-1'");
  await moved.cleanup();
});

test('--song-prefix loads a subset of song_data and is checked before it reaches SQL', async () => {
  const fake = recordingRedshift();
  const t = await makeTestContext({ config: CONFIG, warehouse: fake.warehouse });
  cleanup = t.cleanup;
  await runLoad(t.ctx, { songPrefix: 'A/A/' });
  expect(fake.statements.find((s) => s.startsWith('COPY staging_songs'))).toContain(
    "FROM 's3://udacity-dend/song_data/A/A/'",
  );
  await expect(runLoad(t.ctx, { songPrefix: "A'; DROP TABLE songs; --" })).rejects.toThrow(/--song-prefix/);
});

test("a failing COPY shows stl_load_errors' file, line, column, value and reason, and rolls back", async () => {
  const fake = recordingRedshift('staging_events');
  const t = await makeTestContext({ config: CONFIG, warehouse: fake.warehouse });
  cleanup = t.cleanup;
  await expect(runLoad(t.ctx)).rejects.toThrow(/stl_load_errors/);
  expect(fake.outcome).toEqual({ committed: 0, rolledBack: 1 });
  const shown = t.ui.tables.at(-1);
  expect(JSON.stringify(shown)).toContain('2018-11-30-events.json');
  expect(JSON.stringify(shown)).toContain('Invalid digit');
  expect(t.ui.text()).toMatch(/Why the COPY into staging_events failed/);
  // Nothing of the star schema was touched after the failure.
  expect(fake.statements.some((s) => s.startsWith('INSERT'))).toBe(false);
});

test('a missing role ARN is a config error that says how to get one, before any SQL runs', async () => {
  const fake = recordingRedshift();
  const t = await makeTestContext({
    config: setKey(configText(), 'CLUSTER.HOST', ENDPOINT),
    warehouse: fake.warehouse,
  });
  cleanup = t.cleanup;
  await expect(runLoad(t.ctx)).rejects.toThrow(/dwh\.cfg \[IAM_ROLE\] ARN: is not set/);
  expect(fake.statements.filter((s) => s !== existingTablesSql() && !/count\(\*\)/i.test(s))).toEqual([]);
});

test('before loading, load asks the warehouse once, which tables exist, and counts no rows', async () => {
  const fake = recordingRedshift();
  const t = await makeTestContext({ config: CONFIG, warehouse: fake.warehouse });
  cleanup = t.cleanup;
  expect((await runLoad(t.ctx)).ok).toBe(true);
  const firstOfTheLoad = fake.statements.indexOf(clearStagingSql('redshift')[0]!);
  expect(firstOfTheLoad).toBeGreaterThan(-1);
  // Counting every table of a loaded warehouse reads all of it, for rows the load replaces anyway.
  expect(fake.statements.slice(0, firstOfTheLoad)).toEqual([existingTablesSql()]);
});
