/**
 * Where the warehouse lives: this computer, a PostgreSQL server, or Amazon Redshift (a provisioned
 * cluster, or Serverless). The guided setup asks it first; the menu's "Warehouse" entry asks it
 * again at any time. The answer is written to [WAREHOUSE] TARGET, with POSTGRES_URL for a
 * PostgreSQL server and [DWH] DWH_ACCESS (and DWH_ALLOWED_CIDR when typed) for a Redshift cluster
 * (docs/configuration.md). Under --yes nothing is asked: dwh.cfg's values are used as they are.
 */
import { dirname, resolve } from 'node:path';
import { keyOf } from '../config/schema.js';
import type { ConfigChange, DwhAccess, DwhConfig, Target } from '../config/types.js';
import { validateCidr, validatePostgresUrl } from '../config/validate.js';
import type { Context } from '../context.js';
import { isInterrupted, UserError } from '../errors.js';
import { describeError } from '../ui/errors.js';
import { describedChoiceLabel } from '../ui/menu.js';
import { registerSecret } from '../ui/redact.js';
import { openWarehouse } from '../warehouse/open.js';
import { displayPath } from './config.js';
import type { MenuStep, StepResult, StepStatus } from './types.js';

/** Each place, as the question lists it: a name and one line on when it fits (docs/commands.md, setup). */
export const TARGET_CHOICES: ReadonlyArray<{ target: Target; name: string; fits: string }> = [
  { target: 'embedded', name: 'This computer', fits: 'no account, no server, free: to try it, demos, tests' },
  { target: 'postgres', name: 'A PostgreSQL server', fits: 'your own PostgreSQL 14+: a team database, CI' },
  { target: 'redshift', name: 'Redshift cluster', fits: 'provisioned: full scale, billed per hour while it runs' },
  { target: 'redshift-serverless', name: 'Redshift Serverless', fits: 'no cluster: billed only while queries run' },
];

/** How SQL reaches Redshift, as the question lists it (docs/redshift.md). */
export const ACCESS_CHOICES: ReadonlyArray<{ access: DwhAccess; name: string; fits: string }> = [
  { access: 'private', name: 'Private', fits: 'no open port; SQL via the Data API; no stored password' },
  { access: 'public', name: 'Public', fits: 'port open to your IP only, for psql and BI tools (TLS)' },
];

export interface ChooseTargetOptions {
  /** Ask where the warehouse lives (false: take --target, else dwh.cfg's, as under --yes). */
  ask: boolean;
}

/**
 * Ask where the warehouse lives (default: the current target) and what that place needs (the URL
 * of a PostgreSQL server, tested with a real connection before anything is written; how SQL
 * reaches Redshift), then write it to dwh.cfg. Without asking, the target is --target or dwh.cfg's,
 * and it is recorded all the same: `setup --target X` makes X the target of later runs.
 */
export async function chooseTarget(ctx: Context, options: ChooseTargetOptions): Promise<StepResult> {
  const values = ctx.config.values();
  const ask = options.ask && !ctx.prompts.unattended;
  const target = ask ? await askTarget(ctx, ctx.target()) : ctx.target();

  const changes: ConfigChange[] = [change('warehouse.target', target)];
  if (target === 'postgres') {
    // Asked when the place was, or when there is none to test and someone can type one.
    const askUrl = ask || (values.warehouse.postgresUrl === undefined && !ctx.prompts.unattended);
    const url = await postgresUrl(ctx, values, askUrl);
    if (url === undefined) return { ok: false, summary: 'no PostgreSQL server chosen' };
    changes.push(change('warehouse.postgresUrl', url));
  } else if (target === 'redshift' && ask) {
    // Only a provisioned cluster may be public: a Serverless workgroup the wizard makes is always
    // private (docs/redshift.md, "Three ways to run Redshift"), so there is nothing to ask for it.
    const access = await askAccess(ctx, values.dwh.access);
    changes.push(change('dwh.access', access));
    if (access === 'public') {
      const cidr = await askCidr(ctx, values.dwh.allowedCidr);
      if (cidr !== undefined) changes.push(change('dwh.allowedCidr', cidr));
    }
  }

  const written = await ctx.config.update(changes);
  // Recorded now: a one-run --target has nothing left to override, and the menu follows dwh.cfg.
  ctx.options.target = undefined;
  const where = describeTarget(ctx, ctx.config.values(), target);
  if (written) ctx.ui.success(`Warehouse: ${where} (written to ${ctx.config.displayPath})`);
  else ctx.ui.note(`Warehouse: ${where}`);
  return { ok: true, summary: where };
}

async function askTarget(ctx: Context, current: Target): Promise<Target> {
  return ctx.prompts.select<Target>({
    message: 'Where does the warehouse live?',
    choices: TARGET_CHOICES.map(({ target, name, fits }) => ({
      name: describedChoiceLabel(name, fits, ctx.ui.color),
      short: name,
      value: target,
    })),
    default: current,
  });
}

async function askAccess(ctx: Context, current: DwhAccess): Promise<DwhAccess> {
  return ctx.prompts.select<DwhAccess>({
    message: 'How should SQL reach Redshift?',
    choices: ACCESS_CHOICES.map(({ access, name, fits }) => ({
      name: describedChoiceLabel(name, fits, ctx.ui.color),
      short: name,
      value: access,
    })),
    default: current,
  });
}

