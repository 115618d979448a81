/**
 * Where AWS credentials come from: the credentials already set up (environment, AWS_PROFILE,
 * profiles in the shared config and credentials files, SSO included, [AWS] KEY/SECRET), the
 * settings every AWS client is made with, and the STS check of a choice. Prints and asks nothing.
 *
 * Everything the user does not set is left to the SDK's standard chain (AWS_ENDPOINT_URL,
 * retries, SSO token refresh…), so an emulator works unchanged.
 */
import type { DwhConfig } from '../config/types.js';
import type { AwsClients, AwsSettings } from './clients.js';
import { SPARKIFY_BUCKET_REGION } from './naming.js';
import { getCallerIdentity, type CallerIdentity } from './sts.js';

export const DEFAULT_REGION = SPARKIFY_BUCKET_REGION;

/** The region the user set: [AWS] REGION, else AWS_REGION / AWS_DEFAULT_REGION; undefined when none. */
export function configuredRegion(config: DwhConfig, env: NodeJS.ProcessEnv): string | undefined {
  return config.aws.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

/** The region: the one the user set, else us-west-2 (the data's region). */
export function regionFrom(config: DwhConfig, env: NodeJS.ProcessEnv): string {
  return configuredRegion(config, env) ?? DEFAULT_REGION;
}

/**
 * The AwsSettings a context makes its clients with: [AWS] KEY/SECRET when both are set (the
 * seed's way), else AWS_PROFILE when set (named, so SSO messages can name it), else nothing:
 * the SDK's default chain (environment keys, default profile, SSO, instance roles).
 */
export function awsSettingsFrom(config: DwhConfig, env: NodeJS.ProcessEnv): AwsSettings {
  const region = regionFrom(config, env);
  if (config.aws.key && config.aws.secret) {
    return { region, keys: { accessKeyId: config.aws.key, secretAccessKey: config.aws.secret } };
  }
  if (env.AWS_PROFILE) return { region, profile: env.AWS_PROFILE };
  return { region };
}

export type CredentialSourceKind = 'config-keys' | 'env-keys' | 'profile' | 'typed';

export interface CredentialSource {
  kind: CredentialSourceKind;
  /** What the menu shows: "profile dev (SSO)", "AWS_ACCESS_KEY_ID from the environment". Never a secret. */
  label: string;
  profile?: string;
  sso?: boolean;
}

/** Profiles in the shared config and credentials files (AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE honoured). */
export async function listProfiles(): Promise<Array<{ name: string; sso: boolean }>> {
  const { loadSharedConfigFiles } = await import('@smithy/shared-ini-file-loader');
  // ignoreCache: the credentials step may run after the user edited the files in another window.
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  // The loader also returns [sso-session X] and [services X] sections, as "sso-session.X": not profiles.
  const isProfile = (name: string): boolean => !/^(sso-session|services)\./.test(name);
  const names = new Set([...Object.keys(credentialsFile), ...Object.keys(configFile)].filter(isProfile));
  return [...names]
    .sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)))
    .map((name) => {
      const section = configFile[name] ?? {};
      return { name, sso: Boolean(section.sso_session || section.sso_start_url || section.sso_account_id) };
    });
}

/** What is already set up, in the order the SDK would pick it. */
export async function discoverCredentialSources(
  config: DwhConfig,
  env: NodeJS.ProcessEnv,
): Promise<CredentialSource[]> {
  const sources: CredentialSource[] = [];
  if (config.aws.key && config.aws.secret)
    sources.push({ kind: 'config-keys', label: 'KEY and SECRET in dwh.cfg [AWS]' });
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const temporary = env.AWS_SESSION_TOKEN ? ' (temporary, with a session token)' : '';
    sources.push({ kind: 'env-keys', label: `AWS_ACCESS_KEY_ID from the environment${temporary}` });
  }
  const profiles: Array<{ name: string; sso: boolean }> = await listProfiles().catch(() => []);
  const current = env.AWS_PROFILE;
  if (current && !profiles.some((profile) => profile.name === current)) profiles.unshift({ name: current, sso: false });
  for (const profile of profiles) {
    const marks = [profile.sso ? 'SSO' : '', profile.name === current ? 'AWS_PROFILE' : ''].filter(Boolean);
    sources.push({
      kind: 'profile',
      label: `profile ${profile.name}${marks.length ? ` (${marks.join(', ')})` : ''}`,
      profile: profile.name,
      sso: profile.sso,
    });
  }
  return sources;
}

/** The settings for a discovered profile or environment keys (dwh.cfg keys go through awsSettingsFrom). */
export function settingsForSource(source: CredentialSource, region: string): AwsSettings {
  if (source.kind === 'profile') return { region, profile: source.profile };
  // Environment keys are the SDK chain's first choice when no profile is named.
  return { region };
}

/**
 * Who `settings` sign in as, asked of STS. `clients` were made for this check only (from
 * `settings`), so they are closed after it, whatever the answer.
 */
export async function verifyCredentials(clients: AwsClients, settings: AwsSettings): Promise<CallerIdentity> {
  try {
    return await getCallerIdentity(clients.sts, { profile: settings.profile, region: settings.region });
  } finally {
    for (const client of [clients.redshift, clients.iam, clients.ec2, clients.sts]) client.destroy();
  }
}
