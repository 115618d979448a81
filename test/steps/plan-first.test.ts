/**
 * In the menu, the cluster and teardown steps show their plan before asking (docs/commands.md,
 * --dry-run): the planned AWS calls with their key parameters (secrets masked) and the dwh.cfg keys,
 * then the step's own question; No changes nothing (no mutating AWS call, dwh.cfg as it was), yes
 * applies with the answers already given. Provisioned and Serverless.
 */
import { DeleteSecurityGroupCommand, DescribeSecurityGroupsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import {
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  ClusterNotFoundFault,
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
} from '@aws-sdk/client-redshift';
import { CreateWorkgroupCommand } from '@aws-sdk/client-redshift-serverless';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isReadOnlyAction } from '../../src/aws/planning.js';
import type { Context } from '../../src/context.js';
import { clusterStep, runClusterCreate } from '../../src/steps/cluster.js';
import { planThenApply } from '../../src/steps/plan-first.js';
import { serverlessStep, serverlessTeardownStep } from '../../src/steps/serverless.js';
import { teardownStep } from '../../src/steps/teardown.js';
import type { Prompts } from '../../src/ui/types.js';
import {
  AWS_SECRET,
  cluster,
  configText,
  DB_PASSWORD,
  ENDPOINT,
  fakeClock,
  mockAws,
  ROLE_ARN,
  TAGS,
} from '../aws/fakes.js';
import {
  NAMESPACE_ARN,
  namespace,
  SERVERLESS_TAGS,
  serverlessService,
  workgroup,
  WORKGROUP_ARN,
} from '../aws/serverless-fakes.js';
import { makeTestContext, type RecordingUi } from '../support/context.js';
import { ACCEPT_DEFAULTS, fakeDeps, mockFreshNetworkAndRole } from './cluster-fakes.js';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

const CREATED = configText({ 'CLUSTER.HOST': ENDPOINT, 'CLUSTER.DB_PASSWORD': DB_PASSWORD, 'IAM_ROLE.ARN': ROLE_ARN });
const TORN_DOWN = configText({ 'CLUSTER.HOST': '', 'CLUSTER.DB_PASSWORD': DB_PASSWORD, 'IAM_ROLE.ARN': '' });
const SERVERLESS = { 'WAREHOUSE.TARGET': 'redshift-serverless', 'DWH.DWH_DB_PASSWORD': '' };

/** The AWS actions sent that change something. */
function mutatingSent(): string[] {
  return [aws.redshift, aws.serverless, aws.iam, aws.ec2, aws.sts, aws.redshiftData]
    .flatMap((mock) => mock.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, '')))
    .filter((action) => !isReadOnlyAction(action));
}

/** `ctx` whose prompts note what was on screen when each question was asked. */
function watched(ctx: Context, ui: RecordingUi): { ctx: Context; shownBefore: Map<string, string> } {
  const shownBefore = new Map<string, string>();
  const note = (message: string) => shownBefore.set(message, ui.text());
  const prompts = ctx.prompts;
  const watching: Prompts = {
    unattended: false,
    select: (prompt) => (note(prompt.message), prompts.select(prompt)),
    input: (prompt) => (note(prompt.message), prompts.input(prompt)),
    password: (prompt) => (note(prompt.message), prompts.password(prompt)),
    confirm: (prompt) => (note(prompt.message), prompts.confirm(prompt)),
  };
  return { ctx: Object.create(ctx, { prompts: { value: watching } }) as Context, shownBefore };
}

function mockOurClusterRoleAndGroup(): { deleted: () => boolean } {
  let deleted = false;
  const gone = () => new ClusterNotFoundFault({ message: 'Cluster dwhcluster not found.', $metadata: {} });
  aws.redshift.on(DescribeClustersCommand, { ClusterIdentifier: 'dwhcluster' }).callsFake(() => {
    if (deleted) throw gone();
    return { Clusters: [cluster('available', { Tags: TAGS, Endpoint: { Address: ENDPOINT, Port: 5439 } })] };
  });
  aws.redshift.on(DescribeClustersCommand, { MaxRecords: 100 }).callsFake(() => ({
    Clusters: deleted ? [] : [cluster('available', { Tags: TAGS })],
  }));
  aws.redshift.on(DeleteClusterCommand).callsFake(() => {
    deleted = true;
    return { Cluster: cluster('deleting', { Tags: TAGS }) };
  });
  aws.iam.on(GetRoleCommand, { RoleName: 'dwhRole' }).resolves({
    Role: { RoleName: 'dwhRole', Arn: ROLE_ARN, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date(), Tags: TAGS },
  });
  aws.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['sparkify-dwh-s3-read'], IsTruncated: false });
  aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
  aws.iam.on(DeleteRolePolicyCommand).resolves({});
  aws.iam.on(DeleteRoleCommand).resolves({});
  aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
  aws.ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [
      {
        GroupId: 'sg-0wizard',
        GroupName: 'dwhcluster-sparkify-dwh',
        VpcId: 'vpc-0default',
        Tags: [{ Key: 'Name', Value: 'dwhcluster-sparkify-dwh' }, ...TAGS],
      },
    ],
  });
  aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
  return { deleted: () => deleted };
}

