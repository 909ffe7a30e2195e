/**
 * Playwright configuration of the version-matrix smoke (scripts/test-jl-matrix.sh): one JupyterLab
 * version per run, started from the matrix virtualenv given in MATRIX_VENV (the built wheel
 * installed there), in Debian's chromium, on the demo's local AWS. Browser settings come from
 * ../playwright.config.js; only the server, the port and the folders differ.
 *
 * Env: MATRIX_VENV (required), MATRIX_PORT (default 8897), MATRIX_LABEL (for the output folder).
 */
const path = require('path');

const PORT = process.env.MATRIX_PORT || '8897';
process.env.MATRIX_PORT = PORT;
// Read by ../playwright.config.js for its baseURL.
process.env.TARGET_URL = `http://127.0.0.1:${PORT}`;
const VENV = process.env.MATRIX_VENV;
if (!VENV) {
  throw new Error('MATRIX_VENV is not set: run scripts/test-jl-matrix.sh');
}
const LABEL = process.env.MATRIX_LABEL || path.basename(VENV);

const labConfig = require('../playwright.config.js');

module.exports = {
  ...labConfig,
  testDir: '.',
  testMatch: '**/*.spec.ts',
  // retries: as playwright.config.js (one on CI, none locally)
  timeout: 150 * 1000,
  reporter: [['list']],
  outputDir: path.join('..', 'test-results', `matrix-${LABEL}`),
  webServer: {
    // The venv's own jupyter-lab script: the package comes from the installed wheel (no source
    // tree on sys.path).
    command: `"${path.join(VENV, 'bin', 'jupyter-lab')}" --config jupyter_server_matrix_config.py`,
    cwd: __dirname,
    url: `${process.env.TARGET_URL}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: false
  }
};
