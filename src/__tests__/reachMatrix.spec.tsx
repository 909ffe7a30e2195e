import React, { act } from 'react';
import { CellDetail } from '../overview/CellDetail';
import { FixList } from '../overview/FixList';
import { buildMatrix, rankedFixes } from '../overview/matrix';
import type { ICellRef } from '../overview/OverviewModel';
import { cleanRequest, OverviewModel } from '../overview/OverviewModel';
import { ScopeForm } from '../overview/ScopeForm';
import type { IOverviewRequest } from '../tokens';
import { OverviewCard } from '../overview/OverviewSummary';
import { OverviewBody } from '../overview/OverviewWidget';
import { cellLabel, cellText, ReachMatrix } from '../overview/ReachMatrix';
import { fakeServer } from './fakeServer';
import { mountPerTest, trans } from './mount';
import {
  demoFixes,
  demoOverview,
  PROD,
  readyStatus,
  RESEARCH
} from './overviewFixture';

const mount = mountPerTest();
const render = (el: JSX.Element) => mount.render(el);

function renderMatrix(selected: ICellRef | null = null) {
  const picked: ICellRef[] = [];
  const opened: string[] = [];
  render(
    <ReachMatrix
      matrix={buildMatrix(demoOverview())}
      selected={selected}
      onSelect={c => picked.push(c)}
      onOpenDomain={arn => opened.push(arn)}
      trans={trans}
    />
  );
  return { picked, opened };
}

function cellOf(label: string): HTMLElement {
  const cell = [
    ...mount.host.querySelectorAll<HTMLElement>('[role=gridcell]')
  ].find(c => c.getAttribute('aria-label') === label);
  if (!cell) {
    throw new Error(`no cell labelled ${label}`);
  }
  return cell;
}

describe('a named cell reached only through the any-domain column', () => {
  it('is not "no action": it shows * and says the any-domain grants reach it', () => {
    const overview = demoOverview();
    // research reaches prod only through grants that name no domain
    overview.reach = overview.reach.filter(r => r.to !== PROD);
    const matrix = buildMatrix(overview);
    const cell = matrix.cells
      .flat()
      .find(c => c.from.domain.arn === RESEARCH && c.to?.domain.arn === PROD)!;
    expect(cell.actions).toBe(0);
    expect(cell.viaAny).toBe(140);
    expect(cellText(cell)).toBe('*');
    expect(cellLabel(cell, trans)).toContain('reach');
    expect(cellLabel(cell, trans)).not.toContain('can take no action');
  });
});

describe('ReachMatrix', () => {
  it('marks the not-isolated row and labels cells in words, with domain names', () => {
    renderMatrix();
    const row = mount.host.querySelector('tr[data-domain="d-research0001"]')!;
    expect(row.getAttribute('data-verdict')).toBe('not_isolated');
    expect(row.classList.contains('jp-SMIso-ov-row-not_isolated')).toBe(true);
    expect(row.querySelector('th')?.textContent).toContain('Not isolated');
    const cell = cellOf(
      'research can take 12 actions on the resources of prod'
    );
    expect(cell.textContent).toBe('12');
    expect(cell.classList.contains('jp-SMIso-ov-level-2')).toBe(true);
    const star = cellOf(
      'research can take 140 actions on the resources of any other domain of its account and Region'
    );
    expect(star.classList.contains('jp-SMIso-ov-level-4')).toBe(true);
    cellOf('prod can take no action on the resources of research');
    // Another account or Region: not computed, never "no action".
    const na = cellOf(
      'research onto partner: not computed (another account or Region)'
    );
    expect(na.textContent).toBe('');
    expect(na.classList.contains('jp-SMIso-ov-na')).toBe(true);
    cellOf(
      'research onto eu-analytics: not computed (another account or Region)'
    );
    cellOf('research on its own resources: not a cross-domain reach');
    // No id in a label.
    for (const c of mount.host.querySelectorAll(
      '[role=gridcell][aria-label]'
    )) {
      expect(c.getAttribute('aria-label')).not.toMatch(/d-[a-z0-9]{8,}/);
    }
  });

  it('groups columns and rows by account and Region, with an error row', () => {
    renderMatrix();
    const groups = [
      ...mount.host.querySelectorAll('thead th[scope=colgroup]')
    ].map(th => [th.textContent, th.getAttribute('colspan')]);
    expect(groups).toEqual([
      ['Account 111122223333, eu-west-1', '1'],
      ['Account 111122223333, us-east-1', '2'],
      ['Account 444455556666, us-east-1', '1']
    ]);
    const error = mount.host.querySelector('.jp-SMIso-ov-error-row')!;
    expect(error.textContent).toContain('AssumeRole');
    expect(error.textContent).toContain('AccessDenied');
    expect(
      error.closest('tbody')?.querySelector('th[scope=rowgroup]')?.textContent
    ).toBe('Account 777788889999, every Region');
  });

  it('has one cell in the tab order; arrows move it, Enter and click open a cell', () => {
    const { picked } = renderMatrix();
    const tabbable = mount.host.querySelectorAll(
      '[role=gridcell][tabindex="0"]'
    );
    expect(tabbable).toHaveLength(1);
    const first = tabbable[0] as HTMLElement;
    act(() => first.focus());
    // eu-analytics (row 0) → down to prod (row 1), right to research's column (2).
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowRight']) {
      act(() => {
        document.activeElement!.dispatchEvent(
          new KeyboardEvent('keydown', { key, bubbles: true })
        );
      });
    }
    expect(document.activeElement?.getAttribute('aria-label')).toBe(
      'research can take 12 actions on the resources of prod'
    );
    expect(
      mount.host.querySelectorAll('[role=gridcell][tabindex="0"]')
    ).toHaveLength(1);
    act(() => {
      document.activeElement!.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
      );
    });
    expect(picked).toEqual([{ from: RESEARCH, to: PROD }]);
    act(() =>
      cellOf(
        'research can take 140 actions on the resources of any other domain of its account and Region'
      ).click()
    );
    expect(picked[1]).toEqual({ from: RESEARCH, to: '*' });
  });

  it('opens a domain report from its row header', () => {
    const { opened } = renderMatrix();
    const link = [
      ...mount.host.querySelectorAll('button.jp-SMIso-ov-link')
    ].find(b => b.textContent === 'research') as HTMLButtonElement;
    act(() => link.click());
    expect(opened).toEqual([RESEARCH]);
  });
});

