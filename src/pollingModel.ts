/**
 * The base of the models that start a server job and poll it (`IsolationModel`'s check,
 * `OverviewModel`'s overview): their state and `stateChanged` signal, the poll interval, the
 * generation counter that retires stale answers, one job at a time, and `dispose`.
 */
import { ISignal, Signal } from '@lumino/signaling';

/** A poll interval in ms: `value` clamped to [50, 60000] (1000 when not a number). */
export function clampPollMs(value: number): number {
  const v = Number.isFinite(value) ? value : 1000;
  return Math.min(60000, Math.max(50, v));
}

/** A promise resolved after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * Poll a job until it no longer runs: wait `intervalMs()`, ask `next()`, hand each answer to
 * `onUpdate`. Up to two failed polls in a row are tolerated; the third failure is thrown.
 *
 * @param first - the job as last seen.
 * @param running - whether a job is still running.
 * @param next - one poll (GET).
 * @param options.intervalMs - the delay before each poll, ms.
 * @param options.alive - false once the caller no longer wants the answer (target changed,
 *   disposed): the loop then stops with null.
 * @param options.onUpdate - called with every new answer while `alive()`.
 * @returns the last answer, or null when `alive()` turned false.
 */
export async function pollUntilDone<T>(
  first: T,
  running: (job: T) => boolean,
  next: () => Promise<T>,
  options: {
    intervalMs: () => number;
    alive: () => boolean;
    onUpdate: (job: T) => void;
  }
): Promise<T | null> {
  let job = first;
  let failures = 0;
  while (running(job)) {
    await sleep(options.intervalMs());
    if (!options.alive()) {
      return null;
    }
    try {
      job = await next();
      failures = 0;
    } catch (error) {
      // A few transient failures are tolerated; then the error is shown.
      if (++failures >= 3) {
        throw error;
      }
      continue;
    }
    if (!options.alive()) {
      return null;
    }
    options.onUpdate(job);
  }
  return job;
}

/**
 * A model whose state `S` holds the `job` (`J`, with a `status` that is `'running'` while it
 * runs) it polls. Subclasses own the server calls; this class owns the bookkeeping.
 */
export abstract class PollingModel<
  S extends { job: J | null },
  J extends { status: string }
> {
  /**
   * @param initialState - the state before any call.
   * @param pollIntervalMs - delay between two polls while a job runs (ms, clamped to
   *   [50, 60000]; default 1000).
   */
  constructor(initialState: S, pollIntervalMs = 1000) {
    this._state = initialState;
    this.pollIntervalMs = pollIntervalMs;
  }

  /** Emitted with the new state after every change. */
  get stateChanged(): ISignal<this, S> {
    return this._stateChanged;
  }

  /** The current state (treat as read-only). */
  get state(): S {
    return this._state;
  }

  /** Delay between polls, in ms (clamped to [50, 60000]). */
  get pollIntervalMs(): number {
    return this._pollIntervalMs;
  }
  set pollIntervalMs(value: number) {
    this._pollIntervalMs = clampPollMs(value);
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
   * Run `start` unless a run is under way: a second call while one runs returns the same
   * promise.
   */
  protected _once(start: () => Promise<J | null>): Promise<J | null> {
    if (this._running) {
      return this._running;
    }
    const run = start().finally(() => {
      if (this._running === run) {
        this._running = null;
      }
    });
    this._running = run;
    return run;
  }

  /**
   * Poll with `next` while the job runs, putting every answer in `state.job`; stops (null) once
   * `generation` is retired or the model is disposed. Throws after three failed polls in a row.
   */
  protected _follow(
    generation: number,
    first: J,
    next: () => Promise<J>
  ): Promise<J | null> {
    return pollUntilDone(first, job => job.status === 'running', next, {
      intervalMs: () => this._pollIntervalMs,
      alive: () => generation === this._generation && !this._isDisposed,
      // S's `job` is J | null (the class's constraint): the patch is a Partial<S>.
      onUpdate: job => this._update({ job } as Partial<S>)
    });
  }

  /** Merge `patch` into the state and emit `stateChanged` (nothing once disposed). */
  protected _update(patch: Partial<S>): void {
    if (this._isDisposed) {
      return;
    }
    this._state = { ...this._state, ...patch };
    this._stateChanged.emit(this._state);
  }

  /** Bumped by every new run, target change and `dispose`: older answers are dropped. */
  protected _generation = 0;
  protected _state: S;
  private _pollIntervalMs = 1000;
  private _running: Promise<J | null> | null = null;
  private _isDisposed = false;
  private _stateChanged = new Signal<this, S>(this);
}
