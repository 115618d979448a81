/**
 * `credentials`: show the AWS credentials already set up (found by src/aws/credentials.ts), let
 * the user pick one or type keys (the secret masked), verify with STS GetCallerIdentity and show
 * who they are; then record the region, and the keys only if the user agrees.
 */
import { createAwsClients, type AwsClients, type AwsSettings } from '../aws/clients.js';
import {
  awsSettingsFrom,
  configuredRegion,
  DEFAULT_REGION,
  discoverCredentialSources,
  settingsForSource,
  verifyCredentials,
  type CredentialSource,
} from '../aws/credentials.js';
import { SPARKIFY_BUCKET_REGION } from '../aws/naming.js';
import type { CallerIdentity } from '../aws/sts.js';
import { validateAccessKeyId, validateRegion, validateSecretAccessKey } from '../config/validate.js';
import type { Context } from '../context.js';
import { UserError } from '../errors.js';
import { registerSecret } from '../ui/redact.js';
import type { MenuStep, StepResult, StepStatus } from './types.js';
import { keysWriteBack, regionWriteBack } from './write-back.js';

export interface CredentialsDeps {
  /** Make clients for the settings (createAwsClients in production). */
  makeClients: (settings: AwsSettings) => Promise<AwsClients>;
  env: NodeJS.ProcessEnv;
}

const defaultDeps = (): CredentialsDeps => ({ makeClients: createAwsClients, env: process.env });

/** `credentials`: choose, verify with STS, show account and ARN. */
export async function runCredentials(ctx: Context, options: Partial<CredentialsDeps> = {}): Promise<StepResult> {
  const deps = { ...defaultDeps(), ...options };
  const config = ctx.config.values();
  const profileAtStart = deps.env.AWS_PROFILE;
  ctx.ui.heading('AWS credentials');

  const region =
    configuredRegion(config, deps.env) ??
    (await ctx.prompts.input({
      message: 'AWS region for the cluster',
      default: DEFAULT_REGION,
      validate: validateRegion,
    }));
  if (region !== SPARKIFY_BUCKET_REGION) {
    ctx.ui.warn(
      `Region ${region} differs from ${SPARKIFY_BUCKET_REGION}, where the Sparkify bucket is: ` +
        'loading will be slower and transfer is billed.',
    );
  }

  const sources = await discoverCredentialSources(config, deps.env);
  let settings: AwsSettings;
  let typedKeys: { accessKeyId: string; secretAccessKey: string } | undefined;
  if (ctx.prompts.unattended) {
    // --yes: exactly what every other command will use.
    settings = awsSettingsFrom({ ...config, aws: { ...config.aws, region } }, deps.env);
  } else {
    const choices: Array<{ name: string; value: CredentialSource | 'type' }> = sources.map((source) => ({
      name: source.label,
      value: source,
    }));
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
      settings = settingsForSource(picked, region);
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
    identity = await verifyCredentials(clients, settings);
  } catch (error) {
    spinner.fail('AWS did not accept the credentials');
    throw error;
  }
  spinner.succeed(`Signed in to account ${identity.account} as ${identity.arn}`);

  const changes = config.aws.region !== region ? regionWriteBack(region) : [];
  if (typedKeys) {
    ctx.ui.warn(
      'Keys saved in dwh.cfg sit in a plain file; ' +
        'an AWS profile (`aws configure --profile sparkify`, or SSO) is safer.',
    );
    const save = await ctx.prompts.confirm({
      message: `Save the key ID and secret in ${ctx.config.displayPath} [AWS] anyway?`,
      default: false,
    });
    if (save) {
      changes.push(...keysWriteBack(typedKeys));
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
