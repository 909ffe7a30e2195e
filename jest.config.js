const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

// ES-module packages jest must transform (TOOLCHAIN.md pitfall 8; the testutils defaults plus
// @jupyterlab/ itself).
const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyterlab/',
  '@marijn',
  '@microsoft',
  'color',
  'exenv-es6',
  'lib0',
  'marked',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  collectCoverageFrom: [
    'src/**/*.{ts,tsx}',
    '!src/**/*.d.ts',
    '!src/**/.ipynb_checkpoints/*'
  ],
  coverageReporters: ['lcov', 'text'],
  reporters: ['default'],
  testRegex: 'src/.*/.*.spec.ts[x]?$',
  // A hang guard, not a speed goal: tests wait for the state they assert (fakeServer's
  // `until`, mount's `waitFor`, 8 s each), and a loaded CI machine may need several waits.
  testTimeout: 30000,
  // The template's testRegex matches absolute paths: keep Playwright specs out.
  testPathIgnorePatterns: [
    ...baseConfig.testPathIgnorePatterns,
    '<rootDir>/ui-tests/'
  ],
  // The built labextension carries a copy of package.json (jest-haste-map name collision).
  modulePathIgnorePatterns: ['<rootDir>/sagemaker_isolation_ext/'],
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
