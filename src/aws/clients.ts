import type { RedshiftClient } from '@aws-sdk/client-redshift';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { STSClient } from '@aws-sdk/client-sts';
import { silenceSdkNodeNotice } from './node-notice.js';

/** One SDK client per service, made for one region and one credential source. */
export interface AwsClients {
  readonly region: string;
  readonly redshift: RedshiftClient;
  /** Namespaces and workgroups (TARGET = redshift-serverless). */
  readonly redshiftServerless: RedshiftServerlessClient;
  /** SQL over HTTPS (the Data API): how a Serverless workgroup is reached, with no password. */
  readonly redshiftData: RedshiftDataClient;
  readonly iam: IAMClient;
  readonly ec2: EC2Client;
  readonly sts: STSClient;
}

/** Where credentials come from. Anything not set here is left to the SDK's standard chain. */
export interface AwsSettings {
  region: string;
  /** A named profile from ~/.aws/config or ~/.aws/credentials (SSO profiles included). */
  profile?: string | undefined;
  /** Keys from [AWS] KEY/SECRET in dwh.cfg, or typed in `credentials`. */
  keys?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /**
   * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) from the environment, asked for
   * explicitly: the SDK's default chain skips them whenever AWS_PROFILE is set.
   */
  environmentKeys?: boolean | undefined;
}

/**
 * The credentials the user picked in `credentials` for the rest of the session (the menu), over
 * what dwh.cfg and AWS_PROFILE say. Undefined fields fall back to dwh.cfg and the environment.
 */
export interface AwsChoice {
  credentials?:
    | { kind: 'keys'; accessKeyId: string; secretAccessKey: string }
    | { kind: 'profile'; profile: string }
    | { kind: 'environment' }
    | undefined;
  /** The region typed at the prompt (it is also written to [AWS] REGION). */
  region?: string | undefined;
  /** What the menu shows for the choice: "profile dev (SSO)". Never a secret. */
  label: string;
}

/** Whether two settings make the same clients (the secret is compared, never shown). */
export function sameAwsSettings(a: AwsSettings, b: AwsSettings): boolean {
  return (
    a.region === b.region &&
    a.profile === b.profile &&
    Boolean(a.environmentKeys) === Boolean(b.environmentKeys) &&
    a.keys?.accessKeyId === b.keys?.accessKeyId &&
    a.keys?.secretAccessKey === b.keys?.secretAccessKey
  );
}

/**
 * Make the clients. The SDK is imported here, on first use, so the local path never pays for it.
 * Endpoints (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_REDSHIFT…), retries and everything else come
 * from the SDK's own configuration chain, so emulators work unchanged.
 */
export async function createAwsClients(settings: AwsSettings): Promise<AwsClients> {
  // The SDK prints its 8-line Node-version notice when a client is constructed; the caller says it
  // in one line instead (node-notice.ts), so it must be off before the first `new …Client`.
  silenceSdkNodeNotice(process.env);
  const [
    { RedshiftClient },
    { RedshiftServerlessClient },
    { RedshiftDataClient },
    { IAMClient },
    { EC2Client },
    { STSClient },
  ] = await Promise.all([
    import('@aws-sdk/client-redshift'),
    import('@aws-sdk/client-redshift-serverless'),
    import('@aws-sdk/client-redshift-data'),
    import('@aws-sdk/client-iam'),
    import('@aws-sdk/client-ec2'),
    import('@aws-sdk/client-sts'),
  ]);
  type Credentials = NonNullable<NonNullable<ConstructorParameters<typeof STSClient>[0]>['credentials']>;
  let credentials: Credentials | undefined;
  if (settings.keys) {
    credentials = settings.keys;
  } else if (settings.environmentKeys) {
    const { fromEnv } = await import('@aws-sdk/credential-providers');
    credentials = fromEnv();
  } else if (settings.profile) {
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    credentials = fromNodeProviderChain({ profile: settings.profile });
  }
  const common = { region: settings.region, ...(credentials ? { credentials } : {}), maxAttempts: 5 };
  return {
    region: settings.region,
    redshift: new RedshiftClient(common),
    redshiftServerless: new RedshiftServerlessClient(common),
    redshiftData: new RedshiftDataClient(common),
    iam: new IAMClient(common),
    ec2: new EC2Client(common),
    sts: new STSClient(common),
  };
}

/** Close every client's connections (each holds its own keep-alive sockets). */
export function destroyAwsClients(clients: AwsClients): void {
  const all = [
    clients.redshift,
    clients.redshiftServerless,
    clients.redshiftData,
    clients.iam,
    clients.ec2,
    clients.sts,
  ];
  for (const client of all) {
    client.destroy();
  }
}
