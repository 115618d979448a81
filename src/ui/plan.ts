/**
 * How a --dry-run shows its plan (docs/commands.md, --dry-run): each AWS call, SQL statement and
 * dwh.cfg key as the step reaches it, then one line that counts them. Secrets arrive masked; the
 * output is redacted again on the way out like everything the tool prints.
 */
import type { Spinner, Ui } from './types.js';

/** What a dry run's "done" lines start with: the step did not do it, it only would have. */
export const DRY_RUN_MARK = '[dry run]';

export interface PlanCounts {
  aws: number;
  sql: number;
  config: number;
}

const MASK = '****';
const INDENT = '    ';

/** A value as it reads on one line: text as is, anything else as JSON. */
function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** Records what a plan shows, and shows it. */
export class PlanView {
  readonly counts: PlanCounts = { aws: 0, sql: 0, config: 0 };

  constructor(private readonly ui: Ui) {}

  /**
   * `ui` with every success line (and spinner success) marked as planned, so "✔ IAM role dwhRole
   * created" reads "✔ [dry run] IAM role dwhRole created".
   */
  static marked(ui: Ui): Ui {
    const mark = (text: string | undefined) => (text === undefined ? undefined : `${DRY_RUN_MARK} ${text}`);
    return new Proxy(ui, {
      get: (target, key, receiver) => {
        if (key === 'success') return (text: string) => target.success(`${DRY_RUN_MARK} ${text}`);
        if (key === 'spinner') {
          return (text: string): Spinner => {
            const spinner = target.spinner(text);
            let last = text;
            return {
              update: (next) => {
                last = next;
                spinner.update(next);
              },
              succeed: (next) => spinner.succeed(mark(next ?? last)),
              fail: (next) => spinner.fail(next),
              warn: (next) => spinner.warn(next),
              stop: () => spinner.stop(),
            };
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  }

  /** Said once, before the command's own output. */
  banner(offline: boolean | undefined = undefined): void {
    this.ui.note('Dry run: nothing is changed. Each "plan" line is what the real run would do.');
    if (offline) this.offline();
  }

  /** No AWS credentials: the plan cannot look at the account. */
  offline(): void {
    this.ui.note(
      'Dry run without AWS credentials: nothing is read from AWS either; the plan assumes nothing exists yet.',
    );
  }

  awsCall(call: { service: string; action: string; params: Record<string, unknown> }): void {
    this.counts.aws += 1;
    const params = Object.entries(call.params)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${shown(value)}`);
    this.ui.print(`plan  AWS ${call.service} ${call.action}`);
    for (const param of params) this.ui.print(`${INDENT}${param}`);
  }

  statement(
    statement: { sql: string; params?: readonly unknown[] | undefined; readOnly: boolean },
    where: string,
  ): void {
    this.counts.sql += 1;
    this.ui.print(`plan  SQL on ${where}${statement.readOnly ? ' (read-only)' : ''}:`);
    for (const line of statement.sql.trim().split('\n')) this.ui.print(`${INDENT}${line}`);
    if (statement.params && statement.params.length > 0) {
      this.ui.print(`${INDENT}-- with ${statement.params.map((param, i) => `$${i + 1} = ${shown(param)}`).join(', ')}`);
    }
  }

  configWrite(write: { section: string; key: string; value: string | undefined; secret: boolean }, file: string): void {
    this.counts.config += 1;
    const value = write.value === undefined || write.value === '' ? '(empty)' : write.secret ? MASK : write.value;
    this.ui.print(`plan  ${file}: would write [${write.section}] ${write.key} = ${value}`);
  }

  configCreate(file: string, from: string): void {
    this.counts.config += 1;
    this.ui.print(`plan  ${file}: would be created from ${from}`);
  }

  /** The closing line. */
  summary(): void {
    const { aws, sql, config } = this.counts;
    const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
    this.ui.info(
      `Dry run done: nothing was changed. The real run would make ${plural(aws, 'AWS call')} that change ` +
        `something, run ${plural(sql, 'SQL statement')} and write ${plural(config, 'dwh.cfg key')}.`,
    );
  }
}
