/**
 * Redshift Serverless provisioning returns what it did (created / reused / not ours) for the
 * namespace and the workgroup, against a mocked client answering with the SDK's real exception
 * classes; the requests carry the wizard's tags, the role, the password choice and the access mode.
 */
import {
  CreateNamespaceCommand,
  CreateWorkgroupCommand,
  GetNamespaceCommand,
  GetWorkgroupCommand,
  InsufficientCapacityException,
  ListTagsForResourceCommand,
  ServiceQuotaExceededException,
  ValidationException,
} from '@aws-sdk/client-redshift-serverless';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createAwsClients } from '../../src/aws/clients.js';
import { getNamespace, getWorkgroup, iamRoleArnOf } from '../../src/aws/serverless.js';
import {
  checkServerlessName,
  checkServerlessSpec,
  ensureNamespace,
  ensureWorkgroup,
  isNamespaceRoleNotYetUsable,
  ownership,
  type ServerlessSpec,
} from '../../src/aws/serverless-provision.js';
import { ROLE_PROPAGATION } from '../../src/aws/role-propagation.js';
import { describeServerless, serverlessWriteBack, usageSoFar } from '../../src/aws/serverless-status.js';
import { UserError } from '../../src/errors.js';
import { DB_PASSWORD, fakeClock, mockAws, REGION, ROLE_ARN, TAGS } from './fakes.js';
import {
  conflict,
  namespace,
  NAMESPACE_ARN,
  notFound,
  SECRET_ARN,
  SERVERLESS_TAGS,
  workgroup,
  WORKGROUP_ARN,
  WORKGROUP_ENDPOINT,
} from './serverless-fakes.js';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

const spec = (extra: Partial<ServerlessSpec> = {}): ServerlessSpec => ({
  identifier: 'dwhcluster',
  dbName: 'dwh',
  dbUser: 'dwhuser',
  password: undefined,
  baseRpu: 8,
  port: 5439,
  access: 'private',
  roleArn: ROLE_ARN,
  ...extra,
});

describe('names and limits, checked before anything is created', () => {
  test('a namespace and workgroup name is 3 to 64 lowercase letters, digits and hyphens', () => {
    expect(checkServerlessName('dwhcluster')).toBe(true);
    expect(checkServerlessName('abc')).toBe(true);
    expect(checkServerlessName('a'.repeat(64))).toBe(true);
    for (const bad of ['dw', 'a'.repeat(65), 'DwhCluster', 'dwh_cluster']) {
      expect(checkServerlessName(bad)).toBe(
        `"${bad}" cannot name a Redshift Serverless namespace and workgroup: ` +
          'use 3 to 64 lowercase letters, digits and hyphens',
      );
    }
  });

  test('the spec check names the first problem: the name, then the base capacity, then the port', () => {
    expect(checkServerlessSpec({ identifier: 'dwhcluster', baseRpu: 8, port: 5439 }, REGION)).toBe(true);
    expect(checkServerlessSpec({ identifier: 'dw', baseRpu: 7, port: 1 }, REGION)).toMatch(/^"dw" cannot name/);
    expect(checkServerlessSpec({ identifier: 'dwhcluster', baseRpu: 12, port: 1 }, REGION)).toMatch(
      /^12 RPUs is not a base capacity/,
    );
    expect(checkServerlessSpec({ identifier: 'dwhcluster', baseRpu: 8, port: 5000 }, REGION)).toMatch(
      /^port 5000 is not one Serverless workgroups accept/,
    );
    // 1024 RPUs exist only in some regions.
    expect(checkServerlessSpec({ identifier: 'dwhcluster', baseRpu: 1024, port: 5439 }, 'ap-south-1')).toMatch(
      /^1024 RPUs is only offered in/,
    );
  });

  test('ownership needs both the created-by tag and this identifier', () => {
    expect(ownership(TAGS, 'dwhcluster')).toBe('ours');
    expect(ownership(TAGS, 'othercluster')).toBe('other-identifier');
    expect(ownership([{ Key: 'team', Value: 'data' }], 'dwhcluster')).toBe('untagged');
    expect(ownership([], 'dwhcluster')).toBe('untagged');
  });
});

