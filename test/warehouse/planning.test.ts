import { expect, test } from 'vitest';
import { openPlanningWarehouse } from '../../src/warehouse/planning.js';
import type { CopyText } from '../../src/warehouse/types.js';

test('a planned COPY counts the rows of string and byte pieces alike (event rows come as bytes)', async () => {
  const warehouse = openPlanningWarehouse({
    target: 'embedded',
    description: 'embedded warehouse',
    assume: 'empty',
    onStatement: () => undefined,
  });
  async function* pieces(): AsyncGenerator<CopyText> {
    yield 'a\t1\nb\t2\n';
    yield Buffer.from('c\t3\nd\t4\ne\t5\n', 'utf8');
  }
  const copied = await warehouse.transaction((tx) =>
    warehouse.capabilities.copyFromStdin!.copyIn(tx, 'staging_events', ['artist', 'auth'], pieces()),
  );
  expect(copied).toBe(5);
});
