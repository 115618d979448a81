/**
 * dwh.cfg on disk (docs/configuration.md): read and validated into a typed DwhConfig, written back atomically
 * keeping the user's comments, order, spelling and unknown keys.
 *
 * Paths in the file (EMBEDDED_DIR, [LOCAL] SONG_DATA and LOG_DATA) are relative to the folder that
 * holds dwh.cfg, not to the current directory, so `sparkify-dwh -c ../other/dwh.cfg` reads the
 * same data as running it from that folder. A leading `~/` means the home folder.
 */
import { statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { writeFileAtomic, type AtomicWriteIo } from './atomic.js';
import { IniDocument, parseBytes } from './ini.js';
import type { ConfigChange, ConfigStore, DwhConfig } from './types.js';
import {
  validateAccessKeyId,
  validateCidr,
  validateClusterIdentifier,
  validateClusterShape,
  validateClusterType,
  validateDatabaseName,
  validateHost,
  validateIamRoleArn,
  validateIamRoleName,
  validateNodeCount,
  validateNodeType,
  validatePostgresUrl,
  validateProfileName,
  validateRedshiftPassword,
  validateRedshiftPort,
  validateRegion,
  validateS3Url,
  validateSecretAccessKey,
  validateTarget,
  validateUserName,
  type Validation,
} from './validate.js';

export const DEFAULT_EMBEDDED_DIR = '.sparkify/warehouse';
export const DEFAULT_LOCAL_SONG_DATA = 'data/song_data';
export const DEFAULT_LOCAL_LOG_DATA = 'data/log_data';

/** Where dwh.cfg.example lives: the package root, from both src/config and dist/config. */
export const EXAMPLE_URL = new URL('../../dwh.cfg.example', import.meta.url);

/** File-system calls the store makes; tests replace some to simulate failures. */
export interface ConfigIo extends AtomicWriteIo {
  readFile: (path: string) => Promise<Uint8Array>;
  realpath: (path: string) => Promise<string>;
  lstat: (path: string) => Promise<unknown>;
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

  async update(changes: ConfigChange[]): Promise<void> {
    // Re-read: the user may have edited the file since it was opened, and those edits must survive.
    const current = await this.readFromDisk();
    const document = current?.document ?? IniDocument.parse('', this.displayPath);
    for (const change of changes) document.set(change.section, change.key, change.value);
    const text = document.serialize();
    if (current && text === current.text) {
      this.document = document;
      return;
    }
    // Write through a symlink (e.g. a dotfiles checkout) instead of replacing the link with a file.
    const target = current ? await this.io.realpath(this.path).catch(() => this.path) : this.path;
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
  }

  async createFromExample(): Promise<void> {
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
    const document = parseBytes(bytes, examplePath);
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
  }

  private async readFromDisk(): Promise<{ document: IniDocument; text: string } | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await this.io.readFile(this.path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw new ConfigError(this.displayPath, undefined, undefined, cannotReadProblem(error));
    }
    const document = parseBytes(bytes, this.displayPath);
    return { document, text: document.serialize() };
  }
}

/** The region of the Sparkify bucket (s3://udacity-dend), the default for [S3] REGION. */
export const DEFAULT_S3_REGION = 'us-west-2';

