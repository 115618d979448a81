/**
 * `cluster create`: the Redshift cluster and what it needs (an IAM role that can read the [S3]
 * prefixes, a security group that lets the user's machine in), with live polling and write-back
 * of the endpoint and role ARN into dwh.cfg. An existing cluster is reused as it is; the S3 policy
 * of its role follows [S3] on every run. A role or group the wizard made for another cluster is
 * never used, changed or shared (docs/redshift.md, "What the wizard creates").
 *
 * The AWS work is src/aws (it returns what it did); this file asks, calls and shows. A new cluster
 * is cluster-create-new.ts, an existing one cluster-create-reuse.ts; both end here (wait, write
 * back, connection test).
 */
import { s3SourceUrls } from '../aws/naming.js';
import { describeCluster } from '../aws/redshift.js';
import type { Context } from '../context.js';
import { UserError } from '../errors.js';
import { showConfigSaved } from '../ui/config-saved.js';
import { scheduleAutoPause } from './cluster-auto-pause.js';
import { testConnection } from './cluster-connect.js';
import { withDefaults, type ClusterDeps } from './cluster-deps.js';
import { showClusterCost } from './cluster-cost.js';
import { createNewCluster } from './cluster-create-new.js';
import { reuseCluster } from './cluster-create-reuse.js';
import { askIdentifier } from './cluster-inputs.js';
import type { StepResult } from './types.js';
import { waitForCluster } from './wait.js';
import { clusterWriteBack, writeBack } from './write-back.js';

/** `cluster create`: role, security group, cluster; wait until available; write back; test. */
export async function runClusterCreate(ctx: Context, options: Partial<ClusterDeps> = {}): Promise<StepResult> {
  const deps = withDefaults(options, ctx);
  const config = ctx.config.values();
  const clients = await ctx.aws();
  const region = clients.region;
  ctx.ui.note(`Region ${region}`); // the step's title is the heading (setup) or the menu's answer
  if (s3SourceUrls(config).length > 0 && region !== config.s3.region) {
    ctx.ui.warn(
      `The cluster will be in ${region} but the [S3] data is in ${config.s3.region}: loading is slower ` +
        `and transfer is billed. Set [AWS] REGION = ${config.s3.region} to avoid that.`,
    );
  }

  const identifier = await askIdentifier(ctx, config);
  const existing = await describeCluster(clients.redshift, identifier, region);
  const prepared = existing
    ? await reuseCluster(ctx, clients, config, deps, existing)
    : await createNewCluster(ctx, clients, config, deps, identifier);
  if (prepared.kind === 'stopped') return prepared.result;
  const { cluster, roleArn, password, fresh } = prepared;

  const resuming = cluster.status === 'paused' || cluster.status === 'resuming';
  const available =
    cluster.status === 'available'
      ? cluster
      : await waitForCluster(ctx, clients, identifier, {
          goal: 'available',
          resumeCommand: 'sparkify-dwh cluster create',
          activity: resuming ? 'resuming' : 'being created',
          intervalMs: deps.pollIntervalMs,
          timeoutMs: deps.createTimeoutMs,
          ...(fresh ? { initial: cluster, staleAnswers: 1 } : {}),
        });
  if (!available?.endpoint)
    throw new UserError(
      `cluster ${identifier} is available but has no endpoint yet: ` +
        'run `sparkify-dwh cluster create` again in a minute',
    );

  const written = await writeBack(ctx.config, [...prepared.changes, ...clusterWriteBack(available, roleArn, password)]);
  showConfigSaved(
    ctx.ui,
    ctx.config.displayPath,
    written,
    `[CLUSTER] HOST = ${available.endpoint.address} and [IAM_ROLE] ARN`,
  );
  const summary = `cluster ${identifier} available at ${available.endpoint.address}`;
  if (prepared.reused) showClusterCost(ctx, available, region);
  if (available.masterPasswordSecretArn) {
    ctx.ui.info(`The admin password is kept by AWS in Secrets Manager: ${available.masterPasswordSecretArn}`);
  }
  if (prepared.pauseAfterHours > 0) {
    // A new cluster counts from its creation; rerunning create on an existing one starts the count again.
    const fromMs = prepared.reused ? ctx.clock.now() : (available.createdAt?.getTime() ?? ctx.clock.now());
    await scheduleAutoPause(ctx, clients, identifier, prepared.pauseAfterHours, fromMs);
  }
  await testConnection(ctx, clients, deps, {
    access: config.dwh.access,
    identifier,
    host: available.endpoint.address,
    port: available.endpoint.port,
    database: available.dbName ?? config.cluster.dbName ?? 'dwh',
    user: available.masterUsername ?? config.cluster.dbUser ?? 'dwhuser',
    password,
  });
  return { ok: true, summary };
}
