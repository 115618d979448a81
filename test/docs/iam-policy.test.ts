/**
 * The IAM policy that docs/redshift.md tells people to attach to the user running the wizard must
 * allow every AWS action the code performs: otherwise someone following the documentation gets
 * "AccessDenied" half-way through creating a cluster.
 *
 * The actions are found in the source, not listed by hand: every file under src/ is parsed with the
 * TypeScript compiler, every `new XxxCommand(…)` whose class comes from an `@aws-sdk/client-*`
 * package (static import, `await import(…)`, or a namespace of either) becomes `<prefix>:Xxx`,
 * plus the further actions some calls need (below, each with its reason). Moving AWS code between
 * files or folders changes nothing here; a new client package or an unrecognised command fails with
 * a message that says what to add.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');
const POLICY_DOC = join(ROOT, 'docs', 'redshift.md');
/** The HTML comment in docs/redshift.md that precedes the policy's ```json block. */
const POLICY_MARKER = '<!-- wizard-user-policy';

/** IAM service prefix of each SDK client package the code may use. */
const SERVICE_PREFIX: Readonly<Record<string, string>> = {
  '@aws-sdk/client-redshift': 'redshift',
  '@aws-sdk/client-redshift-serverless': 'redshift-serverless',
  '@aws-sdk/client-redshift-data': 'redshift-data',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
};

/** Calls that need no permission at all, with the reason. */
const NO_PERMISSION_NEEDED: Readonly<Record<string, string>> = {
  // "No permissions are required to perform this operation" (and an explicit deny does not stop it):
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
  'sts:GetCallerIdentity': 'STS answers GetCallerIdentity for any valid credentials',
};

/** What a Data API statement needs besides its own action (see ALSO_NEEDED). */
const DATA_API_CREDENTIALS: ReadonlyArray<{ action: string; reason: string }> = [
  { action: 'redshift:GetClusterCredentials', reason: 'a provisioned cluster is reached as DbUser' },
  { action: 'redshift-serverless:GetCredentials', reason: 'a Serverless workgroup is reached as the caller' },
];

/** What Redshift needs of the caller to keep an admin password in Secrets Manager (see below). */
const MANAGED_PASSWORD_ACTIONS: ReadonlyArray<{ action: string; reason: string }> = [
  'CreateSecret',
  'RotateSecret',
  'DescribeSecret',
  'UpdateSecret',
  'DeleteSecret',
  'GetRandomPassword',
  'TagResource',
].map((name) => ({
  action: `secretsmanager:${name}`,
  reason: 'with no DWH_DB_PASSWORD, Redshift keeps the admin password in Secrets Manager',
}));

/**
 * Actions AWS also checks when the code makes a call in the way it does, with the reason. A call
 * listed here needs these besides its own action.
 */
