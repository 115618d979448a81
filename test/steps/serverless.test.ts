/**
 * The Serverless steps one case at a time, against the mocked Serverless and IAM clients with the
 * SDK's real exception classes: bad values and other people's namespaces stop `cluster create`
 * before anything is made; pause and resume say why they do not apply; teardown keeps a final
 * snapshot only when asked (--final-snapshot under --yes) and leaves what is not ours; the menu
 * and the walkthrough show the workgroup's live state.
 */
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateNamespaceCommand,
  CreateWorkgroupCommand,
  ValidationException,
  type CreateNamespaceCommandInput,
  DeleteNamespaceCommand,
  DeleteWorkgroupCommand,
} from '@aws-sdk/client-redshift-serverless';
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
} from '@aws-sdk/client-redshift-data';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ROLE_PROPAGATION } from '../../src/aws/role-propagation.js';
import { COMMANDS } from '../../src/commands.js';
import type { AppContext, StepResult } from '../../src/context.js';
import { ConfigError, InterruptedError, UserError } from '../../src/errors.js';
import { walkthroughSteps } from '../../src/steps/index.js';
import { statusSnapshot } from '../../src/steps/state.js';
import { configText, fakeClock, mockAws, ROLE_ARN, ROLE_TAGS } from '../aws/fakes.js';
import {
  namespace,
  serverlessService,
  SERVERLESS_TAGS,
  workgroup,
  WORKGROUP_ENDPOINT,
} from '../aws/serverless-fakes.js';
import { makeTestContext } from '../support/context.js';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

const SERVERLESS = { 'WAREHOUSE.TARGET': 'redshift-serverless', 'DWH.DWH_DB_PASSWORD': '' };

async function run(ctx: AppContext, name: string, input: object = {}): Promise<StepResult> {
  const spec = COMMANDS.find((command) => command.name === name);
  if (!spec) throw new Error(`no command ${name}`);
  return (await spec.load())(ctx, input as never);
}

function noRole(): void {
  aws.iam
    .on(GetRoleCommand)
    .rejects(new NoSuchEntityException({ message: 'The role with name dwhRole cannot be found.', $metadata: {} }));
}

function ourRole(): void {
  aws.iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'dwhRole',
      Arn: ROLE_ARN,
      Path: '/',
      RoleId: 'AROAEXAMPLE',
      CreateDate: new Date(),
      Tags: ROLE_TAGS,
    },
  });
  aws.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['sparkify-dwh-s3-read'], IsTruncated: false });
  aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
  aws.iam.on(DeleteRolePolicyCommand).resolves({});
  aws.iam.on(DeleteRoleCommand).resolves({});
}

describe('cluster create on Serverless', () => {
  test.each([
    ['12', 'us-west-2', /^dwh\.cfg \[DWH\] DWH_BASE_RPU: "12" is not/],
    ['768', 'eu-west-2', /^dwh\.cfg \[DWH\] DWH_BASE_RPU: 768 RPUs is only offered in us-east-1, .*at most 512$/],
  ])('--yes with DWH_BASE_RPU = %s in %s: one line naming the key, nothing made', async (rpu, region, message) => {
    serverlessService(aws.serverless);
    noRole();
    const t = await makeTestContext({
      config: configText({ ...SERVERLESS, 'DWH.DWH_BASE_RPU': rpu, 'AWS.REGION': region }),
      yes: true,
      aws: { ...aws.clients, region },
      clock: fakeClock(),
    });
    try {
      const error = await run(t.ctx, 'cluster create').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      expect(aws.serverless.commandCalls(CreateNamespaceCommand)).toHaveLength(0);
      expect(aws.iam.commandCalls(GetRoleCommand)).toHaveLength(0);
    } finally {
      await t.cleanup();
    }
  });

  test('a namespace of that name the wizard did not make: refused before any question or AWS change', async () => {
    const service = serverlessService(aws.serverless);
    service.namespace = namespace('AVAILABLE');
    service.tags.set(service.namespace.namespaceArn!, [{ key: 'team', value: 'data' }]);
    noRole();
    const t = await makeTestContext({
      config: configText(SERVERLESS),
      yes: true,
      aws: aws.clients,
      clock: fakeClock(),
    });
    try {
      const error = await run(t.ctx, 'cluster create').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toBe(
        'namespace dwhcluster was not made by sparkify-dwh: sparkify-dwh never uses or changes it. ' +
          'Set another [DWH] DWH_CLUSTER_IDENTIFIER and run `sparkify-dwh cluster create` again',
      );
      expect(aws.iam.commandCalls(GetRoleCommand)).toHaveLength(0);
      expect(aws.serverless.commandCalls(CreateWorkgroupCommand)).toHaveLength(0);
    } finally {
      await t.cleanup();
    }
  });
});

