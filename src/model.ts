/**
 * The panel's state: server handshake, domain context, and the check job (start, poll, result).
 *
 * `IsolationModel` owns all server I/O of the frontend and emits `stateChanged` whenever its
 * state changes; the sidebar panel and the status-bar item only render `model.state`.
 */
import type { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';
import {
  ApiError,
  IContextInfo,
  ICoverageTable,
  IErrorInfo,
  IJobStatus,
  IServedLabextension,
  IServerEnvironment,
  ITarget,
  IVersionInfo,
  queryString,
  requestAPI
} from './api';

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

/** A promise resolved after `ms` milliseconds. */
function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
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

/** The model of the isolation panel. */
export class IsolationModel {
  /**
   * @param options.serverSettings - the app's `serviceManager.serverSettings`.
   * @param options.frontendVersion - this labextension's version (package.json).
   * @param options.pollIntervalMs - delay between two `GET report` while a check runs (ms,
   *   clamped to [50, 60000]; default 1000).
   */
  constructor(options: IsolationModel.IOptions) {
    this._settings = options.serverSettings;
    this._frontendVersion = options.frontendVersion;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  /** Emitted with the new state after every change. */
  get stateChanged(): ISignal<this, IModelState> {
    return this._stateChanged;
  }

  /** The current state (treat as read-only). */
  get state(): IModelState {
    return this._state;
  }

  /** This labextension's version (compared with the server's in `probe`). */
  get frontendVersion(): string {
    return this._frontendVersion;
  }

  /** The view the panel should show. */
  get view(): PanelView {
    return viewOf(this._state);
  }

  /** Delay between polls, in ms (clamped to [50, 60000]). */
  get pollIntervalMs(): number {
    return this._pollIntervalMs;
  }
  set pollIntervalMs(value: number) {
    const v = Number.isFinite(value) ? value : 1000;
    this._pollIntervalMs = Math.min(60000, Math.max(50, v));
  }

  /** True once `dispose` was called. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Stop polling and disconnect listeners. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._generation++;
    Signal.clearData(this);
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
   * GET `version` and compare it with this labextension's version.
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
          warnings: installWarnings(info, this._frontendVersion)
        }
      });
      return status === 'ok';
    } catch (error) {
      const err = toErrorInfo(error);
      const status =
        error instanceof ApiError && error.status === 404 ? 'missing' : 'error';
      this._update({ server: { status, message: err.message } });
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
    if (this._running) {
      return this._running;
    }
    const run = this._check(refresh).finally(() => {
      if (this._running === run) {
        this._running = null;
      }
    });
    this._running = run;
    return run;
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
    let job = first;
    // The key the server resolved (config defaults filled in) identifies the job to poll.
    const key: ITarget = job.key
      ? {
          domain_id: job.key.domain_id ?? undefined,
          region: job.key.region ?? undefined,
          profile: job.key.profile ?? undefined
        }
      : this._state.target;
    let failures = 0;
    while (job.status === 'running') {
      await sleep(this._pollIntervalMs);
      if (generation !== this._generation || this._isDisposed) {
        return null;
      }
      try {
        job = await this._getStatus(key);
        failures = 0;
      } catch (error) {
        // A few transient failures are tolerated; then the error is shown.
        if (++failures >= 3) {
          throw error;
        }
        continue;
      }
      if (generation !== this._generation) {
        return null;
      }
      this._update({ job });
    }
    return job;
  }

  private _getStatus(target: ITarget): Promise<IJobStatus> {
    return requestAPI<IJobStatus>(
      `report${queryString({ ...cleanTarget(target) })}`,
      { method: 'GET' },
      this._settings
    );
  }

  private _update(patch: Partial<IModelState>): void {
    if (this._isDisposed) {
      return;
    }
    this._state = { ...this._state, ...patch };
    this._stateChanged.emit(this._state);
  }

  private _settings: ServerConnection.ISettings;
  private _frontendVersion: string;
  private _pollIntervalMs = 1000;
  private _generation = 0;
  private _running: Promise<IJobStatus | null> | null = null;
  private _isDisposed = false;
  private _state: IModelState = {
    server: { status: 'probing' },
    context: null,
    target: {},
    targetSource: null,
    job: null,
    requestError: null,
    checking: false
  };
  private _stateChanged = new Signal<this, IModelState>(this);
}

/** Namespace of `IsolationModel`. */
export namespace IsolationModel {
  /** Constructor options. */
  export interface IOptions {
    serverSettings: ServerConnection.ISettings;
    frontendVersion: string;
    pollIntervalMs?: number;
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
