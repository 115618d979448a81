/**
 * The menu on the redshift target: AWS steps appear with live status read from (mocked) AWS,
 * and cluster housekeeping runs from it.
 */
import { DescribeClustersCommand } from '@aws-sdk/client-redshift';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { existingTablesSql } from '../../src/sql/status.js';
import { runMenu } from '../../src/steps/menu.js';
import { AWS_SECRET, configText, DB_PASSWORD, ENDPOINT, fakeClock, mockAws, ROLE_ARN, setKey } from '../aws/fakes.js';
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
