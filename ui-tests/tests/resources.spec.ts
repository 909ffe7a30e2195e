/**
 * The "Resources" section on the demo (real server extension, real tag scan of the local AWS
 * seeded by jupyter_server_test_config.py): counts per class, the untagged training job with
 * its proposed domain, a backfill preview, then apply and roll back (the test server enables
 * admin actions).
 */
import { expect, test } from '@jupyterlab/galata';

const PANEL_ID = 'jp-SMIso-panel';

test.use({ autoGoto: true });

test('scans the demo account and previews a backfill', async ({ page }) => {
  await page.locator(`.jp-SideBar [data-id="${PANEL_ID}"]`).click();
  const panel = page.locator(`#${PANEL_ID}`);
  await expect(panel).toBeVisible();
  // The report arrives first (the check runs on start).
  await expect(
    panel.locator('.jp-SMIso-verdict .jp-SMIso-badge')
  ).toHaveAttribute('data-verdict', 'not_isolated', { timeout: 90_000 });

  const section = panel.locator('details[data-section="resources"]');
  await section.locator('summary').click();
  const resources = section.locator('[data-testid="jp-SMIso-resources"]');
  await resources.locator('[data-testid="jp-SMIso-tag-scan"]').click();

  // Counts per class once the scan is done.
  const counts = resources.locator('[data-testid="jp-SMIso-tag-counts"]');
  await expect(counts).toBeVisible({ timeout: 90_000 });
  const number = async (cls: string) =>
    Number(
      await resources
        .locator(`[data-testid="jp-SMIso-tag-count-${cls}"] strong`)
        .textContent()
    );
  // ml-research owns a model, an endpoint, an experiment, a training job, two user profiles
  // and a space; ml-prod's and ml-secure's are foreign; one of each resource type is untagged.
  expect(await number('this_domain')).toBeGreaterThanOrEqual(5);
  expect(await number('other_domain')).toBeGreaterThanOrEqual(5);
  expect(await number('untagged')).toBeGreaterThanOrEqual(5);
  expect(await number('never_tagged_by_design')).toBe(3); // the default app of each demo domain

  // A bar per type, the untagged training job listed with its proposal (role evidence).
  await expect(
    resources.locator('.jp-SMIso-tag-type[data-type="training-job"]')
  ).toBeVisible();
  await resources.getByRole('searchbox').fill('untagged-churn-training');
  const row = resources.locator('tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('d-ml-research (medium');

  // Medium confidence: not pre-selected. Select it and preview.
  const box = row.locator('input[type="checkbox"]');
  await expect(box).not.toBeChecked();
  await box.check();
  await resources
    .locator('[data-testid="jp-SMIso-tag-preview-button"]')
    .click();
  const preview = resources.locator('[data-testid="jp-SMIso-tag-preview"]');
  await expect(preview).toContainText('training-job/untagged-churn-training');
  await expect(preview).toContainText(
    '+ sagemaker:domain-arn=arn:aws:sagemaker:us-east-1:123456789012:domain/d-ml-research'
  );
  // The Galata server enables admin actions (jupyter_server_test_config.py): apply it, then
  // roll it back (the demo account ends as it began for the other specs).
  await resources.locator('[data-testid="jp-SMIso-tag-apply"]').click();
  const result = resources.locator('[data-testid="jp-SMIso-tag-result"]');
  await expect(result).toContainText('succeeded', { timeout: 30_000 });
  await expect(result.locator('li[data-status="tagged"]')).toContainText(
    'training-job/untagged-churn-training'
  );
  await resources
    .getByRole('button', { name: 'Roll back this backfill' })
    .click();
  await expect(result).toContainText('Rollback', { timeout: 30_000 });
  await expect(result.locator('li[data-status="untagged"]')).toContainText(
    'training-job/untagged-churn-training'
  );
});
