/**
 * Validators for the values in dwh.cfg, shared with the prompts that ask for them: each returns
 * `true`, or a one-line problem (the shape @inquirer/prompts' `validate` expects). Messages about
 * secrets (passwords, keys, PostgreSQL URLs) say "the value"/"the password" and never repeat it.
 *
 * Validators do not trim: callers pass the value as it will be used.
 */
import { DWH_ACCESS_MODES, TARGETS } from './types.js';

export type Validation = true | string;

/**
 * Node types dwh.cfg may name: what CreateCluster accepts today (RA3, RG) and DC2, which AWS no
 * longer creates but whose clusters still run (status and teardown must keep working for them).
 * Whether a NEW cluster may use the type is src/aws/limits.ts's question, asked by `cluster create`.
 */
export const NODE_TYPES = [
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
] as const;
export const CLUSTER_TYPES = ['single-node', 'multi-node'] as const;

export const REDSHIFT_PORT_MIN = 1150;
export const PORT_MAX = 65535;
export const MAX_NODES = 128;

/** Amazon Redshift reserved words (Database Developer Guide, "Reserved words"), lower-case. */
const REDSHIFT_RESERVED_WORDS = new Set(
  `aes128 aes256 all allowoverwrite analyse analyze and any array as asc authorization az64 backup between
   binary blanksasnull both bytedict bzip2 case cast check collate column constraint create credentials cross
   current_date current_time current_timestamp current_user current_user_id default deferrable deflate defrag
   delta delta32k desc disable distinct do else emptyasnull enable encode encrypt encryption end except
   explicit false for foreign freeze from full globaldict256 globaldict64k grant group gzip having identity
   ignore ilike in initially inner intersect interval into is isnull join leading left like limit localtime
   localtimestamp lun luns lzo lzop minus mostly16 mostly32 mostly8 natural new not notnull null nulls off
   offline offset oid old on only open or order outer overlaps parallel partition percent permissions pivot
   placing primary raw readratio recover references rejectlog resort respect restore right select
   session_user similar snapshot some sysdate system table tag tdes text255 text32k then timestamp to top
   trailing true truncatecolumns union unique unnest unpivot user using verbose wallet when where with without`
    .split(/\s+/)
    .filter(Boolean),
);

const show = (value: string): string => JSON.stringify(value);

export function isRedshiftReservedWord(word: string): boolean {
  return REDSHIFT_RESERVED_WORDS.has(word.toLowerCase());
}

/** CreateCluster's ClusterIdentifier: 1–63 lowercase letters, digits, hyphens; a letter first; no "--"; no "-" last. */
export function validateClusterIdentifier(value: string): Validation {
  if (value === '') return 'the cluster identifier is empty';
  if (value.length > 63) return `${show(value)} is too long for a cluster identifier (at most 63 characters)`;
  const invalid = `${show(value)} is not a valid cluster identifier`;
  if (!/^[a-z0-9-]+$/.test(value)) return `${invalid}: use only lowercase letters, digits and hyphens`;
  if (!/^[a-z]/.test(value)) return `${invalid}: it must start with a letter`;
  if (value.includes('--')) return `${invalid}: it must not contain two hyphens in a row`;
  if (value.endsWith('-')) return `${invalid}: it must not end with a hyphen`;
  return true;
}

/**
 * CreateCluster's MasterUserPassword: 8–64 characters with an upper-case letter, a lower-case
 * letter and a digit; printable ASCII except ' " \ / @ and space. Never echoes the password.
 */
