/**
 * The interfaces of sagemaker-isolation's frontend (jupyterlab-git's `tokens.ts` split): the
 * server extension's JSON shapes (docs/openapi.yaml, docs/openapi-admin.yaml; checked against
 * them by src/__tests__/openapiContract.spec.ts) and the state the models in `model.ts` expose.
 */

// ---- Report and check routes (docs/openapi.yaml, docs/ARCHITECTURE.md §7) ----

/** A verdict, for the domain or for one execution role. */
export type Verdict = 'isolated' | 'not_isolated' | 'unknown';

/** `{policy, sid, index}`: the statement that allows (or denies) a request. */
export interface IStatementRef {
  policy: string;
  sid?: string | null;
  index: number;
  effect?: string;
}

/** AWS's policy simulator answer for a witness (`witness.aws`, README "AWS confirmation fields"). */
export interface IWitnessAws {
  /** `allowed`, `implicitDeny`, `explicitDeny`; null when the call failed (`error`). */
  decision: 'allowed' | 'implicitDeny' | 'explicitDeny' | null;
  matched?: {
    policy_id?: string | null;
    policy_type?: string | null;
    line?: number | null;
    column?: number | null;
  }[];
  checked_at: string;
  agrees?: boolean;
  cause?: 'scp-or-boundary' | 'missing-context' | 'policies-changed' | 'other';
  cause_text?: string;
  missing_context?: string[];
  error?: string;
}

/** The request that proves a `cross_domain` entry, and how to ask AWS the same question. */
export interface IWitness {
  principal: string;
  action: string;
  resource: string;
  context: Record<string, unknown>;
  conditional_on: string[];
  /** `aws iam simulate-principal-policy ...` (live) or `simulate-custom-policy ...` (offline). */
  simulator_command?: string;
  aws?: IWitnessAws;
}

/** The report-level AWS confirmation summary (`aws_confirmation`). */
export interface IAwsConfirmation {
  status:
    | 'checked'
    | 'partial'
    | 'not-allowed'
    | 'unavailable'
    | 'offline'
    | 'off'
    | 'not-live'
    | 'no-witnesses'
    | string;
  note: string;
  calls: number;
  confirmed: number;
  disagreed: number;
  not_checked: number;
  witnesses?: number;
  /** Calls that failed. */
  errors?: number;
  /** The bounds on simulator calls. */
  limits?: {
    per_policy_set?: number;
    per_report?: number;
    deadline_seconds?: number;
  };
  commands?: string[];
  policy_files?: { file: string; policy: string; kind: string }[];
}

/** One action allowed on another domain's resources (`cross_domain` entry). */
export interface ICrossDomainEntry {
  action: string;
  resource_types: string[];
  access_level?: string | null;
  allowed_by: IStatementRef[];
  accepted?: boolean;
  accepted_reason?: string | null;
  conditional_on?: string[];
  witness?: IWitness;
}

/** An action that tags cannot isolate (`uncovered_allowed` entry). */
export interface IUncoveredEntry {
  action: string;
  reason: 'no-resource-type' | 'resource-type-not-taggable' | string;
  resource_types?: string[];
  access_level?: string | null;
  allowed_by: IStatementRef[];
  conditional_on?: string[];
}

/** A `Create*` right (`create_rights` entry). */
export interface ICreateRight {
  action: string;
  resource_types?: string[];
  allowed_by?: IStatementRef[];
}

/** A request the engine could not decide (`unknown` entry of a role). */
export interface IUnknownEntry {
  action: string;
  resource_type?: string | null;
  reason: string;
}

/** A policy attached to (or bounding) a role. */
export interface IRolePolicy {
  name: string;
  arn?: string | null;
  kind: 'managed' | 'inline' | 'boundary' | string;
}

/** One execution role of the domain, with its verdict and evidence. */
export interface IRoleReport {
  arn: string | null;
  name?: string | null;
  used_by: string[];
  verdict: Verdict;
  verdict_reason?: string | null;
  policies?: IRolePolicy[];
  cross_domain: ICrossDomainEntry[];
  uncovered_allowed?: IUncoveredEntry[];
  create_rights?: ICreateRight[];
  unknown?: IUnknownEntry[];
  counts?: Record<string, number>;
  /** Which Studio the role's users open: studio | classic | both | unknown. */
  experience?: string | null;
  /** "Studio still works": each flow of the role's experience, now. */
  flows?: IFlowResult[];
  flows_summary?: { works: number; breaks: number; depends: number };
  /** Isolation inside the domain: other users' private spaces. */
  within_domain?: IWithinDomain | null;
}