describe('a new role on Serverless', () => {
  test('CreateNamespace refusing the role made a moment ago is asked again, the spinner saying why', async () => {
    const service = serverlessService(aws.serverless);
    let refusals = 0;
    aws.serverless.on(CreateNamespaceCommand).callsFake((input: CreateNamespaceCommandInput) => {
      // IAM propagation: the role exists, but Redshift Serverless does not see it usable yet.
      if (refusals++ < 1) {
        throw new ValidationException({
          message: `The IAM role ${ROLE_ARN} is not valid. Make sure the role exists and trusts Redshift.`,
          $metadata: {},
        });
      }
      service.namespace = namespace('AVAILABLE', {
        namespaceName: input.namespaceName,
        defaultIamRoleArn: input.defaultIamRoleArn,
      });
      service.tags.set(service.namespace.namespaceArn!, input.tags ?? []);
      return Promise.resolve({ namespace: service.namespace });
    });
    noRole();
    aws.iam.on(CreateRoleCommand).resolves({
      Role: { RoleName: 'dwhRole', Arn: ROLE_ARN, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date() },
    });
    aws.iam.on(PutRolePolicyCommand).resolves({});
    const clock = fakeClock();
    // DWH_ACCESS = public (configText's): said once, and the workgroup is made private all the same.
    const t = await makeTestContext({ config: configText(SERVERLESS), yes: true, aws: aws.clients, clock });
    // Stopped at the workgroup's wait: what matters here happened before it.
    clock.onSleep = () => {
      if (aws.serverless.commandCalls(CreateWorkgroupCommand).length > 0) t.ctx.abort();
    };
    try {
      const error = await run(t.ctx, 'cluster create').catch((caught: unknown) => caught);
      expect(error, t.ui.text()).toBeInstanceOf(InterruptedError);
      expect(aws.serverless.commandCalls(CreateNamespaceCommand)).toHaveLength(2);
      // Asked again after the propagation interval, not at once.
      expect(clock.sleeps.slice(0, ROLE_PROPAGATION.intervalMs / 1000).reduce((sum, ms) => sum + ms, 0)).toBe(
        ROLE_PROPAGATION.intervalMs,
      );
      const text = t.ui.text();
      const updates = t.ui.spinners.flatMap((spinner) => spinner.texts).join('\n');
      expect(updates).toMatch(
        /IAM role dwhRole is new and Redshift Serverless does not accept it yet \(IAM takes a few/,
      );
      expect(text).toMatch(/Redshift Serverless accepted IAM role dwhRole/);
      expect(text).toMatch(/Namespace dwhcluster created/);
      expect(
        t.ui
          .text()
          .split('\n')
          .filter((line) => line.includes('DWH_ACCESS = public does not apply to Serverless')),
      ).toHaveLength(1);
      expect(aws.serverless.commandCalls(CreateWorkgroupCommand)[0]!.args[0].input.publiclyAccessible).toBe(false);
    } finally {
      await t.cleanup();
    }
  });
});

describe('waiting for the workgroup', () => {
  test('Ctrl-C stops the waiting, not AWS: said in one line, and a rerun picks the pair up', async () => {
    const service = serverlessService(aws.serverless);
    aws.iam
      .on(GetRoleCommand)
      .rejectsOnce(
        new NoSuchEntityException({ message: 'The role with name dwhRole cannot be found.', $metadata: {} }),
      );
    ourRole();
    aws.iam.on(CreateRoleCommand).resolves({
      Role: { RoleName: 'dwhRole', Arn: ROLE_ARN, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date() },
    });
    aws.iam.on(PutRolePolicyCommand).resolves({});
    // The Data API answering the SELECT version() at the end, as the service does.
    aws.data.on(ExecuteStatementCommand).resolves({ Id: 'd9b6c0c9-0747-4bf4-b142-000000000001' });
    aws.data.on(DescribeStatementCommand).resolves({
      Id: 'd9b6c0c9-0747-4bf4-b142-000000000001',
      Status: 'FINISHED',
      HasResultSet: true,
      ResultRows: 1,
      RedshiftQueryId: 1001,
    });
    aws.data.on(GetStatementResultCommand).resolves({
      Records: [[{ stringValue: 'PostgreSQL 8.0.2 on i686-pc-linux-gnu, Redshift 1.0.90000' }]],
      ColumnMetadata: [{ name: 'version', label: 'version', typeName: 'varchar' }],
      TotalNumRows: 1,
    });
    const clock = fakeClock();
    const t = await makeTestContext({ config: configText(SERVERLESS), yes: true, aws: aws.clients, clock });
    clock.onSleep = () => t.ctx.abort();
    try {
      const error = await run(t.ctx, 'cluster create').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InterruptedError);
      expect(t.ui.text()).toMatch(
        /Stopped waiting; namespace and workgroup dwhcluster are still being created\. Run `sparkify-dwh cluster create`/,
      );
      expect(service.workgroup?.status).toBe('CREATING');
      // The rerun creates nothing twice: it reuses both and waits until they are available.
      t.ctx.resetInterrupt();
      clock.onSleep = undefined;
      expect((await run(t.ctx, 'cluster create')).ok).toBe(true);
      expect(aws.serverless.commandCalls(CreateNamespaceCommand)).toHaveLength(1);
      expect(aws.serverless.commandCalls(CreateWorkgroupCommand)).toHaveLength(1);
      expect(t.ui.text()).toMatch(/Namespace and workgroup dwhcluster already exist \(AVAILABLE, CREATING\): reusing/);
      expect(t.ui.text()).toMatch(/Namespace and workgroup dwhcluster are available/);
      expect(await readFile(t.configPath, 'utf8')).toContain(`HOST = ${WORKGROUP_ENDPOINT}`);
    } finally {
      await t.cleanup();
    }
  });
});

