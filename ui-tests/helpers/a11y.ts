/**
 * Accessibility checks shared by the Galata specs (tests/) and the standalone-page specs
 * (standalone/): axe-core with the WCAG 2.1 A and AA rules on part of a page, and a watcher that
 * records every moment the keyboard focus falls to <body>.
 *
 * Any new view (the overview, ...) gets the same check with one call:
 *   await expectNoAxeViolations(page, 'overview', ['#jp-SMIso-overview']);
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** axe-core tags of the WCAG 2.1 level A and AA success criteria. */
export const WCAG21_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** What one axe run found, in short (printed in the test log for the report). */
export interface IAxeSummary {
  view: string;
  violations: string[];
  passes: number;
  incomplete: string[];
  colorContrast: 'pass' | 'violation' | 'incomplete' | 'inapplicable';
}

/**
 * Run axe-core (WCAG 2.1 A/AA) on the elements matching `include` (CSS selectors; the whole page
 * when empty) and expect no violation. Prints a one-line summary per run.
 *
 * @returns the summary (rule ids of violations, of incomplete checks, and how colour contrast
 *   fared: axe cannot judge it on some backgrounds, hence tests/test_contrast.py).
 */
export async function expectNoAxeViolations(
  page: Page,
  view: string,
  include: string[] = [],
  exclude: string[] = []
): Promise<IAxeSummary> {
  let builder = new AxeBuilder({ page }).withTags(WCAG21_AA_TAGS);
  for (const selector of include) {
    builder = builder.include(selector);
  }
  for (const selector of exclude) {
    builder = builder.exclude(selector);
  }
  const results = await builder.analyze();
  const contrast = (
    [
      ['violation', results.violations],
      ['incomplete', results.incomplete],
      ['pass', results.passes]
    ] as const
  ).find(([, list]) => list.some(r => r.id === 'color-contrast'));
  const summary: IAxeSummary = {
    view,
    violations: results.violations.map(v => v.id),
    passes: results.passes.length,
    incomplete: results.incomplete.map(v => v.id),
    colorContrast: contrast ? contrast[0] : 'inapplicable'
  };
  console.log(`[axe] ${JSON.stringify(summary)}`);
  const detail = results.violations
    .map(
      v =>
        `${v.id} (${v.impact}): ${v.help}\n` +
        v.nodes
          .slice(0, 5)
          .map(n => `  ${n.target.join(' ')}: ${n.failureSummary ?? ''}`)
          .join('\n')
    )
    .join('\n');
  expect(summary.violations, `axe violations in ${view}:\n${detail}`).toEqual(
    []
  );
  return summary;
}

/**
 * Start recording focus losses: every `focusout` after which `document.activeElement` is
 * <body>, and a 25 ms poll of the same (a removed focused element fires no event).
 * Read the count with `focusLosses`.
 */
export async function watchFocusLoss(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as any;
    w.__smisoFocusLost = [];
    const note = (how: string) => {
      if (document.activeElement === document.body || !document.activeElement) {
        w.__smisoFocusLost.push(how);
      }
    };
    document.addEventListener(
      'focusout',
      () => setTimeout(() => note('focusout'), 0),
      true
    );
    if (w.__smisoFocusPoll) {
      clearInterval(w.__smisoFocusPoll);
    }
    w.__smisoFocusPoll = setInterval(() => note('poll'), 25);
  });
}

/** The focus losses recorded since `watchFocusLoss` (empty when the focus was never lost). */
export async function focusLosses(page: Page): Promise<string[]> {
  return page.evaluate(() => [...((window as any).__smisoFocusLost ?? [])]);
}

/** A short description of the focused element (tag, id, classes, accessible text). */
export async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) {
      return 'body';
    }
    const cls =
      el.className && typeof el.className === 'string' ? el.className : '';
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${
      cls ? '.' + cls.trim().split(/\s+/).join('.') : ''
    } "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 60)}"`;
  });
}

/** The computed outline width of the focused element, in CSS pixels. */
export async function focusOutlineWidth(page: Page): Promise<number> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    const style = getComputedStyle(el);
    return style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth);
  });
}