/** One Studio flow judged for a role (README "New Studio domains"). */
export interface IFlowResult {
  id: string;
  title: string;
  experience?: string;
  status: 'works' | 'breaks' | 'depends' | string;
  breaks?: {
    action?: string;
    resource?: string;
    decision?: string;
    statement?: { policy: string; sid?: string | null; index: number } | null;
  }[];
  depends_on?: string[];
}

/** Can the role use another user's private space or its apps in the same domain? */
export interface IWithinDomain {
  verdict: 'isolated' | 'partial' | 'not_isolated' | 'unknown' | string;
  reachable?: { action: string; coverable?: boolean }[];
  uncoverable?: string[];
  detail?: string | null;
}

/** A finding: what is wrong, why, and how to fix it. */
export interface IFinding {
  id: string;
  severity: 'high' | 'medium' | 'low' | 'info' | string;
  title: string;
  detail?: string | null;
  fix?: string | null;
  evidence?: unknown;
  role?: string | null;
}

/** The doc's uncovered-action list beside the data-derived one. */
export interface ICoverage {
  doc_uncovered?: string[];
  data_uncovered?: string[];
  only_in_doc?: string[];
  only_in_data?: string[];
  explanation?: string | null;
}

/** One row of the `coverage` route's table: can the domain tag scope this action? */
export interface ICoverageRow {
  action: string;
  access_level: string;
  resource_types: {
    key: string;
    arn_format?: string;
    taggable: boolean;
    required?: boolean;
  }[];
  covered: boolean;
  reason: 'no-resource-type' | 'resource-type-not-taggable' | string | null;
  in_doc_uncovered: boolean;
}

/** The `coverage?q=` route's answer (`Catalog.coverage_table`, plus the `ICoverage` lists). */
export interface ICoverageTable extends ICoverage {
  source: string;
  version: string;
  package_version?: string;
  query: string;
  actions: ICoverageRow[];
  counts?: Record<string, number>;
  /** When the catalog's data was last updated. */
  updated_at?: string | null;
  /** The resource types of the actions listed. */
  resource_types?: unknown[];
}

/** A policy template for the domain, with the verdict each role would get with it attached. */
export interface ITemplate {
  variant: 'aws-doc' | 'allow' | 'deny' | string;
  name: string;
  arn: string;
  /** The template profile (README "New Studio domains"). */
  experience?: 'classic' | 'studio';
  /** With the owner restriction on private spaces. */
  private_spaces?: boolean;
  document: unknown;
  /** The AWS page(s) each statement comes from, one entry per statement in order. */
  citations?: {
    index: number;
    sid: string | null;
    sources: { title: string; url: string }[];
  }[];
  roles?: {
    arn: string | null;
    name?: string | null;
    verdict_before: Verdict;
    verdict_after: Verdict;
  }[];
}

/** A stated assumption (what the account cannot show). */
export interface IAssumption {
  id: string;
  severity?: string;
  title: string;
  detail?: string | null;
}

/** A call that failed while collecting. */
export interface ICollectError {
  operation?: string | null;
  target?: string | null;
  code?: string | null;
  message?: string | null;
}

/** The report (docs/ARCHITECTURE.md §7). */
export interface IReport {
  schema_version?: number;
  tool_version?: string;
  generated_at?: string;
  verdict: Verdict;
  domain: {
    id: string;
    arn: string;
    name?: string | null;
    region?: string | null;
    account_id?: string | null;
    default_experience?: string | null;
    default_experience_detail?: string | null;
    /** The experience judged (studio | classic | both | unknown) and its reason. */
    experience?: string | null;
    experience_detail?: string | null;
  };
  context?: { source?: string | null; detail?: string | null };
  roles: IRoleReport[];
  findings: IFinding[];
  catalog: { source: string; version: string; package_version?: string };
  coverage?: ICoverage;
  coverage_summary?: unknown;
  templates?: ITemplate[];
  assumptions?: IAssumption[];
  readings?: { id: string; text: string }[];
  errors?: ICollectError[];
  aws_confirmation?: IAwsConfirmation;
}

