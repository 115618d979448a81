/**
 * Vitest global setup for the embedded warehouse when tests run the TypeScript sources:
 *
 * - PGlite runs in a worker thread whose entry, once built, is dist/warehouse/embedded-worker.js.
 *   Node cannot start a worker from a .ts file, so embedded-worker.ts is bundled here with esbuild
 *   (PGlite itself stays an import of the installed package) into a temporary folder.
 * - A new warehouse starts as a copy of a template data folder that `npm run build` makes; the
 *   same template is made here once (PGlite's initdb, a few seconds) and kept between runs under
 *   node_modules/.cache, keyed by the PGlite version.
 *
 * embedded-setup.ts (a setup file) points each test process at both.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { makeTemplate, templateCacheDir } from '../../src/warehouse/embedded-template.js';

declare module 'vitest' {
  export interface ProvidedContext {
    embeddedWorkerUrl: string;
    embeddedTemplateDir: string;
  }
}

const root = resolve(import.meta.dirname, '../..');
let scratch: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  scratch = await mkdtemp(join(tmpdir(), 'sparkify-embedded-worker-'));
  const outfile = join(scratch, 'embedded-worker.mjs');
  const pglite = pathToFileURL(
    // The bundle lives outside the repository, so the one bare import it keeps is made absolute.
    (await import('node:module')).createRequire(import.meta.url).resolve('@electric-sql/pglite'),
  );
  const pgliteModule = new URL('./index.js', pglite).href;
  await build({
    entryPoints: [join(root, 'src/warehouse/embedded-worker.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    plugins: [
      {
        name: 'installed-pglite',
        setup(on) {
          on.onResolve({ filter: /^@electric-sql\/pglite$/ }, () => ({ path: pgliteModule, external: true }));
        },
      },
    ],
  });
  project.provide('embeddedWorkerUrl', pathToFileURL(outfile).href);
  const template = templateCacheDir(root);
  await makeTemplate(template);
  project.provide('embeddedTemplateDir', template);
}

export async function teardown(): Promise<void> {
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
}
