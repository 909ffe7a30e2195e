/**
 * A role's leaking, accepted or uncovered actions, grouped by access level, each with the
 * statements that allow it and, for a cross-domain leak, the request that proves it.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type {
  ICrossDomainEntry,
  IStatementRef,
  IUncoveredEntry
} from '../tokens';
import {
  formatStatementRef,
  groupByAccessLevel,
  UNKNOWN_ACCESS_LEVEL
} from '../leaks';
import { AccessLevelChips } from './AccessLevelChips';
import { Breakable } from './Breakable';
import { WitnessView } from './WitnessView';

function accessLevelLabel(level: string, trans: TranslationBundle): string {
  switch (level) {
    case UNKNOWN_ACCESS_LEVEL:
      return trans.__('Unknown access level');
    case 'Permissions management':
      return trans.__('Permissions management');
    case 'Write':
      return trans.__('Write');
    case 'Tagging':
      return trans.__('Tagging');
    case 'Read':
      return trans.__('Read');
    case 'List':
      return trans.__('List');
    default:
      return level;
  }
}

function StatementRefs(props: { refs?: IStatementRef[] }): JSX.Element {
  const refs = props.refs ?? [];
  return (
    <span className="jp-SMIso-refs">
      {refs.map((ref, i) => (
        <code key={i} className="jp-SMIso-ref">
          <Breakable text={formatStatementRef(ref)} />
        </code>
      ))}
    </span>
  );
}

function EntryRow(props: {
  entry: ICrossDomainEntry | IUncoveredEntry;
  trans: TranslationBundle;
}): JSX.Element {
  const { entry, trans } = props;
  const cross = entry as ICrossDomainEntry;
  const uncovered = entry as IUncoveredEntry;
  return (
    <li
      className={`jp-SMIso-entry${
        cross.accepted === true ? ' jp-SMIso-entry-accepted' : ''
      }`}
    >
      <code className="jp-SMIso-action">
        <Breakable text={entry.action} />
      </code>
      {cross.accepted === true && (
        <span
          className="jp-SMIso-tag jp-SMIso-tag-accepted"
          title={cross.accepted_reason ?? undefined}
        >
          {trans.__('accepted')}
        </span>
      )}
      {entry.resource_types && entry.resource_types.length > 0 && (
        <span className="jp-SMIso-meta">
          {trans.__('on %1', entry.resource_types.join(', '))}
        </span>
      )}
      {uncovered.reason && (
        <span className="jp-SMIso-meta" title={uncovered.reason}>
          {uncovered.reason === 'no-resource-type'
            ? trans.__('no resource type: tags cannot scope it')
            : uncovered.reason === 'resource-type-not-taggable'
              ? trans.__('resource type takes no tag condition keys')
              : uncovered.reason}
        </span>
      )}
      <div className="jp-SMIso-allowedby">
        {trans.__('allowed by')} <StatementRefs refs={entry.allowed_by} />
      </div>
      {cross.accepted === true && cross.accepted_reason && (
        <div className="jp-SMIso-meta">{cross.accepted_reason}</div>
      )}
      {entry.conditional_on && entry.conditional_on.length > 0 && (
        <div className="jp-SMIso-meta jp-SMIso-conditional">
          {trans.__(
            'only if conditions on %1 hold (unknown to the analysis, counted as allowing)',
            entry.conditional_on.join(', ')
          )}
        </div>
      )}
      {cross.witness && <WitnessView witness={cross.witness} trans={trans} />}
    </li>
  );
}

/** Entries grouped by access level, one collapsible group per level. */
export function GroupedEntries(props: {
  entries: (ICrossDomainEntry | IUncoveredEntry)[];
  trans: TranslationBundle;
  open?: boolean;
  testId?: string;
}): JSX.Element {
  const groups = groupByAccessLevel(props.entries);
  return (
    <div className="jp-SMIso-groups" data-testid={props.testId}>
      {groups.map(group => (
        <details
          key={group.accessLevel}
          className="jp-SMIso-group"
          open={props.open}
          data-access-level={group.accessLevel}
        >
          <summary>
            <span className="jp-SMIso-group-title">
              <AccessLevelChips
                level={group.accessLevel}
                label={l => accessLevelLabel(l, props.trans)}
              />
            </span>{' '}
            <span className="jp-SMIso-count">{group.entries.length}</span>
          </summary>
          <ul className="jp-SMIso-entries">
            {group.entries.map((entry, i) => (
              <EntryRow
                key={`${entry.action}-${i}`}
                entry={entry}
                trans={props.trans}
              />
            ))}
          </ul>
        </details>
      ))}
    </div>
  );
}