describe('CellDetail', () => {
  it('lists the actions with their witnesses and says how many are not shown', () => {
    const m = buildMatrix(demoOverview());
    const research = m.domains.find(d => d.domain.arn === RESEARCH)!;
    const prod = m.domains.find(d => d.domain.arn === PROD)!;
    render(
      <CellDetail
        cell={m.cells[research.index][prod.index]}
        onClose={() => undefined}
        onOpenDomain={() => undefined}
        trans={trans}
      />
    );
    const items = mount.host.querySelectorAll('li[data-action]');
    expect([...items].map(li => li.getAttribute('data-action'))).toEqual([
      'sagemaker:DeleteEndpoint',
      'sagemaker:UpdateEndpoint'
    ]);
    expect(
      items[0].querySelector('[data-testid="jp-SMIso-witness"]')
    ).not.toBeNull();
    expect(items[0].textContent).toContain(
      'arn:aws:iam::111122223333:role/research-default calls sagemaker:DeleteEndpoint'
    );
    expect(mount.host.textContent).toContain('Showing 2 of 12 actions');
    expect(document.activeElement?.tagName).toBe('H3');
  });
});

describe('FixList', () => {
  it('shows each fix with how many findings it closes, most first', () => {
    const o = demoOverview();
    render(
      <FixList
        fixes={rankedFixes(demoFixes())}
        domains={o.domains}
        trans={trans}
      />
    );
    const items = mount.host.querySelectorAll('li.jp-SMIso-ov-fix');
    expect(items[0].textContent).toContain('closes 7 findings');
    expect(items[0].textContent).toContain('Statements dropped');
    expect(items[0].textContent).toContain('AllowAll, #3');
    expect(items[0].textContent).toContain(
      'research-default (domain research)'
    );
    expect(items[0].textContent).toContain('research: Isolated');
    expect(items[1].textContent).toContain('closes 2 findings');
  });

  it('shows only the top fixes, without details, in the sidebar', () => {
    const o = demoOverview();
    render(
      <FixList
        fixes={rankedFixes(demoFixes())}
        domains={o.domains}
        limit={1}
        compact={true}
        trans={trans}
      />
    );
    expect(mount.host.querySelectorAll('li.jp-SMIso-ov-fix')).toHaveLength(1);
    expect(mount.host.querySelector('details')).toBeNull();
  });
});

