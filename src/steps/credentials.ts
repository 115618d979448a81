/**
 * `credentials`: find the AWS credentials already set up (environment, AWS_PROFILE, profiles in
 * the shared config and credentials files, SSO included, [AWS] KEY/SECRET), let the user pick one
 * or type keys (the secret masked), verify with STS GetCallerIdentity and show who they are.
 *
 * Everything the user does not set is left to the SDK's standard chain (AWS_ENDPOINT_URL,
 * retries, SSO token refresh…), so an emulator works unchanged.
 */
import { createAwsClients, type AwsClients, type AwsSettings } from '../aws/clients.js';
import { getCallerIdentity, type CallerIdentity } from '../aws/sts.js';
import type { DwhConfig } from '../config/types.js';
import { validateAccessKeyId, validateRegion, validateSecretAccessKey } from '../config/validate.js';
import type { Context } from '../context.js';
import { UserError } from '../errors.js';
import { registerSecret } from '../ui/redact.js';
import { SPARKIFY_BUCKET_REGION } from './cluster.js';
import type { MenuStep, StepResult, StepStatus } from './types.js';

export const DEFAULT_REGION = SPARKIFY_BUCKET_REGION;

/** The region: [AWS] REGION, else AWS_REGION / AWS_DEFAULT_REGION, else us-west-2 (the data's region). */
export function regionFrom(config: DwhConfig, env: NodeJS.ProcessEnv): string {
  return config.aws.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_REGION;
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
    sources.push({
      kind: 'env-keys',
      label: `AWS_ACCESS_KEY_ID from the environment${env.AWS_SESSION_TOKEN ? ' (temporary, with a session token)' : ''}`,
    });
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

export interface CredentialsDeps {
  /** Make clients for the settings (createAwsClients in production). */
  makeClients: (settings: AwsSettings) => Promise<AwsClients>;
  env: NodeJS.ProcessEnv;
}

const defaultDeps = (): CredentialsDeps => ({ makeClients: createAwsClients, env: process.env });

function settingsFor(source: CredentialSource, region: string): AwsSettings {
  if (source.kind === 'profile') return { region, profile: source.profile };
  // Environment keys are the SDK chain's first choice when no profile is named.
  return { region };
}

/** `credentials`: choose, verify with STS, show account and ARN. */
export async function runCredentials(ctx: Context, options: Partial<CredentialsDeps> = {}): Promise<StepResult> {
  const deps = { ...defaultDeps(), ...options };
  const config = ctx.config.values();
  const profileAtStart = deps.env.AWS_PROFILE;
  ctx.ui.heading('AWS credentials');

  const configuredRegion = config.aws.region || deps.env.AWS_REGION || deps.env.AWS_DEFAULT_REGION;
  const region = configuredRegion
    ? configuredRegion
    : await ctx.prompts.input({
        message: 'AWS region for the cluster',
        default: DEFAULT_REGION,
        validate: validateRegion,
      });
  if (region !== SPARKIFY_BUCKET_REGION) {
    ctx.ui.warn(
      `Region ${region} differs from ${SPARKIFY_BUCKET_REGION}, where the Sparkify bucket is: loading will be slower and transfer is billed.`,
    );
  }

  const sources = await discoverCredentialSources(config, deps.env);
  let settings: AwsSettings;
  let typedKeys: { accessKeyId: string; secretAccessKey: string } | undefined;
  if (ctx.prompts.unattended) {
    // --yes: exactly what every other command will use.
    settings = awsSettingsFrom({ ...config, aws: { ...config.aws, region } }, deps.env);
  } else {
    const choices = sources.map((source) => ({ name: source.label, value: source as CredentialSource | 'type' }));
    choices.push({ name: 'Type an access key ID and secret', value: 'type' });
    const picked = await ctx.prompts.select<CredentialSource | 'type'>({
      message:
        sources.length > 0
          ? 'Which AWS credentials should the wizard use?'
          : 'No AWS credentials found. How do you want to sign in?',
      choices,
      default: sources[0] ?? 'type',
    });
    if (picked === 'type') {
      const accessKeyId = (
        await ctx.prompts.input({ message: 'AWS access key ID', validate: validateAccessKeyId })
      ).trim();
      const secretAccessKey = await ctx.prompts.password({
        message: 'AWS secret access key',
        validate: validateSecretAccessKey,
      });
      registerSecret(secretAccessKey);
      typedKeys = { accessKeyId, secretAccessKey };
      settings = { region, keys: typedKeys };
    } else if (picked.kind === 'config-keys') {
      settings = awsSettingsFrom({ ...config, aws: { ...config.aws, region } }, deps.env);
    } else {
      settings = settingsFor(picked, region);
      if (picked.kind === 'profile' && picked.profile && deps.env.AWS_PROFILE !== picked.profile) {
        // For the rest of this session (the menu); the note below says how to keep it.
        deps.env.AWS_PROFILE = picked.profile;
      }
    }
  }

  const clients = await deps.makeClients(settings);
  let identity: CallerIdentity;
  const spinner = ctx.ui.spinner('Checking the credentials with AWS STS…');
  try {
    identity = await getCallerIdentity(clients.sts, { profile: settings.profile, region });
  } catch (error) {
    spinner.fail('AWS did not accept the credentials');
    throw error;
  } finally {
    for (const client of [clients.redshift, clients.iam, clients.ec2, clients.sts]) client.destroy();
  }
  spinner.succeed(`Signed in to account ${identity.account} as ${identity.arn}`);

  const changes = [];
  if (config.aws.region !== region) changes.push({ section: 'AWS', key: 'REGION', value: region });
  if (typedKeys) {
    ctx.ui.warn(
      'Keys saved in dwh.cfg sit in a plain file; an AWS profile (`aws configure --profile sparkify`, or SSO) is safer.',
    );
    const save = await ctx.prompts.confirm({
      message: `Save the key ID and secret in ${ctx.config.displayPath} [AWS] anyway?`,
      default: false,
    });
    if (save) {
      changes.push(
        { section: 'AWS', key: 'KEY', value: typedKeys.accessKeyId },
        { section: 'AWS', key: 'SECRET', value: typedKeys.secretAccessKey },
      );
    } else {
      ctx.ui.note('Not saved: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or a profile) before the next command.');
      deps.env.AWS_ACCESS_KEY_ID = typedKeys.accessKeyId;
      deps.env.AWS_SECRET_ACCESS_KEY = typedKeys.secretAccessKey;
    }
  }
  if (settings.profile && settings.profile !== profileAtStart) {
    ctx.ui.note(`To use profile ${settings.profile} in later commands too: export AWS_PROFILE=${settings.profile}`);
  }
  if (changes.length > 0) await ctx.config.update(changes);
  return { ok: true, summary: `account ${identity.account}` };
}

/** The menu shows whether credentials are at hand, without a network call. */
export async function credentialsStatus(ctx: Context): Promise<StepStatus> {
  try {
    const sources = await discoverCredentialSources(ctx.config.values(), process.env);
    if (sources.length === 0) return { state: 'todo', detail: 'no credentials found' };
    return { state: 'done', detail: sources[0]!.label };
  } catch (error) {
    if (error instanceof UserError) return { state: 'unavailable', detail: 'dwh.cfg has an error' };
    return { state: 'unavailable' };
  }
}

export const credentialsStep: MenuStep = {
  id: 'credentials',
  title: 'AWS credentials',
  applies: (ctx) => ctx.target() === 'redshift',
  status: credentialsStatus,
  run: (ctx) => runCredentials(ctx),
};
