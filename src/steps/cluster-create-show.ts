/**
 * What `cluster create` says about each outcome src/aws returns (role, policy, security group,
 * ingress), and the outcomes that stop it with what to do instead. A role or group the wizard made
 * for another cluster is never used, changed or shared (docs/redshift.md, "What the wizard creates").
 */
import type { ExistingRoleOutcome } from '../aws/provision-cluster.js';
import type { CallerIngressOutcome, findSecurityGroup, SecurityGroupOutcome } from '../aws/provision-network.js';
import type { ExistingRolePolicyOutcome, RoleOutcome, S3PolicyOutcome } from '../aws/provision-role.js';
import type { ClusterInfo } from '../aws/redshift.js';
import { ownerText } from '../aws/tags.js';
import type { Context } from '../context.js';
import { UserError } from '../errors.js';

/** A role the wizard made for another cluster stops the step, with what to do instead. */
export function refuseForeignRole(ctx: Context, role: RoleOutcome | undefined, identifier: string): void {
  if (role?.kind !== 'other-cluster') return;
  throw new UserError(
    `IAM role ${role.roleName} belongs to ${ownerText(role)}: sparkify-dwh never shares or changes it. ` +
      `Set another [DWH] DWH_IAM_ROLE_NAME in ${ctx.config.displayPath} (for example ${identifier}-role) ` +
      'and run `sparkify-dwh cluster create` again',
  );
}

/** A group of the wizard's name that is not this cluster's, or no default VPC, stops the step. */
export function refuseForeignGroup(
  ctx: Context,
  group: Awaited<ReturnType<typeof findSecurityGroup>>,
  identifier: string,
): void {
  if (group.kind === 'refused') {
    throw new UserError(
      `there is no default VPC in ${group.region}: create one with ` +
        `\`aws ec2 create-default-vpc --region ${group.region}\` and run \`sparkify-dwh cluster create\` again`,
    );
  }
  if (group.kind !== 'not-ours') return;
  const whose = group.owner === 'someone-else' ? 'was not made by sparkify-dwh' : `belongs to ${group.owner}`;
  throw new UserError(
    `security group ${group.name} (${group.groupId}) ${whose}: sparkify-dwh uses only a group it made for ` +
      `cluster ${identifier}. Delete or rename that group, or set another [DWH] DWH_CLUSTER_IDENTIFIER in ` +
      `${ctx.config.displayPath}`,
  );
}

export function showRole(ctx: Context, role: RoleOutcome): void {
  if (role.kind === 'not-ours') {
    ctx.ui.warn(
      `IAM role ${role.roleName} exists and was not created by sparkify-dwh: using it unchanged ` +
        '(it must trust redshift.amazonaws.com and read the [S3] data).',
    );
  } else {
    ctx.ui.success(`IAM role ${role.roleName} ${role.kind}`);
  }
}

export function showPolicy(ctx: Context, policy: S3PolicyOutcome): void {
  if (policy.kind === 'skipped') {
    ctx.ui.warn(
      '[S3] has no LOG_DATA, LOG_JSONPATH or SONG_DATA: the role can read nothing yet; ' +
        'set them and run `sparkify-dwh cluster create` again.',
    );
  }
}

/** The group's id; no default VPC, or a group that is not this cluster's, stops the step. */
export function showGroup(ctx: Context, group: SecurityGroupOutcome, identifier: string): string {
  if (group.kind === 'refused' || group.kind === 'not-ours') {
    refuseForeignGroup(ctx, group, identifier);
    throw new Error('unreachable: refuseForeignGroup throws for this outcome');
  }
  if (group.kind === 'created') {
    ctx.ui.success(`Security group ${group.name} (${group.groupId}) created in the default VPC ${group.vpcId}`);
  } else {
    ctx.ui.success(`Security group ${group.name} (${group.groupId}) reused`);
  }
  return group.groupId;
}

export function showIngress(ctx: Context, rule: CallerIngressOutcome): void {
  switch (rule.kind) {
    case 'no-wizard-group':
      return;
    case 'no-address':
      ctx.ui.note('Could not find your public IP address: the security group is left as it is.');
      return;
    case 'added':
      ctx.ui.success(`Port ${rule.port} open to ${rule.cidr}`);
      return;
    case 'exists':
      ctx.ui.success(`Port ${rule.port} was already open to ${rule.cidr}`);
  }
}

/** What happened to the S3 policy of a reused cluster's role. */
export function showExistingPolicy(ctx: Context, outcome: ExistingRolePolicyOutcome): void {
  if (outcome.kind === 'written') ctx.ui.success(`IAM role policy ${outcome.policyName} matches [S3]`);
  else if (outcome.kind === 'skipped') showPolicy(ctx, outcome);
  else if (outcome.kind === 'left-alone') {
    ctx.ui.note(
      `IAM role ${outcome.roleName} was not made by sparkify-dwh for this cluster: its policies are left as ` +
        'they are (it must be able to read the [S3] data).',
    );
  }
}

/** The ARN of the role a reused cluster reads S3 with; without one, what to do. */
export function showExistingRole(ctx: Context, cluster: ClusterInfo, role: ExistingRoleOutcome): string {
  switch (role.kind) {
    case 'attached':
      return role.arn;
    case 'not-attached':
      ctx.ui.warn(
        `Cluster ${cluster.identifier} has no IAM role attached; ` +
          `COPY needs one (attach ${role.roleName} in the Redshift console).`,
      );
      return role.arn;
    case 'missing':
      throw new UserError(
        `cluster ${cluster.identifier} has no IAM role and role ${role.roleName} does not exist: ` +
          'attach a role that can read [S3] in the Redshift console, ' +
          'or delete the cluster (`sparkify-dwh teardown`) and create it again',
      );
  }
}
