/**
 * Types of the account overview (issue 17): the TypeScript mirror of the `overview` route's job
 * status and of the CLI's `check --all-domains --format json` object (docs/openapi.yaml,
 * README "Every domain at a glance").
 */
import type {
  IErrorInfo,
  IFinding,
  IRolePolicy,
  IWitness,
  Verdict
} from '../api';

/** A role of an overview row: the report's role without its entries (the counts only). */
export interface IOverviewRole {
  arn: string | null;
  name?: string | null;
  used_by: string[];
  verdict: Verdict;
  verdict_reason?: string | null;
  policies?: IRolePolicy[];
  counts?: Record<string, number>;
}

/** One domain of the overview, checked through the one check path. */
export interface IOverviewDomain {
  id: string;
  arn: string;
  name?: string | null;
  region: string;
  account_id: string;
  experience?: string | null;
  verdict: Verdict;
  verdict_reason?: string | null;
  roles: IOverviewRole[];
  /** The domain report's findings. */
  findings: IFinding[];
}

/**
 * One cell of the reach matrix: how many distinct non-accepted `cross_domain` actions the row
 * domain's roles may take on the column domain's resources (`to` is `"*"`: any other domain,
 * without naming one), with up to five witnesses.
 */
export interface IReach {
  from: string;
  to: string;
  actions: number;
  examples: IWitness[];
  /** The action names, when the server lists them (not in every version). */
  action_names?: string[];
}

/** An account or Region that could not be read (an error row of the matrix). */
export interface IOverviewError {
  account_id?: string | null;
  region?: string | null;
  operation?: string | null;
  code?: string | null;
  message?: string | null;
}

/** A role a fix changes. */
export interface IFixRole {
  domain: string;
  role: string;
  role_name?: string | null;
}

/**
 * A "Do this next" fix: one change, and how many findings it closes, counted by re-running the
 * analysis with the change applied (`sagemaker/overview.py` `evaluate_fixes`).
 */
export interface IOverviewFix {
  /** `attach-template` or `replace-managed-policy`. */
  kind: string;
  title: string;
  /**
   * `attach-template`: `{variant, policy_name, policy_arn}`; `replace-managed-policy`:
   * `{policy_arn, policy_name, aws_managed, statements: [{sid, index}], new_policy_name}`.
   */
  change?: Record<string, unknown> | null;
  roles?: IFixRole[];
  /** Domain ARNs the fix applies to. */
  domains?: string[];
  closes: number;
  /** Each domain's verdict with the fix applied. */
  verdicts_after?: Record<string, Verdict>;
}

/** The overview object: exactly the CLI's `check --all-domains --format json`. */
export interface IOverview {
  domains: IOverviewDomain[];
  reach: IReach[];
  errors: IOverviewError[];
}

/** Verdict counts of an overview. */
export interface IOverviewSummary {
  domains: number;
  isolated: number;
  not_isolated: number;
  unknown: number;
  errors: number;
}

/**
 * Progress of a running overview job: `stage` is `accounts`, `regions`, `analysis`, `reach` or
 * `fixes`; `done` of `total` in that stage.
 */
export interface IOverviewProgress {
  stage: string;
  done: number;
  total: number;
}

/** What a job reads (the POST body as the server resolved it). */
export interface IOverviewKey {
  regions: string[];
  all_regions: boolean;
  accounts: string[];
  org: boolean;
  assume_role: string | null;
  profile?: string | null;
}

/** The `overview` route's answer (GET: the last or current job; POST/DELETE: that job). */
export interface IOverviewStatus {
  status: 'none' | 'running' | 'ready' | 'error' | 'cancelled';
  key?: IOverviewKey | null;
  progress?: IOverviewProgress | null;
  overview?: IOverview | null;
  /** "Do this next", beside the contract object. */
  fixes?: IOverviewFix[] | null;
  summary?: IOverviewSummary | null;
  run?: Record<string, unknown> | null;
  error?: IErrorInfo | null;
  started_at?: string | null;
  finished_at?: string | null;
  /** Whether the operator lets the overview enter other accounts (`accounts`, `org`). */
  other_accounts_enabled?: boolean;
}

/** The POST body: which Regions and accounts to read (all optional). */
export interface IOverviewRequest {
  regions?: string[] | null;
  all_regions?: boolean;
  accounts?: string[] | null;
  org?: boolean;
  assume_role?: string | null;
  refresh?: boolean;
}
