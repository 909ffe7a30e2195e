/**
 * "Explain an AccessDenied" in the panel, on the demo (real server extension, local AWS seeded
 * by jupyter_server_test_config.py; the configured domain is d-ml-research).
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

const PANEL_ID = 'jp-SMIso-panel';
const ACCOUNT = '123456789012';

/** Page object for the explain box of the isolation panel. */
class ExplainBox {
  constructor(readonly page: IJupyterLabPageFixture) {}

  get root(): Locator {
    return this.page.locator(`#${PANEL_ID} .jp-SMIso-explain`);
  }

  async open(): Promise<void> {
    await this.page.locator(`.jp-SideBar [data-id="${PANEL_ID}"]`).click();
    await expect(this.root).toBeVisible();
  }

  /** Paste `text` into the box (through the clipboard-free fill, as a paste ends up). */
  async paste(text: string): Promise<void> {
    await this.root.locator('textarea').fill(text);
  }

  async explain(offline: boolean): Promise<void> {
    const box = this.root.locator('input[type="checkbox"]');
    if ((await box.isChecked()) !== offline) {
      await box.click();
    }
    await this.root.locator('.jp-SMIso-explain-run').click();
  }

  causes(): Locator {
    return this.root.locator('[data-cause-id]');
  }
}

test.use({ autoGoto: true });

test.describe('Explain an AccessDenied', () => {
  test('offline: Studio tag-on-create blocked by a permissions boundary', async ({ page }) => {
    const box = new ExplainBox(page);
    await box.open();
    await box.paste(
      `AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/AmazonSageMaker-ExecutionRole-20240428T152593/SageMaker ` +
        `is not authorized to perform: sagemaker:AddTags on resource: arn:aws:sagemaker:us-east-1:${ACCOUNT}:space/d-ml-research/<b>LLM</b> ` +
        'because no permissions boundary allows the sagemaker:AddTags action'
    );
    await box.explain(true);
    const top = box.causes().first();
    await expect(top).toHaveAttribute('data-cause-id', 'tag-on-create-blocked-boundary', {
      timeout: 30_000
    });
    await expect(top).toContainText('permissions boundary');
    // What was not checked is said once per answer, in words (issue 13).
    await expect(box.root.locator('.jp-SMIso-not-checked')).toContainText(
      'not checked live evidence'
    );
    // The pasted markup is shown as text, never rendered.
    await expect(box.root.locator('b')).toHaveCount(0);
    await expect(box.root).toContainText('space/d-ml-research/<b>LLM</b>');
  });

  test('live: a space of another domain, with the role read from the local AWS', async ({
    page
  }) => {
    const box = new ExplainBox(page);
    await box.open();
    await box.paste(
      'An error occurred (AccessDeniedException) when calling the DescribeSpace operation: ' +
        `User: arn:aws:sts::${ACCOUNT}:assumed-role/SageMakerResearchAliceRole/SageMaker is not ` +
        `authorized to perform: sagemaker:DescribeSpace on resource: arn:aws:sagemaker:us-east-1:${ACCOUNT}:space/d-ml-prod/ml-prod-shared ` +
        'because no identity-based policy allows the sagemaker:DescribeSpace action'
    );
    await box.explain(false);
    const top = box.causes().first();
    await expect(top).toHaveAttribute('data-cause-id', 'isolation-other-domain', {
      timeout: 60_000
    });
    await expect(top).toContainText('d-ml-prod');
    await expect(box.root.locator('.jp-SMIso-evidence')).toContainText(
      "checked the principal's role policies"
    );
    await expect(box.root.locator('.jp-SMIso-explain-result')).toContainText('evidence: live');
  });

  test('the command explains the selected text', async ({ page }) => {
    const box = new ExplainBox(page);
    await box.open();
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.id = 'smiso-selection';
      p.textContent =
        'User: arn:aws:iam::123456789012:user/exampleuser2 is not authorized to perform: iam:PassRole';
      document.body.appendChild(p);
      const range = document.createRange();
      range.selectNodeContents(p);
      const sel = window.getSelection();
      sel?.removeAllRanges();
      sel?.addRange(range);
    });
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('sagemaker-isolation:explain-selection');
    });
    await expect(box.causes().first()).toHaveAttribute('data-cause-id', 'pass-role', {
      timeout: 60_000
    });
    await expect(box.root.locator('textarea')).toHaveValue(/iam:PassRole/);
  });
});
