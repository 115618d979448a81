/**
 * Keeping secrets (AWS secret keys, session tokens, database passwords) out of the tool's own
 * messages, logs and DEBUG output. The terminal Ui passes every message through `redact`: the
 * last line of defence, not the only one.
 *
 * What is never redacted: the user's data. Query results, exports and analytics are written by
 * `Ui.data` exactly as the warehouse returned them (docs/safety.md), so a password that happens to
 * be an ordinary word cannot turn `checkpoint` into `****point`.
 *
 * Two ways a secret is found in a message:
 * - structured places, whatever the secret's length: the password in a URL's userinfo
 *   (`postgres://user:…@host`), a `password=`/`secret=`/`token=` query parameter, and
 *   `key = value` where the key names a password, secret or token (`DB_PASSWORD = …`);
 * - a registered value anywhere in the text, but only when it is long enough to be specific:
 *   masking a short one ("check") would eat ordinary words ("Data-quality checks").
 */

import { showControlsInMessage } from './format.js';

/** What a secret is replaced with. */
export const REDACTED = '****';

/** Registered values shorter than this are masked only in the structured places above. */
export const MIN_EXACT_SECRET_LENGTH = 8;

const secrets = new Set<string>();
/** Longest first, so a secret that contains another registered one is masked whole. */
let ordered: string[] = [];

/** Mask `value` (and its URL-encoded and decoded forms, as it appears inside connection URLs) from now on. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < MIN_EXACT_SECRET_LENGTH) return;
  const forms = new Set([value, encodeURIComponent(value), safeDecode(value)]);
  let changed = false;
  for (const form of forms) {
    if (form.length >= MIN_EXACT_SECRET_LENGTH && !secrets.has(form)) {
      secrets.add(form);
      changed = true;
    }
  }
  if (changed) ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/** `scheme://user:PASSWORD@`: everything between the user's colon and the last @ of the authority. */
const URL_USERINFO_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)([^\s/?#]+)@/gi;
/** `?password=…` / `&sslpassword=…` / `&X-Amz-Security-Token=…` in a URL. */
const QUERY_SECRET = /([?&;][\w.-]*(?:password|passwd|secret|token|signature)[\w.-]*=)([^&\s#'"]+)/gi;
/** `DB_PASSWORD = …`, `aws_secret_access_key=…`, `PGPASSWORD=…` (quoted values whole). */
const KEY_VALUE_SECRET =
  /(\b[\w.-]*(?:password|passwd|secret|token)[\w.-]*[ \t]*=[ \t]*)("[^"\n]*"|'[^'\n]*'|[^\s,;&'"]+)/gi;

function maskStructured(text: string): string {
  if (!/:\/\/|=/.test(text)) return text;
  const mask = (_match: string, prefix: string, value: string): string =>
    value === REDACTED ? `${prefix}${value}` : `${prefix}${REDACTED}`;
  return text
    .replace(URL_USERINFO_PASSWORD, (_match: string, prefix: string) => `${prefix}${REDACTED}@`)
    .replace(QUERY_SECRET, mask)
    .replace(KEY_VALUE_SECRET, mask);
}

/** Secrets in one of the tool's own messages replaced with ****. Never call it on the user's data. */
export function redact(text: string): string {
  let result = maskStructured(text);
  for (const secret of ordered) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/**
 * One of the tool's own messages made fit for the terminal: secrets redacted, and control
 * characters (which may come from data quoted in an error or a rejection reason) shown escaped,
 * line breaks and tabs aside. Call it on the text before colouring it.
 */
export function cleanMessage(text: string): string {
  return showControlsInMessage(redact(text));
}

/** Forget every secret: for tests, which share one process-wide registry. */
export function clearSecrets(): void {
  secrets.clear();
  ordered = [];
}

/** A value that is itself URL-encoded (a password typed as it appears in a URL) is masked decoded too. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
