/**
 * What the menu loads before its first drawing (docs/performance.md, start-up): the modules that
 * src/cli.ts and the menu's path import statically, followed through src/. The heavy parts (AWS,
 * PGlite, pg, the loader and source readers, string-width, ora) must stay behind a dynamic
 * `import()` that runs after the drawing, or only in the commands that need them.
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/**
 * The files the menu imports, directly or by `import()`, before it draws: the entry, what
 * cli.ts's `execute` and app.ts's `createContext`/`runCommand` import, and the menu's step.
 */
const MENU_PATH = [
  'cli.ts',
  'app.ts',
  'ui/terminal.ts',
  'ui/errors.ts',
  'ui/redact.ts',
  'ui/prompts.ts',
  'config/store.ts',
  'config/lock.ts',
  'steps/menu.ts',
];

/** Packages and folders of src/ that the first drawing does not need. */
const NOT_BEFORE_DRAWING = [
  /^@aws-sdk\//,
  /^@smithy\//,
  /^@electric-sql\/pglite/,
  /^pg($|\/|-)/,
  /^libpg-query$/,
  /^string-width$/,
  /^ora$/,
  // src/aws/errors.ts only names errors (no SDK): the menu's statuses use it.
  /^src\/aws\/(?!errors\.ts$)/,
  /^src\/(load|source)\//,
  /^src\/warehouse\/(embedded|postgres|redshift|data-api)/,
  /^src\/sql\/(transform|read-only|analytics|copy)\.ts$/,
  /^src\/ui\/(render|results)\.ts$/,
];

/**
 * Specifiers of the imports that run when `text` is evaluated: `import … from`, `export … from`
 * and bare `import '…'`, but not `import type`/`export type` (erased) and not `import()`.
 */
function staticImports(text: string): string[] {
  const pattern = /^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  return [...text.matchAll(pattern)].map((match) => match[1]!);
}

/** Every src file and package loaded by evaluating `entries` (paths under src/). */
function staticClosure(entries: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const pending = entries.map((entry) => resolve(SRC, entry));
  while (pending.length > 0) {
    const file = pending.pop()!;
    const name = `src/${relative(SRC, file)}`;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const specifier of staticImports(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (!specifier.startsWith('node:')) seen.add(specifier);
    }
  }
  return seen;
}

describe('the menu draws before it loads what it does not need yet', () => {
  test('the import reader sees static imports, and not type-only or dynamic ones', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "export { c } from './c.js';",
      "export type { D } from './d.js';",
      "import './e.js';",
      "import {\n  f,\n  type G,\n} from 'f-package';",
      "const h = await import('./h.js');",
    ].join('\n');
    expect(staticImports(text)).toEqual(['./a.js', './c.js', './e.js', 'f-package']);
  });

  test('nothing of AWS, PGlite, pg, the loader, string-width or ora before the first drawing', () => {
    const loaded = [...staticClosure(MENU_PATH)];
    // The closure is real: it reaches the prompt library and the menu's own modules.
    expect(loaded).toContain('src/steps/index.ts');
    expect(loaded).toContain('commander');
    expect(loaded.filter((name) => NOT_BEFORE_DRAWING.some((pattern) => pattern.test(name)))).toEqual([]);
  });
});
