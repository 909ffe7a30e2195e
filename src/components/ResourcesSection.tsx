/**
 * The "Resources" section: tag coverage of the account for one domain, rendered from
 * `TagScanModel`.
 *
 * Scans on demand (progress with counts while it runs, cancellable), shows the counts per class, a
 * bar per resource type, a filterable table of the untagged and foreign resources with the
 * proposed mapping (checkboxes: only high-confidence proposals start checked), a preview of the
 * backfill (read-only) and, for admins, apply and roll back.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { TagScanModel } from '../model';
import { TagBackfill } from './TagBackfill';
import { TagDomains } from './TagDomains';
import { TagScanResult } from './TagScanResult';
import { useModelState } from './useModel';

/** The section for `domainId` (in `region`); `adminEnabled` from the handshake. */
export function ResourcesSection(props: {
  domainId: string;
  region?: string | null;
  model: TagScanModel;
  /** Whether admin actions are enabled (the handshake's `admin_enabled`). */
  adminEnabled: boolean;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const state = useModelState(model.stateChanged, () => model.state);
  // Shown: ask the domain's last scan status (a scan may already have run or be running).
  React.useEffect(() => {
    void model.setTarget(props.domainId, props.region);
  }, [model, props.domainId, props.region]);
  const status = state.status;
  const scan = status?.status === 'ready' ? status.result : null;
  return (
    <div className="jp-SMIso-resources" data-testid="jp-SMIso-resources">
      <div className="jp-SMIso-resources-actions">
        {status?.status === 'running' ? (
          <>
            <span className="jp-SMIso-meta" data-testid="jp-SMIso-tag-progress">
              {trans.__(
                'Scanning %1 (%2): %3 pages, %4 resources, %5 API calls',
                status.progress?.stage ?? '',
                status.progress?.region ?? '',
                status.progress?.pages ?? 0,
                status.progress?.resources ?? 0,
                status.progress?.api_calls ?? 0
              )}
            </span>{' '}
            <button
              className="jp-mod-styled"
              onClick={() => void model.cancel()}
            >
              {trans.__('Cancel')}
            </button>
          </>
        ) : (
          <button
            className="jp-mod-styled jp-mod-accept"
            onClick={() => void model.start(status?.status === 'ready')}
            data-testid="jp-SMIso-tag-scan"
          >
            {scan ? trans.__('Rescan tags') : trans.__('Scan tags')}
          </button>
        )}
      </div>
      {state.error && (
        <p className="jp-SMIso-error" role="alert">
          {state.error}
        </p>
      )}
      {status?.status === 'error' && status.error && (
        <p className="jp-SMIso-error" role="alert">
          {status.error.message}
        </p>
      )}
      {status?.status === 'cancelled' && (
        <p className="jp-SMIso-meta">{trans.__('The scan was cancelled.')}</p>
      )}
      {scan && (
        <TagScanResult
          scan={scan}
          state={state}
          model={model}
          domainId={props.domainId}
          trans={trans}
        />
      )}
      <TagDomains
        allStatus={state.allStatus}
        onStart={() => void model.startAll()}
        trans={trans}
      />
      <TagBackfill
        state={state}
        model={model}
        admin={props.adminEnabled}
        trans={trans}
      />
    </div>
  );
}