const ALSO_NEEDED: Readonly<Record<string, ReadonlyArray<{ action: string; reason: string }>>> = {
  'redshift:CreateCluster': [
    // Passing IamRoles hands a role to a service:
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    { action: 'iam:PassRole', reason: 'the cluster is created with the IAM role it reads S3 with' },
    // Tags on CreateCluster are authorised as redshift:CreateTags (dependent action of CreateCluster):
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshift.html
    { action: 'redshift:CreateTags', reason: 'the cluster is created with the wizard’s tags' },
    // ManageMasterPassword (DWH_DB_PASSWORD empty): Redshift makes the admin secret in Secrets Manager
    // with the caller's permissions ("Required permissions" on
    // https://docs.aws.amazon.com/redshift/latest/mgmt/redshift-secrets-manager-integration.html).
    ...MANAGED_PASSWORD_ACTIONS,
  ],
  'redshift-serverless:CreateNamespace': [
    // "CreateNamespace: redshift-serverless:CreateNamespace, redshift-serverless:TagResource,
    // iam:PassRole (iam:PassedToService redshift-serverless.amazonaws.com)":
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshiftserverless.html
    { action: 'iam:PassRole', reason: 'the namespace is created with the IAM role it reads S3 with' },
    { action: 'redshift-serverless:TagResource', reason: 'the namespace is created with the wizard’s tags' },
    ...MANAGED_PASSWORD_ACTIONS,
  ],
  'redshift-serverless:CreateWorkgroup': [
    // Tags given at creation are authorised as TagResource, as for CreateNamespace (same page).
    { action: 'redshift-serverless:TagResource', reason: 'the workgroup is created with the wizard’s tags' },
  ],
  'redshift:CreateScheduledAction': [
    // The action runs as the scheduler role, handed to Redshift with the request:
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    { action: 'iam:PassRole', reason: 'the pause runs as the scheduler role' },
  ],
  'redshift:DeleteCluster': [
    // A final snapshot on delete is a CreateClusterSnapshot (dependent action of DeleteCluster):
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshift.html
    { action: 'redshift:CreateClusterSnapshot', reason: 'teardown may keep a final snapshot' },
  ],
  // The Data API gets temporary database credentials itself: as DbUser on a provisioned cluster
  // (redshift:GetClusterCredentials), as the caller's IAM identity on a Serverless workgroup
  // (redshift-serverless:GetCredentials):
  // https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_ExecuteStatement.html
  'redshift-data:ExecuteStatement': DATA_API_CREDENTIALS,
  'redshift-data:BatchExecuteStatement': DATA_API_CREDENTIALS,
  'iam:CreateRole': [
    // Tags given to CreateRole need the tagging permission too:
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags_roles.html
    { action: 'iam:TagRole', reason: 'the role is created with the wizard’s tags' },
  ],
  'ec2:CreateSecurityGroup': [
    // "If tags are specified in the resource-creating action, Amazon performs additional
    // authorization on the ec2:CreateTags action":
    // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
    { action: 'ec2:CreateTags', reason: 'the security group is created with TagSpecifications' },
  ],
};

interface FoundCall {
  action: string;
  where: string;
}

interface ScanResult {
  calls: FoundCall[];
  /** `new XxxCommand(` whose class could not be traced to an AWS SDK client package. */
  untraced: string[];
  /** Imports from @aws-sdk/client-* packages that have no entry in SERVICE_PREFIX. */
  unknownPackages: string[];
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|cts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function stringArgument(call: ts.CallExpression): string | undefined {
  const [first] = call.arguments;
  return first && ts.isStringLiteralLike(first) ? first.text : undefined;
}

/** `import('pkg')` or `await import('pkg')`, possibly in parentheses: the package name. */
function dynamicImportOf(expression: ts.Expression | undefined): string | undefined {
  let node = expression;
  while (node && (ts.isAwaitExpression(node) || ts.isParenthesizedExpression(node))) node = node.expression;
  if (node && ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
    return stringArgument(node);
  }
  return undefined;
}

/** The AWS SDK client command classes instantiated in `text`, as IAM actions. */
function scanFile(path: string, text: string, result: ScanResult): void {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const where = (node: ts.Node): string => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
    return `${relative(ROOT, path)}:${line + 1}`;
  };
  /** Local name → [package, exported name]; namespaces map to [package, undefined]. */
  const bindings = new Map<string, [string, string | undefined]>();
  const isAwsClient = (module: string | undefined): module is string =>
    module !== undefined && module.startsWith('@aws-sdk/client-');
  const notePackage = (module: string): void => {
    if (!(module in SERVICE_PREFIX) && !result.unknownPackages.includes(module)) result.unknownPackages.push(module);
  };

