/**
 * Playwright configuration for the standalone page (sagemaker_isolation_ext/handlers_page.py) in
 * Debian's chromium, against a plain `jupyter server` WITHOUT JupyterLab: the Python of
 * ../.venv-legacy (jupyter_server 1.x, made by scripts/test-server-legacy.sh --setup-only) or
 * STANDALONE_PYTHON. The server runs only this extension, under base URL /jupyter/default/ (as in
 * Studio Classic), against the demo's local AWS (standalone/jupyter_server_standalone_config.py).
 *
 * Run: scripts/test-standalone-page.sh   (or: jlpm playwright test -c playwright-standalone.config.js)
 */
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

const path = require('path');

const PORT = process.env.STANDALONE_PORT || '8890';
const TOKEN = process.env.STANDALONE_TOKEN || 'standalone-test-token';
const BASE_URL = '/jupyter/default/';
const ROOT = path.resolve(__dirname, '..');
const PYTHON =
  process.env.STANDALONE_PYTHON ||
  path.join(ROOT, '.venv-legacy', 'bin', 'python');

process.env.STANDALONE_PORT = PORT;
process.env.STANDALONE_TOKEN = TOKEN;
process.env.STANDALONE_BASE_URL = BASE_URL;

module.exports = {
  testDir: './standalone',
  testMatch: '**/*.spec.ts',
  workers: 1,
  // CI (CI=true): one retry for a one-off browser hiccup; a spec that fails twice still fails
  // (playwright.config.js).
  retries: process.env.CI ? 1 : 0,
  timeout: 120 * 1000,
  expect: { timeout: 15 * 1000 },
  reporter: [['list']],
  outputDir: 'test-results/standalone',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    video: 'off',
    trace: 'retain-on-failure',
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless=new',
        '--disable-gpu',
        '--disable-dev-shm-usage'
      ]
    }
  },
  webServer: {
    command: `"${PYTHON}" -m jupyter_server --config standalone/jupyter_server_standalone_config.py`,
    cwd: __dirname,
    // 302 (to the login page) counts as ready for Playwright.
    url: `http://127.0.0.1:${PORT}${BASE_URL}sagemaker-isolation/`,
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI,
    env: {
      ...process.env,
      PYTHONPATH:
        ROOT +
        (process.env.PYTHONPATH ? path.delimiter + process.env.PYTHONPATH : '')
    }
  }
};
