/**
 * `npm run build` runs this after tsc: it makes the template data folder that new embedded
 * warehouses start as a copy of (embedded-template.ts), beside the compiled modules in
 * dist/warehouse/pglite-template, so a user's machine never runs PGlite's initdb. The template
 * is made once per PGlite version under node_modules/.cache and copied from there on later builds.
 */
import { cp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { builtTemplateDir, makeTemplate, templateCacheDir } from './embedded-template.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const cached = templateCacheDir(projectRoot);
const outcome = await makeTemplate(cached);
const dir = builtTemplateDir();
await rm(dir, { recursive: true, force: true });
await cp(cached, dir, { recursive: true });
process.stdout.write(`${outcome === 'made' ? 'Made' : 'Copied'} the embedded warehouse template into ${dir}\n`);
