import { PassThrough } from 'node:stream';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { clearSecrets, registerSecret } from '../../src/ui/redact.js';
import { createTerminalUi, detectColor, loadSpinnerLibrary, loadTableRenderer } from '../../src/ui/terminal.js';
import type { Ui } from '../../src/ui/types.js';

// The terminal Ui loads its table renderer (and exact text widths) after start-up; the app waits for it.
beforeAll(async () => {
  await loadTableRenderer();
});

const ESC = '\u001b[';

/** A terminal Ui writing into memory: `out` is stdout, `err` stderr, `all` both in write order. */
function captured(options: { color: boolean; interactive?: boolean }) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const seen = { out: '', err: '', all: '' };
  stdout.on('data', (chunk: Buffer) => {
    seen.out += chunk.toString();
    seen.all += chunk.toString();
  });
  stderr.on('data', (chunk: Buffer) => {
    seen.err += chunk.toString();
    seen.all += chunk.toString();
  });
  const ui = createTerminalUi({ color: options.color, interactive: options.interactive ?? false, stdout, stderr });
  return { ui, seen };
}

/** Calls every output method once, with `text` in each. */
function useEveryMethod(ui: Ui, text: string): void {
  ui.heading(`heading ${text}`);
  ui.info(`info ${text}`);
  ui.success(`success ${text}`);
  ui.warn(`warn ${text}`);
  ui.error(`error ${text}`);
  ui.note(`note ${text}`);
  ui.print(`print ${text}`);
  const first = ui.spinner(`spinner ${text}`);
  first.update(`update ${text}`);
  first.succeed();
  ui.spinner('second').fail(`failed ${text}`);
  ui.spinner('third').warn(`warned ${text}`);
  ui.table([{ cell: `cell ${text}`, n: 1 }], { title: `table ${text}` });
  ui.barChart([{ label: `label ${text}`, value: 3 }], { title: `chart ${text}` });
}

afterEach(() => {
  clearSecrets();
});