const TEARDOWN_QUESTION = 'Type the cluster identifier (dwhcluster) to delete what is listed, or leave empty to stop';

describe('the menu shows the plan before asking', () => {
  test('teardown: planned deletes and dwh.cfg keys before the question; an empty answer changes nothing', async () => {
    mockOurClusterRoleAndGroup();
    // The final snapshot is asked while planning (the plan needs the answer); then the identifier.
    const t = await makeTestContext({ config: CREATED, answers: [false, ''], aws: aws.clients, clock: fakeClock() });
    try {
      const { ctx, shownBefore } = watched(t.ctx, t.ui);
      expect(await teardownStep.run(ctx)).toEqual({ ok: false, summary: 'nothing changed' });
      const before = shownBefore.get(TEARDOWN_QUESTION) ?? '';
      expect(before).toContain('plan  AWS redshift DeleteCluster');
      expect(before).toContain('ClusterIdentifier=dwhcluster');
      expect(before).toContain('plan  AWS iam DeleteRole');
      expect(before).toContain('plan  AWS ec2 DeleteSecurityGroup');
      expect(before).toContain('would write [CLUSTER] HOST = (empty)');
      expect(t.ui.text()).toContain('Nothing changed.');
      expect(mutatingSent()).toEqual([]);
      expect(await readFile(t.configPath, 'utf8')).toBe(CREATED);
      expect(t.ui.text()).not.toContain(DB_PASSWORD);
    } finally {
      await t.cleanup();
    }
  });

  test('teardown: yes after the plan deletes for real, asking nothing twice', async () => {
    const account = mockOurClusterRoleAndGroup();
    const t = await makeTestContext({
      config: CREATED,
      answers: [false, 'dwhcluster'],
      aws: aws.clients,
      clock: fakeClock(),
    });
    try {
      expect(await teardownStep.run(t.ctx)).toEqual({ ok: true, summary: 'deleted what sparkify-dwh created' });
      expect(t.prompts.messages()).toEqual([
        'Keep a final snapshot of the cluster? (its storage is billed until you delete it)',
        TEARDOWN_QUESTION,
      ]);
      expect(account.deleted()).toBe(true);
      expect(aws.redshift.commandCalls(DeleteClusterCommand)).toHaveLength(1);
      expect(aws.iam.commandCalls(DeleteRoleCommand)).toHaveLength(1);
      expect(await readFile(t.configPath, 'utf8')).toBe(TORN_DOWN);
    } finally {
      await t.cleanup();
    }
  });

  test('cluster create: planned role, group, cluster (password masked) before the confirm; No sends none', async () => {
    mockFreshNetworkAndRole(aws);
    aws.redshift
      .on(DescribeClustersCommand)
      .rejects(new ClusterNotFoundFault({ message: 'Cluster dwhcluster not found.', $metadata: {} }));
    const answers = [...ACCEPT_DEFAULTS.slice(0, -1), false];
    const config = configText({ 'CLUSTER.DB_PASSWORD': DB_PASSWORD, 'DWH.DWH_ALLOWED_CIDR': '198.51.100.4/32' });
    const t = await makeTestContext({ config, answers, aws: aws.clients, clock: fakeClock() });
    try {
      const { ctx, shownBefore } = watched(t.ctx, t.ui);
      expect(await clusterStep.run(ctx)).toEqual({ ok: false, summary: 'nothing changed' });
      const before = shownBefore.get('Create these AWS resources? (billed while the cluster exists)') ?? '';
      expect(before).toContain('plan  AWS iam CreateRole');
      expect(before).toContain('plan  AWS ec2 CreateSecurityGroup');
      expect(before).toMatch(/plan {2}AWS redshift CreateCluster\n(?: {4}.*\n)* {4}NodeType=ra3\.large/);
      expect(before).toContain('MasterUserPassword=****');
      expect(before).toMatch(/would write \[CLUSTER\] HOST = dwhcluster\./);
      expect(before).toContain('would write [IAM_ROLE] ARN');
      expect(t.ui.text()).not.toContain(DB_PASSWORD);
      expect(t.ui.text()).not.toContain(AWS_SECRET);
      expect(mutatingSent()).toEqual([]);
      expect(await readFile(t.configPath, 'utf8')).toBe(config);
    } finally {
      await t.cleanup();
    }
  });

  test('Serverless create: the planned namespace and workgroup before the confirm; No sends nothing', async () => {
    serverlessService(aws.serverless);
    const config = configText(SERVERLESS);
    const create = await makeTestContext({
      config,
      answers: [undefined, undefined, undefined, 8, undefined, false],
      aws: aws.clients,
      clock: fakeClock(),
    });
    try {
      const { ctx, shownBefore } = watched(create.ctx, create.ui);
      const result = await serverlessStep.run(ctx);
      expect(result, create.ui.text()).toEqual({ ok: false, summary: 'nothing changed' });
      const question = 'Create these AWS resources? (billed per RPU-hour while queries run, and for storage)';
      const before = shownBefore.get(question) ?? '';
      expect(before).toContain('plan  AWS redshift-serverless CreateNamespace');
      expect(before).toContain('plan  AWS redshift-serverless CreateWorkgroup');
      expect(before).toContain('baseCapacity=');
      expect(before).toMatch(/would write \[CLUSTER\] HOST = dwhcluster\..*redshift-serverless/);
      expect(mutatingSent()).toEqual([]);
      expect(await readFile(create.configPath, 'utf8')).toBe(config);
    } finally {
      await create.cleanup();
    }
  });
});

