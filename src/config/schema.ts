/**
 * Every dwh.cfg key, once (docs/configuration.md describes them for people).
 *
 * A row says where a key lives ([SECTION] KEY), which typed field of DwhConfig it fills, how its
 * value is checked and converted, whether it is a secret or a path, and its default. The rest is
 * derived from the table, so no two places can disagree about a key:
 * - `readValues`: the typed, validated DwhConfig;
 * - `secretValues` (redaction) and `lineMayHoldSecret` (which broken lines the INI parser must not
 *   quote in an error);
 * - `WRITE_BACK` and `changesFor`: the keys the wizard writes back after making AWS resources.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { IniValue, UnparsedLine } from './ini.js';
import { DWH_ACCESS_MODES, TARGETS, type ConfigChange, type DwhConfig } from './types.js';
import {
  CLUSTER_TYPES,
  validateAccess,
  validateAccessKeyId,
  validateBaseRpu,
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
  validatePauseAfterHours,
  validatePostgresUrl,
  validateProfileName,
  validateRedshiftPassword,
  validateRedshiftPort,
  validateRegion,
  validateS3ObjectUrl,
  validateS3Url,
  validateSecretAccessKey,
  validateTarget,
  validateUserName,
  type Validation,
} from './validate.js';

export const DEFAULT_EMBEDDED_DIR = '.sparkify/warehouse';
export const DEFAULT_LOCAL_SONG_DATA = 'data/song_data';
export const DEFAULT_LOCAL_LOG_DATA = 'data/log_data';
/** Where the Udacity bucket (the default source data) lives. */
export const DEFAULT_S3_REGION = 'us-west-2';
/** The smallest base capacity that holds up to 128 TB; docs/redshift.md explains the choice. */
export const DEFAULT_BASE_RPU = 8;

/** A raw value as written (quotes removed) by section and key, case-insensitive; undefined when absent. */
export type RawLookup = (section: string, key: string) => string | undefined;

/** A default as written in dwh.cfg, or one worked out from other raw values. */
type Default = string | ((raw: RawLookup) => string);

interface KeyCommon {
  section: string;
  key: string;
  /** Checks the value (after `normalize`); returns true or a one-line problem. */
  validate: (value: string) => Validation;
  /** Applied before validation, so the value is checked as the wizard will use it. */
  normalize?: (value: string) => string;
  /**
   * 'value': the whole value must never be shown; 'url-password': the password inside the URL
   * (as written and percent-decoded) must never be shown.
   */
  secret?: 'value' | 'url-password';
  /** A file or folder, relative to the folder that holds dwh.cfg; `~/` means the home folder. */
  path?: true;
}

/**
 * One row. `parse` turns the validated value into the typed field; a field that DwhConfig always
 * has (no `?`) must have a default.
 */
export type KeyDefinition<T> = KeyCommon & { parse: (value: string) => NonNullable<T> } & (undefined extends T
    ? { default?: Default }
    : { default: Default });

/** The table's shape: exactly one row per field of DwhConfig, typed like the field. */
export type KeyTable = {
  readonly [S in keyof DwhConfig]: { readonly [F in keyof DwhConfig[S]]-?: KeyDefinition<DwhConfig[S][F]> };
};

/** "dwh.port", "cluster.host"…: a field of DwhConfig by its section and name. */
export type FieldPath = { [S in keyof DwhConfig]: `${S}.${keyof DwhConfig[S] & string}` }[keyof DwhConfig];

const asText = (value: string): string => value;
const asNumber = (value: string): number => Number(value);
/** For a key whose validator accepts exactly `values`: the value, typed as one of them. */
function asOneOf<T extends string>(values: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(values as readonly string[]).includes(value))
      throw new TypeError(`${value} is not one of ${values.join(', ')}`);
    return value as T;
  };
}
/** Paths are not checked: any name the file system takes is fine, and a wrong one is reported when used. */
const anyPath = (): Validation => true;

