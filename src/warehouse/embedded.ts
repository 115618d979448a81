/**
 * The `embedded` target: PGlite, PostgreSQL compiled to WebAssembly and run in this process, its
 * data kept in a folder ([WAREHOUSE] EMBEDDED_DIR) or only in memory (tests). PGlite is imported
 * on first use, so the other targets never pay for loading it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { UserError } from '../errors.js';
import { copyFromBlobSql } from '../sql/session.js';
import { oneLine } from '../error-text.js';
import { RESULT_PARSERS, normalizeParams } from './result-types.js';
import { SessionWarehouse, type EngineResult, type EngineSession } from './session.js';
import type { Warehouse } from './types.js';

/**
 * PGlite reads COPY input from one in-memory Blob, so a load is cut into COPYs of about this
 * many characters: big enough that per-statement overhead vanishes, small enough that memory
 * stays flat however many rows come through.
 */
export const EMBEDDED_COPY_CHUNK_CHARACTERS = 4 * 1024 * 1024;

class PgliteEngineSession implements EngineSession {
  constructor(
    private readonly db: PGlite,
    private readonly copyChunkCharacters: number,
  ) {}

  async run(sql: string, params?: readonly unknown[]): Promise<EngineResult> {
    // PGlite's query() always uses the extended protocol: one statement per call.
    const result = await this.db.query<Record<string, unknown>>(sql, normalizeParams(params), { rowMode: 'object' });
    return {
      rows: result.rows,
      fields: result.fields.map((field) => field.name),
      rowCount: result.rowCount ?? result.affectedRows ?? 0,
      command: result.command,
    };
  }

  /** COPY FROM STDIN the PGlite way: one COPY from an in-memory Blob per chunk of whole lines. */
  async copyIn(table: string, columns: readonly string[], lines: AsyncIterable<string>): Promise<number> {
    const sql = copyFromBlobSql(table, columns);
    let copied = 0;
    const copyChunk = async (text: string): Promise<void> => {
      const result = await this.db.query(sql, [], { blob: new Blob([text]) });
      copied += result.rowCount ?? result.affectedRows ?? 0;
    };
    let pending: string[] = [];
    let pendingCharacters = 0;
    for await (const piece of lines) {
      pending.push(piece);
      pendingCharacters += piece.length;
      if (pendingCharacters < this.copyChunkCharacters) continue;
      // Each COPY must hold whole rows: cut after the last complete line and carry the rest.
      const text = pending.join('');
      const end = text.lastIndexOf('\n') + 1;
      if (end === 0) continue; // one very long row still arriving
      await copyChunk(text.slice(0, end));
      const rest = text.slice(end);
      pending = rest === '' ? [] : [rest];
      pendingCharacters = rest.length;
    }
    const tail = pending.join('');
    if (tail !== '') await copyChunk(tail.endsWith('\n') ? tail : `${tail}\n`);
    return copied;
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

function damagedFolderError(dataDir: string, reason: string, cause: unknown): UserError {
  return new UserError(
    `cannot open the embedded warehouse in ${dataDir}: the folder is damaged or was made by another PGlite version (${oneLine(reason)}); delete that folder to start over, then run \`sparkify-dwh tables create\` and \`sparkify-dwh load\``,
    { cause },
  );
}

/** Create the folder, or make sure an existing one is a PGlite data folder (or empty). */
async function prepareDataDir(dataDir: string): Promise<void> {
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) {
    throw new UserError(`the embedded warehouse folder ${dataDir} is a file: set [WAREHOUSE] EMBEDDED_DIR to a folder`);
  }
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(
      `cannot create the embedded warehouse folder ${dataDir} (${oneLine(reason)}): set [WAREHOUSE] EMBEDDED_DIR to a folder you can write to`,
      { cause: error },
    );
  }
  // PGlite would happily initialise a database among someone's other files; refuse instead.
  if (readdirSync(dataDir).length > 0 && !existsSync(join(dataDir, 'PG_VERSION'))) {
    throw new UserError(
      `${dataDir} is not an embedded warehouse folder (it holds other files and no PG_VERSION): set [WAREHOUSE] EMBEDDED_DIR to a new folder, or delete this one if nothing in it is needed`,
    );
  }
}

export interface OpenEmbeddedOptions {
  /** Characters per COPY when loading (default EMBEDDED_COPY_CHUNK_CHARACTERS); tests make it small. */
  copyChunkCharacters?: number;
}

/** Open (creating if needed) the embedded warehouse in `dataDir`, or an in-memory one when undefined. */
export async function openEmbedded(dataDir: string | undefined, options: OpenEmbeddedOptions = {}): Promise<Warehouse> {
  const folder = dataDir === undefined ? undefined : resolve(dataDir);
  if (folder !== undefined) await prepareDataDir(folder);
  const { PGlite } = await import('@electric-sql/pglite');
  let db: PGlite;
  try {
    db = await PGlite.create({ ...(folder === undefined ? {} : { dataDir: folder }), parsers: { ...RESULT_PARSERS } });
  } catch (error) {
    if (folder === undefined) throw error; // in memory: nothing the user can fix, a bug
    throw damagedFolderError(folder, error instanceof Error ? error.message : String(error), error);
  }
  const engine = new PgliteEngineSession(db, options.copyChunkCharacters ?? EMBEDDED_COPY_CHUNK_CHARACTERS);
  const description = folder === undefined ? 'embedded (PGlite) in memory' : `embedded (PGlite) at ${folder}`;
  return new SessionWarehouse(
    engine,
    { target: 'embedded', dialect: 'postgres', description },
    { copyIn: (table, columns, lines) => engine.copyIn(table, columns, lines) },
  );
}
