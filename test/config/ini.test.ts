import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  decodeIniBytes,
  IniSyntaxError,
  parse,
  parseBytes,
  serialize,
  type ParseOptions,
  type UnparsedLine,
} from '../../src/config/ini.js';
import { lineMayHoldSecret } from '../../src/config/schema.js';
import { SEED_CFG, SEED_PASSWORD, SEED_SECRET } from './seed.js';

const crlf = (text: string): string => text.replaceAll('\n', '\r\n');
const BOM = '\uFEFF';

function syntaxError(text: string, options: ParseOptions = { mayHoldSecret: lineMayHoldSecret }): IniSyntaxError {
  try {
    parse(text, 'dwh.cfg', options);
  } catch (error) {
    expect(error).toBeInstanceOf(IniSyntaxError);
    expect(error).toBeInstanceOf(ConfigError);
    return error as IniSyntaxError;
  }
  throw new Error('expected a syntax error');
}

describe('round trip', () => {
  const variants: Record<string, string> = {
    'LF seed': SEED_CFG,
    'CRLF seed': crlf(SEED_CFG),
    'BOM seed': BOM + SEED_CFG,
    'BOM + CRLF seed': BOM + crlf(SEED_CFG),
    'no final newline': SEED_CFG.trimEnd(),
    'lone CR line endings': SEED_CFG.replaceAll('\n', '\r'),
    'mixed endings': '[A]\r\nX = 1\nY = 2\r\n\r\n# c\n',
    empty: '',
    'only comments': '# a\n; b\n\n',
    'multi-line value': '[A]\nX = first\n  second\n\n  fourth\nY = 2\n',
  };
  for (const [name, text] of Object.entries(variants)) {
    it(`keeps ${name} byte for byte`, () => {
      expect(serialize(parse(text))).toBe(text);
      const bytes = Buffer.from(text, 'utf8');
      expect(Buffer.from(parseBytes(bytes).serialize(), 'utf8').equals(bytes)).toBe(true);
    });
  }
});

describe('reading values', () => {
  const document = parse(SEED_CFG);

  it('finds keys and sections case-insensitively', () => {
    expect(document.get('aws', 'key')).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(document.get('AWS', 'REGION')).toBe('us-west-2');
    expect(document.get('DWH', 'DWH_DB_USER')).toBe('dwhuser');
    expect(document.get('dwh', 'Dwh_Cluster_Identifier')).toBe('dwhCluster');
  });

  it('removes one pair of surrounding quotes', () => {
    expect(document.get('CLUSTER', 'HOST')).toBe('');
    expect(document.get('CLUSTER', 'DB_PASSWORD')).toBe(SEED_PASSWORD);
    expect(document.get('S3', 'LOG_DATA')).toBe('s3://udacity-dend/log_data');
    const quoted = parse(`[A]\nX = "double"\nY = 'it''s'\nZ = 'unbalanced"\n`);
    expect(quoted.get('A', 'X')).toBe('double');
    expect(quoted.get('A', 'Y')).toBe("it''s");
    expect(quoted.get('A', 'Z')).toBe(`'unbalanced"`);
    expect(parse(`[A]\nW = '\n`).get('A', 'W')).toBe(`'`);
  });

  it('has no inline comments, like configparser', () => {
    expect(document.get('S3', 'NOTES')).toBe('keep # this is not a comment');
    expect(parse('[A]\nX = a ; b\n').get('A', 'X')).toBe('a ; b');
  });

  it('splits on the first "=" or ":"', () => {
    const text = '[A]\nURL = postgres://u:p@h/db\nHOST: a=b\n';
    expect(parse(text).get('A', 'URL')).toBe('postgres://u:p@h/db');
    expect(parse(text).get('A', 'HOST')).toBe('a=b');
  });

  it('joins indented continuation lines as configparser does', () => {
    const text = '[A]\nX = first\n  second\n# skipped comment\n\n  fourth\n\nY = 2\n';
    expect(parse(text).get('A', 'X')).toBe('first\nsecond\n\nfourth');
    expect(parse(text).get('A', 'Y')).toBe('2');
  });

  it('agrees with configparser on tricky layouts (values taken from Python 3 configparser)', () => {
    const emptyThenIndented = parse('[A]\nX =\n  a\n    b\nZ: q = r\n');
    expect([emptyThenIndented.get('A', 'X'), emptyThenIndented.get('A', 'Z')]).toEqual(['\na\nb', 'q = r']);
    const indentedKeys = parse('[A]\n  X = 1\n  Y = 2\n[B]\nK = v\n   \n\tcont\n');
    expect([indentedKeys.get('A', 'X'), indentedKeys.get('A', 'Y'), indentedKeys.get('B', 'K')]).toEqual([
      '1',
      '2',
      'v\n\ncont',
    ]);
    // An indented header after a key is a continuation of that key, not a section.
    const indentedHeader = parse('[A]\nX = 1\n    [B]\nY = 2\n');
    expect([indentedHeader.get('A', 'X'), indentedHeader.get('A', 'Y'), indentedHeader.sectionNames()]).toEqual([
      '1\n[B]',
      '2',
      ['A'],
    ]);
  });

  it('treats indented comments as comments, not continuations', () => {
    expect(parse('[A]\nX = 1\n  # note\n').get('A', 'X')).toBe('1');
  });

  it('falls back to [DEFAULT]', () => {
    const text = '[DEFAULT]\nREGION = eu-west-1\n[AWS]\nKEY = k\n';
    expect(parse(text).get('AWS', 'REGION')).toBe('eu-west-1');
    expect(parse(text).lookup('AWS', 'REGION')).toEqual({
      section: 'DEFAULT',
      key: 'REGION',
      value: 'eu-west-1',
      line: 2,
    });
  });

  it('lists sections and keys as written', () => {
    expect(document.sectionNames()).toEqual(['AWS', 'DWH', 'CLUSTER', 'IAM_ROLE', 'S3']);
    expect(document.keys('aws')).toEqual(['KEY', 'SECRET', 'region']);
  });

  it('reads a BOM + CRLF file', () => {
    const withBom = parseBytes(Buffer.from(BOM + crlf(SEED_CFG), 'utf8'));
    expect(withBom.get('AWS', 'KEY')).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(withBom.get('S3', 'SONG_DATA')).toBe('s3://udacity-dend/song_data');
  });
});

