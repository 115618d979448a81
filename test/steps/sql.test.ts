/**
 * The sql step over a channel that streams (a stand-in warehouse): Ctrl-C during a query ends the
 * menu's SQL prompt, so the menu can say it stopped instead of refusing every later query.
 */
import { describe, expect, test } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { runSqlPrompt } from '../../src/steps/sql.js';
import type { RowStream } from '../../src/sql/result.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { makeTestContext } from '../support/context.js';

/** A warehouse whose every query runs until its signal fires. */
function slowWarehouse(): Warehouse {
  return {
    description: 'a slow warehouse',
    capabilities: {
      streamResults: {
        streamReadOnly: (_sql: string, options?: { signal?: AbortSignal }) =>
          new Promise<RowStream>((_resolve, reject) => {
            options?.signal?.addEventListener('abort', () => reject(new InterruptedError()), { once: true });
          }),
      },
    },
    close: () => Promise.resolve(),
  } as unknown as Warehouse;
}

describe('the SQL prompt', () => {
  test('Ctrl-C during a query ends the prompt (the menu says it stopped), not the next query', async () => {
    const made = await makeTestContext({
      config: '[WAREHOUSE]\nTARGET = embedded\n',
      warehouse: slowWarehouse(),
      answers: ['SELECT pg_sleep(60)', 'SELECT 1'],
    });
    try {
      const running = runSqlPrompt(made.ctx);
      setTimeout(() => made.ctx.abort(), 50);
      await expect(running).rejects.toBeInstanceOf(InterruptedError);
      expect(made.prompts.remaining()).toBe(1);
    } finally {
      await made.cleanup();
    }
  });
});

describe('the SQL prompt shows a failed query and asks again', () => {
  async function failedQueryText(env: NodeJS.ProcessEnv): Promise<string> {
    const made = await makeTestContext({
      env,
      config: '[WAREHOUSE]\nTARGET = embedded\n',
      warehouse: slowWarehouse(),
      answers: ['DELETE FROM songplays', ''],
    });
    try {
      expect(await runSqlPrompt(made.ctx)).toEqual({ ok: true });
      return made.ui.of('error').join('\n');
    } finally {
      await made.cleanup();
    }
  }

  test("with the stack only when DEBUG is set in the context's environment, whatever the process has", async () => {
    const saved = process.env.DEBUG;
    process.env.DEBUG = '1';
    try {
      const plain = await failedQueryText({});
      expect(plain).toContain('DELETE');
      expect(plain).not.toMatch(/\n\s+at /);
    } finally {
      if (saved === undefined) delete process.env.DEBUG;
      else process.env.DEBUG = saved;
    }
    expect(await failedQueryText({ DEBUG: '1' })).toMatch(/\n\s+at /);
  });
});
