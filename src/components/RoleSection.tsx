import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IFinding, IRoleReport } from '../tokens';
import { allowingStatements, parseUsedBy, splitCrossDomain } from '../leaks';
import { Breakable } from './Breakable';
import { FindingList } from './FindingList';
import { GroupedEntries } from './RoleEntries';
import { VerdictBadge } from './VerdictBadge';

/** Leak groups start expanded when a role has at most this many leaking actions. */
const OPEN_GROUPS_UP_TO = 12;

/** The translated label of one `used_by` value. */
export function usedByLabel(value: string, trans: TranslationBundle): string {
  const u = parseUsedBy(value);
  switch (u.kind) {
    case 'domain-default':
      return trans.__('domain default');
    case 'default-space':
      return trans.__('default space (shared spaces)');
    case 'user-profile':
      return trans.__('user profile %1', u.name);
    default:
      return u.value;
  }
}

/**
 * A role's name for people: an offline check's synthetic role (no ARN, named `policy-files`)
 * reads as `policyFiles` (translated by the caller).
 */
export function roleName(
  role: IRoleReport,
  policyFiles = 'policy files'
): string {
  if (!role.arn && (!role.name || role.name === 'policy-files')) {
    return policyFiles;
  }
  return role.name || role.arn || '?';
}

/** One execution role: verdict, who uses it, leaks by access level, findings, unknowns. */
export function RoleSection(props: {
  role: IRoleReport;
  findings: IFinding[];
  trans: TranslationBundle;
}): JSX.Element {
  const { role, trans } = props;
  const { leaks, accepted } = splitCrossDomain(role);
  const uncovered = role.uncovered_allowed ?? [];
  const unknown = role.unknown ?? [];
  const name = roleName(role, trans.__('policy files'));
  const headingId = `jp-SMIso-role-${(role.arn ?? name).replace(/[^A-Za-z0-9_-]/g, '-')}`;
  return (
    <section
      className="jp-SMIso-role"
      aria-labelledby={headingId}
      data-verdict={role.verdict}
    >
      <h3 id={headingId} className="jp-SMIso-role-title">
        <VerdictBadge verdict={role.verdict} trans={trans} />{' '}
        <span title={role.arn ?? undefined}>
          <Breakable text={name} />
        </span>
      </h3>
      <div className="jp-SMIso-meta">
        {trans.__(
          'Used by: %1',
          (role.used_by ?? []).map(u => usedByLabel(u, trans)).join('; ') || '-'
        )}
      </div>
      {role.verdict_reason && (
        <p className="jp-SMIso-reason">{role.verdict_reason}</p>
      )}
      {role.policies && role.policies.length > 0 && (
        <div className="jp-SMIso-meta">
          {trans.__('Policies:')}{' '}
          {role.policies.map((p, i) => (
            <code key={i} className="jp-SMIso-ref" title={p.arn ?? undefined}>
              {p.kind === 'boundary'
                ? trans.__('%1 (permissions boundary)', p.name)
                : p.kind === 'inline'
                  ? trans.__('%1 (inline)', p.name)
                  : p.name}
            </code>
          ))}
        </div>
      )}
      <h4>
        {trans.__('Actions allowed on other domains’ resources')}{' '}
        <span className="jp-SMIso-count">{leaks.length}</span>
      </h4>
      {leaks.length === 0 ? (
        <p className="jp-SMIso-meta">
          {trans.__('None (besides accepted exceptions).')}
        </p>
      ) : (
        <>
          <div className="jp-SMIso-culprits" data-testid="jp-SMIso-culprits">
            <div className="jp-SMIso-meta">{trans.__('Allowed by:')}</div>
            <ul className="jp-SMIso-entries">
              {allowingStatements(leaks).map(s => (
                <li key={s.label} className="jp-SMIso-culprit">
                  <code className="jp-SMIso-ref">{s.label}</code>{' '}
                  <span className="jp-SMIso-meta">
                    {trans._n('%1 action', '%1 actions', s.count, s.count)}
                  </span>
                </li>
              ))}
            </ul>
          </div>
          <GroupedEntries
            entries={leaks}
            trans={trans}
            open={leaks.length <= OPEN_GROUPS_UP_TO}
            testId="jp-SMIso-leaks"
          />
        </>
      )}
      {accepted.length > 0 && (
        <details className="jp-SMIso-sub">
          <summary>
            {trans.__(
              'Accepted exceptions (granted on purpose by the AWS procedure)'
            )}{' '}
            <span className="jp-SMIso-count">{accepted.length}</span>
          </summary>
          <GroupedEntries entries={accepted} trans={trans} open={true} />
        </details>
      )}
      {unknown.length > 0 && (
        <details className="jp-SMIso-sub" open>
          <summary>
            {trans.__('Undecided requests (make the verdict unknown)')}{' '}
            <span className="jp-SMIso-count">{unknown.length}</span>
          </summary>
          <ul className="jp-SMIso-entries">
            {unknown.map((u, i) => (
              <li key={i} className="jp-SMIso-entry">
                <code className="jp-SMIso-action">{u.action}</code>
                {u.resource_type && (
                  <span className="jp-SMIso-meta">
                    {trans.__('on %1', u.resource_type)}
                  </span>
                )}
                <div className="jp-SMIso-meta">{u.reason}</div>
              </li>
            ))}
          </ul>
        </details>
      )}
      {uncovered.length > 0 && (
        <details className="jp-SMIso-sub">
          <summary>
            {trans.__(
              'Allowed actions tags cannot isolate (List*, untaggable types)'
            )}{' '}
            <span className="jp-SMIso-count">{uncovered.length}</span>
          </summary>
          <GroupedEntries entries={uncovered} trans={trans} />
        </details>
      )}
      {role.create_rights && role.create_rights.length > 0 && (
        <div className="jp-SMIso-meta">
          {trans._n(
            'Create rights: %1 action',
            'Create rights: %1 actions',
            role.create_rights.length,
            role.create_rights.length
          )}
        </div>
      )}
      {props.findings.length > 0 && (
        <>
          <h4>{trans.__('Findings for this role')}</h4>
          <FindingList findings={props.findings} trans={trans} />
        </>
      )}
    </section>
  );
}