describe('ensureNamespace', () => {
  test('creates a missing namespace: AWS-managed admin password, the role as default, tagged', async () => {
    aws.serverless.on(GetNamespaceCommand).rejects(notFound('Namespace dwhcluster'));
    aws.serverless.on(CreateNamespaceCommand).resolves({ namespace: namespace('AVAILABLE', { iamRoles: [ROLE_ARN] }) });
    const outcome = await ensureNamespace(aws.clients.redshiftServerless, spec(), REGION);
    expect(outcome.kind).toBe('created');
    expect('namespace' in outcome && outcome.namespace).toMatchObject({
      name: 'dwhcluster',
      adminPasswordSecretArn: SECRET_ARN,
      iamRoleArns: [ROLE_ARN],
    });
    expect(aws.serverless.commandCalls(CreateNamespaceCommand)[0]!.args[0].input).toEqual({
      namespaceName: 'dwhcluster',
      dbName: 'dwh',
      adminUsername: 'dwhuser',
      manageAdminPassword: true,
      defaultIamRoleArn: ROLE_ARN,
      iamRoles: [ROLE_ARN],
      tags: SERVERLESS_TAGS,
    });
  });

  test('a password the user set is sent as adminUserPassword, and then manageAdminPassword is not', async () => {
    aws.serverless.on(GetNamespaceCommand).rejects(notFound('Namespace dwhcluster'));
    aws.serverless
      .on(CreateNamespaceCommand)
      .resolves({ namespace: namespace('AVAILABLE', { adminPasswordSecretArn: undefined }) });
    await ensureNamespace(aws.clients.redshiftServerless, spec({ password: DB_PASSWORD }), REGION);
    const input = aws.serverless.commandCalls(CreateNamespaceCommand)[0]!.args[0].input;
    expect(input.adminUserPassword).toBe(DB_PASSWORD);
    expect(input).not.toHaveProperty('manageAdminPassword');
  });

  test("reuses the wizard's namespace for this identifier; others are not ours, and nothing is created", async () => {
    aws.serverless.on(GetNamespaceCommand).resolves({ namespace: namespace('AVAILABLE') });
    aws.serverless
      .on(ListTagsForResourceCommand, { resourceArn: NAMESPACE_ARN })
      .resolvesOnce({ tags: SERVERLESS_TAGS })
      .resolvesOnce({ tags: [{ key: 'team', value: 'data' }] })
      .resolvesOnce({ tags: [SERVERLESS_TAGS[0]!, { key: 'sparkify-dwh:cluster', value: 'othercluster' }] });
    const client = aws.clients.redshiftServerless;
    expect((await ensureNamespace(client, spec(), REGION)).kind).toBe('reused');
    expect(await ensureNamespace(client, spec(), REGION)).toMatchObject({ kind: 'not-ours', reason: 'untagged' });
    expect(await ensureNamespace(client, spec(), REGION)).toMatchObject({
      kind: 'not-ours',
      reason: 'other-identifier',
    });
    expect(aws.serverless.commandCalls(CreateNamespaceCommand)).toHaveLength(0);
  });

  test('ConflictException (another run got there first) judges the namespace it lost the race to', async () => {
    aws.serverless
      .on(GetNamespaceCommand)
      .rejectsOnce(notFound('Namespace dwhcluster'))
      .resolves({ namespace: namespace('AVAILABLE') });
    aws.serverless.on(CreateNamespaceCommand).rejects(conflict('Namespace dwhcluster already exists.'));
    aws.serverless.on(ListTagsForResourceCommand).resolves({ tags: SERVERLESS_TAGS });
    expect((await ensureNamespace(aws.clients.redshiftServerless, spec(), REGION)).kind).toBe('reused');
  });

  test('a quota refusal is one line naming the Service Quotas console', async () => {
    aws.serverless.on(GetNamespaceCommand).rejects(notFound('Namespace dwhcluster'));
    aws.serverless
      .on(CreateNamespaceCommand)
      .rejects(new ServiceQuotaExceededException({ message: 'Namespace limit reached.', $metadata: {} }));
    const error = await ensureNamespace(aws.clients.redshiftServerless, spec(), REGION).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      'the account has reached a Redshift Serverless quota in us-west-2 while creating namespace dwhcluster ' +
        '(Namespace limit reached.): delete an unused namespace or workgroup, or request an increase in the ' +
        'Service Quotas console',
    );
  });

  describe('a role made a moment ago (IAM propagation)', () => {
    /** What CreateNamespace answers, as the SDK throws it, while the new role is not usable yet. */
    const roleNotYet = () =>
      new ValidationException({
        message: `The IAM role ${ROLE_ARN} is not valid. Make sure the role exists and trusts Redshift.`,
        $metadata: {},
      });
    const propagation = (
      clock: ReturnType<typeof fakeClock>,
      waits: number[][],
      signal = new AbortController().signal,
    ) => ({
      clock,
      signal,
      ...ROLE_PROPAGATION,
      onWait: (elapsedMs: number, nextMs: number) => waits.push([elapsedMs, nextMs]),
    });

    test('CreateNamespace refusing the new role is asked again until it is accepted, saying why', async () => {
      aws.serverless.on(GetNamespaceCommand).rejects(notFound('Namespace dwhcluster'));
      aws.serverless
        .on(CreateNamespaceCommand)
        .rejectsOnce(roleNotYet())
        .rejectsOnce(roleNotYet())
        .resolves({ namespace: namespace('AVAILABLE', { iamRoles: [ROLE_ARN] }) });
      const waits: number[][] = [];
      const clock = fakeClock();
      const outcome = await ensureNamespace(aws.clients.redshiftServerless, spec(), REGION, propagation(clock, waits));
      expect(outcome.kind).toBe('created');
      expect(aws.serverless.commandCalls(CreateNamespaceCommand)).toHaveLength(3);
      expect(waits.length).toBeGreaterThan(0);
      expect(clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(2 * ROLE_PROPAGATION.intervalMs);
    });

    test('after a minute of refusals it says so; another ValidationException is said at once', async () => {
      aws.serverless.on(GetNamespaceCommand).rejects(notFound('Namespace dwhcluster'));
      aws.serverless.on(CreateNamespaceCommand).rejects(roleNotYet());
      const outcome = await ensureNamespace(
        aws.clients.redshiftServerless,
        spec(),
        REGION,
        propagation(fakeClock(), []),
      );
      expect(outcome).toEqual({ kind: 'role-not-usable', elapsedMs: ROLE_PROPAGATION.timeoutMs });
      aws.serverless.reset();
      aws.serverless.on(GetNamespaceCommand).rejects(notFound('Namespace dwhcluster'));
      aws.serverless
        .on(CreateNamespaceCommand)
        .rejects(new ValidationException({ message: 'dbName must not be a reserved word.', $metadata: {} }));
      await expect(
        ensureNamespace(aws.clients.redshiftServerless, spec(), REGION, propagation(fakeClock(), [])),
      ).rejects.toThrow(/dbName must not be a reserved word/);
      expect(aws.serverless.commandCalls(CreateNamespaceCommand)).toHaveLength(1);
    });

    test('a role that already existed is not waited for: its refusal is said at once', async () => {
      aws.serverless.on(GetNamespaceCommand).rejects(notFound('Namespace dwhcluster'));
      aws.serverless.on(CreateNamespaceCommand).rejects(roleNotYet());
      await expect(ensureNamespace(aws.clients.redshiftServerless, spec(), REGION)).rejects.toThrow(/is not valid/);
      expect(aws.serverless.commandCalls(CreateNamespaceCommand)).toHaveLength(1);
      expect(isNamespaceRoleNotYetUsable(roleNotYet())).toBe(true);
    });
  });
});

