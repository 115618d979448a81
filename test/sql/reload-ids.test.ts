/**
 * Same songplay ids (and the same users) on every reload, on Redshift too. There, staging_events'
 * event_id is an IDENTITY that a parallel COPY does not number in file order and DELETE does not
 * reset, so two loads of the same files give the events different event_ids in a different order.
 * Played here on PGlite by loading the same events twice with their event_ids permuted: the star
 * schema must come out the same, row for row.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTablesSql } from '../../src/sql/ddl.js';
import { clearStagingSql, clearStarSql, insertStarSql } from '../../src/sql/transform.js';

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  for (const statement of createTablesSql('postgres')) await db.query(statement);
});
afterAll(async () => db.close());

const UA = 'Mozilla/5.0';
const AT_7 = 1541106106796;
const AT_8 = 1541106200000;

/** A staging_events row's values, in the INSERT's column order below. */
function event(play: [artist: string | null, song: string | null, length: number | null], rest: string): string {
  const [artist, song, length] = play.map((value) => (value === null ? 'NULL' : `'${value}'`));
  return `(${artist}, ${song}, ${length}, ${rest}, '${UA}')`;
}

/**
 * Events that tie on everything the transform orders by before load order: user 7 plays two songs
 * in the same millisecond with the same session and item (a duplicated log line, edited); user 8's
 * last two events tie the same way but disagree on the level and the spelling of the name.
 */
const EVENTS = [
  event(['Artist A', 'Song A', 200.5], `'Kaylee', 'F', 3, 'Summers', 'free', 'Phoenix', 'NextSong', 139, ${AT_7}, '7'`),
  event(['Artist B', 'Song B', 180.25], `'Kaylee', 'F', 3, 'Summers', 'paid', 'Tucson', 'NextSong', 139, ${AT_7}, '7'`),
  event([null, null, null], `'Lily', 'F', 5, 'Koch', 'free', 'Chicago', 'Home', 15, ${AT_8}, '8'`),
  event([null, null, null], `'Lilly', 'F', 5, 'Koch', 'paid', 'Chicago', 'Home', 15, ${AT_8}, '8'`),
  event(
    ['Artist C', 'Song C', 99.5],
    `'Lily', 'F', 4, 'Koch', 'free', 'Chicago', 'NextSong', 15, ${AT_8 - 100_000}, '8'`,
  ),
];

/** One load with the given event_ids (as Redshift's IDENTITY might hand them out), then the star schema. */
async function loadWithEventIds(eventIds: number[]): Promise<Record<string, unknown[]>> {
  await db.query('BEGIN');
  for (const statement of clearStagingSql('postgres')) await db.query(statement);
  const rows = EVENTS.map((values, index) => values.replace('(', `(${eventIds[index]}, `));
  await db.query(
    `INSERT INTO staging_events (event_id, artist, song, length, first_name, gender, item_in_session, last_name,
       level, location, page, session_id, ts, user_id, user_agent)
     OVERRIDING SYSTEM VALUE VALUES ${rows.join(',\n')}`,
  );
  for (const statement of clearStarSql('postgres')) await db.query(statement);
  for (const step of insertStarSql()) await db.query(step.sql);
  await db.query('COMMIT');
  return {
    songplays: (await db.query('SELECT * FROM songplays ORDER BY songplay_id')).rows,
    users: (await db.query('SELECT * FROM users ORDER BY user_id')).rows,
  };
}

test('songplay ids and the users picked do not depend on the order the warehouse numbered the events', async () => {
  const first = await loadWithEventIds([1, 2, 3, 4, 5]);
  const reloaded = await loadWithEventIds([905, 17, 44, 3, 260]);
  expect(reloaded).toEqual(first);
  expect(first.songplays).toHaveLength(3);
  expect(first.users).toHaveLength(2);
});
