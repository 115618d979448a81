/**
 * Redaction (issue 9.5): secrets are masked in the tool's own messages, in structured places
 * whatever their length and as exact values only when long enough to be specific; the user's
 * data is never touched. The three reproductions of the issue use the password `check`.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { secretValues } from '../../src/config/schema.js';
import { UserError } from '../../src/errors.js';
import { createTablesSql } from '../../src/sql/ddl.js';
import { runCheck } from '../../src/steps/check.js';
import { describeError } from '../../src/ui/errors.js';
import { cleanMessage, clearSecrets, MIN_EXACT_SECRET_LENGTH, redact, registerSecret } from '../../src/ui/redact.js';
import { showRows } from '../../src/ui/results.js';
import { openEmbedded } from '../../src/warehouse/embedded.js';
import { rowsInMemory } from '../../src/warehouse/rows.js';
import { makeTestContext } from '../support/context.js';
import { recordingUi } from '../support/ui.js';

afterEach(() => {
  clearSecrets();
});

describe('the password `check` (the three reproductions)', () => {
  test('sql --format csv "SELECT \'checkpoint\'" prints checkpoint', async () => {
    registerSecret('check');
    const ui = recordingUi();
    await showRows(ui, rowsInMemory(['?column?'], [['checkpoint']]), { format: 'csv' });
    expect(ui.of('data')).toEqual(['?column?', 'checkpoint']);
  });

  test('the check step prints "Data-quality checks"', async () => {
    registerSecret('check');
    const made = await makeTestContext({
      config: '[WAREHOUSE]\nTARGET = embedded\n',
      warehouse: await openEmbedded(undefined),
    });
    try {
      const warehouse = await made.ctx.warehouse();
      for (const sql of createTablesSql('postgres')) await warehouse.query(sql);
      await warehouse.query(
        'INSERT INTO songplays (songplay_id, start_time, user_id, level, session_id) ' +
          "VALUES (1, '2018-11-01', 1, 'free', 1)",
      );
      await runCheck(made.ctx);
      expect(made.ui.text()).toContain('Data-quality checks');
      expect(made.ui.text()).not.toContain('****');
    } finally {
      await made.cleanup();
    }
  });

  test('a hint keeps "check its permissions"', () => {
    registerSecret('check');
    const described = describeError(new UserError('cannot read dwh.cfg', { hint: 'check its permissions' }), {
      debug: false,
    });
    expect(described.message).toBe('cannot read dwh.cfg\n→ check its permissions');
  });
});

describe('redact', () => {
  test('a registered value of at least 8 characters is masked anywhere; a shorter one is not', () => {
    expect(MIN_EXACT_SECRET_LENGTH).toBe(8);
    registerSecret('Sh0rt7x');
    registerSecret('L0ngEnough');
    expect(redact('Sh0rt7x and L0ngEnough')).toBe('Sh0rt7x and ****');
  });

  test('its URL-encoded and decoded forms too', () => {
    registerSecret('p@ss w/rd!');
    expect(redact(`postgres://u:${encodeURIComponent('p@ss w/rd!')}@h/db and p@ss w/rd!`)).toBe(
      'postgres://u:****@h/db and ****',
    );
  });

  test.each([
    ['postgres://ana:check@db.example.com:5432/dwh', 'postgres://ana:****@db.example.com:5432/dwh'],
    ['redshift://u:a@b@host/x failed', 'redshift://u:****@host/x failed'],
    ['postgres://ana@db/dwh?sslmode=require&password=check', 'postgres://ana@db/dwh?sslmode=require&password=****'],
    [
      'https://s3/x?X-Amz-Security-Token=FwoG&X-Amz-Signature=ab12',
      'https://s3/x?X-Amz-Security-Token=****&X-Amz-Signature=****',
    ],
    ['DB_PASSWORD = check', 'DB_PASSWORD = ****'],
    ['DWH_DB_PASSWORD=hunter', 'DWH_DB_PASSWORD=****'],
    ['aws_secret_access_key = wJal', 'aws_secret_access_key = ****'],
    ['PGPASSWORD="two words" psql', 'PGPASSWORD=**** psql'],
  ])('structured: %s', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  test('ordinary words and messages are left alone', () => {
    for (const text of [
      'Data-quality checks',
      'password authentication failed for user "ana"',
      'set [CLUSTER] DB_PASSWORD in dwh.cfg',
      'postgres://ana@db.example.com:5432/dwh',
      'tokens: 3, secrets: none',
    ]) {
      expect(redact(text)).toBe(text);
    }
  });

  test('cleanMessage also shows control characters escaped, keeping line breaks and tabs', () => {
    expect(cleanMessage('bad title \u001b]0;owned\u0007\u001b[2J\r\n→ hint\there')).toBe(
      'bad title \\x1b]0;owned\\x07\\x1b[2J\\r\n→ hint\there',
    );
  });
});

describe('dwh.cfg secrets', () => {
  test('a password given as ?password= in POSTGRES_URL is registered, as written and decoded', () => {
    const raw = (section: string, key: string) =>
      section === 'WAREHOUSE' && key === 'POSTGRES_URL'
        ? 'postgres://ana@localhost/dwh?sslmode=disable&password=Pq%2FDistinct9'
        : undefined;
    expect(secretValues(raw)).toEqual(['Pq/Distinct9', 'Pq%2FDistinct9']);
  });
});