describe('ensureWorkgroup', () => {
  test('creates a private workgroup with the base capacity and port, tagged, without security groups', async () => {
    aws.serverless.on(GetWorkgroupCommand).rejects(notFound('Workgroup dwhcluster'));
    aws.serverless.on(CreateWorkgroupCommand).resolves({ workgroup: workgroup('CREATING') });
    const outcome = await ensureWorkgroup(
      aws.clients.redshiftServerless,
      spec({ securityGroupIds: ['sg-0wizard'] }),
      REGION,
    );
    expect(outcome).toMatchObject({ kind: 'created', workgroup: { status: 'CREATING', endpoint: undefined } });
    expect(aws.serverless.commandCalls(CreateWorkgroupCommand)[0]!.args[0].input).toEqual({
      workgroupName: 'dwhcluster',
      namespaceName: 'dwhcluster',
      baseCapacity: 8,
      publiclyAccessible: false,
      port: 5439,
      tags: SERVERLESS_TAGS,
    });
  });

  test("public access makes it publicly accessible behind the wizard's security group", async () => {
    aws.serverless.on(GetWorkgroupCommand).rejects(notFound('Workgroup dwhcluster'));
    aws.serverless.on(CreateWorkgroupCommand).resolves({ workgroup: workgroup('CREATING') });
    await ensureWorkgroup(
      aws.clients.redshiftServerless,
      spec({ access: 'public', baseRpu: 32, securityGroupIds: ['sg-0wizard'] }),
      REGION,
    );
    expect(aws.serverless.commandCalls(CreateWorkgroupCommand)[0]!.args[0].input).toMatchObject({
      baseCapacity: 32,
      publiclyAccessible: true,
      securityGroupIds: ['sg-0wizard'],
    });
  });

  test("a workgroup of the wizard's serving another namespace is not ours", async () => {
    aws.serverless.on(GetWorkgroupCommand).resolves({ workgroup: workgroup('AVAILABLE', { namespaceName: 'other' }) });
    aws.serverless.on(ListTagsForResourceCommand, { resourceArn: WORKGROUP_ARN }).resolves({ tags: SERVERLESS_TAGS });
    expect(await ensureWorkgroup(aws.clients.redshiftServerless, spec(), REGION)).toMatchObject({
      kind: 'not-ours',
      reason: 'other-namespace',
    });
    aws.serverless.on(GetWorkgroupCommand).resolves({ workgroup: workgroup('AVAILABLE') });
    expect((await ensureWorkgroup(aws.clients.redshiftServerless, spec(), REGION)).kind).toBe('reused');
    expect(aws.serverless.commandCalls(CreateWorkgroupCommand)).toHaveLength(0);
  });

  test('no spare capacity and a refused request each give one line', async () => {
    aws.serverless.on(GetWorkgroupCommand).rejects(notFound('Workgroup dwhcluster'));
    aws.serverless
      .on(CreateWorkgroupCommand)
      .rejectsOnce(new InsufficientCapacityException({ message: 'There is not enough capacity.', $metadata: {} }))
      .rejectsOnce(
        new ValidationException({
          message: 'Subnets must span at least three Availability Zones.',
          $metadata: {},
        }),
      );
    await expect(ensureWorkgroup(aws.clients.redshiftServerless, spec(), REGION)).rejects.toThrow(
      'AWS has no spare Redshift Serverless capacity in us-west-2 right now: ' +
        'try a smaller [DWH] DWH_BASE_RPU, another region ([AWS] REGION) or again later',
    );
    await expect(ensureWorkgroup(aws.clients.redshiftServerless, spec(), REGION)).rejects.toThrow(
      'Redshift Serverless refused the request while creating workgroup dwhcluster: ' +
        'Subnets must span at least three Availability Zones.',
    );
  });
});

