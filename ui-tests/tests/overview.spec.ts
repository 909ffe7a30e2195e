/**
 * Issue 17: every domain at a glance, on the demo (real server extension, real analysis, the
 * local AWS seeded by jupyter_server_test_config.py: ml-research is not isolated, its default
 * execution role carrying AmazonSageMakerFullAccess). The overview opens from the sidebar, marks
 * the not-isolated domain's row, and a cell shows the request that proves a reach; a domain's
 * report opens in its own tab. axe-core (WCAG 2.1 AA) in the light and the dark theme.
 *
 * Test runs write the pictures under ui-tests/screenshots/ (gitignored): a test run leaves the
 * work tree clean. scripts/refresh-screenshot.sh sets SMISO_OVERVIEW_SCREENSHOTS to docs/ to
 * refresh the README's pictures on purpose.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as path from 'path';
import { expectNoAxeViolations } from '../helpers/a11y';

const PANEL_ID = 'jp-SMIso-panel';
const OVERVIEW_ID = 'jp-SMIso-overview';
const PICTURES =
  process.env.SMISO_OVERVIEW_SCREENSHOTS ||
  path.resolve(__dirname, '..', 'screenshots');

test.use({ autoGoto: true });

/** A picture of the whole overview (a taller window, scrolled to the top), for the README. */
async function picture(
  page: IJupyterLabPageFixture,
  name: string
): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 1450 });
  await overview(page)
    .locator('.jp-SMIso-overview')
    .evaluate(el => el.scrollTo(0, 0));
  await page.screenshot({ path: path.join(PICTURES, name) });
  await page.setViewportSize({ width: 1280, height: 900 });
}

function overview(page: IJupyterLabPageFixture): Locator {
  return page.locator(`#${OVERVIEW_ID}`);
}

/** Open the overview from the sidebar's "Open overview" button and wait for the matrix. */
async function openOverview(page: IJupyterLabPageFixture): Promise<Locator> {
  await page.locator(`.jp-SideBar [data-id="${PANEL_ID}"]`).click();
  const card = page.locator('[data-testid="jp-SMIso-ov-card"]');
  await card.getByRole('button', { name: 'Open overview' }).click();
  const ov = overview(page);
  await expect(ov).toBeVisible();
  // The job runs on the server (every domain of the demo account); progress, then the matrix.
  await expect(ov.getByRole('grid')).toBeVisible({ timeout: 110_000 });
  return ov;
}

test.describe('Account overview on the demo', () => {
  test('opens, marks the not-isolated domain, a cell click shows a witness', async ({
    page
  }) => {
    const ov = await openOverview(page);

    // The overall verdict: the demo has a not-isolated domain.
    await expect(ov.locator('.jp-SMIso-ov-verdict')).toHaveAttribute(
      'data-verdict',
      'not_isolated'
    );

    // ml-research's row is marked not isolated; ml-secure's (the deny template) is isolated.
    const research = ov.locator('tr.jp-SMIso-ov-row', {
      has: page.getByRole('button', { name: 'ml-research', exact: true })
    });
    await expect(research).toHaveAttribute('data-verdict', 'not_isolated');
    await expect(research.locator('.jp-SMIso-badge')).toHaveText(
      'Not isolated'
    );
    const secure = ov.locator('tr.jp-SMIso-ov-row', {
      has: page.getByRole('button', { name: 'ml-secure', exact: true })
    });
    await expect(secure).toHaveAttribute('data-verdict', 'isolated');
    await expect(secure.locator('.jp-SMIso-badge')).toHaveText('Isolated');

    // "Do this next" lists at least one fix, with how many findings it closes.
    await expect(
      ov
        .locator('[data-testid="jp-SMIso-ov-fixes"] .jp-SMIso-ov-closes')
        .first()
    ).toContainText(/closes \d+ finding/);

    // A cell of ml-research's row with actions: its label is in words, with domain names.
    const cell = research
      .locator('td[role="gridcell"]:not([data-actions="0"])')
      .first();
    await expect(cell).toHaveAttribute(
      'aria-label',
      /^ml-research can take \d+ actions? on the resources of /
    );
    await cell.click();
    const detail = ov.locator('[data-testid="jp-SMIso-ov-detail"]');
    await expect(detail.locator('h3')).toHaveText(
      (await cell.getAttribute('aria-label')) ?? ''
    );
    const witness = detail.locator('[data-testid="jp-SMIso-witness"]').first();
    await witness.locator('summary').click();
    await expect(witness.locator('.jp-SMIso-witness-request')).toContainText(
      /calls sagemaker:\w+ on arn:aws:sagemaker:/
    );

    await picture(page, 'screenshot-overview-light.png');
    await expectNoAxeViolations(page, 'overview (light)', [`#${OVERVIEW_ID}`]);

    // Keyboard: Enter on a focused cell opens it too.
    await cell.focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await expect(detail.locator('h3')).toHaveText(
      /^ml-research (can take|on its own|onto .*: not computed)/
    );

    // The account that refuses entry is an error row, in words.
    await expect(ov.locator('.jp-SMIso-ov-error-row')).toContainText(
      'AssumeRole'
    );

    await page.theme.setDarkTheme();
    await expect(page.locator('body')).toHaveAttribute(
      'data-jp-theme-light',
      'false'
    );
    await cell.click();
    await detail
      .locator('[data-testid="jp-SMIso-witness"]')
      .first()
      .locator('summary')
      .click();
    await picture(page, 'screenshot-overview-dark.png');
    await expectNoAxeViolations(page, 'overview (dark)', [`#${OVERVIEW_ID}`]);
    await page.theme.setLightTheme();
  });

  test('a domain report opens in its own tab; the command is in the palette and the launcher', async ({
    page
  }) => {
    const commands = await page.evaluate(() =>
      (window as any).jupyterapp.commands.listCommands()
    );
    expect(commands).toContain('sagemaker-isolation:open-overview');
    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute('launcher:create');
    });
    await expect(
      page.locator('.jp-LauncherCard:visible', {
        hasText: 'Isolation Overview'
      })
    ).toBeVisible();

    const ov = await openOverview(page);
    await ov.getByRole('button', { name: 'ml-research', exact: true }).click();
    const tab = page.locator('.jp-MainAreaWidget[id^="jp-SMIso-domain-"]');
    await expect(tab).toBeVisible();
    await expect(
      page.locator(
        '#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel'
      )
    ).toHaveText('ml-research');
    await expect(
      tab.locator('.jp-SMIso-verdict .jp-SMIso-badge')
    ).toHaveAttribute('data-verdict', 'not_isolated', { timeout: 90_000 });
  });
});