export const CONFIG_KEYS: KeyTable = {
  aws: {
    key: { section: 'AWS', key: 'KEY', validate: validateAccessKeyId, parse: asText, secret: 'value' },
    secret: { section: 'AWS', key: 'SECRET', validate: validateSecretAccessKey, parse: asText, secret: 'value' },
    region: { section: 'AWS', key: 'REGION', validate: validateRegion, parse: asText },
    profile: { section: 'AWS', key: 'PROFILE', validate: validateProfileName, parse: asText },
  },
  dwh: {
    clusterType: {
      section: 'DWH',
      key: 'DWH_CLUSTER_TYPE',
      validate: validateClusterType,
      parse: asOneOf(CLUSTER_TYPES),
    },
    numNodes: { section: 'DWH', key: 'DWH_NUM_NODES', validate: validateNodeCount, parse: asNumber },
    nodeType: { section: 'DWH', key: 'DWH_NODE_TYPE', validate: validateNodeType, parse: asText },
    iamRoleName: { section: 'DWH', key: 'DWH_IAM_ROLE_NAME', validate: validateIamRoleName, parse: asText },
    clusterIdentifier: {
      section: 'DWH',
      key: 'DWH_CLUSTER_IDENTIFIER',
      validate: validateClusterIdentifier,
      // Redshift stores identifiers in lower case (the Udacity file says "dwhCluster"); do the same.
      normalize: (value) => value.toLowerCase(),
      parse: asText,
    },
    db: { section: 'DWH', key: 'DWH_DB', validate: validateDatabaseName, parse: asText },
    dbUser: { section: 'DWH', key: 'DWH_DB_USER', validate: validateUserName, parse: asText },
    // Optional: empty means the password is not kept in dwh.cfg (docs/redshift.md says who manages it).
    dbPassword: {
      section: 'DWH',
      key: 'DWH_DB_PASSWORD',
      validate: validateRedshiftPassword,
      parse: asText,
      secret: 'value',
    },
    port: { section: 'DWH', key: 'DWH_PORT', validate: validateRedshiftPort, parse: asNumber },
    access: {
      section: 'DWH',
      key: 'DWH_ACCESS',
      validate: validateAccess,
      parse: asOneOf(DWH_ACCESS_MODES),
      // Files written before DWH_ACCESS existed opened the cluster to DWH_ALLOWED_CIDR: they keep working.
      default: (raw) => (raw('DWH', 'DWH_ALLOWED_CIDR') ? 'public' : 'private'),
    },
    allowedCidr: { section: 'DWH', key: 'DWH_ALLOWED_CIDR', validate: validateCidr, parse: asText },
    baseRpu: {
      section: 'DWH',
      key: 'DWH_BASE_RPU',
      validate: validateBaseRpu,
      parse: asNumber,
      default: String(DEFAULT_BASE_RPU),
    },
    pauseAfterHours: {
      section: 'DWH',
      key: 'DWH_PAUSE_AFTER_HOURS',
      validate: validatePauseAfterHours,
      parse: asNumber,
    },
  },
  cluster: {
    host: { section: 'CLUSTER', key: 'HOST', validate: validateHost, parse: asText },
    dbName: { section: 'CLUSTER', key: 'DB_NAME', validate: validateDatabaseName, parse: asText },
    dbUser: { section: 'CLUSTER', key: 'DB_USER', validate: validateUserName, parse: asText },
    dbPassword: {
      section: 'CLUSTER',
      key: 'DB_PASSWORD',
      validate: validateRedshiftPassword,
      parse: asText,
      secret: 'value',
    },
    dbPort: { section: 'CLUSTER', key: 'DB_PORT', validate: validateRedshiftPort, parse: asNumber },
  },
  iamRole: {
    arn: { section: 'IAM_ROLE', key: 'ARN', validate: validateIamRoleArn, parse: asText },
  },
  s3: {
    logData: { section: 'S3', key: 'LOG_DATA', validate: validateS3Url, parse: asText },
    logJsonPath: { section: 'S3', key: 'LOG_JSONPATH', validate: validateS3ObjectUrl, parse: asText },
    songData: { section: 'S3', key: 'SONG_DATA', validate: validateS3Url, parse: asText },
    region: { section: 'S3', key: 'REGION', validate: validateRegion, parse: asText, default: DEFAULT_S3_REGION },
  },
  warehouse: {
    target: {
      section: 'WAREHOUSE',
      key: 'TARGET',
      validate: validateTarget,
      parse: asOneOf(TARGETS),
      default: 'embedded',
    },
    embeddedDir: {
      section: 'WAREHOUSE',
      key: 'EMBEDDED_DIR',
      validate: anyPath,
      parse: asText,
      path: true,
      default: DEFAULT_EMBEDDED_DIR,
    },
    postgresUrl: {
      section: 'WAREHOUSE',
      key: 'POSTGRES_URL',
      validate: validatePostgresUrl,
      parse: asText,
      secret: 'url-password',
    },
  },
  local: {
    songData: {
      section: 'LOCAL',
      key: 'SONG_DATA',
      validate: anyPath,
      parse: asText,
      path: true,
      default: DEFAULT_LOCAL_SONG_DATA,
    },
    logData: {
      section: 'LOCAL',
      key: 'LOG_DATA',
      validate: anyPath,
      parse: asText,
      path: true,
      default: DEFAULT_LOCAL_LOG_DATA,
    },
  },
};

