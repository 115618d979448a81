/**
 * The line after the wizard writes keys back to dwh.cfg: "Wrote … to dwh.cfg" only when the file
 * changed (ConfigStore.update resolves true), else "dwh.cfg already up to date (…)", so a rerun
 * that changed nothing does not claim to have written.
 */
import type { Ui } from './types.js';

/** `file` as messages name it; `what` the keys, e.g. "[CLUSTER] HOST = … and [IAM_ROLE] ARN". */
export function showConfigSaved(ui: Pick<Ui, 'success'>, file: string, written: boolean, what: string): void {
  ui.success(written ? `Wrote ${what} to ${file}` : `${file} already up to date (${what})`);
}
