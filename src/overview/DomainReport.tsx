/**
 * One domain of the overview in its own main-area tab: the domain's full report as the overview
 * checked it (GET `overview/report`), shown with the sidebar's report view. When the report is
 * not there (a newer overview left the domain out), the overview's row of it: verdict, roles and
 * findings.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { CopyButton } from '../components/CopyButton';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { FindingList } from '../components/FindingList';
import { ReportView } from '../components/ReportView';
import { VerdictBadge } from '../components/VerdictBadge';
import type { IsolationModel } from '../model';
import type { DomainReportModel } from './OverviewModel';
import type { IOverviewDomain } from '../tokens';
import { useModelState } from '../components/useModel';

/** The overview's row of a domain: verdict, roles (compact) and findings. */
export function OverviewRowView(props: {
  domain: IOverviewDomain;
  trans: TranslationBundle;
}): JSX.Element {
  const { domain, trans } = props;
  return (
    <section
      className="jp-SMIso-ov-row-report"
      aria-labelledby="jp-SMIso-ov-row-title"
      data-testid="jp-SMIso-ov-row-report"
    >
      <h3 id="jp-SMIso-ov-row-title" className="jp-SMIso-section-title">
        {trans.__('As the overview listed it')}
      </h3>
      <div className="jp-SMIso-verdict">
        <VerdictBadge verdict={domain.verdict} trans={trans} large={true} />
      </div>
      <ul className="jp-SMIso-findings">
        {(domain.roles ?? []).map((r, i) => (
          <li key={r.arn ?? i} className="jp-SMIso-finding">
            <VerdictBadge verdict={r.verdict} trans={trans} />{' '}
            <strong title={r.arn ?? undefined}>{r.name || r.arn}</strong>
            {r.verdict_reason && (
              <p className="jp-SMIso-detail">{r.verdict_reason}</p>
            )}
          </li>
        ))}
      </ul>
      <FindingList findings={domain.findings ?? []} trans={trans} />
    </section>
  );
}

/** The tab's body for the report model's state. */
export function DomainReportBody(props: {
  model: DomainReportModel;
  panelModel: IsolationModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model.stateChanged, () => model.state);
  const domain = model.domain;
  return (
    <div className="jp-SMIso-ov-body" data-domain={domain.id}>
      <div className="jp-SMIso-header">
        <h2 className="jp-SMIso-title">
          {trans.__('Domain %1', domain.name || domain.id)}
        </h2>
        <div className="jp-SMIso-meta">
          <code>{domain.id}</code> ·{' '}
          {trans.__('%1, account %2', domain.region, domain.account_id)}
          {domain.experience
            ? ` · ${trans.__('experience: %1', domain.experience)}`
            : ''}
        </div>
        {state.report && (
          <div className="jp-SMIso-toolbar">
            <CopyButton
              label={trans.__('Copy report JSON')}
              text={() => JSON.stringify(state.report, null, 2)}
              trans={trans}
            />
          </div>
        )}
      </div>
      {state.status === 'loading' && (
        <p className="jp-SMIso-meta" role="status">
          {trans.__('Loading the report…')}
        </p>
      )}
      {state.status === 'ready' && state.report && (
        <ReportView
          report={state.report}
          model={props.panelModel}
          trans={trans}
        />
      )}
      {state.status === 'error' && (
        <>
          <div className="jp-SMIso-state jp-SMIso-state-warn">
            <h3 className="jp-SMIso-state-title">
              {trans.__('The full report is not available')}
            </h3>
            <p>{state.error?.message}</p>
            <button
              className="jp-mod-styled jp-SMIso-button"
              onClick={() => void model.load()}
            >
              {trans.__('Retry')}
            </button>
          </div>
          <OverviewRowView domain={domain} trans={trans} />
        </>
      )}
    </div>
  );
}

/** The tab's widget (wrapped in a MainAreaWidget by the plugin); disposes its model with it. */
export class DomainReportWidget extends ReactWidget {
  constructor(
    readonly model: DomainReportModel,
    private readonly _panelModel: IsolationModel,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-SMIso-overview');
    this.addClass('jp-SMIso-panel');
  }

  /** The overview row this tab shows. */
  get domain(): IOverviewDomain {
    return this.model.domain;
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  render(): JSX.Element {
    return (
      <ErrorBoundary trans={this._trans}>
        <DomainReportBody
          model={this.model}
          panelModel={this._panelModel}
          trans={this._trans}
        />
      </ErrorBoundary>
    );
  }
}