/** A row of the table with the field it fills. */
export type ConfigKey = KeyCommon & {
  field: FieldPath;
  parse: (value: string) => unknown;
  default?: Default;
};

/** The table as a list, in table order (which is also the order of dwh.cfg.example). */
export const CONFIG_KEY_LIST: readonly ConfigKey[] = Object.entries(CONFIG_KEYS).flatMap(([group, fields]) =>
  Object.entries(fields as Record<string, KeyDefinition<unknown>>).map(
    // The names come from KeyTable, whose keys are exactly DwhConfig's sections and fields.
    ([name, definition]) => ({ ...definition, field: `${group}.${name}` as FieldPath }),
  ),
);

const BY_FIELD = new Map(CONFIG_KEY_LIST.map((row) => [row.field, row]));

/** The row of a field: its [SECTION] and KEY, validator and the rest. */
export function keyOf(field: FieldPath): ConfigKey {
  return BY_FIELD.get(field)!;
}

/** The row for a key as written in dwh.cfg (case-insensitive), if it is one the wizard knows. */
export function findKey(section: string, key: string): ConfigKey | undefined {
  const [lowerSection, lowerKey] = [section.toLowerCase(), key.toLowerCase()];
  return CONFIG_KEY_LIST.find(
    (row) => row.section.toLowerCase() === lowerSection && row.key.toLowerCase() === lowerKey,
  );
}

/** Rules about two keys together, checked after every key has been read; a problem is reported on `key`. */
const CROSS_CHECKS: ReadonlyArray<{ section: string; key: string; check: (values: DwhConfig) => Validation }> = [
  {
    section: 'DWH',
    key: 'DWH_NUM_NODES',
    check: ({ dwh }) =>
      dwh.clusterType !== undefined && dwh.numNodes !== undefined
        ? validateClusterShape(dwh.clusterType, dwh.numNodes)
        : true,
  },
];

/** Where readValues finds values: an IniDocument, or anything that looks keys up the same way. */
export interface ValueSource {
  lookup(section: string, key: string): Pick<IniValue, 'section' | 'key' | 'value'> | undefined;
}

/**
 * Reads and validates every key of the table into a DwhConfig. An empty value counts as not set
 * (its default applies); paths are resolved against `folder`; a bad value throws a ConfigError
 * naming `file`, section and key in one line, never showing a secret.
 */
export function readValues(source: ValueSource | undefined, folder: string, file: string): DwhConfig {
  const raw: RawLookup = (section, key) => source?.lookup(section, key)?.value;
  // Validators never repeat a secret; this catches a secret reused as another key's value.
  const secrets = secretValues(raw).filter((secret) => secret.length >= 4);
  const problem = (section: string, key: string, message: string): ConfigError => {
    const found = source?.lookup(section, key);
    const redacted = secrets.reduce((text, secret) => text.split(secret).join('the value'), message);
    return new ConfigError(file, found?.section ?? section, found?.key ?? key, redacted);
  };

  const readOne = (row: ConfigKey): unknown => {
    let value = raw(row.section, row.key);
    if (value?.includes('\n')) {
      throw problem(
        row.section,
        row.key,
        'the value continues on the indented line below it; remove that line’s indentation (an indented line ' +
          'continues the key above it)',
      );
    }
    if (value === undefined || value === '') {
      if (row.default === undefined) return undefined;
      value = typeof row.default === 'string' ? row.default : row.default(raw);
    }
    if (row.normalize) value = row.normalize(value);
    const valid = row.validate(value);
    if (valid !== true) throw problem(row.section, row.key, valid);
    return row.parse(row.path ? resolvePath(folder, value) : value);
  };

  const values: Record<string, Record<string, unknown>> = {};
  for (const row of CONFIG_KEY_LIST) {
    const [group, name] = row.field.split('.') as [string, string];
    (values[group] ??= {})[name] = readOne(row);
  }
  // Sound because KeyTable has one row per field of DwhConfig, whose `parse` returns that field's type.
  const config = values as unknown as DwhConfig;
  for (const rule of CROSS_CHECKS) {
    const valid = rule.check(config);
    if (valid !== true) throw problem(rule.section, rule.key, valid);
  }
  return config;
}

