/**
 * One domain of the overview in its own main-area tab: its verdict, its execution roles (the
 * report's role sections, witnesses included) and its findings, as the overview checked them.
 */
import { ReactWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { CopyButton } from '../components/CopyButton';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { FindingList } from '../components/FindingList';
import { RoleSection } from '../components/RoleSection';
import { VerdictBadge } from '../components/VerdictBadge';
import type { IOverviewDomain } from './tokens';

export function DomainReportView(props: {
  domain: IOverviewDomain;
  /** Check this domain in the sidebar panel (the full report: templates, coverage, admin). */
  onCheckInPanel?: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { domain, trans } = props;
  const roleArns = new Set(
    (domain.roles ?? []).map(r => r.arn).filter(Boolean)
  );
  const domainFindings = (domain.findings ?? []).filter(
    f => !f.role || !roleArns.has(f.role)
  );
  return (
    <div className="jp-SMIso-ov-body jp-SMIso-report" data-domain={domain.id}>
      <div className="jp-SMIso-header">
        <h2 className="jp-SMIso-title">
          {trans.__('Domain %1', domain.name || domain.id)}
        </h2>
        <div className="jp-SMIso-meta">
          <code>{domain.id}</code> · {domain.region} ·{' '}
          {trans.__('account %1', domain.account_id)}
          {domain.experience
            ? ` · ${trans.__('default experience: %1', domain.experience)}`
            : ''}
        </div>
        <div className="jp-SMIso-toolbar">
          {props.onCheckInPanel && (
            <button
              className="jp-mod-styled jp-SMIso-button"
              onClick={props.onCheckInPanel}
            >
              {trans.__('Check in the sidebar (templates, coverage)')}
            </button>
          )}
          <CopyButton
            label={trans.__('Copy domain JSON')}
            text={() => JSON.stringify(domain, null, 2)}
            trans={trans}
          />
        </div>
      </div>
      <div className="jp-SMIso-verdict">
        <VerdictBadge verdict={domain.verdict} trans={trans} large={true} />
      </div>
      <h3 className="jp-SMIso-section-title">
        {trans.__('Execution roles')}
        <span className="jp-SMIso-count">{(domain.roles ?? []).length}</span>
      </h3>
      {(domain.roles ?? []).map((role, i) => (
        <RoleSection
          key={role.arn ?? i}
          role={role}
          findings={(domain.findings ?? []).filter(
            f => f.role && f.role === role.arn
          )}
          trans={trans}
        />
      ))}
      <h3 className="jp-SMIso-section-title">
        {trans.__('Domain findings')}
        <span className="jp-SMIso-count">{domainFindings.length}</span>
      </h3>
      <FindingList findings={domainFindings} trans={trans} />
    </div>
  );
}

/** The tab's widget (wrapped in a MainAreaWidget by the plugin). */
export class DomainReportWidget extends ReactWidget {
  constructor(
    readonly domain: IOverviewDomain,
    private readonly _trans: TranslationBundle,
    private readonly _onCheckInPanel?: () => void
  ) {
    super();
    this.addClass('jp-SMIso-overview');
  }

  render(): JSX.Element {
    return (
      <ErrorBoundary trans={this._trans}>
        <DomainReportView
          domain={this.domain}
          onCheckInPanel={this._onCheckInPanel}
          trans={this._trans}
        />
      </ErrorBoundary>
    );
  }
}