describe('the menu shows the plan before asking (Serverless teardown)', () => {
  test('the planned deletes before the workgroup-name question; an empty answer sends nothing', async () => {
    const service = serverlessService(aws.serverless);
    service.namespace = namespace('AVAILABLE');
    service.workgroup = workgroup('AVAILABLE');
    service.tags.set(NAMESPACE_ARN, SERVERLESS_TAGS);
    service.tags.set(WORKGROUP_ARN, SERVERLESS_TAGS);
    const config = configText(SERVERLESS);
    // The final snapshot is asked while planning; then the name.
    const t = await makeTestContext({ config, answers: [false, ''], aws: aws.clients, clock: fakeClock() });
    try {
      const { ctx, shownBefore } = watched(t.ctx, t.ui);
      expect(await serverlessTeardownStep.run(ctx), t.ui.text()).toEqual({ ok: false, summary: 'nothing changed' });
      const before =
        shownBefore.get('Type the workgroup name (dwhcluster) to delete what is listed, or leave empty to stop') ?? '';
      expect(before).toContain('plan  AWS redshift-serverless DeleteWorkgroup\n    workgroupName=dwhcluster');
      expect(before).toContain('plan  AWS redshift-serverless DeleteNamespace\n    namespaceName=dwhcluster');
      expect(mutatingSent()).toEqual([]);
      expect(service.workgroup?.status).toBe('AVAILABLE');
      expect(await readFile(t.configPath, 'utf8')).toBe(config);
    } finally {
      await t.cleanup();
    }
  });
});

/** How often `text` appears in what was shown. */
function times(shown: string, text: string): number {
  return shown.split(text).length - 1;
}

