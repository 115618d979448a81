import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { UserError } from '../../src/errors.js';
import { openEmbedded } from '../../src/warehouse/embedded.js';
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

  test('a folder with other files and no PG_VERSION is refused, naming the folder', async () => {
    const folder = join(scratch, 'documents');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'keep me');
    await expect(openEmbedded(folder)).rejects.toThrow(
      new UserError(
        `${folder} is not an embedded warehouse folder (it holds other files and no PG_VERSION): ` +
          'set [WAREHOUSE] EMBEDDED_DIR to a new folder, or delete this one if nothing in it is needed',
      ),
    );
  });

  test('a damaged data folder gives a UserError that says to delete it', async () => {
    const folder = join(scratch, 'damaged');
    mkdirSync(folder);
    writeFileSync(join(folder, 'PG_VERSION'), 'garbage\n');
    const error = await openEmbedded(folder).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    const cause = 'the folder is damaged or was made by another PGlite version (';
    expect(message.startsWith(`cannot open the embedded warehouse in ${folder}: ${cause}`)).toBe(true);
    expect(
      message.endsWith(
        '); delete that folder to start over, then run `sparkify-dwh tables create` and `sparkify-dwh load`',
      ),
    ).toBe(true);
    expect(message).not.toContain('\n');
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
