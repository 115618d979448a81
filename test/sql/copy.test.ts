/** Redshift COPY statements: exact text, and every spliced value validated and quoted. */
import { describe, expect, test } from 'vitest';
import { validateIamRoleArn, validateRegion, validateS3Url } from '../../src/config/validate.js';
import { copyEventsFromS3Sql, copySongsFromS3Sql } from '../../src/sql/copy.js';
import { quoteIdent, quoteLiteral } from '../../src/sql/identifiers.js';

const EVENTS = {
  s3Url: 's3://udacity-dend/log_data',
  jsonPathsUrl: 's3://udacity-dend/log_json_path.json',
  iamRoleArn: 'arn:aws:iam::123456789012:role/dwhRole',
  region: 'us-west-2',
};
const SONGS = { s3Url: 's3://udacity-dend/song_data', iamRoleArn: EVENTS.iamRoleArn, region: 'us-west-2' };

// Written out rather than taken from tables.ts, so a change to the column order shows up here.
const EVENT_COLUMNS =
  'artist, auth, first_name, gender, item_in_session, last_name, length, level, location, method, page, ' +
  'registration, session_id, song, status, ts, user_agent, user_id';
const SONG_COLUMNS =
  'num_songs, artist_id, artist_latitude, artist_longitude, artist_location, artist_name, ' +
  'song_id, title, duration, year';

describe('COPY text', () => {
  test('events: JSONPaths maps the camelCase keys onto the 18 staging columns', () => {
    expect(copyEventsFromS3Sql(EVENTS)).toBe(
      `COPY staging_events (${EVENT_COLUMNS})
FROM 's3://udacity-dend/log_data'
IAM_ROLE 'arn:aws:iam::123456789012:role/dwhRole'
FORMAT AS JSON 's3://udacity-dend/log_json_path.json'
REGION 'us-west-2'
COMPUPDATE OFF
STATUPDATE ON`,
    );
  });

  test("songs: JSON 'auto' (the keys are the column names)", () => {
    expect(copySongsFromS3Sql(SONGS)).toBe(
      `COPY staging_songs (${SONG_COLUMNS})
FROM 's3://udacity-dend/song_data'
IAM_ROLE 'arn:aws:iam::123456789012:role/dwhRole'
FORMAT AS JSON 'auto'
REGION 'us-west-2'
COMPUPDATE OFF
STATUPDATE ON`,
    );
  });

  test('no option that would silently change or drop data', () => {
    for (const sql of [copyEventsFromS3Sql(EVENTS), copySongsFromS3Sql(SONGS)]) {
      expect(sql).not.toMatch(/TRUNCATECOLUMNS|EMPTYASNULL|BLANKSASNULL|MAXERROR|ACCEPTINVCHARS|TIMEFORMAT/);
    }
  });

  test('other partitions, regions and role paths are accepted', () => {
    const sql = copySongsFromS3Sql({
      s3Url: 's3://my.bucket-1/a/b/',
      iamRoleArn: 'arn:aws-us-gov:iam::000000000000:role/service-role/dwh+Role=x,y.z@w_1',
      region: 'us-gov-west-1',
    });
    expect(sql).toContain("FROM 's3://my.bucket-1/a/b/'");
    expect(sql).toContain("IAM_ROLE 'arn:aws-us-gov:iam::000000000000:role/service-role/dwh+Role=x,y.z@w_1'");
    expect(sql).toContain("REGION 'us-gov-west-1'");
  });

  test('a single quote in an S3 key is escaped by doubling, so it cannot end the literal', () => {
    const sql = copySongsFromS3Sql({ ...SONGS, s3Url: "s3://bucket/it's'IAM_ROLE'x" });
    expect(sql).toContain("FROM 's3://bucket/it''s''IAM_ROLE''x'\n");
  });
});