describe('after yes, the plan is not shown again: progress and the outcome only', () => {
  test('teardown: the heading, the resource table and the cost once; then what was deleted', async () => {
    mockOurClusterRoleAndGroup();
    const t = await makeTestContext({
      config: CREATED,
      answers: [false, 'dwhcluster'],
      aws: aws.clients,
      clock: fakeClock(),
    });
    try {
      expect(await teardownStep.run(t.ctx)).toEqual({ ok: true, summary: 'deleted what sparkify-dwh created' });
      const shown = t.ui.text();
      expect(times(shown, 'Teardown in us-west-2')).toBe(1);
      expect(times(shown, 'AWS resources')).toBe(1);
      expect(times(shown, 'Cluster dwhcluster: running for')).toBe(1);
      const after = shown.slice(shown.indexOf('That is the plan'));
      expect(after).toContain('✔ Cluster dwhcluster deleted');
      expect(after).toContain('✔ IAM role dwhRole deleted');
      expect(after).not.toContain('[dry run]');
    } finally {
      await t.cleanup();
    }
  });

  test('cluster create: "About to create" once; then role, group and cluster as they are made', async () => {
    mockFreshNetworkAndRole(aws);
    let created = false;
    aws.redshift.on(DescribeClustersCommand).callsFake(() => {
      if (!created) throw new ClusterNotFoundFault({ message: 'Cluster dwhcluster not found.', $metadata: {} });
      return { Clusters: [cluster('available')] };
    });
    aws.redshift.on(CreateClusterCommand).callsFake(() => {
      created = true;
      return { Cluster: cluster('creating') };
    });
    const config = configText({ 'CLUSTER.DB_PASSWORD': DB_PASSWORD, 'DWH.DWH_ALLOWED_CIDR': '198.51.100.4/32' });
    const t = await makeTestContext({ config, answers: ACCEPT_DEFAULTS, aws: aws.clients, clock: fakeClock() });
    try {
      const result = await planThenApply(t.ctx, (ctx) => runClusterCreate(ctx, fakeDeps().deps));
      expect(result, t.ui.text()).toEqual({ ok: true, summary: `cluster dwhcluster available at ${ENDPOINT}` });
      const shown = t.ui.text();
      expect(times(shown, 'About to create')).toBe(1);
      expect(times(shown, 'Region us-west-2')).toBe(1);
      const after = shown.slice(shown.indexOf('That is the plan'));
      expect(after).toContain('✔ IAM role dwhRole created');
      expect(after).toMatch(/✔ Cluster dwhcluster requested/);
      expect(after).not.toContain('[dry run]');
    } finally {
      await t.cleanup();
    }
  });

  test('Serverless create: "About to create" once; then the role and the pair as they are made', async () => {
    serverlessService(aws.serverless);
    mockFreshNetworkAndRole(aws);
    const config = configText(SERVERLESS);
    const t = await makeTestContext({
      config,
      answers: [undefined, undefined, undefined, 8, undefined, true],
      aws: aws.clients,
      clock: fakeClock(),
    });
    try {
      // The Data API test at the end has no double here: only what was shown up to it matters.
      await serverlessStep.run(t.ctx).catch(() => undefined);
      const shown = t.ui.text();
      expect(times(shown, 'About to create')).toBe(1);
      expect(times(shown, 'Redshift Serverless in us-west-2')).toBe(1);
      const after = shown.slice(shown.indexOf('That is the plan'));
      expect(after).toContain('IAM role dwhRole created');
      expect(after).not.toContain('[dry run]');
      expect(aws.serverless.commandCalls(CreateWorkgroupCommand)).toHaveLength(1);
    } finally {
      await t.cleanup();
    }
  });

  test('Serverless teardown: the heading and the resource table once; then what was deleted', async () => {
    const service = serverlessService(aws.serverless);
    service.namespace = namespace('AVAILABLE');
    service.workgroup = workgroup('AVAILABLE');
    service.tags.set(NAMESPACE_ARN, SERVERLESS_TAGS);
    service.tags.set(WORKGROUP_ARN, SERVERLESS_TAGS);
    const t = await makeTestContext({
      config: configText(SERVERLESS),
      answers: [false, 'dwhcluster'],
      aws: aws.clients,
      clock: fakeClock(),
    });
    try {
      const result = await serverlessTeardownStep.run(t.ctx);
      expect(result, t.ui.text()).toEqual({ ok: true, summary: 'deleted what sparkify-dwh created' });
      const shown = t.ui.text();
      expect(times(shown, 'Teardown of Redshift Serverless dwhcluster in us-west-2')).toBe(1);
      expect(times(shown, 'AWS resources')).toBe(1);
      const after = shown.slice(shown.indexOf('That is the plan'));
      expect(after).toMatch(/✔ Workgroup dwhcluster deleted/);
      expect(after).not.toContain('[dry run]');
    } finally {
      await t.cleanup();
    }
  });

  // A dry run asks what the real run would (docs/commands.md, --dry-run): the identifier, then the snapshot.
  test.each([
    ['--dry-run', { dryRun: true }, ['dwhcluster', false]],
    ['--yes', { yes: true }, []],
  ])(
    'teardown from the menu under %s: the plan once, no "That is the plan" and no second run',
    async (_flag, flags, answers) => {
      mockOurClusterRoleAndGroup();
      const t = await makeTestContext({
        config: CREATED,
        yes: 'yes' in flags,
        answers,
        aws: aws.clients,
        clock: fakeClock(),
      });
      try {
        const ctx = Object.create(t.ctx, { options: { value: { ...t.ctx.options, ...flags } } }) as Context;
        await teardownStep.run(ctx);
        const shown = t.ui.text();
        expect(times(shown, 'Teardown in us-west-2')).toBe(1);
        expect(times(shown, 'AWS resources')).toBe(1);
        expect(shown).not.toContain('That is the plan');
        expect(times(shown, 'IAM role dwhRole deleted')).toBe(1);
      } finally {
        await t.cleanup();
      }
    },
  );
});
