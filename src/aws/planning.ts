/**
 * AWS under --dry-run (docs/commands.md, --dry-run): the same SDK clients, with `send` wrapped.
 * Calls that only read (Describe*, Get*, List*) go to AWS when there are credentials; every other
 * call is handed to `onCall` with its parameters (secrets masked) and never sent. The planner then
 * answers as AWS would once the call had been made, so the step carries on through its whole plan:
 * a planned role has an ARN, a planned cluster is available at a planned endpoint, a deleted one is
 * gone. Without credentials nothing is sent at all and the planner answers as if nothing existed
 * yet (no cluster, no role, no group, the default VPC).
 *
 * The exceptions it answers with are the SDK's own classes, so src/aws reads them as it reads AWS's.
 */
import { KNOWN_AFTER_APPLY } from '../config/validate.js';
import type { AwsClients } from './clients.js';
import { getCallerIdentity } from './sts.js';

export { KNOWN_AFTER_APPLY };

/** One call the real run would make. */
export interface PlannedAwsCall {
  /** The SDK client: redshift, iam, ec2… */
  service: string;
  /** The API action: CreateCluster. */
  action: string;
  /** Its input, secrets replaced by `****`. */
  params: Record<string, unknown>;
}

export interface AwsPlanOptions {
  onCall: (call: PlannedAwsCall) => void;
  /** No credentials: send nothing, answer reads as "not there yet". */
  offline: boolean;
}

/** A planned temporary password: never sent anywhere, and unlike any other planned value. */
const PLANNED_PASSWORD = 'planned-temporary-password';

/** KNOWN_AFTER_APPLY inside a name that must stay a valid host name or resource id (dwh.cfg checks HOST). */
const KNOWN_AFTER_APPLY_ID = 'known-after-apply';
const MASK = '****';

/** Input keys whose values are secrets (MasterUserPassword, SecretAccessKey, SessionToken…). */
const SECRET_KEY = /password|secret|token/i;

/** Calls that only read: sent when there are credentials. GetClusterCredentials* issues credentials. */
export function isReadOnlyAction(action: string): boolean {
  return /^(Describe|Get|List)/.test(action) && !/^GetClusterCredentials/.test(action);
}

/** A copy of `value` with every secret-named key's value masked; JSON policy documents parsed to show. */
export function maskParams(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskParams);
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      SECRET_KEY.test(key) && inner !== undefined && typeof inner !== 'object' ? MASK : maskParams(inner),
    ]),
  );
}

interface Command {
  readonly input: unknown;
  readonly constructor: { readonly name: string };
}

type Input = Record<string, unknown>;
type Tags = Array<{ Key?: string; Value?: string }>;

/** What the plan has made, changed or deleted so far, by name. */
interface PlanState {
  clusters: Map<string, Input>;
  deletedClusters: Set<string>;
  roles: Map<string, Input>;
  deletedRoles: Set<string>;
  groups: Map<string, Input>;
  deletedGroups: Set<string>;
  /** Redshift Serverless, by name: what CreateNamespace / CreateWorkgroup would have made. */
  namespaces: Map<string, Input>;
  deletedNamespaces: Set<string>;
  workgroups: Map<string, Input>;
  deletedWorkgroups: Set<string>;
  /** Tags of what the plan made, by ARN (GetNamespace and GetWorkgroup return none). */
  tags: Map<string, unknown[]>;
}