/** `{message, reason}` plus, for a failed check, the failure kind and AWS details. */
export interface IErrorInfo {
  message: string;
  reason: string;
  /** `aws-unreachable`, `no-context`, `bad-snapshot`, `internal-error` (job errors only). */
  kind?: string;
  operation?: string | null;
  code?: string | null;
}

/** Progress of a running check. */
export interface IProgress {
  stage: string;
  done: number;
  total: number;
}

/** The `report` route's answer: the status of the check job for one domain. */
export interface IJobStatus {
  status: 'none' | 'running' | 'ready' | 'error';
  key: {
    domain_id: string | null;
    region: string | null;
    profile?: string | null;
  } | null;
  progress: IProgress | null;
  report: IReport | null;
  error: IJobError | null;
  started_at: string | null;
  finished_at: string | null;
  fresh: boolean;
}

/** Why a check failed (`error` of a job status). */
export interface IJobError extends IErrorInfo {
  /** `aws-unreachable`, `no-context`, `bad-snapshot`, `internal-error`. */
  kind: string;
}

/** The server's environment, from the `version` route's self-check (docs/openapi.yaml). */
export interface IServerEnvironment {
  sys_prefix: string;
  python?: string;
  executable?: string;
  package_path?: string;
  jupyter_server_version: string;
  jupyterlab_version: string | null;
  jupyterlab_running?: boolean;
}

/** The labextension JupyterLab serves, as the server found it on disk. */
export interface IServedLabextension {
  version: string | null;
  path: string;
  prefix: string | null;
  matches_server: boolean;
}

/** The `version` route's answer (the startup handshake and installation self-check). */
export interface IVersionInfo {
  version: string;
  catalog: { source: string; version: string | null; error?: string };
  admin_enabled: boolean;
  /**
   * The optional routes this server has (`explain`, `tags`, `overview`, `admin`); absent from
   * older servers.
   */
  features?: ('explain' | 'tags' | 'overview' | 'admin' | string)[];
  /** Whether the overview may enter other accounts (the operator's trait). */
  overview_other_accounts?: boolean;
  /** Absent from servers older than the self-check. */
  environment?: IServerEnvironment;
  labextension?: IServedLabextension | null;
  warnings?: string[];
}

/** The `context` route's answer: which domain is checked and where that came from. */
export interface IContextInfo {
  domain_id: string | null;
  region: string | null;
  /** `studio-metadata`, `config`, `cli`, or `none` when no domain is known. */
  source: string;
  detail: string;
  /** Why no domain is known (`source` none). */
  reason?: string;
  /** Which credentials the server's AWS calls use (botocore's provider method, in words). */
  credentials?: { method?: string | null; words?: string };
  profile?: string | null;
  endpoint_url?: string | null;
  user_profile_name?: string | null;
  space_name?: string | null;
  execution_role_arn?: string | null;
  app_type?: string | null;
  resource_arn?: string | null;
  /** Where the server runs (`studio-classic`, `studio-space`, `studio`, `local`, ...). */
  environment?: string | null;
  environment_detail?: string | null;
}

/** The domain the user asked for (the panel's form, or the settings). */
export interface ITarget {
  domain_id?: string;
  region?: string;
  profile?: string;
}

// ---- Tag coverage routes (`tag-scan`, `tag-plan`; admin: `tag-backfill`, `tag-rollback`) ----

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
  /** Only for class `unreadable`: the call that failed. */
  unreadable_reason?: string;
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
  key: {
    domain_id?: string | null;
    all_domains?: boolean;
    region?: string | null;
    profile?: string | null;
  };
  progress: IScanProgress | null;
  result: ITagScan | null;
  error: { message: string; reason: string } | null;
  started_at: string | null;
  finished_at: string | null;
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
  api_calls?: Record<string, number>;
}

/** Where a scan is for: one domain (and Region), or every domain. */
export interface IScanTarget {
  domain_id?: string | null;
  region?: string | null;
  all_domains?: boolean;
}

// ---- Admin routes (docs/openapi-admin.yaml) ----

/**
 * Isolation policy variant (templates.VARIANTS): AWS's documentation policy verbatim
 * (`aws-doc`, not isolating alone), our Allow-only policy (`allow`, isolating as the role's only
 * SageMaker grant), or our Deny guards (`deny`, isolating beside broad Allows).
 */
