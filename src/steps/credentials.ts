/**
 * `credentials`: show the AWS credentials already set up (found by src/aws/credentials.ts), let
 * the user pick one or type keys (the secret masked), verify with STS GetCallerIdentity and show
 * who they are. The pick is what every later AWS call of the session uses (the context makes its
 * clients again); the region, a picked profile and typed keys are written to dwh.cfg when the user
 * agrees, so later commands use them too.
 */
import type { AwsChoice } from '../aws/clients.js';
import {
  choiceForSource,
  configuredRegion,
  credentialSettingsFrom,
  DEFAULT_REGION,
  discoverCredentialSources,
  profileRegion,
  resolveAwsSettings,
  verifyCredentials,
  type CredentialSource,
} from '../aws/credentials.js';
import { isNetworkFailure } from '../aws/errors.js';
import type { CallerIdentity } from '../aws/sts.js';
import type { ConfigChange } from '../config/types.js';
import { validateAccessKeyId, validateRegion, validateSecretAccessKey } from '../config/validate.js';
import type { Context } from '../context.js';
import { UserError } from '../errors.js';
import { registerSecret } from '../ui/redact.js';
import type { MenuStep, StepResult, StepStatus } from './types.js';
import { keysWriteBack, profileWriteBack, regionWriteBack } from './write-back.js';

/** The user's pick: nothing (dwh.cfg and the environment as they are), a discovered source, or typed keys. */
async function pickCredentials(
  ctx: Context,
  sources: CredentialSource[],
): Promise<Omit<AwsChoice, 'region'> | 'later'> {
  const choices: Array<{ name: string; value: CredentialSource | 'type' | 'later' }> = sources.map((source) => ({
    name: source.label,
    value: source,
  }));
  choices.push({ name: 'Type an access key ID and secret', value: 'type' });
  // With nothing set up, typing keys should not be the only way on: a profile is the safer one.
  if (sources.length === 0) choices.push({ name: 'Not now: set up a profile first', value: 'later' });
  const current = ctx.awsChoice?.label;
  const picked = await ctx.prompts.select<CredentialSource | 'type' | 'later'>({
    message:
      sources.length > 0
        ? 'Which AWS credentials should the wizard use?'
        : 'No AWS credentials found. How do you want to sign in?',
    choices,
    default: sources.find((source) => source.label === current) ?? sources[0] ?? 'type',
  });
  if (picked === 'later') return 'later';
  if (picked !== 'type') return { credentials: choiceForSource(picked), label: picked.label };
  const accessKeyId = (await ctx.prompts.input({ message: 'AWS access key ID', validate: validateAccessKeyId })).trim();
  const secretAccessKey = await ctx.prompts.password({
    message: 'AWS secret access key',
    validate: validateSecretAccessKey,
  });
  registerSecret(secretAccessKey);
  return { credentials: { kind: 'keys', accessKeyId, secretAccessKey }, label: 'access key typed in this session' };
}

