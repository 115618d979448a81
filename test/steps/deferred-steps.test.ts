/**
 * The menu's local steps are drawn from src/steps/index.ts before their modules load
 * (docs/performance.md, start-up): each stands for its module's step, with the same id, title and
 * known status, and loads the module when its status is read or it runs.
 */
import { describe, expect, test } from 'vitest';
import { analyticsStep } from '../../src/steps/analytics.js';
import { checkStep } from '../../src/steps/check.js';
import {
  deferredAnalyticsStep,
  deferredCheckStep,
  deferredLoadStep,
  deferredSqlStep,
  deferredStep,
  deferredTablesStep,
} from '../../src/steps/index.js';
import { loadStep } from '../../src/steps/load.js';
import { sqlStep } from '../../src/steps/sql.js';
import { tablesStep } from '../../src/steps/tables.js';
import type { Context } from '../../src/context.js';
import type { MenuStep, StatusSnapshot } from '../../src/steps/types.js';

describe('deferred menu steps', () => {
  test.each([
    [deferredTablesStep, tablesStep],
    [deferredLoadStep, loadStep],
    [deferredCheckStep, checkStep],
    [deferredAnalyticsStep, analyticsStep],
    [deferredSqlStep, sqlStep],
  ])('%# has its module’s id and title', (deferred, real) => {
    expect({ id: deferred.id, title: deferred.title }).toEqual({ id: real.id, title: real.title });
  });

  test('the SQL entry’s status, known before its module loads, is the module’s own', async () => {
    const ctx = {} as Context;
    const snapshot = {} as StatusSnapshot;
    expect(await deferredSqlStep.status(ctx, snapshot)).toEqual(await sqlStep.status(ctx, snapshot));
  });

  test('the module is loaded once, on the first status read or run, and answers for the step', async () => {
    let loads = 0;
    const calls: string[] = [];
    const real: MenuStep = {
      id: 'x',
      title: 'X',
      applies: () => true,
      status: () => {
        calls.push('status');
        return Promise.resolve({ state: 'done', detail: 'real' });
      },
      run: () => {
        calls.push('run');
        return Promise.resolve({ ok: true, summary: 'ran' });
      },
    };
    const step = deferredStep('x', 'X', () => {
      loads += 1;
      return Promise.resolve(real);
    });
    expect(loads).toBe(0);
    const ctx = {} as Context;
    expect(await step.status(ctx, {} as StatusSnapshot)).toEqual({ state: 'done', detail: 'real' });
    expect(await step.run(ctx)).toEqual({ ok: true, summary: 'ran' });
    expect(loads).toBe(1);
    expect(calls).toEqual(['status', 'run']);
  });
});