export type Variant = 'aws-doc' | 'allow' | 'deny';

/** One execution role in a plan. */
export interface IPlanRole {
  arn: string;
  name?: string | null;
  used_by: string[];
  selected: boolean;
  affected: boolean;
  verdict_before: Verdict;
  verdict_after: Verdict;
  verdict_after_reason?: string | null;
  attach: string[];
  attached_after?: number;
  quota?: number;
}

/** One plan step (`create-policy`, `create-policy-version`, `attach-role-policy`). */
export interface IPlanStep {
  index: number;
  op: 'create-policy' | 'create-policy-version' | 'attach-role-policy' | string;
  policy_arn?: string;
  policy_name?: string;
  role_arn?: string;
  role_name?: string;
  delete_version?: string | null;
}

/** A validation check of a plan (`ok: null` = not run, e.g. Access Analyzer unavailable). */
export interface IPlanCheck {
  id: string;
  ok: boolean | null;
  detail: string;
  policy?: string;
  role?: string;
}

/** A managed policy the plan creates or changes. */
export interface IPlanPolicy {
  name: string;
  arn: string;
  action: 'create' | 'new-version' | 'none' | 'unknown' | string;
  document: unknown;
  diff: string[];
  exists: boolean;
  current_default_version?: string | null;
  current_document?: unknown;
}

/** The plan document (sagemaker/plan.py). */
export interface IPlan {
  kind: 'sagemaker-isolation-plan';
  schema_version: 1;
  created_at?: string;
  /** `all` roles of the domain, or the chosen `roles`. */
  selection?: 'all' | 'roles';
  plan_hash: string;
  account_id: string;
  region: string;
  domain: { id: string; arn: string; name?: string | null };
  variant: Variant;
  policy: IPlanPolicy;
  tag_on_create?: IPlanPolicy | null;
  roles: IPlanRole[];
  steps: IPlanStep[];
  validation: { ok: boolean; checks: IPlanCheck[] };
  recommendations: { id: string; text: string; role?: string }[];
  warnings: string[];
  verdict_before: Verdict;
  verdict_after: Verdict;
  /** The template profile (README "New Studio domains"). */
  experience?: 'classic' | 'studio';
  /** Whether the profile was given (`option`) or read from the domain. */
  experience_source?: 'option' | 'domain';
  private_spaces?: boolean;
  /** Per affected role, the Studio flows that work now and would not after the change. */
  flows_breaking?: IPlanFlowsBreaking[];
  /** Flow ids confirmed when the plan was built. */
  allow_break?: string[];
}

/** A Studio flow the plan would take away (works now; breaks or depends after). */
export interface IFlowBreaking {
  /** Only in the 409 answer: the role ARN and name, and the other domain it serves. */
  role?: string;
  role_name?: string;
  domain?: string;
  id: string;
  title: string;
  status_after: 'breaks' | 'depends' | string;
  /** The denied request and the statement that denies it (null when nothing allows it). */
  breaks?: {
    reading?: string;
    action?: string;
    resource?: string;
    decision?: 'explicit_deny' | 'implicit_deny';
    statement?: { policy?: string; sid?: string | null; index?: number } | null;
  }[];
  depends_on?: string[];
}

/** The flows one role would lose (in this domain, or in `domain`, another one it serves). */
export interface IPlanFlowsBreaking {
  role: string;
  role_name: string;
  domain?: string;
  domain_name?: string | null;
  flows: IFlowBreaking[];
}

/** Ids of the Studio flows a plan would take away (each listed before confirming). */
export function breakingIds(plan: IPlan): string[] {
  const ids = new Set<string>();
  for (const row of plan.flows_breaking ?? []) {
    for (const f of row.flows) {
      ids.add(f.id);
    }
  }
  return [...ids].sort();
}

/** One step of a change record, with its outcome. */
export interface IChangeStep {
  index: number;
  op: string;
  status:
    'pending' | 'running' | 'done' | 'skipped' | 'failed' | 'not-run' | string;
  detail?: string | null;
  error?: { code?: string; message?: string } | null;
  policy_arn?: string | null;
  role_arn?: string | null;
}

