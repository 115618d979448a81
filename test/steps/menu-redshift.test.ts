/**
 * The menu on the redshift target: AWS steps appear with live status read from (mocked) AWS,
 * and cluster housekeeping runs from it.
 */
import { ClusterNotFoundFault, DescribeClustersCommand } from '@aws-sdk/client-redshift';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { existingTablesSql } from '../../src/sql/status.js';
import { runMenu } from '../../src/steps/menu.js';
import { SelectAbortedError } from '../../src/ui/prompts.js';
import type { SelectPrompt } from '../../src/ui/types.js';
import {
  AWS_SECRET,
  cluster,
  configText,
  DB_PASSWORD,
  ENDPOINT,
  fakeClock,
  mockAws,
  ROLE_ARN,
  setKey,
} from '../aws/fakes.js';
import { makeTestContext } from '../support/context.js';
import { recordingRedshift } from '../support/redshift-double.js';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

test('shows credentials, cluster, tables… and teardown; "Cluster status and cost" prints the cluster', async () => {
  aws.redshift.on(DescribeClustersCommand).resolves({
    Clusters: [
      {
        ClusterIdentifier: 'dwhcluster',
        ClusterStatus: 'available',
        NodeType: 'ra3.large',
        NumberOfNodes: 1,
        DBName: 'dwh',
        MasterUsername: 'dwhuser',
        ClusterCreateTime: new Date(Date.UTC(2025, 0, 2, 1, 4, 5)),
        Endpoint: { Address: ENDPOINT, Port: 5439 },
        Tags: [{ Key: 'created-by', Value: 'sparkify-dwh' }],
      },
    ],
  });
  const config = setKey(
    setKey(configText({ 'AWS.KEY': 'AKIAIOSFODNN7EXAMPLE', 'AWS.SECRET': AWS_SECRET }), 'CLUSTER.HOST', ENDPOINT),
    'IAM_ROLE.ARN',
    ROLE_ARN,
  );
  const t = await makeTestContext({
    config,
    aws: aws.clients,
    clock: fakeClock(),
    warehouse: recordingRedshift().warehouse,
    answers: ['Cluster status', 'Quit'],
  });
  try {
    expect((await runMenu(t.ctx)).ok).toBe(true);
    const menu = t.prompts.asked[0]!;
    expect(menu.message).toBe('What next?');
    const text = t.ui.text();
    expect(text).toMatch(/Cluster dwhcluster/);
    expect(text).toMatch(/1 × ra3\.large/);
    expect(text).toMatch(/Cost so far/);
    expect(text).not.toContain(AWS_SECRET);
    expect(text).not.toContain(DB_PASSWORD);
  } finally {
    await t.cleanup();
  }
});

test('each menu drawing reads the warehouse state once for all the steps that show it', async () => {
  aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [] });
  const database = recordingRedshift();
  const config = setKey(setKey(configText(), 'CLUSTER.HOST', ENDPOINT), 'IAM_ROLE.ARN', ROLE_ARN);
  const t = await makeTestContext({
    config,
    aws: aws.clients,
    clock: fakeClock(),
    warehouse: database.warehouse,
    // The SQL prompt, left at once with an empty line: a second drawing follows it.
    answers: ['Run SQL', '', 'Quit'],
  });
  try {
    expect((await runMenu(t.ctx)).ok).toBe(true);
    // tables, load, check and analytics all show the warehouse state: one listing and one count
    // per drawing, and the second drawing reads afresh (a step may have changed the warehouse).
    expect(t.prompts.asked.filter((prompt) => prompt.message === 'What next?')).toHaveLength(2);
    expect(database.statements.filter((s) => s === existingTablesSql())).toHaveLength(2);
    expect(database.statements.filter((s) => /count\(\*\)/i.test(s))).toHaveLength(2);
  } finally {
    await t.cleanup();
  }
});

/**
 * Answer the menu as a person who waits for every status: a drawing made while statuses are still
 * being read is withdrawn (as the terminal select is, through its signal); the complete one is
 * answered with Quit. Returns its labels.
 */
