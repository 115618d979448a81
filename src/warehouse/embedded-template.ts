/**
 * A ready-made, empty PGlite data folder, made once by `npm run build` (dist/warehouse/pglite-template),
 * that a new embedded warehouse starts as a copy of. Without it PGlite runs initdb on the user's
 * machine the first time: a second PostgreSQL instance in memory plus initdb's own WebAssembly,
 * about 900 MB at its peak and five times as long as a later open (docs/performance.md).
 *
 * A template only fits the PGlite version that made it, so it carries that version and is
 * ignored (initdb runs as before) when the installed PGlite differs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DROP_UNUSED_DATABASES_SQL } from '../sql/session.js';

/** Inside the template: the PGlite version that made it. Not copied into warehouses. */
const STAMP_FILE = 'sparkify-template.json';
/**
 * Inside a data folder while it is being filled from the template. PG_VERSION is copied last, so
 * a copy cut short (Ctrl-C, kill -9, a full disk) leaves this marker and no PG_VERSION, and the
 * next open copies again over it instead of taking the half-made folder for someone else's files.
 */
export const UNFINISHED_COPY_MARKER = '.sparkify-unfinished-template-copy';
const VERSION_FILE = 'PG_VERSION';

interface TemplateStamp {
  pgliteVersion: string;
  /** What is in it; a template of another format is made again. */
  format: number;
  /**
   * The template's empty folders (pg_notify, pg_twophase…), relative: PostgreSQL needs them, and
   * npm leaves empty folders out of a package, so a copy makes them from this list.
   */
  emptyFolders: string[];
}

/** 3: without the template0 and template1 databases, with the list of empty folders. */
const TEMPLATE_FORMAT = 3;

/** Where the build and the tests keep the template between runs, by PGlite version. */
export function templateCacheDir(projectRoot: string): string {
  return join(projectRoot, 'node_modules', '.cache', 'sparkify-dwh', `pglite-template-${installedPgliteVersion()}`);
}

/** The installed PGlite's version, from its package.json (its `exports` do not expose that file). */
export function installedPgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  if (typeof manifest.version !== 'string') throw new Error(`no version in PGlite's package.json (${entry})`);
  return manifest.version;
}

/** Where `npm run build` puts the template: beside this module in dist/. */
export function builtTemplateDir(): string {
  return fileURLToPath(new URL('./pglite-template', import.meta.url));
}

function readStamp(dir: string): TemplateStamp | undefined {
  try {
    const stamp = JSON.parse(readFileSync(join(dir, STAMP_FILE), 'utf8')) as Partial<TemplateStamp>;
    const fits = stamp.pgliteVersion === installedPgliteVersion() && stamp.format === TEMPLATE_FORMAT;
    if (!fits || !Array.isArray(stamp.emptyFolders)) return undefined;
    return { pgliteVersion: stamp.pgliteVersion!, format: stamp.format!, emptyFolders: stamp.emptyFolders };
  } catch {
    return undefined;
  }
}

/** `dir` when it holds a template made by the installed PGlite, else undefined. */
export function usableTemplate(dir: string): string | undefined {
  return readStamp(dir) !== undefined && existsSync(join(dir, VERSION_FILE)) ? dir : undefined;
}

/** The folders under `dir` that hold nothing, relative to `dir`. */
async function emptyFoldersIn(dir: string, under = ''): Promise<string[]> {
  const entries = await readdir(join(dir, under), { withFileTypes: true });
  if (entries.length === 0) return under === '' ? [] : [under];
  const found: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) found.push(...(await emptyFoldersIn(dir, join(under, entry.name))));
  }
  return found;
}

/** True when a copy from the template into `dataDir` was started and not finished. */
export function hasUnfinishedCopy(dataDir: string): boolean {
  return existsSync(join(dataDir, UNFINISHED_COPY_MARKER));
}

/** True when `dataDir` holds no database yet (empty, or an unfinished copy from the template). */
export function needsTemplate(dataDir: string): boolean {
  return !existsSync(join(dataDir, VERSION_FILE)) || hasUnfinishedCopy(dataDir);
}

/** Fill `dataDir` (empty, or holding an unfinished copy) with a copy of the template. */
export async function fillFromTemplate(templateDir: string, dataDir: string): Promise<void> {
  const marker = join(dataDir, UNFINISHED_COPY_MARKER);
  await writeFile(marker, 'sparkify-dwh is copying an empty warehouse here; it starts over if this file remains\n');
  for (const name of await readdir(templateDir)) {
    if (name === STAMP_FILE || name === VERSION_FILE) continue;
    await cp(join(templateDir, name), join(dataDir, name), { recursive: true, force: true });
  }
  // The caller chose this template with usableTemplate(); here only its list of folders is read.
  const { emptyFolders } = JSON.parse(await readFile(join(templateDir, STAMP_FILE), 'utf8')) as TemplateStamp;
  for (const folder of emptyFolders) {
    await mkdir(join(dataDir, folder), { recursive: true });
  }
  await cp(join(templateDir, VERSION_FILE), join(dataDir, VERSION_FILE), { force: true });
  await rm(marker);
}

/**
 * Make the template in `dir` with the installed PGlite (its initdb), unless one made by this very
 * version is already there. Made beside `dir` and renamed into place, so an interrupted build never
 * leaves a half-made template that a later run would copy.
 */
export async function makeTemplate(dir: string): Promise<'made' | 'kept'> {
  if (usableTemplate(dir) !== undefined) return 'kept';
  const pgliteVersion = installedPgliteVersion();
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(dirname(dir), { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create({ dataDir: partial });
  // Without them a new warehouse is 24 MB in 400 files instead of 39 MB in 1,000: most of the cost
  // of making one is copying it.
  for (const sql of DROP_UNUSED_DATABASES_SQL) await db.exec(sql);
  await db.close();
  const stamp: TemplateStamp = { pgliteVersion, format: TEMPLATE_FORMAT, emptyFolders: await emptyFoldersIn(partial) };
  await writeFile(join(partial, STAMP_FILE), `${JSON.stringify(stamp)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return 'made';
}
