/**
 * How a failure reaches the user: one line that names the problem (plus the next action when
 * known), the exit status of docs/commands.md (Exit status), and a stack trace only when DEBUG is set.
 */
import { firstLine } from '../error-text.js';
import { isInterrupted, UserError } from '../errors.js';
import { redact } from './redact.js';
import type { Ui } from './types.js';

export interface DescribedError {
  /** Empty for an interruption: Ctrl-C prints nothing. May hold a second line, "→ hint". */
  message: string;
  exitCode: number;
  /** Stack traces (with causes), only when debug is on. */
  detail?: string;
}

/** The next action for AWS errors whose SDK message alone leaves people guessing. */
const AWS_HINTS: Readonly<Record<string, string>> = {
  InvalidClientTokenId: 'check [AWS] KEY and SECRET in dwh.cfg, or the AWS profile in use',
  SignatureDoesNotMatch: 'check [AWS] SECRET in dwh.cfg, or the AWS profile in use',
  UnrecognizedClientException: 'check [AWS] KEY and SECRET in dwh.cfg, or the AWS profile in use',
  ExpiredToken: 'the session has expired: refresh it (aws sso login, or new temporary credentials)',
  ExpiredTokenException: 'the session has expired: refresh it (aws sso login, or new temporary credentials)',
  AccessDenied: 'the AWS identity in use lacks the permission named above',
  AccessDeniedException: 'the AWS identity in use lacks the permission named above',
  UnauthorizedOperation: 'the AWS identity in use lacks the permission named above',
};

/** Stack traces are shown when DEBUG is set to anything but the empty string. */
export function debugRequested(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DEBUG);
}

export function describeError(error: unknown, env: { debug: boolean }): DescribedError {
  const detail = env.debug ? stackOf(error) : undefined;
  const withDetail = (described: DescribedError): DescribedError => {
    const safe = { ...described, message: redact(described.message) };
    return detail === undefined ? safe : { ...safe, detail: redact(detail) };
  };

  if (isInterrupted(error)) return withDetail({ message: '', exitCode: 130 });
  if (error instanceof UserError)
    return withDetail({ message: withHint(error.message, error.hint), exitCode: error.exitCode });
  if (isAwsServiceError(error)) {
    return withDetail({
      message: withHint(`AWS ${error.name}: ${firstLine(String(error.message ?? ''))}`, AWS_HINTS[error.name]),
      exitCode: 1,
    });
  }
  if (error instanceof Error && error.name === 'CredentialsProviderError') {
    return withDetail({
      message: withHint(
        `no AWS credentials found: ${firstLine(error.message)}`,
        'set [AWS] KEY and SECRET in dwh.cfg, ' +
          'or AWS_PROFILE / the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables',
      ),
      exitCode: 1,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return withDetail({
    message: `unexpected error: ${firstLine(message)}${env.debug ? '' : ' (set DEBUG=1 for details)'}`,
    exitCode: 1,
  });
}

/** Print a failure through the Ui (which redacts): nothing for an interruption. */
export function printError(ui: Ui, error: unknown, env: { debug: boolean }): void {
  const described = describeError(error, env);
  if (described.message === '' && described.detail === undefined) return;
  const lines = [described.message || 'Interrupted', ...(described.detail === undefined ? [] : [described.detail])];
  ui.error(lines.join('\n'));
}

function withHint(message: string, hint: string | undefined): string {
  return hint ? `${message}\n→ ${hint}` : message;
}

/** An AWS SDK v3 service exception that no layer of ours turned into a UserError. */
function isAwsServiceError(error: unknown): error is Error & { name: string; $metadata: object } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { name?: unknown }).name === 'string' &&
    typeof (error as { $metadata?: unknown }).$metadata === 'object' &&
    (error as { $metadata?: unknown }).$metadata !== null
  );
}

/** The stack, then each cause's stack, so DEBUG shows where a wrapped failure really began. */
function stackOf(error: unknown): string | undefined {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    if (current instanceof Error) {
      parts.push(depth === 0 ? (current.stack ?? String(current)) : `Caused by: ${current.stack ?? String(current)}`);
      current = current.cause;
    } else {
      // A thrown non-Error has no stack; its plain string form is all there is to show.
      // eslint-disable-next-line @typescript-eslint/no-base-to-string
      const text = String(current);
      parts.push(depth === 0 ? text : `Caused by: ${text}`);
      break;
    }
  }
  return parts.length > 0 ? parts.join('\n') : undefined;
}
