/**
 * The domain being checked (name, id, Region) and where it came from (Studio metadata, server
 * configuration, the panel's form, the settings).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IContextInfo, IModelState, IReport } from '../tokens';

function contextSourceLabel(
  source: string | undefined | null,
  trans: TranslationBundle
): string {
  switch (source) {
    case 'studio-metadata':
      return trans.__('from the Studio app metadata');
    case 'config':
      return trans.__('from the server configuration');
    case 'cli':
      return trans.__('from the command line');
    case 'panel':
      return trans.__('entered in this panel');
    case 'settings':
      return trans.__('from the extension settings');
    case 'none':
      return trans.__('no domain known');
    default:
      return source ?? '';
  }
}

/** The domain line above the report. */
export function DomainLine(props: {
  state: IModelState;
  report: IReport | null;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { state, report, trans } = props;
  const ctx: IContextInfo | null = state.context;
  const fromTarget = Boolean(state.target.domain_id);
  const domainId =
    report?.domain?.id ?? state.target.domain_id ?? ctx?.domain_id;
  if (!domainId) {
    return null;
  }
  const region = report?.domain?.region ?? state.target.region ?? ctx?.region;
  const source = fromTarget
    ? (state.targetSource ?? 'panel')
    : (report?.context?.source ?? ctx?.source);
  const detail = fromTarget ? null : (report?.context?.detail ?? ctx?.detail);
  return (
    <div
      className="jp-SMIso-domain"
      role="group"
      aria-label={trans.__('Domain')}
    >
      <div>
        <strong>{report?.domain?.name || domainId}</strong>{' '}
        {report?.domain?.name && <code>{domainId}</code>}{' '}
        {region && <span className="jp-SMIso-meta">{region}</span>}
      </div>
      <div className="jp-SMIso-meta">
        {contextSourceLabel(source, trans)}
        {detail ? ` (${detail})` : ''}
      </div>
    </div>
  );
}
