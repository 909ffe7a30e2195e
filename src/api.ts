/**
 * The typed client of the server extension's REST routes (docs/ARCHITECTURE.md §6) and the
 * TypeScript mirror of the report JSON (§7).
 *
 * Every route lives under `<baseUrl>/sagemaker-isolation/`. Errors come back as HTTP 4xx/5xx with a
 * JSON body `{"message": str, "reason": str}`; `requestAPI` turns them into an `ApiError`.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** URL namespace of the server extension (a path segment under the server's base URL). */
export const API_NAMESPACE = 'sagemaker-isolation';

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
  calls?: number;
  confirmed?: number;
  disagreed?: number;
  not_checked?: number;
  witnesses?: number;
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
}

/** A policy template for the domain, with the verdict each role would get with it attached. */
export interface ITemplate {
  variant: 'aws-doc' | 'allow' | 'deny' | string;
  name: string;
  arn: string;
  document: unknown;
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
  key?: {
    domain_id: string | null;
    region: string | null;
    profile?: string | null;
  };
  progress?: IProgress | null;
  report?: IReport | null;
  error?: IErrorInfo | null;
  started_at?: string | null;
  finished_at?: string | null;
  fresh?: boolean;
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
  detail?: string | null;
  reason?: string;
  profile?: string | null;
  endpoint_url?: string | null;
  user_profile_name?: string | null;
  space_name?: string | null;
  execution_role_arn?: string | null;
  app_type?: string | null;
}

/** The domain the user asked for (the panel's form, or the settings). */
export interface ITarget {
  domain_id?: string;
  region?: string;
  profile?: string;
}

/**
 * An HTTP or network failure of a call to the server extension.
 *
 * `status` is the HTTP status (0 when the server could not be reached); `reason` is the server's
 * stable id (`bad-request`, `no-context`, ...) or `network-error` / `invalid-json`.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The `{message, reason}` shape, for display. */
  toInfo(): IErrorInfo {
    return { message: this.message, reason: this.reason };
  }
}

/**
 * Call a route of the server extension and parse its JSON answer.
 *
 * @param endpoint - the route relative to `<baseUrl>/sagemaker-isolation/`, with its query string
 *   (e.g. `report?domain_id=d-abc`).
 * @param init - fetch options (method, body).
 * @param settings - the server connection settings (the app's `serviceManager.serverSettings`);
 *   defaults to `ServerConnection.makeSettings()`.
 * @returns the parsed JSON body (`T`), or `null` for an empty body.
 * @throws ApiError with the server's `{message, reason}` for a 4xx/5xx answer, `status` 0 and
 *   reason `network-error` when the server cannot be reached, reason `invalid-json` when the body
 *   is not JSON.
 */
export async function requestAPI<T>(
  endpoint = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endpoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ApiError(
      `cannot reach the Jupyter server: ${(error as Error).message ?? String(error)}`,
      0,
      'network-error'
    );
  }
  const text = await response.text();
  let data: unknown = null;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      if (response.ok) {
        throw new ApiError(
          `the server answered ${endpoint} with something that is not JSON`,
          response.status,
          'invalid-json'
        );
      }
    }
  }
  if (!response.ok) {
    const body = (data ?? {}) as Partial<IErrorInfo>;
    const message =
      typeof body.message === 'string' && body.message
        ? body.message
        : `${response.status} ${response.statusText || 'error'} from ${url}`;
    const reason =
      typeof body.reason === 'string' && body.reason
        ? body.reason
        : `http-${response.status}`;
    throw new ApiError(message, response.status, reason);
  }
  return data as T;
}

/** Build a query string from the defined, non-empty values (`?a=1&b=2`, or `''`). */
export function queryString(
  params: Record<string, string | undefined | null>
): string {
  const parts = Object.entries(params)
    .filter(([, v]) => typeof v === 'string' && v.length > 0)
    .map(
      ([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v as string)}`
    );
  return parts.length ? `?${parts.join('&')}` : '';
}