  const collect = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const module = node.moduleSpecifier.text;
      const clause = node.importClause;
      if (isAwsClient(module) && clause && !clause.isTypeOnly) {
        notePackage(module);
        const named = clause.namedBindings;
        if (named && ts.isNamespaceImport(named)) bindings.set(named.name.text, [module, undefined]);
        if (named && ts.isNamedImports(named)) {
          for (const element of named.elements) {
            if (element.isTypeOnly) continue;
            bindings.set(element.name.text, [module, (element.propertyName ?? element.name).text]);
          }
        }
      }
    }
    if (ts.isVariableDeclaration(node)) {
      const module = dynamicImportOf(node.initializer);
      if (isAwsClient(module)) {
        notePackage(module);
        if (ts.isIdentifier(node.name)) bindings.set(node.name.text, [module, undefined]);
        if (ts.isObjectBindingPattern(node.name)) {
          for (const element of node.name.elements) {
            if (!ts.isIdentifier(element.name)) continue;
            const exported =
              element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName : undefined;
            bindings.set(element.name.text, [module, (exported ?? element.name).text]);
          }
        }
      }
    }
    ts.forEachChild(node, collect);
  };
  collect(file);

  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node)) {
      const callee = node.expression;
      let module: string | undefined;
      let className: string | undefined;
      if (ts.isIdentifier(callee)) {
        className = callee.text;
        const binding = bindings.get(className);
        if (binding?.[1] !== undefined) [module, className] = binding;
      } else if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
        className = callee.name.text;
        const binding = bindings.get(callee.expression.text);
        if (binding && binding[1] === undefined) module = binding[0];
      }
      if (className !== undefined && /.Command$/.test(className)) {
        const prefix = module === undefined ? undefined : SERVICE_PREFIX[module];
        if (module === undefined) result.untraced.push(`${where(node)} new ${className}(…)`);
        else if (prefix !== undefined)
          result.calls.push({ action: `${prefix}:${className.slice(0, -'Command'.length)}`, where: where(node) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}

function scanSource(): ScanResult {
  const result: ScanResult = { calls: [], untraced: [], unknownPackages: [] };
  for (const path of sourceFiles(SRC)) scanFile(path, readFileSync(path, 'utf8'), result);
  return result;
}

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
}

/** The JSON block right after the marker comment in docs/redshift.md. */
function documentedPolicy(): { Version?: unknown; Statement?: unknown } {
  const doc = readFileSync(POLICY_DOC, 'utf8');
  const marker = doc.indexOf(POLICY_MARKER);
  if (marker < 0) throw new Error(`docs/redshift.md has no "${POLICY_MARKER} …" comment before the policy`);
  const block = /```json\n([\s\S]*?)\n```/.exec(doc.slice(marker));
  if (!block) throw new Error('docs/redshift.md has no ```json block after the policy marker');
  return JSON.parse(block[1]!) as { Version?: unknown; Statement?: unknown };
}

/** IAM action matching: case-insensitive, `*` and `?` wildcards. */
function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return regex.test(action);
}

function allowedActions(policy: { Statement?: unknown }): string[] {
  const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) as Statement[];
  return statements
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => {
      const actions = statement.Action;
      if (typeof actions === 'string') return [actions];
      return Array.isArray(actions) ? actions.filter((action): action is string => typeof action === 'string') : [];
    });
}

/** Every action the code needs, with where and why. */
function neededActions(calls: readonly FoundCall[]): Map<string, string> {
  const needed = new Map<string, string>();
  for (const call of calls) {
    if (call.action in NO_PERMISSION_NEEDED) continue;
    if (!needed.has(call.action)) needed.set(call.action, `called at ${call.where}`);
    for (const extra of ALSO_NEEDED[call.action] ?? []) {
      if (!needed.has(extra.action)) needed.set(extra.action, `${call.action} at ${call.where}: ${extra.reason}`);
    }
  }
  return needed;
}