export function validateRedshiftPassword(value: string): Validation {
  if (value.length < 8 || value.length > 64) return 'the password must be 8–64 characters long';
  if (!/^[\x21-\x7e]+$/.test(value) || /['"\\/@]/.test(value)) {
    return `the password may only use printable ASCII characters other than ' " \\ / @ and space`;
  }
  if (!/[A-Z]/.test(value)) return 'the password needs at least one uppercase letter';
  if (!/[a-z]/.test(value)) return 'the password needs at least one lowercase letter';
  if (!/[0-9]/.test(value)) return 'the password needs at least one digit';
  return true;
}

/** CreateCluster's DBName, as a plain Redshift identifier: 1–64 lowercase characters, not a reserved word. */
export function validateDatabaseName(value: string): Validation {
  if (value === '') return 'the database name is empty';
  if (value.length > 64) return `${show(value)} is too long for a database name (at most 64 characters)`;
  if (!/^[a-z_][a-z0-9_$]*$/.test(value)) {
    return (
      `${show(value)} is not a valid database name: ` +
      'use lowercase letters, digits, "_" and "$", starting with a letter or "_"'
    );
  }
  if (isRedshiftReservedWord(value))
    return `${show(value)} is a reserved word in Redshift; choose another database name`;
  return true;
}

/** CreateCluster's MasterUsername, kept to plain identifiers so it never needs quoting in SQL. */
export function validateUserName(value: string): Validation {
  if (value === '') return 'the user name is empty';
  if (value.length > 128) return `${show(value)} is too long for a user name (at most 128 characters)`;
  if (!/^[a-z][a-z0-9_]*$/.test(value)) {
    return `${show(value)} is not a valid user name: use lowercase letters, digits and "_", starting with a letter`;
  }
  if (value === 'public' || isRedshiftReservedWord(value))
    return `${show(value)} is a reserved word in Redshift; choose another user name`;
  return true;
}

function validatePortIn(value: string, min: number): Validation {
  const number = /^[0-9]{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min && number <= PORT_MAX)) return `${show(value)} is not a port number (${min}–${PORT_MAX})`;
  return true;
}

/** Any TCP port: 1–65535. */
export function validatePort(value: string): Validation {
  return validatePortIn(value, 1);
}

/** A Redshift cluster port: 1150–65535. */
export function validateRedshiftPort(value: string): Validation {
  return validatePortIn(value, REDSHIFT_PORT_MIN);
}

/** DWH_NUM_NODES: 1–128. */
export function validateNodeCount(value: string): Validation {
  const number = /^[0-9]{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= 1 && number <= MAX_NODES)) return `${show(value)} is not a node count (1–${MAX_NODES})`;
  return true;
}

/** DWH_CLUSTER_TYPE: single-node or multi-node. */
export function validateClusterType(value: string): Validation {
  if ((CLUSTER_TYPES as readonly string[]).includes(value)) return true;
  return `${show(value)} is not a cluster type; use single-node or multi-node`;
}

/** A single-node cluster has exactly one node; a multi-node cluster has two or more. */
export function validateClusterShape(clusterType: 'single-node' | 'multi-node', numNodes: number): Validation {
  if (clusterType === 'single-node' && numNodes !== 1) {
    return (
      `a single-node cluster has exactly 1 node, not ${numNodes}; ` +
      'set DWH_NUM_NODES = 1 or DWH_CLUSTER_TYPE = multi-node'
    );
  }
  if (clusterType === 'multi-node' && numNodes < 2) {
    return (
      'a multi-node cluster needs at least 2 nodes; ' +
      'set DWH_NUM_NODES = 2 or more, or DWH_CLUSTER_TYPE = single-node'
    );
  }
  return true;
}

export function validateNodeType(value: string): Validation {
  if ((NODE_TYPES as readonly string[]).includes(value)) return true;
  return `${show(value)} is not a Redshift node type; use one of ${NODE_TYPES.join(', ')}`;
}

/** An AWS region code such as us-west-2, eu-central-1, us-gov-west-1, cn-north-1. */
export function validateRegion(value: string): Validation {
  if (/^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/.test(value)) return true;
  return `${show(value)} is not an AWS region (like us-west-2)`;
}

const IAM_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;

export function validateIamRoleName(value: string): Validation {
  if (IAM_NAME.test(value)) return true;
  return `${show(value)} is not a valid IAM role name: use 1–64 letters, digits and + = , . @ _ -`;
}

/** arn:aws:iam::123456789012:role/name (optionally with a path), in the aws, aws-cn or aws-us-gov partition. */
export function validateIamRoleArn(value: string): Validation {
  const match = /^arn:aws(?:-cn|-us-gov)?:iam::[0-9]{12}:role\/((?:[A-Za-z0-9+=,.@_-]+\/)*)([^/]+)$/.exec(value);
  if (match && IAM_NAME.test(match[2]!)) return true;
  return `${show(value)} is not an IAM role ARN (like arn:aws:iam::123456789012:role/dwhRole)`;
}