/** A change record (apply or rollback). */
export interface IChangeRecord {
  id: string;
  kind: 'apply' | 'rollback' | 'tag-backfill' | 'tag-rollback';
  status:
    | 'pending'
    | 'running'
    | 'succeeded'
    | 'failed'
    | 'no-op'
    | 'planned'
    | string;
  steps?: IChangeStep[];
  error?: { code?: string; message?: string } | null;
  rollback_of?: string | null;
  rolled_back_by?: string | null;
  started_at?: string;
  who?: { user?: string | null; principal_arn?: string | null; via?: string };
  /** The process that wrote the record (pid, host, its start time in seconds since the epoch). */
  process?: { pid?: number; host?: string; started_at?: number | null };
  /** Only with status `interrupted`: why, and the two ways on. */
  interrupted?: { why?: string; next_steps?: string[] };
  previous_state?: unknown;
}

/** The short form listed by `GET admin/changes`. */
export interface IChangeSummary {
  id: string;
  kind: 'apply' | 'rollback' | 'tag-backfill' | 'tag-rollback';
  status: string;
  started_at?: string;
  finished_at?: string | null;
  /** Only with status `interrupted` (see `IChangeRecord.interrupted`). */
  interrupted?: Record<string, unknown>;
  domain_id?: string | null;
  variant?: string | null;
  steps_done: number;
  steps_total: number;
  rollback_of?: string | null;
  rolled_back_by?: string | null;
  who?: { user?: string | null };
}

// ---- Explain route (docs/EXPLAIN.md) ----

/** Longest message sent to the server (characters); the server cuts at 64 KiB as well. */
export const MAX_MESSAGE_CHARS = 65536;

/** What one check did (`evidence.checked` entry). */
export interface IExplainChecked {
  check: string;
  result?: string;
}

/** What one check could not do (`evidence.not_checked` entry). */
export interface IExplainNotChecked {
  check: string;
  why?: string;
  /** The raw answer of a failed call (a page instead of an AWS error); shown in a toggle. */
  body?: string;
}

/** One ranked cause (docs/EXPLAIN.md "Cause ids"). */
export interface IExplainCause {
  id: string;
  rank: number;
  confidence: 'confirmed' | 'likely' | 'possible' | string;
  title: string;
  detail: string;
  fix: string;
  evidence: {
    facts?: Record<string, unknown>;
    checked?: IExplainChecked[];
    not_checked?: IExplainNotChecked[];
  };
}

/** The `explain` route's answer (the fields extracted from the message plus the causes). */
export interface IExplainResult {
  principal: string | null;
  action: string | null;
  resource: string | null;
  operation: string | null;
  reason: string | null;
  /** The reason in words (issue 13); the id stays in `reason`. */
  reason_text?: string | null;
  policy_type: string | null;
  policy_arn: string | null;
  error_code?: string | null;
  /** The message's reason clause as written. */
  reason_clause?: string | null;
  /** The kind of message recognised. */
  kind?: string | null;
  truncated?: boolean;
  /** Characters of the message read. */
  input_chars?: number;
  mode: 'live' | 'offline' | string;
  causes: IExplainCause[];
  /** Engine decisions for exactly this request (identity, boundary, combined). */
  evaluation?: Record<string, unknown> | null;
  catalog?: Record<string, unknown> | null;
  context?: Record<string, unknown>;
  live?: Record<string, unknown>;
}

/** State of the box. */
export interface IExplainState {
  text: string;
  offline: boolean;
  busy: boolean;
  result: IExplainResult | null;
  error: IErrorInfo | null;
}

// ---- Model state (model.ts) ----

/** Outcome of the startup `version` handshake. */
export type ServerStatus =
  | 'probing'
  | 'ok'
  /** The `version` route answers 404: the server extension is not installed or not enabled. */
  | 'missing'
  /** The server extension answers with another version than this labextension. */
  | 'mismatch'
  /** The Jupyter server could not be reached or answered an error. */
  | 'error';

