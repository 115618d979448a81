import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { stripVTControlCharacters } from 'node:util';
import { checkingChoiceLabel } from '../../src/ui/live-menu.js';
import {
  actionChoiceLabel,
  menuChoiceLabel,
  menuLayout,
  renderHeader,
  statusBadge,
  warehouseChoiceLabel,
} from '../../src/ui/menu.js';
import { createTerminalUi } from '../../src/ui/terminal.js';

describe('statusBadge', () => {
  test('colour off: symbol and word, no escapes', () => {
    expect(statusBadge({ state: 'done' }, false)).toBe('✔ done');
    expect(statusBadge({ state: 'todo' }, false)).toBe('• not yet');
    expect(statusBadge({ state: 'stale', detail: 'dwh.cfg changed' }, false)).toBe('↻ stale');
    expect(statusBadge({ state: 'unavailable' }, false)).toBe('– n/a');
  });

  test('colour on: coloured', () => {
    expect(statusBadge({ state: 'done' }, true)).toBe('\u001b[32m✔ done\u001b[39m');
  });
});

describe('menuChoiceLabel', () => {
  test('title padded so badges line up; detail in brackets', () => {
    expect(menuChoiceLabel('Create tables', { state: 'done', detail: '7 tables' }, false)).toBe(
      'Create tables            ✔ done (7 tables)',
    );
    expect(menuChoiceLabel('Load data', { state: 'todo' }, false)).toBe('Load data                • not yet');
  });

  test('colour on keeps the same text under the escapes', () => {
    const label = menuChoiceLabel('Load data', { state: 'stale', detail: 'x' }, true);
    expect(label).toContain('\u001b[');
    // eslint-disable-next-line no-control-regex -- the escape codes are what is tested
    expect(label.replace(/\u001b\[\d+m/g, '')).toBe('Load data                ↻ stale (x)');
  });
});

describe('the menu layout measures its titles', () => {
  // The Serverless menu's titles: the longest is wider than the old fixed column of 24.
  const titles = [
    'Warehouse',
    'AWS credentials',
    'Redshift Serverless workgroup',
    'Create tables',
    'Run SQL (read-only)',
    'Workgroup status and usage',
    'Tear down AWS resources',
  ];
  const LONG_DETAIL = 'the Data API failed in ExecuteStatement on workgroup dwhcluster: something long went wrong';

  test.each([true, false])(
    'at 80 columns (colour %s) every entry fits its line and the badges form one column',
    (color) => {
      const layout = menuLayout(titles, 80);
      const labels = [
        warehouseChoiceLabel('Warehouse', 'Redshift Serverless, private', color, layout),
        menuChoiceLabel(
          'AWS credentials',
          { state: 'done', detail: 'AWS_ACCESS_KEY_ID from the environment' },
          color,
          layout,
        ),
        menuChoiceLabel('Redshift Serverless workgroup', { state: 'todo', detail: 'no workgroup yet' }, color, layout),
        menuChoiceLabel('Create tables', { state: 'unavailable', detail: LONG_DETAIL }, color, layout),
        actionChoiceLabel('Workgroup status and usage', 'endpoint, RPUs, usage and cost so far', color, layout),
        checkingChoiceLabel('Tear down AWS resources', color, layout),
      ].map((label) => stripVTControlCharacters(label));
      // Two columns go to inquirer's cursor ("❯ ").
      for (const label of labels) expect(label.length, label).toBeLessThanOrEqual(78);
      const badgeColumns = labels.map((label) => label.search(/ {2}\S/) + 2);
      expect(new Set(badgeColumns).size).toBe(1);
      expect(labels[2]).toBe('Redshift Serverless workgroup  • not yet (no workgroup yet)');
      expect(labels[3]).toMatch(/^Create tables {18}– n\/a \(the Data API failed in .*…\)$/);
    },
  );

  test('titles no wider than the old column keep it; off a terminal nothing is cut', () => {
    expect(menuLayout(['Load data', 'Create tables'], 80).titleWidth).toBe(24);
    const layout = menuLayout(titles);
    const label = menuChoiceLabel('Create tables', { state: 'unavailable', detail: LONG_DETAIL }, false, layout);
    expect(label).toContain(LONG_DETAIL);
  });

  test('a title too wide for the terminal is cut, and its badge still fits', () => {
    const layout = menuLayout(['A title far too long for a narrow terminal of only forty columns'], 40);
    const label = menuChoiceLabel(
      'A title far too long for a narrow terminal of only forty columns',
      { state: 'done' },
      false,
      layout,
    );
    expect(label.length).toBeLessThanOrEqual(38);
    expect(label).toMatch(/… {2}✔ done$/);
  });
});

describe('renderHeader', () => {
  test('a box around target, warehouse, config and extra lines', () => {
    const header = renderHeader({
      target: 'embedded',
      description: 'PGlite in .sparkify/warehouse',
      configPath: 'dwh.cfg',
      lines: ['42 songplays loaded'],
      color: false,
    });
    expect(header).toBe(
      [
        '╭─ Sparkify data warehouse ────────────────╮',
        '│ target     embedded                      │',
        '│ warehouse  PGlite in .sparkify/warehouse │',
        '│ config     dwh.cfg                       │',
        '│ 42 songplays loaded                      │',
        '╰──────────────────────────────────────────╯',
      ].join('\n'),
    );
  });

  test('long text is cut so the box stays a box; colour does not change its shape', () => {
    const long = `not reachable: ${'x'.repeat(200)}`;
    const plain = renderHeader({ target: 'postgres', description: long, configPath: 'dwh.cfg', color: false });
    const widths = plain.split('\n').map((line) => [...line].length);
    expect(new Set(widths).size).toBe(1);
    expect(plain).toContain('…');
    const coloured = renderHeader({ target: 'postgres', description: long, configPath: 'dwh.cfg', color: true });
    expect(coloured).toContain('\u001b[');
    // eslint-disable-next-line no-control-regex -- the escape codes are what is tested
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });
});

describe('renderHeader width', () => {
  test('the box stays inside a narrow terminal: long values are cut with …', () => {
    const header = renderHeader({
      target: 'redshift',
      description: `not reachable: ${'x'.repeat(200)}`,
      configPath: './dwh.cfg',
      color: false,
      width: 80,
    });
    const widths = header.split('\n').map((line) => [...line].length);
    expect(Math.max(...widths)).toBe(80);
    expect(header).toMatch(/x…  ?│/);
  });
});

describe('the terminal Ui hold (the menu redrawn in place)', () => {
  /** A stream that records what reaches it. */
  function sink() {
    const chunks: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    return { stream, text: () => chunks.join('') };
  }

  test('lines written while held, by the Ui or straight to stderr, appear only at release, in order', async () => {
    const out = sink();
    const err = sink();
    const ui = createTerminalUi({ color: false, interactive: false, stdout: out.stream, stderr: err.stream });
    const release = ui.hold!();
    ui.note('a note');
    ui.warn('a warning');
    // Such as Node's own process warnings, which are written to stderr directly.
    err.stream.write('(node) Warning: something\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text()).toBe('');
    expect(err.text()).toBe('');
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text()).toBe('a note\n');
    expect(err.text()).toBe('⚠ a warning\n(node) Warning: something\n');
    // Released: writes go straight through again.
    err.stream.write('after\n');
    ui.info('info after');
    await new Promise((resolve) => setImmediate(resolve));
    expect(err.text()).toMatch(/after\n$/);
    expect(out.text()).toBe('a note\ninfo after\n');
  });
});