function quitOnceComplete(ctx: { prompts: { select: <T>(prompt: SelectPrompt<T>) => Promise<T> } }) {
  const seen = { labels: [] as string[] };
  ctx.prompts.select = <T>(prompt: SelectPrompt<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const { signal } = prompt;
      if (signal) {
        const withdraw = (): void => reject(new SelectAbortedError(prompt.default));
        if (signal.aborted) withdraw();
        else signal.addEventListener('abort', withdraw, { once: true });
        return;
      }
      seen.labels = prompt.choices.map((choice) => choice.name);
      resolve(prompt.choices[prompt.choices.length - 1]!.value); // Quit
    });
  return seen;
}

test('the header says how long the cluster ran and what it cost; "N steps to do" counts the walkthrough', async () => {
  // Created 2 h before the fake clock's now: running, under the cost guard's threshold.
  aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [cluster('available')] });
  const config = setKey(
    setKey(configText({ 'AWS.KEY': 'AKIAIOSFODNN7EXAMPLE', 'AWS.SECRET': AWS_SECRET }), 'CLUSTER.HOST', ENDPOINT),
    'IAM_ROLE.ARN',
    ROLE_ARN,
  );
  const t = await makeTestContext({
    config,
    aws: aws.clients,
    clock: fakeClock(),
    warehouse: recordingRedshift(undefined, { tablesExist: false }).warehouse,
  });
  try {
    const seen = quitOnceComplete(t.ctx);
    expect((await runMenu(t.ctx)).ok).toBe(true);
    const header = t.ui.of('print').at(-1)!;
    expect(header).toMatch(/│ cost +Cluster dwhcluster: running for 2 h 00 min, ~\$[\d.]+ so far +│/);
    expect(header).not.toMatch(/⚠/);
    // Credentials and cluster done; tables, load, check, analytics to do. Not the 4 cluster actions.
    expect(seen.labels[0]).toBe('Guided setup (4 steps to do)');
    // The cluster step's status, the teardown entry's and the header's cost share one DescribeClusters
    // per reading of the statuses, whether that reading is drawn once (it was complete in time) or
    // twice (first with "checking…", then in place): here one reading, so one call.
    expect(aws.redshift.commandCalls(DescribeClustersCommand)).toHaveLength(1);
  } finally {
    await t.cleanup();
  }
});

test('past the cost guard the header warns, in words that say what to do', async () => {
  const created = new Date(Date.UTC(2025, 0, 1, 21, 4, 5)); // 6 h before the fake clock's now
  aws.redshift
    .on(DescribeClustersCommand)
    .resolves({ Clusters: [cluster('available', { ClusterCreateTime: created })] });
  const config = setKey(setKey(configText(), 'CLUSTER.HOST', ENDPOINT), 'IAM_ROLE.ARN', ROLE_ARN);
  const t = await makeTestContext({
    config,
    aws: aws.clients,
    clock: fakeClock(),
    warehouse: recordingRedshift().warehouse,
  });
  try {
    quitOnceComplete(t.ctx);
    expect((await runMenu(t.ctx)).ok).toBe(true);
    const header = t.ui.of('print').at(-1)!;
    const text = header.replace(/│/g, ' ').replace(/\s+/g, ' ');
    expect(text).toMatch(/cost ⚠ Cluster dwhcluster has been running for 6 h/);
    expect(text).toMatch(/sparkify-dwh cluster pause/);
    expect(text).toMatch(/sparkify-dwh teardown/);
    // Every line of the box is as wide as the others: the warning wraps inside it.
    const widths = new Set(header.split('\n').map((line) => [...line].length));
    expect(widths.size).toBe(1);
  } finally {
    await t.cleanup();
  }
});

test('before the cluster exists the menu says so, instead of a dwh.cfg error about [CLUSTER] HOST', async () => {
  aws.redshift
    .on(DescribeClustersCommand)
    .rejects(new ClusterNotFoundFault({ message: 'Cluster dwhcluster not found.', $metadata: {} }));
  const t = await makeTestContext({ config: configText(), aws: aws.clients, clock: fakeClock() });
  try {
    const seen = quitOnceComplete(t.ctx);
    expect((await runMenu(t.ctx)).ok).toBe(true);
    expect(t.ui.of('print').at(-1)).toMatch(/│ warehouse +no cluster yet \(the Redshift cluster step makes it\) +│/);
    expect(seen.labels.find((label) => label.startsWith('Create tables'))).toBe(
      'Create tables            – n/a (create the cluster first)',
    );
    expect(seen.labels.find((label) => label.startsWith('Redshift cluster'))).toMatch(/• not yet \(no cluster\)/);
  } finally {
    await t.cleanup();
  }
});
