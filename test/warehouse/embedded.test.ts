import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { UserError } from '../../src/errors.js';
import { openEmbedded } from '../../src/warehouse/embedded.js';
import { describeError } from '../../src/ui/errors.js';
import {
  COPY_TABLE_SQL,
  copyInto,
  defineWarehouseConformance,
  nastyLines,
  nastyRow,
  type CopyRow,
} from './conformance.js';
import { defineStreamConformance } from './results-conformance.js';

// A small COPY size so the 50,000-row load goes through many separate COPY statements.
defineWarehouseConformance('embedded (in memory)', () => openEmbedded(undefined, { copyChunkCharacters: 200_000 }));
defineStreamConformance('embedded (in memory)', () => openEmbedded(undefined));

const scratch = mkdtempSync(join(tmpdir(), 'sparkify-embedded-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NOT_A_WAREHOUSE =
  'is not an embedded warehouse folder (it holds other files and no PG_VERSION): ' +
  'set [WAREHOUSE] EMBEDDED_DIR to a new folder';

/** What the user reads for `error`: the message and its → hint, as the CLI prints them. */
function shownToUser(error: unknown): string {
  return describeError(error, { debug: false }).message;
}

describe('embedded warehouse on disk', () => {
  test('creates the folder, and keeps the data across close and reopen', async () => {
    const folder = join(scratch, 'nested', 'warehouse');
    const first = await openEmbedded(folder);
    expect(first.target).toBe('embedded');
    expect(first.dialect).toBe('postgres');
    expect(first.description).toBe(`embedded (PGlite) at ${folder}`);
    await first.query(COPY_TABLE_SQL);
    expect(await first.transaction((tx) => copyInto(first, tx, nastyLines(0, 2000)))).toBe(2000);
    await first.close();
    expect(existsSync(join(folder, 'PG_VERSION'))).toBe(true);

    const second = await openEmbedded(folder);
    const { rows } = await second.query<CopyRow>(
      'SELECT id, name, note, length, ts, flag FROM copy_target ORDER BY id',
    );
    expect(rows).toEqual(Array.from({ length: 2000 }, (_, id) => nastyRow(id)));
    await second.close();
  }, 120_000);

  test('a folder with other files and no PG_VERSION is refused, naming it, never advising to delete it', async () => {
    const folder = join(scratch, 'documents');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'keep me');
    const error = await openEmbedded(folder).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect(shownToUser(error)).toBe(`${folder} ${NOT_A_WAREHOUSE}`);
  });

  test('EMBEDDED_DIR = / is refused without a word about deleting it', async () => {
    const error = await openEmbedded('/').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect(shownToUser(error)).toBe(`/ ${NOT_A_WAREHOUSE}`);
  });

  test('a symbolic link to a healthy warehouse folder opens it', async () => {
    const real = join(scratch, 'real-warehouse');
    const first = await openEmbedded(real);
    await first.query('CREATE TABLE kept (n integer)');
    await first.query('INSERT INTO kept VALUES (42)');
    await first.close();
    const link = join(scratch, 'linked-warehouse');
    symlinkSync(real, link);
    const linked = await openEmbedded(link);
    try {
      expect(linked.description).toBe(`embedded (PGlite) at ${link}`);
      expect((await linked.query('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]);
    } finally {
      await linked.close();
    }
  }, 120_000);

  test('a symbolic link to nowhere is named as such', async () => {
    const link = join(scratch, 'dangling-link');
    symlinkSync(join(scratch, 'nowhere'), link);
    const error = await openEmbedded(link).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect(shownToUser(error)).toMatch(
      new RegExp(`^the embedded warehouse folder ${link} is a symbolic link to ${join(scratch, 'nowhere')}, `),
    );
  });

  test('a damaged data folder gives the real cause and says to move it aside, never to delete it', async () => {
    const folder = join(scratch, 'damaged');
    mkdirSync(folder);
    writeFileSync(join(folder, 'PG_VERSION'), 'garbage\n');
    const error = await openEmbedded(folder).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    const text = shownToUser(error);
    expect(text).toMatch(new RegExp(`^cannot open the embedded warehouse in ${folder}: `));
    // What PostgreSQL itself said, in the real folder's name, not PGlite's "failed to initialize".
    expect(text).toContain(`${folder}/`);
    expect(text).not.toContain('/pglite/data');
    expect(text).toContain('move it aside');
    expect(text).not.toMatch(/delete|remove|\[object Object\]/i);
    expect(text.split('\n')).toHaveLength(2);
  }, 60_000);

  test('a file where the folder should be is refused', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    await expect(openEmbedded(file)).rejects.toThrow(
      `the embedded warehouse folder ${file} is a file: set [WAREHOUSE] EMBEDDED_DIR to a folder`,
    );
  });
});

describe('embedded copyIn cuts the stream into COPYs at line ends', () => {
  test('pieces that split rows anywhere still load every row intact', async () => {
    const warehouse = await openEmbedded(undefined, { copyChunkCharacters: 50 });
    try {
      await warehouse.query(COPY_TABLE_SQL);
      let text = '';
      for await (const chunk of nastyLines(0, 300)) text += chunk;
      async function* oddPieces(): AsyncGenerator<string> {
        for (let start = 0; start < text.length; start += 7) yield text.slice(start, start + 7);
      }
      expect(await warehouse.transaction((tx) => copyInto(warehouse, tx, oddPieces()))).toBe(300);
      const { rows } = await warehouse.query<CopyRow>(
        'SELECT id, name, note, length, ts, flag FROM copy_target ORDER BY id',
      );
      expect(rows).toEqual(Array.from({ length: 300 }, (_, id) => nastyRow(id)));
    } finally {
      await warehouse.close();
    }
  });
});
