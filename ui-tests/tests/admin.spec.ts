/**
 * The admin section on the demo (admin actions enabled in jupyter_server_test_config.py): preview
 * the Deny variant for the research domain, see its default role go from not isolated to
 * isolated in the plan, apply it, see the panel's verdict change, then roll it back from the
 * history (which also leaves the demo as the other specs expect it: not isolated).
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

const PANEL_ID = 'jp-SMIso-panel';

/** Page object for the panel's admin section. */
class AdminPanel {
  constructor(readonly page: IJupyterLabPageFixture) {}

  get root(): Locator {
    return this.page.locator(`#${PANEL_ID}`);
  }

  get admin(): Locator {
    return this.root.locator('[data-testid="jp-SMIso-admin"]');
  }

  verdictBadge(): Locator {
    return this.root.locator('.jp-SMIso-verdict .jp-SMIso-badge');
  }

  async open(): Promise<void> {
    await this.page.locator(`.jp-SideBar [data-id="${PANEL_ID}"]`).click();
    await expect(this.root).toBeVisible();
    await expect(this.verdictBadge()).toHaveAttribute(
      'data-verdict',
      /isolated|not_isolated/,
      { timeout: 90_000 }
    );
  }

  async openAdmin(): Promise<void> {
    const section = this.root.locator('[data-section="admin"]');
    if ((await section.getAttribute('open')) === null) {
      await section.locator('> summary').click();
    }
    await expect(this.admin).toBeVisible();
  }

  /** The plan row of a role (by name). */
  planRow(name: string): Locator {
    return this.admin.locator(
      `[data-testid="jp-SMIso-admin-plan"] tr[data-role="${name}"]`
    );
  }
}

test.use({ autoGoto: true });

test('admin: preview and apply the deny variant, the verdict changes, then roll back', async ({
  page
}) => {
  const panel = new AdminPanel(page);
  await panel.open();
  await expect(panel.verdictBadge()).toHaveAttribute(
    'data-verdict',
    'not_isolated'
  );
  await panel.openAdmin();

  // Preview: the Deny variant is the default choice; every role is selected.
  await panel.admin.getByLabel('Deny variant (works beside broad Allows)').check();
  await panel.admin.locator('[data-testid="jp-SMIso-admin-preview"]').click();
  const row = panel.planRow('SageMakerResearchExecutionRole');
  await expect(row).toBeVisible({ timeout: 60_000 });
  await expect(
    row.locator('[data-testid="jp-SMIso-admin-before"] .jp-SMIso-badge')
  ).toHaveAttribute('data-verdict', 'not_isolated');
  await expect(
    row.locator('[data-testid="jp-SMIso-admin-after"] .jp-SMIso-badge')
  ).toHaveAttribute('data-verdict', 'isolated');
  await expect(panel.admin).toContainText('create-policy-version');

  // Confirm, then watch the steps finish.
  await panel.admin.locator('[data-testid="jp-SMIso-admin-apply"]').click();
  await panel.admin.locator('[data-testid="jp-SMIso-admin-confirm"]').click();
  const result = panel.admin.locator('[data-testid="jp-SMIso-admin-result"]');
  await expect(result).toHaveAttribute('data-status', 'succeeded', {
    timeout: 60_000
  });

  // The panel re-checks the domain: it is isolated now.
  await expect(panel.verdictBadge()).toHaveAttribute(
    'data-verdict',
    'isolated',
    { timeout: 90_000 }
  );

  // Roll back from the history: preview, confirm; the domain is not isolated again.
  await panel.openAdmin();
  const history = panel.admin.locator('[data-testid="jp-SMIso-admin-history"]');
  await expect(history.locator('li[data-kind="apply"]').first()).toBeVisible();
  await history
    .locator('li[data-kind="apply"] [data-testid="jp-SMIso-admin-rollback"]')
    .first()
    .click();
  const rb = panel.admin.locator(
    '[data-testid="jp-SMIso-admin-rollback-result"]'
  );
  await expect(rb).toHaveAttribute('data-status', 'planned', {
    timeout: 60_000
  });
  await rb.locator('[data-testid="jp-SMIso-admin-rollback-confirm"]').click();
  await expect(rb).toHaveAttribute('data-status', 'succeeded', {
    timeout: 60_000
  });
  await expect(panel.verdictBadge()).toHaveAttribute(
    'data-verdict',
    'not_isolated',
    { timeout: 90_000 }
  );
});
