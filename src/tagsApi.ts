/**
 * Client of the tag coverage routes (docs/openapi.yaml: `tag-scan`, `tag-plan`;
 * docs/openapi-admin.yaml: `tag-backfill`, `tag-rollback`); the JSON shapes are in `tokens.ts`.
 * `tag-backfill` / `tag-rollback` are admin routes: they exist (else 404) only when the operator
 * enabled admin actions (`admin_enabled` of `version`). POSTs go through
 * `ServerConnection.makeRequest`, which sends the XSRF token. Used by `TagScanModel` only.
 */
import type { ServerConnection } from '@jupyterlab/services';
import { queryString, requestAPI } from './api';
import type {
  IScanStatus,
  IScanTarget,
  ITagChangeResult,
  ITagPlan
} from './tokens';

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
  /** @param settings - the app's `serviceManager.serverSettings`. */
  constructor(readonly settings: ServerConnection.ISettings) {}

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
