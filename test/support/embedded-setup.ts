/**
 * Vitest setup file: points the embedded warehouse, loaded here from its TypeScript sources, at
 * the worker bundle and the template data folder that embedded-runtime.ts made (the built
 * program finds both beside its own modules in dist/warehouse).
 */
import { inject } from 'vitest';
import { setEmbeddedTemplateDir } from '../../src/warehouse/embedded.js';
import { setEmbeddedWorkerEntry } from '../../src/warehouse/embedded-host.js';

setEmbeddedWorkerEntry(new URL(inject('embeddedWorkerUrl')));
setEmbeddedTemplateDir(inject('embeddedTemplateDir'));
