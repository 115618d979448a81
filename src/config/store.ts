/**
 * dwh.cfg on disk (docs/configuration.md): read and validated into a typed DwhConfig by the key
 * table in schema.ts, written back atomically keeping the user's comments, order, spelling and
 * unknown keys.
 *
 * Paths in the file (EMBEDDED_DIR, [LOCAL] SONG_DATA and LOG_DATA) are relative to the folder that
 * holds dwh.cfg, not to the current directory, so `sparkify-dwh -c ../other/dwh.cfg` reads the
 * same data as running it from that folder. A leading `~/` means the home folder.
 */
import { constants, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errnoCode, errnoText } from '../error-text.js';
import { ConfigError } from '../errors.js';
import { writeFileAtomic, type AtomicWriteIo } from './atomic.js';
import { ignoreInGit, type GitIgnored } from './git-ignore.js';
import { IniDocument, parseBytes, type ParseOptions } from './ini.js';
import { lineMayHoldSecret, readValues, secretValues } from './schema.js';
import type { ConfigChange, ConfigStore, DwhConfig } from './types.js';

/** dwh.cfg's own rule for which broken lines an error must not quote. */
const PARSE_OPTIONS: ParseOptions = { mayHoldSecret: lineMayHoldSecret };

/** Where dwh.cfg.example lives: the package root, from both src/config and dist/config. */
export const EXAMPLE_URL = new URL('../../dwh.cfg.example', import.meta.url);

/** File-system calls the store makes; tests replace some to simulate failures. */
export interface ConfigIo extends AtomicWriteIo {
  readFile: (path: string) => Promise<Uint8Array>;
  realpath: (path: string) => Promise<string>;
  lstat: (path: string) => Promise<unknown>;
  stat: (path: string) => Promise<{ mode: number }>;
}

export interface OpenConfigOptions {
  io?: Partial<ConfigIo>;
  /** Where to read dwh.cfg.example from (tests). */
  exampleUrl?: URL;
}

/**
 * Opens dwh.cfg at `path` (resolved against the current directory). A missing file is fine: it
 * reads as all defaults until `update` or `createFromExample` creates it. `displayPath` is how
 * messages name the file (default: `path` as given).
 */
export async function openConfig(
  path: string,
  displayPath?: string,
  options: OpenConfigOptions = {},
): Promise<ConfigStore> {
  const io: ConfigIo = {
    open: fs.open,
    rename: fs.rename,
    unlink: fs.unlink,
    readFile: (file) => fs.readFile(file),
    realpath: (file) => fs.realpath(file),
    lstat: (file) => fs.lstat(file),
    stat: (file) => fs.stat(file),
    ...options.io,
  };
  const store = new FileConfigStore(resolve(path), displayPath ?? path, io, options.exampleUrl ?? EXAMPLE_URL);
  await store.reload();
  return store;
}

class FileConfigStore implements ConfigStore {
  readonly path: string;
  readonly displayPath: string;
  private document: IniDocument | undefined;
  private readonly io: ConfigIo;
  private readonly exampleUrl: URL;

  constructor(path: string, displayPath: string, io: ConfigIo, exampleUrl: URL) {
    this.path = path;
    this.displayPath = displayPath;
    this.io = io;
    this.exampleUrl = exampleUrl;
  }

  async reload(): Promise<void> {
    this.document = (await this.readFromDisk())?.document;
  }

  exists(): boolean {
    return this.document !== undefined;
  }

  get(section: string, key: string): string | undefined {
    return this.document?.get(section, key);
  }

  values(): DwhConfig {
    return readValues(this.document, dirname(this.path), this.displayPath);
  }

  async update(changes: ConfigChange[]): Promise<boolean> {
    // Re-read: the user may have edited the file since it was opened, and those edits must survive.
    const current = await this.readFromDisk();
    const document = current?.document ?? IniDocument.parse('', this.displayPath, PARSE_OPTIONS);
    const changed: string[] = [];
    for (const change of changes) {
      const before = document.lookup(change.section, change.key);
      document.set(change.section, change.key, change.value);
      const name = `[${before?.section ?? change.section}] ${before?.key ?? change.key}`;
      if (before?.value !== (change.value ?? '') && !changed.includes(name)) changed.push(name);
    }
    const text = document.serialize();
    if (current && text === current.text) {
      this.document = document;
      return false;
    }
    // Write through a symlink (e.g. a dotfiles checkout) instead of replacing the link with a file.
    const target = current ? await this.io.realpath(this.path).catch(() => this.path) : this.path;
    if (current) await this.refuseReadOnly(target, changed);
    try {
      await writeFileAtomic(target, text, this.io);
    } catch (error) {
      throw new ConfigError(
        this.displayPath,
        undefined,
        undefined,
        `could not be saved (${describeFileError(error)}); the file is unchanged`,
      );
    }
    this.document = document;
    return true;
  }