describe('validation names the kind of value that is wrong', () => {
  test.each([
    ['https://udacity-dend.s3.amazonaws.com/log_data', 'the S3 URL for the event logs: "https://'],
    ['s3://', 'the S3 URL for the event logs: "s3://" is not an S3 URL'],
    ['s3://UpperCase/log_data', 'the S3 URL for the event logs: "s3://UpperCase/log_data" names an invalid bucket'],
    ["s3://bu'cket/log_data", 'the S3 URL for the event logs: "s3://bu\'cket/log_data" names an invalid bucket'],
    ['s3://bucket/log data', 'the S3 URL for the event logs: "s3://bucket/log data" has a space or control character'],
    ['s3://bucket/log\ndata', 'the S3 URL for the event logs: "s3://bucket/log\\ndata" has a space or control'],
    ['s3://bucket/log\\data', 'backslash'],
    [' s3://bucket/log_data', 'the S3 URL for the event logs: " s3://bucket/log_data" is not an S3 URL'],
  ])('event log URL %j', (s3Url, message) => {
    expect(() => copyEventsFromS3Sql({ ...EVENTS, s3Url })).toThrow(message);
  });

  test.each([
    ['s3://udacity-dend'],
    ['s3://udacity-dend/'],
    ['s3://udacity-dend/paths/'],
    ['udacity-dend/log_json_path.json'],
  ])('JSONPaths URL %j must name a file', (jsonPathsUrl) => {
    expect(() => copyEventsFromS3Sql({ ...EVENTS, jsonPathsUrl })).toThrow('the S3 URL for the JSONPaths file: ');
  });

  test.each([
    ['dwhRole'],
    ['arn:aws:iam::12345:role/dwhRole'],
    ['arn:aws:iam::123456789012:user/dwhRole'],
    ["arn:aws:iam::123456789012:role/dwh'Role"],
    ["arn:aws:iam::123456789012:role/dwhRole' CREDENTIALS 'x"],
    ['arn:aws:iam::123456789012:role/'],
  ])('role ARN %j', (iamRoleArn) => {
    expect(() => copySongsFromS3Sql({ ...SONGS, iamRoleArn })).toThrow(
      `the IAM role: ${JSON.stringify(iamRoleArn)} is not an IAM role ARN`,
    );
  });

  test.each([['US-WEST-2'], ['uswest2'], ["us-west-2'"], ['us-west-'], ['']])('region %j', (region) => {
    expect(() => copySongsFromS3Sql({ ...SONGS, region })).toThrow(
      `the bucket's region: ${JSON.stringify(region)} is not an AWS region`,
    );
  });

  test('the error message shows the value, so the user can find it in dwh.cfg', () => {
    expect(() => copySongsFromS3Sql({ ...SONGS, region: 'mars-1' })).toThrow(
      `the bucket's region: "mars-1" is not an AWS region (like us-west-2)`,
    );
  });

  // One validator per kind of value: what reads fine from dwh.cfg renders, and what dwh.cfg
  // refuses is refused here too (the two used to have different rules).
  test.each([
    [
      's3Url',
      validateS3Url,
      ['s3://udacity-dend/song_data', 's3://ab/x', 's3://a..b/x', 's3://1.2.3.4/x', 's3://b c/x'],
    ],
    [
      'iamRoleArn',
      validateIamRoleArn,
      [
        'arn:aws:iam::123456789012:role/dwhRole',
        'arn:aws-eu:iam::123456789012:role/dwhRole',
        `arn:aws:iam::123456789012:role/${'r'.repeat(65)}`,
        'arn:aws:iam::123456789012:role/a/',
      ],
    ],
    ['region', validateRegion, ['us-west-2', 'us-west-2a', 'US-WEST-2']],
  ] as const)('%s follows the dwh.cfg validator', (option, validate, values) => {
    for (const value of values) {
      const render = () => copySongsFromS3Sql({ ...SONGS, [option]: value });
      if (validate(value) === true) expect(render, value).not.toThrow();
      else expect(render, value).toThrow(String(validate(value)));
    }
  });
});

describe('quoting helpers', () => {
  test('quoteLiteral doubles single quotes and refuses what cannot be quoted portably', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('')).toBe("''");
    expect(() => quoteLiteral('a\\b')).toThrow('backslash');
    expect(() => quoteLiteral('a\0b')).toThrow('NUL');
  });

  test('quoteIdent doubles double quotes', () => {
    expect(quoteIdent('time')).toBe('"time"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(() => quoteIdent('')).toThrow('empty');
  });
});