describe('pause and resume on Serverless', () => {
  test.each(['pause', 'resume'] as const)('cluster %s says why it does not apply and succeeds', async (command) => {
    const t = await makeTestContext({ config: configText(SERVERLESS), yes: true, aws: aws.clients });
    try {
      const result = await run(t.ctx, `cluster ${command}`);
      expect(result.ok).toBe(true);
      expect(t.ui.text()).toMatch(
        new RegExp(`Redshift Serverless has no ${command}: workgroup dwhcluster is billed per RPU-hour only while`),
      );
      expect(aws.redshift.calls()).toHaveLength(0);
      expect(aws.serverless.calls()).toHaveLength(0);
    } finally {
      await t.cleanup();
    }
  });
});

describe('teardown on Serverless', () => {
  const created = configText({ ...SERVERLESS, 'CLUSTER.HOST': WORKGROUP_ENDPOINT, 'IAM_ROLE.ARN': ROLE_ARN });

  function existing() {
    const service = serverlessService(aws.serverless);
    service.namespace = namespace('AVAILABLE');
    service.workgroup = workgroup('AVAILABLE');
    service.tags.set(service.namespace.namespaceArn!, SERVERLESS_TAGS);
    service.tags.set(service.workgroup.workgroupArn!, SERVERLESS_TAGS);
    return service;
  }

  test('--yes --final-snapshot keeps a snapshot of the namespace; --yes alone never does', async () => {
    const service = existing();
    ourRole();
    const t = await makeTestContext({ config: created, yes: true, aws: aws.clients, clock: fakeClock() });
    try {
      expect((await run(t.ctx, 'teardown', { finalSnapshot: true })).ok).toBe(true);
      expect(aws.serverless.commandCalls(DeleteNamespaceCommand)[0]!.args[0].input).toEqual({
        namespaceName: 'dwhcluster',
        finalSnapshotName: 'dwhcluster-final-20250102-030405',
      });
      expect(service.finalSnapshots).toEqual(['dwhcluster-final-20250102-030405']);
      expect(t.ui.text()).toMatch(/Namespace dwhcluster deleted \(final snapshot dwhcluster-final-20250102-030405\)/);
      expect(aws.iam.commandCalls(DeleteRoleCommand)[0]!.args[0].input).toEqual({ RoleName: 'dwhRole' });
    } finally {
      await t.cleanup();
    }
  });

  test('what the wizard did not make is listed and left; HOST stays while the workgroup does', async () => {
    const service = existing();
    service.tags.set(service.workgroup!.workgroupArn!, []);
    service.tags.set(service.namespace!.namespaceArn!, []);
    noRole();
    const t = await makeTestContext({ config: created, yes: true, aws: aws.clients, clock: fakeClock() });
    try {
      expect((await run(t.ctx, 'teardown')).ok).toBe(true);
      expect(t.ui.text()).toMatch(/Serverless workgroup \| dwhcluster \(AVAILABLE\) \| left alone: not created by/);
      expect(t.ui.text()).toMatch(/Nothing created by sparkify-dwh is left in AWS/);
      expect(aws.serverless.commandCalls(DeleteWorkgroupCommand)).toHaveLength(0);
      expect(aws.serverless.commandCalls(DeleteNamespaceCommand)).toHaveLength(0);
      expect(await readFile(t.configPath, 'utf8')).toContain(`HOST = ${WORKGROUP_ENDPOINT}`);
    } finally {
      await t.cleanup();
    }
  });
});