describe('OverviewBody', () => {
  /** The body for the job the fake server answers (after one GET). */
  async function renderBody(
    status: object,
    selected: ICellRef | null = null
  ): Promise<void> {
    const server = fakeServer({
      'GET overview': () => ({ status: 200, body: status })
    });
    const model = new OverviewModel({ serverSettings: server.settings });
    await model.fetchStatus();
    model.select(selected);
    render(
      <OverviewBody
        model={model}
        state={model.state}
        onOpenDomain={() => undefined}
        trans={trans}
      />
    );
  }

  it('says "No domains found" for an empty overview', async () => {
    await renderBody({
      status: 'ready',
      overview: { domains: [], reach: [], errors: [] }
    });
    expect(
      mount.host.querySelector('[data-testid="jp-SMIso-ov-empty"]')?.textContent
    ).toContain('No domains found');
    expect(mount.host.querySelector('[role=grid]')).toBeNull();
  });

  it('shows progress while the job runs', async () => {
    await renderBody({
      status: 'running',
      progress: { stage: 'analysis', done: 2, total: 5 }
    });
    const bar = mount.host.querySelector('progress')!;
    expect(bar.getAttribute('value')).toBe('2');
    expect(bar.getAttribute('max')).toBe('5');
    expect(mount.host.textContent).toContain('Checking the domains');
    expect(mount.host.textContent).toContain('2 of 5');
  });

  it('shows the verdict, Do this next, the matrix and the selected cell', async () => {
    await renderBody(readyStatus(), { from: RESEARCH, to: PROD });
    expect(
      mount.host
        .querySelector('.jp-SMIso-ov-verdict')
        ?.getAttribute('data-verdict')
    ).toBe('not_isolated');
    expect(mount.host.textContent).toContain('Do this next');
    expect(
      mount.host.querySelector('.jp-SMIso-ov-fix .jp-SMIso-ov-closes')
        ?.textContent
    ).toBe('closes 7 findings');
    expect(mount.host.querySelector('[role=grid]')).not.toBeNull();
    expect(
      mount.host.querySelector('[data-testid="jp-SMIso-ov-detail"] h3')
        ?.textContent
    ).toBe('research can take 12 actions on the resources of prod');
    expect(
      mount.host
        .querySelector('[aria-selected="true"]')
        ?.getAttribute('aria-label')
    ).toBe('research can take 12 actions on the resources of prod');
  });
});

describe('OverviewCard (the sidebar)', () => {
  it('shows nothing until the server answered the overview route, then the verdict, top fixes and Open overview', async () => {
    const server = fakeServer({
      'GET overview': () => ({ status: 200, body: readyStatus() })
    });
    const model = new OverviewModel({ serverSettings: server.settings });
    let opened = 0;
    render(
      <OverviewCard model={model} onOpen={() => opened++} trans={trans} />
    );
    expect(mount.host.textContent).toBe('');
    await act(() => model.fetchStatus());
    expect(
      mount.host
        .querySelector('.jp-SMIso-ov-verdict')
        ?.getAttribute('data-verdict')
    ).toBe('not_isolated');
    expect(mount.host.querySelectorAll('li.jp-SMIso-ov-fix')).toHaveLength(2);
    expect(mount.host.querySelector('details')).toBeNull();
    const open = [...mount.host.querySelectorAll('button')].find(
      b => b.textContent === 'Open overview'
    )!;
    act(() => open.click());
    expect(opened).toBe(1);
    // A server whose handshake lists no overview: the card goes away.
    act(() => model.setAvailable(false));
    expect(mount.host.textContent).toBe('');
  });
});

describe('ScopeForm', () => {
  function submit(otherAccounts: boolean): IOverviewRequest[] {
    const sent: IOverviewRequest[] = [];
    render(
      <ScopeForm
        initial={{ regions: ['us-east-1'] }}
        otherAccounts={otherAccounts}
        disabled={false}
        onSubmit={r => sent.push(r)}
        trans={trans}
      />
    );
    return sent;
  }

  function type(input: HTMLInputElement, value: string): void {
    const setter = Object.getOwnPropertyDescriptor(
      HTMLInputElement.prototype,
      'value'
    )!.set!;
    act(() => {
      setter.call(input, value);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }

  it('sends the Regions; other accounts only when the server allows them', () => {
    const sent = submit(false);
    expect(mount.host.textContent).toContain('checks its own account only');
    const inputs = mount.host.querySelectorAll<HTMLInputElement>(
      'input:not([type=checkbox])'
    );
    expect(inputs).toHaveLength(1);
    type(inputs[0], 'us-east-1, us-west-2');
    act(() => mount.host.querySelector('form')!.requestSubmit());
    expect(cleanRequest(sent[0])).toEqual({
      regions: ['us-east-1', 'us-west-2'],
      refresh: true
    });
  });

  it('sends accounts and the role to assume when enabled', () => {
    const sent = submit(true);
    const inputs = mount.host.querySelectorAll<HTMLInputElement>(
      'input:not([type=checkbox])'
    );
    expect(inputs).toHaveLength(3);
    type(inputs[1], '210987654321 333333333333');
    type(inputs[2], 'AuditRole');
    act(() => mount.host.querySelector('form')!.requestSubmit());
    expect(cleanRequest(sent[0])).toEqual({
      regions: ['us-east-1'],
      accounts: ['210987654321', '333333333333'],
      assume_role: 'AuditRole',
      refresh: true
    });
  });
});
