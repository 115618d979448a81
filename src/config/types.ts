/**
 * The typed, validated view of dwh.cfg (docs/configuration.md). Raw strings stay in the INI
 * document. Each field is filled from exactly one key of the table in schema.ts; a field without
 * `?` has a default there, so it is always set.
 */
import type { GitIgnored } from './git-ignore.js';

export const TARGETS = ['embedded', 'postgres', 'redshift', 'redshift-serverless'] as const;
export type Target = (typeof TARGETS)[number];

/** How SQL reaches Redshift: the Data API with IAM credentials, or pg over TLS to a public endpoint. */
export const DWH_ACCESS_MODES = ['private', 'public'] as const;
export type DwhAccess = (typeof DWH_ACCESS_MODES)[number];

export interface AwsSection {
  key?: string | undefined;
  secret?: string | undefined;
  region?: string | undefined;
  /** A profile from the shared AWS config and credentials files. */
  profile?: string | undefined;
}

export interface DwhSection {
  clusterType?: 'single-node' | 'multi-node' | undefined;
  numNodes?: number | undefined;
  nodeType?: string | undefined;
  iamRoleName?: string | undefined;
  clusterIdentifier?: string | undefined;
  db?: string | undefined;
  dbUser?: string | undefined;
  dbPassword?: string | undefined;
  port?: number | undefined;
  allowedCidr?: string | undefined;
  /** DWH_ACCESS; when the file does not say, `public` if DWH_ALLOWED_CIDR is set, else `private`. */
  access: DwhAccess;
  /** Redshift Serverless base capacity in RPUs. */
  baseRpu: number;
  /** Pause a new provisioned cluster automatically this many hours after it was made (0: never). */
  pauseAfterHours?: number | undefined;
}

export interface ClusterSection {
  host?: string | undefined;
  dbName?: string | undefined;
  dbUser?: string | undefined;
  dbPassword?: string | undefined;
  dbPort?: number | undefined;
}

export interface S3Section {
  logData?: string | undefined;
  logJsonPath?: string | undefined;
  songData?: string | undefined;
  /** The bucket's region, which COPY names (the warehouse may be in another one). */
  region: string;
}

export interface WarehouseSection {
  target: Target;
  embeddedDir: string;
  postgresUrl?: string | undefined;
}

export interface LocalSection {
  songData: string;
  logData: string;
}

export interface DwhConfig {
  aws: AwsSection;
  dwh: DwhSection;
  cluster: ClusterSection;
  iamRole: { arn?: string | undefined };
  s3: S3Section;
  warehouse: WarehouseSection;
  local: LocalSection;
}

/** One key to write back into dwh.cfg; `value: undefined` removes the key's value (writes `KEY =`). */
export interface ConfigChange {
  section: string;
  key: string;
  value: string | undefined;
}

/**
 * dwh.cfg as the steps see it. Reads are validated; writes go back into the same file keeping
 * comments, order and unknown keys, atomically, never loosening permissions (mode 0600).
 */
export interface ConfigStore {
  /** Absolute path of the file (it may not exist yet). */
  readonly path: string;
  /** The path as the user gave it, for messages. */
  readonly displayPath: string;
  exists(): boolean;
  /** Validated values; throws ConfigError naming file, section and key for a malformed value. */
  values(): DwhConfig;
  /** Raw value as written (quotes removed), case-insensitive section and key. */
  get(section: string, key: string): string | undefined;
  /**
   * Write changes back atomically (0600), keeping everything else byte for byte. Resolves to
   * whether the file changed: false when every value already was as asked and nothing was written.
   */
  update(changes: ConfigChange[]): Promise<boolean>;
  /**
   * Create the file from dwh.cfg.example (0600) and make the `.gitignore` beside it list it
   * (docs/configuration.md). Resolves to what happened to that `.gitignore`; undefined in a dry run.
   */
  createFromExample(): Promise<GitIgnored | undefined>;
}
