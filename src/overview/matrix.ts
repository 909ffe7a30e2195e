/**
 * The reach matrix of an overview, laid out for display: pure functions, unit-tested without a
 * DOM. Rows and columns are the domains grouped by account and Region (sorted by account id,
 * Region, then name); a last column `*` holds grants that reach any other domain without naming
 * one; accounts or Regions that could not be read become error rows of their group.
 */
import { normaliseVerdict } from '../leaks';
import type {
  IOverview,
  IOverviewDomain,
  IOverviewError,
  IOverviewFix,
  IReach
} from '../tokens';

/** The column key of "any other domain". */
export const ANY_DOMAIN = '*';

/** A domain as the matrix shows it. */
export interface IMatrixDomain {
  domain: IOverviewDomain;
  /** The words shown for it: its name, or its id when it has none (or the name repeats). */
  label: string;
  /** Index in `IMatrix.domains` (row and column position). */
  index: number;
}

/** Domains (and failures) of one account and Region. */
export interface IMatrixGroup {
  key: string;
  account_id: string;
  /** Null for an account-wide failure (e.g. AssumeRole refused). */
  region: string | null;
  domains: IMatrixDomain[];
  errors: IOverviewError[];
}

/** Colour level of a cell: 0 none, 1 few (1-4), 2 some (5-19), 3 many (20-99), 4 most (100+). */
export type CellLevel = 0 | 1 | 2 | 3 | 4;

/** One cell: the row domain's reach onto the column (a domain, or `*`). */
export interface IMatrixCell {
  from: IMatrixDomain;
  /** Null for the `*` column. */
  to: IMatrixDomain | null;
  actions: number;
  level: CellLevel;
  /** The row's own domain (the diagonal): not a cross-domain reach. */
  self: boolean;
  /**
   * False when the column is in another account or Region: the server decides reach within one
   * account and Region only, so such a cell is not "no action" but not computed.
   */
  computed: boolean;
  /**
   * A named cell: the actions of the row's `*` cell (grants that name no domain reach this
   * column's domain too); 0 when none. A named cell without its own actions is then not "no
   * action".
   */
  viaAny: number;
  reach: IReach | null;
}

/** The laid-out matrix. */
export interface IMatrix {
  groups: IMatrixGroup[];
  /** Row and column order. */
  domains: IMatrixDomain[];
  /** Domain-to-domain reach per row: `cells[row][column]`, the `*` column last. */
  cells: IMatrixCell[][];
  /** Reach entries whose ARNs name no domain of the overview (kept, never dropped silently). */
  stray: IReach[];
  counts: {
    domains: number;
    isolated: number;
    not_isolated: number;
    unknown: number;
    errors: number;
  };
}

/** The colour level of an action count. */
export function cellLevel(actions: number): CellLevel {
  if (!(actions > 0)) {
    return 0;
  }
  if (actions < 5) {
    return 1;
  }
  if (actions < 20) {
    return 2;
  }
  if (actions < 100) {
    return 3;
  }
  return 4;
}

/** Same account and Region: the scope within which the server decides reach. */
function sameScope(a: IOverviewDomain, b: IOverviewDomain): boolean {
  return a.account_id === b.account_id && a.region === b.region;
}

function groupKey(account: string, region: string | null): string {
  return `${account}\u0000${region ?? ''}`;
}

/**
 * Lay out an overview.
 *
 * @param overview - the overview object of the `overview` route (the CLI's JSON).
 * @returns groups, ordered domains, cells (`*` last in each row), stray reach entries and counts.
 */
