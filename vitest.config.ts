import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // PGlite runs in a worker thread: the worker's code is bundled from src for the tests, and the
    // template data folder that `npm run build` makes is made once into node_modules/.cache.
    globalSetup: ['test/support/global-postgres.ts', 'test/support/embedded-runtime.ts'],
    setupFiles: ['test/support/embedded-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // PGlite instances and PostgreSQL databases are per test file; two workers match the CI machine.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
