/**
 * Query results on their way out (issue 9.6, 9.7, 9.10 and the output items): rows as arrays with
 * duplicate names kept, csv/json written page by page, the table view's limit in linear time,
 * no thousands separators in `sql` ids and epochs, bytea as hex, control characters escaped
 * wherever a terminal would receive them.
 */
import { describe, expect, test } from 'vitest';
import type { RowStream } from '../../src/sql/result.js';
import { DEFAULT_TABLE_LIMIT, showRows, uniqueKeys } from '../../src/ui/results.js';
import { rowsInMemory } from '../../src/warehouse/rows.js';
import { recordingUi } from '../support/ui.js';

/** A control character other than a line feed, written raw (the lint rule forbids exactly this on purpose). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const ESCAPES = '\u001b]0;owned\u0007\u001b[2J\u009b31m';
const ESCAPES_SHOWN = '\\x1b]0;owned\\x07\\x1b[2J\\x9b31m';

/** A stream of `pages`, recording how many pages were handed out before each write. */
function pagedStream(fields: string[], pages: unknown[][][]): { stream: RowStream; pulled: () => number } {
  let pulled = 0;
  async function* generate(): AsyncGenerator<unknown[][]> {
    for (const page of pages) {
      await Promise.resolve();
      pulled += 1;
      yield page;
    }
  }
  return { stream: { fields, pages: generate() }, pulled: () => pulled };
}

describe('duplicate column names', () => {
  test('the table view shows both values: SELECT 1 AS a, 2 AS a prints 1 │ 2', async () => {
    const ui = recordingUi();
    await showRows(ui, rowsInMemory(['a', 'a'], [[1, 2]]), { format: 'table', group: false });
    expect(ui.of('data')[0]).toContain('│ 1 │ 2 │');
  });

  test('csv keeps both headers; json names the later ones a_2, a_3 without clashing', async () => {
    const ui = recordingUi();
    await showRows(ui, rowsInMemory(['a', 'a', 'a_2', 'a'], [[1, 2, 3, 4]]), { format: 'csv' });
    expect(ui.of('data')).toEqual(['a,a,a_2,a', '1,2,3,4']);
    expect(uniqueKeys(['a', 'a', 'a_2', 'a'])).toEqual(['a', 'a_3', 'a_2', 'a_4']);
    const json = recordingUi();
    await showRows(json, rowsInMemory(['level', 'level'], [['free', 'paid']]), { format: 'json' });
    expect(JSON.parse(json.of('data').join(''))).toEqual([{ level: 'free', level_2: 'paid' }]);
  });
});

describe('streaming', () => {
  test('csv writes each page before the next is read', async () => {
    const ui = recordingUi();
    const { stream, pulled } = pagedStream(['n'], [[[1], [2]], [[3]], [[4], [5]]]);
    const written: number[] = [];
    const data = ui.data.bind(ui);
    ui.data = (text) => {
      written.push(pulled());
      return data(text);
    };
    expect(await showRows(ui, stream, { format: 'csv' })).toEqual({ rowCount: 5, complete: true });
    // The header before any page; then one write per page, each right after its page arrived.
    expect(written).toEqual([0, 1, 2, 3]);
    expect(ui.of('data').join('\n')).toBe('n\n1\n2\n3\n4\n5');
  });

  test('json writes each page before the next is read, and reads as JSON.stringify(rows, null, 2)', async () => {
    const ui = recordingUi();
    const rows = [
      [1, 'a\nb', null],
      [2, 'quote "x"', 9007199254740993n],
      [3, 'é', 1.5],
    ];
    const { stream, pulled } = pagedStream(['id', 'text', 'v'], [rows.slice(0, 2), rows.slice(2)]);
    const written: number[] = [];
    const data = ui.data.bind(ui);
    ui.data = (text) => {
      written.push(pulled());
      return data(text);
    };
    await showRows(ui, stream, { format: 'json' });
    expect(written).toEqual([1, 2, 2]);
    const expected = rows.map(([id, text, v]) => ({ id, text, v: typeof v === 'bigint' ? v.toString() : v }));
    expect(`${ui.of('data').join('')}\n`).toBe(`${JSON.stringify(expected, null, 2)}\n`);
  });

  test('no rows: json is [], csv is the header, the table says so', async () => {
    for (const [format, expected] of [
      ['json', ['[]']],
      ['csv', ['a,b']],
      ['table', ['(no rows)']],
    ] as const) {
      const ui = recordingUi();
      await showRows(ui, rowsInMemory(['a', 'b'], []), { format });
      expect(ui.of('data')).toEqual(expected);
    }
  });

  test('a reader that went away (| head) stops the writing', async () => {
    const ui = recordingUi();
    let writes = 0;
    ui.data = () => Promise.resolve(++writes < 2);
    const { stream, pulled } = pagedStream(['n'], [[[1]], [[2]], [[3]], [[4]]]);
    expect(await showRows(ui, stream, { format: 'csv' })).toEqual({ rowCount: 1, complete: false });
    expect(pulled()).toBe(1);
  });
});