/** `~` and `~/…` are the home folder; anything else is relative to the folder of dwh.cfg. */
function resolvePath(folder: string, value: string): string {
  return resolve(folder, value === '~' || value.startsWith('~/') ? homedir() + value.slice(1) : value);
}

/**
 * The secret values in a file, for redaction: every `secret` key's value, and the password inside
 * POSTGRES_URL as written and percent-decoded (either may show up in output). Raw values, so this
 * works even for a file that would not validate. Unique, in table order.
 */
export function secretValues(raw: RawLookup): string[] {
  const found = CONFIG_KEY_LIST.flatMap((row) => {
    const value = row.secret ? raw(row.section, row.key) : undefined;
    if (value === undefined || value === '') return [];
    return row.secret === 'url-password' ? passwordsInUrl(value) : [value];
  });
  return [...new Set(found)];
}

/**
 * The password inside a URL, as written and percent-decoded: in the userinfo
 * (`postgres://user:secret@host`) and as a `?password=` parameter, which node-postgres reads too.
 */
function passwordsInUrl(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const found: string[] = [];
  const encoded = parsed.password;
  if (encoded !== '') {
    found.push(encoded);
    try {
      found.push(decodeURIComponent(encoded));
    } catch {
      // A malformed escape: the raw form is all there is.
    }
  }
  // searchParams decodes; the raw text as written in the file may show up in output as well.
  for (const value of parsed.searchParams.getAll('password')) if (value !== '') found.push(value);
  for (const raw of /[?&]password=([^&#]*)/.exec(parsed.search)?.slice(1) ?? []) if (raw !== '') found.push(raw);
  return [...new Set(found)];
}

/**
 * A broken line in [AWS] is most likely a pasted key pair (such as a line of ~/.aws/credentials
 * without its "KEY ="), so none of them is shown.
 */
const SECRET_SECTIONS = new Set(['aws']);
const SECRET_KEY_NAMES = new Set(CONFIG_KEY_LIST.filter((row) => row.secret).map((row) => row.key.toLowerCase()));

/**
 * For the INI parser: whether a line it cannot parse may hold (part of) a secret, and so must not be
 * quoted in the error. True for a line in a secret section, a line that starts with a secret key's
 * name (in any section: a misplaced key is still a secret), a line right under a secret key (a
 * value wrapped onto the next line), and a line that looks like a password or a URL with one.
 */
export function lineMayHoldSecret(line: UnparsedLine): boolean {
  const firstWord = (line.text.split(/[\s=:]/)[0] ?? '').toLowerCase();
  return (
    (line.section !== undefined && SECRET_SECTIONS.has(line.section.toLowerCase())) ||
    SECRET_KEY_NAMES.has(firstWord) ||
    (line.previousKey !== undefined && SECRET_KEY_NAMES.has(line.previousKey.toLowerCase())) ||
    /password|secret|:\/\//i.test(line.text)
  );
}

/** The keys the wizard writes back into dwh.cfg, by occasion. */
export const WRITE_BACK = {
  /** What `cluster create` asked for, so dwh.cfg describes the cluster it made. */
  clusterSettings: [
    'dwh.clusterIdentifier',
    'dwh.clusterType',
    'dwh.numNodes',
    'dwh.nodeType',
    'dwh.iamRoleName',
    'dwh.db',
    'dwh.dbUser',
    'dwh.dbPassword',
    'dwh.port',
  ],
  /** How to connect, once the cluster is available. */
  connection: ['cluster.host', 'cluster.dbName', 'cluster.dbUser', 'cluster.dbPassword', 'cluster.dbPort'],
  /** The role's ARN, once it exists. */
  role: ['iamRole.arn'],
} as const satisfies Record<string, readonly FieldPath[]>;

/** Typed values for some fields of DwhConfig, as changesFor takes them. */
export type PartialValues = { [S in keyof DwhConfig]?: { [F in keyof DwhConfig[S]]?: DwhConfig[S][F] | undefined } };

/**
 * The dwh.cfg changes that record `values` for `fields`, in the order of `fields`. A field whose
 * value is undefined or empty is left out (there is nothing to record); numbers are written in
 * decimal.
 */
export function changesFor(fields: readonly FieldPath[], values: PartialValues): ConfigChange[] {
  return fields.flatMap((field) => {
    const [group, name] = field.split('.') as [keyof DwhConfig, string];
    // PartialValues holds DwhConfig's field types: strings and numbers.
    const value = (values[group] as Record<string, string | number | undefined> | undefined)?.[name];
    if (value === undefined || value === '') return [];
    const { section, key } = keyOf(field);
    return [{ section, key, value: String(value) }];
  });
}
