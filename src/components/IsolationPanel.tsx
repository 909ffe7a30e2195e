/**
 * The left-sidebar panel: the header (refresh, change domain, copy report), the domain line and
 * form, the body for the model's view, the server self-check and the explain box. It renders
 * `IsolationModel`'s state and calls its methods; it makes no server call itself.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import React from 'react';
import {
  focusElement,
  focusIsLost,
  panelAnnouncement,
  SR_ONLY_CLASS,
  useFocusWithin
} from '../a11y';
import { IsolationModel, viewOf } from '../model';
import type { IModelState, ITarget, PanelView } from '../tokens';
import { CopyButton } from './CopyButton';
import { DomainForm } from './DomainForm';
import { DomainLine } from './DomainLine';
import { ErrorBoundary } from './ErrorBoundary';
import { ExplainBox } from './ExplainBox';
import { ViewBody } from './PanelStates';
import { ServerCheck } from './ServerCheck';
import { useModelState } from './useModel';
import { OverviewCard } from '../overview/OverviewSummary';
import type { OverviewModel } from '../overview/OverviewModel';

export { highCount, unknownReasons } from './ReportView';

/** The panel's body for one state. */
export function PanelBody(props: {
  model: IsolationModel;
  state: IModelState;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, state, trans } = props;
  const [editing, setEditing] = React.useState(false);
  const view: PanelView = viewOf(state);
  const report =
    state.job?.status === 'ready' ? (state.job.report ?? null) : null;
  const submit = (target: ITarget) => {
    setEditing(false);
    model.setTarget(target);
    void model.check(false);
  };
  const jobError =
    state.job?.status === 'error' ? state.job.error : state.requestError;
  const canCheck = state.server.status === 'ok' && view !== 'need-domain';
  // Busy or unusable controls stay focusable (`aria-disabled`), so the focus is not thrown away.
  const refreshDisabled = !canCheck || view === 'checking';
  const rootRef = React.useRef<HTMLDivElement>(null);
  const changeRef = React.useRef<HTMLButtonElement>(null);
  const refreshRef = React.useRef<HTMLButtonElement>(null);
  const focus = useFocusWithin(rootRef);
  const lastView = React.useRef<PanelView>(view);
  const lastEditing = React.useRef(editing);
  const initialTarget: ITarget = {
    domain_id: state.target.domain_id ?? state.context?.domain_id ?? '',
    region: state.target.region ?? state.context?.region ?? '',
    profile: state.target.profile ?? ''
  };

  const body = (
    <ViewBody
      view={view}
      state={state}
      model={model}
      report={report}
      jobError={jobError}
      trans={trans}
    />
  );

  const showForm =
    view === 'need-domain' ||
    ((editing || view === 'no-credentials') && state.server.status === 'ok');

  // Focus: when a check ends, to its verdict (or the heading saying why there is none); when the
  // domain form closes, back to "Change domain"; when the focused control disappears, to Refresh.
  // Only when the focus is (or was, before its element went) in the panel: a check finishing in
  // the background never takes the focus from a notebook.
  React.useEffect(() => {
    const prevView = lastView.current;
    const prevEditing = lastEditing.current;
    lastView.current = view;
    lastEditing.current = editing;
    const root = rootRef.current;
    if (!root || !focus.owns()) {
      return;
    }
    const lost = focusIsLost(root.ownerDocument);
    if (
      view !== prevView &&
      view !== 'checking' &&
      (prevView === 'checking' || lost)
    ) {
      const target =
        root.querySelector<HTMLElement>('.jp-SMIso-verdict') ??
        root.querySelector<HTMLElement>('.jp-SMIso-state-title') ??
        root.querySelector<HTMLElement>('.jp-SMIso-form input');
      if (focusElement(target)) {
        return;
      }
    }
    if (prevEditing && !editing && focusElement(changeRef.current)) {
      return;
    }
    if (focusIsLost(root.ownerDocument)) {
      focusElement(refreshRef.current);
    }
  });
  return (
    <div
      className="jp-SMIso-body"
      ref={rootRef}
      onFocus={focus.onFocus}
      onBlur={focus.onBlur}
    >
      <div className={SR_ONLY_CLASS} role="status" aria-live="polite">
        {panelAnnouncement(state, trans)}
      </div>
      <div className="jp-SMIso-header">
        <h2 className="jp-SMIso-title">
          {trans.__('SageMaker domain isolation')}
        </h2>
        <div
          className="jp-SMIso-toolbar"
          role="toolbar"
          aria-label={trans.__('Isolation check')}
        >
          <button
            ref={refreshRef}
            className="jp-mod-styled jp-SMIso-button jp-SMIso-refresh"
            onClick={() => {
              if (!refreshDisabled) {
                void model.check(true);
              }
            }}
            aria-disabled={refreshDisabled}
            aria-label={trans.__('Refresh the isolation report')}
            title={trans.__('Refresh the isolation report')}
          >
            <refreshIcon.react tag="span" className="jp-SMIso-icon" />
            {trans.__('Refresh')}
          </button>
          {state.server.status === 'ok' && view !== 'need-domain' && (
            <button
              ref={changeRef}
              className="jp-mod-styled jp-SMIso-button jp-SMIso-change-domain"
              aria-expanded={editing}
              onClick={() => setEditing(!editing)}
            >
              {trans.__('Change domain')}
            </button>
          )}
          {report && (
            <CopyButton
              label={trans.__('Copy report JSON')}
              text={() => JSON.stringify(report, null, 2)}
              trans={trans}
            />
          )}
        </div>
      </div>
      <DomainLine state={state} report={report} trans={trans} />
      {showForm && (
        <DomainForm
          key={JSON.stringify(initialTarget)}
          initial={initialTarget}
          detail={
            view === 'need-domain' && state.context?.source === 'none'
              ? state.context.detail
              : null
          }
          error={view === 'need-domain' ? (jobError?.message ?? null) : null}
          heading={
            view === 'need-domain'
              ? trans.__('Not in Studio: enter a domain')
              : trans.__('Change domain')
          }
          trans={trans}
          onSubmit={submit}
          focusOnMount={editing}
          onCancel={editing ? () => setEditing(false) : undefined}
        />
      )}
      {body}
      <ServerCheck
        server={state.server}
        frontendVersion={model.frontendVersion}
        trans={trans}
      />
    </div>
  );
}

