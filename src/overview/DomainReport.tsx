/**
 * One domain of the overview in its own main-area tab: the domain's full report (the sidebar's
 * report view, on a model of its own targeting that domain); when the server cannot check it
 * (e.g. a domain of another account), the overview's row of it: verdict, roles and findings.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { FindingList } from '../components/FindingList';
import { PanelBody } from '../components/IsolationPanel';
import { VerdictBadge } from '../components/VerdictBadge';
import { IsolationModel, viewOf } from '../model';
import type { IOverviewDomain } from './tokens';
import { useModelState } from './useModelState';

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
        {trans.__('As the overview checked it')}
      </h3>
      <div className="jp-SMIso-verdict">
        <VerdictBadge verdict={domain.verdict} trans={trans} large={true} />
        {domain.verdict_reason && (
          <span className="jp-SMIso-meta">{domain.verdict_reason}</span>
        )}
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

function Following(props: {
  domain: IOverviewDomain;
  model: IsolationModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { domain, model, trans } = props;
  const state = useModelState(model);
  const view = viewOf(state);
  const fallback = ![
    'probing',
    'checking',
    'report',
    'idle',
    'need-domain'
  ].includes(view);
  return (
    <>
      <p className="jp-SMIso-meta jp-SMIso-ov-tabline">
        {trans.__(
          'Domain %1 (%2), %3, account %4',
          domain.name || domain.id,
          domain.id,
          domain.region,
          domain.account_id
        )}
      </p>
      <PanelBody model={model} state={state} trans={trans} />
      {fallback && <OverviewRowView domain={domain} trans={trans} />}
    </>
  );
}

/** The tab's widget (wrapped in a MainAreaWidget by the plugin); disposes its model with it. */
export class DomainReportWidget extends ReactWidget {
  constructor(
    readonly domain: IOverviewDomain,
    readonly model: IsolationModel,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-SMIso-overview');
    this.addClass('jp-SMIso-panel');
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  render(): JSX.Element {
    return (
      <ErrorBoundary trans={this._trans}>
        <div className="jp-SMIso-ov-body">
          <Following
            domain={this.domain}
            model={this.model}
            trans={this._trans}
          />
        </div>
      </ErrorBoundary>
    );
  }
}
