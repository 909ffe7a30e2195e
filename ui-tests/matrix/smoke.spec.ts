/**
 * Version-matrix smoke (scripts/test-jl-matrix.sh): the built wheel installed into one
 * JupyterLab 4.x, on the demo's local AWS. The panel opens, a check completes with its verdict,
 * the installation self-check says OK for this environment, explain answers, and the browser
 * logs no error and no "Unsatisfied version ... of shared singleton module" warning.
 */
import { expect, test } from '@jupyterlab/galata';

const PANEL_ID = 'jp-SMIso-panel';
const ACCOUNT = '123456789012';

test.use({
  // Listen to the console before JupyterLab loads: the shared-module warnings come at load time.
  autoGoto: false,
  // Galata's default mocked settings are those of the JupyterLab it ships with (4.6): older
  // JupyterLabs reject unknown keys (console-extension's showBanner) and log plugin failures
  // that are not this extension's. Mock only what every 4.x accepts.
  mockSettings: {
    '@jupyterlab/apputils-extension:notification': {
      checkForUpdates: false,
      fetchNews: 'false'
    }
  }
});

test('panel, check, self-check and explain, with a clean console', async ({
  page
}) => {
  const problems: string[] = [];
  page.on('console', msg => {
    const text = msg.text();
    if (msg.type() === 'error' || /Unsatisfied version/i.test(text)) {
      problems.push(`console.${msg.type()}: ${text}`);
    }
  });
  page.on('pageerror', error => problems.push(`pageerror: ${error.message}`));

  await page.goto();
  const labVersion = await page.evaluate(
    () => (window as any).jupyterapp?.version as string | undefined
  );
  if (process.env.MATRIX_JL_VERSION) {
    expect(labVersion).toBe(process.env.MATRIX_JL_VERSION);
  }

  // The panel opens from its sidebar tab.
  await page.locator(`.jp-SideBar [data-id="${PANEL_ID}"]`).click();
  const panel = page.locator(`#${PANEL_ID}`);
  await expect(panel).toBeVisible();

  // A check completes with its verdict (the demo's research domain is not isolated).
  const badge = panel.locator('.jp-SMIso-verdict .jp-SMIso-badge');
  await expect(badge).toHaveAttribute('data-verdict', 'not_isolated', {
    timeout: 90_000
  });

  // The installation self-check: this environment, this JupyterLab, the same release.
  const check = panel.locator('[data-testid="jp-SMIso-servercheck"]');
  await expect(check).toHaveAttribute('data-ok', 'true');
  if (process.env.MATRIX_VENV) {
    await expect(check).toContainText(process.env.MATRIX_VENV);
  }
  if (labVersion) {
    await expect(check).toContainText(labVersion);
  }

  // Explain answers (offline: no AWS call needed).
  const explain = panel.locator('.jp-SMIso-explain');
  await explain
    .locator('textarea')
    .fill(
      `AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/AmazonSageMaker-ExecutionRole-20240428T152593/SageMaker ` +
        `is not authorized to perform: sagemaker:AddTags on resource: arn:aws:sagemaker:us-east-1:${ACCOUNT}:space/d-ml-research/demo ` +
        'because no permissions boundary allows the sagemaker:AddTags action'
    );
  const offline = explain.locator('input[type="checkbox"]');
  if (!(await offline.isChecked())) {
    await offline.click();
  }
  await explain.locator('.jp-SMIso-explain-run').click();
  await expect(explain.locator('[data-cause-id]').first()).toHaveAttribute(
    'data-cause-id',
    'tag-on-create-blocked-boundary',
    { timeout: 30_000 }
  );

  expect(problems).toEqual([]);
});
