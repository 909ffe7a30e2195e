/**
 * "Explain an AccessDenied": paste an error message, get the ranked causes with their evidence
 * and a copyable fix (`POST sagemaker-isolation/explain`, docs/EXPLAIN.md), through
 * `ExplainModel`. Every value shown is rendered as React text (escaped); nothing is injected as
 * HTML.
 */
import { UseSignal } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { focusElement, focusIsLost, SR_ONLY_CLASS } from '../a11y';
import type { ExplainModel } from '../model';
import { MAX_MESSAGE_CHARS, type IExplainState } from '../tokens';
import { ExplainResultView } from './ExplainResult';

/** The box bound to a model's state. */
export function ExplainBoxView(props: {
  model: ExplainModel;
  state: IExplainState;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, state, trans } = props;
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
        onChange={e => model.setText(e.target.value)}
      />
      <div className="jp-SMIso-toolbar">
        <button
          ref={runRef}
          className="jp-mod-styled jp-mod-accept jp-SMIso-button jp-SMIso-explain-run"
          aria-disabled={state.busy}
          onClick={() => {
            if (!state.busy) {
              void model.explain();
            }
          }}
        >
          {state.busy ? trans.__('Explaining…') : trans.__('Explain')}
        </button>
        <label className="jp-SMIso-meta">
          <input
            type="checkbox"
            checked={state.offline}
            onChange={e => model.setOffline(e.target.checked)}
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

/** The box, re-rendered on the model's `stateChanged`. */
export function ExplainBox(props: {
  model: ExplainModel;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <UseSignal
      signal={props.model.stateChanged}
      initialArgs={props.model.state}
    >
      {(_, state) => (
        <ExplainBoxView
          model={props.model}
          state={state ?? props.model.state}
          trans={props.trans}
        />
      )}
    </UseSignal>
  );
}
