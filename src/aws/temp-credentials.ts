/**
 * A database user and a short-lived password for the `public` pg path when dwh.cfg holds no
 * password: GetClusterCredentialsWithIAM for a provisioned cluster, GetCredentials for a Serverless
 * workgroup. Both map the caller's IAM identity to a database user of its own (IAM:user or
 * IAMR:role), so the tool needs no stored password at all.
 *
 * - GetClusterCredentialsWithIAM: DurationSeconds "Range: 900-3600. Default: 900", the user is
 *   "mapped 1:1 to the source IAM identity"
 *   (https://docs.aws.amazon.com/redshift/latest/APIReference/API_GetClusterCredentialsWithIAM.html).
 * - GetCredentials: "By default, the temporary credentials expire in 900 seconds. You can optionally
 *   specify a duration between 900 seconds (15 minutes) and 3600 seconds (60 minutes)"
 *   (https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_GetCredentials.html).
 *
 * The password never reaches output: the object hides it from JSON.stringify, util.inspect and
 * template strings, and no error message quotes it.
 */
import type { RedshiftClient } from '@aws-sdk/client-redshift';
import type { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { inspect } from 'node:util';
import { callAws } from './errors.js';
import { callServerless } from './serverless.js';

export const MIN_CREDENTIAL_SECONDS = 900;
export const MAX_CREDENTIAL_SECONDS = 3600;

/** A temporary database login. `password` is readable, but never printed by accident. */
export class TemporaryCredentials {
  readonly user: string;
  readonly expiration: Date;
  readonly #password: string;

  constructor(user: string, password: string, expiration: Date) {
    this.user = user;
    this.#password = password;
    this.expiration = expiration;
  }

  get password(): string {
    return this.#password;
  }

  /** Whether the password expires within `marginMs` of `nowMs` (fetch new ones before connecting). */
  expiresWithin(nowMs: number, marginMs: number): boolean {
    return this.expiration.getTime() - nowMs <= marginMs;
  }

  toJSON(): { user: string; password: '[hidden]'; expiration: string } {
    return { user: this.user, password: '[hidden]', expiration: this.expiration.toISOString() };
  }

  toString(): string {
    return `temporary credentials for ${this.user} until ${this.expiration.toISOString()}`;
  }

  [inspect.custom](): string {
    return `TemporaryCredentials { user: ${JSON.stringify(this.user)}, password: [hidden] }`;
  }
}

/** The requested lifetime clamped to what both APIs accept. Pure. */
export function credentialSeconds(seconds: number | undefined): number {
  if (seconds === undefined || !Number.isFinite(seconds)) return MAX_CREDENTIAL_SECONDS;
  return Math.min(MAX_CREDENTIAL_SECONDS, Math.max(MIN_CREDENTIAL_SECONDS, Math.round(seconds)));
}

export type CredentialTarget =
  | { kind: 'cluster'; clusterIdentifier: string; dbName: string }
  | { kind: 'workgroup'; workgroupName: string; dbName: string };

export interface CredentialClients {
  redshift: RedshiftClient;
  redshiftServerless: RedshiftServerlessClient;
}

/**
 * Temporary credentials for the target's database, valid `seconds` (default and at most an hour,
 * so a long load keeps its connection; at least 15 minutes).
 */
export async function temporaryCredentials(
  clients: CredentialClients,
  target: CredentialTarget,
  options: { region?: string | undefined; seconds?: number | undefined; now?: () => number } = {},
): Promise<TemporaryCredentials> {
  const seconds = credentialSeconds(options.seconds);
  const fallbackExpiry = (): Date => new Date((options.now ?? Date.now)() + seconds * 1000);
  if (target.kind === 'cluster') {
    const { GetClusterCredentialsWithIAMCommand } = await import('@aws-sdk/client-redshift');
    const output = await callAws(
      {
        action: 'redshift:GetClusterCredentialsWithIAM',
        doing: `getting temporary database credentials for cluster ${target.clusterIdentifier}`,
        region: options.region,
        clusterIdentifier: target.clusterIdentifier,
      },
      () =>
        clients.redshift.send(
          new GetClusterCredentialsWithIAMCommand({
            ClusterIdentifier: target.clusterIdentifier,
            DbName: target.dbName,
            DurationSeconds: seconds,
          }),
        ),
    );
    if (!output.DbUser || !output.DbPassword) throw new Error('GetClusterCredentialsWithIAM returned no credentials');
    return new TemporaryCredentials(output.DbUser, output.DbPassword, output.Expiration ?? fallbackExpiry());
  }
  const { GetCredentialsCommand } = await import('@aws-sdk/client-redshift-serverless');
  const output = await callServerless(
    {
      action: 'redshift-serverless:GetCredentials',
      doing: `getting temporary database credentials for workgroup ${target.workgroupName}`,
      region: options.region,
    },
    () =>
      clients.redshiftServerless.send(
        new GetCredentialsCommand({
          workgroupName: target.workgroupName,
          dbName: target.dbName,
          durationSeconds: seconds,
        }),
      ),
  );
  if (!output.dbUser || !output.dbPassword) throw new Error('GetCredentials returned no credentials');
  return new TemporaryCredentials(output.dbUser, output.dbPassword, output.expiration ?? fallbackExpiry());
}