describe('describe, write-back and usage', () => {
  test('describe reads the endpoint, status, base capacity, secret ARN and dates', async () => {
    aws.serverless.on(GetWorkgroupCommand).resolves({ workgroup: workgroup('AVAILABLE') });
    aws.serverless.on(GetNamespaceCommand).resolves({ namespace: namespace('AVAILABLE') });
    const described = await describeServerless(aws.clients.redshiftServerless, 'dwhcluster', REGION);
    expect(described.workgroup).toMatchObject({
      status: 'AVAILABLE',
      baseCapacity: 8,
      endpoint: { address: WORKGROUP_ENDPOINT, port: 5439 },
      publiclyAccessible: false,
      createdAt: new Date(Date.UTC(2025, 0, 2, 1, 5, 0)),
    });
    expect(described.namespace).toMatchObject({
      status: 'AVAILABLE',
      adminPasswordSecretArn: SECRET_ARN,
      defaultIamRoleArn: ROLE_ARN,
      iamRoleArns: [ROLE_ARN],
    });
  });

  test('missing workgroup and namespace are undefined, not errors', async () => {
    aws.serverless.on(GetWorkgroupCommand).rejects(notFound('Workgroup dwhcluster'));
    aws.serverless.on(GetNamespaceCommand).rejects(notFound('Namespace dwhcluster'));
    expect(await getWorkgroup(aws.clients.redshiftServerless, 'dwhcluster')).toBeUndefined();
    expect(await getNamespace(aws.clients.redshiftServerless, 'dwhcluster')).toBeUndefined();
  });

  test('namespace role entries come back as ARNs or as IamRole(…) in either order', () => {
    expect(iamRoleArnOf(ROLE_ARN)).toBe(ROLE_ARN);
    expect(iamRoleArnOf(`IamRole(applyStatus=in-sync, iamRoleArn=${ROLE_ARN})`)).toBe(ROLE_ARN);
    expect(iamRoleArnOf(`IamRole(iamRoleArn=${ROLE_ARN}, applyStatus=in-sync)`)).toBe(ROLE_ARN);
  });

  test('write-back records HOST, DB_NAME, DB_USER, DB_PORT, and a password only when the user set one', async () => {
    aws.serverless.on(GetWorkgroupCommand).resolves({ workgroup: workgroup('AVAILABLE') });
    aws.serverless.on(GetNamespaceCommand).resolves({ namespace: namespace('AVAILABLE') });
    const { workgroup: wg, namespace: ns } = await describeServerless(
      aws.clients.redshiftServerless,
      'dwhcluster',
      REGION,
    );
    const managed = serverlessWriteBack(wg!, ns, undefined);
    expect(managed).toEqual([
      { section: 'CLUSTER', key: 'HOST', value: WORKGROUP_ENDPOINT },
      { section: 'CLUSTER', key: 'DB_NAME', value: 'dwh' },
      { section: 'CLUSTER', key: 'DB_USER', value: 'dwhuser' },
      { section: 'CLUSTER', key: 'DB_PORT', value: '5439' },
    ]);
    expect(serverlessWriteBack(wg!, ns, '')).toEqual(managed);
    expect(serverlessWriteBack(wg!, ns, DB_PASSWORD)).toContainEqual({
      section: 'CLUSTER',
      key: 'DB_PASSWORD',
      value: DB_PASSWORD,
    });
  });

  test('usage so far is the charged RPU-seconds at the price per RPU-hour', () => {
    const usage = usageSoFar({
      chargedRpuSeconds: 8 * 3600,
      computeRpuSeconds: 7000,
      from: new Date(Date.UTC(2025, 0, 2, 1, 6)),
      to: new Date(Date.UTC(2025, 0, 2, 2, 6)),
    });
    expect(usage.chargedRpuHours).toBe(8);
    expect(usage.computeUsd).toBeCloseTo(8 * 0.375, 10);
    expect(usage.usdPerRpuHour).toBe(0.375);
  });
});

test('AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS reaches the Serverless client, so emulators work', async () => {
  const saved = process.env.AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS;
  process.env.AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS = 'http://localhost:4599';
  try {
    const clients = await createAwsClients({
      region: REGION,
      keys: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test-secret-key-000' },
    });
    const config = clients.redshiftServerless.config as { serviceConfiguredEndpoint?: () => Promise<string> };
    expect(await config.serviceConfiguredEndpoint?.()).toBe('http://localhost:4599');
    expect(await clients.redshiftServerless.config.maxAttempts()).toBe(5);
  } finally {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS;
    else process.env.AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS = saved;
  }
});
