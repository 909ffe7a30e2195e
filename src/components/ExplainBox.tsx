import { UseSignal } from '@jupyterlab/apputils';
import type { ServerConnection } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';
import React from 'react';
import { focusElement, focusIsLost, SR_ONLY_CLASS } from '../a11y';
import { ApiError, IErrorInfo, requestAPI } from '../api';
import { Breakable } from './Breakable';
import { CopyButton } from './CopyButton';

/**
 * "Explain an AccessDenied": paste an error message, get the ranked causes with their evidence
 * and a copyable fix (`POST sagemaker-isolation/explain`, docs/EXPLAIN.md). Every value shown
 * is rendered as React text (escaped); nothing is injected as HTML.
 */

/** Longest message sent to the server (characters); the server cuts at 64 KiB as well. */
export const MAX_MESSAGE_CHARS = 65536;

/** What one check did or could not do. */
export interface IExplainCheck {
  check: string;
  result?: string;
  why?: string;
  /** The raw answer of a failed call (a page instead of an AWS error); shown in a toggle. */
  body?: string;
}

/** One ranked cause (docs/EXPLAIN.md "Cause ids"). */
export interface IExplainCause {
  id: string;
  rank: number;
  confidence: 'confirmed' | 'likely' | 'possible' | string;
  title: string;
  detail: string;
  fix: string;
  evidence: {
    facts?: Record<string, unknown>;
    checked?: IExplainCheck[];
    not_checked?: IExplainCheck[];
  };
}

/** The `explain` route's answer (the fields extracted from the message plus the causes). */
export interface IExplainResult {
  principal: string | null;
  action: string | null;
  resource: string | null;
  operation: string | null;
  reason: string | null;
  /** The reason in words (issue 13); the id stays in `reason`. */
  reason_text?: string | null;
  policy_type: string | null;
  policy_arn: string | null;
  error_code?: string | null;
  truncated?: boolean;
  mode?: 'live' | 'offline' | string;
  causes: IExplainCause[];
}

/** Call `POST explain` with `{message, offline}`. */
export function explainAccessDenied(
  message: string,
  offline: boolean,
  settings?: ServerConnection.ISettings
): Promise<IExplainResult> {
  return requestAPI<IExplainResult>(
    'explain',
    { method: 'POST', body: JSON.stringify({ message, offline }) },
    settings
  );
}

/** State of the box. */
export interface IExplainState {
  text: string;
  offline: boolean;
  busy: boolean;
  result: IExplainResult | null;
  error: IErrorInfo | null;
}

/**
 * Owns the box's state so the command-palette command can fill and run it while the panel shows
 * it (`stateChanged` re-renders the box).
 */
export class ExplainController {
  constructor(private readonly _settings?: ServerConnection.ISettings) {}

  /** Emitted on every state change. */
  get stateChanged(): ISignal<ExplainController, IExplainState> {
    return this._changed;
  }

  /** The current state. */
  get state(): IExplainState {
    return this._state;
  }

  /** Replace the text being edited. */
  setText(text: string): void {
    this._set({ text });
  }

  /** Explain offline (no AWS call) or with live evidence. */
  setOffline(offline: boolean): void {
    this._set({ offline });
  }

  /**
   * Explain `text` (default: the current text). An empty text gives an error without a call.
   *
   * @returns the result, or null when the call failed (the error is in the state).
   */
  async explain(text?: string): Promise<IExplainResult | null> {
    const message = (text ?? this._state.text).slice(0, MAX_MESSAGE_CHARS);
    if (!message.trim()) {
      this._set({
        text: message,
        error: {
          message: 'Paste an AccessDenied error message first.',
          reason: 'empty'
        },
        result: null
      });
      return null;
    }
    const seq = ++this._seq;
    this._set({ text: message, busy: true, error: null });
    try {
      const result = await explainAccessDenied(
        message,
        this._state.offline,
        this._settings
      );
      if (seq === this._seq) {
        this._set({ busy: false, result, error: null });
      }
      return result;
    } catch (error) {
      const info =
        error instanceof ApiError
          ? error.toInfo()
          : { message: String(error), reason: 'error' };
      if (seq === this._seq) {
        this._set({ busy: false, error: info, result: null });
      }
      return null;
    }
  }

  private _set(patch: Partial<IExplainState>): void {
    this._state = { ...this._state, ...patch };
    this._changed.emit(this._state);
  }

  private _state: IExplainState = {
    text: '',
    offline: false,
    busy: false,
    result: null,
    error: null
  };
  private _seq = 0;
  private _changed = new Signal<ExplainController, IExplainState>(this);
}

/** The text the user has selected in the page (a notebook output, an editor), or ''. */
export function selectedText(win: Window = window): string {
  const selection = win.getSelection?.();
  return selection ? selection.toString() : '';
}

/**
 * Remembers the last non-empty page selection (`selectionchange`), because opening the command
 * palette moves the focus and can clear `window.getSelection()` before the command runs.
 * Selections inside `ignoreSelector` (the palette, the box itself) are not remembered.
 */
