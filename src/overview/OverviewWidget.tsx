/**
 * The account overview in the main area (issue 17): the verdict of every domain, "Do this next",
 * the reach matrix and the actions of the opened cell. Renders `OverviewModel.state` only.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import React from 'react';
import { SR_ONLY_CLASS } from '../a11y';
import { CopyButton } from '../components/CopyButton';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { CellDetail } from './CellDetail';
import { FixList } from './FixList';
import { ANY_DOMAIN } from './matrix';
import { OverviewVerdict, summaryText } from './OverviewSummary';
import {
  IOverviewState,
  OverviewModel,
  OverviewView,
  overviewView
} from './OverviewModel';
import { ReachMatrix } from './ReachMatrix';
import { ScopeForm } from './ScopeForm';
import { useModelState } from './useModelState';

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
function announcement(
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

/** The overview's body for one state. */
export function OverviewBody(props: {
  model: OverviewModel;
  state: IOverviewState;
  onOpenDomain: (arn: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, state, trans } = props;
  const view = overviewView(state);
  const overview = view === 'ready' ? model.overview : null;
  const matrix = view === 'ready' ? model.matrix : null;
  const fixes = view === 'ready' ? model.fixes : [];
  const error =
    state.job?.status === 'error' ? state.job.error : state.requestError;
  const busy = view === 'running';
  const sel = state.selected;
  const cell =
    matrix && sel
      ? (matrix.cells
          .find(row => row[0]?.from.domain.arn === sel.from)
          ?.find(c =>
            sel.to === ANY_DOMAIN ? c.to === null : c.to?.domain.arn === sel.to
          ) ?? null)
      : null;
  const rootRef = React.useRef<HTMLDivElement>(null);
  const closeCell = () => {
    model.select(null);
    rootRef.current
      ?.querySelector<HTMLElement>('.jp-SMIso-ov-cell[tabindex="0"]')
      ?.focus();
  };
  return (
    <div className="jp-SMIso-ov-body" ref={rootRef}>
      <div className={SR_ONLY_CLASS} role="status" aria-live="polite">
        {announcement(view, state, trans)}
      </div>
      <div className="jp-SMIso-header">
        <h2 className="jp-SMIso-title">
          {trans.__('SageMaker isolation: every domain')}
        </h2>
        <div
          className="jp-SMIso-toolbar"
          role="toolbar"
          aria-label={trans.__('Overview')}
        >
          <button
            className="jp-mod-styled jp-SMIso-button jp-SMIso-ov-refresh"
            aria-disabled={busy || view === 'unavailable'}
            onClick={() => {
              if (!busy && view !== 'unavailable') {
                void model.start({ ...state.request, refresh: true });
              }
            }}
          >
            <refreshIcon.react tag="span" className="jp-SMIso-icon" />
            {trans.__('Check every domain again')}
          </button>
          {overview && (
            <CopyButton
              label={trans.__('Copy overview JSON')}
              ariaLabel={trans.__(
                'Copy the overview JSON (as check --all-domains --format json prints it)'
              )}
              text={() => JSON.stringify(overview, null, 2)}
              trans={trans}
            />
          )}
          {overview && fixes.length > 0 && (
            <CopyButton
              label={trans.__('Copy fixes JSON')}
              text={() => JSON.stringify(fixes, null, 2)}
              trans={trans}
            />
          )}
        </div>
        {view !== 'unavailable' && (
          <ScopeForm
            initial={state.request}
            otherAccounts={model.otherAccountsEnabled}
            disabled={busy}
            onSubmit={r => {
              if (!busy) {
                void model.start(r);
              }
            }}
            trans={trans}
          />
        )}
      </div>
      {state.requestError && view === 'ready' && (
        <div className="jp-SMIso-state jp-SMIso-state-error" role="alert">
          <p>{state.requestError.message}</p>
        </div>
      )}
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
      {overview && matrix && (
        <>
          <OverviewVerdict overview={overview} trans={trans} />
          <section aria-labelledby="jp-SMIso-ov-fixes-title">
            <h3 id="jp-SMIso-ov-fixes-title" className="jp-SMIso-section-title">
              {trans.__('Do this next')}
            </h3>
            <FixList fixes={fixes} domains={overview.domains} trans={trans} />
          </section>
          <section aria-labelledby="jp-SMIso-ov-matrix-title">
            <h3
              id="jp-SMIso-ov-matrix-title"
              className="jp-SMIso-section-title"
            >
              {trans.__('Who can act on whose resources')}
            </h3>
            <p className="jp-SMIso-meta">
              {trans.__(
                'Each cell counts the actions the row domain’s execution roles may take on the column domain’s resources. Select a cell for the actions and the requests that prove them.'
              )}
            </p>
            <ReachMatrix
              matrix={matrix}
              selected={state.selected}
              onSelect={ref => model.select(ref)}
              onOpenDomain={props.onOpenDomain}
              trans={trans}
            />
          </section>
          {cell && (
            <CellDetail
              cell={cell}
              onClose={closeCell}
              onOpenDomain={props.onOpenDomain}
              trans={trans}
            />
          )}
        </>
      )}
    </div>
  );
}

/** The main-area widget's content: follows the model (re-reads its state once subscribed). */
function Following(props: {
  model: OverviewModel;
  onOpenDomain: (arn: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { model } = props;
  const state = useModelState(model);
  return <OverviewBody {...props} state={state} />;
}

/** The overview widget (wrapped in a MainAreaWidget by the plugin). */
export class OverviewWidget extends ReactWidget {
  constructor(
    readonly model: OverviewModel,
    private readonly _trans: TranslationBundle,
    private readonly _openDomain: (arn: string) => void
  ) {
    super();
    this.addClass('jp-SMIso-overview');
  }

  render(): JSX.Element {
    return (
      <ErrorBoundary trans={this._trans}>
        <Following
          model={this.model}
          onOpenDomain={this._openDomain}
          trans={this._trans}
        />
      </ErrorBoundary>
    );
  }
}
