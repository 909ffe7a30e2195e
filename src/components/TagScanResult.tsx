/**
 * A ready tag scan of one domain: the counts per class, a bar per resource type, a filterable table
 * of the resources with the proposed mapping (checkboxes choose what the backfill tags) and the
 * "Preview backfill" button. Renders `TagScanModel`'s state.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { TagScanModel } from '../model';
import {
  TAG_CLASSES,
  type ITagRow,
  type ITagScan,
  type ITagScanState,
  type TagClass,
  type TagSummary
} from '../tokens';

/** Colours of the classes in the per-type bars (JupyterLab theme variables). */
export const CLASS_COLOUR: Record<TagClass, string> = {
  this_domain: 'var(--jp-success-color1)',
  other_domain: 'var(--jp-error-color1)',
  untagged: 'var(--jp-warn-color1)',
  stale_domain: 'var(--jp-error-color2)',
  never_tagged_by_design: 'var(--jp-layout-color4)',
  unreadable: 'var(--jp-layout-color3)'
};

/** A class in words. */
export function classLabel(c: TagClass, trans: TranslationBundle): string {
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

/** The scan result (`scan`) with its filter and table; the checkboxes and preview call `model`. */
export function TagScanResult(props: {
  scan: ITagScan;
  state: ITagScanState;
  model: TagScanModel;
  domainId: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { scan, state, model, trans } = props;
  const [filter, setFilter] = React.useState<TagClass | 'all'>('all');
  const [search, setSearch] = React.useState('');
  const rows: ITagRow[] = scan.resources.filter(
    r =>
      (filter === 'all' || r.class === filter) &&
      (search === '' ||
        r.arn.toLowerCase().includes(search.toLowerCase()) ||
        r.type.includes(search.toLowerCase()))
  );
  const mappable = (r: ITagRow) =>
    r.class === 'untagged' && r.proposal?.domain_id === props.domainId;
  return (
    <>
      <ul className="jp-SMIso-tag-counts" data-testid="jp-SMIso-tag-counts">
        {TAG_CLASSES.map(c => (
          <li key={c} data-class={c} data-testid={`jp-SMIso-tag-count-${c}`}>
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
      <table className="jp-SMIso-tag-table" data-testid="jp-SMIso-tag-table">
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
                    checked={state.checked.has(r.arn)}
                    aria-label={trans.__('Tag %1 for this domain', r.arn)}
                    onChange={e => model.setChecked(r.arn, e.target.checked)}
                  />
                )}
              </td>
              <td>{classLabel(r.class, trans)}</td>
              <td>
                <code title={r.arn}>{r.arn.split(':').slice(5).join(':')}</code>
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
        disabled={state.checked.size === 0}
        aria-disabled={state.busy}
        onClick={() => {
          // Busy: aria-disabled (keeps the focus), so the click is ignored here.
          if (!state.busy) {
            void model.preview();
          }
        }}
        data-testid="jp-SMIso-tag-preview-button"
      >
        {trans.__('Preview backfill (%1)', state.checked.size)}
      </button>
    </>
  );
}
