/**
 * The account overview's state (issue 17): the `overview` job (start, poll, result), the cell the
 * user opened, and the derived matrix. `OverviewModel` owns every server call of the overview
 * through `OverviewClient` (the app's `serverSettings`); the widgets only render `model.state`.
 */
import type { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';
import { ApiError, queryString, requestAPI } from '../api';
import { toErrorInfo } from '../model';
import { PollingModel } from '../pollingModel';
import type { IErrorInfo, IReport } from '../tokens';
import { buildMatrix, IMatrix, rankedFixes } from './matrix';
import type {
  IOverview,
  IOverviewDomain,
  IOverviewFix,
  IOverviewRequest,
  IOverviewStatus
} from '../tokens';

/** The two calls of the `overview` route (docs/openapi.yaml). */
export class OverviewClient {
  /** @param settings - the app's `serviceManager.serverSettings`. */
  constructor(readonly settings: ServerConnection.ISettings) {}

  /**
   * GET `overview`: the last or current job of this server; never starts one.
   *
   * @throws ApiError (status 404 when the server extension has no overview route).
   */
  status(): Promise<IOverviewStatus> {
    return requestAPI<IOverviewStatus>(
      'overview',
      { method: 'GET' },
      this.settings
    );
  }

  /**
   * POST `overview`: start a job (or join the running one).
   *
   * @param body - Regions and accounts to read; `refresh` ignores a finished job.
   * @throws ApiError (403 reason `other-accounts-disabled` when other accounts are asked for
   *   and the operator did not enable them; 400 for bad input).
   */
  start(body: IOverviewRequest): Promise<IOverviewStatus> {
    return requestAPI<IOverviewStatus>(
      'overview',
      { method: 'POST', body: JSON.stringify(body) },
      this.settings
    );
  }

  /** DELETE `overview`: stop the running job (before its next domain); returns its status. */
  cancel(): Promise<IOverviewStatus> {
    return requestAPI<IOverviewStatus>(
      'overview',
      { method: 'DELETE' },
      this.settings
    );
  }

  /**
   * GET `overview/report?domain_arn=`: the full report of one domain of the latest overview.
   *
   * @throws ApiError (404 reason `not-in-overview` when the latest ready overview lacks it).
   */
  report(domainArn: string): Promise<IReport> {
    return requestAPI<IReport>(
      `overview/report${queryString({ domain_arn: domainArn })}`,
      { method: 'GET' },
      this.settings
    );
  }
}

/** A selected matrix cell: the row domain's ARN and the column (a domain ARN or `*`). */
export interface ICellRef {
  from: string;
  to: string;
}

/** Everything the overview views render. */
export interface IOverviewState {
  /** `unavailable` when the server has no overview route (older server extension). */
  route: 'unknown' | 'ok' | 'unavailable';
  /** The latest job status (null until the first answer). */
  job: IOverviewStatus | null;
  /** The last failed request (GET/POST overview). */
  requestError: IErrorInfo | null;
  /** True while a job is being started or polled. */
  running: boolean;
  /** The options of the last start. */
  request: IOverviewRequest;
  /** The cell whose actions are listed. */
  selected: ICellRef | null;
}

/** What the overview shows, derived from the state by `overviewView`. */
export type OverviewView =
  'loading' | 'unavailable' | 'idle' | 'running' | 'error' | 'empty' | 'ready';

/**
 * The view for a state. Pure. A failed job never shows an older overview as if it were current.
 */
export function overviewView(state: IOverviewState): OverviewView {
  if (state.route === 'unavailable') {
    return 'unavailable';
  }
  const job = state.job;
  if (state.running || job?.status === 'running') {
    return 'running';
  }
  if (job?.status === 'error' || (state.requestError && !job?.overview)) {
    return 'error';
  }
  if (job?.status === 'ready' && job.overview) {
    const o = job.overview;
    return (o.domains ?? []).length === 0 && (o.errors ?? []).length === 0
      ? 'empty'
      : 'ready';
  }
  if (state.route === 'unknown') {
    return 'loading';
  }
  return 'idle';
}

/** The model of the account overview. */
export class OverviewModel extends PollingModel<
  IOverviewState,
  IOverviewStatus
> {
  /**
   * @param options.serverSettings - the app's `serviceManager.serverSettings`.
   * @param options.pollIntervalMs - delay between two `GET overview` while a job runs (ms,
   *   clamped to [50, 60000]; default 1000).
   */
  constructor(options: OverviewModel.IOptions) {
    super(
      {
        route: 'unknown',
        job: null,
        requestError: null,
        running: false,
        request: {},
        selected: null
      },
      options.pollIntervalMs ?? 1000
    );
    this._client = new OverviewClient(options.serverSettings);
  }

  /** The view to show. */
  get view(): OverviewView {
    return overviewView(this._state);
  }

  /** The overview of the last finished job (null while none). */
  get overview(): IOverview | null {
    const job = this._state.job;
    return job?.status === 'ready' ? (job.overview ?? null) : null;
  }

  /** The laid-out matrix of `overview` (computed once per overview). */
  get matrix(): IMatrix | null {
    const overview = this.overview;
    if (!overview) {
      return null;
    }
    if (this._matrixOf !== overview) {
      this._matrix = buildMatrix(overview);
      this._matrixOf = overview;
    }
    return this._matrix;
  }

  /** "Do this next" of the last finished job, most findings closed first. */
  get fixes(): IOverviewFix[] {
    const job = this._state.job;
    return job?.status === 'ready' ? rankedFixes(job.fixes) : [];
  }

  /** Whether the server lets the overview enter other accounts (its operator's choice). */
  get otherAccountsEnabled(): boolean {
    return this._state.job?.other_accounts_enabled === true;
  }

  /** The client of the `overview` routes (the domain report tabs load through it). */
  get client(): OverviewClient {
    return this._client;
  }

  /** The domain of the overview with this ARN (null when none). */
  domain(arn: string): IOverviewDomain | null {
    return (this.overview?.domains ?? []).find(d => d.arn === arn) ?? null;
  }

  /**
   * Say whether the server has the overview (the handshake's `features`). Without it the views
   * show nothing of the overview and no call is made.
   */
  setAvailable(available: boolean): void {
    if (!available) {
      this._generation++;
      this._update({ route: 'unavailable' });
    } else if (this._state.route === 'unavailable') {
      this._update({ route: 'unknown' });
    }
  }

  /**
   * Load the last job's status (GET); keep polling while it runs. With `autoStart`, start a job
   * when the server has none. Never throws: failures end up in `state`.
   */
  async initialize(autoStart = false): Promise<void> {
    const job = await this.fetchStatus();
    if (job?.status === 'running') {
      await this._followStatus(++this._generation, job);
    } else if (autoStart && job?.status === 'none') {
      await this.start({});
    }
  }

  /**
   * GET `overview`: the job status, without starting anything.
   *
   * @returns the status, or null when the request failed (then `requestError` is set, or
   *   `route` is `unavailable` for a 404).
   */
  async fetchStatus(): Promise<IOverviewStatus | null> {
    try {
      const job = await this._client.status();
      this._update({ route: 'ok', job, requestError: null });
      return job;
    } catch (error) {
      this._fail(error);
      return null;
    }
  }

  /**
   * Start a job (POST `overview`) and poll until it is `ready` or `error`. A second call while
   * one runs returns the same promise.
   *
   * @param request - Regions and accounts (blank lists dropped); `refresh` re-reads AWS.
   * @returns the final status, or null when the server could not be asked.
   */
  start(request: IOverviewRequest = {}): Promise<IOverviewStatus | null> {
    return this._once(() => this._start(cleanRequest(request)));
  }

  /**
   * Stop the running job (DELETE `overview`); the poll then sees `cancelled`. Never throws.
   */
  async cancel(): Promise<void> {
    try {
      const job = await this._client.cancel();
      this._update({ job });
    } catch (error) {
      this._fail(error);
    }
  }

  /** Open a cell's action list (null closes it). */
  select(cell: ICellRef | null): void {
    const s = this._state.selected;
    if (s === cell || (s && cell && s.from === cell.from && s.to === cell.to)) {
      return;
    }
    this._update({ selected: cell });
  }

  private async _start(
    request: IOverviewRequest
  ): Promise<IOverviewStatus | null> {
    const generation = ++this._generation;
    this._update({ running: true, requestError: null, request });
    try {
      const job = await this._client.start(request);
      if (generation !== this._generation) {
        return null;
      }
      this._update({ route: 'ok', job, selected: null });
      return await this._followStatus(generation, job);
    } catch (error) {
      if (generation === this._generation) {
        this._fail(error);
      }
      return null;
    } finally {
      if (generation === this._generation) {
        this._update({ running: false });
      }
    }
  }

  private _followStatus(
    generation: number,
    first: IOverviewStatus
  ): Promise<IOverviewStatus | null> {
    return this._follow(generation, first, () => this._client.status());
  }

  private _fail(error: unknown): void {
    if (error instanceof ApiError && error.status === 404) {
      this._update({ route: 'unavailable', requestError: toErrorInfo(error) });
    } else {
      this._update({ requestError: toErrorInfo(error) });
    }
  }

  private _client: OverviewClient;
  private _matrix: IMatrix | null = null;
  private _matrixOf: IOverview | null = null;
}

/** Namespace of `OverviewModel`. */
export namespace OverviewModel {
  export interface IOptions {
    serverSettings: ServerConnection.ISettings;
    pollIntervalMs?: number;
  }
}

/** The state of one domain's report tab. */
export interface IDomainReportState {
  status: 'loading' | 'ready' | 'error';
  report: IReport | null;
  error: IErrorInfo | null;
}

/**
 * One domain's full report from the latest overview (GET `overview/report`), for its own tab.
 */
export class DomainReportModel {
  /**
   * @param client - the overview's client (the app's server settings).
   * @param domain - the overview row of the domain.
   */
  constructor(
    private readonly _client: OverviewClient,
    readonly domain: IOverviewDomain
  ) {}

  get stateChanged(): ISignal<this, IDomainReportState> {
    return this._stateChanged;
  }

  get state(): IDomainReportState {
    return this._state;
  }

  /** Load (or reload) the report. Never throws: a failure ends in `status: 'error'`. */
  async load(): Promise<void> {
    this._set({ status: 'loading', report: null, error: null });
    try {
      const report = await this._client.report(this.domain.arn);
      this._set({ status: 'ready', report, error: null });
    } catch (error) {
      this._set({ status: 'error', report: null, error: toErrorInfo(error) });
    }
  }

  dispose(): void {
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _set(state: IDomainReportState): void {
    if (this._isDisposed) {
      return;
    }
    this._state = state;
    this._stateChanged.emit(state);
  }

  private _isDisposed = false;
  private _state: IDomainReportState = {
    status: 'loading',
    report: null,
    error: null
  };
  private _stateChanged = new Signal<this, IDomainReportState>(this);
}

/** Drop blank list items and empty lists; keep booleans only when true. */
export function cleanRequest(request: IOverviewRequest): IOverviewRequest {
  const out: IOverviewRequest = {};
  const list = (v: string[] | null | undefined) => {
    const items = (v ?? []).map(s => s.trim()).filter(Boolean);
    return items.length ? items : null;
  };
  const regions = list(request.regions);
  if (regions) {
    out.regions = regions;
  }
  const accounts = list(request.accounts);
  if (accounts) {
    out.accounts = accounts;
  }
  if (request.all_regions) {
    out.all_regions = true;
  }
  if (request.org) {
    out.org = true;
  }
  const role = request.assume_role?.trim();
  if (role) {
    out.assume_role = role;
  }
  if (request.refresh) {
    out.refresh = true;
  }
  return out;
}

/** Split "a, b c\nd" into ["a", "b", "c", "d"] (the Regions and accounts fields). */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map(s => s.trim())
    .filter(Boolean);
}
