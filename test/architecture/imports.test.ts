/**
 * The layering in docs/development.md, checked on the source: no folder of src/ imports a folder
 * that imports it back, type-only and lazy `import()` imports included. A shared type lives in the
 * lower folder. Files directly under src/ count as their own node ("app", "cli", "errors"…).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, test } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The node a file belongs to: its top folder under src/, or its own name for files at the top. */
function nodeOf(file: string): string {
  const [first, ...rest] = relative(SRC, file).split(sep);
  return rest.length === 0 ? first!.replace(/\.ts$/, '') : first!;
}

/** Relative specifiers of every import, export … from, and import() in `text`. */
function importsIn(text: string): string[] {
  const pattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  return [...text.matchAll(pattern)].map((match) => match[1]!);
}

function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = nodeOf(file);
    for (const specifier of importsIn(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
      const to = nodeOf(target);
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      // Keep one example file per edge, so a failure says where to look.
      if (!edges.has(to)) edges.set(to, relative(SRC, file));
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Every cycle, as the list of nodes and one file per edge (depth-first, each reported once). */
function cycles(graph: Map<string, Map<string, string>>): string[] {
  const found = new Set<string>();
  const visit = (node: string, path: string[]): void => {
    for (const [next, file] of graph.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) {
        const loop = [...path.slice(at), next];
        const key = [...loop.slice(0, -1)].sort().join(',');
        if (![...found].some((text) => text.startsWith(`${key}:`))) found.add(`${key}: ${loop.join(' → ')} (${file})`);
        continue;
      }
      if (path.length < 12) visit(next, [...path, next]);
    }
  };
  for (const node of graph.keys()) visit(node, [node]);
  return [...found].map((text) => text.slice(text.indexOf(': ') + 2));
}

describe('imports point one way', () => {
  test('the checker sees a loop when there is one', () => {
    const graph = new Map([
      ['steps', new Map([['ui', 'steps/a.ts']])],
      ['ui', new Map([['steps', 'ui/b.ts']])],
    ]);
    expect(cycles(graph)).toHaveLength(1);
  });

  test('no folder of src/ imports a folder that imports it back', () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(5);
    expect(cycles(graph)).toEqual([]);
  });
});
