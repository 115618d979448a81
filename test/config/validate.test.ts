import { describe, expect, it } from 'vitest';
import {
  isServerlessBaseCapacity,
  validateAccess,
  validateAccessKeyId,
  validateBaseRpu,
  validateCidr,
  validateClusterIdentifier,
  validateClusterShape,
  validateClusterType,
  validateDatabaseName,
  validateHost,
  validateIamRoleArn,
  validateIamRoleName,
  validateNodeCount,
  validateNodeType,
  validatePlannedIamRoleArn,
  validatePort,
  validatePostgresUrl,
  validateProfileName,
  validateRedshiftPassword,
  validateRedshiftPort,
  validateRegion,
  validateS3ObjectUrl,
  validateS3Url,
  validateSecretAccessKey,
  validateTarget,
  validateUserName,
  type Validation,
} from '../../src/config/validate.js';

const BAD_DB_NAME =
  'is not a valid database name: use lowercase letters, digits, "_" and "$", starting with a letter or "_"';

function expectValid(validate: (value: string) => Validation, values: string[]): void {
  for (const value of values) expect(validate(value), value).toBe(true);
}

function expectProblems(validate: (value: string) => Validation, cases: Record<string, string>): void {
  for (const [value, problem] of Object.entries(cases)) expect(validate(value), value).toBe(problem);
}

describe('validateClusterIdentifier', () => {
  it('accepts Redshift cluster identifiers', () => {
    expectValid(validateClusterIdentifier, ['dwhcluster', 'a', 'sparkify-dwh-1', `a${'b'.repeat(62)}`]);
  });
  it('explains what is wrong', () => {
    expectProblems(validateClusterIdentifier, {
      '': 'the cluster identifier is empty',
      [`a${'b'.repeat(63)}`]: `"a${'b'.repeat(63)}" is too long for a cluster identifier (at most 63 characters)`,
      dwhCluster: '"dwhCluster" is not a valid cluster identifier: use only lowercase letters, digits and hyphens',
      dwh_cluster: '"dwh_cluster" is not a valid cluster identifier: use only lowercase letters, digits and hyphens',
      '1dwh': '"1dwh" is not a valid cluster identifier: it must start with a letter',
      '-dwh': '"-dwh" is not a valid cluster identifier: it must start with a letter',
      'dwh--x': '"dwh--x" is not a valid cluster identifier: it must not contain two hyphens in a row',
      'dwh-': '"dwh-" is not a valid cluster identifier: it must not end with a hyphen',
    });
  });
});

describe('validateRedshiftPassword', () => {
  it('accepts passwords Redshift accepts', () => {
    expectValid(validateRedshiftPassword, ['Passw0rd', 'aB3!#$%&()*+,-.:;<=>?[]^_`{|}~', `Aa1${'x'.repeat(61)}`]);
  });
  it('explains what is wrong without repeating the password', () => {
    const cases: Record<string, string> = {
      Sh0rt: 'the password must be 8–64 characters long',
      [`Aa1${'x'.repeat(62)}`]: 'the password must be 8–64 characters long',
      'Pass w0rd': `the password may only use printable ASCII characters other than ' " \\ / @ and space`,
      "Pass'w0rd": `the password may only use printable ASCII characters other than ' " \\ / @ and space`,
      'Pass"w0rd': `the password may only use printable ASCII characters other than ' " \\ / @ and space`,
      'Pass\\w0rd': `the password may only use printable ASCII characters other than ' " \\ / @ and space`,
      'Pass/w0rd': `the password may only use printable ASCII characters other than ' " \\ / @ and space`,
      'Pass@w0rd': `the password may only use printable ASCII characters other than ' " \\ / @ and space`,
      Pässw0rdX: `the password may only use printable ASCII characters other than ' " \\ / @ and space`,
      'Pass\tw0rd': `the password may only use printable ASCII characters other than ' " \\ / @ and space`,
      passw0rd: 'the password needs at least one uppercase letter',
      PASSW0RD: 'the password needs at least one lowercase letter',
      Password: 'the password needs at least one digit',
    };
    expectProblems(validateRedshiftPassword, cases);
    for (const [password, problem] of Object.entries(cases)) expect(problem).not.toContain(password);
  });
});

