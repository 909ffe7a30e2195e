/**
 * Types of the account overview (issue 17): the TypeScript mirror of the `overview` route's job
 * status and of the CLI's `check --all-domains --format json` object (docs/openapi.yaml,
 * README "Every domain at a glance").
 */
import type {
  IErrorInfo,
  IFinding,
  IRoleReport,
  IWitness,
  Verdict
} from '../api';

/** One domain of the overview, checked through the one check path. */
export interface IOverviewDomain {
  id: string;
  arn: string;
  name?: string | null;
  region: string;
  account_id: string;
  experience?: string | null;
  verdict: Verdict;
  roles: IRoleReport[];
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

/** A "Do this next" fix: one change, and how many findings it closes (re-analysed with it). */
export interface IOverviewFix {
  id: string;
  title: string;
  change?: Record<string, unknown> | null;
  closes: number;
  findings?: string[];
  /** Domain ARNs the fix applies to, when the server says. */
  domains?: string[];
  detail?: string | null;
}

/** The overview object (the CLI's JSON). */
export interface IOverview {
  domains: IOverviewDomain[];
  reach: IReach[];
  errors: IOverviewError[];
  fixes?: IOverviewFix[];
  generated_at?: string;
  tool_version?: string;
}

/** Progress of a running overview job. */
export interface IOverviewProgress {
  done: number;
  total: number;
  message?: string | null;
}

/** The `overview` route's answer (GET: the last or current job; POST: the started one). */
export interface IOverviewStatus {
  status: 'none' | 'running' | 'ready' | 'error';
  progress?: IOverviewProgress | null;
  overview?: IOverview | null;
  error?: IErrorInfo | null;
  started_at?: string | null;
  finished_at?: string | null;
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
