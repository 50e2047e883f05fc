// Lint (run by `npm test` and `npm run lint`): ESLint's and typescript-eslint's recommended rules,
// plus the project's rule that packages depend on each other only through their declared exports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import noCrossWorkspaceSrc from './scripts/lint/no-cross-workspace-src.js';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.build/**', 'client/dist/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly' } },
    plugins: { wardwall: { rules: { 'no-cross-workspace-src': noCrossWorkspaceSrc } } },
    rules: {
      'wardwall/no-cross-workspace-src': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `a && b()` and `(x(), y())` are used on purpose in event handlers.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
    },
  },
  {
    // Tests, benchmarks and test tools poke at replies and pages of any shape.
    files: ['**/test/**', 'e2e/**', 'bench/**', 'testing/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
