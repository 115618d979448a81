/**
 * The new-user Redshift setup, unattended, from a dwh.cfg with no DWH_ALLOWED_CIDR, no password and
 * no DWH_ACCESS (so private): `setup --yes` makes a cluster that is not publicly accessible, opens
 * no port and stores no password (ManageMasterPassword); then tables, load, checks, analytics,
 * `sql` and `teardown` all go through the Redshift Data API. AWS is aws-sdk-client-mock; the Data
 * API is test/support/data-api-double.ts, which runs the statements in PGlite.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { CreateRoleCommand, GetRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  DescribeScheduledActionsCommand,
  GetClusterCredentialsWithIAMCommand,
} from '@aws-sdk/client-redshift';
import { BatchExecuteStatementCommand, ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { readFile } from 'node:fs/promises';
import { expect, test, vi } from 'vitest';
import { runSetup } from '../../src/steps/setup.js';
import { runSql } from '../../src/steps/sql.js';
import { runTeardown } from '../../src/steps/teardown.js';
import { cluster, ENDPOINT, fakeClock, privateConfigText, ROLE_ARN, ROLE_TAGS } from '../aws/fakes.js';
import { clusterNotFound, mockWizardRole, noSuchRole, WIZARD_GROUP } from '../aws/account-fakes.js';
import { makeTestContext } from '../support/context.js';
import { useDataApiDouble, useMockedAws } from '../support/redshift-journey.js';

const SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:redshift!dwhcluster-dwhuser-AbCdEf';

// The Data API polled every few milliseconds (the double answers at once), not over seconds.
vi.mock('../../src/warehouse/data-api.js', async (original) =>
  (await import('../support/redshift-journey.js')).fastDataApi(await original()),
);

const mocked = useMockedAws();
const dataApi = useDataApiDouble();

const privateCluster = (status: string) =>
  cluster(status, { PubliclyAccessible: false, MasterPasswordSecretArn: SECRET_ARN });

test('setup --yes, new private cluster: no open port, no stored password, all SQL through the Data API', async () => {
  const aws = mocked.current;
  const double = dataApi.current;
  const start = privateConfigText();
  aws.sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ana', UserId: 'AIDAEXAMPLE' });
  aws.iam.on(GetRoleCommand).rejects(noSuchRole('dwhRole'));
  aws.iam.on(CreateRoleCommand).resolves({
    Role: { RoleName: 'dwhRole', Arn: ROLE_ARN, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date() },
  });
  aws.iam.on(PutRolePolicyCommand).resolves({});
  aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
  aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  aws.ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-0wizard' });
  aws.redshift
    .on(DescribeClustersCommand)
    .rejectsOnce(clusterNotFound()) // the walkthrough's status
    .rejectsOnce(clusterNotFound()) // create: none yet
    .resolvesOnce({ Clusters: [privateCluster('creating')] })
    .resolves({ Clusters: [privateCluster('available')] });
  aws.redshift.on(CreateClusterCommand).resolves({ Cluster: privateCluster('creating') });
  const clients = { ...aws.clients, redshiftData: double.client };
  const t = await makeTestContext({ config: start, yes: true, aws: clients, clock: fakeClock() });
  try {
    const { ok } = await runSetup(t.ctx);
    expect(ok, t.ui.text()).toBe(true);
    const text = t.ui.text();
    expect(text).toMatch(/Setup complete/);

    // A private cluster: not publicly accessible, the password generated and kept by AWS, no port opened.
    const create = aws.redshift.commandCalls(CreateClusterCommand)[0]!.args[0].input;
    expect(create.PubliclyAccessible).toBe(false);
    expect(create.ManageMasterPassword).toBe(true);
    expect(create).not.toHaveProperty('MasterUserPassword');
    expect(aws.ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(0);
    expect(aws.redshift.commandCalls(GetClusterCredentialsWithIAMCommand)).toHaveLength(0);
    expect(text).toContain(SECRET_ARN);
    expect(text).toContain('Connected through the Redshift Data API as dwhuser');

    // No password anywhere in dwh.cfg; what was written back is the endpoint and the role.
    const written = await readFile(t.configPath, 'utf8');
    expect(written).toMatch(/^DWH_DB_PASSWORD =$/m);
    expect(written).toMatch(/^DB_PASSWORD =$/m);
    expect(written).toMatch(new RegExp(`^HOST = ${ENDPOINT.replaceAll('.', '\\.')}$`, 'm'));

    // Tables, load, checks and analytics all went through the Data API, as DbUser on the cluster.
    const sent = double.submitted().flat();
    expect(sent.some((sql) => sql.startsWith('CREATE TABLE') && sql.includes('DISTKEY'))).toBe(true);
    expect(sent.filter((sql) => sql.startsWith('COPY ')).map((sql) => sql.split(' ')[1])).toEqual([
      'staging_songs',
      'staging_events',
    ]);
    const calls = [
      ...double.mock.commandCalls(ExecuteStatementCommand),
      ...double.mock.commandCalls(BatchExecuteStatementCommand),
    ].map((call) => call.args[0].input);
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.every((input) => input.ClusterIdentifier === 'dwhcluster' && input.DbUser === 'dwhuser')).toBe(true);
    expect(text).toMatch(/All \d+ checks passed/);

    // `sql` reads through the Data API too.
    const before = double.submitted().length;
    const query = await runSql(t.ctx, { query: 'SELECT count(*) AS n FROM songplays', format: 'json' });
    expect(query.ok).toBe(true);
    expect(double.submitted().length).toBeGreaterThan(before);
    expect(t.ui.text()).toMatch(/"n": ?1/);

    // teardown: the cluster, the role and the group the wizard made; no schedule was made.
    aws.redshift.reset();
    aws.redshift
      .on(DescribeClustersCommand, { ClusterIdentifier: 'dwhcluster' })
      .resolvesOnce({ Clusters: [privateCluster('available')] })
      .rejects(clusterNotFound());
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: privateCluster('deleting') });
    aws.redshift.on(DescribeScheduledActionsCommand).resolves({ ScheduledActions: [] });
    aws.iam.reset();
    aws.iam.on(GetRoleCommand).rejects(noSuchRole('sparkify-dwh-pause-dwhcluster'));
    mockWizardRole(aws, ROLE_TAGS, [privateCluster('available')]);
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [WIZARD_GROUP] });
    aws.ec2.on(DeleteSecurityGroupCommand).resolves({});
    const down = await runTeardown(t.ctx, { pollIntervalMs: 1000 });
    expect(down.ok, t.ui.text()).toBe(true);
    expect(aws.redshift.commandCalls(DeleteClusterCommand)).toHaveLength(1);
    expect(await readFile(t.configPath, 'utf8')).toMatch(/^HOST =$/m);
  } finally {
    await t.cleanup();
  }
});
