/**
 * No stored passwords: the CreateCluster password parameters, the managed secret's ARN for
 * `cluster status`, and temporary database credentials for the public pg path (provisioned and
 * Serverless), whose password never shows in JSON, inspect or string output.
 */
import {
  ClusterNotFoundFault,
  DescribeClustersCommand,
  GetClusterCredentialsWithIAMCommand,
  UnsupportedOperationFault,
} from '@aws-sdk/client-redshift';
import { GetCredentialsCommand } from '@aws-sdk/client-redshift-serverless';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { adminPasswordFrom, clusterAdminSecretArn, clusterPasswordParameters } from '../../src/aws/secrets.js';
import { credentialSeconds, temporaryCredentials, TemporaryCredentials } from '../../src/aws/temp-credentials.js';
import { cluster, DB_PASSWORD, mockAws, REGION } from './fakes.js';
import { notFound, SECRET_ARN } from './serverless-fakes.js';

/** A temporary password as AWS returns them: long and random. */
const TEMP_PASSWORD = 'AskjhdgHJKG78ahs9/dkjfh+KJHG8asdfkjhZXCV==';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

describe('admin password', () => {
  test('an empty or missing DWH_DB_PASSWORD lets AWS manage it; a set one is sent as it is', () => {
    expect(clusterPasswordParameters(undefined)).toEqual({ ManageMasterPassword: true });
    expect(clusterPasswordParameters('')).toEqual({ ManageMasterPassword: true });
    expect(clusterPasswordParameters(DB_PASSWORD)).toEqual({ MasterUserPassword: DB_PASSWORD });
    expect(adminPasswordFrom('')).toEqual({ managed: true });
    expect(adminPasswordFrom(DB_PASSWORD)).toEqual({ managed: false, password: DB_PASSWORD });
  });

  test("cluster status reads the managed secret's ARN; none when the user set the password or it is gone", async () => {
    aws.redshift
      .on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [cluster('available', { MasterPasswordSecretArn: SECRET_ARN })] })
      .resolvesOnce({ Clusters: [cluster('available')] })
      .rejects(new ClusterNotFoundFault({ message: 'Cluster dwhcluster not found.', $metadata: {} }));
    expect(await clusterAdminSecretArn(aws.clients.redshift, 'dwhcluster', REGION)).toBe(SECRET_ARN);
    expect(await clusterAdminSecretArn(aws.clients.redshift, 'dwhcluster', REGION)).toBeUndefined();
    expect(await clusterAdminSecretArn(aws.clients.redshift, 'dwhcluster', REGION)).toBeUndefined();
  });
});

describe('temporary credentials', () => {
  const expiration = new Date(Date.UTC(2025, 0, 2, 4, 4, 5));

  test('a provisioned cluster: GetClusterCredentialsWithIAM for the database, an hour by default', async () => {
    aws.redshift
      .on(GetClusterCredentialsWithIAMCommand)
      .resolves({ DbUser: 'IAM:alice', DbPassword: TEMP_PASSWORD, Expiration: expiration });
    const credentials = await temporaryCredentials(
      aws.clients,
      { kind: 'cluster', clusterIdentifier: 'dwhcluster', dbName: 'dwh' },
      { region: REGION },
    );
    expect({ user: credentials.user, password: credentials.password, expiration: credentials.expiration }).toEqual({
      user: 'IAM:alice',
      password: TEMP_PASSWORD,
      expiration,
    });
    expect(aws.redshift.commandCalls(GetClusterCredentialsWithIAMCommand)[0]!.args[0].input).toEqual({
      ClusterIdentifier: 'dwhcluster',
      DbName: 'dwh',
      DurationSeconds: 3600,
    });
  });

  test('a Serverless workgroup: GetCredentials for the workgroup and database', async () => {
    aws.serverless
      .on(GetCredentialsCommand)
      .resolves({ dbUser: 'IAMR:DataEngineer', dbPassword: TEMP_PASSWORD, expiration });
    const credentials = await temporaryCredentials(
      aws.clients,
      { kind: 'workgroup', workgroupName: 'dwhcluster', dbName: 'dwh' },
      { region: REGION, seconds: 1200 },
    );
    expect(credentials.user).toBe('IAMR:DataEngineer');
    expect(credentials.password).toBe(TEMP_PASSWORD);
    expect(aws.serverless.commandCalls(GetCredentialsCommand)[0]!.args[0].input).toEqual({
      workgroupName: 'dwhcluster',
      dbName: 'dwh',
      durationSeconds: 1200,
    });
  });

  test('the lifetime stays within 900 to 3600 seconds, the range both APIs accept', () => {
    expect(credentialSeconds(undefined)).toBe(3600);
    expect(credentialSeconds(60)).toBe(900);
    expect(credentialSeconds(7200)).toBe(3600);
    expect(credentialSeconds(1799.6)).toBe(1800);
    expect(credentialSeconds(Number.NaN)).toBe(3600);
  });

  test('the password never shows in JSON, inspect, string or error output', async () => {
    const credentials = new TemporaryCredentials('IAM:alice', TEMP_PASSWORD, expiration);
    for (const shown of [
      JSON.stringify(credentials),
      JSON.stringify({ nested: credentials }),
      inspect(credentials),
      inspect({ nested: credentials }, { depth: 5 }),
      String(credentials),
      Object.keys(credentials).join(','),
    ]) {
      expect(shown).not.toContain(TEMP_PASSWORD);
    }
    expect(JSON.parse(JSON.stringify(credentials))).toEqual({
      user: 'IAM:alice',
      password: '[hidden]',
      expiration: '2025-01-02T04:04:05.000Z',
    });

    aws.redshift
      .on(GetClusterCredentialsWithIAMCommand)
      .rejects(new UnsupportedOperationFault({ message: 'IAM authentication is not supported.', $metadata: {} }));
    const failing = temporaryCredentials(aws.clients, {
      kind: 'cluster',
      clusterIdentifier: 'dwhcluster',
      dbName: 'dwh',
    });
    await expect(failing).rejects.toThrow(
      /^AWS failed while getting temporary database credentials for cluster dwhcluster/,
    );
  });

  test('expiresWithin tells when to fetch new ones before connecting', () => {
    const credentials = new TemporaryCredentials('IAM:alice', TEMP_PASSWORD, expiration);
    const fiveMinutes = 5 * 60_000;
    expect(credentials.expiresWithin(expiration.getTime() - 10 * 60_000, fiveMinutes)).toBe(false);
    expect(credentials.expiresWithin(expiration.getTime() - 4 * 60_000, fiveMinutes)).toBe(true);
  });

  test('an unknown workgroup is one line naming it', async () => {
    aws.serverless.on(GetCredentialsCommand).rejects(notFound('Workgroup nope'));
    await expect(
      temporaryCredentials(
        aws.clients,
        { kind: 'workgroup', workgroupName: 'nope', dbName: 'dwh' },
        { region: REGION },
      ),
    ).rejects.toThrow(
      'Redshift Serverless found nothing while getting temporary database credentials for workgroup nope ' +
        'in us-west-2 (Workgroup nope not found.): check [DWH] DWH_CLUSTER_IDENTIFIER and [AWS] REGION, ' +
        'or run `sparkify-dwh cluster create`',
    );
  });
});