describe('colour', () => {
  test('off: not a single escape sequence in anything written', () => {
    const { ui, seen } = captured({ color: false });
    useEveryMethod(ui, 'x');
    ui.table([{ a: null, b: 2 }]);
    expect(seen.all).toContain('success x');
    expect(seen.all).not.toContain('\u001b');
    expect(ui.color).toBe(false);
  });

  test('on: symbols and text are coloured', () => {
    const { ui, seen } = captured({ color: true });
    ui.success('done');
    ui.error('broken');
    expect(seen.out).toContain(ESC);
    expect(seen.out).toContain('✔');
    // eslint-disable-next-line no-control-regex -- the escape codes are what is tested
    expect(seen.err).toMatch(/\u001b\[31m✖/);
    expect(ui.color).toBe(true);
  });
});

describe('streams', () => {
  test('results on stdout, diagnostics and spinners on stderr', () => {
    const { ui, seen } = captured({ color: false });
    ui.info('i');
    ui.success('s');
    ui.note('n');
    ui.print('p');
    ui.warn('w');
    ui.error('e');
    ui.spinner('spin').succeed('spun');
    expect(seen.out).toBe('i\n✔ s\nn\np\n');
    expect(seen.err).toBe('⚠ w\n✖ e\n- spin\n✔ spun\n');
  });

  test('heading is set off by a blank line and underlined', () => {
    const { ui, seen } = captured({ color: false });
    ui.heading('Load data');
    expect(seen.out).toBe('\nLoad data\n─────────\n');
  });

  test('print writes text as is, one newline at the end', () => {
    const { ui, seen } = captured({ color: false });
    ui.print('a,b\n1,2');
    ui.print('{}\n');
    expect(seen.out).toBe('a,b\n1,2\n{}\n');
  });

  test('continuation lines of an error are indented under its text', () => {
    const { ui, seen } = captured({ color: false });
    ui.error('dwh.cfg [DWH] DWH_PORT: not a number\n→ use a port such as 5439');
    expect(seen.err).toBe('✖ dwh.cfg [DWH] DWH_PORT: not a number\n  → use a port such as 5439\n');
  });
});

describe('non-interactive spinner', () => {
  test('prints the start text once and the final line, no animation, no cursor codes', async () => {
    const { ui, seen } = captured({ color: false, interactive: false });
    const spinner = ui.spinner('songplays: reading…');
    spinner.update('songplays: 1,000 rows');
    spinner.update('songplays: 2,000 rows');
    await new Promise((resolve) => setTimeout(resolve, 150));
    spinner.succeed('songplays: 2,500 rows in 1.2 s');
    spinner.fail('ignored: the spinner already finished');
    expect(seen.err).toBe('- songplays: reading…\n✔ songplays: 2,500 rows in 1.2 s\n');
    expect(seen.out).toBe('');
  });

  test('without a final text the last update is the final line; stop prints nothing more', () => {
    const { ui, seen } = captured({ color: false });
    const a = ui.spinner('a');
    a.update('a, later');
    a.warn();
    const b = ui.spinner('b');
    b.stop();
    b.succeed('not shown after stop');
    ui.spinner('c').fail();
    expect(seen.err).toBe('- a\n⚠ a, later\n- b\n- c\n✖ c\n');
  });

  test('with colour on (FORCE_COLOR in CI) still no cursor movement', () => {
    const { ui, seen } = captured({ color: true, interactive: false });
    ui.spinner('x').succeed('y');
    // eslint-disable-next-line no-control-regex -- the escape codes are what is tested
    expect(seen.err).not.toMatch(/\u001b\[\d*[ABCDGKJ]|\u001b\[\?25[lh]/);
    // eslint-disable-next-line no-control-regex -- the escape codes are what is tested
    expect(seen.err.replace(/\u001b\[\d+m/g, '')).toBe('- x\n✔ y\n');
  });
});

describe('table', () => {
  test('numbers right-aligned with separators, ids and years plain, NULL as ∅, timestamps readable', () => {
    const { ui, seen } = captured({ color: false });
    ui.table(
      [
        {
          song: 'Intro',
          plays: 1234567,
          year: 2018,
          user_id: 1024,
          duration: 218.93179,
          at: new Date(Date.UTC(2018, 10, 1, 21, 1, 46, 796)),
        },
        { song: 'Ünder', plays: 5, year: null, user_id: 7, duration: 1.5, at: new Date(Date.UTC(2018, 10, 2)) },
        { song: null, plays: 12345678901234567890n, year: 1999, user_id: null, duration: null, at: null },
      ],
      { title: 'Top songs' },
    );
    expect(seen.out).toBe(
      [
        'Top songs',
        '┌───────┬────────────────────────────┬──────┬─────────┬───────────┬─────────────────────────┐',
        '│ song  │                      plays │ year │ user_id │  duration │ at                      │',
        '├───────┼────────────────────────────┼──────┼─────────┼───────────┼─────────────────────────┤',
        '│ Intro │                  1,234,567 │ 2018 │    1024 │ 218.93179 │ 2018-11-01 21:01:46.796 │',
        '│ Ünder │                          5 │    ∅ │       7 │       1.5 │ 2018-11-02 00:00:00     │',
        '│ ∅     │ 12,345,678,901,234,567,890 │ 1999 │       ∅ │         ∅ │ ∅                       │',
        '└───────┴────────────────────────────┴──────┴─────────┴───────────┴─────────────────────────┘',
        '',
      ].join('\n'),
    );
  });

  test('columns chosen, renamed and aligned by the caller; booleans and numeric text stay text', () => {
    const { ui, seen } = captured({ color: false });
    ui.table(
      [
        { level: 'free', users: 3, paid: false, code: '007' },
        { level: 'paid', users: 12, paid: true, code: '42' },
      ],
      {
        columns: [
          { key: 'level', header: 'Level', align: 'right' },
          { key: 'users', header: 'Users' },
          { key: 'paid' },
          { key: 'code' },
        ],
      },
    );
    expect(seen.out).toBe(
      [
        '┌───────┬───────┬───────┬──────┐',
        '│ Level │ Users │ paid  │ code │',
        '├───────┼───────┼───────┼──────┤',
        '│  free │     3 │ false │ 007  │',
        '│  paid │    12 │ true  │ 42   │',
        '└───────┴───────┴───────┴──────┘',
        '',
      ].join('\n'),
    );
  });

  test('no rows says so', () => {
    const { ui, seen } = captured({ color: false });
    ui.table([], { title: 'Rejected records' });
    expect(seen.out).toBe('Rejected records\n(no rows)\n');
  });

  test('very long text is cut with …', () => {
    const { ui, seen } = captured({ color: false });
    ui.table([{ agent: 'x'.repeat(200) }]);
    expect(seen.out).toContain(`│ ${'x'.repeat(79)}… │`);
  });

  test('colour off: no colour codes in borders or heads; on: heads bold', () => {
    const plain = captured({ color: false });
    plain.ui.table([{ a: 1 }]);
    expect(plain.seen.out).not.toContain('\u001b');
    const coloured = captured({ color: true });
    coloured.ui.table([{ a: null }]);
    expect(coloured.seen.out).toContain('\u001b[1ma\u001b[22m');
    expect(coloured.seen.out).toContain('\u001b[2m∅\u001b[22m');
  });
});

describe('bar chart', () => {
  test('blocks and eighths, padded labels, value after the bar, zero and negative without a bar', () => {
    const { ui, seen } = captured({ color: false });
    ui.barChart(
      [
        { label: 'NextSong', value: 80 },
        { label: 'Home', value: 33 },
        { label: 'About', value: 0 },
        { label: 'Error', value: -4 },
        { label: 'Help', value: 0.1 },
      ],
      { title: 'Pages', width: 10 },
    );
    // 33/80 of 10 cells = 4.125 cells = 4 full blocks and 1/8 (▏); 0.1/80 rounds to no eighth,
    // shown as ▏ so it is not read as zero.
    expect(seen.out).toBe(
      [
        'Pages',
        'NextSong  ██████████ 80',
        'Home      ████▏ 33',
        'About     0',
        'Error     -4',
        'Help      ▏ 0.1',
        '',
      ].join('\n'),
    );
  });

  test('default width 40, every eighth, thousands separators and a custom format', () => {
    const { ui, seen } = captured({ color: false });
    ui.barChart([
      { label: 'max', value: 16_000 },
      { label: 'a', value: 150 },
      { label: 'b', value: 400 },
      { label: 'c', value: 1_000 },
      { label: 'd', value: 1_500 },
    ]);
    ui.barChart([{ label: 'rate', value: 0.853 }], { width: 8, format: (v) => `${(v * 100).toFixed(1)} %` });
    expect(seen.out).toBe(
      [
        `max  ${'█'.repeat(40)} 16,000`,
        'a    ▍ 150',
        'b    █ 400',
        'c    ██▌ 1,000',
        'd    ███▊ 1,500',
        'rate  ████████ 85.3 %',
        '',
      ].join('\n'),
    );
  });

  test('all zero: no bars at all; no bars: says so', () => {
    const { ui, seen } = captured({ color: false });
    ui.barChart([
      { label: 'x', value: 0 },
      { label: 'yy', value: 0 },
    ]);
    ui.barChart([]);
    expect(seen.out).toBe('x   0\nyy  0\n(no data)\n');
  });

  test('with colour on, bars are coloured and the blocks are the same', () => {
    const { ui, seen } = captured({ color: true });
    ui.barChart([{ label: 'a', value: 1 }], { width: 2 });
    expect(seen.out).toBe('a  \u001b[36m██\u001b[39m 1\n');
  });
});

describe('redaction', () => {
  const secret = 'wJalr/XUtnFEMI+K7MDENG';

  test('a registered secret never appears, through any output method', () => {
    registerSecret(secret);
    for (const color of [false, true]) {
      const { ui, seen } = captured({ color });
      useEveryMethod(ui, `key=${secret}!`);
      expect(seen.all).not.toContain(secret);
      expect(seen.all).toContain('key=****!');
      // 7 lines, the spinner's start and 3 endings, table title and cell, chart title and label.
      expect(seen.all.split('****').length - 1).toBe(15);
    }
  });

  test('its URL-encoded form is masked too (as inside a connection URL)', () => {
    registerSecret('p@ss w/rd');
    const { ui, seen } = captured({ color: false });
    ui.info(`postgres://dwh:${encodeURIComponent('p@ss w/rd')}@host:5439/dwh`);
    ui.error('password p@ss w/rd rejected');
    expect(seen.all).toBe('postgres://dwh:****@host:5439/dwh\n✖ password **** rejected\n');
  });
});

describe('detectColor', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  test.each([
    ['a TTY', [], {}, tty, true],
    ['not a TTY', [], {}, pipe, false],
    ['stream without isTTY', [], {}, {}, false],
    ['--no-color', ['node', 'cli', '--no-color'], {}, tty, false],
    ['NO_COLOR=1', [], { NO_COLOR: '1' }, tty, false],
    ['NO_COLOR empty is ignored', [], { NO_COLOR: '' }, tty, true],
    ['TERM=dumb', [], { TERM: 'dumb' }, tty, false],
    ['FORCE_COLOR=1 on a pipe', [], { FORCE_COLOR: '1' }, pipe, true],
    ['FORCE_COLOR empty on a pipe', [], { FORCE_COLOR: '' }, pipe, true],
    ['FORCE_COLOR=0 on a TTY', [], { FORCE_COLOR: '0' }, tty, false],
    ['FORCE_COLOR=false on a TTY', [], { FORCE_COLOR: 'false' }, tty, false],
    ['NO_COLOR beats FORCE_COLOR', [], { NO_COLOR: 'yes', FORCE_COLOR: '1' }, tty, false],
    ['--no-color beats FORCE_COLOR', ['--no-color'], { FORCE_COLOR: '3' }, pipe, false],
  ] as const)('%s', (_name, argv, env, stream, expected) => {
    expect(detectColor(argv, env as NodeJS.ProcessEnv, stream)).toBe(expected);
  });
});

describe('interactive spinner (ora)', () => {
  /** A stream that says it is a terminal, as ora needs to animate. */
  function fakeTty() {
    const stream = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 100,
      cursorTo: () => true,
      moveCursor: () => true,
      clearLine: () => true,
    });
    let written = '';
    stream.on('data', (chunk: Buffer) => {
      written += chunk.toString();
    });
    return { stream, written: () => written };
  }

  test('a spinner that ends before ora has loaded (imported lazily, at first use) prints its final line', async () => {
    vi.resetModules();
    const fresh = await import('../../src/ui/terminal.js');
    const err = fakeTty();
    const ui = fresh.createTerminalUi({
      color: false,
      interactive: true,
      stdout: new PassThrough(),
      stderr: err.stream,
    });
    ui.spinner('quick work').succeed('quick work done');
    expect(err.written()).toBe('✔ quick work done\n');
    await fresh.loadSpinnerLibrary();
    expect(err.written()).toBe('✔ quick work done\n'); // nothing drawn after it ended
  });

  test('animates on stderr, ends with our symbol, redacts, and with colour off uses no colour codes', async () => {
    await loadSpinnerLibrary();
    registerSecret('hunter2hunter2');
    const err = fakeTty();
    const out = new PassThrough();
    const ui = createTerminalUi({ color: false, interactive: true, stdout: out, stderr: err.stream });
    const spinner = ui.spinner('connecting with hunter2hunter2');
    await new Promise((resolve) => setTimeout(resolve, 120));
    spinner.update('still hunter2hunter2');
    spinner.succeed('connected as hunter2hunter2');
    spinner.fail('ignored');
    const text = err.written();
    expect(text).not.toContain('hunter2hunter2');
    expect(text).toContain('connecting with ****');
    expect(text).toContain('✔ connected as ****\n');
    expect(text).not.toContain('✖');
    // Cursor hiding and line rewriting are the point of a spinner; colour is not allowed.
    // eslint-disable-next-line no-control-regex -- the escape codes are what is tested
    expect(text).not.toMatch(/\u001b\[[\d;]*m/);
  });

  test('with colour on, the final symbol is coloured', () => {
    const err = fakeTty();
    const ui = createTerminalUi({ color: true, interactive: true, stdout: new PassThrough(), stderr: err.stream });
    ui.spinner('working').fail('broke');
    expect(err.written()).toContain('\u001b[31m✖\u001b[39m broke\n');
  });
});
