/**
 * What the `sql` command lets through (docs/safety.md): exactly one statement that is a query,
 * which cannot act outside the READ ONLY transaction it then runs in.
 *
 * Why a check before the transaction: READ ONLY stops writes to tables, but not everything that
 * harms. Inside a read-only transaction PostgreSQL still lets `COPY … TO 'file'` overwrite any file
 * the server may write (PGlite's own data folder included: the embedded warehouse was wiped that
 * way), `COPY … TO PROGRAM` run a program, and functions signal other sessions, reload the
 * configuration, reset statistics, read server files or take session-level locks.
 *
 * On PostgreSQL and the embedded warehouse the statement is read by PostgreSQL's own grammar
 * (libpg-query: the real parser compiled to WebAssembly, loaded only when `sql` runs), so comments,
 * quoting and nesting are understood exactly as the server will. On Redshift that parser cannot
 * read Redshift-only syntax, so a narrower rule on the text applies (see checkRedshiftText).
 */
import type { ParseResult, ScanResult } from 'libpg-query';
import { oneLine } from '../error-text.js';
import { UsageError, UserError } from '../errors.js';
import type { Dialect } from './dialect.js';

/** Functions refused by name, with the reason shown to the user. */
export interface RefusedFunctions {
  /** Why, completing "pg_x() acts outside the transaction (…)". */
  why: string;
  /** Exact names, lower case. */
  names: readonly string[];
  /** Every function whose name starts so (families that grow with PostgreSQL versions). */
  prefixes?: readonly string[];
}

/**
 * Functions whose effect escapes the transaction, or that cannot be checked: a READ ONLY
 * transaction does not stop them, and the ROLLBACK after the query does not undo them. Matched
 * case-insensitively on the last part of the name, so `pg_catalog.PG_READ_FILE(…)`,
 * `"pg_read_file"(…)` and the column notation `('f'::text).pg_read_file` are all caught.
 * pg_sleep stays allowed: it harms nothing and Ctrl-C must be able to cancel it.
 */