describe('validateDatabaseName and validateUserName', () => {
  it('accepts plain lowercase identifiers', () => {
    expectValid(validateDatabaseName, ['dwh', 'dev', '_staging', 'sparkify_2024', 'a$b']);
    expectValid(validateUserName, ['dwhuser', 'loader_1', 'u']);
  });
  it('explains what is wrong with a database name', () => {
    expectProblems(validateDatabaseName, {
      '': 'the database name is empty',
      DWH: `"DWH" ${BAD_DB_NAME}`,
      '1dwh': `"1dwh" ${BAD_DB_NAME}`,
      'my-db': `"my-db" ${BAD_DB_NAME}`,
      table: '"table" is a reserved word in Redshift; choose another database name',
      [`d${'b'.repeat(64)}`]: `"d${'b'.repeat(64)}" is too long for a database name (at most 64 characters)`,
    });
  });
  it('explains what is wrong with a user name', () => {
    expectProblems(validateUserName, {
      '': 'the user name is empty',
      public: '"public" is a reserved word in Redshift; choose another user name',
      user: '"user" is a reserved word in Redshift; choose another user name',
      'dwh user': '"dwh user" is not a valid user name: use lowercase letters, digits and "_", starting with a letter',
      _admin: '"_admin" is not a valid user name: use lowercase letters, digits and "_", starting with a letter',
      DwhUser: '"DwhUser" is not a valid user name: use lowercase letters, digits and "_", starting with a letter',
      [`u${'x'.repeat(128)}`]: `"u${'x'.repeat(128)}" is too long for a user name (at most 128 characters)`,
    });
  });
});

describe('ports', () => {
  it('accepts Redshift ports 1150–65535 and any port 1–65535', () => {
    expectValid(validateRedshiftPort, ['5439', '1150', '65535']);
    expectValid(validatePort, ['1', '5432', '65535']);
  });
  it('rejects the rest', () => {
    expectProblems(validateRedshiftPort, {
      abc: '"abc" is not a port number (1150–65535)',
      '1149': '"1149" is not a port number (1150–65535)',
      '65536': '"65536" is not a port number (1150–65535)',
      '5439.5': '"5439.5" is not a port number (1150–65535)',
      '-5439': '"-5439" is not a port number (1150–65535)',
      '': '"" is not a port number (1150–65535)',
    });
    expectProblems(validatePort, {
      '0': '"0" is not a port number (1–65535)',
      '1e3': '"1e3" is not a port number (1–65535)',
    });
  });
});

describe('cluster shape', () => {
  it('checks node count, cluster type and node type', () => {
    expectValid(validateNodeCount, ['1', '4', '128']);
    expectProblems(validateNodeCount, {
      '0': '"0" is not a node count (1–128)',
      '129': '"129" is not a node count (1–128)',
      four: '"four" is not a node count (1–128)',
      '2.0': '"2.0" is not a node count (1–128)',
    });
    expectValid(validateClusterType, ['single-node', 'multi-node']);
    expectProblems(validateClusterType, {
      multinode: '"multinode" is not a cluster type; use single-node or multi-node',
    });
    expectValid(validateNodeType, [
      'dc2.large',
      'dc2.8xlarge',
      'ra3.large',
      'ra3.xlplus',
      'ra3.4xlarge',
      'ra3.16xlarge',
      'rg.large',
      'rg.xlarge',
      'rg.4xlarge',
      'rg.12xlarge',
    ]);
    expectProblems(validateNodeType, {
      'dc1.large':
        '"dc1.large" is not a Redshift node type; ' +
        'use one of dc2.large, dc2.8xlarge, ra3.large, ra3.xlplus, ra3.4xlarge, ra3.16xlarge, ' +
        'rg.large, rg.xlarge, rg.4xlarge, rg.12xlarge',
    });
  });
  it('requires 1 node for single-node and 2 or more for multi-node', () => {
    expect(validateClusterShape('single-node', 1)).toBe(true);
    expect(validateClusterShape('multi-node', 2)).toBe(true);
    expect(validateClusterShape('single-node', 4)).toBe(
      'a single-node cluster has exactly 1 node, not 4; set DWH_NUM_NODES = 1 or DWH_CLUSTER_TYPE = multi-node',
    );
    expect(validateClusterShape('multi-node', 1)).toBe(
      'a multi-node cluster needs at least 2 nodes; set DWH_NUM_NODES = 2 or more, or DWH_CLUSTER_TYPE = single-node',
    );
  });
});

