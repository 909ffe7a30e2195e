/**
 * "Studio still works": a role's Studio experience, each flow that does not work with the
 * request that stops it, and whether the role reaches other users' private spaces
 * (README "New Studio domains").
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IFlowResult, IRoleReport } from '../tokens';

/** Why a flow does not work, in words (the denied request and statement, or what it depends on). */
export function flowProblem(
  flow: IFlowResult,
  trans: TranslationBundle
): string {
  const b = (flow.breaks ?? [])[0];
  const denied = b
    ? b.statement
      ? trans.__(
          '%1 on %2: denied by %3 statement %4',
          b.action ?? '?',
          b.resource ?? '?',
          b.statement.policy,
          b.statement.sid ?? `#${b.statement.index}`
        )
      : trans.__(
          '%1 on %2: no statement allows it',
          b.action ?? '?',
          b.resource ?? '?'
        )
    : '';
  if (flow.status === 'breaks') {
    return denied;
  }
  const on = (flow.depends_on ?? []).join(', ') || '?';
  return denied
    ? trans.__('depends on %1 (in the policies read, %2)', on, denied)
    : trans.__('depends on %1', on);
}

function withinLabel(verdict: string, trans: TranslationBundle): string {
  switch (verdict) {
    case 'isolated':
      return trans.__('isolated');
    case 'partial':
      return trans.__('only actions no policy can restrict to the owner');
    case 'not_isolated':
      return trans.__('not isolated');
    default:
      return trans.__('unknown');
  }
}

/** The Studio flows block of a role (nothing when the report has no flows). */
export function StudioFlows(props: {
  role: IRoleReport;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { role, trans } = props;
  const flows = role.flows ?? [];
  if (flows.length === 0) {
    return null;
  }
  const bad = flows.filter(f => f.status !== 'works');
  const s = role.flows_summary ?? {
    works: flows.length - bad.length,
    breaks: bad.filter(f => f.status === 'breaks').length,
    depends: bad.filter(f => f.status === 'depends').length
  };
  const wd = role.within_domain;
  return (
    <div className="jp-SMIso-flows" data-testid="jp-SMIso-flows">
      <div className="jp-SMIso-meta">
        {trans.__(
          'Studio flows (%1): %2 work, %3 break, %4 depend',
          role.experience ?? trans.__('unknown'),
          s.works,
          s.breaks,
          s.depends
        )}
      </div>
      {bad.length > 0 && (
        <ul className="jp-SMIso-list">
          {bad.map(f => (
            <li key={f.id} data-status={f.status}>
              {f.title} (<code>{f.id}</code>, {f.status}):{' '}
              <span className="jp-SMIso-meta">{flowProblem(f, trans)}</span>
            </li>
          ))}
        </ul>
      )}
      {wd &&
        (role.experience === 'studio' ||
          role.experience === 'both' ||
          role.experience === 'unknown') && (
          <div className="jp-SMIso-meta" data-testid="jp-SMIso-within-domain">
            {trans.__(
              'Other users’ private spaces: %1',
              withinLabel(wd.verdict, trans)
            )}
          </div>
        )}
    </div>
  );
}
