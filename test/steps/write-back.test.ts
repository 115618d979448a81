/** writeBack writes only what differs and says whether dwh.cfg changed (the step's "already up to date"). */
import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { writeBack } from '../../src/steps/write-back.js';
import { configText } from '../aws/fakes.js';
import { makeTestContext } from '../support/context.js';

test('writeBack resolves true when it wrote, false (file untouched) when every value already matched', async () => {
  const t = await makeTestContext({ config: configText() });
  try {
    const change = [{ section: 'CLUSTER', key: 'HOST', value: 'h.example' }];
    expect(await writeBack(t.ctx.config, change)).toBe(true);
    const after = await readFile(t.configPath, 'utf8');
    expect(after).toMatch(/^HOST = h\.example$/m);
    expect(await writeBack(t.ctx.config, change)).toBe(false);
    expect(await writeBack(t.ctx.config, [])).toBe(false);
    expect(await readFile(t.configPath, 'utf8')).toBe(after);
  } finally {
    await t.cleanup();
  }
});
