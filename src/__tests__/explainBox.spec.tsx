import { nullTranslator } from '@jupyterlab/translation';
import React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';
import {
  ExplainBox,
  ExplainController,
  IExplainResult,
  SelectionTracker,
  selectedText
} from '../components/ExplainBox';
import { fakeServer } from './fakeServer';

(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('sagemaker_isolation_ext');

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

let container: HTMLDivElement;
let root: Root;

beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await act(async () => {
      await new Promise(r => setTimeout(r, 0));
    });
  }
}

describe('ExplainBox', () => {
  it('posts the pasted message and shows the ranked causes, escaped', async () => {
    const server = fakeServer({
      'POST explain': () => ({ status: 200, body: answer() })
    });
    const controller = new ExplainController(server.settings);
    act(() =>
      root.render(<ExplainBox controller={controller} trans={trans} />)
    );
    const textarea = container.querySelector('textarea')!;
    act(() => {
      const setter = Object.getOwnPropertyDescriptor(
        HTMLTextAreaElement.prototype,
        'value'
      )!.set!;
      setter.call(textarea, MESSAGE);
      textarea.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect(controller.state.text).toBe(MESSAGE);
    const run = container.querySelector(
      '.jp-SMIso-explain-run'
    ) as HTMLButtonElement;
    act(() => run.click());
    await flush();
    expect(server.log).toHaveLength(1);
    expect(server.log[0].body).toEqual({ message: MESSAGE, offline: false });
    const causes = container.querySelectorAll('[data-cause-id]');
    expect(
      Array.from(causes).map(c => c.getAttribute('data-cause-id'))
    ).toEqual(['tag-on-create-blocked-boundary', 'implicit-deny-boundary']);
    expect(causes[0].textContent).toContain('tag-on-create is blocked');
    // What was not checked is shown once per answer, in words, not under each cause.
    const checks = container.querySelectorAll('.jp-SMIso-not-checked');
    expect(checks).toHaveLength(1);
    expect(checks[0].textContent).toContain(
      'not checked live evidence: offline'
    );
    expect(causes[0].textContent).not.toContain('not checked');
    // the reason in words, its id after them
    const meta = container.querySelector('.jp-SMIso-explain-result > p')!;
    expect(meta.textContent).toContain('Denied: implicit deny boundary');
    expect(meta.querySelector('code')?.textContent).toBe(
      'implicit_deny_boundary'
    );
    // nothing from the message or the answer became markup
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('.jp-SMIso-detail b')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(container.textContent).toContain('Copy fix');
  });

  it('sends offline when the box is ticked and shows server errors', async () => {
    const server = fakeServer({
      'POST explain': () => ({
        status: 400,
        body: { message: 'message is required', reason: 'bad-request' }
      })
    });
    const controller = new ExplainController(server.settings);
    act(() =>
      root.render(<ExplainBox controller={controller} trans={trans} />)
    );
    const box = container.querySelector(
      'input[type="checkbox"]'
    ) as HTMLInputElement;
    act(() => box.click());
    expect(controller.state.offline).toBe(true);
    await act(async () => {
      await controller.explain('some text');
    });
    await flush();
    expect(server.log[0].body).toEqual({ message: 'some text', offline: true });
    expect(container.querySelector('[role="alert"]')!.textContent).toBe(
      'message is required'
    );
    expect(container.querySelector('[data-cause-id]')).toBeNull();
  });

  it('refuses an empty message without calling the server', async () => {
    const server = fakeServer({});
    const controller = new ExplainController(server.settings);
    const result = await controller.explain('   ');
    expect(result).toBeNull();
    expect(server.log).toHaveLength(0);
    expect(controller.state.error?.reason).toBe('empty');
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
