/**
 * The reach matrix: rows and columns are the domains grouped by account and Region, each cell
 * the number of actions the row's roles may take on the column's resources, coloured by count; a
 * last column for "any other domain"; error rows for accounts and Regions that could not be read.
 * A grid for the keyboard: one cell in the tab order, arrows move, Enter or Space opens it.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { normaliseVerdict } from '../leaks';
import { VerdictBadge } from '../components/VerdictBadge';
import type { ICellRef } from './OverviewModel';
import { ANY_DOMAIN, IMatrix, IMatrixCell, IMatrixGroup } from './matrix';
import type { IOverviewError } from '../tokens';

/** The words of a group heading: account and Region. */
export function groupLabel(
  group: Pick<IMatrixGroup, 'account_id' | 'region'>,
  trans: TranslationBundle
): string {
  return group.region
    ? trans.__('Account %1, %2', group.account_id, group.region)
    : trans.__('Account %1, every Region', group.account_id);
}

/** A cell in words (its ARIA label): domain names, not ids. */
export function cellLabel(cell: IMatrixCell, trans: TranslationBundle): string {
  const from = cell.from.label;
  if (cell.self) {
    return trans.__('%1 on its own resources: not a cross-domain reach', from);
  }
  const to = cell.to ? cell.to.label : null;
  if (!cell.computed && to) {
    return trans.__(
      '%1 onto %2: not computed (another account or Region)',
      from,
      to
    );
  }
  if (cell.actions === 0 && to && cell.viaAny > 0) {
    return trans._n(
      '%2 names no action on %3 alone, but its %1 action on any other domain reaches %3 too (see the any-domain column)',
      '%2 names no action on %3 alone, but its %1 actions on any other domain reach %3 too (see the any-domain column)',
      cell.viaAny,
      from,
      to
    );
  }
  if (cell.actions === 0) {
    return to
      ? trans.__('%1 can take no action on the resources of %2', from, to)
      : trans.__(
          '%1 can take no action on the resources of any other domain of its account and Region',
          from
        );
  }
  return to
    ? trans._n(
        '%2 can take %1 action on the resources of %3',
        '%2 can take %1 actions on the resources of %3',
        cell.actions,
        from,
        to
      )
    : trans._n(
        '%2 can take %1 action on the resources of any other domain of its account and Region',
        '%2 can take %1 actions on the resources of any other domain of its account and Region',
        cell.actions,
        from
      );
}

/** An account or Region that could not be read, in words. */
export function errorText(e: IOverviewError): string {
  return [e.operation, e.code, e.message].filter(Boolean).join(' · ');
}

/**
 * What a cell shows: the count, `*` when only grants naming no domain reach it, `·` for none,
 * `—` on the diagonal, blank when not computed.
 */
export function cellText(cell: IMatrixCell): string {
  if (cell.self) {
    return '—';
  }
  if (!cell.computed) {
    return '';
  }
  if (cell.actions === 0 && cell.viaAny > 0) {
    return '*';
  }
  return cell.actions > 0 ? String(cell.actions) : '·';
}

/** The key of a cell for `ICellRef`. */
export function cellRef(cell: IMatrixCell): ICellRef {
  return {
    from: cell.from.domain.arn,
    to: cell.to ? cell.to.domain.arn : ANY_DOMAIN
  };
}

