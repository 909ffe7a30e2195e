/**
 * The account-wide tag comparison: every domain's own, foreign and untagged resources with its
 * verdict (`tag-scan` with `all_domains`). Renders `TagScanModel`'s `allStatus`.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IScanStatus } from '../tokens';

/** The comparison of every domain; `onStart` starts (or reruns) the account-wide scan. */
export function TagDomains(props: {
  allStatus: IScanStatus | null;
  onStart: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { allStatus, trans } = props;
  return (
    <div className="jp-SMIso-tag-domains" data-testid="jp-SMIso-tag-domains">
      {allStatus?.status === 'running' ? (
        <span className="jp-SMIso-meta">
          {trans.__(
            'Scanning every domain: %1 resources, %2 API calls',
            allStatus.progress?.resources ?? 0,
            allStatus.progress?.api_calls ?? 0
          )}
        </span>
      ) : (
        <button
          className="jp-mod-styled"
          onClick={props.onStart}
          data-testid="jp-SMIso-tag-scan-all"
        >
          {trans.__('Compare every domain')}
        </button>
      )}
      {allStatus?.status === 'error' && allStatus.error && (
        <p className="jp-SMIso-error" role="alert">
          {allStatus.error.message}
        </p>
      )}
      {allStatus?.status === 'ready' && allStatus.result?.domains && (
        <table className="jp-SMIso-tag-table">
          <thead>
            <tr>
              <th>{trans.__('Domain')}</th>
              <th>{trans.__('Own')}</th>
              <th>{trans.__('Foreign')}</th>
              <th>{trans.__('Untagged')}</th>
              <th>{trans.__('Verdict')}</th>
            </tr>
          </thead>
          <tbody>
            {allStatus.result.domains.map(d => (
              <tr key={d.domain.arn} data-domain={d.domain.id}>
                <td>{d.domain.name || d.domain.id}</td>
                <td>{d.own}</td>
                <td>{d.foreign}</td>
                <td>{d.untagged}</td>
                <td data-verdict={d.verdict} title={d.verdict_error ?? ''}>
                  {d.verdict}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