export class SelectionTracker {
  constructor(
    private readonly _doc: Document = document,
    private readonly _ignoreSelector = '.lm-CommandPalette, .jp-SMIso-explain',
    private readonly _maxAgeMs = 120_000
  ) {
    this._doc.addEventListener('selectionchange', this._onChange);
  }

  /** The current selection if non-empty, else the one remembered (if recent), else ''. */
  text(): string {
    const now = selectedText(this._doc.defaultView ?? window);
    if (now.trim()) {
      return now;
    }
    return Date.now() - this._at <= this._maxAgeMs ? this._last : '';
  }

  /** Stop listening. */
  dispose(): void {
    this._doc.removeEventListener('selectionchange', this._onChange);
  }

  private _onChange = (): void => {
    const selection = this._doc.getSelection?.();
    const text = selection ? selection.toString() : '';
    if (!text.trim()) {
      return;
    }
    const node = selection?.anchorNode ?? null;
    const element =
      node && node.nodeType === 1
        ? (node as Element)
        : (node?.parentElement ?? null);
    if (element && element.closest(this._ignoreSelector)) {
      return;
    }
    this._last = text;
    this._at = Date.now();
  };

  private _last = '';
  private _at = 0;
}

function Field(props: { label: string; value: string | null | undefined }) {
  if (!props.value) {
    return null;
  }
  return (
    <>
      <dt>{props.label}</dt>
      <dd>
        <code>
          <Breakable text={props.value} />
        </code>
      </dd>
    </>
  );
}

/** One cause: title, confidence, detail, fix (copyable), what was and was not checked. */
export function CauseView(props: {
  cause: IExplainCause;
  trans: TranslationBundle;
}): JSX.Element {
  const { cause, trans } = props;
  return (
    <li
      className={`jp-SMIso-cause jp-SMIso-confidence-${cause.confidence}`}
      data-cause-id={cause.id}
    >
      <div className="jp-SMIso-cause-head">
        <strong className="jp-SMIso-cause-title">{cause.title}</strong>{' '}
        <span className="jp-SMIso-tag">{cause.confidence}</span>{' '}
        <code className="jp-SMIso-meta">{cause.id}</code>
      </div>
      <p className="jp-SMIso-detail">{cause.detail}</p>
      <div className="jp-SMIso-fix">
        <span>{trans.__('Fix:')}</span>{' '}
        <code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
          {cause.fix}
        </code>{' '}
        <CopyButton
          label={trans.__('Copy fix')}
          ariaLabel={trans.__('Copy the fix of %1', cause.id)}
          text={() => cause.fix}
          trans={trans}
        />
      </div>
    </li>
  );
}

/** Every check of a result once (each cause carries the same lists). */
export function reportChecks(result: IExplainResult): {
  checked: IExplainCheck[];
  notChecked: IExplainCheck[];
} {
  const checked: IExplainCheck[] = [];
  const notChecked: IExplainCheck[] = [];
  const seen = new Set<string>();
  for (const cause of result.causes) {
    for (const c of cause.evidence?.checked ?? []) {
      const key = `c|${c.check}|${c.result ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        checked.push(c);
      }
    }
    for (const c of cause.evidence?.not_checked ?? []) {
      const key = `n|${c.check}|${c.why ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        notChecked.push(c);
      }
    }
  }
  return { checked, notChecked };
}

