// Flat ESLint config: type-aware typescript-eslint for every TypeScript file in the
// workspace, plain recommended rules for JavaScript files.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const typedFiles = ['packages/**/*.ts', 'apps/**/*.ts'];

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/.turbo/**', '**/bench-results/**'],
  },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: typedFiles })),
  {
    files: typedFiles,
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The codec runs in every JavaScript runtime: no Node built-ins in its source.
    files: ['packages/codec/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: '@fcgi/codec must not import Node built-ins.' }] }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'Use Uint8Array in @fcgi/codec.' }, { name: 'process', message: '@fcgi/codec must not use process.' }],
    },
  },
  {
    // Adapters, the harness and the CLI use only the public entry points of other packages.
    files: ['packages/express/**/*.ts', 'packages/fastify/**/*.ts', 'packages/harness/**/*.ts', 'packages/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@fcgi/*/src/*', '@fcgi/*/dist/*', '../../*/src/*'], message: 'Import other @fcgi packages through their public entry points only.' }] }],
    },
  },
  {
    files: ['**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