describe('the table view', () => {
  test(`shows the first ${DEFAULT_TABLE_LIMIT} rows by default, then how many more`, async () => {
    const ui = recordingUi();
    const rows = Array.from({ length: 1500 }, (_, index) => [index + 1]);
    expect(await showRows(ui, rowsInMemory(['n'], rows), { format: 'table' })).toEqual({
      rowCount: 1500,
      complete: true,
    });
    const table = ui.of('data')[0]!.split('\n');
    expect(table).toHaveLength(DEFAULT_TABLE_LIMIT + 4); // rule, header, rule, rows, rule
    expect(table.at(-2)).toBe('│ 1,000 │');
    expect(ui.of('note')).toEqual(['… and 500 more rows (use --format csv)']);
  });

  test('--limit N shows N', async () => {
    const ui = recordingUi();
    await showRows(ui, rowsInMemory(['n'], [[1], [2], [3]]), { format: 'table', limit: 2, group: false });
    expect(ui.of('data')[0]).toBe(['┌───┐', '│ n │', '├───┤', '│ 1 │', '│ 2 │', '└───┘'].join('\n'));
    expect(ui.of('note')).toEqual(['… and 1 more rows (use --format csv)']);
  });

  test('130,000 wide rows: no crash, and time grows linearly with the rows shown', async () => {
    const row = (index: number): unknown[] => [
      index,
      '2018-11-01 21:01:46.796',
      'free',
      'Lake Havasu City-Kingman, AZ',
      '"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/35.0 Safari/537.36"',
      null,
      139,
      1541105830796,
    ];
    const fields = ['songplay_id', 'start_time', 'level', 'location', 'user_agent', 'song_id', 'session_id', 'ts'];
    const rows = Array.from({ length: 130_000 }, (_, index) => row(index));
    const time = async (limit: number): Promise<number> => {
      const ui = recordingUi();
      const started = performance.now();
      await showRows(ui, rowsInMemory(fields, rows), { format: 'table', limit, group: false });
      expect(ui.of('data')[0]!.split('\n')).toHaveLength(Math.min(limit, rows.length) + 4);
      return performance.now() - started;
    };
    await time(500); // warm up
    const small = await time(2000);
    const big = await time(8000);
    // Quadratic would be 16 times slower; linear about 4.
    expect(big / small).toBeLessThan(9);
    // All 130,000 through the default view: the first 1,000 shown, the rest counted.
    const ui = recordingUi();
    await showRows(ui, rowsInMemory(fields, rows), { format: 'table', group: false });
    expect(ui.of('note')).toEqual(['… and 129,000 more rows (use --format csv)']);
  });

  test('sql: ids and epoch milliseconds without separators; analytics: measures grouped, ids not', async () => {
    const fields = ['user_id', 'ts', 'plays', 'avg_length'];
    const rows = [[1024, 1541105830796, 1234567, 1234.5]];
    const sql = recordingUi();
    await showRows(sql, rowsInMemory(fields, rows), { format: 'table', group: false });
    expect(sql.of('data')[0]).toContain('│    1024 │ 1541105830796 │ 1234567 │     1234.5 │');
    const analytics = recordingUi();
    await showRows(analytics, rowsInMemory(fields, rows), { format: 'table', group: true });
    expect(analytics.of('data')[0]).toContain('│    1024 │ 1,541,105,830,796 │ 1,234,567 │    1,234.5 │');
  });

  test('bytea is shown as \\x hex, in the table, csv and json', async () => {
    const fields = ['b'];
    const rows = [[Buffer.from([0x00, 0xde, 0xad, 0xbe, 0xef])], [new Uint8Array([1, 255])]];
    for (const [format, expected] of [
      ['table', ['│ \\x00deadbeef │', '│ \\x01ff       │']],
      ['csv', ['\\x00deadbeef', '\\x01ff']],
      ['json', ['"b": "\\\\x00deadbeef"', '"b": "\\\\x01ff"']],
    ] as const) {
      const ui = recordingUi();
      await showRows(ui, rowsInMemory(fields, rows), { format });
      for (const text of expected) expect(ui.of('data').join('\n')).toContain(text);
    }
  });

  test('json and arrays as JSON, booleans as true/false', async () => {
    const ui = recordingUi();
    await showRows(ui, rowsInMemory(['j', 'a', 'f'], [[{ k: [1, 2n] }, [1, 2], true]]), { format: 'table' });
    expect(ui.of('data')[0]).toContain('│ {"k":[1,"2"]} │ [1,2] │ true │');
  });
});

