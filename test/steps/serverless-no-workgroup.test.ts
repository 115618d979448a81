/**
 * TARGET = redshift-serverless before `cluster create` has made the workgroup: every SQL entry
 * (tables, check, analytics, sql) says in one line that there is no workgroup yet and how to make
 * it, instead of the Data API's refusal; the menu shows it as a short status. AWS answers with the
 * SDK's own exception classes.
 */
import { ExecuteStatementCommand, ValidationException } from '@aws-sdk/client-redshift-data';
import { GetWorkgroupCommand } from '@aws-sdk/client-redshift-serverless';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Context } from '../../src/context.js';
import type { UserError } from '../../src/errors.js';
import { runAnalytics } from '../../src/steps/analytics.js';
import { runCheck } from '../../src/steps/check.js';
import { runMenu } from '../../src/steps/menu.js';
import { runSql } from '../../src/steps/sql.js';
import { runTablesCreate } from '../../src/steps/tables.js';
import { SelectAbortedError } from '../../src/ui/prompts.js';
import type { SelectPrompt } from '../../src/ui/types.js';
import { NoWorkgroupYetError } from '../../src/warehouse/errors.js';
import { configText, fakeClock, mockAws } from '../aws/fakes.js';
import { serverlessService, workgroup } from '../aws/serverless-fakes.js';
import { makeTestContext } from '../support/context.js';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

const SERVERLESS = configText({ 'WAREHOUSE.TARGET': 'redshift-serverless', 'DWH.DWH_DB_PASSWORD': '' });
const NO_WORKGROUP =
  'there is no workgroup dwhcluster yet: create it with `sparkify-dwh cluster create` ' +
  '(in the menu, “Redshift Serverless workgroup”)';

/** The Data API refusing a workgroup it does not know. */
function dataApiRefuses(message = 'Workgroup dwhcluster not found.'): void {
  aws.redshiftData.on(ExecuteStatementCommand).rejects(new ValidationException({ message, $metadata: {} }));
}

describe('SQL on Serverless before the workgroup exists', () => {
  const entries: Array<[string, (ctx: Context) => Promise<unknown>]> = [
    ['tables create', (ctx) => runTablesCreate(ctx)],
    ['check', (ctx) => runCheck(ctx)],
    ['analytics', (ctx) => runAnalytics(ctx, {})],
    ['sql', (ctx) => runSql(ctx, { query: 'SELECT 1' })],
  ];

  test.each(entries)('%s: one line, there is no workgroup yet, create it with cluster create', async (_name, run) => {
    serverlessService(aws.serverless);
    dataApiRefuses();
    const t = await makeTestContext({ config: SERVERLESS, answers: [true], aws: aws.clients, clock: fakeClock() });
    try {
      const error = await run(t.ctx).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(NoWorkgroupYetError);
      expect((error as UserError).message).toBe(NO_WORKGROUP);
      expect((error as UserError).hint).toBeUndefined();
      expect(aws.serverless.commandCalls(GetWorkgroupCommand)).toHaveLength(1);
    } finally {
      await t.cleanup();
    }
  });

  /** The menu's choices as drawn once its statuses are in, and what it printed; then Quit. */
  async function menuOnce(): Promise<{ choices: string[]; text: string }> {
    const t = await makeTestContext({ config: SERVERLESS, answers: ['Quit'], aws: aws.clients, clock: fakeClock() });
    try {
      // Drawings made while statuses are read are withdrawn, as the terminal select is; the
      // complete one is recorded and answered.
      const asked: string[] = [];
      const select = t.prompts.select.bind(t.prompts);
      t.prompts.select = <T>(prompt: SelectPrompt<T>): Promise<T> => {
        const { signal } = prompt;
        if (signal) {
          return new Promise<T>((_resolve, reject) => {
            const withdraw = (): void => reject(new SelectAbortedError(prompt.default));
            if (signal.aborted) withdraw();
            else signal.addEventListener('abort', withdraw, { once: true });
          });
        }
        asked.push(...prompt.choices.map((choice) => choice.name));
        return select(prompt);
      };
      await runMenu(t.ctx);
      return { choices: asked, text: t.ui.text() };
    } finally {
      await t.cleanup();
    }
  }
  const sqlSteps = (choices: string[]): string[] =>
    choices.filter((name) => /^(Create tables|Load data|Check data quality|Analytics) /.test(name));

  test('the menu: the SQL steps read "create the workgroup first", the header says no workgroup yet', async () => {
    serverlessService(aws.serverless);
    dataApiRefuses();
    const { choices, text } = await menuOnce();
    const lines = sqlSteps(choices);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/– n\/a \(create the workgroup first\)$/);
    expect(text).toContain('no workgroup dwhcluster yet (the Redshift Serverless workgroup step makes it)');
  });

  test('the menu with no AWS credentials: the SQL steps say to sign in first, not the SDK’s message', async () => {
    // What the SDK's credential chain throws before any request is sent.
    const noCredentials = (): Error =>
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    aws.redshiftData.on(ExecuteStatementCommand).rejects(noCredentials());
    aws.serverless.on(GetWorkgroupCommand).rejects(noCredentials());
    const { choices, text } = await menuOnce();
    const lines = sqlSteps(choices);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/– n\/a \(sign in to AWS first\)$/);
    expect(text).toContain('not reachable yet: no AWS credentials (the AWS credentials step)');
    expect(text).not.toContain('Could not load credentials');
  });

  test('a workgroup that exists: the Data API’s own refusal stands', async () => {
    const service = serverlessService(aws.serverless);
    service.workgroup = workgroup('AVAILABLE');
    dataApiRefuses('Database dev does not exist.');
    const t = await makeTestContext({ config: SERVERLESS, aws: aws.clients, clock: fakeClock() });
    try {
      const error = await runSql(t.ctx, { query: 'SELECT 1' }).catch((caught: unknown) => caught);
      expect(error).not.toBeInstanceOf(NoWorkgroupYetError);
      expect((error as Error).message).toMatch(
        /^the Data API refused ExecuteStatement on workgroup dwhcluster.*Database dev does not exist\.$/,
      );
    } finally {
      await t.cleanup();
    }
  });

  test('no answer from AWS at all (the network): no lookup, the error as it was', async () => {
    serverlessService(aws.serverless);
    aws.redshiftData
      .on(ExecuteStatementCommand)
      .rejects(
        Object.assign(new Error('getaddrinfo ENOTFOUND redshift-data.us-west-2.amazonaws.com'), { code: 'ENOTFOUND' }),
      );
    const t = await makeTestContext({ config: SERVERLESS, aws: aws.clients, clock: fakeClock() });
    try {
      const error = await runSql(t.ctx, { query: 'SELECT 1' }).catch((caught: unknown) => caught);
      expect(error).not.toBeInstanceOf(NoWorkgroupYetError);
      expect(aws.serverless.commandCalls(GetWorkgroupCommand)).toHaveLength(0);
    } finally {
      await t.cleanup();
    }
  });
});