/**
 * What a dry run's plan cannot know until the real run has made it, as Terraform prints it: the
 * account id when there are no credentials to ask AWS with, a new role's id (docs/commands.md).
 */
export const KNOWN_AFTER_APPLY = '(known after apply)';

/**
 * An IAM role ARN, or the one a dry run planned for a role it would create while the account is
 * not known: arn:aws:iam::(known after apply):role/name. Never for what a user typed (dwh.cfg reads
 * the ARN with validateIamRoleArn); for the SQL a plan shows with it.
 */
export function validatePlannedIamRoleArn(value: string): Validation {
  const planned = `::${KNOWN_AFTER_APPLY}:`;
  if (value.includes(planned) && validateIamRoleArn(value.replace(planned, '::000000000000:')) === true) return true;
  return validateIamRoleArn(value);
}

/**
 * s3://bucket or s3://bucket/prefix, with a bucket name S3 accepts. The key may hold almost
 * anything S3 allows, except whitespace and control characters: the URL is spliced into a COPY
 * statement and shown in messages, where those cannot be written or seen reliably.
 */
export function validateS3Url(value: string): Validation {
  const match = /^s3:\/\/([^/]+)(\/.*)?$/s.exec(value);
  if (!match) return `${show(value)} is not an S3 URL (like s3://bucket/prefix)`;
  const bucket = match[1]!;
  const validBucket =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) &&
    !bucket.includes('..') &&
    !/^[0-9]+(\.[0-9]+){3}$/.test(bucket);
  if (!validBucket) {
    return (
      `${show(value)} names an invalid bucket ${show(bucket)}: ` +
      'use 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit'
    );
  }
  if (/[\s\p{Cc}]/u.test(match[2] ?? '')) {
    return `${show(value)} has a space or control character in its key; rename the objects or use a prefix without one`;
  }
  return true;
}

/** An S3 URL that names one object (the JSONPaths file), not a bucket or a folder. */
export function validateS3ObjectUrl(value: string): Validation {
  const url = validateS3Url(value);
  if (url !== true) return url;
  const key = /^s3:\/\/[^/]+(\/.*)?$/s.exec(value)?.[1] ?? '';
  if (key.length <= 1 || key.endsWith('/'))
    return `${show(value)} does not name a file (like s3://bucket/path/file.json)`;
  return true;
}

/** An IPv4 CIDR block, /0–/32, such as 203.0.113.7/32. */
export function validateCidr(value: string): Validation {
  const match = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\/([0-9]{1,2})$/.exec(value);
  const octetsValid = match
    ?.slice(1, 5)
    .every((octet) => Number(octet) <= 255 && (octet === '0' || !octet.startsWith('0')));
  const prefix = match ? Number(match[5]) : Number.NaN;
  if (match && octetsValid && prefix <= 32 && (match[5] === '0' || !match[5]!.startsWith('0'))) return true;
  return `${show(value)} is not an IPv4 CIDR block (like 203.0.113.7/32)`;
}

/** postgres://… or postgresql://…; the value may hold a password, so it is never shown. */
export function validatePostgresUrl(value: string): Validation {
  const problem = 'the value is not a PostgreSQL URL (like postgres://user:password@localhost:5432/sparkify)';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problem;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return problem;
  // The URL parser keeps a malformed escape as it is; decoding user, password, host or database
  // later would fail with a bare "URI malformed". configparser's %(name)s is the common cause.
  if (value.includes('%(')) {
    return (
      "the value uses %(name)s, configparser's interpolation, which sparkify-dwh does not expand; " +
      'write the value out in full'
    );
  }
  for (const part of [url.username, url.password, url.hostname, url.pathname]) {
    try {
      decodeURIComponent(part);
    } catch {
      return 'the value has a "%" that is not followed by two hex digits; write a literal % as %25';
    }
  }
  return true;
}

