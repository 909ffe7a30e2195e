import React, { act } from 'react';
import { ExplainBox } from '../components/ExplainBox';
import { ExplainModel } from '../model';
import { SelectionTracker, selectedText } from '../selection';
import type { IExplainResult } from '../tokens';
import { fakeServer } from './fakeServer';
import { flush, mountPerTest, trans } from './mount';

const MESSAGE =
  'User: arn:aws:sts::1:assumed-role/R/SageMaker is not authorized to perform: sagemaker:AddTags on resource: arn:aws:sagemaker:us-east-1:1:space/d-abc/<img src=x onerror=alert(1)> because no permissions boundary allows the sagemaker:AddTags action';

function answer(): IExplainResult {
  return {
    principal: 'arn:aws:sts::1:assumed-role/R/SageMaker',
    action: 'sagemaker:AddTags',
    resource:
      'arn:aws:sagemaker:us-east-1:1:space/d-abc/<img src=x onerror=alert(1)>',
    operation: null,
    reason: 'implicit_deny_boundary',
    policy_type: 'boundary',
    policy_arn: null,
    mode: 'offline',
    causes: [
      {
        id: 'tag-on-create-blocked-boundary',
        rank: 1,
        confidence: 'likely',
        title: "Studio's tag-on-create is blocked by the permissions boundary",
        detail: 'detail <b>not bold</b>',
        fix: 'Allow sagemaker:AddTags in the permissions boundary',
        evidence: {
          checked: [],
          not_checked: [{ check: 'live-evidence', why: 'offline' }]
        }
      },
      {
        id: 'implicit-deny-boundary',
        rank: 2,
        confidence: 'likely',
        title: 'No permissions boundary allows sagemaker:AddTags',
        detail: 'd',
        fix: 'f',
        evidence: {}
      }
    ]
  };
}

const mount = mountPerTest();

describe('ExplainBox', () => {
  it('posts the pasted message and shows the ranked causes, escaped', async () => {
    const server = fakeServer({
      'POST explain': () => ({ status: 200, body: answer() })
    });
    const explain = new ExplainModel({ serverSettings: server.settings });
    act(() => mount.render(<ExplainBox model={explain} trans={trans} />));
    const textarea = mount.host.querySelector('textarea')!;
    act(() => {
      const setter = Object.getOwnPropertyDescriptor(
        HTMLTextAreaElement.prototype,
        'value'
      )!.set!;
      setter.call(textarea, MESSAGE);
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(explain.state.text).toBe(MESSAGE);
    const run = mount.host.querySelector(
      '.jp-SMIso-explain-run'
    ) as HTMLButtonElement;
    act(() => run.click());
    await flush();
    expect(server.log).toHaveLength(1);
    expect(server.log[0].body).toEqual({ message: MESSAGE, offline: false });
    const causes = mount.host.querySelectorAll('[data-cause-id]');
    expect(
      Array.from(causes).map(c => c.getAttribute('data-cause-id'))
    ).toEqual(['tag-on-create-blocked-boundary', 'implicit-deny-boundary']);
    expect(causes[0].textContent).toContain('tag-on-create is blocked');
    // What was not checked is shown once per answer, in words, not under each cause.
    const checks = mount.host.querySelectorAll('.jp-SMIso-not-checked');
    expect(checks).toHaveLength(1);
    expect(checks[0].textContent).toContain(
      'not checked live evidence: offline'
    );
    expect(causes[0].textContent).not.toContain('not checked');
    // the reason in words, its id after them
    const meta = mount.host.querySelector('.jp-SMIso-explain-result > p')!;
    expect(meta.textContent).toContain('Denied: implicit deny boundary');
    expect(meta.querySelector('code')?.textContent).toBe(
      'implicit_deny_boundary'
    );
    // nothing from the message or the answer became markup
    expect(mount.host.querySelector('img')).toBeNull();
    expect(mount.host.querySelector('.jp-SMIso-detail b')).toBeNull();
    expect(mount.host.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(mount.host.textContent).toContain('Copy fix');
  });

  it('sends offline when the box is ticked and shows server errors', async () => {
    const server = fakeServer({
      'POST explain': () => ({
        status: 400,
        body: { message: 'message is required', reason: 'bad-request' }
      })
    });
    const explain = new ExplainModel({ serverSettings: server.settings });
    act(() => mount.render(<ExplainBox model={explain} trans={trans} />));
    const box = mount.host.querySelector(
      'input[type="checkbox"]'
    ) as HTMLInputElement;
    act(() => box.click());
    expect(explain.state.offline).toBe(true);
    await act(async () => {
      await explain.explain('some text');
    });
    await flush();
    expect(server.log[0].body).toEqual({ message: 'some text', offline: true });
    expect(mount.host.querySelector('[role="alert"]')!.textContent).toBe(
      'message is required'
    );
    expect(mount.host.querySelector('[data-cause-id]')).toBeNull();
  });

  it('refuses an empty message without calling the server', async () => {
    const server = fakeServer({});
    const explain = new ExplainModel({ serverSettings: server.settings });
    const result = await explain.explain('   ');
    expect(result).toBeNull();
    expect(server.log).toHaveLength(0);
    expect(explain.state.error?.reason).toBe('empty');
  });

  it('reads the page selection', () => {
    const fake = (text: string | null) =>
      ({
        getSelection: () => (text === null ? null : { toString: () => text })
      }) as unknown as Window;
    expect(selectedText(fake('selected AccessDenied text'))).toBe(
      'selected AccessDenied text'
    );
    expect(selectedText(fake(null))).toBe('');
    expect(selectedText(fake(''))).toBe('');
  });
});

describe('SelectionTracker', () => {
  it('remembers the last selection outside the palette', () => {
    const listeners: Record<string, () => void> = {};
    let current: { text: string; anchor: Element | null } = {
      text: '',
      anchor: null
    };
    const fakeWin = {
      getSelection: () => ({ toString: () => current.text })
    } as unknown as Window;
    const fakeDoc = {
      defaultView: fakeWin,
      addEventListener: (name: string, fn: () => void) => {
        listeners[name] = fn;
      },
      removeEventListener: (name: string) => {
        delete listeners[name];
      },
      getSelection: () => ({
        toString: () => current.text,
        anchorNode: current.anchor
      })
    } as unknown as Document;
    const output = document.createElement('div');
    const palette = document.createElement('div');
    palette.className = 'lm-CommandPalette';
    const inPalette = document.createElement('span');
    palette.appendChild(inPalette);

    const tracker = new SelectionTracker(fakeDoc);
    current = { text: 'AccessDenied in an output', anchor: output };
    listeners.selectionchange();
    expect(tracker.text()).toBe('AccessDenied in an output');
    // focus moves to the palette: the selection there is ignored, the last one is kept
    current = { text: 'explain sel', anchor: inPalette };
    listeners.selectionchange();
    current = { text: '', anchor: null };
    listeners.selectionchange();
    expect(tracker.text()).toBe('AccessDenied in an output');
    tracker.dispose();
    expect(listeners.selectionchange).toBeUndefined();
  });
});
