// Lint rules for an async CLI: a floating or misused promise is a lost error or a Ctrl-C that
// does nothing, so the type-aware promise rules are errors. Formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-bench/', 'coverage/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function without await is how a synchronous body meets an async interface (steps,
      // warehouse doubles, async generators over in-memory data): not a bug here.
      '@typescript-eslint/require-await': 'off',
      // RecordProblem is a rejection reason thrown per bad data line: deliberately not an Error, so
      // rejecting a million lines does not capture a million stack traces (src/source/validate.ts).
      '@typescript-eslint/only-throw-error': ['error', { allow: [{ from: 'file', name: 'RecordProblem' }] }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