/** Wrap `clients` (made by createAwsClients) so nothing they send can change anything. */
export async function planAwsClients(clients: AwsClients, options: AwsPlanOptions): Promise<AwsClients> {
  const [redshift, iam, serverless] = await Promise.all([
    import('@aws-sdk/client-redshift'),
    import('@aws-sdk/client-iam'),
    import('@aws-sdk/client-redshift-serverless'),
  ]);
  const state: PlanState = {
    clusters: new Map(),
    deletedClusters: new Set(),
    roles: new Map(),
    deletedRoles: new Set(),
    groups: new Map(),
    deletedGroups: new Set(),
    namespaces: new Map(),
    deletedNamespaces: new Set(),
    workgroups: new Map(),
    deletedWorkgroups: new Set(),
    tags: new Map(),
  };
  const metadata = { $metadata: {} };
  const region = clients.region;
  let account: string | undefined;
  /**
   * The account a planned ARN names: with credentials, asked of STS once (a read) if no step has
   * yet; without them it is not known, and the ARN says so rather than naming an account.
   */
  const plannedAccount = async (): Promise<string> => {
    if (account === undefined && !options.offline) {
      try {
        account = (await getCallerIdentity(clients.sts, { region })).account || undefined;
      } catch {
        // Not known now: the real run asks again, and fails there with the reason.
      }
    }
    return account ?? KNOWN_AFTER_APPLY;
  };

  const clusterNotFound = (id: unknown) =>
    new redshift.ClusterNotFoundFault({ message: `Cluster ${String(id)} not found.`, $metadata: {} });
  const roleNotFound = (name: unknown) =>
    new iam.NoSuchEntityException({ message: `The role with name ${String(name)} cannot be found.`, $metadata: {} });
  const serverlessNotFound = (what: string, name: unknown) =>
    new serverless.ResourceNotFoundException({ message: `${what} ${String(name)} not found`, $metadata: {} });
  const serverlessArn = async (kind: string, name: unknown) => {
    const owner = `${region}:${await plannedAccount()}`;
    return `arn:aws:redshift-serverless:${owner}:${kind}/${KNOWN_AFTER_APPLY_ID}-${String(name)}`;
  };
  const groupNotFound = (id: string) =>
    Object.assign(new Error(`The security group '${id}' does not exist`), { name: 'InvalidGroup.NotFound' });

  /** A mutating call: what AWS would answer once it was made. */
  const planned = async (action: string, input: Input): Promise<unknown> => {
    const id = input.ClusterIdentifier as string | undefined;
    switch (action) {
      // Temporary database credentials: the plan goes on to its connection test with stand-ins
      // (without them it stopped there with "returned no credentials"). The password is masked as
      // a secret wherever it would show, so it is a text that appears nowhere else.
      case 'GetClusterCredentialsWithIAM':
      case 'GetClusterCredentials':
        return {
          DbUser: typeof input.DbUser === 'string' ? input.DbUser : `IAM:${KNOWN_AFTER_APPLY_ID}`,
          DbPassword: PLANNED_PASSWORD,
          Expiration: new Date(Date.now() + 3_600_000),
          ...metadata,
        };
      case 'GetCredentials':
        return {
          dbUser: `IAM:${KNOWN_AFTER_APPLY_ID}`,
          dbPassword: PLANNED_PASSWORD,
          expiration: new Date(Date.now() + 3_600_000),
          ...metadata,
        };
      case 'CreateRole': {
        const name = String(input.RoleName);
        const role = {
          RoleName: name,
          Arn: `arn:aws:iam::${await plannedAccount()}:role/${name}`,
          Path: '/',
          RoleId: KNOWN_AFTER_APPLY,
          CreateDate: new Date(),
          AssumeRolePolicyDocument: input.AssumeRolePolicyDocument,
          Tags: input.Tags,
        };
        state.roles.set(name, role);
        state.deletedRoles.delete(name);
        return { Role: role, ...metadata };
      }
      case 'DeleteRole':
        state.roles.delete(String(input.RoleName));
        state.deletedRoles.add(String(input.RoleName));
        return metadata;
      case 'CreateSecurityGroup': {
        const groupId = `sg-${KNOWN_AFTER_APPLY_ID}`;
        const specs = (input.TagSpecifications ?? []) as Array<{ Tags?: Tags }>;
        state.groups.set(groupId, {
          GroupId: groupId,
          GroupName: input.GroupName,
          Description: input.Description,
          VpcId: input.VpcId,
          Tags: specs.flatMap((spec) => spec.Tags ?? []),
          IpPermissions: [],
        });
        return { GroupId: groupId, ...metadata };
      }
      case 'DeleteSecurityGroup':
        state.groups.delete(String(input.GroupId));
        state.deletedGroups.add(String(input.GroupId));
        return metadata;
      case 'AuthorizeSecurityGroupIngress':
        return { Return: true, ...metadata };
      case 'CreateCluster': {
        const cluster = {
          ClusterIdentifier: id,
          ClusterStatus: 'available',
          NodeType: input.NodeType,
          NumberOfNodes: input.NumberOfNodes ?? 1,
          DBName: input.DBName,
          MasterUsername: input.MasterUsername,
          Endpoint: {
            Address: `${String(id)}.${KNOWN_AFTER_APPLY_ID}.${region}.redshift.amazonaws.com`,
            Port: input.Port,
          },
          ClusterCreateTime: new Date(),
          IamRoles: ((input.IamRoles ?? []) as string[]).map((arn) => ({ IamRoleArn: arn, ApplyStatus: 'in-sync' })),
          VpcSecurityGroups: ((input.VpcSecurityGroupIds ?? []) as string[]).map((group) => ({
            VpcSecurityGroupId: group,
            Status: 'active',
          })),
          PubliclyAccessible: input.PubliclyAccessible,
          Encrypted: input.Encrypted,
          Tags: input.Tags,
        };
        state.clusters.set(String(id), cluster);
        state.deletedClusters.delete(String(id));
        return { Cluster: cluster, ...metadata };
      }
      case 'PauseCluster':
      case 'ResumeCluster':
      case 'DeleteCluster': {
        const known = state.clusters.get(String(id)) ?? { ClusterIdentifier: id };
        const status = action === 'PauseCluster' ? 'paused' : action === 'ResumeCluster' ? 'available' : 'deleting';
        const cluster = { ...known, ClusterStatus: status };
        if (action === 'DeleteCluster') {
          state.clusters.delete(String(id));
          state.deletedClusters.add(String(id));
        } else {
          state.clusters.set(String(id), cluster);
        }
        return { Cluster: cluster, ...metadata };
      }
      // Redshift Serverless: what the step reads back while it waits is what it asked for, available.
      case 'CreateNamespace': {
        const name = String(input.namespaceName);
        const arn = await serverlessArn('namespace', name);
        const namespace = {
          namespaceName: name,
          namespaceArn: arn,
          namespaceId: KNOWN_AFTER_APPLY,
          status: 'AVAILABLE',
          dbName: input.dbName,
          adminUsername: input.adminUsername,
          // AWS names the secret itself (redshift!<namespace>-<user>-<random suffix>): all of its ARN is to come.
          ...(input.manageAdminPassword === true ? { adminPasswordSecretArn: KNOWN_AFTER_APPLY } : {}),
          defaultIamRoleArn: input.defaultIamRoleArn,
          iamRoles: input.iamRoles,
          creationDate: new Date(),
        };
        state.namespaces.set(name, namespace);
        state.deletedNamespaces.delete(name);
        state.tags.set(arn, (input.tags ?? []) as unknown[]);
        return { namespace, ...metadata };
      }
      case 'CreateWorkgroup': {
        const name = String(input.workgroupName);
        const arn = await serverlessArn('workgroup', name);
        const workgroup = {
          workgroupName: name,
          workgroupArn: arn,
          workgroupId: KNOWN_AFTER_APPLY,
          namespaceName: input.namespaceName,
          status: 'AVAILABLE',
          baseCapacity: input.baseCapacity,
          port: input.port,
          publiclyAccessible: input.publiclyAccessible,
          endpoint: {
            address: `${name}.${KNOWN_AFTER_APPLY_ID}.${region}.redshift-serverless.amazonaws.com`,
            port: input.port,
          },
          creationDate: new Date(),
        };
        state.workgroups.set(name, workgroup);
        state.deletedWorkgroups.delete(name);
        state.tags.set(arn, (input.tags ?? []) as unknown[]);
        return { workgroup, ...metadata };
      }
      case 'DeleteWorkgroup': {
        const name = String(input.workgroupName);
        const known = state.workgroups.get(name) ?? { workgroupName: name };
        state.workgroups.delete(name);
        state.deletedWorkgroups.add(name);
        return { workgroup: { ...known, status: 'DELETING' }, ...metadata };
      }
      case 'DeleteNamespace': {
        const name = String(input.namespaceName);
        const known = state.namespaces.get(name) ?? { namespaceName: name };
        state.namespaces.delete(name);
        state.deletedNamespaces.add(name);
        return { namespace: { ...known, status: 'DELETING' }, ...metadata };
      }
      default:
        return metadata;
    }
  };

  /** A read the plan can answer itself (what it made or deleted), or undefined to ask AWS. */
  const fromPlan = (action: string, input: Input): (() => unknown) | undefined => {
    switch (action) {
      case 'DescribeClusters': {
        const id = input.ClusterIdentifier as string | undefined;
        if (id === undefined) {
          if (!options.offline) return undefined;
          return () => ({ Clusters: [...state.clusters.values()], ...metadata });
        }
        if (state.deletedClusters.has(id)) throw clusterNotFound(id);
        const cluster = state.clusters.get(id);
        if (cluster) return () => ({ Clusters: [cluster], ...metadata });
        if (options.offline) throw clusterNotFound(id);
        return undefined;
      }
      case 'GetRole': {
        const name = String(input.RoleName);
        if (state.deletedRoles.has(name)) throw roleNotFound(name);
        const role = state.roles.get(name);
        if (role) return () => ({ Role: role, ...metadata });
        if (options.offline) throw roleNotFound(name);
        return undefined;
      }
      case 'DescribeSecurityGroups': {
        const ids = (input.GroupIds ?? []) as string[];
        const ours = ids.filter((groupId) => state.groups.has(groupId) || state.deletedGroups.has(groupId));
        if (ours.length > 0) {
          const gone = ours.find((groupId) => state.deletedGroups.has(groupId));
          if (gone !== undefined) throw groupNotFound(gone);
          return () => ({ SecurityGroups: ours.map((groupId) => state.groups.get(groupId)), ...metadata });
        }
        if (!options.offline) return undefined;
        const filters = (input.Filters ?? []) as Array<{ Name?: string; Values?: string[] }>;
        const names = filters.find((filter) => filter.Name === 'group-name')?.Values;
        const groups = [...state.groups.values()].filter(
          (group) => names === undefined || names.includes(String(group.GroupName)),
        );
        return () => ({ SecurityGroups: groups, ...metadata });
      }
      case 'GetNamespace':
      case 'GetWorkgroup': {
        const namespace = action === 'GetNamespace';
        const name = String(namespace ? input.namespaceName : input.workgroupName);
        const deleted = namespace ? state.deletedNamespaces : state.deletedWorkgroups;
        if (deleted.has(name)) throw serverlessNotFound(namespace ? 'namespace' : 'workgroup', name);
        const known = (namespace ? state.namespaces : state.workgroups).get(name);
        if (known) return () => ({ [namespace ? 'namespace' : 'workgroup']: known, ...metadata });
        if (options.offline) throw serverlessNotFound(namespace ? 'namespace' : 'workgroup', name);
        return undefined;
      }
      case 'ListTagsForResource': {
        const tags = state.tags.get(String(input.resourceArn));
        if (tags) return () => ({ tags, ...metadata });
        if (options.offline) return () => ({ tags: [], ...metadata });
        return undefined;
      }
      default:
        break;
    }
    if (!options.offline) return undefined;
    // Nothing exists yet, as far as a plan without credentials can tell.
    switch (action) {
      case 'GetCallerIdentity':
        return () => ({ Account: KNOWN_AFTER_APPLY, Arn: KNOWN_AFTER_APPLY, UserId: KNOWN_AFTER_APPLY, ...metadata });
      case 'DescribeVpcs':
        return () => ({ Vpcs: [{ VpcId: `vpc-${KNOWN_AFTER_APPLY_ID}`, IsDefault: true }], ...metadata });
      default:
        // Lists and other lookups: empty.
        return () => metadata;
    }
  };

  const wrap = <Client extends { send: unknown }>(client: Client, service: string): Client => {
    // The SDK's send is overloaded (callbacks too); only the promise form is used in src/aws.
    const original = (client.send as (command: Command) => Promise<unknown>).bind(client);
    const send = async (command: Command): Promise<unknown> => {
      const action = command.constructor.name.replace(/Command$/, '');
      const input = (command.input ?? {}) as Input;
      if (!isReadOnlyAction(action)) {
        options.onCall({ service, action, params: maskParams(input) as Record<string, unknown> });
        return planned(action, input);
      }
      const answer = fromPlan(action, input);
      if (answer) return answer();
      const output = await original(command);
      if (action === 'GetCallerIdentity') account = (output as { Account?: string }).Account ?? account;
      return output;
    };
    // A new object over the client: the SDK's own instance (and any test's mock of its prototype) is untouched.
    return new Proxy(client, {
      get: (target, key, receiver) => (key === 'send' ? send : (Reflect.get(target, key, receiver) as unknown)),
    });
  };

  return {
    region,
    redshift: wrap(clients.redshift, 'redshift'),
    redshiftServerless: wrap(clients.redshiftServerless, 'redshift-serverless'),
    // Statements sent through the Data API (ExecuteStatement…) are recorded like any other change.
    redshiftData: wrap(clients.redshiftData, 'redshift-data'),
    iam: wrap(clients.iam, 'iam'),
    ec2: wrap(clients.ec2, 'ec2'),
    sts: wrap(clients.sts, 'sts'),
  };
}

/** Whether the clients have credentials to read with (a plan without them sends nothing). */
export async function hasCredentials(clients: AwsClients): Promise<boolean> {
  try {
    await clients.sts.config.credentials();
    return true;
  } catch {
    return false;
  }
}
