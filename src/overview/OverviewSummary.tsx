/**
 * The overview's verdict in one line (every domain at once), and the sidebar's compact card:
 * that verdict, the top fixes and an "Open overview" button.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { VerdictBadge } from '../components/VerdictBadge';
import { overallVerdict, rankedFixes } from './matrix';
import { FixList } from './FixList';
import { OverviewModel, overviewView } from './OverviewModel';
import type { IOverview } from '../tokens';
import { useModelState } from '../components/useModel';

/** The counts of an overview in words. */
export function summaryText(
  overview: IOverview,
  trans: TranslationBundle
): string {
  const domains = overview.domains ?? [];
  const count = (v: string) => domains.filter(d => d.verdict === v).length;
  const parts = [
    trans._n('%1 domain', '%1 domains', domains.length),
    trans.__('%1 not isolated', count('not_isolated')),
    trans.__('%1 unknown', count('unknown')),
    trans.__('%1 isolated', count('isolated'))
  ];
  const errors = (overview.errors ?? []).length;
  if (errors > 0) {
    parts.push(
      trans._n(
        '%1 account or Region not read',
        '%1 accounts or Regions not read',
        errors
      )
    );
  }
  return parts.join(' · ');
}

/** Verdict badge and counts of an overview (nothing when there are no domains nor errors). */
export function OverviewVerdict(props: {
  overview: IOverview;
  trans: TranslationBundle;
}): JSX.Element | null {
  const verdict = overallVerdict(props.overview);
  if (!verdict) {
    return null;
  }
  return (
    <div className="jp-SMIso-ov-verdict" data-verdict={verdict}>
      <VerdictBadge verdict={verdict} trans={props.trans} large={true} />
      <span className="jp-SMIso-meta">
        {summaryText(props.overview, props.trans)}
      </span>
    </div>
  );
}

/** The sidebar's card: the overview's verdict, its top three fixes and "Open overview". */
export function OverviewCard(props: {
  model: OverviewModel;
  onOpen: () => void;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { model, trans } = props;
  const state = useModelState(model.stateChanged, () => model.state);
  const view = overviewView(state);
  // Only once the server answered the overview route (the handshake listed the feature).
  if (state.route !== 'ok') {
    return null;
  }
  const overview =
    state.job?.status === 'ready' ? (state.job.overview ?? null) : null;
  return (
    <section
      className="jp-SMIso-ov-card jp-SMIso-body jp-SMIso-ov-cardwrap"
      aria-labelledby="jp-SMIso-ov-card-title"
      data-testid="jp-SMIso-ov-card"
    >
      <h2 id="jp-SMIso-ov-card-title" className="jp-SMIso-title">
        {trans.__('Every domain of the account')}
      </h2>
      {view === 'running' && (
        <p className="jp-SMIso-meta">{trans.__('Checking every domain…')}</p>
      )}
      {view === 'empty' && (
        <p className="jp-SMIso-meta">{trans.__('No domains found.')}</p>
      )}
      {overview && view === 'ready' && (
        <>
          <OverviewVerdict overview={overview} trans={trans} />
          <FixList
            fixes={rankedFixes(state.job?.fixes)}
            domains={overview.domains}
            limit={3}
            compact={true}
            trans={trans}
          />
        </>
      )}
      <button
        className="jp-mod-styled jp-SMIso-button jp-SMIso-ov-open"
        onClick={props.onOpen}
      >
        {trans.__('Open overview')}
      </button>
    </section>
  );
}
