/**
 * The overview's states other than its result: loading, not on this server, never run (or
 * stopped), running (progress, Stop), failed, no domains found; and what the status region says.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IErrorInfo } from '../tokens';
import { summaryText } from './OverviewSummary';
import type {
  IOverviewState,
  OverviewModel,
  OverviewView
} from './OverviewModel';

/** A progress stage of the overview job in words. */
export function stageLabel(stage: string, trans: TranslationBundle): string {
  switch (stage) {
    case 'accounts':
      return trans.__('Entering the accounts');
    case 'regions':
      return trans.__('Listing the domains of each Region');
    case 'analysis':
      return trans.__('Checking the domains');
    case 'reach':
      return trans.__('Working out who reaches whom');
    case 'fixes':
      return trans.__('Trying the fixes');
    default:
      return stage;
  }
}

function Progress(props: {
  model: OverviewModel;
  state: IOverviewState;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const p = props.state.job?.progress;
  const total = p && p.total > 0 ? p.total : undefined;
  return (
    <div className="jp-SMIso-state jp-SMIso-state-info">
      <h3 className="jp-SMIso-state-title">
        {trans.__('Checking every domain…')}
      </h3>
      {p?.stage && (
        <p className="jp-SMIso-meta">{stageLabel(p.stage, trans)}</p>
      )}
      <progress
        className="jp-SMIso-progress"
        max={total}
        value={total ? p?.done : undefined}
        aria-label={trans.__('Overview progress')}
      />
      {total && (
        <span className="jp-SMIso-meta">
          {trans.__('%1 of %2', p?.done ?? 0, total)}
        </span>
      )}
      <div>
        <button
          className="jp-mod-styled jp-SMIso-button"
          onClick={() => void props.model.cancel()}
        >
          {trans.__('Stop')}
        </button>
      </div>
    </div>
  );
}

/** What the status region says for a view. */
export function announcement(
  view: OverviewView,
  state: IOverviewState,
  trans: TranslationBundle
): string {
  switch (view) {
    case 'running':
      return trans.__('Checking every domain…');
    case 'empty':
      return trans.__('No domains found.');
    case 'error':
      return trans.__('The overview failed.');
    case 'ready':
      return state.job?.overview
        ? trans.__('Overview ready: %1', summaryText(state.job.overview, trans))
        : '';
    default:
      return '';
  }
}

/** The box of a state without a result (nothing for `ready`). */
export function OverviewStates(props: {
  model: OverviewModel;
  state: IOverviewState;
  view: OverviewView;
  error: IErrorInfo | null | undefined;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, state, view, error, trans } = props;
  return (
    <>
      {view === 'loading' && (
        <p className="jp-SMIso-meta">{trans.__('Loading…')}</p>
      )}
      {view === 'unavailable' && (
        <div className="jp-SMIso-state jp-SMIso-state-error" role="alert">
          <h3 className="jp-SMIso-state-title">
            {trans.__('This server extension has no overview')}
          </h3>
          <p>
            {trans.__(
              'Install the same sagemaker-isolation-ext version in the environment that runs the Jupyter server and restart it.'
            )}
          </p>
        </div>
      )}
      {view === 'idle' && (
        <div className="jp-SMIso-state jp-SMIso-state-info">
          <h3 className="jp-SMIso-state-title">
            {state.job?.status === 'cancelled'
              ? trans.__('The last overview was stopped')
              : trans.__('No overview has run on this server yet')}
          </h3>
          <button
            className="jp-mod-styled jp-mod-accept jp-SMIso-button"
            onClick={() => void model.start(state.request)}
          >
            {trans.__('Check every domain')}
          </button>
        </div>
      )}
      {view === 'running' && (
        <Progress model={model} state={state} trans={trans} />
      )}
      {view === 'error' && (
        <div className="jp-SMIso-state jp-SMIso-state-error" role="alert">
          <h3 className="jp-SMIso-state-title">
            {trans.__('The overview failed')}
          </h3>
          <p>{error?.message}</p>
          <p className="jp-SMIso-meta">
            <code>
              {[error?.reason, error?.code].filter(Boolean).join(' · ')}
            </code>
          </p>
        </div>
      )}
      {view === 'empty' && (
        <div
          className="jp-SMIso-state jp-SMIso-state-info"
          data-testid="jp-SMIso-ov-empty"
        >
          <h3 className="jp-SMIso-state-title">
            {trans.__('No domains found')}
          </h3>
          <p>
            {trans.__(
              'No SageMaker domain exists in the Regions and accounts read. Choose other Regions under “Regions and accounts”.'
            )}
          </p>
        </div>
      )}
    </>
  );
}