describe('editing', () => {
  it('changes only the edited lines, keeping spelling, spacing and quotes', () => {
    const document = parse(SEED_CFG);
    document.set('cluster', 'host', 'dwhcluster.abc123.us-west-2.redshift.amazonaws.com');
    document.set('IAM_ROLE', 'ARN', 'arn:aws:iam::123456789012:role/dwhRole');
    document.set('aws', 'REGION', 'eu-central-1');
    document.set('DWH', 'DWH_DB_USER', 'loader');
    const expected = SEED_CFG.replace("HOST=''", "HOST='dwhcluster.abc123.us-west-2.redshift.amazonaws.com'")
      .replace("ARN=''", "ARN='arn:aws:iam::123456789012:role/dwhRole'")
      .replace('region = us-west-2', 'region = eu-central-1')
      .replace('dwh_db_user=dwhuser', 'dwh_db_user=loader');
    expect(document.serialize()).toBe(expected);
  });

  it('writes undefined as an empty value', () => {
    const document = parse('[AWS]\nKEY = AKIA\nSECRET: "s"  \nREGION=x\n');
    document.set('AWS', 'KEY', undefined);
    document.set('AWS', 'SECRET', undefined);
    document.set('AWS', 'REGION', undefined);
    expect(document.serialize()).toBe('[AWS]\nKEY =\nSECRET:\nREGION=\n');
  });

  it('gives a formerly empty value the spacing used before the "="', () => {
    const document = parse('[A]\nX =\nY=\nZ = \n');
    document.set('A', 'X', '1');
    document.set('A', 'Y', '2');
    document.set('A', 'Z', '3');
    expect(document.serialize()).toBe('[A]\nX = 1\nY=2\nZ = 3\n');
  });

  it('puts a new key right after the last key of its section, styled like it', () => {
    const document = parse(SEED_CFG);
    document.set('CLUSTER', 'DB_SSL', 'true');
    document.set('iam_role', 'ROLE_ID', 'AROA123');
    expect(document.serialize()).toBe(
      SEED_CFG.replace('DB_PORT=5439\n', 'DB_PORT=5439\nDB_SSL=true\n').replace(
        "ARN=''\n",
        "ARN=''\nROLE_ID='AROA123'\n",
      ),
    );
    expect(document.get('CLUSTER', 'DB_SSL')).toBe('true');
  });

  it('puts a key into an empty section right after its header', () => {
    const document = parse('[A]\n\n# about B\n[B]\n\n[C]\nZ = 1\n');
    document.set('B', 'KEY', 'v');
    expect(document.serialize()).toBe('[A]\n\n# about B\n[B]\nKEY = v\n\n[C]\nZ = 1\n');
  });

  it('appends a missing section at the end, separated by a blank line', () => {
    const document = parse(SEED_CFG);
    document.set('WAREHOUSE', 'TARGET', 'postgres');
    document.set('WAREHOUSE', 'POSTGRES_URL', 'postgres://localhost/sparkify');
    expect(document.serialize()).toBe(
      `${SEED_CFG}\n[WAREHOUSE]\nTARGET = postgres\nPOSTGRES_URL = postgres://localhost/sparkify\n`,
    );
  });

  it('keeps CRLF and a missing final newline when adding lines', () => {
    const document = parse('[A]\r\nX = 1');
    document.set('A', 'Y', '2');
    expect(document.serialize()).toBe('[A]\r\nX = 1\r\nY = 2');
    document.set('B', 'Z', '3');
    expect(document.serialize()).toBe('[A]\r\nX = 1\r\nY = 2\r\n\r\n[B]\r\nZ = 3');
  });

  it('keeps the BOM when editing', () => {
    const document = parse(`${BOM}[A]\nX = 1\n`);
    document.set('A', 'X', '2');
    expect(document.serialize()).toBe(`${BOM}[A]\nX = 2\n`);
  });

  it('creates a file from nothing', () => {
    const document = parse('');
    document.set('CLUSTER', 'HOST', 'h');
    expect(document.serialize()).toBe('[CLUSTER]\nHOST = h\n');
  });

  it('replaces a multi-line value, dropping its continuation lines', () => {
    const document = parse('[A]\nX = first\n  second\n# kept\nY = 2\n');
    document.set('A', 'X', 'one');
    expect(document.serialize()).toBe('[A]\nX = one\n# kept\nY = 2\n');
    expect(document.get('A', 'Y')).toBe('2');
  });

  it('quotes a value whose quotes or spaces would otherwise be lost', () => {
    const document = parse('[A]\nX = 1\n');
    document.set('A', 'X', "'quoted'");
    expect(document.get('A', 'X')).toBe("'quoted'");
    expect(document.serialize()).toBe(`[A]\nX = "'quoted'"\n`);
    // The entry is now double-quoted, and keeps that style.
    document.set('A', 'X', 'plain');
    expect(document.serialize()).toBe('[A]\nX = "plain"\n');

    const padded = parse('[A]\nX = 1\n');
    padded.set('A', 'X', ' padded ');
    expect(padded.get('A', 'X')).toBe(' padded ');
    expect(padded.serialize()).toBe("[A]\nX = ' padded '\n");
  });

  it('refuses a value with a line break', () => {
    expect(() => parse('[A]\n').set('A', 'X', 'a\nb')).toThrow(TypeError);
  });

  it('an edit that writes the same value changes nothing', () => {
    const document = parse(SEED_CFG);
    document.set('S3', 'LOG_DATA', 's3://udacity-dend/log_data');
    document.set('DWH', 'DWH_PORT', '5439');
    expect(document.serialize()).toBe(SEED_CFG);
  });
});

