/**
 * No stored passwords: with [DWH] DWH_DB_PASSWORD empty, Redshift generates the admin password and
 * keeps it in AWS Secrets Manager, and dwh.cfg holds no secret. From "Managing Amazon Redshift admin
 * passwords using AWS Secrets Manager"
 * (https://docs.aws.amazon.com/redshift/latest/mgmt/redshift-secrets-manager-integration.html):
 * Redshift generates the password and stores it in Secrets Manager for a provisioned cluster or a
 * Serverless namespace, rotates it every 30 days by default, and deletes the secret with the
 * cluster or namespace. Prints and asks nothing.
 */
import type { RedshiftClient } from '@aws-sdk/client-redshift';
import { callAws, isAwsError } from './errors.js';
import type { AdminPassword } from './serverless.js';

/** The admin password the user chose: an empty DWH_DB_PASSWORD (or none) means AWS manages it. */
export function adminPasswordFrom(password: string | undefined): AdminPassword {
  return password ? { managed: false, password } : { managed: true };
}

/**
 * CreateCluster's password parameters: `ManageMasterPassword: true` without a password, else
 * `MasterUserPassword`. The two exclude each other ("You can't use MasterUserPassword if
 * ManageMasterPassword is true", https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html).
 * Pure.
 */
export function clusterPasswordParameters(
  password: string | undefined,
): { ManageMasterPassword: true } | { MasterUserPassword: string } {
  const chosen = adminPasswordFrom(password);
  return chosen.managed ? { ManageMasterPassword: true } : { MasterUserPassword: chosen.password };
}

/**
 * The ARN of the secret holding a provisioned cluster's admin password (Cluster.MasterPasswordSecretArn),
 * or undefined when the user set the password (or the cluster is gone): what `cluster status` shows
 * so the user's own tools (psql, a BI tool) can fetch the password from Secrets Manager.
 */
export async function clusterAdminSecretArn(
  client: RedshiftClient,
  identifier: string,
  region?: string,
): Promise<string | undefined> {
  const { DescribeClustersCommand } = await import('@aws-sdk/client-redshift');
  return callAws(
    {
      action: 'redshift:DescribeClusters',
      doing: `looking up the admin password secret of cluster ${identifier}`,
      region,
      clusterIdentifier: identifier,
    },
    async () => {
      try {
        const output = await client.send(new DescribeClustersCommand({ ClusterIdentifier: identifier }));
        return output.Clusters?.[0]?.MasterPasswordSecretArn;
      } catch (error) {
        if (isAwsError(error, 'ClusterNotFoundFault')) return undefined;
        throw error;
      }
    },
  );
}