export function ReachMatrix(props: {
  matrix: IMatrix;
  selected: ICellRef | null;
  onSelect: (cell: ICellRef) => void;
  onOpenDomain: (arn: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { matrix, selected, trans } = props;
  const rows = matrix.cells;
  const width = matrix.domains.length + 1;
  const [focus, setFocus] = React.useState<[number, number]>([0, 0]);
  const tableRef = React.useRef<HTMLTableElement>(null);
  const [r0, c0] = focus;
  const fr = Math.min(r0, rows.length - 1);
  const fc = Math.min(c0, width - 1);
  const move = (r: number, c: number) => {
    const nr = Math.max(0, Math.min(rows.length - 1, r));
    const nc = Math.max(0, Math.min(width - 1, c));
    setFocus([nr, nc]);
    tableRef.current
      ?.querySelector<HTMLElement>(`[data-row="${nr}"][data-col="${nc}"]`)
      ?.focus();
  };
  const onKeyDown = (e: React.KeyboardEvent, cell: IMatrixCell) => {
    const [r, c] = [cell.from.index, cell.to ? cell.to.index : width - 1];
    const keys: Record<string, [number, number]> = {
      ArrowUp: [r - 1, c],
      ArrowDown: [r + 1, c],
      ArrowLeft: [r, c - 1],
      ArrowRight: [r, c + 1],
      Home: [r, 0],
      End: [r, width - 1]
    };
    if (keys[e.key]) {
      e.preventDefault();
      move(...keys[e.key]);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      props.onSelect(cellRef(cell));
    }
  };
  const colGroups = matrix.groups.filter(g => g.domains.length > 0);
  return (
    <div className="jp-SMIso-ov-matrix-scroll">
      <table
        ref={tableRef}
        className="jp-SMIso-ov-matrix"
        role="grid"
        aria-label={trans.__(
          'Reach between domains: rows can act on the resources of columns'
        )}
        data-testid="jp-SMIso-ov-matrix"
      >
        <thead>
          <tr>
            <td className="jp-SMIso-ov-corner" rowSpan={2}>
              {trans.__('from ↓ / onto →')}
            </td>
            {colGroups.map(g => (
              <th
                key={g.key}
                scope="colgroup"
                colSpan={g.domains.length}
                className="jp-SMIso-ov-colgroup"
              >
                {groupLabel(g, trans)}
              </th>
            ))}
            <th rowSpan={2} scope="col" className="jp-SMIso-ov-colhead">
              <span
                title={trans.__(
                  'any other domain of the row’s account and Region, without naming one'
                )}
              >
                {trans.__('* any other')}
              </span>
            </th>
          </tr>
          <tr>
            {matrix.domains.map(d => (
              <th
                key={d.domain.arn}
                scope="col"
                className="jp-SMIso-ov-colhead"
              >
                <span title={`${d.domain.id} · ${d.domain.region}`}>
                  {d.label}
                </span>
              </th>
            ))}
          </tr>
        </thead>
        {matrix.groups.map(g => (
          <tbody key={g.key} data-group={g.key}>
            <tr className="jp-SMIso-ov-grouprow">
              <th scope="rowgroup" colSpan={width + 1}>
                {groupLabel(g, trans)}
              </th>
            </tr>
            {g.domains.map(d => {
              const verdict = normaliseVerdict(d.domain.verdict);
              return (
                <tr
                  key={d.domain.arn}
                  className={`jp-SMIso-ov-row jp-SMIso-ov-row-${verdict}`}
                  data-verdict={verdict}
                  data-domain={d.domain.id}
                >
                  <th scope="row" className="jp-SMIso-ov-rowhead">
                    <VerdictBadge verdict={verdict} trans={trans} />{' '}
                    <button
                      className="jp-SMIso-ov-link"
                      title={trans.__('Open the report of %1', d.label)}
                      onClick={() => props.onOpenDomain(d.domain.arn)}
                    >
                      {d.label}
                    </button>
                  </th>
                  {rows[d.index].map((cell, c) => {
                    const ref = cellRef(cell);
                    const isSel =
                      !!selected &&
                      selected.from === ref.from &&
                      selected.to === ref.to;
                    return (
                      <td
                        key={ref.to}
                        role="gridcell"
                        className={`jp-SMIso-ov-cell jp-SMIso-ov-level-${cell.level}${cell.self ? ' jp-SMIso-ov-self' : ''}${cell.computed ? '' : ' jp-SMIso-ov-na'}`}
                        data-row={d.index}
                        data-col={c}
                        data-actions={cell.actions}
                        tabIndex={d.index === fr && c === fc ? 0 : -1}
                        aria-label={cellLabel(cell, trans)}
                        aria-selected={isSel}
                        onClick={() => {
                          setFocus([d.index, c]);
                          props.onSelect(ref);
                        }}
                        onKeyDown={e => onKeyDown(e, cell)}
                      >
                        {cellText(cell)}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            {g.errors.map((e, i) => (
              <tr key={`error-${i}`} className="jp-SMIso-ov-error-row">
                <th scope="row" className="jp-SMIso-ov-rowhead">
                  <span className="jp-SMIso-tag jp-SMIso-tag-high">
                    {trans.__('not read')}
                  </span>
                </th>
                <td colSpan={width} role="gridcell">
                  {errorText(e)}
                </td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