describe('control characters in data', () => {
  test('the table view shows them escaped, in cells and headers, and the title', async () => {
    const ui = recordingUi();
    await showRows(ui, rowsInMemory([`t${ESCAPES}`], [[`song ${ESCAPES}`]]), { format: 'table', title: `x${ESCAPES}` });
    const text = ui.of('data').join('\n');
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain(`song ${ESCAPES_SHOWN}`);
    expect(text).toContain(`t${ESCAPES_SHOWN}`);
    expect(text).toContain(`x${ESCAPES_SHOWN}`);
  });

  test('a chart label can carry a second column, so equal titles stay apart', async () => {
    const ui = recordingUi();
    await showRows(
      ui,
      rowsInMemory(
        ['song', 'artist', 'plays'],
        [
          ['City', 'Blue Road', 5],
          ['City', 'Wooden Sparrow', 3],
          ['Alone', null, 1],
        ],
      ),
      { format: 'table', chart: { label: 'song', labelDetail: 'artist', value: 'plays' } },
    );
    const chart = ui.of('data')[1]!.split('\n');
    expect(chart[0]).toMatch(/^City – Blue Road +█+ 5$/);
    expect(chart[1]).toMatch(/^City – Wooden Sparrow +█+▌? 3$/);
    expect(chart[2]).toMatch(/^Alone +█+ 1$/);
  });

  test('a chart label can carry several detail columns, joined by spaces', async () => {
    const ui = recordingUi();
    await showRows(
      ui,
      rowsInMemory(
        ['user_id', 'first_name', 'last_name', 'plays'],
        [
          ['2', 'Jayden', 'Peters', 7],
          ['17', 'Jacob', null, 3],
        ],
      ),
      { format: 'table', chart: { label: 'user_id', labelDetail: ['first_name', 'last_name'], value: 'plays' } },
    );
    const chart = ui.of('data')[1]!.split('\n');
    expect(chart[0]).toMatch(/^2 – Jayden Peters +█+ 7$/);
    expect(chart[1]).toMatch(/^17 – Jacob +█+[▏▎▍▌▋▊▉]? 3$/);
  });

  test('a chart label shows them escaped', async () => {
    const ui = recordingUi();
    await showRows(
      ui,
      rowsInMemory(
        ['song', 'plays'],
        [
          [`Evil ${ESCAPES}`, 3],
          ['Good', 1],
        ],
      ),
      { format: 'table', chart: { label: 'song', value: 'plays' } },
    );
    const chart = ui.of('data')[1]!;
    expect(chart).toContain(`Evil ${ESCAPES_SHOWN}`);
    expect(chart).not.toMatch(RAW_CONTROL);
  });

  test('csv to a file or pipe keeps every byte; csv to a terminal shows them escaped', async () => {
    const pipe = recordingUi();
    await showRows(pipe, rowsInMemory(['t'], [[`a${ESCAPES}`]]), { format: 'csv' });
    expect(pipe.of('data')).toEqual(['t', `a${ESCAPES}`]);
    const terminal = recordingUi({ dataIsTerminal: true });
    await showRows(terminal, rowsInMemory(['t'], [[`a${ESCAPES}`], ['two\nlines']]), { format: 'csv' });
    expect(terminal.of('data')).toEqual(['t', `a${ESCAPES_SHOWN}\n"two\nlines"`]);
  });

  test('json escapes them (C1 and DEL too) and parses back to the exact data', async () => {
    const ui = recordingUi();
    const value = `a${ESCAPES}\u007f`;
    await showRows(ui, rowsInMemory(['t'], [[value]]), { format: 'json' });
    const text = ui.of('data').join('');
    expect(text).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(text)).toEqual([{ t: value }]);
  });
});
