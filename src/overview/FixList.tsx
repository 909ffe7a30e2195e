/**
 * "Do this next": the fixes of an overview, most findings closed first, each with the change it
 * makes and how many findings it closes (the server re-ran the analysis with the fix applied).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IOverviewDomain, IOverviewFix } from './tokens';

/** A fix's `change` as label/value lines (lists joined; nested objects as compact JSON). */
export function changeLines(
  change: Record<string, unknown> | null | undefined
): [string, string][] {
  return Object.entries(change ?? {})
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [
      k.replace(/_/g, ' '),
      Array.isArray(v)
        ? v
            .map(x => (typeof x === 'object' ? JSON.stringify(x) : String(x)))
            .join(', ')
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v)
    ]);
}

/** The names of the domains a fix touches (ids when unnamed). */
function domainNames(fix: IOverviewFix, domains: IOverviewDomain[]): string[] {
  return (fix.domains ?? []).map(arn => {
    const d = domains.find(x => x.arn === arn);
    return d ? d.name || d.id : arn;
  });
}

export function FixList(props: {
  fixes: IOverviewFix[];
  domains: IOverviewDomain[];
  /** Show at most this many (the sidebar's short list); all when absent. */
  limit?: number;
  /** Without details (the sidebar). */
  compact?: boolean;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const shown =
    props.limit !== undefined ? props.fixes.slice(0, props.limit) : props.fixes;
  if (shown.length === 0) {
    return (
      <p className="jp-SMIso-meta" data-testid="jp-SMIso-ov-nofix">
        {trans.__('Nothing to fix: no finding has a known fix.')}
      </p>
    );
  }
  return (
    <ol className="jp-SMIso-ov-fixes" data-testid="jp-SMIso-ov-fixes">
      {shown.map(fix => {
        const names = domainNames(fix, props.domains);
        const lines = changeLines(fix.change);
        return (
          <li key={fix.id} className="jp-SMIso-ov-fix" data-fix-id={fix.id}>
            <div>
              <strong>{fix.title}</strong>{' '}
              <span className="jp-SMIso-count jp-SMIso-ov-closes">
                {trans._n(
                  'closes %1 finding',
                  'closes %1 findings',
                  fix.closes ?? 0
                )}
              </span>
            </div>
            {!props.compact && names.length > 0 && (
              <div className="jp-SMIso-meta">
                {trans.__('Domains: %1', names.join(', '))}
              </div>
            )}
            {!props.compact && fix.detail && (
              <p className="jp-SMIso-detail">{fix.detail}</p>
            )}
            {!props.compact && lines.length > 0 && (
              <details className="jp-SMIso-ov-change">
                <summary>{trans.__('The change')}</summary>
                <dl>
                  {lines.map(([k, v]) => (
                    <React.Fragment key={k}>
                      <dt>{k}</dt>
                      <dd>
                        <code>{v}</code>
                      </dd>
                    </React.Fragment>
                  ))}
                </dl>
              </details>
            )}
          </li>
        );
      })}
    </ol>
  );
}
