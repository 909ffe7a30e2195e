/**
 * The tag backfill: the preview of the plan (read-only) with, for admins, "Apply backfill", then
 * the result with "Roll back this backfill". Renders `TagScanModel`'s `plan` and `result`.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { TagScanModel } from '../model';
import type { ITagScanState } from '../tokens';

/** The preview and result; apply and roll back only with `admin`. */
export function TagBackfill(props: {
  state: ITagScanState;
  model: TagScanModel;
  admin: boolean;
  trans: TranslationBundle;
}): JSX.Element {
  const { state, model, admin, trans } = props;
  const { plan, result } = state;
  return (
    <>
      {plan && (
        <div
          className="jp-SMIso-tag-preview"
          data-testid="jp-SMIso-tag-preview"
        >
          <p>
            {trans.__(
              'Backfill preview: add these tags to %1 resources (nothing is changed yet).',
              plan.items.length
            )}
          </p>
          <ul>
            {plan.items.map(i => (
              <li key={i.arn}>
                <code>{i.arn}</code>{' '}
                {Object.entries(i.tags)
                  .map(([k, v]) => `+ ${k}=${v}`)
                  .join(', ')}{' '}
                <span className="jp-SMIso-meta">
                  ({i.confidence}: {i.reason})
                </span>
              </li>
            ))}
          </ul>
          {admin ? (
            <button
              className="jp-mod-styled jp-mod-warn"
              aria-disabled={state.busy}
              onClick={() => {
                if (!state.busy) {
                  void model.apply();
                }
              }}
              data-testid="jp-SMIso-tag-apply"
            >
              {trans.__('Apply backfill')}
            </button>
          ) : (
            <p className="jp-SMIso-meta">
              {trans.__(
                'Applying needs admin actions (c.SageMakerIsolationApp.admin_actions_enabled) or the CLI: sagemaker-isolation tags backfill.'
              )}
            </p>
          )}
        </div>
      )}
      {result && (
        <div className="jp-SMIso-tag-result" data-testid="jp-SMIso-tag-result">
          <p>
            {result.rollback_of
              ? trans.__(
                  'Rollback %1: %2',
                  result.change_id ?? '',
                  result.status
                )
              : trans.__(
                  'Backfill %1: %2',
                  result.change_id ?? '',
                  result.status
                )}
          </p>
          <ul>
            {result.items.map(i => (
              <li key={i.arn} data-status={i.status}>
                <code>{i.arn}</code> <strong>{i.status}</strong>
                {i.detail ? ` – ${i.detail}` : ''}
              </li>
            ))}
          </ul>
          {admin && !result.rollback_of && result.change_id && (
            <button
              className="jp-mod-styled"
              aria-disabled={state.busy}
              onClick={() => {
                if (!state.busy) {
                  void model.rollback();
                }
              }}
            >
              {trans.__('Roll back this backfill')}
            </button>
          )}
        </div>
      )}
    </>
  );
}
