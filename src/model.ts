/**
 * The frontend's models (jupyterlab-git's `model.ts` / `tokens.ts` split; the interfaces are in
 * `tokens.ts`). They own every server call; components only render their state and call their
 * methods.
 *
 * - `IsolationModel`: the `version` handshake (made once: versions, `admin_enabled`,
 *   `features`), the domain context and the check job (start, poll, result). It owns the other
 *   models, all bound to the app's `serviceManager.serverSettings`:
 * - `TagScanModel`: the Resources section (tag scans, their polling, the backfill);
 * - `AdminModel`: the admin section (plan, apply and its progress, rollback, history), per domain;
 * - `ExplainModel`: the "Explain an AccessDenied" box.
 *
 * Each emits `stateChanged` whenever its state changes.
 */
import type { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';
import { ApiError, queryString, requestAPI } from './api';
import { AdminApi, isRunning } from './adminApi';
import { PollingModel, sleep } from './pollingModel';
export { clampPollMs, pollUntilDone } from './pollingModel';
import { TagsApi } from './tagsApi';
import {
  MAX_MESSAGE_CHARS,
  breakingIds,
  type AdminPhase,
  type IAdminState,
  type IChangeRecord,
  type IContextInfo,
  type ICoverageTable,
  type IErrorInfo,
  type IExplainResult,
  type IExplainState,
  type IJobStatus,
  type IModelState,
  type IPlan,
  type IScanStatus,
  type IScanTarget,
  type ITagScanState,
  type ITarget,
  type IVersionInfo,
  type PanelView,
  type ServerStatus,
  type Variant
} from './tokens';

/** `AwsUnreachable.reason` values that mean "no usable credentials" (aws/errors.py). */
export const CREDENTIAL_REASONS: readonly string[] = [
  'no-credentials',
  'credentials-rejected',
  'profile-not-found'
];

/**
 * The view for a state. Pure, so the view logic is unit-tested without a DOM.
 *
 * A report is shown only when the job is `ready` and carries a report; a failed check never
 * shows an older result as if it were current.
 */
export function viewOf(state: IModelState): PanelView {
  switch (state.server.status) {
    case 'probing':
      return 'probing';
    case 'missing':
      return 'server-missing';
    case 'mismatch':
      return 'server-mismatch';
    case 'error':
      return 'server-error';
  }
  const job = state.job;
  if (state.checking || job?.status === 'running') {
    return 'checking';
  }
  if (job?.status === 'ready' && job.report) {
    return 'report';
  }
  if (!hasDomain(state)) {
    // The form shows `requestError` (e.g. the server's 400 "no domain to check") beside it.
    return 'need-domain';
  }
  const error = job?.status === 'error' ? job.error : state.requestError;
  if (error) {
    if (error.kind === 'no-context') {
      return 'need-domain';
    }
    if (CREDENTIAL_REASONS.includes(error.reason)) {
      return 'no-credentials';
    }
    if (error.kind === 'aws-unreachable') {
      return 'aws-unreachable';
    }
    return 'failed';
  }
  return 'idle';
}

/** True when a domain is known, from the form/settings or from the server's context. */
export function hasDomain(state: IModelState): boolean {
  return Boolean(state.target.domain_id || state.context?.domain_id);
}

/**
 * The installation warnings to show for a `version` answer: the server's own (served labextension
 * vs server extension), then, when this panel (the labextension the browser loaded) is another
 * release than the server extension, one naming both environments.
 *
 * @param info - the `version` route's answer (null/undefined: none).
 * @param frontendVersion - this labextension's version (package.json).
 * @returns the warnings, in display order; empty when all is consistent.
 */
export function installWarnings(
  info: IVersionInfo | null | undefined,
  frontendVersion: string
): string[] {
  const warnings = [...(info?.warnings ?? [])];
  if (info && !sameVersion(info.version, frontendVersion)) {
    const served = info.labextension;
    const from =
      served && served.version === frontendVersion
        ? (served.prefix ?? served.path)
        : 'another environment than the server (or the browser cache)';
    const server = info.environment?.sys_prefix ?? 'the server environment';
    warnings.push(
      `This panel is sagemaker-isolation-ext ${frontendVersion}, loaded from ${from}; ` +
        `the server extension is ${info.version ?? '?'}, running in ${server}. ` +
        `Install one version into ${server} (the environment that runs the Jupyter server), ` +
        'remove the other, restart the server and reload the page.'
    );
  }
  return warnings;
}

/**
 * Whether the server extension's version (Python, PEP 440) is the same release as this
 * labextension's (npm, semver). hatch-nodejs-version derives the first from the second,
 * turning `1.2.0-alpha.1` / `-beta.N` / `-rc.N` into `1.2.0a1` / `b1` / `rc1`.
 */
export function sameVersion(
  python: string | null | undefined,
  npm: string
): boolean {
  if (!python) {
    return false;
  }
  const pep440 = npm.replace(
    /-(alpha|beta|rc)\.?(\d+)$/,
    (_, tag: string, n: string) =>
      `${tag === 'alpha' ? 'a' : tag === 'beta' ? 'b' : 'rc'}${n}`
  );
  return python === npm || python === pep440;
}

/** Drop blank fields (the server treats a missing field as "use the configured value"). */
function cleanTarget(target: ITarget): ITarget {
  const out: ITarget = {};
  for (const key of ['domain_id', 'region', 'profile'] as const) {
    const value = target[key]?.trim();
    if (value) {
      out[key] = value;
    }
  }
  return out;
}

/**
 * The model of the isolation panel: the handshake, the context and the check job. Owns the
 * section models (`tagScan`, `admin`, `explain`), all bound to the same server settings.
 */
export class IsolationModel extends PollingModel<IModelState, IJobStatus> {
  /**
   * @param options.serverSettings - the app's `serviceManager.serverSettings` (used by every
   *   model for every call).
   * @param options.frontendVersion - this labextension's version (package.json).
   * @param options.pollIntervalMs - delay between two `GET report` while a check runs (ms,
   *   clamped to [50, 60000]; default 1000).
   * @param options.sectionPollMs - delay between two polls of a tag scan (default 700) or an
   *   admin apply (default 500), ms.
   */
  constructor(options: IsolationModel.IOptions) {
    super(
      {
        server: { status: 'probing' },
        context: null,
        target: {},
        targetSource: null,
        job: null,
        requestError: null,
        checking: false
      },
      options.pollIntervalMs ?? 1000
    );
    this._settings = options.serverSettings;
    this._frontendVersion = options.frontendVersion;
    const pollMs = options.sectionPollMs;
    this.tagScan = new TagScanModel({ serverSettings: this._settings, pollMs });
    this.admin = new AdminModel({ serverSettings: this._settings, pollMs });
    this.explain = new ExplainModel({ serverSettings: this._settings });
    // An admin apply or rollback changed the roles: check the domain again.
    this.admin.changeFinished.connect(() => void this.check(true));
  }

  /** The Resources section's model (tag scans and backfill). */
  readonly tagScan: TagScanModel;
  /** The admin section's model; enabled by the handshake's `admin_enabled`. */
  readonly admin: AdminModel;
  /** The "Explain an AccessDenied" box's model. */
  readonly explain: ExplainModel;

  /** This labextension's version (compared with the server's in `probe`). */
  get frontendVersion(): string {
    return this._frontendVersion;
  }

  /** The view the panel should show. */
  get view(): PanelView {
    return viewOf(this._state);
  }

  /** Stop polling (this model's and the sections') and disconnect listeners. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.tagScan.dispose();
    this.admin.dispose();
    super.dispose();
  }

  /**
   * Startup: handshake with the server extension, load the context, then show the existing job
   * status for the domain (and keep polling if a check is running). With `autoCheck`, start a
   * check when nothing is cached yet.
   *
   * Never throws: failures end up in `state.server` or `state.requestError`.
   */
  async initialize(autoCheck = false): Promise<void> {
    if (!(await this.probe())) {
      return;
    }
    await this.loadContext();
    if (!hasDomain(this._state)) {
      return;
    }
    const job = await this.fetchStatus();
    if (job?.status === 'running') {
      await this._pollUntilDone(this._generation, job);
    } else if (autoCheck && job?.status === 'none') {
      await this.check(false);
    }
  }

  /**
   * The handshake: GET `version` (the only call of that route), compare it with this
   * labextension's version, and record `admin_enabled` and `features` (which enable the admin
   * model).
   *
   * @returns true when the server extension answers with the same version.
   */
  async probe(): Promise<boolean> {
    this._update({ server: { status: 'probing' } });
    try {
      const info = await requestAPI<IVersionInfo>(
        'version',
        { method: 'GET' },
        this._settings
      );
      const serverVersion = info?.version ?? null;
      const status: ServerStatus = sameVersion(
        serverVersion,
        this._frontendVersion
      )
        ? 'ok'
        : 'mismatch';
      this._update({
        server: {
          status,
          serverVersion,
          catalogVersion: info?.catalog?.version ?? null,
          message: null,
          environment: info?.environment ?? null,
          labextension: info?.labextension ?? null,
          warnings: installWarnings(info, this._frontendVersion),
          adminEnabled: info?.admin_enabled === true,
          features: Array.isArray(info?.features) ? info.features : null
        }
      });
      this.admin.setEnabled(status === 'ok' && info?.admin_enabled === true);
      return status === 'ok';
    } catch (error) {
      const err = toErrorInfo(error);
      const status =
        error instanceof ApiError && error.status === 404 ? 'missing' : 'error';
      this._update({ server: { status, message: err.message } });
      this.admin.setEnabled(false);
      return false;
    }
  }

  /** GET `context`; on failure records `requestError` and returns null. */
  async loadContext(): Promise<IContextInfo | null> {
    try {
      const context = await requestAPI<IContextInfo>(
        'context',
        { method: 'GET' },
        this._settings
      );
      this._update({ context });
      return context;
    } catch (error) {
      this._update({ requestError: toErrorInfo(error) });
      return null;
    }
  }

  /**
   * Choose the domain to check (the form, or the settings). Blank fields are dropped. Clears the
   * shown job, since it belongs to the previous target, and stops any polling of it.
   */
  setTarget(target: ITarget, source: 'panel' | 'settings' = 'panel'): void {
    this._generation++;
    const cleaned = cleanTarget(target);
    this._update({
      target: cleaned,
      targetSource: Object.keys(cleaned).length ? source : null,
      job: null,
      requestError: null,
      checking: false
    });
  }

  /**
   * GET `report` for the current target: the job status, without starting anything.
   *
   * @returns the status, or null when the request failed (then `requestError` is set).
   */
  async fetchStatus(): Promise<IJobStatus | null> {
    const generation = this._generation;
    try {
      const job = await this._getStatus(this._state.target);
      if (generation === this._generation) {
        this._update({ job, requestError: null });
      }
      return job;
    } catch (error) {
      if (generation === this._generation) {
        this._update({ requestError: toErrorInfo(error) });
      }
      return null;
    }
  }

  /**
   * Start a check (POST `report`) and poll `GET report` every `pollIntervalMs` until it is
   * `ready` or `error`. A second call while one runs returns the same promise.
   *
   * @param refresh - true to ignore a cached report (the refresh command).
   * @returns the final job status, or null when the server could not be asked (then
   *   `requestError` is set) or the target changed meanwhile.
   */
  check(refresh = false): Promise<IJobStatus | null> {
    return this._once(() => this._check(refresh));
  }

  /**
   * GET `coverage?q=`: the catalog's coverage table, filtered by `query`.
   *
   * @throws ApiError when the server answers an error.
   */
  loadCoverage(query: string): Promise<ICoverageTable> {
    return requestAPI<ICoverageTable>(
      `coverage${queryString({ q: query.trim() })}`,
      { method: 'GET' },
      this._settings
    );
  }

  private async _check(refresh: boolean): Promise<IJobStatus | null> {
    const generation = ++this._generation;
    this._update({ checking: true, requestError: null });
    try {
      const body = { ...cleanTarget(this._state.target), refresh };
      const job = await requestAPI<IJobStatus>(
        'report',
        { method: 'POST', body: JSON.stringify(body) },
        this._settings
      );
      if (generation !== this._generation) {
        return null;
      }
      this._update({ job });
      return await this._pollUntilDone(generation, job);
    } catch (error) {
      if (generation === this._generation) {
        this._update({ requestError: toErrorInfo(error), job: null });
      }
      return null;
    } finally {
      if (generation === this._generation) {
        this._update({ checking: false });
      }
    }
  }

  private async _pollUntilDone(
    generation: number,
    first: IJobStatus
  ): Promise<IJobStatus | null> {
    // The key the server resolved (config defaults filled in) identifies the job to poll.
    const key: ITarget = first.key
      ? {
          domain_id: first.key.domain_id ?? undefined,
          region: first.key.region ?? undefined,
          profile: first.key.profile ?? undefined
        }
      : this._state.target;
    return this._follow(generation, first, () => this._getStatus(key));
  }

  private _getStatus(target: ITarget): Promise<IJobStatus> {
    return requestAPI<IJobStatus>(
      `report${queryString({ ...cleanTarget(target) })}`,
      { method: 'GET' },
      this._settings
    );
  }

  private _settings: ServerConnection.ISettings;
  private _frontendVersion: string;
}

/** Namespace of `IsolationModel`. */
export namespace IsolationModel {
  /** Constructor options. */
  export interface IOptions {
    serverSettings: ServerConnection.ISettings;
    frontendVersion: string;
    pollIntervalMs?: number;
    sectionPollMs?: number;
  }
}

/** What the panel says when the server refuses a check because too many run (HTTP 429). */
export const BUSY_MESSAGE =
  'Busy, retry shortly: the server is running as many checks as it allows.';

/** `{message, reason}` from any thrown value. */
export function toErrorInfo(error: unknown): IErrorInfo {
  if (error instanceof ApiError) {
    if (error.reason === 'too-many-checks') {
      return { message: BUSY_MESSAGE, reason: error.reason };
    }
    return error.toInfo();
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message, reason: 'client-error' };
}

/** A failed request in words (the sections show `error.message`). */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The state of the Resources section before a domain is chosen. */
const EMPTY_TAG_SCAN: ITagScanState = {
  target: null,
  status: null,
  allStatus: null,
  checked: new Set<string>(),
  plan: null,
  result: null,
  error: null,
  busy: false
};

/**
 * The Resources section's model: the tag scan of one domain (`tag-scan`, polled while it runs,
 * cancellable), the account-wide scan (every domain, polled likewise), the ARNs chosen for a
 * backfill (pre-filled with the high-confidence proposals for this domain), the backfill preview
 * (`tag-plan`, read-only) and, for admins, apply and roll back (`tag-backfill`, `tag-rollback`).
 */
export class TagScanModel {
  /**
   * @param options.serverSettings - the app's `serviceManager.serverSettings`.
   * @param options.pollMs - delay between two status polls while a scan runs (ms, default 700).
   */
  constructor(options: TagScanModel.IOptions) {
    this._api = new TagsApi(options.serverSettings);
    this.pollMs = options.pollMs ?? 700;
  }

  /** Delay between two status polls while a scan runs (ms). */
  pollMs: number;

  /** Emitted with the new state after every change. */
  get stateChanged(): ISignal<this, ITagScanState> {
    return this._stateChanged;
  }

  /** The current state (treat as read-only). */
  get state(): ITagScanState {
    return this._state;
  }

  /**
   * Show the domain `domainId` (in `region`): load its last scan status (a scan may already have
   * run or be running; polled while it runs). Forgets the previous domain's state. Asks the
   * server again when the domain is the same (the section was shown again).
   *
   * Never throws: a failure ends up in `state.error`.
   */
  async setTarget(domainId: string, region?: string | null): Promise<void> {
    const target: IScanTarget = { domain_id: domainId, region: region ?? null };
    const t = this._state.target;
    if (t?.domain_id !== target.domain_id || t?.region !== target.region) {
      this._stop();
      this._update({ ...EMPTY_TAG_SCAN, target });
    }
    const generation = this._generation;
    try {
      const status = await this._api.status(target);
      if (generation === this._generation) {
        this._setStatus(status);
      }
    } catch (error) {
      if (generation === this._generation) {
        this._update({ error: errorText(error) });
      }
    }
  }

  /** `POST tag-scan` for the domain (`refresh` to rescan a ready one). */
  start(refresh: boolean): Promise<void> {
    this._update({ error: null, result: null });
    return this._call(async target =>
      this._setStatus(await this._api.start(target, refresh))
    );
  }

  /** `DELETE tag-scan`: cancel the domain's running scan. */
  cancel(): Promise<void> {
    return this._call(async target =>
      this._setStatus(await this._api.cancel(target))
    );
  }

  /** `POST tag-scan` with `all_domains` (rescan when one is ready): compare every domain. */
  startAll(): Promise<void> {
    this._update({ error: null });
    return this._call(async target => {
      const refresh = this._state.allStatus?.status === 'ready';
      this._setAllStatus(await this._api.start(allDomains(target), refresh));
    });
  }

  /** Choose (or not) the resource `arn` for the backfill. */
  setChecked(arn: string, on: boolean): void {
    const checked = new Set(this._state.checked);
    if (on) {
      checked.add(arn);
    } else {
      checked.delete(arn);
    }
    this._update({ checked });
  }

  /** `POST tag-plan`: preview the backfill of the chosen ARNs (changes nothing). */
  preview(): Promise<void> {
    this._update({ error: null });
    return this._busy(async target => {
      const plan = await this._api.plan(target, [...this._state.checked]);
      this._update({ plan, result: null });
    });
  }

  /** `POST tag-backfill` (admin) of the previewed plan, for real. */
  apply(): Promise<void> {
    const plan = this._state.plan;
    if (!plan) {
      return Promise.resolve();
    }
    this._update({ error: null });
    return this._busy(async target =>
      this._update({ result: await this._api.backfill(target, plan, false) })
    );
  }

  /** `POST tag-rollback` (admin) of the last backfill, for real. */
  rollback(): Promise<void> {
    const changeId = this._state.result?.change_id;
    if (!changeId) {
      return Promise.resolve();
    }
    return this._busy(async () =>
      this._update({ result: await this._api.rollback(changeId, false) })
    );
  }

  /** Stop polling and disconnect listeners. */
  dispose(): void {
    this._stop();
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /** Run `fn` for the current target; a failure (for this target) goes to `state.error`. */
  private async _call(fn: (target: IScanTarget) => Promise<void>) {
    const target = this._state.target;
    if (!target) {
      return;
    }
    const generation = this._generation;
    try {
      await fn(target);
    } catch (error) {
      if (generation === this._generation) {
        this._update({ error: errorText(error) });
      }
    }
  }

  /** `_call` with `busy` set while it runs. */
  private async _busy(fn: (target: IScanTarget) => Promise<void>) {
    this._update({ busy: true });
    try {
      await this._call(fn);
    } finally {
      this._update({ busy: false });
    }
  }

  private _setStatus(status: IScanStatus): void {
    const patch: Partial<ITagScanState> = { status };
    const domainId = this._state.target?.domain_id;
    if (status.status === 'ready' && status.result) {
      // A new result: pre-check the high-confidence proposals for this domain.
      patch.checked = new Set(
        status.result.resources
          .filter(
            r =>
              r.class === 'untagged' &&
              r.proposal?.domain_id === domainId &&
              r.proposal?.confidence === 'high'
          )
          .map(r => r.arn)
      );
      patch.plan = null;
    }
    this._update(patch);
    if (status.status === 'running') {
      this._poll('domain');
    }
  }

  private _setAllStatus(allStatus: IScanStatus): void {
    this._update({ allStatus });
    if (allStatus.status === 'running') {
      this._poll('all');
    }
  }

  /** Ask the status of a running scan again after `pollMs` (one timer per scan). */
  private _poll(which: 'domain' | 'all'): void {
    clearTimeout(this._timers[which]);
    const generation = this._generation;
    this._timers[which] = setTimeout(() => {
      if (generation !== this._generation || this._isDisposed) {
        return;
      }
      void this._call(async target => {
        if (which === 'domain') {
          const status = await this._api.status(target);
          if (generation === this._generation) {
            this._setStatus(status);
          }
        } else {
          const status = await this._api.status(allDomains(target));
          if (generation === this._generation) {
            this._setAllStatus(status);
          }
        }
      });
    }, this.pollMs);
  }

  private _stop(): void {
    this._generation++;
    clearTimeout(this._timers.domain);
    clearTimeout(this._timers.all);
  }

  private _update(patch: Partial<ITagScanState>): void {
    if (this._isDisposed) {
      return;
    }
    this._state = { ...this._state, ...patch };
    this._stateChanged.emit(this._state);
  }

  private _api: TagsApi;
  private _generation = 0;
  private _isDisposed = false;
  private _timers: {
    domain?: ReturnType<typeof setTimeout>;
    all?: ReturnType<typeof setTimeout>;
  } = {};
  private _state: ITagScanState = EMPTY_TAG_SCAN;
  private _stateChanged = new Signal<this, ITagScanState>(this);
}

/** Namespace of `TagScanModel`. */
export namespace TagScanModel {
  /** Constructor options. */
  export interface IOptions {
    serverSettings: ServerConnection.ISettings;
    pollMs?: number;
  }
}

/** The account-wide scan beside a domain's (same Region). */
function allDomains(target: IScanTarget): IScanTarget {
  return { region: target.region ?? null, all_domains: true };
}

/** The admin state of a domain nothing was done for yet. */
const EMPTY_ADMIN: IAdminState = {
  phase: { kind: 'choose' },
  rollback: null,
  history: [],
  error: null,
  open: false
};

/**
 * The admin section's model: per domain, the plan preview (`admin/plan`), the apply and its
 * progress (`admin/apply`, then `admin/changes?id=` polled), the rollback (`admin/rollback`) and
 * the history (`admin/changes`). It keeps each domain's state while the panel re-checks the domain
 * after an apply (the report view is re-created; the result must stay visible).
 *
 * Disabled (no call at all) unless the handshake said `admin_enabled` (`setEnabled`).
 */
export class AdminModel {
  /**
   * @param options.serverSettings - the app's `serviceManager.serverSettings`.
   * @param options.pollMs - delay between two progress polls of a running apply (ms, default 500).
   */
  constructor(options: AdminModel.IOptions) {
    this._api = new AdminApi(options.serverSettings);
    this.pollMs = options.pollMs ?? 500;
  }

  /** Delay between two progress polls of a running apply (ms). */
  pollMs: number;

  /** Emitted with the domain id whose state changed (or '' when `enabled` changed). */
  get stateChanged(): ISignal<this, string> {
    return this._stateChanged;
  }

  /** Emitted with the domain id after an apply or a rollback finished (the roles changed). */
  get changeFinished(): ISignal<this, string> {
    return this._changeFinished;
  }

  /** Whether the operator enabled admin actions (the handshake's `admin_enabled`). */
  get enabled(): boolean {
    return this._enabled;
  }

  /** Set by `IsolationModel.probe` from the handshake. */
  setEnabled(enabled: boolean): void {
    if (enabled !== this._enabled) {
      this._enabled = enabled;
      this._stateChanged.emit('');
    }
  }

  /** The state of `domainId` (treat as read-only). */
  stateFor(domainId: string): IAdminState {
    return this._states.get(domainId) ?? EMPTY_ADMIN;
  }

  /** The section of `domainId` is shown: load its history (nothing when disabled). */
  show(domainId: string): Promise<void> {
    return this._enabled ? this.loadHistory(domainId) : Promise.resolve();
  }

  /** Remember whether the section of `domainId` is expanded. */
  setOpen(domainId: string, open: boolean): void {
    this._update(domainId, { open });
  }

  /** Ask (or stop asking) for the confirmation of the previewed plan. */
  setConfirming(domainId: string, confirming: boolean): void {
    const phase = this.stateFor(domainId).phase;
    if (phase.kind === 'plan') {
      this._update(domainId, { phase: { ...phase, confirming } });
    }
  }

  /** `GET admin/changes`: the history of `domainId` (changes without a domain included). */
  async loadHistory(domainId: string): Promise<void> {
    try {
      const all = await this._api.changes();
      const history = all.filter(c => !c.domain_id || c.domain_id === domainId);
      this._update(domainId, { history });
    } catch (error) {
      this._update(domainId, { error: errorText(error) });
    }
  }

  /**
   * `POST admin/plan`: preview the plan (a dry run) for `variant` and the roles `roleArns`
   * (null: every role of the domain).
   */
  async preview(
    target: ITarget & { domain_id: string },
    variant: Variant,
    roleArns: string[] | null
  ): Promise<void> {
    const domainId = target.domain_id;
    this._update(domainId, { error: null, phase: { kind: 'planning' } });
    try {
      const plan = await this._api.plan(target, variant, roleArns);
      this._update(domainId, {
        phase: { kind: 'plan', plan, confirming: false }
      });
    } catch (error) {
      this._update(domainId, {
        error: errorText(error),
        phase: { kind: 'choose' }
      });
    }
  }

  /**
   * `POST admin/apply` of the previewed `plan`, then follow its progress until it ends; then the
   * history is reloaded and `changeFinished` emitted.
   */
  async apply(domainId: string, plan: IPlan): Promise<void> {
    this._update(domainId, { error: null });
    try {
      // The confirm step listed these flows by id: confirming applies with them.
      const started = await this._api.apply(plan.plan_hash, breakingIds(plan));
      let record: IChangeRecord = {
        id: started.id,
        kind: 'apply',
        status: 'running'
      };
      this._update(domainId, { phase: { kind: 'applying', plan, record } });
      while (isRunning(record) && !this._isDisposed) {
        await sleep(this.pollMs);
        record = await this._api.change(started.id);
        const phase: AdminPhase = isRunning(record)
          ? { kind: 'applying', plan, record }
          : { kind: 'done', plan, record };
        this._update(domainId, { phase });
      }
      await this._finished(domainId);
    } catch (error) {
      this._update(domainId, { error: errorText(error) });
    }
  }

  /** `POST admin/rollback` of change `changeId`: a preview (`dryRun`) or for real. */
  async rollback(
    domainId: string,
    changeId: string,
    dryRun: boolean
  ): Promise<void> {
    this._update(domainId, { error: null });
    try {
      const rollback = await this._api.rollback(changeId, dryRun);
      this._update(domainId, { rollback });
      if (!dryRun) {
        await this._finished(domainId);
      }
    } catch (error) {
      this._update(domainId, { error: errorText(error) });
    }
  }

  /** Stop following applies and disconnect listeners. */
  dispose(): void {
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _finished(domainId: string): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    await this.loadHistory(domainId);
    this._changeFinished.emit(domainId);
  }

  private _update(domainId: string, patch: Partial<IAdminState>): void {
    if (this._isDisposed) {
      return;
    }
    this._states.set(domainId, { ...this.stateFor(domainId), ...patch });
    this._stateChanged.emit(domainId);
  }

  private _api: AdminApi;
  private _enabled = false;
  private _isDisposed = false;
  private _states = new Map<string, IAdminState>();
  private _stateChanged = new Signal<this, string>(this);
  private _changeFinished = new Signal<this, string>(this);
}

/** Namespace of `AdminModel`. */
export namespace AdminModel {
  /** Constructor options. */
  export interface IOptions {
    serverSettings: ServerConnection.ISettings;
    pollMs?: number;
  }
}

/**
 * The "Explain an AccessDenied" box's model: the text, the offline switch and the last result of
 * `POST explain` (docs/EXPLAIN.md). The command-palette command fills and runs it while the panel
 * shows it.
 */
export class ExplainModel {
  /** @param options.serverSettings - the app's `serviceManager.serverSettings`. */
  constructor(options: ExplainModel.IOptions) {
    this._settings = options.serverSettings;
  }

  /** Emitted on every state change. */
  get stateChanged(): ISignal<this, IExplainState> {
    return this._changed;
  }

  /** The current state. */
  get state(): IExplainState {
    return this._state;
  }

  /** Replace the text being edited. */
  setText(text: string): void {
    this._set({ text });
  }

  /** Explain offline (no AWS call) or with live evidence. */
  setOffline(offline: boolean): void {
    this._set({ offline });
  }

  /**
   * Explain `text` (default: the current text, cut to `MAX_MESSAGE_CHARS`) with
   * `POST explain {message, offline}`. An empty text gives an error without a call.
   *
   * @returns the result, or null when the call failed (the error is in the state).
   */
  async explain(text?: string): Promise<IExplainResult | null> {
    const message = (text ?? this._state.text).slice(0, MAX_MESSAGE_CHARS);
    if (!message.trim()) {
      this._set({
        text: message,
        error: {
          message: 'Paste an AccessDenied error message first.',
          reason: 'empty'
        },
        result: null
      });
      return null;
    }
    const seq = ++this._seq;
    this._set({ text: message, busy: true, error: null });
    try {
      const result = await requestAPI<IExplainResult>(
        'explain',
        {
          method: 'POST',
          body: JSON.stringify({ message, offline: this._state.offline })
        },
        this._settings
      );
      if (seq === this._seq) {
        this._set({ busy: false, result, error: null });
      }
      return result;
    } catch (error) {
      const info =
        error instanceof ApiError
          ? error.toInfo()
          : { message: String(error), reason: 'error' };
      if (seq === this._seq) {
        this._set({ busy: false, error: info, result: null });
      }
      return null;
    }
  }

  private _set(patch: Partial<IExplainState>): void {
    this._state = { ...this._state, ...patch };
    this._changed.emit(this._state);
  }

  private _settings: ServerConnection.ISettings;
  private _state: IExplainState = {
    text: '',
    offline: false,
    busy: false,
    result: null,
    error: null
  };
  private _seq = 0;
  private _changed = new Signal<this, IExplainState>(this);
}

/** Namespace of `ExplainModel`. */
export namespace ExplainModel {
  /** Constructor options. */
  export interface IOptions {
    serverSettings: ServerConnection.ISettings;
  }
}
