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
import { announcement, OverviewStates } from './OverviewStates';
import { OverviewVerdict } from './OverviewSummary';
import { IOverviewState, OverviewModel, overviewView } from './OverviewModel';
import { ReachMatrix } from './ReachMatrix';
import { ScopeForm } from './ScopeForm';
import { useModelState } from '../components/useModel';

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
      <OverviewStates
        model={model}
        state={state}
        view={view}
        error={error}
        trans={trans}
      />
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
  const state = useModelState(model.stateChanged, () => model.state);
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
