/**
 * Where AWS credentials come from: the credentials already set up (environment, AWS_PROFILE,
 * profiles in the shared config and credentials files, SSO included, [AWS] KEY/SECRET), the
 * settings every AWS client is made with, and the STS check of a choice. Prints and asks nothing.
 *
 * Everything the user does not set is left to the SDK's standard chain (AWS_ENDPOINT_URL,
 * retries, SSO token refresh…), so an emulator works unchanged.
 */
import type { DwhConfig } from '../config/types.js';
import { validateRegion } from '../config/validate.js';
import type { AwsChoice, AwsClients, AwsSettings } from './clients.js';
import { SPARKIFY_BUCKET_REGION } from './naming.js';
import { getCallerIdentity, type CallerIdentity } from './sts.js';

export const DEFAULT_REGION = SPARKIFY_BUCKET_REGION;

/** The region the user set: [AWS] REGION, else AWS_REGION / AWS_DEFAULT_REGION; undefined when none. */
export function configuredRegion(config: DwhConfig, env: NodeJS.ProcessEnv): string | undefined {
  return config.aws.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

type CredentialSettings = Omit<AwsSettings, 'region'>;

/**
 * Where the credentials come from, first match wins: the choice made in `credentials` this session;
 * [AWS] KEY/SECRET when both are set (the seed's way); [AWS] PROFILE; AWS_PROFILE (named, so SSO
 * messages can name it); else nothing: the SDK's default chain (environment keys, default profile,
 * SSO, instance roles). dwh.cfg's profile comes before AWS_PROFILE: the file is this project's choice,
 * the variable the shell's.
 */
export function credentialSettingsFrom(
  config: DwhConfig,
  env: NodeJS.ProcessEnv,
  choice?: AwsChoice['credentials'],
): CredentialSettings {
  if (choice?.kind === 'keys') {
    return { keys: { accessKeyId: choice.accessKeyId, secretAccessKey: choice.secretAccessKey } };
  }
  if (choice?.kind === 'profile') return { profile: choice.profile };
  if (choice?.kind === 'environment') return { environmentKeys: true };
  if (config.aws.key && config.aws.secret) {
    return { keys: { accessKeyId: config.aws.key, secretAccessKey: config.aws.secret } };
  }
  if (config.aws.profile) return { profile: config.aws.profile };
  if (env.AWS_PROFILE) return { profile: env.AWS_PROFILE };
  return {};
}

/** The profile whose settings the SDK reads for these credentials: the named one, else "default". */
function profileInUse(credentials: CredentialSettings): string | undefined {
  if (credentials.keys || credentials.environmentKeys) return undefined;
  return credentials.profile ?? 'default';
}

/** `region` of a profile in the shared config file (AWS_CONFIG_FILE honoured), if it names one. */
export async function profileRegion(profile: string): Promise<string | undefined> {
  try {
    const { loadSharedConfigFiles } = await import('@smithy/shared-ini-file-loader');
    const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
    const region = configFile[profile]?.region ?? credentialsFile[profile]?.region;
    return region && validateRegion(region) === true ? region : undefined;
  } catch {
    // Unreadable or malformed files: the SDK will say so itself when it needs them.
    return undefined;
  }
}

/**
 * The settings a context makes its clients with: the credentials (credentialSettingsFrom) and the
 * region: the one chosen this session, else [AWS] REGION / AWS_REGION / AWS_DEFAULT_REGION, else the
 * region of the profile in use (as the AWS CLI would take it), else us-west-2 (the data's region).
 */
export async function resolveAwsSettings(
  config: DwhConfig,
  env: NodeJS.ProcessEnv,
  choice?: AwsChoice,
): Promise<AwsSettings> {
  const credentials = credentialSettingsFrom(config, env, choice?.credentials);
  const profile = profileInUse(credentials);
  const region =
    choice?.region ??
    configuredRegion(config, env) ??
    (profile === undefined ? undefined : await profileRegion(profile)) ??
    DEFAULT_REGION;
  return { region, ...credentials };
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
  const configured = config.aws.profile;
  for (const name of [current, configured]) {
    if (name && !profiles.some((profile) => profile.name === name)) profiles.unshift({ name, sso: false });
  }
  for (const profile of profiles) {
    const marks = [
      profile.sso ? 'SSO' : '',
      profile.name === configured ? '[AWS] PROFILE' : '',
      profile.name === current ? 'AWS_PROFILE' : '',
    ].filter(Boolean);
    sources.push({
      kind: 'profile',
      label: `profile ${profile.name}${marks.length ? ` (${marks.join(', ')})` : ''}`,
      profile: profile.name,
      sso: profile.sso,
    });
  }
  return sources;
}

/** The session choice for a discovered source; dwh.cfg's keys need none (they are used anyway). */
export function choiceForSource(source: CredentialSource): AwsChoice['credentials'] {
  if (source.kind === 'profile' && source.profile) return { kind: 'profile', profile: source.profile };
  // Explicitly from the environment: the SDK's chain would skip the keys when AWS_PROFILE is set.
  if (source.kind === 'env-keys') return { kind: 'environment' };
  return undefined;
}

/** Who the clients sign in as, asked of STS (GetCallerIdentity needs no permission). */
export async function verifyCredentials(clients: AwsClients, settings: AwsSettings): Promise<CallerIdentity> {
  return getCallerIdentity(clients.sts, { profile: settings.profile, region: settings.region });
}