describe('syntax errors', () => {
  it('names file and line for a line without "=" or ":"', () => {
    const error = syntaxError('[CLUSTER]\nDB_NAME = dwh\n\n\n\n\nHOST localhost\n');
    expect(error.message).toBe('dwh.cfg line 7: missing "=" in "HOST localhost"; write it as KEY = value');
    expect(error.line).toBe(7);
    expect(error.file).toBe('dwh.cfg');
  });

  it('does not show a broken line that may hold a secret', () => {
    for (const text of [
      `[DWH]\nDWH_DB_PASSWORD ${SEED_PASSWORD}\n`,
      `[DWH]\nDWH_DB_PASSWORD =\n${SEED_PASSWORD}\n`,
      `[AWS]\nKEY = AKIA\n${SEED_SECRET}\n`,
      `[X]\nmy password is ${SEED_PASSWORD}\n`,
    ]) {
      const error = syntaxError(text);
      expect(error.message).toMatch(
        /^dwh\.cfg line [23]: missing "=" \(the line is not shown because it may hold a secret\); write it as KEY = value$/,
      );
      expect(error.message).not.toContain(SEED_PASSWORD);
      expect(error.message).not.toContain(SEED_SECRET);
    }
  });

  it('asks the rule it is given whether a broken line may be shown, and shows none without one', () => {
    const asked: UnparsedLine[] = [];
    const showAll = (line: UnparsedLine): boolean => {
      asked.push(line);
      return false;
    };
    expect(syntaxError('[AWS]\nKEY = a\nAKIA EXAMPLE\n', { mayHoldSecret: showAll }).message).toBe(
      'dwh.cfg line 3: missing "=" in "AKIA EXAMPLE"; write it as KEY = value',
    );
    expect(asked).toEqual([{ text: 'AKIA EXAMPLE', section: 'AWS', previousKey: 'KEY' }]);
    expect(syntaxError('HOST localhost\n', { mayHoldSecret: showAll }).message).toBe(
      'dwh.cfg line 1: missing "=" in "HOST localhost"; write it as KEY = value',
    );
    expect(asked.at(-1)).toEqual({ text: 'HOST localhost', section: undefined, previousKey: undefined });
    expect(syntaxError('[CLUSTER]\nHOST localhost\n', {}).message).toBe(
      'dwh.cfg line 2: missing "=" (the line is not shown because it may hold a secret); write it as KEY = value',
    );
  });

  it('rejects a duplicate section, ignoring case', () => {
    expect(syntaxError('[AWS]\nKEY = a\n\n[aws]\nSECRET = b\n').message).toBe(
      'dwh.cfg line 4: duplicate section [aws] (first on line 1); merge the two',
    );
  });

  it('rejects a duplicate key in a section, ignoring case, without showing values', () => {
    const error = syntaxError(`[DWH]\nDWH_DB_PASSWORD = ${SEED_PASSWORD}\ndwh_db_password = other\n`);
    expect(error.message).toBe(
      'dwh.cfg line 3: duplicate key "dwh_db_password" in [DWH] (first on line 2); keep only one',
    );
  });

  it('allows the same key in different sections', () => {
    const document = parse('[S3]\nSONG_DATA = s3://a/b\n[LOCAL]\nSONG_DATA = data\n');
    expect(document.get('S3', 'SONG_DATA')).toBe('s3://a/b');
    expect(document.get('LOCAL', 'SONG_DATA')).toBe('data');
  });

  it('rejects a key before any section, without showing its value', () => {
    const error = syntaxError(`# settings\nSECRET = ${SEED_SECRET}\n[AWS]\n`);
    expect(error.message).toBe(
      'dwh.cfg line 2: key "SECRET" comes before any [SECTION] header; move it under its section, e.g. [AWS]',
    );
  });

  it('rejects a line with a delimiter but no key', () => {
    expect(syntaxError('[A]\n= value\n').message).toBe(
      'dwh.cfg line 2: a line starts with "=" but has no key before it',
    );
  });

  it('rejects an empty section name and text after a header', () => {
    expect(syntaxError('[ ]\n').message).toBe('dwh.cfg line 1: a section header has no name between "[" and "]"');
    expect(syntaxError('[AWS] extra\n').message).toBe('dwh.cfg line 1: unexpected text after the section header [AWS]');
    expect(parse('[AWS] # note\nKEY = k\n').get('AWS', 'KEY')).toBe('k');
  });

  it('rejects NUL bytes with their line', () => {
    expect(() => decodeIniBytes(Buffer.from('[A]\nX = 1\nY = \0\n'), 'cfg/dwh.cfg')).toThrow(
      'cfg/dwh.cfg line 3: contains a NUL byte; is this a text file?',
    );
    expect(syntaxError('[A]\r\nX = \0').message).toBe('dwh.cfg line 2: contains a NUL byte; is this a text file?');
  });

  it('rejects invalid UTF-8 with its line', () => {
    const latin1 = Buffer.concat([Buffer.from('[A]\nX = 1\nNAME = Bj'), Buffer.from([0xf6]), Buffer.from('rk\n')]);
    expect(() => parseBytes(latin1)).toThrow(
      'dwh.cfg line 3: is not valid UTF-8; save the file as UTF-8 and try again',
    );
  });

  it('recognises UTF-16', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[A]\n', 'utf16le')]);
    expect(() => parseBytes(utf16)).toThrow('dwh.cfg line 1: is saved as UTF-16; save it as UTF-8 and try again');
  });

  it('accepts valid multi-byte UTF-8', () => {
    expect(parseBytes(Buffer.from('[A]\n# café ☕\nNAME = Björk\n', 'utf8')).get('A', 'NAME')).toBe('Björk');
  });
});
