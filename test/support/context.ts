/**
 * A real Context for step tests: a real dwh.cfg in a temp folder, real warehouses, scripted
 * prompts (or the unattended ones of --yes) and a UI that records what a step showed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AwsClients } from '../../src/aws/clients.js';
import { openConfig } from '../../src/config/store.js';
import type { Target } from '../../src/config/types.js';
import type { AppContext, Clock } from '../../src/context.js';
import { systemClock } from '../../src/context.js';
import { InterruptedError } from '../../src/errors.js';
import { createUnattendedPrompts } from '../../src/ui/prompts.js';
import type { Prompts } from '../../src/ui/types.js';
import { openWarehouse } from '../../src/warehouse/open.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { recordingUi, scriptedPrompts } from './ui.js';

export interface TestContextOptions {
  dir?: string;
  /** dwh.cfg text; no file when undefined. */
  config?: string;
  answers?: unknown[];
  yes?: boolean;
  target?: Target;
  clock?: Clock;
  aws?: AwsClients;
  /** Use this warehouse instead of opening one from the config (e.g. in-memory PGlite). */
  warehouse?: Warehouse;
  /** The program's environment as the context gives it (DEBUG…); empty unless given, whatever the machine has. */
  env?: NodeJS.ProcessEnv;
}

export type RecordingUi = ReturnType<typeof recordingUi>;
export type ScriptedPrompts = ReturnType<typeof scriptedPrompts>;

export async function makeTestContext(options: TestContextOptions = {}) {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'sparkify-test-')));
  const ownDir = options.dir === undefined;
  const configPath = join(dir, 'dwh.cfg');
  if (options.config !== undefined) await writeFile(configPath, options.config, { mode: 0o600 });
  const config = await openConfig(configPath, 'dwh.cfg');
  const ui = recordingUi();
  const scripted = scriptedPrompts(options.answers ?? []);
  const prompts: Prompts = options.yes ? createUnattendedPrompts() : scripted;
  let controller = new AbortController();
  let warehouse: Promise<Warehouse> | undefined = options.warehouse ? Promise.resolve(options.warehouse) : undefined;
  // As the program's: a switch of target (or of its settings) opens the new warehouse.
  let warehouseKey: string | undefined;
  const globals = { yes: Boolean(options.yes), color: false, target: options.target };
  const target = (): Target => globals.target ?? config.values().warehouse.target;
  const ctx: AppContext = {
    cwd: dir,
    env: options.env ?? {},
    options: globals,
    config,
    prompts,
    ui,
    clock: options.clock ?? systemClock,
    get signal() {
      return controller.signal;
    },
    abort: () => controller.abort(new InterruptedError()),
    resetInterrupt: () => {
      if (controller.signal.aborted) controller = new AbortController();
    },
    target,
    warehouse: () => {
      if (!options.warehouse) {
        const key = JSON.stringify([target(), config.values().warehouse, config.values().cluster]);
        if (warehouse && key !== warehouseKey) {
          void warehouse.then((open) => open.close()).catch(() => undefined);
          warehouse = undefined;
        }
        warehouseKey = key;
      }
      warehouse ??= openWarehouse(target(), config.values(), config.displayPath, {
        dataApiClient: async () => (await ctx.aws()).redshiftData,
      });
      return warehouse;
    },
    awsChoice: undefined,
    aws: () => {
      if (!options.aws) return Promise.reject(new Error('this test gave the context no AWS clients'));
      return Promise.resolve(options.aws);
    },
    close: async () => {
      // A warehouse that never opened (no cluster yet) has nothing to close.
      if (warehouse && !options.warehouse) await (await warehouse.catch(() => undefined))?.close();
      warehouse = undefined;
    },
  };
  return {
    ctx,
    ui,
    prompts: scripted,
    configPath,
    dir,
    /** Path relative to the temp folder. */
    path: (...parts: string[]) => resolve(dirname(configPath), ...parts),
    cleanup: async () => {
      await ctx.close();
      if (options.warehouse) await options.warehouse.close();
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
