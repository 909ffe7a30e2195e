/**
 * Issue 19: the panel works for keyboard and screen-reader users (WCAG 2.1 AA), on the demo (the
 * research domain is not isolated). axe-core (WCAG 2.1 A/AA) on the panel with its report, the
 * domain form, the Explain result and the status-bar item, in the light and the dark theme; and
 * keyboard-only walks: every action reachable with Tab, the focus never on <body>, the status
 * regions' text following the work. Colour contrast is also computed from the stylesheets
 * (tests/test_contrast.py), because axe cannot judge it on every background.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import {
  expectNoAxeViolations,
  focused,
  focusLosses,
  focusOutlineWidth,
  watchFocusLoss
} from '../helpers/a11y';

const PANEL_ID = 'jp-SMIso-panel';
const ACCOUNT = '123456789012';
const DENIAL =
  `AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/AmazonSageMaker-ExecutionRole-20240428T152593/SageMaker ` +
  `is not authorized to perform: sagemaker:AddTags on resource: arn:aws:sagemaker:us-east-1:${ACCOUNT}:space/d-ml-research/llm ` +
  'because no permissions boundary allows the sagemaker:AddTags action';

test.use({ autoGoto: true });

function panel(page: IJupyterLabPageFixture): Locator {
  return page.locator(`#${PANEL_ID}`);
}

/** The panel's always-mounted status region (the first role=status of its body). */
function panelStatus(page: IJupyterLabPageFixture): Locator {
  return panel(page).locator('.jp-SMIso-body > [role="status"]');
}

async function openWithVerdict(page: IJupyterLabPageFixture): Promise<void> {
  await page.locator(`.jp-SideBar [data-id="${PANEL_ID}"]`).click();
  await expect(panel(page)).toBeVisible();
  await expect(
    panel(page).locator('.jp-SMIso-verdict .jp-SMIso-badge')
  ).toHaveAttribute('data-verdict', 'not_isolated', { timeout: 90_000 });
}

/** Press Tab until `target` has the focus (at most `max` presses); returns the path walked. */
async function tabTo(
  page: IJupyterLabPageFixture,
  target: Locator,
  max = 60
): Promise<string[]> {
  const path: string[] = [];
  for (let i = 0; i < max; i++) {
    if (await target.evaluate(el => el === document.activeElement)) {
      return path;
    }
    await page.keyboard.press('Tab');
    path.push(await focused(page));
  }
  throw new Error(`not reached with Tab: ${path.join(' → ')}`);
}

