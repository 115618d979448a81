/**
 * Failures of the Redshift Data API channel as one-line UserErrors that say what to do next:
 * the API's own exceptions (https://docs.aws.amazon.com/redshift-data/latest/APIReference/CommonErrors.html
 * and each action's Errors section) and statements the database refused (Status FAILED, with the
 * cluster's Error text). The SDK has already retried throttling and transient faults; what reaches
 * here is final.
 */
import { oneLine } from '../error-text.js';
import { UserError } from '../errors.js';

/**
 * The largest SQL text the Data API accepts in one statement: "Cannot process query string larger
 * than 100kB" (ValidationException). Listed among the Data API's considerations in
 * https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html; checked here first so the message
 * can say which statement and what to do.
 */
export const DATA_API_MAX_STATEMENT_BYTES = 100 * 1024;

/**
 * Result limits from https://docs.aws.amazon.com/redshift/latest/mgmt/data-api-troubleshooting.html:
 * at most 64 KB per row ("Packet for query is too large") and 500 MB per result ("Database response
 * exceeded size limit"). The cluster enforces them; these are for the messages.
 */
export const DATA_API_MAX_ROW_KB = 64;
export const DATA_API_MAX_RESULT_MB = 500;

/**
 * How long the Data API keeps a statement's result: 24 hours, after which GetStatementResult answers
 * ResourceNotFoundException ("Considerations when calling the Amazon Redshift Data API",
 * https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html).
 */
export const DATA_API_RESULT_RETENTION_HOURS = 24;

/** Where the IAM permissions the channel needs are documented. */
const IAM_DOC = 'docs/redshift.md (IAM policies)';

/** What the failing call was about, for the message. */
export interface DataApiFailureContext {
  /** The Data API action, e.g. "ExecuteStatement". */
  action: string;
  /** "cluster dwhcluster, database dwh" or "workgroup dwh, database dev". */
  where: string;
  /** Provisioned clusters with a DbUser need GetClusterCredentials; Serverless needs GetCredentials. */
  credentialsAction: string;
}

/** A statement the database refused (Status FAILED): keeps what the loaders branch on. */
export class DataApiStatementError extends UserError {
  /** The cluster's error text, without the "ERROR:" prefix. */
  readonly serverMessage: string;
  /** The Data API statement (or sub-statement `<id>:<n>`) that failed. */
  readonly statementId: string;
  /** Redshift's query id (SYS_QUERY_HISTORY.query_id, SYS_LOAD_ERROR_DETAIL.query_id), when known. */
  readonly redshiftQueryId: number | undefined;
  /** 0-based position of the failed statement in its batch; undefined for a single statement. */
  readonly batchIndex: number | undefined;
  constructor(
    message: string,
    fields: {
      serverMessage: string;
      statementId: string;
      redshiftQueryId?: number | undefined;
      batchIndex?: number | undefined;
      hint?: string | undefined;
    },
  ) {
    super(message, fields.hint === undefined ? {} : { hint: fields.hint });
    this.name = 'DataApiStatementError';
    this.serverMessage = fields.serverMessage;
    this.statementId = fields.statementId;
    this.redshiftQueryId = fields.redshiftQueryId;
    this.batchIndex = fields.batchIndex;
  }
}

/** Whether `failure` is a COPY the cluster rejected, whose lines its load-error log explains. */
export function isRejectedLoad(failure: unknown): failure is DataApiStatementError {
  return failure instanceof DataApiStatementError && isLoadFailureText(failure.serverMessage);
}

/** The one-line error for a statement the database refused. */
export function statementFailure(
  errorText: string | undefined,
  about: { statementId: string; redshiftQueryId?: number | undefined; batchIndex?: number | undefined },
): DataApiStatementError {
  const serverMessage = oneLine((errorText ?? 'the statement failed without a message').replace(/^\s*ERROR:\s*/i, ''));
  const fields = { ...about, serverMessage };
  if (/in a read-only transaction/i.test(serverMessage)) {
    return new DataApiStatementError(`the sql command is read-only: ${serverMessage}`, {
      ...fields,
      hint: 'only queries that read (SELECT, WITH … SELECT, EXPLAIN) can run here',
    });
  }
  if (/response exceeded size limit/i.test(serverMessage)) {
    return new DataApiStatementError(
      `the result is larger than the ${DATA_API_MAX_RESULT_MB} MB the Data API can return (${serverMessage})`,
      { ...fields, hint: 'narrow the query, or split it with LIMIT … OFFSET' },
    );
  }
  if (/packet for query is too large/i.test(serverMessage)) {
    return new DataApiStatementError(
      `a result row is larger than the ${DATA_API_MAX_ROW_KB} KB the Data API can return per row (${serverMessage})`,
      { ...fields, hint: 'select fewer or shorter columns' },
    );
  }
  if (isLoadFailureText(serverMessage)) {
    const query = about.redshiftQueryId === undefined ? '' : ` (query ${about.redshiftQueryId})`;
    return new DataApiStatementError(`${serverMessage}${query}`, {
      ...fields,
      hint:
        about.redshiftQueryId === undefined
          ? 'the rejected lines are in SYS_LOAD_ERROR_DETAIL'
          : `the rejected lines are in SYS_LOAD_ERROR_DETAIL WHERE query_id = ${about.redshiftQueryId}`,
    });
  }
  return new DataApiStatementError(serverMessage, fields);
}

