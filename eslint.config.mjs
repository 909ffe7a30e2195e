// ESLint 9 flat config for the TypeScript frontend (src/ only): typescript-eslint recommended
// rules, JupyterLab naming habits (interfaces prefixed with I); prettier owns formatting.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const SOURCES = ['src/**/*.{ts,tsx}'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'lib/',
      'coverage/',
      'sagemaker_isolation_ext/',
      'ui-tests/',
      'scripts/',
      'tests/',
      'docs/',
      '.venv/',
      '**/*.d.ts',
      '*.config.js',
      '*.config.mjs'
    ]
  },
  // The shared presets apply to the frontend sources only.
  ...[js.configs.recommended, ...tseslint.configs.recommended, prettier].map(
    config => ({
      ...config,
      files: SOURCES
    })
  ),
  {
    files: SOURCES,
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: { regex: '^I[A-Z]', match: true }
        }
      ],
      '@typescript-eslint/no-unused-vars': ['warn', { args: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  }
);
