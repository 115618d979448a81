/** Thin wrappers over IAM for the cluster's role. No prompts, no printing. */
import type { IAMClient } from '@aws-sdk/client-iam';
import { callAws, isAwsError } from './errors.js';
import type { PolicyDocument } from './policies.js';
import type { Tag } from './tags.js';

export interface RoleInfo {
  name: string;
  arn: string;
  tags: Tag[];
}

/** The role, or undefined when NoSuchEntityException says there is none. */
export async function getRole(client: IAMClient, name: string): Promise<RoleInfo | undefined> {
  const { GetRoleCommand } = await import('@aws-sdk/client-iam');
  return callAws({ action: 'iam:GetRole', doing: `looking up IAM role ${name}` }, async () => {
    try {
      const { Role } = await client.send(new GetRoleCommand({ RoleName: name }));
      if (!Role?.Arn) return undefined;
      return {
        name: Role.RoleName ?? name,
        arn: Role.Arn,
        tags: (Role.Tags ?? []).map((tag) => ({ Key: tag.Key ?? '', Value: tag.Value ?? '' })),
      };
    } catch (error) {
      if (isAwsError(error, 'NoSuchEntityException', 'NoSuchEntity')) return undefined;
      throw error;
    }
  });
}

/** Create the role; `existed` when EntityAlreadyExistsException says another run got there first. */
export async function createRole(
  client: IAMClient,
  request: { name: string; trustPolicy: PolicyDocument; description: string; tags: Tag[] },
): Promise<{ arn: string } | { existed: true }> {
  const { CreateRoleCommand } = await import('@aws-sdk/client-iam');
  return callAws({ action: 'iam:CreateRole', doing: `creating IAM role ${request.name}` }, async () => {
    try {
      const { Role } = await client.send(
        new CreateRoleCommand({
          RoleName: request.name,
          AssumeRolePolicyDocument: JSON.stringify(request.trustPolicy),
          Description: request.description,
          Tags: request.tags,
        }),
      );
      if (!Role?.Arn) throw new Error('CreateRole returned no role ARN');
      return { arn: Role.Arn };
    } catch (error) {
      if (isAwsError(error, 'EntityAlreadyExistsException', 'EntityAlreadyExists')) return { existed: true as const };
      throw error;
    }
  });
}

/** Create or replace an inline policy (PutRolePolicy is idempotent). */
export async function putRolePolicy(
  client: IAMClient,
  roleName: string,
  policyName: string,
  document: PolicyDocument,
): Promise<void> {
  const { PutRolePolicyCommand } = await import('@aws-sdk/client-iam');
  await callAws({ action: 'iam:PutRolePolicy', doing: `setting policy ${policyName} on IAM role ${roleName}` }, () =>
    client.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: policyName,
        PolicyDocument: JSON.stringify(document),
      }),
    ),
  );
}

/** Names of the role's inline policies and ARNs of its attached managed policies. */
export async function listRolePolicies(
  client: IAMClient,
  roleName: string,
): Promise<{ inline: string[]; attached: string[] }> {
  const { ListRolePoliciesCommand, ListAttachedRolePoliciesCommand } = await import('@aws-sdk/client-iam');
  const inline: string[] = [];
  const attached: string[] = [];
  await callAws({ action: 'iam:ListRolePolicies', doing: `listing the policies of IAM role ${roleName}` }, async () => {
    let marker: string | undefined;
    do {
      const page = await client.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
      inline.push(...(page.PolicyNames ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  });
  await callAws(
    { action: 'iam:ListAttachedRolePolicies', doing: `listing the policies of IAM role ${roleName}` },
    async () => {
      let marker: string | undefined;
      do {
        const page = await client.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
        attached.push(
          ...(page.AttachedPolicies ?? []).flatMap((policy) => (policy.PolicyArn ? [policy.PolicyArn] : [])),
        );
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
    },
  );
  return { inline, attached };
}

/** Remove every policy from the role, then the role; each step tolerates "already gone". */
export async function deleteRoleAndPolicies(client: IAMClient, roleName: string): Promise<void> {
  const { DeleteRolePolicyCommand, DetachRolePolicyCommand, DeleteRoleCommand } = await import('@aws-sdk/client-iam');
  const gone = (error: unknown): boolean => isAwsError(error, 'NoSuchEntityException', 'NoSuchEntity');
  const { inline, attached } = await listRolePolicies(client, roleName).catch((error: unknown) => {
    if (gone(error) || gone((error as { cause?: unknown }).cause)) return { inline: [], attached: [] };
    throw error;
  });
  for (const policyName of inline) {
    await callAws(
      { action: 'iam:DeleteRolePolicy', doing: `deleting policy ${policyName} of IAM role ${roleName}` },
      async () => {
        await client
          .send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }))
          .catch((error: unknown) => {
            if (!gone(error)) throw error;
          });
      },
    );
  }
  for (const policyArn of attached) {
    await callAws(
      { action: 'iam:DetachRolePolicy', doing: `detaching policy ${policyArn} from IAM role ${roleName}` },
      async () => {
        await client
          .send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }))
          .catch((error: unknown) => {
            if (!gone(error)) throw error;
          });
      },
    );
  }
  await callAws({ action: 'iam:DeleteRole', doing: `deleting IAM role ${roleName}` }, async () => {
    await client.send(new DeleteRoleCommand({ RoleName: roleName })).catch((error: unknown) => {
      if (!gone(error)) throw error;
    });
  });
}