/** What was and was not checked, once per result; a failed call's raw answer in a toggle. */
function ChecksView(props: {
  result: IExplainResult;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { trans } = props;
  const { checked, notChecked } = reportChecks(props.result);
  if (checked.length === 0 && notChecked.length === 0) {
    return null;
  }
  return (
    <ul className="jp-SMIso-evidence">
      {checked.map((c, i) => (
        <li key={`c${i}`}>
          {trans.__(
            'checked %1: %2',
            checkLabel(c.check, trans),
            c.result ?? ''
          )}
        </li>
      ))}
      {notChecked.map((c, i) => (
        <li key={`n${i}`} className="jp-SMIso-not-checked">
          {trans.__(
            'not checked %1: %2',
            checkLabel(c.check, trans),
            c.why ?? ''
          )}
          {c.body && (
            <details>
              <summary>{trans.__('Answer received')}</summary>
              <pre className="jp-SMIso-raw">{c.body}</pre>
            </details>
          )}
        </li>
      ))}
    </ul>
  );
}

/** An evidence check id in words. */
function checkLabel(check: string, trans: TranslationBundle): string {
  switch (check) {
    case 'resource-tags':
      return trans.__("the resource's tags");
    case 'principal-policies':
      return trans.__("the principal's role policies");
    case 'live-evidence':
      return trans.__('live evidence');
    case 'catalog':
      return trans.__('the action catalog');
    default:
      return check;
  }
}

/** The result: extracted fields, then the ranked causes. */
export function ExplainResultView(props: {
  result: IExplainResult;
  trans: TranslationBundle;
}): JSX.Element {
  const { result, trans } = props;
  return (
    <div className="jp-SMIso-explain-result">
      {/* Takes the focus when a result arrives (ExplainBoxView); the box's status region speaks. */}
      <h4 className="jp-SMIso-explain-result-title" tabIndex={-1}>
        {trans._n(
          'Result: %1 possible cause',
          'Result: %1 possible causes',
          result.causes.length,
          result.causes.length
        )}
      </h4>
      <p className="jp-SMIso-meta">
        {result.reason === null ? (
          trans.__('Not an AWS authorization error message.')
        ) : (
          <>
            <span title={result.reason}>
              {trans.__(
                'Denied: %1',
                result.reason_text ?? result.reason.replace(/_/g, ' ')
              )}
            </span>{' '}
            <code className="jp-SMIso-meta">{result.reason}</code>
            {' · '}
            {trans.__('evidence: %1', result.mode ?? 'offline')}
          </>
        )}
      </p>
      <dl className="jp-SMIso-explain-fields">
        <Field label={trans.__('Principal')} value={result.principal} />
        <Field label={trans.__('Action')} value={result.action} />
        <Field label={trans.__('Resource')} value={result.resource} />
        <Field label={trans.__('Operation')} value={result.operation} />
        <Field label={trans.__('Policy type')} value={result.policy_type} />
        <Field label={trans.__('Policy ARN')} value={result.policy_arn} />
      </dl>
      {result.truncated && (
        <p className="jp-SMIso-meta">
          {trans.__('The message was cut to its first 64 KiB.')}
        </p>
      )}
      <ChecksView result={result} trans={trans} />
      <ol className="jp-SMIso-causes">
        {result.causes.map(c => (
          <CauseView key={c.id} cause={c} trans={trans} />
        ))}
      </ol>
    </div>
  );
}

/** The box bound to a controller's state. */
export function ExplainBoxView(props: {
  controller: ExplainController;
  state: IExplainState;
  trans: TranslationBundle;
}): JSX.Element {
  const { controller, state, trans } = props;
  const rootRef = React.useRef<HTMLElement>(null);
  const runRef = React.useRef<HTMLButtonElement>(null);
  const lastResult = React.useRef(state.result);
  // When a new result arrives and the focus is on the Explain button (or was lost), move it to the
  // result's heading; an error leaves it on the button (the alert below is read out).
  React.useEffect(() => {
    const changed = state.result !== lastResult.current;
    lastResult.current = state.result;
    const root = rootRef.current;
    if (!changed || !state.result || !root) {
      return;
    }
    const active = root.ownerDocument.activeElement;
    if (active === runRef.current || focusIsLost(root.ownerDocument)) {
      focusElement(
        root.querySelector<HTMLElement>('.jp-SMIso-explain-result-title')
      );
    }
  });
  const announcement = state.busy
    ? trans.__('Explaining…')
    : state.error
      ? trans.__('Explain failed')
      : state.result
        ? trans._n(
            'Explained: %1 possible cause',
            'Explained: %1 possible causes',
            state.result.causes.length,
            state.result.causes.length
          )
        : '';
  return (
    <section
      className="jp-SMIso-explain"
      aria-labelledby="jp-SMIso-explain-title"
      ref={rootRef}
    >
      <div className={SR_ONLY_CLASS} role="status" aria-live="polite">
        {announcement}
      </div>
      <h3 id="jp-SMIso-explain-title">{trans.__('Explain an AccessDenied')}</h3>
      <textarea
        className="jp-mod-styled jp-SMIso-explain-input"
        style={{ width: '100%', boxSizing: 'border-box', resize: 'vertical' }}
        rows={5}
        maxLength={MAX_MESSAGE_CHARS}
        aria-label={trans.__('AccessDenied error message')}
        placeholder={trans.__(
          'Paste the error, e.g. An error occurred (AccessDeniedException) when calling …'
        )}
        value={state.text}
        onChange={e => controller.setText(e.target.value)}
      />
      <div className="jp-SMIso-toolbar">
        <button
          ref={runRef}
          className="jp-mod-styled jp-mod-accept jp-SMIso-button jp-SMIso-explain-run"
          aria-disabled={state.busy}
          onClick={() => {
            if (!state.busy) {
              void controller.explain();
            }
          }}
        >
          {state.busy ? trans.__('Explaining…') : trans.__('Explain')}
        </button>
        <label className="jp-SMIso-meta">
          <input
            type="checkbox"
            checked={state.offline}
            onChange={e => controller.setOffline(e.target.checked)}
          />{' '}
          {trans.__('Offline (no AWS calls)')}
        </label>
      </div>
      {state.error && (
        <p className="jp-SMIso-error" role="alert">
          {state.error.message}
        </p>
      )}
      {state.result && (
        <ExplainResultView result={state.result} trans={trans} />
      )}
    </section>
  );
}

/** The box, re-rendered on the controller's `stateChanged`. */
export function ExplainBox(props: {
  controller: ExplainController;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <UseSignal
      signal={props.controller.stateChanged}
      initialArgs={props.controller.state}
    >
      {(_, state) => (
        <ExplainBoxView
          controller={props.controller}
          state={state ?? props.controller.state}
          trans={props.trans}
        />
      )}
    </UseSignal>
  );
}