/** `credentials`: choose, verify with STS, show account and ARN. */
export async function runCredentials(ctx: Context): Promise<StepResult> {
  const config = ctx.config.values();
  // No heading of its own: the guided setup heads each step with its title, the menu names it.

  const sources = await discoverCredentialSources(config, ctx.env);
  // --yes: exactly what every other command uses (dwh.cfg, then the environment).
  const picked = ctx.prompts.unattended
    ? { credentials: ctx.awsChoice?.credentials, label: ctx.awsChoice?.label ?? 'as dwh.cfg and the environment say' }
    : await pickCredentials(ctx, sources);
  if (picked === 'later') {
    ctx.ui.note(
      'Set up a profile with `aws configure --profile sparkify` (or `aws configure sso`, then `aws sso login`), ' +
        'then choose AWS credentials again: the wizard finds it.',
    );
    return { ok: false, summary: 'no credentials chosen' };
  }
  const pick: Omit<AwsChoice, 'region'> = picked;

  // The region the user set; else the region of the profile in use, as the AWS CLI takes it; else ask.
  const credentials = credentialSettingsFrom(config, ctx.env, pick.credentials);
  const profile = credentials.keys || credentials.environmentKeys ? undefined : (credentials.profile ?? 'default');
  let region = configuredRegion(config, ctx.env);
  let typedRegion = false;
  if (region === undefined && profile !== undefined) {
    region = await profileRegion(profile);
    if (region) ctx.ui.info(`Region ${region}, from profile ${profile}.`);
  }
  if (region === undefined) {
    region = await ctx.prompts.input({
      message: 'AWS region for the cluster',
      default: DEFAULT_REGION,
      validate: validateRegion,
    });
    typedRegion = true;
  }
  if (region !== config.s3.region) {
    ctx.ui.warn(
      `Region ${region} differs from ${config.s3.region}, where the [S3] data is: ` +
        'loading will be slower and transfer is billed.',
    );
  }

  const previous = ctx.awsChoice;
  // A typed region rides with the choice until it is in dwh.cfg; any other region keeps following
  // dwh.cfg, the environment and the profile (the context makes new clients when they change).
  // Under --yes nothing is chosen: every command uses dwh.cfg and the environment as they are.
  if (!ctx.prompts.unattended || typedRegion) ctx.awsChoice = { ...pick, ...(typedRegion ? { region } : {}) };
  let identity: CallerIdentity;
  const spinner = ctx.ui.spinner('Checking the credentials with AWS STS…');
  try {
    const settings = await resolveAwsSettings(config, ctx.env, ctx.awsChoice);
    identity = await verifyCredentials(await ctx.aws(), settings);
  } catch (error) {
    // A choice AWS refuses is not kept: the session goes on with what worked before.
    ctx.awsChoice = previous;
    // An unreachable AWS judged nothing: saying it refused the keys would send the user to fix the wrong thing.
    spinner.fail(
      isNetworkFailure(error)
        ? 'Could not reach AWS to check the credentials; nothing was saved'
        : 'AWS did not accept the credentials; nothing was saved',
    );
    throw error;
  }
  spinner.succeed(`Signed in to account ${identity.account} as ${identity.arn}`);

  const changes: ConfigChange[] = [];
  // A region from the profile stays with the profile: written, it would no longer follow it.
  if (typedRegion || (config.aws.region === undefined && configuredRegion(config, ctx.env) === region)) {
    changes.push(...regionWriteBack(region));
  }
  changes.push(...(await saveChoice(ctx, config.aws, pick.credentials)));
  if (changes.length > 0) await ctx.config.update(changes);
  if (typedRegion && ctx.awsChoice) {
    const { region: _written, ...rest } = ctx.awsChoice;
    ctx.awsChoice = ctx.prompts.unattended ? previous : rest;
  }
  return { ok: true, summary: `account ${identity.account}` };
}

/** Typed keys or a picked profile, written to [AWS] when the user agrees; otherwise for this session only. */
async function saveChoice(
  ctx: Context,
  aws: { key?: string | undefined; secret?: string | undefined; profile?: string | undefined },
  choice: AwsChoice['credentials'],
): Promise<ConfigChange[]> {
  if (choice?.kind === 'keys') {
    ctx.ui.warn(
      'Keys saved in dwh.cfg sit in a plain file; ' +
        'an AWS profile (`aws configure --profile sparkify`, or SSO) is safer.',
    );
    const save = await ctx.prompts.confirm({
      message: `Save the key ID and secret in ${ctx.config.displayPath} [AWS] anyway?`,
      default: false,
    });
    if (save) return keysWriteBack(choice);
    ctx.ui.note(
      'Not saved: the keys are used until the wizard exits. For later commands, set ' +
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use a profile.',
    );
    return [];
  }
  if (choice?.kind === 'profile' && choice.profile !== aws.profile) {
    const save = await ctx.prompts.confirm({
      message: `Save profile ${choice.profile} as [AWS] PROFILE in ${ctx.config.displayPath}, for later commands too?`,
      default: true,
    });
    if (!save) {
      ctx.ui.note(`Profile ${choice.profile} is used until the wizard exits.`);
      return [];
    }
    if (aws.key && aws.secret) {
      ctx.ui.warn(
        `[AWS] KEY and SECRET in ${ctx.config.displayPath} still come before the profile in later commands: ` +
          'empty them to use the profile.',
      );
    }
    return profileWriteBack(choice.profile);
  }
  return [];
}

/** The menu shows whether credentials are at hand, without a network call. */
export async function credentialsStatus(ctx: Context): Promise<StepStatus> {
  try {
    if (ctx.awsChoice) return { state: 'done', detail: ctx.awsChoice.label };
    const sources = await discoverCredentialSources(ctx.config.values(), ctx.env);
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