  /**
   * The atomic write replaces the file, which only needs the folder to be writable: a file the user
   * made read-only (chmod 400) would be silently replaced and lose its mode. Take the mode as their
   * decision instead, and say which keys were not written and how to allow it.
   */
  private async refuseReadOnly(target: string, changed: string[]): Promise<void> {
    let mode: number;
    try {
      mode = (await this.io.stat(target)).mode;
    } catch {
      return; // Gone since it was read: the write creates it, nothing to protect.
    }
    if ((mode & 0o200) !== 0) return;
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    const keys = changed.length > 0 ? changed.join(', ').replace(/, ([^,]*)$/, ' and $1') : 'the changes';
    throw new ConfigError(
      this.displayPath,
      undefined,
      undefined,
      `is read-only (mode ${octal}), so ${keys} ${changed.length === 1 ? 'was' : 'were'} not written; ` +
        `to let sparkify-dwh update it, run: ${allowWriteCommand(this.displayPath)}`,
    );
  }

  async createFromExample(): Promise<GitIgnored> {
    if (
      await this.io.lstat(this.path).then(
        () => true,
        () => false,
      )
    ) {
      throw new ConfigError(
        this.displayPath,
        undefined,
        undefined,
        'already exists; not overwriting it with dwh.cfg.example',
      );
    }
    const examplePath = fileURLToPath(this.exampleUrl);
    let bytes: Uint8Array;
    try {
      bytes = await this.io.readFile(examplePath);
    } catch (error) {
      throw new ConfigError(
        examplePath,
        undefined,
        undefined,
        `cannot be read (${describeFileError(error)}); reinstall sparkify-dwh`,
      );
    }
    const document = parseBytes(bytes, examplePath, PARSE_OPTIONS);
    try {
      await writeFileAtomic(this.path, bytes, this.io);
    } catch (error) {
      throw new ConfigError(
        this.displayPath,
        undefined,
        undefined,
        `could not be created (${describeFileError(error)})`,
      );
    }
    this.document = document;
    return ignoreInGit(this.path);
  }

  private async readFromDisk(): Promise<{ document: IniDocument; text: string } | undefined> {
    const special = await this.io.stat(this.path).then(
      (stats) => specialFileKind(stats.mode),
      () => undefined, // Missing or unreadable: the read below says which.
    );
    if (special !== undefined)
      throw new ConfigError(
        this.displayPath,
        undefined,
        undefined,
        `is ${special}, not a file; pass the path of the file with --config`,
      );
    let bytes: Uint8Array;
    try {
      bytes = await this.io.readFile(this.path);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw new ConfigError(this.displayPath, undefined, undefined, cannotReadProblem(error));
    }
    const document = parseBytes(bytes, this.displayPath, PARSE_OPTIONS);
    return { document, text: document.serialize() };
  }
}

/**
 * The secret values in the file (every key the table in schema.ts marks secret, and the password
 * inside POSTGRES_URL), so the UI can redact them from everything it prints. Raw values: this works
 * even when the file would not validate.
 */
export function secretsIn(store: ConfigStore): string[] {
  return secretValues((section, key) => store.get(section, key));
}

/**
 * A warning when the file holds a secret and other users may read it (group or world readable).
 * Windows has no such mode bits, so there is nothing to say there.
 */
export function permissionWarning(store: ConfigStore): string | undefined {
  if (process.platform === 'win32') return undefined;
  let mode: number;
  try {
    mode = statSync(store.path).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o044) === 0) return undefined;
  if (secretsIn(store).length === 0) return undefined;
  const octal = mode.toString(8).padStart(4, '0');
  return (
    `${store.displayPath} holds secrets and other users can read it (mode ${octal}); run: chmod 600 ` +
    `${shellQuote(store.displayPath)}`
  );
}

function allowWriteCommand(path: string): string {
  return process.platform === 'win32' ? `attrib -r "${path}"` : `chmod u+w ${shellQuote(path)}`;
}

function shellQuote(path: string): string {
  return /^[A-Za-z0-9_./~-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

/**
 * What a path that is neither a file nor a folder is, from its mode; undefined for those two.
 * Reading a named pipe waits for a writer forever, and a device reads as nothing (or never ends).
 */
function specialFileKind(mode: number): string | undefined {
  switch (mode & constants.S_IFMT) {
    case constants.S_IFIFO:
      return 'a named pipe';
    case constants.S_IFSOCK:
      return 'a socket';
    case constants.S_IFCHR:
    case constants.S_IFBLK:
      return 'a device';
    default:
      return undefined; // a file, a folder (named by the read), or a type this platform does not report
  }
}

function cannotReadProblem(error: unknown): string {
  switch (errnoCode(error)) {
    case 'EISDIR':
      return 'is a folder, not a file; pass the path of the file with --config';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied); check its owner and permissions with ls -l';
    case 'ENOTDIR':
      return 'cannot be read (a part of the path is a file, not a folder); check the path given to --config';
    default:
      return `cannot be read (${describeFileError(error)})`;
  }
}

function describeFileError(error: unknown): string {
  // Written next to the file: a missing path means its folder is gone.
  return (
    errnoText(error, { ENOENT: 'the folder does not exist' }) ??
    (error instanceof Error ? error.message : String(error))
  );
}
