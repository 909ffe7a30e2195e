/**
 * The admin section's history of changes (apply/rollback, with a "Roll back…" preview per apply)
 * and the last rollback (preview, then confirm).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IChangeRecord, IChangeSummary } from '../tokens';
import { StepList } from './AdminPlanView';

/** The history; `onRollback(id, dryRun)` previews (true) or runs (false) a rollback. */
export function AdminHistory(props: {
  history: IChangeSummary[];
  rollback: IChangeRecord | null;
  onRollback: (changeId: string, dryRun: boolean) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { history, rollback, trans } = props;
  return (
    <>
      <h4>{trans.__('History')}</h4>
      {history.length === 0 ? (
        <p className="jp-SMIso-meta">{trans.__('No change recorded.')}</p>
      ) : (
        <ul
          className="jp-SMIso-admin-history"
          data-testid="jp-SMIso-admin-history"
        >
          {history.map(c => (
            <li key={c.id} data-kind={c.kind} data-status={c.status}>
              <code>{c.id}</code> {c.kind} {c.status} ({c.steps_done}/
              {c.steps_total})
              {c.rolled_back_by ? ` ${trans.__('rolled back')}` : ''}
              {c.kind === 'apply' && !c.rolled_back_by && (
                <button
                  className="jp-mod-styled"
                  data-testid="jp-SMIso-admin-rollback"
                  onClick={() => props.onRollback(c.id, true)}
                >
                  {trans.__('Roll back…')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {rollback && (
        <div
          className="jp-SMIso-admin-result"
          data-testid="jp-SMIso-admin-rollback-result"
          data-status={rollback.status}
        >
          <h4>
            {rollback.status === 'planned'
              ? trans.__('Rollback of %1 (preview)', rollback.rollback_of ?? '')
              : trans.__(
                  'Rollback of %1: %2',
                  rollback.rollback_of ?? '',
                  rollback.status
                )}
          </h4>
          <StepList record={rollback} trans={trans} />
          {rollback.status === 'planned' &&
            (rollback.steps ?? []).length > 0 && (
              <button
                className="jp-mod-styled jp-mod-warn"
                data-testid="jp-SMIso-admin-rollback-confirm"
                onClick={() =>
                  props.onRollback(rollback.rollback_of ?? '', false)
                }
              >
                {trans.__('Confirm rollback')}
              </button>
            )}
        </div>
      )}
    </>
  );
}
