/**
 * "Do this next": the fixes of an overview, most findings closed first, each with the change it
 * makes, the roles it touches and how many findings it closes (the server re-ran the analysis
 * with the fix applied).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { verdictLabel } from '../components/VerdictBadge';
import type { IOverviewDomain, IOverviewFix } from '../tokens';

/** The words for a domain ARN: its name, else its id, else the ARN. */
export function domainWords(arn: string, domains: IOverviewDomain[]): string {
  const d = domains.find(x => x.arn === arn);
  return d ? d.name || d.id : arn;
}

/** The statements a `replace-managed-policy` fix drops, in words (`Sid` or `#index`). */
export function droppedStatements(fix: IOverviewFix): string[] {
  const list = fix.change?.statements;
  if (!Array.isArray(list)) {
    return [];
  }
  return list.map(s => {
    const st = s as { sid?: string | null; index?: number };
    return st.sid || `#${st.index ?? '?'}`;
  });
}

/** A stable key of a fix (the server gives none): its kind, policy and title. */
export function fixKey(fix: IOverviewFix): string {
  return `${fix.kind}|${String(fix.change?.policy_arn ?? '')}|${fix.title}`;
}

function FixDetail(props: {
  fix: IOverviewFix;
  domains: IOverviewDomain[];
  trans: TranslationBundle;
}): JSX.Element {
  const { fix, domains, trans } = props;
  const dropped = droppedStatements(fix);
  const newName = fix.change?.new_policy_name;
  const after = Object.entries(fix.verdicts_after ?? {});
  return (
    <details className="jp-SMIso-ov-change">
      <summary>{trans.__('The change')}</summary>
      <dl>
        {fix.change?.policy_arn !== undefined && (
          <>
            <dt>{trans.__('Policy')}</dt>
            <dd>
              <code>{String(fix.change?.policy_arn)}</code>
            </dd>
          </>
        )}
        {dropped.length > 0 && (
          <>
            <dt>{trans.__('Statements dropped')}</dt>
            <dd>{dropped.join(', ')}</dd>
          </>
        )}
        {typeof newName === 'string' && (
          <>
            <dt>{trans.__('New policy')}</dt>
            <dd>
              <code>{newName}</code>
            </dd>
          </>
        )}
        {(fix.roles ?? []).length > 0 && (
          <>
            <dt>{trans.__('Roles')}</dt>
            <dd>
              {(fix.roles ?? [])
                .map(r =>
                  trans.__(
                    '%1 (domain %2)',
                    r.role_name || r.role,
                    domainWords(r.domain, domains)
                  )
                )
                .join(', ')}
            </dd>
          </>
        )}
        {after.length > 0 && (
          <>
            <dt>{trans.__('Verdict after')}</dt>
            <dd>
              {after
                .map(
                  ([arn, v]) =>
                    `${domainWords(arn, domains)}: ${verdictLabel(v, trans)}`
                )
                .join(', ')}
            </dd>
          </>
        )}
      </dl>
    </details>
  );
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
        {trans.__('No change found that closes a finding.')}
      </p>
    );
  }
  return (
    <ol className="jp-SMIso-ov-fixes" data-testid="jp-SMIso-ov-fixes">
      {shown.map(fix => (
        <li key={fixKey(fix)} className="jp-SMIso-ov-fix" data-kind={fix.kind}>
          <div>
            <strong
              className="jp-SMIso-ov-fix-title"
              title={props.compact ? fix.title : undefined}
            >
              {fix.title}
            </strong>{' '}
            <span className="jp-SMIso-count jp-SMIso-ov-closes">
              {trans._n(
                'closes %1 finding',
                'closes %1 findings',
                fix.closes ?? 0
              )}
            </span>
          </div>
          {!props.compact && (
            <FixDetail fix={fix} domains={props.domains} trans={trans} />
          )}
        </li>
      ))}
    </ol>
  );
}