describe('the documented IAM policy for the person running the wizard', () => {
  const scan = scanSource();

  test('the scan understands every AWS call in src/', () => {
    expect(scan.unknownPackages, 'add these packages to SERVICE_PREFIX in this test').toEqual([]);
    expect(scan.untraced, 'these look like AWS commands but their class does not come from an SDK client').toEqual([]);
    // The scan must see the calls the wizard is known to make, or it could pass by seeing nothing.
    const actions = new Set(scan.calls.map((call) => call.action));
    for (const known of [
      'redshift:CreateCluster',
      'iam:CreateRole',
      'ec2:CreateSecurityGroup',
      'sts:GetCallerIdentity',
    ])
      expect(actions, `the scan did not find ${known}`).toContain(known);
  });

  test('is valid policy JSON', () => {
    const policy = documentedPolicy();
    expect(policy.Version).toBe('2012-10-17');
    expect(Array.isArray(policy.Statement)).toBe(true);
    expect(allowedActions(policy).length).toBeGreaterThan(0);
  });

  test('allows every AWS action the code performs', () => {
    const allowed = allowedActions(documentedPolicy());
    const missing = [...neededActions(scan.calls)]
      .filter(([action]) => !allowed.some((pattern) => actionMatches(pattern, action)))
      .map(([action, why]) => `${action} (${why})`);
    expect(missing, 'add these actions to the policy in docs/redshift.md').toEqual([]);
  });

  test('the check itself: a missing action is named, wildcards count, and no-permission calls are exempt', () => {
    const calls: FoundCall[] = [
      { action: 'redshift:CreateCluster', where: 'a.ts:1' },
      { action: 'sts:GetCallerIdentity', where: 'b.ts:2' },
      { action: 'ec2:DescribeVpcs', where: 'c.ts:3' },
    ];
    const needed = neededActions(calls);
    expect([...needed.keys()].sort()).toEqual([
      'ec2:DescribeVpcs',
      'iam:PassRole',
      'redshift:CreateCluster',
      'redshift:CreateTags',
      ...MANAGED_PASSWORD_ACTIONS.map((extra) => extra.action).sort(),
    ]);
    expect(needed.get('iam:PassRole')).toContain('redshift:CreateCluster at a.ts:1');
    expect(actionMatches('ec2:Describe*', 'ec2:DescribeVpcs')).toBe(true);
    expect(actionMatches('REDSHIFT:createcluster', 'redshift:CreateCluster')).toBe(true);
    expect(actionMatches('redshift:Create*', 'redshift:DeleteCluster')).toBe(false);
    expect(allowedActions({ Statement: [{ Effect: 'Deny', Action: 'redshift:*' }] })).toEqual([]);
  });

  test('the scan finds commands however they are imported', () => {
    const result: ScanResult = { calls: [], untraced: [], unknownPackages: [] };
    scanFile(
      join(SRC, 'example.ts'),
      `
      import { DescribeVpcsCommand as Vpcs, type DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
      import * as sts from '@aws-sdk/client-sts';
      import type { Tag } from '@aws-sdk/client-iam';
      export async function f() {
        const { CreateClusterCommand } = await import('@aws-sdk/client-redshift');
        const { GetRoleCommand: Get } = await import('@aws-sdk/client-iam');
        const data = await import('@aws-sdk/client-redshift-data');
        const s3 = await import('@aws-sdk/client-s3');
        new CreateClusterCommand({}); new Get({}); new Vpcs({}); new sts.GetCallerIdentityCommand({});
        new data.ExecuteStatementCommand({}); new SomethingCommand(); new Command('cli');
      }`,
      result,
    );
    expect(result.calls.map((call) => call.action)).toEqual([
      'redshift:CreateCluster',
      'iam:GetRole',
      'ec2:DescribeVpcs',
      'sts:GetCallerIdentity',
      'redshift-data:ExecuteStatement',
    ]);
    expect(result.calls[0]!.where).toBe('src/example.ts:10');
    expect(result.untraced).toEqual(['src/example.ts:11 new SomethingCommand(…)']);
    expect(result.unknownPackages).toEqual(['@aws-sdk/client-s3']);
  });
});
