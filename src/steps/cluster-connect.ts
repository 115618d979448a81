/**
 * The connection test at the end of `cluster create`, by the way later steps will reach the
 * cluster (docs/redshift.md): DWH_ACCESS = private runs `SELECT 1` through the Redshift Data API
 * as the admin user (temporary IAM credentials, no password); public connects over verified TLS
 * with the password in dwh.cfg, or without one with temporary credentials for the caller's IAM
 * identity (GetClusterCredentialsWithIAM).
 */
import type { AwsClients } from '../aws/clients.js';
import { temporaryCredentials } from '../aws/temp-credentials.js';
import type { DwhAccess } from '../config/types.js';
import type { Context } from '../context.js';
import { CONNECTION_TEST_SQL, SERVER_VERSION_SQL } from '../sql/session.js';
import { registerSecret } from '../ui/redact.js';
import type { Warehouse } from '../warehouse/types.js';
import type { ClusterDeps } from './cluster-deps.js';

export interface ConnectionUnderTest {
  access: DwhAccess;
  identifier: string;
  host: string;
  port: number;
  database: string;
  /** The admin user: the Data API's DbUser, and the pg user when a password is set. */
  user: string;
  password: string | undefined;
}

/** Run the test; a failure throws the channel's own one-line diagnosis. */
export async function testConnection(
  ctx: Context,
  clients: AwsClients,
  deps: ClusterDeps,
  connection: ConnectionUnderTest,
): Promise<void> {
  if (connection.access === 'private') {
    await attempt(
      ctx,
      `Testing the Redshift Data API on cluster ${connection.identifier} as ${connection.user}…`,
      () =>
        deps.openDataApi({
          client: clients.redshiftData,
          target: { clusterIdentifier: connection.identifier, database: connection.database, dbUser: connection.user },
          clock: ctx.clock,
          signal: ctx.signal,
          probe: false,
        }),
      async (warehouse) => {
        await warehouse.query(CONNECTION_TEST_SQL);
        return `Connected through the Redshift Data API as ${connection.user} (no open port, no password)`;
      },
    );
    return;
  }
  let { user, password } = connection;
  let how = 'over TLS';
  if (password === undefined) {
    const credentials = await temporaryCredentials(
      clients,
      { kind: 'cluster', clusterIdentifier: connection.identifier, dbName: connection.database },
      { region: clients.region, now: () => ctx.clock.now() },
    );
    registerSecret(credentials.password);
    ({ user, password } = credentials);
    how = `over TLS as ${user} (temporary IAM credentials)`;
  }
  const pg = { host: connection.host, port: connection.port, database: connection.database, user, password };
  await attempt(
    ctx,
    `Connecting to ${connection.host}:${connection.port} ${how}…`,
    () => deps.openRedshift(pg),
    async (warehouse) => {
      const result = await warehouse.query<{ version: string }>(SERVER_VERSION_SQL);
      return `Connected: ${String(result.rows[0]?.version ?? 'unknown version')}`;
    },
  );
}

/** Open, run `check` under a spinner, close whatever happens. */
async function attempt(
  ctx: Context,
  text: string,
  open: () => Promise<Warehouse>,
  check: (warehouse: Warehouse) => Promise<string>,
): Promise<void> {
  const spinner = ctx.ui.spinner(text);
  let warehouse: Warehouse | undefined;
  try {
    warehouse = await open();
    spinner.succeed(await check(warehouse));
  } catch (error) {
    spinner.fail('Connection test failed');
    throw error;
  } finally {
    await warehouse?.close().catch(() => undefined);
  }
}