function isLoadFailureText(message: string): boolean {
  return /stl_load_errors|sys_load_error_detail/i.test(message);
}

/** A statement ABORTED by someone else (another session's CancelStatement, a WLM or statement timeout). */
export function abortedElsewhere(statementId: string, where: string): UserError {
  return new UserError(
    `the statement was stopped on ${where} before it finished (statement ${statementId}): ` +
      'it was cancelled by another session or a timeout',
    { hint: 'run it again; nothing it did was kept' },
  );
}

function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'Error';
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : 'Error';
}

function errorText(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
]);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException']);

/** An SDK failure of a Data API call as a one-line UserError (UserErrors pass through). */
export function dataApiFailure(error: unknown, context: DataApiFailureContext): UserError {
  if (error instanceof UserError) return error;
  const name = errorName(error);
  const text = errorText(error);
  const make = (message: string, hint?: string): UserError =>
    new UserError(message, hint === undefined ? { cause: error } : { cause: error, hint });
  if (DENIED.has(name)) {
    return make(
      `AWS denied redshift-data:${context.action} on ${context.where} (${name}: ${text})`,
      `the identity running the wizard needs redshift-data:* on it and ${context.credentialsAction}; see ${IAM_DOC}`,
    );
  }
  if (BAD_CREDENTIALS.has(name)) {
    return make(
      `AWS rejected the credentials for the Data API (${name})`,
      'check [AWS] KEY and SECRET, AWS_PROFILE or the profile, then run `sparkify-dwh credentials`',
    );
  }
  if (EXPIRED.has(name)) {
    return make(
      `the AWS session token has expired (${name})`,
      'run `aws sso login` or refresh your temporary credentials, then try again',
    );
  }
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    return make(
      `no AWS credentials for the Data API (${text})`,
      'set AWS_PROFILE (or [AWS] KEY and SECRET in dwh.cfg), or run `aws configure` / `aws sso login`',
    );
  }
  if (THROTTLED.has(name)) {
    return make(
      `AWS kept throttling redshift-data:${context.action}, even after retries`,
      'wait a minute and try again',
    );
  }
  switch (name) {
    case 'ValidationException':
      if (/larger than 100\s*kB/i.test(text)) {
        return make(
          `the statement is larger than the ${DATA_API_MAX_STATEMENT_BYTES / 1024} KB the Data API accepts (${text})`,
          'split it into smaller statements',
        );
      }
      return make(
        `the Data API refused ${context.action} on ${context.where}: ${text}`,
        'check the cluster or workgroup name and the database in dwh.cfg, and `sparkify-dwh cluster status`',
      );
    case 'ActiveStatementsExceededException':
    case 'ActiveSessionsExceededException':
      return make(
        `too many statements are already running on ${context.where} through the Data API (${name})`,
        'wait for them to finish (or cancel them) and try again',
      );
    case 'ExecuteStatementException':
    case 'BatchExecuteStatementException':
      return make(
        `the Data API could not run the statement on ${context.where}: ${text}`,
        'this is usually passing; try again in a minute',
      );
    case 'DatabaseConnectionException':
      return make(
        `the Data API could not connect to the database on ${context.where} (${text})`,
        'check that it is available and not paused (`sparkify-dwh cluster status`) ' +
          `and that you may call ${context.credentialsAction}`,
      );
    case 'ResourceNotFoundException':
      return make(
        `the Data API no longer knows this statement (${text})`,
        `results are kept for ${DATA_API_RESULT_RETENTION_HOURS} hours; run the query again`,
      );
    case 'QueryTimeoutException':
      return make(`the Data API timed out on ${context.where} (${text})`, 'try again, or narrow the query');
    case 'InternalServerException':
      return make(`the Data API had an internal error on ${context.where} (${text})`, 'try again in a minute');
    default:
      return make(`the Data API failed in ${context.action} on ${context.where} (${name}: ${text})`);
  }
}
