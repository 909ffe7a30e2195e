/**
 * Galata configuration: Debian's chromium (no Playwright browser download, TOOLCHAIN.md §6),
 * no video (it needs Playwright's own ffmpeg), and a web server that starts JupyterLab with the
 * demo local AWS (see jupyter_server_test_config.py).
 */
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
// UI_TESTS_PORT (default 8888) is also read by jupyter_server_test_config.py.
const port = process.env.UI_TESTS_PORT || '8888';
process.env.TARGET_URL = process.env.TARGET_URL || `http://localhost:${port}`;

const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

module.exports = {
  ...baseConfig,
  // JupyterLab specs only: standalone/ has its own server (playwright-standalone.config.js).
  testDir: './tests',
  // One worker: the tests share one JupyterLab and the machine has 2 cores.
  workers: 1,
  // CI (CI=true): a failed spec runs once more, so a one-off browser hiccup on a loaded machine
  // does not fail the build; a spec that fails twice still does, and the retry is reported as
  // flaky. Locally: no retry.
  retries: process.env.CI ? 1 : 0,
  timeout: 120 * 1000,
  // Assertions without their own timeout wait up to 15 s for the state (Playwright: 5 s).
  expect: { timeout: 15 * 1000 },
  use: {
    ...baseConfig.use,
    baseURL: process.env.TARGET_URL,
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
    command: 'jlpm start',
    url: `${process.env.TARGET_URL}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
