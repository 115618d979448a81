/**
 * AWS failures as one-line UserErrors that say what to do next. The SDK already retried
 * throttling and transient faults (standard retry strategy, maxAttempts in createAwsClients); what
 * reaches here is final. Messages never quote credentials: AWS does not put the secret in its
 * messages, and we add nothing but names (actions, clusters, profiles, regions).
 */
import { errnoCode, errnoText, squeezeSpaces } from '../error-text.js';
import { UserError } from '../errors.js';

/** Where the wizard's docs list the minimal IAM policy for the user running it. */
export const MINIMAL_POLICY_DOC = 'the README, "Minimal IAM policy for the user running the wizard"';

/** The error's name as the SDK sets it (modeled exceptions: the class name; others: the AWS error code). */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  const code = (error as { Code?: unknown }).Code;
  if (typeof name === 'string' && name !== 'Error') return name;
  return typeof code === 'string' ? code : typeof name === 'string' ? name : undefined;
}

export function isAwsError(error: unknown, ...names: string[]): boolean {
  const name = awsErrorName(error);
  return name !== undefined && names.includes(name);
}

export interface AwsErrorContext {
  /** The IAM action that failed, e.g. "redshift:CreateCluster". */
  action: string;
  /** What the wizard was doing, for the message: "creating cluster dwhcluster". */
  doing: string;
  region?: string | undefined;
  profile?: string | undefined;
  nodeType?: string | undefined;
  clusterIdentifier?: string | undefined;
}

const BAD_KEY = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'AuthFailure',
  'IncompleteSignature',
]);
const BAD_SIGNATURE = new Set(['SignatureDoesNotMatch']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired']);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'AccessToClusterDeniedFault',
  'DependentServiceAccessDeniedFault',
]);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'DependentServiceRequestThrottlingFault',
  'SlowDown',
]);

function rawMessage(error: unknown): string {
  return squeezeSpaces(error instanceof Error ? error.message : String(error));
}

/** An SSO or credential-chain failure, before any request was sent. */
function describeCredentialFailure(error: unknown, context: AwsErrorContext): string | undefined {
  const name = awsErrorName(error);
  if (name !== 'CredentialsProviderError' && name !== 'TokenProviderError') return undefined;
  const message = rawMessage(error);
  const profile = context.profile ?? 'default';
  if (/sso/i.test(message) && /expire|refresh|token/i.test(message)) {
    return (
      `the AWS SSO session of profile "${profile}" has expired: ` +
      `run \`aws sso login --profile ${profile}\` and try again`
    );
  }
  if (context.profile) {
    // The chain's own "Could not load credentials from any providers" adds nothing to this line.
    const detail = /from any providers/i.test(message) ? '' : ` (${message})`;
    return (
      `AWS profile "${context.profile}" could not provide credentials${detail}: ` +
      'check that it exists in ~/.aws/config or ~/.aws/credentials, or run `sparkify-dwh credentials`'
    );
  }
  return (
    'no AWS credentials found: set AWS_PROFILE (or [AWS] KEY and SECRET in dwh.cfg), ' +
    'or run `aws configure` / `aws sso login`, then `sparkify-dwh credentials`'
  );
}

/** Whether no credentials could be found at all (also through a UserError that wraps the failure). */
export function isCredentialsMissing(error: unknown): boolean {
  if (error instanceof UserError && error.cause !== undefined) return isCredentialsMissing(error.cause);
  const name = awsErrorName(error);
  return name === 'CredentialsProviderError' || name === 'TokenProviderError';
}

/** Socket-level failures: no answer came from AWS at all, so neither keys nor permissions are at fault. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

/** Whether AWS could not be reached at all (also through a UserError that wraps the failure). */
export function isNetworkFailure(error: unknown): boolean {
  if (error instanceof UserError && error.cause !== undefined) return isNetworkFailure(error.cause);
  const code = errnoCode(error);
  return (code !== undefined && NETWORK_CODES.has(code)) || awsErrorName(error) === 'TimeoutError';
}

