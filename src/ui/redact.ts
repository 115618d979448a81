/**
 * The process-wide list of secrets (AWS secret keys, session tokens, database passwords) that must
 * never reach the terminal or a log. Every write the Ui makes passes through `redact`, so even a
 * secret that slips into an error message from a driver or the SDK is masked: the last line of
 * defence, not the only one.
 */

/** What a secret is replaced with. */
export const REDACTED = '****';

/** Shorter values are not registered: masking "ab" would garble ordinary text and hide nothing. */
const MIN_SECRET_LENGTH = 4;

const secrets = new Set<string>();
/** Longest first, so a secret that contains another registered one is masked whole. */
let ordered: string[] = [];

/** Mask `value` (and its URL-encoded form, as it appears inside connection URLs) from now on. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
  const forms = new Set([value, encodeURIComponent(value), safeDecode(value)]);
  let changed = false;
  for (const form of forms) {
    if (form.length >= MIN_SECRET_LENGTH && !secrets.has(form)) {
      secrets.add(form);
      changed = true;
    }
  }
  if (changed) ordered = [...secrets].sort((a, b) => b.length - a.length);
}

/** Every registered secret in `text` replaced with ****. */
export function redact(text: string): string {
  let result = text;
  for (const secret of ordered) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
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