export const OUTSIDE_THE_TRANSACTION: readonly RefusedFunctions[] = [
  {
    why: 'it signals another server process',
    names: ['pg_terminate_backend', 'pg_cancel_backend', 'pg_signal_backend', 'pg_log_backend_memory_contexts'],
  },
  {
    why: "it changes the server's configuration or logs",
    names: ['pg_reload_conf', 'set_config', 'pg_rotate_logfile', 'pg_rotate_logfile_old'],
  },
  {
    why: "it resets the server's statistics",
    names: ['pg_stat_statements_reset'],
    prefixes: ['pg_stat_reset'],
  },
  {
    why: 'it reads or writes server files',
    names: ['pg_stat_file', 'pg_logdir_ls'],
    // pg_read_file, pg_read_binary_file; pg_ls_dir, pg_ls_waldir …; adminpack's pg_file_write …
    prefixes: ['pg_read_', 'pg_ls_', 'pg_file_'],
  },
  {
    why: 'it works on large objects, which live outside the tables (lo_import and lo_export touch server files)',
    names: ['loread', 'lowrite'],
    prefixes: ['lo_'],
  },
  {
    why: 'it connects to another database, where this transaction does not reach',
    names: [],
    prefixes: ['dblink'],
  },
  {
    why: 'its locks outlive the transaction',
    names: [],
    prefixes: ['pg_advisory_', 'pg_try_advisory_'],
  },
  {
    why: 'its change is never rolled back',
    names: ['nextval', 'setval', 'txid_current', 'pg_current_xact_id'],
  },
  {
    why: 'it sends a notification to other sessions',
    names: ['pg_notify'],
  },
  {
    why: 'it acts on the WAL, backups or replication',
    names: [
      'pg_switch_wal',
      'pg_switch_xlog',
      'pg_promote',
      'pg_start_backup',
      'pg_stop_backup',
      'pg_drop_replication_slot',
      'pg_sync_replication_slots',
      'pg_log_standby_snapshot',
    ],
    // pg_create_restore_point, pg_create_*_replication_slot, pg_copy_*_replication_slot,
    // pg_logical_slot_get_changes, pg_logical_emit_message, pg_replication_origin_* …
    prefixes: ['pg_create_', 'pg_copy_', 'pg_logical_', 'pg_replication_', 'pg_backup_', 'pg_wal_replay_'],
  },
  {
    // query_to_xml('…') runs its text as a query, out of this check's sight.
    why: 'it runs SQL given as text, which this check cannot see',
    names: ['query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'ts_stat'],
  },
  {
    why: 'it changes the system catalogs',
    names: [
      'pg_import_system_collations',
      'pg_restore_relation_stats',
      'pg_restore_attribute_stats',
      'pg_clear_relation_stats',
      'pg_clear_attribute_stats',
    ],
    prefixes: ['binary_upgrade_'],
  },
];

const ALLOWED = 'SELECT, WITH … SELECT, VALUES, TABLE, SHOW or EXPLAIN without ANALYZE';
const READ_ONLY_HINT = `only one query that reads can run here: ${ALLOWED}`;
const REDSHIFT_HINT = 'only one query that reads can run here: SELECT … or WITH … SELECT';
const COPY_HINT = 'to save a result as a file, use `sparkify-dwh sql "SELECT …" --format csv > result.csv`';

function refused(what: string, hint = READ_ONLY_HINT): UserError {
  return new UserError(`the sql command is read-only: ${what}`, { hint });
}

/** Why the function `name` (any case) is refused, or undefined when it may run. */
function refusedFunction(name: string): string | undefined {
  const lower = name.toLowerCase();
  const group = OUTSIDE_THE_TRANSACTION.find(
    (g) => g.names.includes(lower) || (g.prefixes ?? []).some((prefix) => lower.startsWith(prefix)),
  );
  return group === undefined ? undefined : `${lower}() acts outside the transaction (${group.why})`;
}

/**
 * Refuse `sql` unless it is one query that cannot act outside its transaction; throws a one-line
 * UserError naming why (a UsageError when the text holds no statement at all).
 */
export async function assertReadOnlyQuery(sql: string, dialect: Dialect): Promise<void> {
  if (dialect === 'redshift') {
    checkRedshiftText(sql);
    return;
  }
  const parser = await loadParser();
  let tree: ParseResult;
  try {
    tree = parser.parseSync(sql);
  } catch (error) {
    throw notValidSql(error);
  }
  const statements = tree.stmts ?? [];
  if (statements.length === 0) throw noStatement();
  if (statements.length > 1) {
    throw new UserError(`the sql command runs one statement at a time, and this text holds ${statements.length}`, {
      hint: 'run them one by one',
    });
  }
  checkStatement(statements[0]?.stmt, () => leadingKeywords(parser, sql));
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: the parse tree

interface Parser {
  parseSync(sql: string): ParseResult;
  scanSync(sql: string): ScanResult;
}

let parserLoading: Promise<Parser> | undefined;

/** The WebAssembly parser, loaded on first use (about 60 ms) and kept for the process. */
function loadParser(): Promise<Parser> {
  parserLoading ??= import('libpg-query').then(async (module) => {
    await module.loadModule();
    return { parseSync: module.parseSync, scanSync: module.scanSync };
  });
  return parserLoading;
}

function notValidSql(error: unknown): UserError {
  if (error instanceof Error && error.name === 'SqlError') {
    const position = (error as Error & { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    const where = typeof position === 'number' && position >= 0 ? ` (at character ${position + 1})` : '';
    return new UserError(`the statement is not valid SQL: ${oneLine(error.message)}${where}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UserError(`the statement could not be checked, so it was not run: ${oneLine(message)}`, {
    cause: error,
  });
}

function noStatement(): UsageError {
  return new UsageError('the query holds no statement, only comments or semicolons', {
    hint: 'sparkify-dwh sql "SELECT count(*) FROM songplays"',
  });
}

/** A parse tree node: `{ SelectStmt: {…} }`, one key naming its type. */
type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The only key of a node, and what it holds. */
function nodeOf(node: unknown): [string, JsonObject] | undefined {
  if (!isObject(node)) return undefined;
  const [entry] = Object.entries(node);
  return entry !== undefined && isObject(entry[1]) ? [entry[0], entry[1]] : undefined;
}

const DATA_CHANGES: Readonly<Record<string, string>> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};

/** Names of the non-query statements EXPLAIN accepts besides the data changes. */
function explainedLabel(type: string, body: JsonObject): string {
  if (type === 'CreateTableAsStmt')
    return body.objtype === 'OBJECT_MATVIEW' ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE';
  if (type === 'ExecuteStmt') return 'EXECUTE';
  if (type === 'DeclareCursorStmt') return 'DECLARE';
  return 'the explained statement';
}

/**
 * One top-level statement. `label` names a refused utility statement by its leading keywords
 * ("DROP TABLE", "ALTER SYSTEM"); computed only when needed.
 */
function checkStatement(stmt: unknown, label: () => string): void {
  const node = nodeOf(stmt);
  if (node === undefined) throw noStatement();
  const [type, body] = node;
  switch (type) {
    case 'SelectStmt': // also VALUES, TABLE and WITH … SELECT
    case 'VariableShowStmt':
      checkTree(stmt);
      return;
    case 'ExplainStmt': {
      if (explainsAnalyze(body.options)) {
        throw refused('EXPLAIN ANALYZE runs the statement; EXPLAIN without ANALYZE shows the plan only');
      }
      const inner = nodeOf(body.query);
      if (inner !== undefined && inner[0] !== 'SelectStmt') {
        checkStatement(body.query, () => explainedLabel(inner[0], inner[1]));
      }
      checkTree(body.query);
      return;
    }
    case 'CopyStmt':
      throw refused('COPY reads and writes files on the database server and can run programs there', COPY_HINT);
    case 'DoStmt':
      throw refused('DO runs procedural code, which this check cannot see into');
    case 'CallStmt':
      throw refused('CALL runs a procedure, which this check cannot see into');
    case 'VariableSetStmt': {
      const reset = body.kind === 'VAR_RESET' || body.kind === 'VAR_RESET_ALL';
      throw refused(`${reset ? 'RESET' : 'SET'} changes a setting`);
    }
    case 'TransactionStmt':
      throw refused(`${label()} controls the transaction, which the sql command keeps read-only`);
    default: {
      const change = DATA_CHANGES[type];
      if (change !== undefined) throw refused(`${change} changes data`);
      throw refused(`${label()} is not a query`);
    }
  }
}

/** EXPLAIN ANALYZE, EXPLAIN (ANALYZE), (ANALYZE true|on|1); not (ANALYZE false|off|0). */
function explainsAnalyze(options: unknown): boolean {
  if (!Array.isArray(options)) return false;
  return options.some((option) => {
    const element = nodeOf(option);
    if (element === undefined || element[0] !== 'DefElem' || element[1].defname !== 'analyze') return false;
    const arg = nodeOf(element[1].arg);
    if (arg === undefined) return true;
    const [kind, value] = arg;
    // The parse tree leaves out zero and false values: `(ANALYZE 0)` is `{ Integer: {} }`.
    if (kind === 'String') return !['false', 'off', '0'].includes(String(value.sval).toLowerCase());
    if (kind === 'Integer') return value.ival !== undefined && value.ival !== 0;
    if (kind === 'Boolean') return value.boolval === true;
    return true;
  });
}

const LOCKING: Readonly<Record<string, string>> = {
  LCS_FORKEYSHARE: 'FOR KEY SHARE',
  LCS_FORSHARE: 'FOR SHARE',
  LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE',
  LCS_FORUPDATE: 'FOR UPDATE',
};

function article(word: string): string {
  return /^[AEIOU]/.test(word) ? 'an' : 'a';
}

/** Name parts of a node list (`[{ String: { sval } }, …]`), skipping `*` and subscripts. */
function names(list: unknown, from = 0): string[] {
  if (!Array.isArray(list)) return [];
  return list.slice(from).flatMap((item) => {
    const node = nodeOf(item);
    return node?.[0] === 'String' && typeof node[1].sval === 'string' ? [node[1].sval] : [];
  });
}

/**
 * Every node of a query, however deep (subqueries, CTEs, FROM functions, CASE, FILTER, ORDER BY,
 * LIMIT …). Iterative, so a deeply nested query cannot overflow the stack.
 */
function checkTree(root: unknown): void {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      pending.push(...(value as unknown[]));
      continue;
    }
    if (!isObject(value)) continue;
    for (const [key, child] of Object.entries(value)) {
      if (isObject(child)) checkNode(key, child);
      pending.push(child);
    }
  }
}

function checkNode(type: string, body: JsonObject): void {
  const change = DATA_CHANGES[type];
  if (change !== undefined) throw refused(`the query holds ${article(change)} ${change}, which changes data`);
  let called: string[] = [];
  if (type === 'SelectStmt') {
    if (body.intoClause !== undefined) throw refused('SELECT … INTO creates a table');
    const locking = Array.isArray(body.lockingClause) ? nodeOf(body.lockingClause[0]) : undefined;
    if (locking !== undefined) {
      throw refused(`SELECT … ${LOCKING[String(locking[1].strength)] ?? 'FOR UPDATE'} locks rows`);
    }
  } else if (type === 'FuncCall') {
    called = names(body.funcname).slice(-1);
  } else if (type === 'ColumnRef') {
    // `t.f` is also the call f(t) (column notation), but a lone name is only ever a column.
    called = names(body.fields, 1);
  } else if (type === 'A_Indirection') {
    called = names(body.indirection);
  }
  for (const name of called) {
    const why = refusedFunction(name);
    if (why !== undefined) throw refused(why);
  }
}

const FILLER_KEYWORDS = new Set(['OR', 'REPLACE', 'UNIQUE', 'TEMP', 'TEMPORARY', 'UNLOGGED', 'GLOBAL', 'LOCAL']);

/** "DROP TABLE", "CREATE FUNCTION", "ALTER SYSTEM", "VACUUM": the statement's first keywords. */
function leadingKeywords(parser: Parser, sql: string): string {
  let tokens: ScanResult['tokens'];
  try {
    tokens = parser.scanSync(sql).tokens;
  } catch {
    return 'this statement';
  }
  const words: string[] = [];
  for (const token of tokens) {
    if (token.tokenName === 'SQL_COMMENT' || token.tokenName === 'C_COMMENT') continue;
    if (token.keywordKind === 0) break;
    const word = token.text.toUpperCase();
    if (word === 'IF') break;
    if (words.length > 0 && FILLER_KEYWORDS.has(word)) continue;
    words.push(word);
    if (words.length === 2) break;
  }
  return words.length === 0 ? 'this statement' : words.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Redshift: a rule on the text

/**
 * Redshift speaks a dialect PostgreSQL's parser cannot read (TOP, LISTAGG … WITHIN GROUP, UNLOAD,
 * backslash escapes in strings), so there the rule is on the text:
 * - it must start with SELECT or WITH (after comments and white space);
 * - the word UNLOAD must not appear anywhere, strings and comments included: UNLOAD writes to S3,
 *   which a READ ONLY transaction does not stop, and Redshift's string rules (backslash escapes)
 *   make "inside a string" something a check outside the server cannot be sure of;
 * - no function of OUTSIDE_THE_TRANSACTION may be called (its name followed by "("), for the
 *   same reason looked for in the whole text;
 * - one statement: a ";" outside strings and comments may only be followed by comments. Where the
 *   text cannot be split with certainty (an unterminated string), the server itself refuses a
 *   second statement, as every statement goes through the extended protocol.
 * The READ ONLY transaction then stops every write to the database.
 * (Backslash escapes: Redshift's QUOTE_LITERAL doubles backslashes as well as quotes,
 * https://docs.aws.amazon.com/redshift/latest/dg/r_QUOTE_LITERAL.html.)
 */
function checkRedshiftText(sql: string): void {
  const lexed = lexRedshift(sql);
  if (lexed.firstWord === undefined) throw noStatement();
  if (/\bunload\b/i.test(sql)) {
    throw refused(
      'UNLOAD writes query results to Amazon S3; on Redshift the word is refused anywhere in the text, ' +
        'strings and comments included',
      REDSHIFT_HINT,
    );
  }
  const first = lexed.firstWord.toUpperCase();
  if (first !== 'SELECT' && first !== 'WITH') {
    throw refused(`on Redshift it accepts only statements that start with SELECT or WITH, not ${first}`, REDSHIFT_HINT);
  }
  for (const match of sql.matchAll(CALL_PATTERN)) {
    const why = refusedFunction(match[1] ?? '');
    if (why !== undefined) throw refused(why, REDSHIFT_HINT);
  }
  if (lexed.statements > 1) {
    throw new UserError(`the sql command runs one statement at a time, and this text holds ${lexed.statements}`, {
      hint: 'run them one by one',
    });
  }
}

/** A name (maybe double-quoted) followed, past white space and comments, by "(". */
const CALL_PATTERN = /(?<![\w$])"?([a-z_][\w$]*)"?(?:\s|\/\*[\s\S]*?\*\/|--[^\n]*(?:\n|$))*\(/gi;

interface RedshiftLexed {
  /** The first word outside comments, or the first other character; undefined for none. */
  firstWord: string | undefined;
  /** Statements found by splitting at ";" outside strings and comments (at least 1 if any). */
  statements: number;
}

/**
 * Just enough of Redshift's lexer to find the first word and the statement separators:
 * '…' strings (with '' and backslash escapes), "…" identifiers, -- and /* comments.
 */
function lexRedshift(sql: string): RedshiftLexed {
  let firstWord: string | undefined;
  let statements = 0;
  let inStatement = false;
  let i = 0;
  const startStatement = (): void => {
    if (!inStatement) {
      inStatement = true;
      statements += 1;
    }
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return { firstWord: firstWord ?? '/*', statements: Math.max(statements, 1) };
      // A comment inside a comment is read differently by different lexers: do not guess.
      if (firstWord === undefined && sql.slice(i + 2, end).includes('/*')) firstWord = '/*';
      i = end + 2;
    } else if (c === ';') {
      inStatement = false;
      i += 1;
    } else {
      startStatement();
      if (firstWord === undefined) firstWord = /^[A-Za-z_]\w*/.exec(sql.slice(i))?.[0] ?? c;
      if (c === "'" || c === '"') {
        const end = closingQuote(sql, i);
        if (end < 0) return { firstWord, statements };
        i = end + 1;
      } else {
        i += 1;
      }
    }
  }
  return { firstWord, statements };
}

/** Index of the quote that closes the string or identifier opened at `start`, or -1. */
function closingQuote(sql: string, start: number): number {
  const quote = sql[start];
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (quote === "'" && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] !== quote) return i;
      i += 2;
    } else {
      i += 1;
    }
  }
  return -1;
}
