/**
 * How a failure reads, asked the same way everywhere: a message on one line, and what an errno
 * code means in plain words. Lives at the bottom of the import graph so every folder can use it.
 */

/** Join the lines of a multi-line message (and the blanks around each break) into one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Every run of whitespace (newlines, tabs, double spaces) as one space: for messages from AWS,
 * whose text is prose wrapped or padded anyhow. Unlike oneLine it also squeezes spaces inside a
 * line, which a database message may use to align (`failed.  Check 'stl_load_errors'`).
 */
export function squeezeSpaces(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Only the first line of a message: for messages whose first line is the summary and the rest
 * is noise to the user (AWS SDK exceptions, unexpected errors whose stack DEBUG shows anyway).
 */
export function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}

/**
 * The errno code a Node system error carries (`ENOENT`, `ECONNREFUSED` …). Node ≥ 20 tries every
 * address of a host name and reports an AggregateError of them all: then the first one's code.
 */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  return Array.isArray(errors) && errors.length > 0 ? errnoCode(errors[0]) : undefined;
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder is in the way',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name not found',
  EAI_NONAME: 'host name not found',
  EHOSTUNREACH: 'network unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
};

/**
 * What the errno code of `error` means, in words; undefined when it carries no code we know.
 * `overrides` words a code whose meaning depends on what was being done (ENOENT while loading a
 * file that was listed a moment ago: "the file disappeared while loading").
 */
export function errnoText(error: unknown, overrides: Readonly<Record<string, string>> = {}): string | undefined {
  const code = errnoCode(error);
  return code === undefined ? undefined : (overrides[code] ?? ERRNO_TEXT[code]);
}