/** Everything the views render. */
export interface IModelState {
  server: {
    status: ServerStatus;
    serverVersion?: string | null;
    catalogVersion?: string | null;
    message?: string | null;
    /** The server's environment (the `version` route's self-check), when it answered one. */
    environment?: IServerEnvironment | null;
    /** The labextension JupyterLab serves, as the server found it. */
    labextension?: IServedLabextension | null;
    /** Installation warnings: the server's, then this panel's own version comparison. */
    warnings?: string[];
    /** Whether the operator enabled admin actions (`admin_enabled` of the handshake). */
    adminEnabled?: boolean;
    /** The optional routes the server has (`features` of the handshake; absent: unknown). */
    features?: string[] | null;
  };
  /** The `context` route's answer (null until loaded). */
  context: IContextInfo | null;
  /** The domain asked for by the user (form) or the settings; overrides the context. */
  target: ITarget;
  /** Where `target` came from (`panel` form or extension `settings`), null when empty. */
  targetSource: 'panel' | 'settings' | null;
  /** The latest job status from the `report` route. */
  job: IJobStatus | null;
  /** The last failed request to the server (POST/GET report, context). */
  requestError: IErrorInfo | null;
  /** True while a check is being started or polled. */
  checking: boolean;
}

/** What the panel shows, derived from the state by `viewOf`. */
export type PanelView =
  | 'probing'
  | 'server-missing'
  | 'server-mismatch'
  | 'server-error'
  | 'need-domain'
  | 'idle'
  | 'checking'
  | 'no-credentials'
  | 'aws-unreachable'
  | 'failed'
  | 'report';

/** The Resources section's state (`TagScanModel`): the scans and the backfill of one domain. */
export interface ITagScanState {
  /** The domain (and Region) the section is for; null until `setTarget`. */
  target: IScanTarget | null;
  /** The last status of this domain's scan (null until asked). */
  status: IScanStatus | null;
  /** The last status of the account-wide scan (every domain), null until started. */
  allStatus: IScanStatus | null;
  /** The ARNs chosen for the backfill (pre-filled with the high-confidence proposals). */
  checked: ReadonlySet<string>;
  /** The previewed backfill (`tag-plan`), null until asked. */
  plan: ITagPlan | null;
  /** The last backfill or rollback result. */
  result: ITagChangeResult | null;
  /** The last failed request, in words. */
  error: string | null;
  /** True while a plan, backfill or rollback request runs. */
  busy: boolean;
}

/** Where an admin apply is, for one domain (`AdminModel`). */
export type AdminPhase =
  | { kind: 'choose' }
  | { kind: 'planning' }
  | { kind: 'plan'; plan: IPlan; confirming: boolean }
  | { kind: 'applying'; plan: IPlan; record: IChangeRecord }
  | { kind: 'done'; plan: IPlan; record: IChangeRecord };

/** The admin section's state for one domain (`AdminModel.stateFor`). */
export interface IAdminState {
  phase: AdminPhase;
  /** The last rollback (preview or run). */
  rollback: IChangeRecord | null;
  /** The change history of this domain, newest first. */
  history: IChangeSummary[];
  /** The last failed request, in words. */
  error: string | null;
  /** Whether the section is expanded (kept across re-renders of the report). */
  open: boolean;
}

// ---------------------------------------------------------------------------------------------
// The account overview (issue 17): the `overview` route's job status and the CLI's
// `check --all-domains --format json` object (docs/openapi.yaml OverviewStatus, Overview,
// OverviewFix).

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
  name: string | null;
  region: string;
  account_id: string;
  experience: string;
  verdict: Verdict;
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
}

/** An account or Region that could not be read (an error row of the matrix). */
export interface IOverviewError {
  account_id: string | null;
  /** Null: the whole account (e.g. sts:AssumeRole refused). */
  region: string | null;
  operation: string;
  code: string;
  message: string;
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
  change: Record<string, unknown>;
  roles: IFixRole[];
  /** Domain ARNs the fix applies to. */
  domains: string[];
  closes: number;
  /** Each domain's verdict with the fix applied. */
  verdicts_after: Record<string, Verdict>;
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
  key: IOverviewKey | null;
  progress: IOverviewProgress | null;
  overview: IOverview | null;
  /** "Do this next", beside the contract object. */
  fixes: IOverviewFix[] | null;
  /** Candidate changes not evaluated (over 10, or after 120 s). */
  fixes_not_evaluated?: number | null;
  summary: IOverviewSummary | null;
  /** Accounts and Regions asked, API calls per operation, cache figures, `nothing_read`. */
  run: Record<string, unknown> | null;
  error: { message: string; reason: string } | null;
  started_at: string | null;
  finished_at: string | null;
  /** Whether the operator lets the overview enter other accounts (`accounts`, `org`). */
  other_accounts_enabled: boolean;
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