export function validateTarget(value: string): Validation {
  if ((TARGETS as readonly string[]).includes(value)) return true;
  return `${show(value)} is not a target; use ${TARGETS.slice(0, -1).join(', ')} or ${TARGETS.at(-1)}`;
}

/** DWH_ACCESS: private (Data API, nothing opened) or public (pg over TLS from DWH_ALLOWED_CIDR). */
export function validateAccess(value: string): Validation {
  if ((DWH_ACCESS_MODES as readonly string[]).includes(value)) return true;
  return `${show(value)} is not an access mode; use private or public`;
}

/**
 * DWH_BASE_RPU, the base capacity of a Redshift Serverless workgroup: 4, a multiple of 8 from 8 to
 * 512, or a multiple of 32 from 512 to 1024. Above 512 is offered in a few regions only; AWS
 * refuses it elsewhere, with its own message. Sources:
 * https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-capacity.html (base capacity: 8–512
 * in units of 8, and the expanded 1024 maximum in steps of 32) and
 * https://aws.amazon.com/blogs/big-data/amazon-redshift-serverless-at-4-rpus-high-value-analytics-at-low-cost/
 * (the 4 RPU configuration).
 */
export function isServerlessBaseCapacity(rpu: number): boolean {
  if (!Number.isInteger(rpu)) return false;
  return rpu === 4 || (rpu >= 8 && rpu <= 512 && rpu % 8 === 0) || (rpu > 512 && rpu <= 1024 && rpu % 32 === 0);
}

/**
 * [DWH] DWH_PAUSE_AFTER_HOURS: whole hours from 1 to a week, or 0 for no automatic pause (a
 * scheduled action runs at most once an hour:
 * docs.aws.amazon.com/redshift/latest/APIReference/API_ScheduledAction.html).
 */
export function validatePauseAfterHours(value: string): Validation {
  if (/^[0-9]{1,3}$/.test(value) && Number(value) <= 168) return true;
  return `${show(value)} is not a number of hours: use 1 to 168 (a week), or 0 for no automatic pause`;
}

export function validateBaseRpu(value: string): Validation {
  if (/^[0-9]{1,4}$/.test(value) && isServerlessBaseCapacity(Number(value))) return true;
  return (
    `${show(value)} is not a Serverless base capacity: ` +
    'use 4, a multiple of 8 from 8 to 512, or a multiple of 32 from 512 to 1024'
  );
}

/**
 * [AWS] PROFILE: a profile name from ~/.aws/config or ~/.aws/credentials. Those files allow almost
 * any name; only what cannot appear in their [section] headers is refused.
 */
export function validateProfileName(value: string): Validation {
  if (value !== '' && !/[[\]\p{Cc}]/u.test(value) && value === value.trim()) return true;
  return `${show(value)} is not an AWS profile name (like default or dev)`;
}

/**
 * [CLUSTER] HOST: a host name only. The console shows the endpoint as host:port/db, which people
 * paste whole, so that gets its own message.
 */
export function validateHost(value: string): Validation {
  if (value === '') return 'the host name is empty';
  if (value.includes('://'))
    return (
      `${show(value)} is a URL; HOST is the host name only ` +
      '(like dwhcluster.abc123xyz.us-west-2.redshift.amazonaws.com)'
    );
  if (/[:/]/.test(value))
    return `${show(value)} includes a port or database; HOST is the host name only (the port goes in DB_PORT)`;
  if (
    !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(value) ||
    value.length > 253
  ) {
    return `${show(value)} is not a host name`;
  }
  return true;
}

/** [AWS] KEY: an access key ID (AKIA… or ASIA…). Not shown in the message: it identifies the account's key. */
export function validateAccessKeyId(value: string): Validation {
  if (/^[A-Z0-9]{16,128}$/.test(value)) return true;
  return 'the value is not an AWS access key ID (upper-case letters and digits, like AKIAIOSFODNN7EXAMPLE)';
}

/** [AWS] SECRET: a secret access key (40 characters of base64). Never shown. */
export function validateSecretAccessKey(value: string): Validation {
  if (/^[A-Za-z0-9/+=]{16,128}$/.test(value)) return true;
  return 'the value is not an AWS secret access key (40 characters: letters, digits, "/" and "+")';
}