/** Reads and validates each known key; an empty value counts as not set. */
function readValues(document: IniDocument | undefined, folder: string, file: string): DwhConfig {
  const secrets = [
    ['AWS', 'KEY'],
    ['AWS', 'SECRET'],
    ['DWH', 'DWH_DB_PASSWORD'],
    ['CLUSTER', 'DB_PASSWORD'],
    ['WAREHOUSE', 'POSTGRES_URL'],
  ]
    .map(([section, key]) => document?.get(section!, key!))
    .concat(postgresPasswords(document?.get('WAREHOUSE', 'POSTGRES_URL')))
    .filter((value): value is string => value !== undefined && value.length >= 4);

  const problem = (section: string, key: string, message: string): ConfigError => {
    const found = document?.lookup(section, key);
    // Validators never repeat a secret; this catches a secret reused as another key's value.
    const redacted = secrets.reduce((text, secret) => text.split(secret).join('the value'), message);
    return new ConfigError(file, found?.section ?? section, found?.key ?? key, redacted);
  };

  const read = (
    section: string,
    key: string,
    validate: (value: string) => Validation,
    normalize = (value: string) => value,
  ): string | undefined => {
    const found = document?.lookup(section, key);
    if (found === undefined || found.value === '') return undefined;
    if (found.value.includes('\n')) {
      throw problem(
        section,
        key,
        'the value continues on the indented line below it; remove that line’s indentation (an indented line continues the key above it)',
      );
    }
    const value = normalize(found.value);
    const result = validate(value);
    if (result !== true) throw problem(section, key, result);
    return value;
  };
  const readNumber = (section: string, key: string, validate: (value: string) => Validation): number | undefined => {
    const value = read(section, key, validate);
    return value === undefined ? undefined : Number(value);
  };
  const readPath = (section: string, key: string, fallback: string): string => {
    const value = read(section, key, () => true) ?? fallback;
    return resolve(folder, value === '~' || value.startsWith('~/') ? homedir() + value.slice(1) : value);
  };

  const clusterType = read('DWH', 'DWH_CLUSTER_TYPE', validateClusterType) as 'single-node' | 'multi-node' | undefined;
  const numNodes = readNumber('DWH', 'DWH_NUM_NODES', validateNodeCount);
  if (clusterType !== undefined && numNodes !== undefined) {
    const shape = validateClusterShape(clusterType, numNodes);
    if (shape !== true) throw problem('DWH', 'DWH_NUM_NODES', shape);
  }

  return {
    aws: {
      key: read('AWS', 'KEY', validateAccessKeyId),
      secret: read('AWS', 'SECRET', validateSecretAccessKey),
      region: read('AWS', 'REGION', validateRegion),
      profile: read('AWS', 'PROFILE', validateProfileName),
    },
    dwh: {
      clusterType,
      numNodes,
      nodeType: read('DWH', 'DWH_NODE_TYPE', validateNodeType),
      iamRoleName: read('DWH', 'DWH_IAM_ROLE_NAME', validateIamRoleName),
      // Redshift stores identifiers in lower case (the Udacity file says "dwhCluster"); do the same.
      clusterIdentifier: read('DWH', 'DWH_CLUSTER_IDENTIFIER', validateClusterIdentifier, (value) =>
        value.toLowerCase(),
      ),
      db: read('DWH', 'DWH_DB', validateDatabaseName),
      dbUser: read('DWH', 'DWH_DB_USER', validateUserName),
      dbPassword: read('DWH', 'DWH_DB_PASSWORD', validateRedshiftPassword),
      port: readNumber('DWH', 'DWH_PORT', validateRedshiftPort),
      allowedCidr: read('DWH', 'DWH_ALLOWED_CIDR', validateCidr),
    },
    cluster: {
      host: read('CLUSTER', 'HOST', validateHost),
      dbName: read('CLUSTER', 'DB_NAME', validateDatabaseName),
      dbUser: read('CLUSTER', 'DB_USER', validateUserName),
      dbPassword: read('CLUSTER', 'DB_PASSWORD', validateRedshiftPassword),
      dbPort: readNumber('CLUSTER', 'DB_PORT', validateRedshiftPort),
    },
    iamRole: { arn: read('IAM_ROLE', 'ARN', validateIamRoleArn) },
    s3: {
      logData: read('S3', 'LOG_DATA', validateS3Url),
      logJsonPath: read('S3', 'LOG_JSONPATH', validateS3Url),
      songData: read('S3', 'SONG_DATA', validateS3Url),
      // Where s3://udacity-dend lives; COPY must name the bucket's region, not the cluster's.
      region: read('S3', 'REGION', validateRegion) ?? DEFAULT_S3_REGION,
    },
    warehouse: {
      target: (read('WAREHOUSE', 'TARGET', validateTarget) ?? 'embedded') as DwhConfig['warehouse']['target'],
      embeddedDir: readPath('WAREHOUSE', 'EMBEDDED_DIR', DEFAULT_EMBEDDED_DIR),
      postgresUrl: read('WAREHOUSE', 'POSTGRES_URL', validatePostgresUrl),
    },
    local: {
      songData: readPath('LOCAL', 'SONG_DATA', DEFAULT_LOCAL_SONG_DATA),
      logData: readPath('LOCAL', 'LOG_DATA', DEFAULT_LOCAL_LOG_DATA),
    },
  };
}

/** The password inside a PostgreSQL URL, as written and percent-decoded (either may show up in output). */
function postgresPasswords(url: string | undefined): string[] {
  if (!url) return [];
  let encoded: string;
  try {
    encoded = new URL(url).password;
  } catch {
    return [];
  }
  if (encoded === '') return [];
  let decoded = encoded;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    // A malformed escape: the raw form is all there is.
  }
  return decoded === encoded ? [encoded] : [encoded, decoded];
}

/**
 * The secret values in the file (AWS SECRET, DWH_DB_PASSWORD, DB_PASSWORD, the password inside
 * POSTGRES_URL), so the UI can redact them from everything it prints. Raw values: this works even
 * when the file would not validate.
 */
export function secretsIn(store: ConfigStore): string[] {
  const values = [
    store.get('AWS', 'SECRET'),
    store.get('DWH', 'DWH_DB_PASSWORD'),
    store.get('CLUSTER', 'DB_PASSWORD'),
    ...postgresPasswords(store.get('WAREHOUSE', 'POSTGRES_URL')),
  ];
  return [...new Set(values.filter((value): value is string => value !== undefined && value !== ''))];
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
  const holdsSecret = secretsIn(store).length > 0 || Boolean(store.get('AWS', 'KEY'));
  if (!holdsSecret) return undefined;
  const octal = mode.toString(8).padStart(4, '0');
  return `${store.displayPath} holds secrets and other users can read it (mode ${octal}); run: chmod 600 ${shellQuote(store.displayPath)}`;
}

function shellQuote(path: string): string {
  return /^[A-Za-z0-9_./~-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function cannotReadProblem(error: unknown): string {
  switch (errorCode(error)) {
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
  switch (errorCode(error)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EISDIR':
      return 'a folder is in the way';
    case 'ENOENT':
      return 'the folder does not exist';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