describe('AWS names', () => {
  it('validates regions', () => {
    expectValid(validateRegion, [
      'us-west-2',
      'eu-central-1',
      'ap-southeast-1',
      'us-gov-west-1',
      'cn-north-1',
      'il-central-1',
    ]);
    expectProblems(validateRegion, {
      'us-west': '"us-west" is not an AWS region (like us-west-2)',
      'US-WEST-2': '"US-WEST-2" is not an AWS region (like us-west-2)',
      'us-west-2a': '"us-west-2a" is not an AWS region (like us-west-2)',
    });
  });
  it('validates IAM role names', () => {
    expectValid(validateIamRoleName, ['dwhRole', 'my.role+x=y,z@w_1-2', 'r'.repeat(64)]);
    expectProblems(validateIamRoleName, {
      'dwh role': '"dwh role" is not a valid IAM role name: use 1–64 letters, digits and + = , . @ _ -',
      '': '"" is not a valid IAM role name: use 1–64 letters, digits and + = , . @ _ -',
      ['r'.repeat(65)]: `"${'r'.repeat(65)}" is not a valid IAM role name: use 1–64 letters, digits and + = , . @ _ -`,
    });
  });
  it('validates IAM role ARNs in every partition', () => {
    expectValid(validateIamRoleArn, [
      'arn:aws:iam::123456789012:role/dwhRole',
      'arn:aws-cn:iam::123456789012:role/dwhRole',
      'arn:aws-us-gov:iam::123456789012:role/dwhRole',
      'arn:aws:iam::123456789012:role/service-role/dwhRole',
    ]);
    const problem = (value: string) =>
      `"${value}" is not an IAM role ARN (like arn:aws:iam::123456789012:role/dwhRole)`;
    for (const bad of [
      'arn:aws:iam::12345678901:role/dwhRole',
      'arn:aws:iam::123456789012:user/dwhRole',
      'arn:aws-eu:iam::123456789012:role/dwhRole',
      'arn:aws:iam::123456789012:role/',
      'dwhRole',
    ]) {
      expect(validateIamRoleArn(bad)).toBe(problem(bad));
    }
  });
  it('takes a dry run\'s planned role ARN, account "(known after apply)", only where a plan is shown', () => {
    const planned = 'arn:aws:iam::(known after apply):role/dwhRole';
    expect(validatePlannedIamRoleArn(planned)).toBe(true);
    expect(validatePlannedIamRoleArn('arn:aws:iam::123456789012:role/dwhRole')).toBe(true);
    // Typed into dwh.cfg it is no ARN; nor is anything else around the placeholder.
    expect(validateIamRoleArn(planned)).not.toBe(true);
    expect(validatePlannedIamRoleArn("arn:aws:iam::(known after apply):role/x' OR '1")).not.toBe(true);
    expect(validatePlannedIamRoleArn('(known after apply)')).not.toBe(true);
  });
  it('validates access keys without showing them', () => {
    expectValid(validateAccessKeyId, ['AKIAIOSFODNN7EXAMPLE']);
    expectValid(validateSecretAccessKey, ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']);
    expect(validateAccessKeyId('akia not a key')).toBe(
      'the value is not an AWS access key ID (upper-case letters and digits, like AKIAIOSFODNN7EXAMPLE)',
    );
    expect(validateSecretAccessKey('has a space in it ok')).toBe(
      'the value is not an AWS secret access key (40 characters: letters, digits, "/" and "+")',
    );
  });
});

describe('locations', () => {
  it('validates S3 URLs and their bucket names', () => {
    expectValid(validateS3Url, [
      's3://udacity-dend/log_data',
      's3://udacity-dend',
      's3://my.bucket-1/a/b/',
      's3://abc/log_json_path.json',
    ]);
    expectProblems(validateS3Url, {
      'udacity-dend/log_data': '"udacity-dend/log_data" is not an S3 URL (like s3://bucket/prefix)',
      'https://udacity-dend.s3.amazonaws.com/x':
        '"https://udacity-dend.s3.amazonaws.com/x" is not an S3 URL (like s3://bucket/prefix)',
      's3:///x': '"s3:///x" is not an S3 URL (like s3://bucket/prefix)',
      's3://Udacity_Dend/x':
        '"s3://Udacity_Dend/x" names an invalid bucket "Udacity_Dend": use 3–63 lowercase letters, digits, dots and ' +
        'hyphens, starting and ending with a letter or digit',
      's3://ab/x':
        '"s3://ab/x" names an invalid bucket "ab": use 3–63 lowercase letters, digits, dots and hyphens, starting and ' +
        'ending with a letter or digit',
      's3://a..b/x':
        '"s3://a..b/x" names an invalid bucket "a..b": use 3–63 lowercase letters, digits, dots and hyphens, starting ' +
        'and ending with a letter or digit',
      's3://192.168.1.1/x':
        '"s3://192.168.1.1/x" names an invalid bucket "192.168.1.1": use 3–63 lowercase letters, digits, dots and ' +
        'hyphens, starting and ending with a letter or digit',
    });
  });

  it('refuses whitespace and control characters in an S3 key, which COPY cannot take', () => {
    expectProblems(validateS3Url, {
      's3://bucket/log data':
        '"s3://bucket/log data" has a space or control character in its key; rename the objects or use a prefix ' +
        'without one',
      's3://bucket/log\ndata':
        '"s3://bucket/log\\ndata" has a space or control character in its key; rename the objects or use a prefix ' +
        'without one',
      's3://bucket/log\u007f':
        '"s3://bucket/log\u007f" has a space or control character in its key; rename the objects or use a prefix ' +
        'without one',
    });
  });

  it('validates S3 URLs that must name a file', () => {
    expectValid(validateS3ObjectUrl, ['s3://udacity-dend/log_json_path.json', 's3://abc/a/b.json']);
    expectProblems(validateS3ObjectUrl, {
      's3://udacity-dend': '"s3://udacity-dend" does not name a file (like s3://bucket/path/file.json)',
      's3://udacity-dend/': '"s3://udacity-dend/" does not name a file (like s3://bucket/path/file.json)',
      's3://udacity-dend/paths/': '"s3://udacity-dend/paths/" does not name a file (like s3://bucket/path/file.json)',
      'udacity-dend/x.json': '"udacity-dend/x.json" is not an S3 URL (like s3://bucket/prefix)',
    });
  });

  it('validates IPv4 CIDR blocks', () => {
    expectValid(validateCidr, ['203.0.113.7/32', '0.0.0.0/0', '10.0.0.0/8', '255.255.255.255/32']);
    for (const bad of [
      '203.0.113.7',
      '203.0.113.7/33',
      '256.0.0.1/32',
      '01.2.3.4/32',
      '1.2.3/24',
      '1.2.3.4/08',
      '::1/128',
      '1.2.3.4/',
    ]) {
      expect(validateCidr(bad), bad).toBe(`"${bad}" is not an IPv4 CIDR block (like 203.0.113.7/32)`);
    }
  });

  it('validates PostgreSQL URLs without showing them', () => {
    expectValid(validatePostgresUrl, [
      'postgres://localhost/sparkify',
      'postgresql://u:p%40ss@db.example.com:5433/dwh?sslmode=require',
      'postgres:///sparkify',
    ]);
    const problem = 'the value is not a PostgreSQL URL (like postgres://user:password@localhost:5432/sparkify)';
    for (const bad of ['mysql://u:Secr3tPw@h/db', 'localhost:5432', '', 'postgres//x'])
      expect(validatePostgresUrl(bad), bad).toBe(problem);
  });

  it('validates cluster host names, with a hint for pasted endpoints', () => {
    expectValid(validateHost, ['dwhcluster.abc123xyz.us-west-2.redshift.amazonaws.com', 'localhost', '10.0.0.5']);
    expectProblems(validateHost, {
      '': 'the host name is empty',
      'dwhcluster.abc.us-west-2.redshift.amazonaws.com:5439/dwh':
        '"dwhcluster.abc.us-west-2.redshift.amazonaws.com:5439/dwh" includes a port or database; ' +
        'HOST is the host name only (the port goes in DB_PORT)',
      'jdbc:redshift://h:5439/dwh':
        '"jdbc:redshift://h:5439/dwh" is a URL; HOST is the host name only (like ' +
        'dwhcluster.abc123xyz.us-west-2.redshift.amazonaws.com)',
      'my host': '"my host" is not a host name',
      '-bad.example.com': '"-bad.example.com" is not a host name',
    });
  });

  it('validates the target', () => {
    expectValid(validateTarget, ['embedded', 'postgres', 'redshift', 'redshift-serverless']);
    expectProblems(validateTarget, {
      mysql: '"mysql" is not a target; use embedded, postgres, redshift or redshift-serverless',
      Embedded: '"Embedded" is not a target; use embedded, postgres, redshift or redshift-serverless',
    });
  });
});

describe('Redshift access and Serverless capacity', () => {
  it('validates DWH_ACCESS', () => {
    expectValid(validateAccess, ['private', 'public']);
    expectProblems(validateAccess, {
      Private: '"Private" is not an access mode; use private or public',
      vpn: '"vpn" is not an access mode; use private or public',
    });
  });

  it('accepts exactly the base capacities AWS documents: 4, 8–512 by 8, 512–1024 by 32', () => {
    const allowed = [4, ...Array.from({ length: 64 }, (_, i) => 8 * (i + 1)), 544, 576, 992, 1024];
    expectValid(validateBaseRpu, allowed.map(String));
    for (let rpu = 0; rpu <= 1100; rpu += 1) {
      expect(isServerlessBaseCapacity(rpu), String(rpu)).toBe(
        rpu === 4 || (rpu >= 8 && rpu <= 512 && rpu % 8 === 0) || (rpu > 512 && rpu <= 1024 && rpu % 32 === 0),
      );
    }
    const problem = (value: string): string =>
      `"${value}" is not a Serverless base capacity: use 4, a multiple of 8 from 8 to 512, or a multiple of 32 from ` +
      `512 to 1024`;
    expectProblems(
      validateBaseRpu,
      Object.fromEntries(['0', '6', '12', '520', '1056', '8.0', '-8', ' 8', 'eight'].map((bad) => [bad, problem(bad)])),
    );
  });

  it('validates AWS profile names, refusing only what a profile file cannot hold', () => {
    expectValid(validateProfileName, ['default', 'dev', 'sso-admin@123456789012', 'my profile']);
    for (const bad of ['', ' dev', 'a]b', '[dev', 'a\tb']) {
      expect(validateProfileName(bad), bad).toBe(
        `${JSON.stringify(bad)} is not an AWS profile name (like default or dev)`,
      );
    }
  });
});
