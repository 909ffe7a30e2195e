/**
 * Issue 19 on the standalone page (no JupyterLab): axe-core (WCAG 2.1 A/AA) on the whole page
 * with a report, the coverage table and an explanation shown, in the light and the dark colour
 * scheme; keyboard-only: the check and Explain buttons keep the focus while busy
 * (aria-disabled), the verdict heading and the result heading take it when the work ends, the
 * status regions say what happened, the focus is never lost to <body>, outlines are 2 px.
 */
import { expect, test, type Page } from '@playwright/test';
import {
  expectNoAxeViolations,
  focusLosses,
  focusOutlineWidth,
  watchFocusLoss
} from '../helpers/a11y';
import { DENIAL, PAGE, TOKEN } from './fixtures';

/** Open the page, run the check with the keyboard and explain a denial offline. */
async function fillPage(page: Page): Promise<void> {
  await page.goto(`${PAGE}?token=${TOKEN}`);
  await expect(page.locator('#si-domain')).toHaveValue('d-ml-research');
  await expect(page.getByTestId('coverage-table')).toBeVisible();
  await page.locator('#si-check').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('verdict')).toHaveText('Not isolated', {
    timeout: 90_000
  });
  await expect(page.getByTestId('explain')).toBeVisible();
  await page.locator('#si-explain-text').fill(DENIAL);
  await page.locator('#si-explain-offline').check();
  await page.locator('#si-explain-button').click();
  await expect(page.getByTestId('cause').first()).toBeVisible({
    timeout: 30_000
  });
  // Open the collapsed lists so their content is checked too.
  await page
    .locator('details')
    .evaluateAll(all =>
      all.forEach(d => ((d as HTMLDetailsElement).open = true))
    );
}

test.describe('standalone page accessibility (WCAG 2.1 AA)', () => {
  for (const scheme of ['light', 'dark'] as const) {
    test(`axe: no violation with a report and an explanation (${scheme})`, async ({
      page
    }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await fillPage(page);
      const summary = await expectNoAxeViolations(
        page,
        `standalone page (${scheme})`
      );
      // On a plain page axe can judge the contrast: it must have run and passed.
      expect(summary.colorContrast).toBe('pass');
    });
  }

  test('keyboard: busy buttons keep the focus, results take it, status regions speak', async ({
    page
  }) => {
    await page.goto(`${PAGE}?token=${TOKEN}`);
    await expect(page.locator('#si-domain')).toHaveValue('d-ml-research');

    // Reachable with Tab from the domain field: Region, Check, Re-check.
    await page.locator('#si-domain').focus();
    await watchFocusLoss(page);
    expect(await focusOutlineWidth(page)).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('Tab');
    await expect(page.locator('#si-region')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.locator('#si-check')).toBeFocused();
    await page.keyboard.press('Tab');
    const recheck = page.locator('#si-refresh');
    await expect(recheck).toBeFocused();
    expect(await focusOutlineWidth(page)).toBeGreaterThanOrEqual(2);

    await page.keyboard.press('Enter');
    await expect(recheck).toHaveAttribute('aria-disabled', 'true');
    await expect(recheck).toBeFocused();
    await expect(page.getByTestId('status')).toContainText('Checking');
    await expect(page.getByTestId('status')).toContainText(
      'Verdict: not isolated',
      { timeout: 90_000 }
    );
    await expect(page.locator('#si-verdict-title')).toBeFocused();
    await expect(recheck).not.toHaveAttribute('aria-disabled', 'true');

    // A witness's "Copy command": its name is its visible text, and the outcome is announced.
    const leaks = page.locator('[data-testid="role-row"] td > details').first();
    await leaks.locator(':scope > summary').focus();
    await page.keyboard.press('Enter');
    const witness = leaks.getByTestId('witness').first();
    await witness.locator(':scope > summary').focus();
    await page.keyboard.press('Enter');
    const copy = witness.getByRole('button', { name: 'Copy command' });
    await copy.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('copy-status')).toHaveText(
      /^(Copied|Select the command and copy it)$/
    );
    // No aria-label hides the visible text ("Copied") from the accessible name.
    expect(await copy.getAttribute('aria-label')).toBeNull();

    // Explain with the keyboard: textarea → checkbox → Explain.
    await expect(page.getByTestId('explain')).toBeVisible();
    await page.locator('#si-explain-text').focus();
    await page.keyboard.insertText(DENIAL);
    await page.keyboard.press('Tab');
    await expect(page.locator('#si-explain-offline')).toBeFocused();
    expect(await focusOutlineWidth(page)).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    const explain = page.locator('#si-explain-button');
    await expect(explain).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('explain-status')).toHaveText(
      /Explaining…|Explained: \d+ possible causes?\./
    );
    await expect(page.getByTestId('explain-status')).toHaveText(
      /Explained: \d+ possible causes?\./,
      { timeout: 30_000 }
    );
    await expect(page.locator('#si-explain-result-title')).toBeFocused();
    expect(await focusOutlineWidth(page)).toBeGreaterThanOrEqual(2);
    expect(await focusLosses(page)).toEqual([]);
  });
});
