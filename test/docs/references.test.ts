/**
 * The documents point at real things: relative links (and their #anchors) in README.md and docs/
 * lead somewhere, repository paths written in backticks exist, and every test that docs/safety.md
 * names as the proof of a promise is still there under that name. Tests move when code moves; this
 * keeps the documents from quietly citing a test that no longer exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = join(ROOT, 'docs');
const DOCUMENTS = [
  join(ROOT, 'README.md'),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(DOCS, name)),
];

/** Text outside fenced code blocks: links and paths inside examples are not claims. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces → hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(path: string): Set<string> {
  const headings = prose(readFileSync(path, 'utf8')).match(/^#{1,6} .+$/gm) ?? [];
  return new Set(headings.map((heading) => slug(heading.replace(/^#+ /, ''))));
}

describe('documents', () => {
  test('the documents exist: README.md and the docs/ pages', () => {
    const names = DOCUMENTS.map((path) => relative(ROOT, path));
    for (const page of [
      'README.md',
      'docs/README.md',
      'docs/commands.md',
      'docs/configuration.md',
      'docs/data.md',
      'docs/redshift.md',
      'docs/safety.md',
      'docs/performance.md',
      'docs/dependencies.md',
      'docs/development.md',
    ]) {
      expect(names).toContain(page);
    }
  });

  test('the README stays a front door: at most 300 lines', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(300);
  });

  test.each(DOCUMENTS.map((path) => [relative(ROOT, path), path]))('%s: relative links lead somewhere', (_, path) => {
    const broken: string[] = [];
    for (const [, target] of prose(readFileSync(path, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!)) continue; // https:, mailto:
      const [file, anchor] = target!.split('#') as [string, string | undefined];
      const destination = file === '' ? path : resolve(dirname(path), file);
      if (!existsSync(destination)) {
        broken.push(`${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined && destination.endsWith('.md') && !anchorsOf(destination).has(anchor)) {
        broken.push(`${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  test.each(DOCUMENTS.map((path) => [relative(ROOT, path), path]))('%s: repository paths exist', (_, path) => {
    const missing = [...prose(readFileSync(path, 'utf8')).matchAll(/`((?:src|test|bench|docs)\/[\w./-]+)`/g)]
      .map(([, repoPath]) => repoPath!)
      .filter((repoPath) => !repoPath.includes('*') && !existsSync(join(ROOT, repoPath)));
    expect(missing).toEqual([]);
  });

  test('docs/safety.md names tests that exist, under those names', () => {
    const lines = readFileSync(join(DOCS, 'safety.md'), 'utf8').split('\n');
    const missing: string[] = [];
    let cited = 0;
    let file: string | undefined;
    for (const line of lines) {
      const fileLine = /^- `(test\/[^`]+)`/.exec(line);
      if (fileLine) {
        file = fileLine[1];
        continue;
      }
      const titleLine = /^ {2}- `([^`]+)`/.exec(line);
      if (titleLine && file) {
        // A title cut short with … names the start of the test's title.
        const title = titleLine[1]!.split('…')[0]!;
        const source = readFileSync(join(ROOT, file), 'utf8');
        cited += 1;
        if (!source.includes(title)) missing.push(`${file}: ${titleLine[1]}`);
        continue;
      }
      if (!line.startsWith('  ')) file = undefined;
    }
    expect(cited).toBeGreaterThan(20);
    expect(missing, 'docs/safety.md cites these tests, which are not (or no longer) there').toEqual([]);
  });

  test('no code or test cites the product spec by section: comments cite docs/ pages', () => {
    // Built from parts so this file does not match itself.
    const citation = new RegExp(['SPEC', '§'].join(' '));
    const files = (folder: string): string[] =>
      readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? files(join(folder, entry.name)) : [join(folder, entry.name)],
      );
    const citing = ['src', 'test', 'bench']
      .flatMap((folder) => files(join(ROOT, folder)))
      .filter((path) => path.endsWith('.ts') && citation.test(readFileSync(path, 'utf8')))
      .map((path) => relative(ROOT, path));
    expect(citing).toEqual([]);
  });

  test('the anchor rule matches the headings the documents link to', () => {
    expect(slug('Without a terminal, and `--yes`')).toBe('without-a-terminal-and---yes');
    expect(slug("IAM: what the cluster's role may do")).toBe('iam-what-the-clusters-role-may-do');
    expect(slug('[DWH]')).toBe('dwh');
  });
});