/** The one line for an AWS failure; `undefined` context fields are left out. */
export function describeAwsError(error: unknown, context: AwsErrorContext): string {
  const credentialProblem = describeCredentialFailure(error, context);
  if (credentialProblem) return credentialProblem;
  const name = awsErrorName(error) ?? 'Error';
  const region = context.region ?? 'this region';
  if (isNetworkFailure(error)) {
    const why = errnoText(error) ?? 'no answer in time';
    return (
      `could not reach AWS while ${context.doing} (${why}: ${rawMessage(error)}): ` +
      'check the network connection, a proxy, and AWS_ENDPOINT_URL if you set it, then try again'
    );
  }
  if (BAD_KEY.has(name)) {
    return (
      `AWS rejected the access key while ${context.doing} (${name}): the key ID is wrong or deleted; ` +
      'check [AWS] KEY, AWS_ACCESS_KEY_ID or the profile, then run `sparkify-dwh credentials`'
    );
  }
  if (BAD_SIGNATURE.has(name)) {
    return (
      `AWS rejected the request signature while ${context.doing} (${name}): ` +
      'the secret access key does not match the key ID; ' +
      'check [AWS] SECRET or AWS_SECRET_ACCESS_KEY, then run `sparkify-dwh credentials`'
    );
  }
  if (EXPIRED.has(name)) {
    const profile = context.profile ?? 'default';
    return (
      `the AWS session token has expired while ${context.doing} (${name}): ` +
      `run \`aws sso login --profile ${profile}\` or refresh your temporary credentials, then try again`
    );
  }
  if (DENIED.has(name)) {
    return (
      `AWS denied ${context.action} while ${context.doing} (${name}): ` +
      `the identity running the wizard needs that permission; see ${MINIMAL_POLICY_DOC}`
    );
  }
  if (THROTTLED.has(name)) {
    return (
      `AWS kept throttling ${context.action} while ${context.doing}, even after retries: ` +
      'wait a minute and run the command again'
    );
  }
  switch (name) {
    case 'ClusterAlreadyExistsFault':
      return (
        `a cluster named "${context.clusterIdentifier ?? '?'}" already exists in ${region} but could not be reused: ` +
        'choose another [DWH] DWH_CLUSTER_IDENTIFIER or run `sparkify-dwh cluster status`'
      );
    case 'ClusterQuotaExceededFault':
    case 'NumberOfNodesQuotaExceededFault':
    case 'NumberOfNodesPerClusterLimitExceededFault':
      return (
        `the account has reached its Redshift cluster or node quota in ${region} (${name}): ` +
        'delete an unused cluster or request an increase in the Service Quotas console'
      );
    case 'InsufficientClusterCapacityFault':
      return (
        `AWS has no spare ${context.nodeType ?? 'node'} capacity in ${region} right now: ` +
        'try another node type ([DWH] DWH_NODE_TYPE), another region ([AWS] REGION) or again later'
      );
    case 'ClusterNotFoundFault':
      return (
        `cluster "${context.clusterIdentifier ?? '?'}" does not exist in ${region}: ` +
        'run `sparkify-dwh cluster create`'
      );
    case 'InvalidClusterStateFault':
      return (
        `cluster "${context.clusterIdentifier ?? '?'}" cannot do that in its current state (${rawMessage(error)}): ` +
        'run `sparkify-dwh cluster status` and try again when it is available'
      );
    case 'LimitExceededException':
      return (
        `an IAM limit was reached while ${context.doing} (${rawMessage(error)}): ` +
        'delete unused roles or policies and try again'
      );
    case 'MalformedPolicyDocumentException':
      return (
        `IAM rejected the policy while ${context.doing} (${rawMessage(error)}): ` + 'check the [S3] URLs in dwh.cfg'
      );
    case 'InvalidParameterValue': {
      // CreateCluster with a role Redshift cannot assume (repost.aws/knowledge-center/redshift-iam-role-error).
      const message = rawMessage(error);
      const role = /IAM role (\S+) is not valid/i.exec(message)?.[1];
      if (role === undefined && !/must delegate access to an Amazon Redshift account/i.test(message)) break;
      return (
        `IAM role ${role ?? '(the cluster role)'} does not let Redshift use it (${message}): its trust policy must ` +
        'allow redshift.amazonaws.com to assume it; fix it in the IAM console, or set another ' +
        '[DWH] DWH_IAM_ROLE_NAME for sparkify-dwh to create'
      );
    }
    case 'VPCIdNotSpecified':
    case 'InvalidVpcID.NotFound':
      return (
        `there is no default VPC in ${region}: ` +
        `create one with \`aws ec2 create-default-vpc --region ${region}\` and try again`
      );
  }
  return `AWS failed while ${context.doing} (${name}: ${rawMessage(error)})`;
}

/** Wrap an AWS failure as a UserError (a UserError passes through unchanged). */
export function awsUserError(error: unknown, context: AwsErrorContext): UserError {
  if (error instanceof UserError) return error;
  return new UserError(describeAwsError(error, context), { cause: error });
}

/** Run one AWS call, turning its failure into a UserError. */
export async function callAws<T>(context: AwsErrorContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    throw awsUserError(error, context);
  }
}
