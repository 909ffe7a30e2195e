/**
 * Client of the admin routes (docs/openapi-admin.yaml): plan, apply, rollback, changes; the JSON
 * shapes are in `tokens.ts`. Used by `AdminModel` only.
 *
 * They exist only when the operator enabled admin actions (`admin_enabled` of the `version`
 * handshake, which `IsolationModel` makes once); otherwise every call answers 404. POSTs go
 * through `ServerConnection.makeRequest`, which sends the XSRF token of the cookie session.
 */
import type { ServerConnection } from '@jupyterlab/services';
import { queryString, requestAPI } from './api';
import type {
  IChangeRecord,
  IChangeSummary,
  IPlan,
  ITarget,
  Variant
} from './tokens';

/** True while a change record is still being written. */
export function isRunning(rec: IChangeRecord): boolean {
  return rec.status === 'pending' || rec.status === 'running';
}

/** The admin routes, bound to one server. */
export class AdminApi {
  /** @param settings - the app's `serviceManager.serverSettings`. */
  constructor(readonly settings: ServerConnection.ISettings) {}

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

  /** `POST admin/apply`: apply the plan this user previewed; answers the change id. */
  apply(planHash: string): Promise<{ id: string; status: string }> {
    return requestAPI(
      'admin/apply',
      { method: 'POST', body: JSON.stringify({ plan_hash: planHash }) },
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
