/** The key table: one row per key, and what is derived from it (reading, secrets, write-back). */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { IniSyntaxError, parse } from '../../src/config/ini.js';
import {
  CONFIG_KEY_LIST,
  changesFor,
  findKey,
  keyOf,
  lineMayHoldSecret,
  readValues,
  secretValues,
  WRITE_BACK,
  type KeyDefinition,
} from '../../src/config/schema.js';
import { EXAMPLE_URL, openConfig, secretsIn } from '../../src/config/store.js';

let dir: string;
let cfgPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkify-schema-'));
  cfgPath = join(dir, 'dwh.cfg');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function valuesOf(text: string) {
  await writeFile(cfgPath, text);
  await chmod(cfgPath, 0o600);
  return (await openConfig(cfgPath, 'dwh.cfg')).values();
}

async function problemOf(text: string): Promise<ConfigError> {
  try {
    await valuesOf(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('the table', () => {
  it('has each [SECTION] KEY once and each typed field once', () => {
    const names = CONFIG_KEY_LIST.map((row) => `${row.section} ${row.key}`.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    const fields = CONFIG_KEY_LIST.map((row) => row.field);
    expect(new Set(fields).size).toBe(fields.length);
    expect(CONFIG_KEY_LIST).toHaveLength(32);
  });

  it('finds a row by field, and by key as written in any case', () => {
    expect(keyOf('cluster.host')).toMatchObject({ section: 'CLUSTER', key: 'HOST' });
    expect(findKey('dwh', 'dwh_base_rpu')?.field).toBe('dwh.baseRpu');
    expect(findKey('S3', 'NOTES')).toBeUndefined();
  });

  it('dwh.cfg.example sets every key, each under a comment, and no key the table lacks', async () => {
    const text = await readFile(fileURLToPath(EXAMPLE_URL), 'utf8');
    const document = parse(text, 'dwh.cfg.example');
    for (const row of CONFIG_KEY_LIST) {
      const found = document.lookup(row.section, row.key);
      expect(found, `${row.section} ${row.key}`).toBeDefined();
      // Up from the key over other keys of the same paragraph, a comment explains it.
      const lines = text.split('\n');
      let index = found!.line - 2;
      while (index >= 0 && /^[A-Z_]+ =/.test(lines[index]!)) index -= 1;
      expect(lines[index], `${row.section} ${row.key}`).toMatch(/^# /);
    }
    // Same keys, same order: the example reads as the table does.
    const inExample = document
      .sectionNames()
      .flatMap((section) => document.keys(section).map((key) => `${section} ${key}`));
    expect(inExample).toEqual(CONFIG_KEY_LIST.map((row) => `${row.section} ${row.key}`));
  });

  it('requires a default for a field that DwhConfig always has', () => {
    // @ts-expect-error: a number field without `?` in DwhConfig needs a default (npm run typecheck checks this)
    const missing: KeyDefinition<number> = { section: 'DWH', key: 'X', validate: () => true, parse: Number };
    const optional: KeyDefinition<number | undefined> = {
      section: 'DWH',
      key: 'X',
      validate: () => true,
      parse: Number,
    };
    expect([missing.default, optional.default]).toEqual([undefined, undefined]);
  });
});

describe('the keys from the newer contract', () => {
  it('read as their defaults when absent', async () => {
    const values = await valuesOf('[WAREHOUSE]\nTARGET = redshift-serverless\n');
    expect(values.aws.profile).toBeUndefined();
    expect(values.s3.region).toBe('us-west-2');
    expect(values.dwh.access).toBe('private');
    expect(values.dwh.baseRpu).toBe(8);
    expect(values.dwh.dbPassword).toBeUndefined();
    expect(values.warehouse.target).toBe('redshift-serverless');
  });

  it('read as written', async () => {
    const values = await valuesOf(
      '[AWS]\nPROFILE = dev-sso\n[DWH]\nDWH_ACCESS = public\nDWH_BASE_RPU = 32\n[S3]\nREGION = eu-west-1\n',
    );
    expect([values.aws.profile, values.dwh.access, values.dwh.baseRpu, values.s3.region]).toEqual([
      'dev-sso',
      'public',
      32,
      'eu-west-1',
    ]);
  });

  it('DWH_ACCESS defaults to public when DWH_ALLOWED_CIDR is set, so older files keep working', async () => {
    expect((await valuesOf('[DWH]\nDWH_ALLOWED_CIDR = 203.0.113.7/32\n')).dwh.access).toBe('public');
    expect((await valuesOf('[DWH]\nDWH_ALLOWED_CIDR =\n')).dwh.access).toBe('private');
    expect((await valuesOf('[DWH]\nDWH_ACCESS = private\nDWH_ALLOWED_CIDR = 203.0.113.7/32\n')).dwh.access).toBe(
      'private',
    );
  });

  it('a password given in DWH_DB_PASSWORD still reads as before', async () => {
    expect((await valuesOf('[DWH]\nDWH_DB_PASSWORD = Passw0rdOk\n')).dwh.dbPassword).toBe('Passw0rdOk');
  });

  it.each([
    ['[AWS]\nPROFILE = [dev]\n', 'dwh.cfg [AWS] PROFILE: "[dev]" is not an AWS profile name (like default or dev)'],
    ['[s3]\nregion = Oregon\n', 'dwh.cfg [s3] region: "Oregon" is not an AWS region (like us-west-2)'],
    ['[DWH]\nDWH_ACCESS = open\n', 'dwh.cfg [DWH] DWH_ACCESS: "open" is not an access mode; use private or public'],
    [
      '[DWH]\nDWH_BASE_RPU = 12\n',
      'dwh.cfg [DWH] DWH_BASE_RPU: "12" is not a Serverless base capacity: ' +
        'use 4, a multiple of 8 from 8 to 512, or a multiple of 32 from 512 to 1024',
    ],
    [
      '[WAREHOUSE]\nTARGET = serverless\n',
      'dwh.cfg [WAREHOUSE] TARGET: "serverless" is not a target; use embedded, postgres, redshift or ' +
        'redshift-serverless',
    ],
    [
      '[S3]\nLOG_JSONPATH = s3://udacity-dend/\n',
      'dwh.cfg [S3] LOG_JSONPATH: "s3://udacity-dend/" does not name a file (like s3://bucket/path/file.json)',
    ],
  ])('a bad value names file, section and key in one line: %j', async (text, message) => {
    const error = await problemOf(text);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain('\n');
  });
});

describe('secrets, derived from the table', () => {
  const secretRows = CONFIG_KEY_LIST.filter((row) => row.secret);

  it('are the keys whose values output must never show', () => {
    expect(secretRows.map((row) => `${row.section} ${row.key}`)).toEqual([
      'AWS KEY',
      'AWS SECRET',
      'DWH DWH_DB_PASSWORD',
      'CLUSTER DB_PASSWORD',
      'WAREHOUSE POSTGRES_URL',
    ]);
  });

  // Each secret key, the same way in all three places: listed for redaction, kept out of validation
  // messages when reused elsewhere, and never quoted from a broken line.
  it.each(secretRows.map((row) => [row.section, row.key, row.secret] as const))(
    '[%s] %s is redacted, kept out of messages and out of syntax errors',
    async (section, key, kind) => {
      const secret = 'Zq9DistinctSecretValue9qZ';
      const value = kind === 'url-password' ? `postgres://me:${secret}@localhost/db` : secret;
      const raw = (s: string, k: string) => (s === section && k === key ? value : undefined);
      expect(secretValues(raw)).toEqual([secret]);

      await writeFile(cfgPath, `[${section}]\n${key} = ${value}\n`);
      expect(secretsIn(await openConfig(cfgPath))).toEqual([secret]);
      // The secret reused where a validator shows the value (an invalid bucket name).
      const error = await problemOf(`[${section}]\n${key} = ${value}\n[S3]\nLOG_DATA = s3://${secret}/x\n`);
      expect(error.message).toMatch(/^dwh\.cfg \[(S3\] LOG_DATA|AWS\] KEY): /);
      expect(error.message).not.toContain(secret);

      // (A URL has a ":", which makes a line parse as a key: the bare secret is what can break a line.)
      for (const text of [
        `[${section}]\n${key} ${secret}\n`,
        `[OTHER]\n${key} ${secret}\n`,
        `[X]\n${key} =\n${secret}\n`,
      ]) {
        let error: unknown;
        try {
          parse(text, 'dwh.cfg', { mayHoldSecret: lineMayHoldSecret });
        } catch (caught) {
          error = caught;
        }
        expect(error, text).toBeInstanceOf(IniSyntaxError);
        expect((error as Error).message).not.toContain(secret);
      }
    },
  );

  it('a broken line of an ordinary key is quoted, so it is easy to find', () => {
    expect(lineMayHoldSecret({ text: 'HOST localhost', section: 'CLUSTER', previousKey: 'DB_NAME' })).toBe(false);
    expect(lineMayHoldSecret({ text: 'REGION us-west-2', section: 'aws', previousKey: undefined })).toBe(true);
  });
});

describe('POSTGRES_URL percent-escapes', () => {
  it.each([
    ['postgres://me:p%zz@localhost/db', 'has a "%" that is not followed by two hex digits; write a literal % as %25'],
    ['postgres://me@localhost/data%', 'has a "%" that is not followed by two hex digits; write a literal % as %25'],
    ['postgres://me@loc%zzalhost/db', 'has a "%" that is not followed by two hex digits; write a literal % as %25'],
    [
      'postgres://%(user)s:%(password)s@localhost/%(db)s',
      "uses %(name)s, configparser's interpolation, which sparkify-dwh does not expand; write the value out in full",
    ],
  ])('%s: one line naming file, section and key, without the value', async (url, problem) => {
    const error = await problemOf(`[WAREHOUSE]\nPOSTGRES_URL = ${url}\n`);
    expect(error.message).toBe(`dwh.cfg [WAREHOUSE] POSTGRES_URL: the value ${problem}`);
  });

  it('a well-formed escape is fine', async () => {
    const values = await valuesOf('[WAREHOUSE]\nPOSTGRES_URL = postgres://me:p%40ss%25@localhost/db\n');
    expect(values.warehouse.postgresUrl).toBe('postgres://me:p%40ss%25@localhost/db');
  });
});

describe('readValues', () => {
  it('reads from anything that looks keys up like an IniDocument, resolving paths once', () => {
    const values = readValues(parse('[LOCAL]\nSONG_DATA = songs\n'), '/base', 'dwh.cfg');
    expect(values.local.songData).toBe('/base/songs');
    expect(values.local.logData).toBe('/base/data/log_data');
    expect(values.warehouse.embeddedDir).toBe('/base/.sparkify/warehouse');
    expect(readValues(undefined, '/base', 'dwh.cfg').warehouse.target).toBe('embedded');
  });
});

describe('write-back', () => {
  it('names the keys written back after cluster create, in file order', () => {
    const keys = (fields: readonly Parameters<typeof keyOf>[0][]) =>
      fields.map((field) => `${keyOf(field).section} ${keyOf(field).key}`);
    expect(keys(WRITE_BACK.connection)).toEqual([
      'CLUSTER HOST',
      'CLUSTER DB_NAME',
      'CLUSTER DB_USER',
      'CLUSTER DB_PASSWORD',
      'CLUSTER DB_PORT',
    ]);
    expect(keys(WRITE_BACK.role)).toEqual(['IAM_ROLE ARN']);
    expect(keys(WRITE_BACK.clusterSettings)).toEqual([
      'DWH DWH_CLUSTER_IDENTIFIER',
      'DWH DWH_CLUSTER_TYPE',
      'DWH DWH_NUM_NODES',
      'DWH DWH_NODE_TYPE',
      'DWH DWH_IAM_ROLE_NAME',
      'DWH DWH_DB',
      'DWH DWH_DB_USER',
      'DWH DWH_DB_PASSWORD',
      'DWH DWH_PORT',
    ]);
  });

  it('changesFor writes typed values as dwh.cfg text and leaves out what is not known', () => {
    expect(
      changesFor([...WRITE_BACK.connection, ...WRITE_BACK.role], {
        cluster: { host: 'h.example.com', dbName: 'dwh', dbUser: undefined, dbPassword: '', dbPort: 5439 },
        iamRole: { arn: 'arn:aws:iam::123456789012:role/dwhRole' },
      }),
    ).toEqual([
      { section: 'CLUSTER', key: 'HOST', value: 'h.example.com' },
      { section: 'CLUSTER', key: 'DB_NAME', value: 'dwh' },
      { section: 'CLUSTER', key: 'DB_PORT', value: '5439' },
      { section: 'IAM_ROLE', key: 'ARN', value: 'arn:aws:iam::123456789012:role/dwhRole' },
    ]);
    expect(changesFor(WRITE_BACK.clusterSettings, { dwh: { dbPassword: undefined, numNodes: 2 } })).toEqual([
      { section: 'DWH', key: 'DWH_NUM_NODES', value: '2' },
    ]);
  });
});