test.describe('accessibility (WCAG 2.1 AA)', () => {
  test('axe: panel, domain form, Explain result, status bar; light and dark themes', async ({
    page
  }) => {
    await openWithVerdict(page);
    const root = `#${PANEL_ID}`;
    // Open every section and group (witnesses included) so their content is checked too
    // (coverage and resources load).
    await panel(page)
      .locator('details')
      .evaluateAll(all =>
        all.forEach(d => ((d as HTMLDetailsElement).open = true))
      );
    await expect(panel(page).locator('.jp-SMIso-table').first()).toBeVisible({
      timeout: 30_000
    });
    await expectNoAxeViolations(page, 'panel with report (light)', [root]);
    await expectNoAxeViolations(page, 'status-bar item (light)', [
      '.jp-SMIso-status'
    ]);

    await panel(page).getByRole('button', { name: 'Change domain' }).click();
    const form = panel(page).locator('form.jp-SMIso-form');
    await expect(form).toBeVisible();
    await form.getByLabel('Domain id').fill('not-a-domain');
    await form.getByRole('button', { name: 'Check isolation' }).click();
    await expect(form.getByRole('alert')).toContainText('d-xxxxxxxxxxxx');
    await expectNoAxeViolations(page, 'domain form with a field error', [
      'form.jp-SMIso-form'
    ]);
    await page.keyboard.press('Escape');
    await expect(form).toHaveCount(0);

    const explain = panel(page).locator('.jp-SMIso-explain');
    await explain.locator('textarea').fill(DENIAL);
    await explain.getByLabel('Offline (no AWS calls)').check();
    await explain.locator('.jp-SMIso-explain-run').click();
    await expect(explain.locator('[data-cause-id]').first()).toBeVisible({
      timeout: 30_000
    });
    await expectNoAxeViolations(page, 'Explain result (light)', [
      '.jp-SMIso-explain'
    ]);

    await page.theme.setDarkTheme();
    await expect(page.locator('body')).toHaveAttribute(
      'data-jp-theme-light',
      'false'
    );
    await expectNoAxeViolations(page, 'panel with report and result (dark)', [
      root
    ]);
    await expectNoAxeViolations(page, 'status-bar item (dark)', [
      '.jp-SMIso-status'
    ]);
    await page.theme.setLightTheme();
  });

  test('keyboard: Refresh keeps the focus, the verdict takes it, the status region speaks', async ({
    page
  }) => {
    await openWithVerdict(page);
    const refresh = panel(page).locator('.jp-SMIso-refresh');
    await refresh.focus();
    await watchFocusLoss(page);

    // Every action of the panel is reachable with Tab from Refresh.
    const walk = await tabTo(
      page,
      panel(page).locator('.jp-SMIso-explain-run'),
      250
    );
    for (const name of [
      'Change domain',
      'Copy report JSON',
      'Execution roles',
      'Coverage',
      'Resources (tag coverage)',
      'AccessDenied error message'
    ]) {
      expect(
        walk.some(step => step.includes(name)),
        `${name} in ${walk.join(' → ')}`
      ).toBe(true);
    }
    await page.keyboard.press('Tab');
    expect(await focused(page)).toContain('input');
    expect(await focusOutlineWidth(page)).toBeGreaterThanOrEqual(2);

    // Back to Refresh with Shift+Tab only.
    for (let i = 0; i < 80; i++) {
      if (await refresh.evaluate(el => el === document.activeElement)) {
        break;
      }
      await page.keyboard.press('Shift+Tab');
    }
    await expect(refresh).toBeFocused();
    expect(await focusOutlineWidth(page)).toBeGreaterThanOrEqual(2);

    await page.keyboard.press('Enter');
    // Busy: the button keeps the focus (aria-disabled, not disabled), the region says so.
    await expect(panelStatus(page)).toHaveText('Checking…');
    await expect(refresh).toHaveAttribute('aria-disabled', 'true');
    await expect(refresh).toBeFocused();
    await expect(page.locator('.jp-SMIso-status')).toContainText(
      'SageMaker: checking…'
    );
    // Done: the verdict has the focus and the (same) region speaks the verdict.
    await expect(panelStatus(page)).toHaveText('Verdict: not isolated', {
      timeout: 90_000
    });
    await expect(panel(page).locator('.jp-SMIso-verdict')).toBeFocused();
    await expect(page.locator('.jp-SMIso-status[role="status"]')).toHaveText(
      'SageMaker: not isolated'
    );
    expect(await focusLosses(page)).toEqual([]);
  });

  test('keyboard: the domain form takes the focus, gives it back, alerts field errors', async ({
    page
  }) => {
    await openWithVerdict(page);
    const change = panel(page).getByRole('button', { name: 'Change domain' });
    await change.focus();
    await watchFocusLoss(page);

    await page.keyboard.press('Enter');
    const form = panel(page).locator('form.jp-SMIso-form');
    await expect(form.getByLabel('Domain id')).toBeFocused();
    expect(await focusOutlineWidth(page)).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('Escape');
    await expect(form).toHaveCount(0);
    await expect(change).toBeFocused();
    await expect(change).toHaveAttribute('aria-expanded', 'false');

    await page.keyboard.press('Enter');
    await expect(form.getByLabel('Domain id')).toBeFocused();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('nope');
    await page.keyboard.press('Enter');
    const alert = form.locator('.jp-SMIso-field-error[role="alert"]');
    await expect(alert).toHaveText('A domain id looks like d-xxxxxxxxxxxx.');
    await expect(form.getByLabel('Domain id')).toHaveAttribute(
      'aria-invalid',
      'true'
    );
    expect(await focused(page)).toContain('input#jp-SMIso-form-domain_id');

    await page.keyboard.press('ControlOrMeta+a');
    // The demo's ml-secure domain (deny template beside FullAccess): isolated, so the green
    // badge is checked by axe too.
    await page.keyboard.type('d-ml-secure');
    await page.keyboard.press('Enter');
    // The form closes: the focus returns to "Change domain", then goes to the verdict.
    await expect(form).toHaveCount(0);
    await expect(panelStatus(page)).toHaveText(/Checking…|Verdict: isolated/);
    await expect(panelStatus(page)).toHaveText('Verdict: isolated', {
      timeout: 90_000
    });
    await expect(panel(page).locator('.jp-SMIso-verdict')).toBeFocused();
    await expect(
      panel(page).locator('.jp-SMIso-verdict .jp-SMIso-badge')
    ).toHaveAttribute('data-verdict', 'isolated');
    expect(await focusLosses(page)).toEqual([]);
    await expectNoAxeViolations(page, 'panel with an isolated report (light)', [
      `#${PANEL_ID}`
    ]);
    await page.theme.setDarkTheme();
    await expectNoAxeViolations(page, 'panel with an isolated report (dark)', [
      `#${PANEL_ID}`
    ]);
    await page.theme.setLightTheme();
  });

  test('keyboard: Copy is announced, Explain keeps the focus then gives it to the result', async ({
    page
  }) => {
    await openWithVerdict(page);
    const copy = panel(page).getByRole('button', { name: 'Copy report JSON' });
    await copy.focus();
    await watchFocusLoss(page);
    await page.keyboard.press('Enter');
    // No aria-label overrides the visible "Copied", and a status region announces it.
    await expect(
      panel(page).getByRole('button', { name: 'Copied', exact: true })
    ).toBeFocused();
    await expect(
      panel(page).locator('.jp-SMIso-toolbar [role="status"]')
    ).toHaveText('Copied');

    const explain = panel(page).locator('.jp-SMIso-explain');
    const textarea = explain.locator('textarea');
    await textarea.focus();
    expect(await focusOutlineWidth(page)).toBeGreaterThanOrEqual(2);
    await page.keyboard.insertText(DENIAL);
    await page.keyboard.press('Tab');
    const run = explain.locator('.jp-SMIso-explain-run');
    await expect(run).toBeFocused();
    await page.keyboard.press('Tab');
    const offline = explain.getByLabel('Offline (no AWS calls)');
    await expect(offline).toBeFocused();
    expect(await focusOutlineWidth(page)).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('Space');
    await expect(offline).toBeChecked();
    await page.keyboard.press('Shift+Tab');
    await expect(run).toBeFocused();

    const status = explain.locator(':scope > [role="status"]');
    await expect(status).toHaveText('');
    await page.keyboard.press('Enter');
    await expect(status).toHaveText(
      /Explaining…|Explained: \d+ possible causes?/
    );
    await expect(status).toHaveText(/Explained: \d+ possible causes?/, {
      timeout: 30_000
    });
    await expect(
      explain.locator('.jp-SMIso-explain-result-title')
    ).toBeFocused();
    expect(await focusOutlineWidth(page)).toBeGreaterThanOrEqual(2);
    expect(await focusLosses(page)).toEqual([]);
  });
});
