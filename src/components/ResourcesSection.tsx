import type { ServerConnection } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { requestAPI } from '../api';
import {
  TAG_CLASSES,
  TagsApi,
  type IScanStatus,
  type IScanTarget,
  type ITagChangeResult,
  type ITagPlan,
  type ITagRow,
  type TagClass,
  type TagSummary
} from '../tagsApi';

/** Colours of the classes in the per-type bars (JupyterLab theme variables). */
const CLASS_COLOUR: Record<TagClass, string> = {
  this_domain: 'var(--jp-success-color1)',
  other_domain: 'var(--jp-error-color1)',
  untagged: 'var(--jp-warn-color1)',
  stale_domain: 'var(--jp-error-color2)',
  never_tagged_by_design: 'var(--jp-layout-color4)',
  unreadable: 'var(--jp-layout-color3)'
};

function classLabel(c: TagClass, trans: TranslationBundle): string {
  switch (c) {
    case 'this_domain':
      return trans.__('this domain');
    case 'other_domain':
      return trans.__('other domain');
    case 'untagged':
      return trans.__('untagged');
    case 'stale_domain':
      return trans.__('stale domain');
    case 'unreadable':
      return trans.__('tags unreadable');
    default:
      return trans.__('never tagged by design');
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function total(s: TagSummary): number {
  return TAG_CLASSES.reduce((n, c) => n + (s[c] ?? 0), 0);
}

/** A stacked bar of one type's classes (widths in % of the type's count). */
function TypeBar(props: {
  type: string;
  summary: TagSummary;
  trans: TranslationBundle;
}): JSX.Element {
  const n = total(props.summary);
  const title = TAG_CLASSES.filter(c => props.summary[c])
    .map(c => `${classLabel(c, props.trans)}: ${props.summary[c]}`)
    .join(', ');
  return (
    <li className="jp-SMIso-tag-type" data-type={props.type}>
      <code>{props.type}</code> <span className="jp-SMIso-meta">{n}</span>
      <div
        role="img"
        aria-label={`${props.type}: ${title}`}
        title={title}
        style={{
          display: 'flex',
          height: '6px',
          width: '100%',
          background: 'var(--jp-layout-color2)'
        }}
      >
        {TAG_CLASSES.map(c =>
          props.summary[c] ? (
            <span
              key={c}
              data-class={c}
              style={{
                width: `${(100 * (props.summary[c] ?? 0)) / (n || 1)}%`,
                background: CLASS_COLOUR[c]
              }}
            />
          ) : null
        )}
      </div>
    </li>
  );
}

/**
 * The "Resources" section: tag coverage of the account for one domain.
 *
 * Scans on demand (`POST tag-scan`; progress with counts while it runs, cancellable), shows the
 * counts per class, a bar per resource type, a filterable table of the untagged and foreign
 * resources with the proposed mapping (checkboxes: only high-confidence proposals start
 * checked), a preview of the backfill (`POST tag-plan`, read-only) and, for admins, apply and
 * roll back (`tag-backfill` / `tag-rollback`).
 */
export function ResourcesSection(props: {
  domainId: string;
  region?: string | null;
  trans: TranslationBundle;
  settings?: ServerConnection.ISettings;
  /** Whether admin actions are enabled; default: asked from `GET version`. */
  adminEnabled?: boolean;
  /** Delay between status polls while a scan runs (ms). */
  pollMs?: number;
}): JSX.Element {
  const { trans } = props;
  const api = React.useMemo(
    () => new TagsApi(props.settings),
    [props.settings]
  );
  const target: IScanTarget = React.useMemo(
    () => ({ domain_id: props.domainId, region: props.region ?? null }),
    [props.domainId, props.region]
  );
  const [status, setStatus] = React.useState<IScanStatus | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [filter, setFilter] = React.useState<TagClass | 'all'>('all');
  const [search, setSearch] = React.useState('');
  const [checked, setChecked] = React.useState<Set<string>>(new Set());
  const [plan, setPlan] = React.useState<ITagPlan | null>(null);
  const [result, setResult] = React.useState<ITagChangeResult | null>(null);
  const [admin, setAdmin] = React.useState<boolean>(
    props.adminEnabled ?? false
  );
  const [busy, setBusy] = React.useState(false);
  const [allStatus, setAllStatus] = React.useState<IScanStatus | null>(null);
  const pollMs = props.pollMs ?? 700;
  const allTarget: IScanTarget = React.useMemo(
    () => ({ region: props.region ?? null, all_domains: true }),
    [props.region]
  );

  // Poll the account-wide scan while it runs.
  React.useEffect(() => {
    if (allStatus?.status !== 'running') {
      return;
    }
    const timer = setTimeout(() => {
      api
        .status(allTarget)
        .then(setAllStatus)
        .catch(e => setError(errorText(e)));
    }, pollMs);
    return () => clearTimeout(timer);
  }, [api, allTarget, allStatus, pollMs]);

  const startAll = async () => {
    setError(null);
    try {
      setAllStatus(await api.start(allTarget, allStatus?.status === 'ready'));
    } catch (e) {
      setError(errorText(e));
    }
  };

  React.useEffect(() => {
    if (props.adminEnabled !== undefined) {
      setAdmin(props.adminEnabled);
      return;
    }
    let live = true;
    requestAPI<{ admin_enabled?: boolean }>('version', {}, api.settings)
      .then(v => live && setAdmin(v?.admin_enabled === true))
      .catch(() => live && setAdmin(false));
    return () => {
      live = false;
    };
  }, [api, props.adminEnabled]);

  // The last status of this domain (a scan may already have run or be running).
  React.useEffect(() => {
    let live = true;
    api
      .status(target)
      .then(s => live && setStatus(s))
      .catch(e => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [api, target]);

  // Poll while running.
  React.useEffect(() => {
    if (status?.status !== 'running') {
      return;
    }
    const timer = setTimeout(() => {
      api
        .status(target)
        .then(setStatus)
        .catch(e => setError(errorText(e)));
    }, pollMs);
    return () => clearTimeout(timer);
  }, [api, target, status, pollMs]);

  const scan = status?.status === 'ready' ? status.result : null;

  // Pre-check the high-confidence proposals for this domain when a new result arrives.
  React.useEffect(() => {
    if (!scan) {
      return;
    }
    setChecked(
      new Set(
        scan.resources
          .filter(
            r =>
              r.class === 'untagged' &&
              r.proposal?.domain_id === props.domainId &&
              r.proposal?.confidence === 'high'
          )
          .map(r => r.arn)
      )
    );
    setPlan(null);
  }, [scan, props.domainId]);

  const start = async (refresh: boolean) => {
    setError(null);
    setResult(null);
    try {
      setStatus(await api.start(target, refresh));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const cancel = async () => {
    try {
      setStatus(await api.cancel(target));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const preview = async () => {
    setError(null);
    setBusy(true);
    try {
      setPlan(await api.plan(target, [...checked]));
      setResult(null);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const apply = async () => {
    if (!plan) {
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setResult(await api.backfill(target, plan, false));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const rollback = async () => {
    if (!result?.change_id) {
      return;
    }
    setBusy(true);
    try {
      setResult(await api.rollback(result.change_id, false));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const rows: ITagRow[] = (scan?.resources ?? []).filter(
    r =>
      (filter === 'all' || r.class === filter) &&
      (search === '' ||
        r.arn.toLowerCase().includes(search.toLowerCase()) ||
        r.type.includes(search.toLowerCase()))
  );
  const mappable = (r: ITagRow) =>
    r.class === 'untagged' && r.proposal?.domain_id === props.domainId;

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
            <button className="jp-mod-styled" onClick={cancel}>
              {trans.__('Cancel')}
            </button>
          </>
        ) : (
          <button
            className="jp-mod-styled jp-mod-accept"
            onClick={() => start(status?.status === 'ready')}
            data-testid="jp-SMIso-tag-scan"
          >
            {scan ? trans.__('Rescan tags') : trans.__('Scan tags')}
          </button>
        )}
      </div>
      {error && (
        <p className="jp-SMIso-error" role="alert">
          {error}
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
        <>
          <ul className="jp-SMIso-tag-counts" data-testid="jp-SMIso-tag-counts">
            {TAG_CLASSES.map(c => (
              <li
                key={c}
                data-class={c}
                data-testid={`jp-SMIso-tag-count-${c}`}
              >
                <span
                  aria-hidden="true"
                  style={{
                    display: 'inline-block',
                    width: '0.8em',
                    height: '0.8em',
                    background: CLASS_COLOUR[c]
                  }}
                />{' '}
                {classLabel(c, trans)}: <strong>{scan.summary[c] ?? 0}</strong>
              </li>
            ))}
          </ul>
          <ul
            className="jp-SMIso-tag-types"
            style={{ listStyle: 'none', padding: 0 }}
          >
            {Object.entries(scan.by_type).map(([t, s]) => (
              <TypeBar key={t} type={t} summary={s} trans={trans} />
            ))}
          </ul>
          <p className="jp-SMIso-meta">
            {trans.__(
              '%1 API calls; %2 types covered, %3 not covered',
              scan.api_calls.total,
              Object.keys(scan.types_covered).length,
              Object.keys(scan.types_not_covered).length
            )}
          </p>
          <div className="jp-SMIso-tag-filter">
            <label>
              {trans.__('Class')}{' '}
              <select
                value={filter}
                onChange={e => setFilter(e.target.value as TagClass | 'all')}
                aria-label={trans.__('Filter by class')}
              >
                <option value="all">{trans.__('all listed')}</option>
                {TAG_CLASSES.map(c => (
                  <option key={c} value={c}>
                    {classLabel(c, trans)}
                  </option>
                ))}
              </select>
            </label>{' '}
            <input
              type="search"
              placeholder={trans.__('Search ARN or type')}
              aria-label={trans.__('Search resources')}
              value={search}
              onChange={e => setSearch(e.target.value)}
            />
          </div>
          <table
            className="jp-SMIso-tag-table"
            data-testid="jp-SMIso-tag-table"
          >
            <thead>
              <tr>
                <th>{trans.__('Map')}</th>
                <th>{trans.__('Class')}</th>
                <th>{trans.__('Resource')}</th>
                <th>{trans.__('Domain tag / proposal')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(r => (
                <tr key={r.arn} data-class={r.class}>
                  <td>
                    {mappable(r) && (
                      <input
                        type="checkbox"
                        checked={checked.has(r.arn)}
                        aria-label={trans.__('Tag %1 for this domain', r.arn)}
                        onChange={e => {
                          const next = new Set(checked);
                          if (e.target.checked) {
                            next.add(r.arn);
                          } else {
                            next.delete(r.arn);
                          }
                          setChecked(next);
                        }}
                      />
                    )}
                  </td>
                  <td>{classLabel(r.class, trans)}</td>
                  <td>
                    <code title={r.arn}>
                      {r.arn.split(':').slice(5).join(':')}
                    </code>
                  </td>
                  <td>
                    {r.class === 'untagged'
                      ? r.proposal?.domain_id
                        ? `${r.proposal.domain_id} (${r.proposal.confidence}: ${r.proposal.reason})`
                        : (r.proposal?.reason ?? '')
                      : (r.other_domain ?? r.domain_tag ?? '')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {(scan.rows_dropped ?? 0) > 0 && (
            <p className="jp-SMIso-meta">
              {trans.__('%1 more rows not listed', scan.rows_dropped ?? 0)}
            </p>
          )}
          <button
            className="jp-mod-styled"
            disabled={checked.size === 0}
            aria-disabled={busy}
            onClick={() => {
              // Busy: aria-disabled (keeps the focus), so the click is ignored here.
              if (!busy) {
                void preview();
              }
            }}
            data-testid="jp-SMIso-tag-preview-button"
          >
            {trans.__('Preview backfill (%1)', checked.size)}
          </button>
        </>
      )}
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
            onClick={startAll}
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
              aria-disabled={busy}
              onClick={() => {
                if (!busy) {
                  void apply();
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
              aria-disabled={busy}
              onClick={() => {
                if (!busy) {
                  void rollback();
                }
              }}
            >
              {trans.__('Roll back this backfill')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