/**
 * The address allowed through the port: typed, it is written to DWH_ALLOWED_CIDR; left empty, the
 * cluster step looks up the caller's public IP when it opens the port (and that is not written: it
 * changes with the network). Undefined: keep what dwh.cfg has.
 */
async function askCidr(ctx: Context, current: string | undefined): Promise<string | undefined> {
  const typed = (
    await ctx.prompts.input({
      message: 'Address allowed to connect, as a.b.c.d/32 (empty: your public IP, looked up later)',
      ...(current === undefined ? {} : { default: current }),
      validate: (value) => (value.trim() === '' ? true : validateCidr(value.trim())),
    })
  ).trim();
  return typed === '' || typed === current ? undefined : typed;
}

/**
 * The PostgreSQL server's URL, with a connection tested before it is written: asked (the current
 * one as default, its password masked) when `ask`, else dwh.cfg's. Undefined when the user gives up.
 */
async function postgresUrl(ctx: Context, values: DwhConfig, ask: boolean): Promise<string | undefined> {
  let url = values.warehouse.postgresUrl;
  if (!ask) {
    if (url === undefined) {
      throw new UserError(`[WAREHOUSE] POSTGRES_URL in ${ctx.config.displayPath} is not set`, {
        hint: 'write it there as postgres://user:password@host:5432/database',
      });
    }
    await testConnection(ctx, values, url);
    return url;
  }
  // Written without a password in it: the redaction would mask the example's as if it were one.
  ctx.ui.note('Like postgres://user@host:5432/database, with :password after the user when the server needs one.');
  for (;;) {
    const shownDefault = url === undefined ? undefined : maskPassword(url);
    const typed = (
      await ctx.prompts.input({
        message: 'PostgreSQL URL',
        ...(shownDefault === undefined ? {} : { default: shownDefault }),
        validate: (value) => validatePostgresUrl(value.trim()),
        display: maskPassword,
      })
    ).trim();
    // Enter keeps the current URL, whose password the prompt showed masked.
    url = typed === shownDefault && url !== undefined ? url : typed;
    for (const secret of passwordOf(url)) registerSecret(secret);
    try {
      await testConnection(ctx, values, url);
      return url;
    } catch (error) {
      if (isInterrupted(error)) throw error;
      ctx.ui.error(describeError(error, { debug: false }).message);
      const again = await ctx.prompts.confirm({ message: 'Type another URL?', default: true });
      if (!again) return undefined;
    }
  }
}

/** Connect once and close: the URL is written only when a server answers at it. */
async function testConnection(ctx: Context, values: DwhConfig, url: string): Promise<void> {
  const spinner = ctx.ui.spinner(`Connecting to ${maskPassword(url)}…`);
  try {
    const config = { ...values, warehouse: { ...values.warehouse, postgresUrl: url } };
    const warehouse = await openWarehouse('postgres', config, ctx.config.displayPath, {
      applicationName: 'sparkify-dwh setup',
    });
    const description = warehouse.description;
    await warehouse.close();
    spinner.succeed(`Connected to ${description}`);
  } catch (error) {
    spinner.fail(`No connection to ${maskPassword(url)}`);
    throw error;
  }
}

/** The URL with its password shown as **** (as the redaction shows it); anything that is not a URL as it is. */
export function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '****';
    return parsed.toString();
  } catch {
    return url;
  }
}

function passwordOf(url: string): string[] {
  try {
    const { password } = new URL(url);
    return password === '' ? [] : [password, decodeURIComponent(password)];
  } catch {
    return [];
  }
}

type TargetField = 'warehouse.target' | 'warehouse.postgresUrl' | 'dwh.access' | 'dwh.allowedCidr';

function change(field: TargetField, value: string): ConfigChange {
  const { section, key } = keyOf(field);
  return { section, key, value };
}

/** "this computer (.sparkify/warehouse)", "PostgreSQL at db:5432/sparkify", "Redshift cluster, private". */
export function describeTarget(ctx: Context, values: DwhConfig, target: Target): string {
  switch (target) {
    case 'embedded':
      return `this computer (${displayPath(ctx, resolve(dirname(ctx.config.path), values.warehouse.embeddedDir))})`;
    case 'postgres':
      return values.warehouse.postgresUrl === undefined
        ? 'a PostgreSQL server (no POSTGRES_URL yet)'
        : `PostgreSQL at ${serverOf(values.warehouse.postgresUrl)}`;
    case 'redshift':
      return `Redshift cluster, ${values.dwh.access}`;
    case 'redshift-serverless':
      // Whatever DWH_ACCESS says: the wizard's workgroups are private (docs/redshift.md).
      return 'Redshift Serverless, private';
  }
}

/** host:port/database: never the password (the header names the user too). */
function serverOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return '(a URL that does not parse)';
  }
}

/** Where it lives now; read from dwh.cfg, so known at the menu's first drawing. */
export function targetStatus(ctx: Context): Promise<StepStatus> {
  return Promise.resolve({ state: 'done', detail: describeTarget(ctx, ctx.config.values(), ctx.target()) });
}

/** The menu's "Warehouse" entry: shows where it lives; choosing it asks again. */
export const targetStep: MenuStep = {
  id: 'target',
  title: 'Warehouse',
  applies: () => true,
  status: targetStatus,
  run: (ctx) => chooseTarget(ctx, { ask: true }),
};
