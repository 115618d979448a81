import {
  chmod,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { EXAMPLE_URL, openConfig, permissionWarning, secretsIn } from '../../src/config/store.js';
import type { DwhConfig } from '../../src/config/types.js';
import { SEED_CFG, SEED_PASSWORD, SEED_SECRET } from './seed.js';

let dir: string;
let cfgPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkify-config-'));
  cfgPath = join(dir, 'dwh.cfg');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeCfg(text: string | Buffer, mode = 0o600): Promise<void> {
  await writeFile(cfgPath, text, { mode });
  await chmod(cfgPath, mode); // the umask may have taken bits off
}

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

async function configError(action: () => unknown): Promise<ConfigError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** What a config file with nothing in it reads as, for a file in `folder`. */
function defaults(folder: string): DwhConfig {
  return {
    aws: { key: undefined, secret: undefined, region: undefined, profile: undefined },
    dwh: {
      clusterType: undefined,
      numNodes: undefined,
      nodeType: undefined,
      iamRoleName: undefined,
      clusterIdentifier: undefined,
      db: undefined,
      dbUser: undefined,
      dbPassword: undefined,
      port: undefined,
      allowedCidr: undefined,
      access: 'private',
      baseRpu: 8,
    },
    cluster: { host: undefined, dbName: undefined, dbUser: undefined, dbPassword: undefined, dbPort: undefined },
    iamRole: { arn: undefined },
    s3: { logData: undefined, logJsonPath: undefined, songData: undefined, region: 'us-west-2' },
    warehouse: { target: 'embedded', embeddedDir: join(folder, '.sparkify/warehouse'), postgresUrl: undefined },
    local: { songData: join(folder, 'data/song_data'), logData: join(folder, 'data/log_data') },
  };
}

describe('reading', () => {
  it('reads a missing file as defaults, with paths next to where the file would be', async () => {
    const store = await openConfig(cfgPath, 'dwh.cfg');
    expect(store.exists()).toBe(false);
    expect(store.path).toBe(cfgPath);
    expect(store.displayPath).toBe('dwh.cfg');
    expect(store.get('AWS', 'KEY')).toBeUndefined();
    expect(store.values()).toEqual(defaults(dir));
  });

  it('reads the seed file into typed values', async () => {
    await writeCfg(SEED_CFG);
    const store = await openConfig(cfgPath, 'dwh.cfg');
    expect(store.exists()).toBe(true);
    expect(store.values()).toEqual({
      ...defaults(dir),
      aws: { key: 'AKIAIOSFODNN7EXAMPLE', secret: SEED_SECRET, region: 'us-west-2', profile: undefined },
      dwh: {
        clusterType: 'multi-node',
        numNodes: 4,
        nodeType: 'dc2.large',
        iamRoleName: 'dwhRole',
        // Redshift keeps identifiers in lower case; the Udacity file wrote dwhCluster.
        clusterIdentifier: 'dwhcluster',
        db: 'dwh',
        dbUser: 'dwhuser',
        dbPassword: SEED_PASSWORD,
        port: 5439,
        allowedCidr: undefined,
        access: 'private',
        baseRpu: 8,
      },
      cluster: { host: undefined, dbName: 'dwh', dbUser: 'dwhuser', dbPassword: SEED_PASSWORD, dbPort: 5439 },
      iamRole: { arn: undefined },
      s3: {
        logData: 's3://udacity-dend/log_data',
        logJsonPath: 's3://udacity-dend/log_json_path.json',
        songData: 's3://udacity-dend/song_data',
        region: 'us-west-2',
      },
    });
    expect(store.get('s3', 'notes')).toBe('keep # this is not a comment');
  });

  it('reads a BOM + CRLF file', async () => {
    await writeCfg(`\uFEFF${SEED_CFG.replaceAll('\n', '\r\n')}`);
    const store = await openConfig(cfgPath);
    expect(store.values().aws.region).toBe('us-west-2');
    expect(store.values().s3.songData).toBe('s3://udacity-dend/song_data');
  });

  it('resolves relative paths against the folder of the file, and ~ against home', async () => {
    await writeCfg('[WAREHOUSE]\nEMBEDDED_DIR = ../wh\n[LOCAL]\nSONG_DATA = /abs/songs\nLOG_DATA = ~/logs\n');
    const values = (await openConfig(cfgPath)).values();
    expect(values.warehouse.embeddedDir).toBe(resolve(dir, '../wh'));
    expect(values.local.songData).toBe('/abs/songs');
    expect(values.local.logData).toBe(join(homedir(), 'logs'));
  });

  it('allows unknown sections and keys', async () => {
    await writeCfg('[EXTRA]\nANYTHING = goes\n[WAREHOUSE]\nTARGET = postgres\nCOLOUR = blue\n');
    const store = await openConfig(cfgPath);
    expect(store.values().warehouse.target).toBe('postgres');
    expect(store.get('extra', 'anything')).toBe('goes');
  });

  it('treats empty and empty-quoted values as not set', async () => {
    await writeCfg('[WAREHOUSE]\nTARGET =\n[CLUSTER]\nHOST=\'\'\nDB_PORT = ""\n');
    const values = (await openConfig(cfgPath)).values();
    expect(values.warehouse.target).toBe('embedded');
    expect(values.cluster.host).toBeUndefined();
    expect(values.cluster.dbPort).toBeUndefined();
  });

  it('names file, section and key for a bad value', async () => {
    await writeCfg('[DWH]\nDWH_PORT = abc\n');
    const error = await configError(async () => (await openConfig(cfgPath, 'dwh.cfg')).values());
    expect(error.message).toBe('dwh.cfg [DWH] DWH_PORT: "abc" is not a port number (1150–65535)');
    expect([error.file, error.section, error.key]).toEqual(['dwh.cfg', 'DWH', 'DWH_PORT']);
  });

  it('uses the spelling of the file in messages', async () => {
    await writeCfg('[warehouse]\ntarget = mysql\n');
    const error = await configError(async () => (await openConfig(cfgPath, 'conf/dwh.cfg')).values());
    expect(error.message).toBe(
      'conf/dwh.cfg [warehouse] target: "mysql" is not a target; use embedded, postgres, redshift or ' +
        'redshift-serverless',
    );
  });

  it('checks that the node count matches the cluster type', async () => {
    await writeCfg('[DWH]\nDWH_CLUSTER_TYPE = single-node\nDWH_NUM_NODES = 4\n');
    const error = await configError(async () => (await openConfig(cfgPath, 'dwh.cfg')).values());
    expect(error.message).toBe(
      'dwh.cfg [DWH] DWH_NUM_NODES: a single-node cluster has exactly 1 node, not 4; set DWH_NUM_NODES = 1 or ' +
        'DWH_CLUSTER_TYPE = multi-node',
    );
  });

  it('explains a value continued by an indented line', async () => {
    await writeCfg('[CLUSTER]\nHOST = a\n  DB_NAME = dwh\n');
    const error = await configError(async () => (await openConfig(cfgPath, 'dwh.cfg')).values());
    expect(error.message).toBe(
      'dwh.cfg [CLUSTER] HOST: the value continues on the indented line below it; remove that line’s indentation (an ' +
        'indented line continues the key above it)',
    );
  });

  it('reports syntax errors from openConfig with the display path', async () => {
    await writeCfg('[AWS]\nREGION us-west-2\n');
    const error = await configError(() => openConfig(cfgPath, 'conf/dwh.cfg'));
    expect(error.message).toBe(
      'conf/dwh.cfg line 2: missing "=" (the line is not shown because it may hold a secret); write it as KEY = value',
    );
    await writeCfg('[CLUSTER]\nHOST localhost\n');
    expect((await configError(() => openConfig(cfgPath, 'dwh.cfg'))).message).toBe(
      'dwh.cfg line 2: missing "=" in "HOST localhost"; write it as KEY = value',
    );
    await writeCfg(Buffer.from([0x5b, 0x41, 0x5d, 0x0a, 0x58, 0x3d, 0xff, 0x0a]));
    expect((await configError(() => openConfig(cfgPath, 'dwh.cfg'))).message).toBe(
      'dwh.cfg line 2: is not valid UTF-8; save the file as UTF-8 and try again',
    );
  });

  it('refuses a folder where the file should be', async () => {
    await mkdir(cfgPath);
    const error = await configError(() => openConfig(cfgPath, 'dwh.cfg'));
    expect(error.message).toBe('dwh.cfg: is a folder, not a file; pass the path of the file with --config');
  });

  it('refuses an unreadable file', async () => {
    await writeCfg('[AWS]\n');
    const denied = Object.assign(new Error(`EACCES: permission denied, open '${cfgPath}'`), { code: 'EACCES' });
    const error = await configError(() =>
      openConfig(cfgPath, 'dwh.cfg', { io: { readFile: () => Promise.reject(denied) } }),
    );
    expect(error.message).toBe(
      'dwh.cfg: cannot be read (permission denied); check its owner and permissions with ls -l',
    );
  });
});

describe('secrets', () => {
  const distinctive = 'Zq9-DISTINCTIVE-secret-Zq9';

  it('never shows a secret value in a message', async () => {
    const cases: Array<[string, string]> = [
      [
        `[DWH]\nDWH_DB_PASSWORD = ${distinctive.toLowerCase()}\n`,
        'dwh.cfg [DWH] DWH_DB_PASSWORD: the password needs at least one uppercase letter',
      ],
      [
        `[CLUSTER]\nDB_PASSWORD = '${distinctive} x'\n`,
        `dwh.cfg [CLUSTER] DB_PASSWORD: the password may only use printable ASCII characters other than ' " \\ / @ ` +
          `and space`,
      ],
      [
        `[AWS]\nSECRET = ${distinctive} x\n`,
        'dwh.cfg [AWS] SECRET: the value is not an AWS secret access key (40 characters: letters, digits, "/" and "+")',
      ],
      [
        `[AWS]\nKEY = ${distinctive}\n`,
        'dwh.cfg [AWS] KEY: the value is not an AWS access key ID (upper-case letters and digits, like ' +
          'AKIAIOSFODNN7EXAMPLE)',
      ],
      [
        `[WAREHOUSE]\nPOSTGRES_URL = mysql://u:${distinctive}@h/db\n`,
        'dwh.cfg [WAREHOUSE] POSTGRES_URL: the value is not a PostgreSQL URL (like ' +
          'postgres://user:password@localhost:5432/sparkify)',
      ],
      // A password reused as another value is still hidden.
      [
        `[DWH]\nDWH_DB_PASSWORD = ${distinctive}\nDWH_DB_USER = ${distinctive}\n`,
        'dwh.cfg [DWH] DWH_DB_USER: "the value" is not a valid user name: use lowercase letters, digits and "_", ' +
          'starting with a letter',
      ],
      [
        `[DWH]\nDWH_DB_PASSWORD = ${distinctive}\n  ${distinctive}\n`,
        'dwh.cfg [DWH] DWH_DB_PASSWORD: the value continues on the indented line below it; remove that line’s ' +
          'indentation (an indented line continues the key above it)',
      ],
    ];
    for (const [text, message] of cases) {
      await writeCfg(text);
      const error = await configError(async () => (await openConfig(cfgPath, 'dwh.cfg')).values());
      expect(error.message).toBe(message);
      expect(error.message.toLowerCase()).not.toContain('distinctive');
    }
  });

  it('lists the secrets present so output can be redacted', async () => {
    await writeCfg(SEED_CFG);
    // KEY too: readValues already kept it out of messages, the INI parser out of quoted lines.
    expect(secretsIn(await openConfig(cfgPath))).toEqual(['AKIAIOSFODNN7EXAMPLE', SEED_SECRET, SEED_PASSWORD]);
    await writeCfg('[WAREHOUSE]\nPOSTGRES_URL = postgres://me:p%40ss%2Fword@localhost/db\n[DWH]\nDWH_DB_PASSWORD =\n');
    expect(secretsIn(await openConfig(cfgPath))).toEqual(['p%40ss%2Fword', 'p@ss/word']);
    await writeCfg('[WAREHOUSE]\nPOSTGRES_URL = postgres://localhost/db\n');
    expect(secretsIn(await openConfig(cfgPath))).toEqual([]);
  });

  it('warns when a file with secrets is readable by others', async () => {
    await writeCfg(SEED_CFG, 0o644);
    expect(permissionWarning(await openConfig(cfgPath, 'dwh.cfg'))).toBe(
      'dwh.cfg holds secrets and other users can read it (mode 0644); run: chmod 600 dwh.cfg',
    );
    await writeCfg(SEED_CFG, 0o640);
    expect(permissionWarning(await openConfig(cfgPath, 'my dir/dwh.cfg'))).toBe(
      "my dir/dwh.cfg holds secrets and other users can read it (mode 0640); run: chmod 600 'my dir/dwh.cfg'",
    );
    await writeCfg('[AWS]\nKEY = AKIAIOSFODNN7EXAMPLE\n', 0o604);
    expect(permissionWarning(await openConfig(cfgPath, 'dwh.cfg'))).toBe(
      'dwh.cfg holds secrets and other users can read it (mode 0604); run: chmod 600 dwh.cfg',
    );
  });

  it('does not warn for a private file, a file without secrets, or no file', async () => {
    await writeCfg(SEED_CFG, 0o600);
    expect(permissionWarning(await openConfig(cfgPath))).toBeUndefined();
    await writeCfg('[WAREHOUSE]\nTARGET = embedded\n', 0o644);
    expect(permissionWarning(await openConfig(cfgPath))).toBeUndefined();
    await rm(cfgPath);
    expect(permissionWarning(await openConfig(cfgPath))).toBeUndefined();
  });
});

describe('update', () => {
  it('writes back keeping comments, order, spelling, quotes and unknown keys, byte for byte', async () => {
    await writeCfg(SEED_CFG);
    const store = await openConfig(cfgPath, 'dwh.cfg');
    await store.update([
      { section: 'CLUSTER', key: 'HOST', value: 'dwhcluster.abc123xyz.us-west-2.redshift.amazonaws.com' },
      { section: 'IAM_ROLE', key: 'ARN', value: 'arn:aws:iam::123456789012:role/dwhRole' },
      { section: 'DWH', key: 'DWH_ALLOWED_CIDR', value: '203.0.113.7/32' },
      { section: 'WAREHOUSE', key: 'TARGET', value: 'redshift' },
      { section: 'aws', key: 'secret', value: undefined },
    ]);
    const expected = SEED_CFG.replace('\nSECRET=' + SEED_SECRET + '\n', '\nSECRET=\n')
      .replace("HOST=''", "HOST='dwhcluster.abc123xyz.us-west-2.redshift.amazonaws.com'")
      .replace("ARN=''", "ARN='arn:aws:iam::123456789012:role/dwhRole'")
      .replace('DWH_PORT=5439\n', 'DWH_PORT=5439\nDWH_ALLOWED_CIDR=203.0.113.7/32\n')
      .concat('\n[WAREHOUSE]\nTARGET = redshift\n');
    expect(await readFile(cfgPath, 'utf8')).toBe(expected);
    expect(store.get('CLUSTER', 'HOST')).toBe('dwhcluster.abc123xyz.us-west-2.redshift.amazonaws.com');
    expect(store.values().iamRole.arn).toBe('arn:aws:iam::123456789012:role/dwhRole');
    expect(store.values().aws.secret).toBeUndefined();
  });

  it('keeps a BOM and CRLF line endings', async () => {
    await writeCfg('\uFEFF[CLUSTER]\r\nHOST =\r\n# end\r\n');
    const store = await openConfig(cfgPath);
    await store.update([{ section: 'CLUSTER', key: 'HOST', value: 'h.example.com' }]);
    expect(await readFile(cfgPath, 'utf8')).toBe('\uFEFF[CLUSTER]\r\nHOST = h.example.com\r\n# end\r\n');
  });

  it('re-reads the file first, so edits made since it was opened survive', async () => {
    await writeCfg('[CLUSTER]\nHOST =\n');
    const store = await openConfig(cfgPath);
    await writeCfg('# added by hand\n[CLUSTER]\nHOST =\nDB_NAME = dwh\n');
    await store.update([{ section: 'CLUSTER', key: 'HOST', value: 'h' }]);
    expect(await readFile(cfgPath, 'utf8')).toBe('# added by hand\n[CLUSTER]\nHOST = h\nDB_NAME = dwh\n');
    expect(store.get('CLUSTER', 'DB_NAME')).toBe('dwh');
  });

  it('leaves the bytes alone when nothing changes', async () => {
    await writeCfg(SEED_CFG, 0o644);
    const before = await stat(cfgPath);
    const store = await openConfig(cfgPath);
    // Says so, so a step can say "already up to date" instead of "Wrote …".
    expect(await store.update([{ section: 'S3', key: 'LOG_DATA', value: 's3://udacity-dend/log_data' }])).toBe(false);
    expect(await store.update([])).toBe(false);
    expect(await readFile(cfgPath, 'utf8')).toBe(SEED_CFG);
    expect((await stat(cfgPath)).ino).toBe(before.ino);
    expect(await store.update([{ section: 'CLUSTER', key: 'HOST', value: 'h' }])).toBe(true);
  });

  it('makes the file 0600, also when it was 0644', async () => {
    await writeCfg(SEED_CFG, 0o644);
    const store = await openConfig(cfgPath);
    await store.update([{ section: 'CLUSTER', key: 'HOST', value: 'h' }]);
    expect(await modeOf(cfgPath)).toBe(0o600);
  });

  it('creates a missing file, 0600', async () => {
    const store = await openConfig(cfgPath);
    await store.update([
      { section: 'WAREHOUSE', key: 'TARGET', value: 'postgres' },
      { section: 'WAREHOUSE', key: 'POSTGRES_URL', value: 'postgres://localhost/sparkify' },
    ]);
    expect(await readFile(cfgPath, 'utf8')).toBe(
      '[WAREHOUSE]\nTARGET = postgres\nPOSTGRES_URL = postgres://localhost/sparkify\n',
    );
    expect(await modeOf(cfgPath)).toBe(0o600);
    expect(store.exists()).toBe(true);
  });

  it('writes a temporary file named .dwh.cfg.<pid>.<random>.tmp, 0600 from the start, then renames it', async () => {
    await writeCfg(SEED_CFG, 0o644);
    const renames: Array<{ from: string; to: string; mode: number }> = [];
    const store = await openConfig(cfgPath, 'dwh.cfg', {
      io: {
        rename: async (from, to) => {
          renames.push({ from: String(from), to: String(to), mode: await modeOf(String(from)) });
          await rename(from, to);
        },
      },
    });
    await store.update([{ section: 'CLUSTER', key: 'HOST', value: 'h' }]);
    expect(renames).toHaveLength(1);
    expect(renames[0]!.from.startsWith(`${dir}/`)).toBe(true);
    expect(renames[0]!.from.slice(dir.length + 1)).toMatch(
      new RegExp(`^\\.dwh\\.cfg\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`),
    );
    expect(renames[0]!.to).toBe(cfgPath);
    expect(renames[0]!.mode).toBe(0o600);
    expect(await readdir(dir)).toEqual(['dwh.cfg']);
  });

  it('leaves the original untouched and no temporary file when the rename fails', async () => {
    await writeCfg(SEED_CFG, 0o644);
    const store = await openConfig(cfgPath, 'dwh.cfg', {
      io: {
        rename: () => Promise.reject(Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' })),
      },
    });
    const error = await configError(() => store.update([{ section: 'CLUSTER', key: 'HOST', value: 'h' }]));
    expect(error.message).toBe('dwh.cfg: could not be saved (permission denied); the file is unchanged');
    expect(await readFile(cfgPath, 'utf8')).toBe(SEED_CFG);
    expect(await modeOf(cfgPath)).toBe(0o644);
    expect(await readdir(dir)).toEqual(['dwh.cfg']);
    expect(store.get('CLUSTER', 'HOST')).toBe('');
  });

  it('leaves the original untouched and no temporary file when writing fails half-way', async () => {
    await writeCfg(SEED_CFG);
    const store = await openConfig(cfgPath, 'dwh.cfg', {
      io: {
        open: (async (path: string, flags: string, mode?: number) => {
          const handle = await open(path, flags, mode);
          if (flags !== 'wx') return handle;
          return Object.assign(Object.create(handle) as typeof handle, {
            writeFile: async () => {
              await handle.write('half');
              throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
            },
            close: () => handle.close(),
          });
        }) as unknown as typeof open,
      },
    });
    const error = await configError(() => store.update([{ section: 'CLUSTER', key: 'HOST', value: 'h' }]));
    expect(error.message).toBe('dwh.cfg: could not be saved (the disk is full); the file is unchanged');
    expect(await readFile(cfgPath, 'utf8')).toBe(SEED_CFG);
    expect(await readdir(dir)).toEqual(['dwh.cfg']);
  });

  it('fails cleanly when the folder is gone', async () => {
    const store = await openConfig(join(dir, 'missing', 'dwh.cfg'), 'missing/dwh.cfg');
    const error = await configError(() => store.update([{ section: 'A', key: 'B', value: 'c' }]));
    expect(error.message).toBe(
      'missing/dwh.cfg: could not be saved (the folder does not exist); the file is unchanged',
    );
  });

  it('refuses to replace a read-only file, saying how to allow it; file and mode stay as they were', async () => {
    await writeCfg(SEED_CFG, 0o400);
    const store = await openConfig(cfgPath, 'my dir/dwh.cfg');
    const error = await configError(() =>
      store.update([
        { section: 'CLUSTER', key: 'HOST', value: 'h' },
        { section: 'IAM_ROLE', key: 'ARN', value: 'arn:aws:iam::123456789012:role/dwhRole' },
        { section: 'S3', key: 'LOG_DATA', value: 's3://udacity-dend/log_data' },
      ]),
    );
    expect(error.message).toBe(
      'my dir/dwh.cfg: is read-only (mode 0400), so [CLUSTER] HOST and [IAM_ROLE] ARN were not written; ' +
        "to let sparkify-dwh update it, run: chmod u+w 'my dir/dwh.cfg'",
    );
    expect(await readFile(cfgPath, 'utf8')).toBe(SEED_CFG);
    expect(await modeOf(cfgPath)).toBe(0o400);
    expect(store.get('CLUSTER', 'HOST')).toBe('');
    // Nothing to change is not a write, so a read-only file is fine then.
    await store.update([{ section: 'S3', key: 'LOG_DATA', value: 's3://udacity-dend/log_data' }]);
  });

  it('writes through a symlink instead of replacing it', async () => {
    const real = join(dir, 'real.cfg');
    await writeFile(real, '[CLUSTER]\nHOST =\n', { mode: 0o600 });
    await symlink(real, cfgPath);
    const store = await openConfig(cfgPath);
    await store.update([{ section: 'CLUSTER', key: 'HOST', value: 'h' }]);
    expect(await readFile(real, 'utf8')).toBe('[CLUSTER]\nHOST = h\n');
    expect(await readlink(cfgPath)).toBe(real);
  });
});

describe('createFromExample', () => {
  it('writes dwh.cfg.example, 0600, and reads it as a working embedded setup', async () => {
    const store = await openConfig(cfgPath, 'dwh.cfg');
    await store.createFromExample();
    expect(await readFile(cfgPath, 'utf8')).toBe(await readFile(fileURLToPath(EXAMPLE_URL), 'utf8'));
    expect(await modeOf(cfgPath)).toBe(0o600);
    expect(store.exists()).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(['.gitignore', 'dwh.cfg']);
    expect(permissionWarning(store)).toBeUndefined();
    expect(secretsIn(store)).toEqual([]);
  });

  it('makes a .gitignore beside it that keeps dwh.cfg and .sparkify/ out of git', async () => {
    const store = await openConfig(cfgPath, 'dwh.cfg');
    expect(await store.createFromExample()).toEqual({
      file: join(dir, '.gitignore'),
      added: ['dwh.cfg', '.sparkify/'],
    });
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe(
      '# sparkify-dwh: credentials and the local warehouse stay out of git\ndwh.cfg\n.sparkify/\n',
    );
    // Not a secret: readable as git expects, whatever the umask.
    expect(await modeOf(join(dir, '.gitignore'))).toBe(0o644);
  });

  it('adds only what the user’s .gitignore lacks, keeping its lines and mode', async () => {
    const gitignore = join(dir, '.gitignore');
    await writeFile(gitignore, 'node_modules\n/dwh.cfg'); // no newline at the end
    await chmod(gitignore, 0o664);
    const store = await openConfig(cfgPath, 'dwh.cfg');
    expect((await store.createFromExample())?.added).toEqual(['.sparkify/']);
    expect(await readFile(gitignore, 'utf8')).toBe(
      'node_modules\n/dwh.cfg\n# sparkify-dwh: credentials and the local warehouse stay out of git\n.sparkify/\n',
    );
    expect(await modeOf(gitignore)).toBe(0o664);
  });

  it('leaves a .gitignore that lists both as it is, byte for byte', async () => {
    const gitignore = join(dir, '.gitignore');
    await writeFile(gitignore, 'dwh.cfg\r\n.sparkify\r\n');
    const before = await stat(gitignore);
    const store = await openConfig(cfgPath, 'dwh.cfg');
    expect((await store.createFromExample())?.added).toEqual([]);
    expect(await readFile(gitignore, 'utf8')).toBe('dwh.cfg\r\n.sparkify\r\n');
    expect((await stat(gitignore)).ino).toBe(before.ino);
  });

  it('writes through a symlinked .gitignore, and names another config file by its own name', async () => {
    const shared = join(dir, 'shared-ignore');
    await writeFile(shared, '*.log\n');
    await symlink(shared, join(dir, '.gitignore'));
    const store = await openConfig(join(dir, 'team.cfg'), 'team.cfg');
    expect((await store.createFromExample())?.added).toEqual(['team.cfg', '.sparkify/']);
    expect(await readlink(join(dir, '.gitignore'))).toBe(shared);
    expect(await readFile(shared, 'utf8')).toMatch(/^\*\.log\n# sparkify-dwh.*\nteam\.cfg\n\.sparkify\/\n$/);
  });

  it('when the .gitignore cannot be written, dwh.cfg is still made and the problem is told', async () => {
    await mkdir(join(dir, '.gitignore')); // a folder in the way
    const store = await openConfig(cfgPath, 'dwh.cfg');
    expect(await store.createFromExample()).toEqual({
      file: join(dir, '.gitignore'),
      added: [],
      problem: expect.stringMatching(/folder/) as unknown,
    });
    expect(await modeOf(cfgPath)).toBe(0o600);
  });

  it('refuses to overwrite an existing file', async () => {
    await writeCfg('[AWS]\n');
    const store = await openConfig(cfgPath, 'dwh.cfg');
    const error = await configError(() => store.createFromExample());
    expect(error.message).toBe('dwh.cfg: already exists; not overwriting it with dwh.cfg.example');
    expect(await readFile(cfgPath, 'utf8')).toBe('[AWS]\n');
  });
});

describe('dwh.cfg.example', () => {
  it('documents every key (docs/configuration.md) and validates with the safe defaults', async () => {
    const store = await openConfig(fileURLToPath(EXAMPLE_URL), 'dwh.cfg.example');
    const folder = resolve(fileURLToPath(EXAMPLE_URL), '..');
    expect(store.values()).toEqual({
      aws: { key: undefined, secret: undefined, region: 'us-west-2', profile: undefined },
      dwh: {
        clusterType: 'single-node',
        numNodes: 1,
        nodeType: 'ra3.large',
        iamRoleName: 'dwhRole',
        clusterIdentifier: 'dwhcluster',
        db: 'dwh',
        dbUser: 'dwhuser',
        dbPassword: undefined,
        port: 5439,
        allowedCidr: undefined,
        access: 'private',
        baseRpu: 8,
      },
      cluster: { host: undefined, dbName: 'dwh', dbUser: 'dwhuser', dbPassword: undefined, dbPort: 5439 },
      iamRole: { arn: undefined },
      s3: {
        logData: 's3://udacity-dend/log_data',
        logJsonPath: 's3://udacity-dend/log_json_path.json',
        songData: 's3://udacity-dend/song_data',
        region: 'us-west-2',
      },
      warehouse: { target: 'embedded', embeddedDir: join(folder, '.sparkify/warehouse'), postgresUrl: undefined },
      local: { songData: join(folder, 'data/song_data'), logData: join(folder, 'data/log_data') },
    } satisfies DwhConfig);

    const spec: Record<string, string[]> = {
      AWS: ['KEY', 'SECRET', 'REGION', 'PROFILE'],
      DWH: [
        'DWH_CLUSTER_TYPE',
        'DWH_NUM_NODES',
        'DWH_NODE_TYPE',
        'DWH_IAM_ROLE_NAME',
        'DWH_CLUSTER_IDENTIFIER',
        'DWH_DB',
        'DWH_DB_USER',
        'DWH_DB_PASSWORD',
        'DWH_PORT',
        'DWH_ACCESS',
        'DWH_ALLOWED_CIDR',
        'DWH_BASE_RPU',
      ],
      CLUSTER: ['HOST', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DB_PORT'],
      IAM_ROLE: ['ARN'],
      S3: ['LOG_DATA', 'LOG_JSONPATH', 'SONG_DATA', 'REGION'],
      WAREHOUSE: ['TARGET', 'EMBEDDED_DIR', 'POSTGRES_URL'],
      LOCAL: ['SONG_DATA', 'LOG_DATA'],
    };
    const lines = (await readFile(fileURLToPath(EXAMPLE_URL), 'utf8')).split('\n');
    for (const [section, keys] of Object.entries(spec)) {
      for (const key of keys) expect(store.get(section, key), `${section} ${key}`).toBeDefined();
      // Every section opens with a comment explaining it.
      const header = lines.indexOf(`[${section}]`);
      expect(lines[header + 1]!.startsWith('# '), section).toBe(true);
    }
  });
});
