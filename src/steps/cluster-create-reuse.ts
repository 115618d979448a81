/**
 * `cluster create` for a cluster that already exists: it is reused as it is. Its role's S3 policy
 * follows [S3] again, with DWH_ACCESS = public the caller's address is let into its group (another
 * network than last time), and a paused cluster is resumed when the user agrees.
 */
import type { AwsClients } from '../aws/clients.js';
import { recordPowerChange } from '../aws/cluster-cost.js';
import { roleNameOf, s3SourceUrls } from '../aws/naming.js';
import { roleOfExistingCluster } from '../aws/provision-cluster.js';
import { allowCallerIntoCluster } from '../aws/provision-network.js';
import { refreshS3ReadPolicy } from '../aws/provision-role.js';
import { resumeCluster, type ClusterInfo } from '../aws/redshift.js';
import type { DwhConfig } from '../config/types.js';
import type { Context } from '../context.js';
import type { ClusterDeps } from './cluster-deps.js';
import { showExistingPolicy, showExistingRole, showIngress } from './cluster-create-show.js';
import type { Prepared } from './cluster-prepared.js';
import { identifierWriteBack } from './write-back.js';

/** An existing cluster: its role (S3 policy made to match), the caller's address in its group, resumed if paused. */
export async function reuseCluster(
  ctx: Context,
  clients: AwsClients,
  config: DwhConfig,
  deps: ClusterDeps,
  cluster: ClusterInfo,
): Promise<Prepared> {
  const identifier = cluster.identifier;
  ctx.ui.info(`Cluster ${identifier} already exists (${cluster.status}): reusing it.`);
  const roleArn = showExistingRole(ctx, cluster, await roleOfExistingCluster(clients.iam, cluster, roleNameOf(config)));
  // [S3] may have changed since the cluster was made: the role must read what the next load names.
  showExistingPolicy(
    ctx,
    await refreshS3ReadPolicy(clients.iam, {
      roleArn,
      clusterIdentifier: identifier,
      region: clients.region,
      urls: s3SourceUrls(config),
    }),
  );
  if (config.dwh.access === 'public') {
    if (cluster.publiclyAccessible === false) {
      ctx.ui.warn(
        `Cluster ${identifier} is not publicly accessible, but DWH_ACCESS is public: direct connections will ` +
          'not reach it. Set [DWH] DWH_ACCESS = private to use the Redshift Data API instead.',
      );
    }
    showIngress(
      ctx,
      await allowCallerIntoCluster(clients.ec2, cluster, {
        configuredCidr: config.dwh.allowedCidr,
        lookupPublicIp: () => deps.lookupPublicIp(ctx.signal),
        port: cluster.endpoint?.port ?? config.dwh.port ?? 5439,
        region: clients.region,
      }),
    );
  } else if (cluster.publiclyAccessible === true) {
    // Private access opens nothing; it does not close what an earlier public setup opened either.
    ctx.ui.note(
      `Cluster ${identifier} is publicly accessible; with DWH_ACCESS = private the wizard sends SQL through the ` +
        'Data API and opens no port for you.',
    );
  }
  let current = cluster;
  let fresh = false;
  if (cluster.status === 'paused') {
    const resume = await ctx.prompts.confirm({
      message: `Cluster ${identifier} is paused. Resume it now?`,
      default: true,
    });
    if (!resume) return { kind: 'stopped', result: { ok: false, summary: `cluster ${identifier} is paused` } };
    const answered = await resumeCluster(clients.redshift, identifier, clients.region);
    await recordPowerChange(clients.redshift, cluster, 'resume', ctx.clock.now(), clients.region);
    current = answered ?? { ...cluster, status: 'resuming' };
    fresh = true;
  }
  return {
    kind: 'ready',
    cluster: current,
    roleArn,
    password: config.cluster.dbPassword ?? config.dwh.dbPassword,
    changes: identifier !== config.dwh.clusterIdentifier ? identifierWriteBack(identifier) : [],
    fresh,
    reused: true,
    // Only a value in dwh.cfg: rerunning create on an existing cluster asks nothing new.
    pauseAfterHours: config.dwh.pauseAfterHours ?? 0,
  };
}