describe('the walkthrough and the menu on Serverless', () => {
  test('credentials, the workgroup, then the warehouse steps; the workgroup step reads its live state', async () => {
    const service = serverlessService(aws.serverless);
    const t = await makeTestContext({ config: configText(SERVERLESS), aws: aws.clients });
    try {
      const steps = await walkthroughSteps(t.ctx);
      expect(steps.map((step) => step.id)).toEqual(['credentials', 'cluster', 'tables', 'load', 'check', 'analytics']);
      const workgroupStep = steps[1]!;
      expect(workgroupStep.title).toBe('Redshift Serverless workgroup');
      expect(await workgroupStep.status(t.ctx, statusSnapshot(t.ctx))).toEqual({
        state: 'todo',
        detail: 'no workgroup',
      });
      service.namespace = namespace('AVAILABLE');
      service.workgroup = workgroup('CREATING');
      service.workgroupPolls = -10;
      expect(await workgroupStep.status(t.ctx, statusSnapshot(t.ctx))).toEqual({
        state: 'todo',
        detail: 'workgroup creating',
      });
      service.workgroup = workgroup('AVAILABLE');
      expect(await workgroupStep.status(t.ctx, statusSnapshot(t.ctx))).toEqual({
        state: 'done',
        detail: 'workgroup available',
      });
      const { serverlessMenuSteps } = await import('../../src/steps/serverless.js');
      const teardown = serverlessMenuSteps().find((step) => step.id === 'teardown')!;
      expect(await teardown.status(t.ctx, statusSnapshot(t.ctx))).toEqual({
        state: 'todo',
        detail: 'workgroup available: delete it when done',
      });
    } finally {
      await t.cleanup();
    }
  });
});
