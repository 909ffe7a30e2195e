import { ReactWidget, UseSignal } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { IsolationModel, viewOf } from './model';
import type { IModelState } from './tokens';
import { normaliseVerdict } from './leaks';

/** The status-bar text for a state (`SageMaker: not isolated`, `SageMaker: checking…`, ...). */
export function statusText(
  state: IModelState,
  trans: TranslationBundle
): string {
  const view = viewOf(state);
  switch (view) {
    case 'report': {
      const verdict = normaliseVerdict(state.job?.report?.verdict);
      return verdict === 'isolated'
        ? trans.__('SageMaker: isolated')
        : verdict === 'not_isolated'
          ? trans.__('SageMaker: not isolated')
          : trans.__('SageMaker: unknown');
    }
    case 'checking':
      return trans.__('SageMaker: checking…');
    case 'need-domain':
    case 'idle':
      return trans.__('SageMaker: not checked');
    case 'probing':
      return trans.__('SageMaker: …');
    default:
      return trans.__('SageMaker: unavailable');
  }
}

/** A status-bar item showing the domain verdict; clicking it opens the panel. */
export class IsolationStatus extends ReactWidget {
  constructor(
    private readonly _model: IsolationModel,
    private readonly _trans: TranslationBundle,
    private readonly _onClick: () => void
  ) {
    super();
    this.addClass('jp-SMIso-status');
    // The item itself is the (always-mounted) status region: its button's text changes with the
    // state ("SageMaker: checking…", "SageMaker: not isolated") and is announced.
    this.node.setAttribute('role', 'status');
    this.node.setAttribute('aria-live', 'polite');
  }

  render(): JSX.Element {
    return (
      <UseSignal
        signal={this._model.stateChanged}
        initialArgs={this._model.state}
      >
        {(_, state) => {
          const s = state ?? this._model.state;
          const verdict =
            viewOf(s) === 'report'
              ? normaliseVerdict(s.job?.report?.verdict)
              : 'none';
          return (
            <button
              className={`jp-SMIso-status-button jp-SMIso-status-${verdict}`}
              onClick={this._onClick}
              title={this._trans.__('Open the SageMaker isolation panel')}
            >
              {statusText(s, this._trans)}
            </button>
          );
        }}
      </UseSignal>
    );
  }
}
