/**
 * Redshift Serverless for `TARGET = redshift-serverless`: a namespace (databases, admin user, IAM
 * role) and a workgroup (compute, endpoint), both named by [DWH] DWH_CLUSTER_IDENTIFIER and tagged
 * as the wizard's. Each is created when missing, reused when the wizard made it for this identifier,
 * and reported as not ours otherwise (the caller refuses: the wizard never changes what it did not
 * make). Returns what happened; prints and asks nothing.
 */
import type { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { DwhAccess } from '../config/types.js';
import { UserError } from '../errors.js';
import { isAwsError } from './errors.js';
import { checkBaseRpu, checkWorkgroupPort, type LimitCheck } from './limits.js';
import { retryWhileRoleNotUsable, type RolePropagationWait } from './role-propagation.js';
import { adminPasswordFrom } from './secrets.js';
import {
  createNamespace,
  createWorkgroup,
  getNamespace,
  getWorkgroup,
  listServerlessTags,
  type NamespaceInfo,
  type WorkgroupInfo,
} from './serverless.js';
import { CLUSTER_TAG_KEY, isCreatedByWizard, wizardTags, type Tag } from './tags.js';

/** Everything the user chooses for a new namespace and workgroup. */
export interface ServerlessSpec {
  /** Names both the namespace and the workgroup. */
  identifier: string;
  dbName: string;
  dbUser: string;
  /** Empty or undefined: Redshift generates the admin password and keeps it in Secrets Manager. */
  password: string | undefined;
  /** Base capacity in RPUs ([DWH] DWH_BASE_RPU). */
  baseRpu: number;
  port: number;
  /** `private`: not publicly accessible, reached through the Data API only. */
  access: DwhAccess;
  /** The role COPY reads S3 with: the namespace's default IAM role. */
  roleArn: string;
  /** A public workgroup's security group (the one admitting DWH_ALLOWED_CIDR). */
  securityGroupIds?: string[] | undefined;
}

/**
 * A namespace or workgroup name: 3 to 64 characters, lowercase letters, digits and hyphens
 * (NamespaceName and WorkgroupName, "Length Constraints: Minimum length of 3. Maximum length of 64.
 * Pattern: ^[a-z0-9-]+$", https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_DeleteWorkgroup.html
 * and API_CreateNamespace.html). A valid DWH_CLUSTER_IDENTIFIER (1–63 of the same characters)
 * fails only when shorter than 3. Namespace names also may not be reserved words; CreateNamespace
 * answers that one itself.
 */
export function checkServerlessName(name: string): LimitCheck {
  if (name.length >= 3 && name.length <= 64 && /^[a-z0-9-]+$/.test(name)) return true;
  return (
    `"${name}" cannot name a Redshift Serverless namespace and workgroup: ` +
    'use 3 to 64 lowercase letters, digits and hyphens'
  );
}

/**
 * Every limit CreateNamespace / CreateWorkgroup would refuse, checked before anything is made: the
 * name, the base capacity (checkBaseRpu, for the region) and the port (checkWorkgroupPort). The first
 * problem, or true. Run only on the way to creating: an existing workgroup keeps what AWS allowed.
 */
export function checkServerlessSpec(spec: Pick<ServerlessSpec, 'identifier' | 'baseRpu' | 'port'>, region: string) {
  for (const check of [
    checkServerlessName(spec.identifier),
    checkBaseRpu(spec.baseRpu, region),
    checkWorkgroupPort(spec.port),
  ]) {
    if (check !== true) return check;
  }
  return true as const;
}

/** Why an existing namespace or workgroup is not the wizard's to use. */
export type NotOursReason =
  /** No created-by = sparkify-dwh tag: someone made it by hand. */
  | 'untagged'
  /** The wizard made it, but for another DWH_CLUSTER_IDENTIFIER. */
  | 'other-identifier'
  /** A workgroup of that name serves another namespace. */
  | 'other-namespace';

/** Whether tags mark a resource as the wizard's for `identifier`. Pure. */
export function ownership(tags: readonly Tag[], identifier: string): 'ours' | 'untagged' | 'other-identifier' {
  if (!isCreatedByWizard(tags)) return 'untagged';
  const cluster = tags.find((tag) => tag.Key === CLUSTER_TAG_KEY)?.Value;
  return cluster === identifier ? 'ours' : 'other-identifier';
}

export type NamespaceOutcome =
  | { kind: 'created'; namespace: NamespaceInfo }
  | { kind: 'reused'; namespace: NamespaceInfo }
  | { kind: 'not-ours'; namespace: NamespaceInfo; reason: NotOursReason }
  /** The role was made a moment ago, and CreateNamespace still refused it when the time was up. */
  | { kind: 'role-not-usable'; elapsedMs: number }
  /** Ctrl-C while waiting for a new role: no namespace was made. */
  | { kind: 'aborted' };

/**
 * Whether CreateNamespace refused the IAM role because IAM has not finished making a new role
 * usable. IAM is eventually consistent ("Changes that I make are not always immediately visible",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency),
 * and CreateNamespace reports a bad parameter, a role it cannot use included, as its
 * ValidationException, "The input failed to satisfy the constraints specified by an AWS service"
 * (https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateNamespace.html, Errors);
 * the SDK throws it as ValidationException. Only one whose message is about an IAM role counts:
 * any other bad input is said at once.
 */
export function isNamespaceRoleNotYetUsable(error: unknown): boolean {
  const cause = error instanceof UserError && error.cause !== undefined ? error.cause : error;
  if (!isAwsError(cause, 'ValidationException')) return false;
  const message = cause instanceof Error ? cause.message : '';
  return (
    /\b(IAM )?role\b/i.test(message) &&
    /not valid|invalid|assume|delegate|not found|does not exist|couldn'?t|could not/i.test(message)
  );
}

export type WorkgroupOutcome =
  | { kind: 'created'; workgroup: WorkgroupInfo }
  | { kind: 'reused'; workgroup: WorkgroupInfo }
  | { kind: 'not-ours'; workgroup: WorkgroupInfo; reason: NotOursReason };

async function judgeNamespace(
  client: RedshiftServerlessClient,
  namespace: NamespaceInfo,
  identifier: string,
  region: string,
): Promise<NamespaceOutcome> {
  const tags = namespace.arn ? await listServerlessTags(client, namespace.arn, region) : [];
  const owner = ownership(tags, identifier);
  return owner === 'ours' ? { kind: 'reused', namespace } : { kind: 'not-ours', namespace, reason: owner };
}

/**
 * The namespace for `spec`: created (tagged, with the role as its default), or the existing one
 * judged. With `propagation` (the role was just created), a refusal of the role is asked again
 * until IAM has made it usable, as CreateCluster is (role-propagation.ts).
 */
export async function ensureNamespace(
  client: RedshiftServerlessClient,
  spec: ServerlessSpec,
  region: string,
  propagation?: RolePropagationWait,
): Promise<NamespaceOutcome> {
  const existing = await getNamespace(client, spec.identifier, region);
  if (existing) return judgeNamespace(client, existing, spec.identifier, region);
  const request = () =>
    createNamespace(
      client,
      {
        name: spec.identifier,
        dbName: spec.dbName,
        adminUsername: spec.dbUser,
        adminPassword: adminPasswordFrom(spec.password),
        roleArn: spec.roleArn,
        tags: wizardTags(spec.identifier),
      },
      region,
    );
  const attempt = await retryWhileRoleNotUsable(request, isNamespaceRoleNotYetUsable, propagation);
  if (attempt.kind !== 'done') return attempt;
  const created = attempt.value;
  if (!('existed' in created)) return { kind: 'created', namespace: created };
  // ConflictException: another run made it between our GetNamespace and CreateNamespace.
  const raced = await getNamespace(client, spec.identifier, region);
  if (!raced) {
    throw new UserError(
      `namespace ${spec.identifier} could not be created or found: run \`sparkify-dwh cluster create\` again`,
    );
  }
  return judgeNamespace(client, raced, spec.identifier, region);
}

async function judgeWorkgroup(
  client: RedshiftServerlessClient,
  workgroup: WorkgroupInfo,
  identifier: string,
  region: string,
): Promise<WorkgroupOutcome> {
  const tags = workgroup.arn ? await listServerlessTags(client, workgroup.arn, region) : [];
  const owner = ownership(tags, identifier);
  if (owner !== 'ours') return { kind: 'not-ours', workgroup, reason: owner };
  if (workgroup.namespaceName !== identifier) return { kind: 'not-ours', workgroup, reason: 'other-namespace' };
  return { kind: 'reused', workgroup };
}

/**
 * The workgroup for `spec`, serving the namespace of the same name: created (tagged; publicly
 * accessible only for DWH_ACCESS = public), or the existing one judged. Call checkServerlessSpec
 * first: this sends baseRpu and port as they are.
 */
export async function ensureWorkgroup(
  client: RedshiftServerlessClient,
  spec: ServerlessSpec,
  region: string,
): Promise<WorkgroupOutcome> {
  const existing = await getWorkgroup(client, spec.identifier, region);
  if (existing) return judgeWorkgroup(client, existing, spec.identifier, region);
  const created = await createWorkgroup(
    client,
    {
      name: spec.identifier,
      namespaceName: spec.identifier,
      baseCapacity: spec.baseRpu,
      publiclyAccessible: spec.access === 'public',
      port: spec.port,
      securityGroupIds: spec.access === 'public' ? spec.securityGroupIds : undefined,
      tags: wizardTags(spec.identifier),
    },
    region,
  );
  if (!('existed' in created)) return { kind: 'created', workgroup: created };
  const raced = await getWorkgroup(client, spec.identifier, region);
  if (!raced) {
    throw new UserError(
      `workgroup ${spec.identifier} could not be created or found: run \`sparkify-dwh cluster create\` again`,
    );
  }
  return judgeWorkgroup(client, raced, spec.identifier, region);
}
