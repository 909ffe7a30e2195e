/**
 * Galata configuration: Debian's chromium (no Playwright browser download, TOOLCHAIN.md §6),
 * no video (it needs Playwright's own ffmpeg), and a web server that starts JupyterLab with the
 * demo local AWS (see jupyter_server_test_config.py).
 */
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';

const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

module.exports = {
  ...baseConfig,
  // One worker: the tests share one JupyterLab and the machine has 2 cores.
  workers: 1,
  timeout: 120 * 1000,
  use: {
    ...baseConfig.use,
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
    url: 'http://localhost:8888/lab',
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
