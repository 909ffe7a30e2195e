/**
 * Typed client of the admin routes (docs/openapi-admin.yaml): plan, apply, rollback, changes.
 *
 * They exist only when the operator enabled admin actions (`admin_enabled` of the `version`
 * route); otherwise every call answers 404. POSTs go through `ServerConnection.makeRequest`,
 * which sends the XSRF token of the cookie session.
 */
import { ServerConnection } from '@jupyterlab/services';
import { requestAPI, queryString, type ITarget, type Verdict } from './api';

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
}

/** The plan document (sagemaker/plan.py). */
export interface IPlan {
  kind: 'sagemaker-isolation-plan';
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
  /** Per affected role, the Studio flows that work now and would not after the change. */
  flows_breaking?: IPlanFlowsBreaking[];
  /** Flow ids confirmed when the plan was built. */
  allow_break?: string[];
}

/** A Studio flow the plan would take away (works now; breaks or depends after). */
export interface IFlowBreaking {
  id: string;
  title: string;
  status_after: 'breaks' | 'depends' | string;
}

/** The flows one role would lose. */
export interface IPlanFlowsBreaking {
  role: string;
  role_name: string;
  flows: IFlowBreaking[];
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
  kind: 'apply' | 'rollback';
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
}

/** The short form listed by `GET admin/changes`. */
export interface IChangeSummary {
  id: string;
  kind: 'apply' | 'rollback';
  status: string;
  started_at?: string;
  domain_id?: string | null;
  variant?: string | null;
  steps_done: number;
  steps_total: number;
  rollback_of?: string | null;
  rolled_back_by?: string | null;
  who?: { user?: string | null };
}

/** True while a change record is still being written. */
export function isRunning(rec: IChangeRecord): boolean {
  return rec.status === 'pending' || rec.status === 'running';
}

/** The admin routes, bound to one server. */
export class AdminApi {
  /** @param settings - the app's `serviceManager.serverSettings` (default: from the page). */
  constructor(
    readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  /** Whether the operator enabled admin actions (`GET version` -> `admin_enabled`). */
  async enabled(): Promise<boolean> {
    const info = await requestAPI<{ admin_enabled?: boolean }>(
      'version',
      {},
      this.settings
    );
    return info?.admin_enabled === true;
  }

  /** `POST admin/plan`: a dry run; the server remembers the plan for this user. */
  plan(
    target: ITarget,
    variant: Variant,
    roleArns: string[] | null
  ): Promise<IPlan> {
    const body: Record<string, unknown> = { variant };
    for (const k of ['domain_id', 'region', 'profile'] as const) {
      if (target[k]) {
        body[k] = target[k];
      }
    }
    if (roleArns) {
      body.role_arns = roleArns;
    }
    return requestAPI<IPlan>(
      'admin/plan',
      { method: 'POST', body: JSON.stringify(body) },
      this.settings
    );
  }

  /**
   * `POST admin/apply`: apply the plan this user previewed; answers the change id.
   * `allowBreak` confirms, by id, the Studio flows the plan would take away (409 otherwise).
   */
  apply(
    planHash: string,
    allowBreak: string[] = []
  ): Promise<{ id: string; status: string }> {
    const body: { plan_hash: string; allow_break?: string[] } = {
      plan_hash: planHash
    };
    if (allowBreak.length > 0) {
      body.allow_break = allowBreak;
    }
    return requestAPI(
      'admin/apply',
      { method: 'POST', body: JSON.stringify(body) },
      this.settings
    );
  }

  /** `GET admin/changes?id=`: one change record (progress of a running apply). */
  change(id: string): Promise<IChangeRecord> {
    return requestAPI<IChangeRecord>(
      `admin/changes${queryString({ id })}`,
      {},
      this.settings
    );
  }

  /** `GET admin/changes`: the history, newest first. */
  async changes(): Promise<IChangeSummary[]> {
    const r = await requestAPI<{ changes: IChangeSummary[] }>(
      'admin/changes',
      {},
      this.settings
    );
    return r?.changes ?? [];
  }

  /** `POST admin/rollback` (dry run by default). */
  rollback(changeId: string, dryRun = true): Promise<IChangeRecord> {
    return requestAPI<IChangeRecord>(
      'admin/rollback',
      {
        method: 'POST',
        body: JSON.stringify({ change_id: changeId, dry_run: dryRun })
      },
      this.settings
    );
  }
}
