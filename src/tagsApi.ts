/**
 * Typed client of the tag coverage routes (docs/openapi.yaml: `tag-scan`, `tag-plan`;
 * docs/openapi-admin.yaml: `tag-backfill`, `tag-rollback`) and the TypeScript mirror of the
 * `tags scan` JSON (docs/CLI.md). `tag-backfill` / `tag-rollback` are admin routes: they exist
 * (else 404) only when the operator enabled admin actions (`admin_enabled` of `version`).
 * POSTs go through `ServerConnection.makeRequest`, which sends the XSRF token.
 */
import { ServerConnection } from '@jupyterlab/services';
import { queryString, requestAPI, type Verdict } from './api';

/** The classes of a resource for a domain. */
export type TagClass =
  | 'this_domain'
  | 'other_domain'
  | 'untagged'
  | 'stale_domain'
  | 'never_tagged_by_design'
  | 'unreadable';

/** The classes in display order. */
export const TAG_CLASSES: TagClass[] = [
  'this_domain',
  'other_domain',
  'untagged',
  'stale_domain',
  'never_tagged_by_design',
  'unreadable'
];

/** Counts per class (`unreadable`: listed, but its tags could not be read; absent from older
 * servers). */
export type TagSummary = Record<Exclude<TagClass, 'unreadable'>, number> & {
  unreadable?: number;
};

/** A proposed domain for an untagged resource. */
export interface IProposal {
  domain_arn: string | null;
  domain_id: string | null;
  reason: string;
  evidence:
    'arn' | 'creator-tag' | 'role' | 'name' | 'conflict' | 'none' | string;
  confidence: 'high' | 'medium' | 'low' | null;
}

/** One resource row of a scan. */
export interface ITagRow {
  arn: string;
  type: string;
  class: TagClass;
  domain_tag: string | null;
  creator: { user_profile?: string; space?: string } | null;
  other_domain?: string | null;
  domain_exists?: boolean | null;
  role_arn?: string;
  proposal?: IProposal;
}

/** One line of the multi-domain view. */
export interface IDomainView {
  domain: { id: string; arn: string; name?: string | null };
  own: number;
  foreign: number;
  untagged: number;
  stale_domain: number;
  never_tagged_by_design: number;
  verdict: Verdict;
  verdict_error?: string | null;
}

/** The `tags scan` JSON. */
export interface ITagScan {
  domain: {
    id: string;
    arn: string;
    name?: string | null;
    region?: string | null;
  };
  summary: TagSummary;
  by_type: Record<string, TagSummary>;
  resources: ITagRow[];
  rows_dropped?: number;
  total?: number;
  types_covered: Record<string, number>;
  types_not_covered: Record<string, string>;
  api_calls: { total: number; by_operation: Record<string, number> };
  elapsed_seconds?: number;
  domains?: IDomainView[];
}

/** Progress of a running scan. */
export interface IScanProgress {
  region: string;
  stage: string;
  pages: number;
  resources: number;
  api_calls: number;
}

/** `GET/POST tag-scan` status. */
export interface IScanStatus {
  status: 'none' | 'running' | 'ready' | 'error' | 'cancelled';
  key?: Record<string, unknown>;
  progress: IScanProgress | null;
  result: ITagScan | null;
  error: { message: string; reason: string } | null;
  started_at?: string | null;
  finished_at?: string | null;
}

/** One plan item. */
export interface IPlanItem {
  arn: string;
  type?: string;
  tags: Record<string, string>;
  reason?: string | null;
  confidence?: string | null;
  selected: boolean;
}

/** A backfill plan (`tag-plan`). */
export interface ITagPlan {
  schema_version: 1;
  kind: string;
  domain: { id: string; arn: string; name?: string | null };
  created_at?: string;
  items: IPlanItem[];
}

/** A backfill or rollback result. */
export interface ITagChangeResult {
  dry_run: boolean;
  change_id: string | null;
  rollback_of?: string | null;
  status: 'planned' | 'succeeded' | 'partial' | 'failed' | 'no-op';
  items: Array<{
    arn: string;
    status: string;
    add?: Record<string, string>;
    remove?: string[];
    detail?: string | null;
  }>;
  counts: Record<string, number>;
}

/** Where a scan is for: one domain (and Region), or every domain. */
export interface IScanTarget {
  domain_id?: string | null;
  region?: string | null;
  all_domains?: boolean;
}

function targetBody(t: IScanTarget): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (t.domain_id) {
    body.domain_id = t.domain_id;
  }
  if (t.region) {
    body.region = t.region;
  }
  if (t.all_domains) {
    body.all_domains = true;
  }
  return body;
}

/** Client of the tag routes. */
export class TagsApi {
  /** @param settings - the app's server settings (default: from the page). */
  constructor(
    readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  private query(t: IScanTarget): string {
    return queryString({
      domain_id: t.domain_id ?? undefined,
      region: t.region ?? undefined,
      all_domains: t.all_domains ? 'true' : undefined
    });
  }

  /** `GET tag-scan`: the status (never starts a scan). */
  status(t: IScanTarget): Promise<IScanStatus> {
    return requestAPI<IScanStatus>(
      `tag-scan${this.query(t)}`,
      {},
      this.settings
    );
  }

  /** `POST tag-scan`: start a scan (`refresh` to rescan a ready one). */
  start(t: IScanTarget, refresh = false): Promise<IScanStatus> {
    return requestAPI<IScanStatus>(
      'tag-scan',
      { method: 'POST', body: JSON.stringify({ ...targetBody(t), refresh }) },
      this.settings
    );
  }

  /** `DELETE tag-scan`: cancel a running scan. */
  cancel(t: IScanTarget): Promise<IScanStatus> {
    return requestAPI<IScanStatus>(
      `tag-scan${this.query(t)}`,
      { method: 'DELETE' },
      this.settings
    );
  }

  /** `POST tag-plan`: the plan for the chosen ARNs (all selected), from the last scan. */
  plan(t: IScanTarget, arns: string[]): Promise<ITagPlan> {
    return requestAPI<ITagPlan>(
      'tag-plan',
      { method: 'POST', body: JSON.stringify({ ...targetBody(t), arns }) },
      this.settings
    );
  }

  /** `POST tag-backfill` (admin): dry run unless `dryRun` is false. */
  backfill(
    t: IScanTarget,
    plan: ITagPlan,
    dryRun: boolean
  ): Promise<ITagChangeResult> {
    return requestAPI<ITagChangeResult>(
      'tag-backfill',
      {
        method: 'POST',
        body: JSON.stringify({ ...targetBody(t), plan, dry_run: dryRun })
      },
      this.settings
    );
  }

  /** `POST tag-rollback` (admin). */
  rollback(changeId: string, dryRun: boolean): Promise<ITagChangeResult> {
    return requestAPI<ITagChangeResult>(
      'tag-rollback',
      {
        method: 'POST',
        body: JSON.stringify({ change_id: changeId, dry_run: dryRun })
      },
      this.settings
    );
  }
}
