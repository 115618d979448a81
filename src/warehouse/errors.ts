/**
 * Turning driver errors (node-postgres and PGlite raise the same shape: message plus the
 * server's fields) into one-line UserErrors, and classifying connection failures so each target
 * can say what to check.
 */
import { errnoCode, oneLine } from '../error-text.js';
import { UserError } from '../errors.js';

/**
 * TARGET = redshift-serverless before its workgroup exists: the SQL entries (tables, load, check,
 * analytics, sql) say so in one line, and how to make it (docs/commands.md, `cluster create`).
 */
export class NoWorkgroupYetError extends UserError {
  constructor(
    readonly workgroupName: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      `there is no workgroup ${workgroupName} yet: create it with \`sparkify-dwh cluster create\` ` +
        '(in the menu, “Redshift Serverless workgroup”)',
      options,
    );
    this.name = 'NoWorkgroupYetError';
  }
}

/** SQLSTATE for "cannot execute … in a read-only transaction". */
const READ_ONLY_VIOLATION = '25006';

/** A statement the database refused. Keeps the server's fields for callers that branch on them. */
export class WarehouseQueryError extends UserError {
  /** SQLSTATE, e.g. 42P01 for an unknown table. */
  readonly code: string;
  readonly detail: string | undefined;
  /** 1-based character offset into the statement, as the server reports it. */
  readonly position: number | undefined;
  constructor(
    message: string,
    fields: {
      code: string;
      detail?: string | undefined;
      position?: number | undefined;
      hint?: string | undefined;
      cause: unknown;
    },
  ) {
    super(message, fields.hint === undefined ? { cause: fields.cause } : { cause: fields.cause, hint: fields.hint });
    this.name = 'WarehouseQueryError';
    this.code = fields.code;
    this.detail = fields.detail;
    this.position = fields.position;
  }
}

interface ServerErrorFields {
  message: string;
  code: string;
  detail?: unknown;
  hint?: unknown;
  position?: unknown;
  where?: unknown;
}

function field(error: object, name: string): unknown {
  return (error as Record<string, unknown>)[name];
}

/** Whether `error` carries a SQLSTATE from the server (both drivers' DatabaseError do). */
export function isServerError(error: unknown): error is Error & ServerErrorFields {
  if (!(error instanceof Error)) return false;
  const code = field(error, 'code');
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? oneLine(value) : undefined;
}

/** A server error as a WarehouseQueryError: `<message> (<detail>; <COPY context>) [SQLSTATE x, at character n]`. */
export function queryErrorFromServer(error: Error & ServerErrorFields): WarehouseQueryError {
  const detail = optionalText(error.detail);
  const where = optionalText(error.where);
  const positionText = optionalText(error.position);
  const position = positionText === undefined ? undefined : Number(positionText);
  const hint = optionalText(error.hint);
  const base = oneLine(error.message);
  if (error.code === READ_ONLY_VIOLATION) {
    return new WarehouseQueryError(`the sql command is read-only: ${base}`, {
      code: error.code,
      cause: error,
      hint: 'only queries that read (SELECT, WITH … SELECT, EXPLAIN) can run here',
    });
  }
  // The COPY context says which input line and column were bad; other contexts (PL/pgSQL stacks)
  // are noise for our statements.
  const context = [detail, where !== undefined && where.startsWith('COPY ') ? where : undefined].filter(
    (part) => part !== undefined,
  );
  const location = position !== undefined && Number.isFinite(position) ? `, at character ${position}` : '';
  const message = `${base}${context.length > 0 ? ` (${context.join('; ')})` : ''} [SQLSTATE ${error.code}${location}]`;
  return new WarehouseQueryError(message, { code: error.code, detail, position, hint, cause: error });
}

export type ConnectFailureKind =
  'refused' | 'unresolved' | 'timeout' | 'unreachable' | 'authentication' | 'no-database' | 'tls' | 'other';

const TLS_CODES = /CERT|SELF_SIGNED|TLS|SSL|ISSUER|HOSTNAME/;

/** What kind of connection failure `error` is, from the socket, TLS or server error it carries. */
export function classifyConnectFailure(error: unknown): ConnectFailureKind {
  const code = errnoCode(error);
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return 'unresolved';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    case '28P01':
    case '28000':
      return 'authentication';
    case '3D000':
      return 'no-database';
    default:
      break;
  }
  // node-postgres destroys the socket with this message when connectionTimeoutMillis passes.
  if (/timeout expired|connection timeout/i.test(message)) return 'timeout';
  if ((code !== undefined && TLS_CODES.test(code)) || /\bSSL\b|\bTLS\b|certificate/i.test(message)) return 'tls';
  return 'other';
}

/** `text` with every occurrence of `secret` masked: a last line of defence for passwords. */
export function withoutSecret(text: string, secret: string | undefined): string {
  return secret === undefined || secret === '' ? text : text.split(secret).join('***');
}

/** `10000` → "10 s", `300` → "0.3 s". */
export function formatSeconds(milliseconds: number): string {
  return `${Number((milliseconds / 1000).toFixed(1))} s`;
}
