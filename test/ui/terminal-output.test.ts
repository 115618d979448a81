/**
 * The terminal Ui's two kinds of output (issue 9.5, 9.10): the tool's own messages are redacted
 * and have control characters shown escaped, whatever method prints them; the user's data goes
 * out through `data` byte for byte, with back-pressure, and stops quietly when the reader goes.
 */
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { clearSecrets, registerSecret } from '../../src/ui/redact.js';
import { createTerminalUi, loadTableRenderer } from '../../src/ui/terminal.js';

// The terminal Ui loads its table renderer (and exact text widths) after start-up; the app waits for it.
beforeAll(async () => {
  await loadTableRenderer();
});

/** A control character other than a line feed, written raw (the lint rule forbids exactly this on purpose). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const EVIL = '\u001b]0;owned\u0007\u001b[2J\u001b[31m\r';
const SHOWN = '\\x1b]0;owned\\x07\\x1b[2J\\x1b[31m\\r';

function captured(color: boolean) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const seen = { out: '', err: '' };
  stdout.on('data', (chunk: Buffer) => (seen.out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (seen.err += chunk.toString()));
  return { ui: createTerminalUi({ color, interactive: false, stdout, stderr }), seen };
}

afterEach(() => clearSecrets());

describe("the tool's own messages", () => {
  test('show control characters escaped through every method (colour off: no ESC at all)', () => {
    const { ui, seen } = captured(false);
    ui.heading(`h ${EVIL}`);
    ui.info(`i ${EVIL}`);
    ui.success(`s ${EVIL}`);
    ui.warn(`w ${EVIL}: line 12 rejected`);
    ui.error(`e ${EVIL}\n→ hint`);
    ui.note(`n ${EVIL}`);
    ui.spinner(`sp ${EVIL}`).fail(`f ${EVIL}`);
    ui.table([{ reason: `r ${EVIL}` }], { title: `t ${EVIL}` });
    ui.barChart([{ label: `l ${EVIL}`, value: 1 }], { title: `c ${EVIL}` });
    const all = seen.out + seen.err;
    expect(all).not.toMatch(RAW_CONTROL);
    // 6 message lines, the spinner's start and end, table title and cell, chart title and label.
    expect(all.split(SHOWN).length - 1).toBe(12);
    expect(seen.err).toContain(`✖ e ${SHOWN}\n  → hint\n`);
  });

  test('with colour on, only our own colour codes reach the terminal', () => {
    const { ui, seen } = captured(true);
    ui.error(`bad title ${EVIL}`);
    expect(seen.err).toContain(SHOWN);
    expect(seen.err).not.toContain('\u001b]0;');
    expect(seen.err).not.toContain('\u001b[2J');
    expect(seen.err).toContain('\u001b[31m✖');
  });
});

describe('the user data (Ui.data)', () => {
  test('is written exactly: not redacted, not escaped', async () => {
    registerSecret('checkpoint-secret');
    const { ui, seen } = captured(false);
    expect(await ui.data(`checkpoint-secret,${EVIL}\n`)).toBe(true);
    expect(seen.out).toBe(`checkpoint-secret,${EVIL}\n`);
    expect(ui.dataIsTerminal).toBe(false);
  });

  test('waits for a full stdout to drain before resolving', async () => {
    let release: (() => void) | undefined;
    const slow = new Writable({
      highWaterMark: 4,
      write(_chunk, _encoding, callback) {
        release = callback;
      },
    });
    const ui = createTerminalUi({ color: false, interactive: false, stdout: slow, stderr: new PassThrough() });
    let resolved = false;
    const written = ui.data('more than four bytes').then((open) => {
      resolved = true;
      return open;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(resolved).toBe(false);
    release?.();
    expect(await written).toBe(true);
  });

  test('resolves false once the reader has gone (EPIPE), and does not throw', async () => {
    const closed = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const ui = createTerminalUi({ color: false, interactive: false, stdout: closed, stderr: new PassThrough() });
    await ui.data('first');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await ui.data('second')).toBe(false);
  });
});