export function buildMatrix(overview: IOverview): IMatrix {
  const sorted = [...(overview.domains ?? [])].sort(
    (a, b) =>
      (a.account_id ?? '').localeCompare(b.account_id ?? '') ||
      (a.region ?? '').localeCompare(b.region ?? '') ||
      (a.name || a.id).localeCompare(b.name || b.id) ||
      a.id.localeCompare(b.id)
  );
  const nameCount = new Map<string, number>();
  for (const d of sorted) {
    if (d.name) {
      nameCount.set(d.name, (nameCount.get(d.name) ?? 0) + 1);
    }
  }
  const domains: IMatrixDomain[] = sorted.map((domain, index) => ({
    domain,
    index,
    label:
      domain.name && (nameCount.get(domain.name) ?? 0) > 1
        ? `${domain.name} (${domain.id})`
        : domain.name || domain.id
  }));
  const groups = new Map<string, IMatrixGroup>();
  const group = (account: string, region: string | null) => {
    const key = groupKey(account, region);
    let g = groups.get(key);
    if (!g) {
      g = { key, account_id: account, region, domains: [], errors: [] };
      groups.set(key, g);
    }
    return g;
  };
  for (const d of domains) {
    group(d.domain.account_id ?? '', d.domain.region ?? null).domains.push(d);
  }
  for (const e of overview.errors ?? []) {
    group(e.account_id ?? '', e.region ?? null).errors.push(e);
  }
  const byArn = new Map(domains.map(d => [d.domain.arn, d]));
  const reachOf = new Map<string, IReach>();
  const stray: IReach[] = [];
  for (const r of overview.reach ?? []) {
    if (!byArn.has(r.from) || (r.to !== ANY_DOMAIN && !byArn.has(r.to))) {
      stray.push(r);
      continue;
    }
    reachOf.set(`${r.from}\u0000${r.to}`, r);
  }
  const cells = domains.map(from => {
    const any = reachOf.get(`${from.domain.arn}\u0000${ANY_DOMAIN}`);
    const row: IMatrixCell[] = domains.map(to => {
      const reach = reachOf.get(`${from.domain.arn}\u0000${to.domain.arn}`);
      const actions = reach?.actions ?? 0;
      return {
        from,
        to,
        actions,
        level: cellLevel(actions),
        self: from === to,
        computed: reach !== undefined || sameScope(from.domain, to.domain),
        viaAny: from === to ? 0 : (any?.actions ?? 0),
        reach: reach ?? null
      };
    });
    row.push({
      from,
      to: null,
      actions: any?.actions ?? 0,
      level: cellLevel(any?.actions ?? 0),
      self: false,
      computed: true,
      viaAny: 0,
      reach: any ?? null
    });
    return row;
  });
  const verdicts = domains.map(d => normaliseVerdict(d.domain.verdict));
  return {
    groups: [...groups.values()].sort(
      (a, b) =>
        a.account_id.localeCompare(b.account_id) ||
        (a.region ?? '').localeCompare(b.region ?? '')
    ),
    domains,
    cells,
    stray,
    counts: {
      domains: domains.length,
      isolated: verdicts.filter(v => v === 'isolated').length,
      not_isolated: verdicts.filter(v => v === 'not_isolated').length,
      unknown: verdicts.filter(v => v === 'unknown').length,
      errors: (overview.errors ?? []).length
    }
  };
}

/**
 * The overall verdict of an overview: `not_isolated` if any domain is; else `unknown` if any is
 * unknown or any account/Region failed; else `isolated` (null when there are no domains and no
 * failures). Mirrors the CLI's exit codes 1 / 2 / 0.
 */
export function overallVerdict(
  overview: IOverview
): 'isolated' | 'not_isolated' | 'unknown' | null {
  const verdicts = (overview.domains ?? []).map(d =>
    normaliseVerdict(d.verdict)
  );
  if (verdicts.includes('not_isolated')) {
    return 'not_isolated';
  }
  if (verdicts.includes('unknown') || (overview.errors ?? []).length > 0) {
    return 'unknown';
  }
  return verdicts.length ? 'isolated' : null;
}

/** The fixes, most findings closed first (ties: the server's order). */
export function rankedFixes(
  fixes: IOverviewFix[] | null | undefined
): IOverviewFix[] {
  return (fixes ?? [])
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (b.f.closes ?? 0) - (a.f.closes ?? 0) || a.i - b.i)
    .map(x => x.f);
}