/**
 * The panel body, following the model's state. Unlike `UseSignal` with `initialArgs`, it reads the
 * model's state again once subscribed: a handshake and a cached report can both arrive between the
 * first render and the subscription, and the panel would otherwise stay on "Connecting…".
 */
function ModelState(props: {
  model: IsolationModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model.stateChanged, () => model.state);
  return <PanelBody model={model} state={state} trans={trans} />;
}

/** The left-sidebar widget: renders the model's state, re-rendering on `stateChanged`. */
export class IsolationPanel extends ReactWidget {
  /**
   * @param model - the panel's model (its `explain` model feeds the explain box when
   *   `showExplain`).
   * @param showExplain - show the "Explain an AccessDenied" box below the report.
   * @param overview - the account overview's card (verdict, top fixes, "Open overview"), shown
   *   first when given and the server has the overview.
   */
  constructor(
    readonly model: IsolationModel,
    private readonly _trans: TranslationBundle,
    private readonly _showExplain = true,
    readonly overview: { model: OverviewModel; open: () => void } | null = null
  ) {
    super();
    this.addClass('jp-SMIso-panel');
  }

  render(): JSX.Element {
    return (
      <ErrorBoundary trans={this._trans}>
        {this.overview && (
          <OverviewCard
            model={this.overview.model}
            onOpen={this.overview.open}
            trans={this._trans}
          />
        )}
        <ModelState model={this.model} trans={this._trans} />
        {this._showExplain && (
          <div className="jp-SMIso-body">
            <ExplainBox model={this.model.explain} trans={this._trans} />
          </div>
        )}
      </ErrorBoundary>
    );
  }
}
