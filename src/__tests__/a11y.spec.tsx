import { Clipboard } from '@jupyterlab/apputils';
import React, { act } from 'react';
import { panelAnnouncement } from '../a11y';
import { CopyButton } from '../components/CopyButton';
import { ExplainBoxView } from '../components/ExplainBox';
import { PanelBody } from '../components/IsolationPanel';
import { IsolationModel } from '../model';
import type { IModelState } from '../tokens';
import { fakeServer } from './fakeServer';
import { mountPerTest, okState, readyState, trans } from './mount';

const base = () => okState();
const ready = () => readyState();

function checking(): IModelState {
  return {
    ...base(),
    checking: true,
    job: {
      status: 'running',
      progress: { stage: 'Simulating', done: 1, total: 4 }
    } as IModelState['job']
  };
}

const model = new IsolationModel({
  serverSettings: fakeServer({}).settings,
  frontendVersion: '0.1.0'
});

const mount = mountPerTest();

function render(state: IModelState): void {
  act(() =>
    mount.render(<PanelBody model={model} state={state} trans={trans} />)
  );
}

const $ = <T extends Element = HTMLElement>(sel: string) =>
  mount.host.querySelector<T & Element>(sel) as T | null;

describe('panel status region', () => {
  it('says what the panel shows', () => {
    expect(panelAnnouncement(checking(), trans)).toBe('Checking…');
    expect(panelAnnouncement(ready(), trans)).toBe('Verdict: not isolated');
    expect(
      panelAnnouncement({ ...base(), server: { status: 'probing' } }, trans)
    ).toBe('Connecting to the server extension…');
  });

  it('is one node, mounted throughout, whose text changes', () => {
    render(ready());
    const region = $('.jp-SMIso-body > [role="status"]')!;
    expect(region.textContent).toBe('Verdict: not isolated');
    render(checking());
    expect($('.jp-SMIso-body > [role="status"]')).toBe(region);
    expect(region.textContent).toBe('Checking…');
    render(ready());
    expect($('.jp-SMIso-body > [role="status"]')).toBe(region);
    expect(region.textContent).toBe('Verdict: not isolated');
    // The verdict block itself is not a live region (it is re-created by each check).
    expect($('.jp-SMIso-verdict')!.getAttribute('aria-live')).toBeNull();
    // Only this region speaks (the copy buttons' regions stay empty until a copy).
    const speaking = [...mount.host.querySelectorAll('[role="status"]')].filter(
      n => n.textContent
    );
    expect(speaking).toEqual([region]);
  });
});

describe('panel focus', () => {
  it('keeps the focus on a busy Refresh, then gives it to the verdict', () => {
    render(ready());
    const refresh = $<HTMLButtonElement>('.jp-SMIso-refresh')!;
    act(() => refresh.focus());
    render(checking());
    expect(refresh.disabled).toBe(false);
    expect(refresh.getAttribute('aria-disabled')).toBe('true');
    expect(document.activeElement).toBe(refresh);
    render(ready());
    expect(document.activeElement).toBe($('.jp-SMIso-verdict'));
  });

  it('does not take the focus when a check ends while the user is elsewhere', () => {
    const outside = document.createElement('input');
    document.body.appendChild(outside);
    render(checking());
    act(() => outside.focus());
    render(ready());
    expect(document.activeElement).toBe(outside);
    outside.remove();
  });

  it('moves the focus into the domain form and back to its opener', () => {
    render(ready());
    const change = $<HTMLButtonElement>('.jp-SMIso-change-domain')!;
    act(() => change.focus());
    act(() => change.click());
    expect(document.activeElement).toBe($('#jp-SMIso-form-domain_id'));
    const form = $('form.jp-SMIso-form')!;
    act(() => {
      form.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })
      );
    });
    expect($('form.jp-SMIso-form')).toBeNull();
    expect(document.activeElement).toBe(change);
  });

  it('marks field errors as alerts', () => {
    render(ready());
    act(() => $<HTMLButtonElement>('.jp-SMIso-change-domain')!.click());
    const input = $<HTMLInputElement>('#jp-SMIso-form-domain_id')!;
    const setter = Object.getOwnPropertyDescriptor(
      HTMLInputElement.prototype,
      'value'
    )!.set!;
    act(() => {
      setter.call(input, 'nope');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() =>
      $('form.jp-SMIso-form')!.dispatchEvent(
        new Event('submit', { bubbles: true, cancelable: true })
      )
    );
    const error = $('#jp-SMIso-form-domain_id-error')!;
    expect(error.getAttribute('role')).toBe('alert');
    expect(input.getAttribute('aria-describedby')).toBe(error.id);
  });
});

describe('copy confirmation', () => {
  it('is the button text (no aria-label over it) and a status message', () => {
    const spy = jest
      .spyOn(Clipboard, 'copyToSystem')
      .mockImplementation(() => undefined);
    act(() =>
      mount.render(
        <CopyButton label="Copy report JSON" text={() => '{}'} trans={trans} />
      )
    );
    const button = $<HTMLButtonElement>('button')!;
    const status = $('[role="status"]')!;
    expect(button.getAttribute('aria-label')).toBeNull();
    expect(status.textContent).toBe('');
    act(() => button.click());
    expect(button.textContent).toBe('Copied');
    expect(status.textContent).toBe('Copied');
    spy.mockRestore();
  });
});

describe('Explain box', () => {
  it('keeps Explain focusable while busy and has one status region', () => {
    const explain = model.explain;
    const show = (busy: boolean) =>
      act(() =>
        mount.render(
          <ExplainBoxView
            model={explain}
            state={{
              text: 'x',
              offline: true,
              busy,
              result: null,
              error: null
            }}
            trans={trans}
          />
        )
      );
    show(true);
    const run = $<HTMLButtonElement>('.jp-SMIso-explain-run')!;
    expect(run.disabled).toBe(false);
    expect(run.getAttribute('aria-disabled')).toBe('true');
    const status = $('.jp-SMIso-explain > [role="status"]')!;
    expect(status.textContent).toBe('Explaining…');
    show(false);
    expect($('.jp-SMIso-explain > [role="status"]')).toBe(status);
    expect(run.getAttribute('aria-disabled')).toBe('false');
  });
});
