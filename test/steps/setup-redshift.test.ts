/**
 * `setup --yes` on the redshift target from a complete dwh.cfg: credentials → cluster (role,
 * security group, cluster, polling, write-back, TLS connection test) → tables → load (COPY from
 * S3) → checks → analytics, unattended. AWS is aws-sdk-client-mock; the cluster's database is a
 * recording double (no cluster in tests); the public-IP lookup is never needed (DWH_ALLOWED_CIDR).
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { CreateRoleCommand, GetRoleCommand, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ClusterNotFoundFault, CreateClusterCommand, DescribeClustersCommand } from '@aws-sdk/client-redshift';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { runSetup } from '../../src/steps/setup.js';
import type * as RedshiftModule from '../../src/warehouse/redshift.js';
import {
  AWS_KEY_ID,
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

// The cluster step's TLS connection test opens its own connection: answer SELECT version().
vi.mock('../../src/warehouse/redshift.js', async (original) => ({
  ...(await original<typeof RedshiftModule>()),
  openRedshift: async () => ({
    query: async () => ({
      rows: [{ version: 'PostgreSQL 8.0.2 on i686-pc-linux-gnu, Redshift 1.0.90000' }],
      fields: ['version'],
      rowCount: 1,
    }),
    close: async () => undefined,
  }),
}));

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

const notFound = () => new ClusterNotFoundFault({ message: 'Cluster dwhcluster not found.', $metadata: {} });

test('setup --yes on Redshift: credentials to analytics with no prompt, HOST and ARN written back', async () => {
  const start = configText({
    'AWS.KEY': AWS_KEY_ID,
    'AWS.SECRET': AWS_SECRET,
    'DWH.DWH_ALLOWED_CIDR': '198.51.100.4/32',
  });
  aws.sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ana', UserId: 'AIDAEXAMPLE' });
  aws.iam
    .on(GetRoleCommand)
    .rejects(new NoSuchEntityException({ message: 'The role with name dwhRole cannot be found.', $metadata: {} }));
  aws.iam.on(CreateRoleCommand).resolves({
    Role: { RoleName: 'dwhRole', Arn: ROLE_ARN, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date() },
  });
  aws.iam.on(PutRolePolicyCommand).resolves({});
  aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
  aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  aws.ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-0wizard' });
  aws.ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
  aws.redshift
    .on(DescribeClustersCommand)
    .rejectsOnce(notFound()) // the walkthrough's status
    .rejectsOnce(notFound()) // create: none yet
    .resolvesOnce({ Clusters: [cluster('creating')] })
    .resolves({ Clusters: [cluster('available')] });
  aws.redshift.on(CreateClusterCommand).resolves({ Cluster: cluster('creating') });
  const database = recordingRedshift(undefined, { tablesExist: false });
  const t = await makeTestContext({
    config: start,
    yes: true,
    aws: aws.clients,
    clock: fakeClock(),
    warehouse: database.warehouse,
  });
  try {
    const { ok } = await runSetup(t.ctx);
    expect(ok, t.ui.text()).toBe(true);

    const text = t.ui.text();
    expect(text).toMatch(/Setup complete/);
    // Each step headed once, by its title: no step prints a second heading of its own.
    expect(t.ui.of('heading')).toEqual([
      'Guided setup',
      // (AWS credentials: already done, from [AWS] KEY and SECRET)
      'Redshift cluster',
      'Create tables',
      'Load data',
      'Check data quality',
      'Analytics',
    ]);
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(1);
    const written = await readFile(t.configPath, 'utf8');
    expect(written).toMatch(new RegExp(`^HOST = ${ENDPOINT.replaceAll('.', '\\.')}$`, 'm'));
    expect(written).toMatch(new RegExp(`^ARN = ${ROLE_ARN}$`, 'm'));
    expect(written).toBe(
      setKey(
        setKey(setKey(start, 'CLUSTER.HOST', ENDPOINT), 'CLUSTER.DB_PASSWORD', DB_PASSWORD),
        'IAM_ROLE.ARN',
        ROLE_ARN,
      ),
    );

    // Tables created in the Redshift dialect, both staging tables COPYed from S3 with the new role.
    expect(database.statements.some((s) => s.startsWith('CREATE TABLE') && s.includes('DISTKEY'))).toBe(true);
    const copies = database.statements.filter((s) => s.startsWith('COPY '));
    expect(copies.map((s) => s.split(' ')[1])).toEqual(['staging_songs', 'staging_events']);
    for (const copy of copies) expect(copy).toContain(`IAM_ROLE '${ROLE_ARN}'`);
    expect(database.outcome.rolledBack).toBe(0);
    expect(text).toMatch(/All \d+ checks passed/);

    for (const secret of [AWS_SECRET, DB_PASSWORD]) expect(text).not.toContain(secret);

    // Rerun: every finished step is skipped; nothing is created or loaded twice; dwh.cfg unchanged.
    expect((await runSetup(t.ctx)).ok).toBe(true);
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(1);
    expect(database.statements.filter((s) => s.startsWith('COPY '))).toHaveLength(2);
    expect(await readFile(t.configPath, 'utf8')).toBe(written);
    expect(t.ui.text().slice(text.length)).toMatch(/Redshift cluster: already done/);
  } finally {
    await t.cleanup();
  }
});
