/**
 * The actions of one matrix cell, each with the request that proves it (the report's witness
 * view): what the row domain's roles may do on the column domain's resources.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { CopyButton } from '../components/CopyButton';
import { WitnessView } from '../components/WitnessView';
import { cellLabel } from './ReachMatrix';
import type { IMatrixCell } from './matrix';

/** The action names of a cell that come with a witness (up to five per cell). */
export function cellActions(cell: IMatrixCell): string[] {
  return [...new Set((cell.reach?.examples ?? []).map(w => w.action))];
}

export function CellDetail(props: {
  cell: IMatrixCell;
  onClose: () => void;
  onOpenDomain: (arn: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { cell, trans } = props;
  const headingRef = React.useRef<HTMLHeadingElement>(null);
  const examples = cell.reach?.examples ?? [];
  const names = cellActions(cell);
  React.useEffect(() => {
    headingRef.current?.focus();
  }, [cell.from.domain.arn, cell.to?.domain.arn]);
  return (
    <section
      className="jp-SMIso-ov-detail"
      data-testid="jp-SMIso-ov-detail"
      aria-labelledby="jp-SMIso-ov-detail-title"
    >
      <h3 id="jp-SMIso-ov-detail-title" tabIndex={-1} ref={headingRef}>
        {cellLabel(cell, trans)}
      </h3>
      <div className="jp-SMIso-toolbar">
        <button
          className="jp-mod-styled jp-SMIso-button"
          onClick={() => props.onOpenDomain(cell.from.domain.arn)}
        >
          {trans.__('Open the report of %1', cell.from.label)}
        </button>
        {examples.length > 0 && (
          <CopyButton
            label={trans.__('Copy cell JSON')}
            text={() => JSON.stringify(cell.reach, null, 2)}
            trans={trans}
          />
        )}
        <button
          className="jp-mod-styled jp-SMIso-button"
          onClick={props.onClose}
        >
          {trans.__('Close')}
        </button>
      </div>
      {cell.actions === 0 || cell.self ? (
        <p className="jp-SMIso-meta">
          {cell.self
            ? trans.__(
                'A domain’s roles acting on its own resources is expected.'
              )
            : trans.__('No cross-domain action was found for this pair.')}
        </p>
      ) : (
        <>
          {names.length < cell.actions && (
            <p className="jp-SMIso-meta">
              {trans.__(
                'Showing %1 of %2 actions with their proof requests; the domain’s report lists them all.',
                names.length,
                cell.actions
              )}
            </p>
          )}
          <ul className="jp-SMIso-ov-actions">
            {names.map(name => {
              const witness = examples.find(w => w.action === name);
              return (
                <li key={name} data-action={name}>
                  <code>{name}</code>
                  {witness && <WitnessView witness={witness} trans={trans} />}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
