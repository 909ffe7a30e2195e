/**
 * Shared scaffolding of the component specs: React's act() environment, the translator, a host
 * element with a React root per test, and helpers to let effects and fake fetches settle.
 */
import { nullTranslator } from '@jupyterlab/translation';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';
import type { IModelState } from '../tokens';
import { jobStatus, notIsolatedReport } from './reportFixture';

// React 18: tell React this is a test environment so act() works.
(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

/** The translation bundle the components get (English, no catalog). */
export const trans = nullTranslator.load('sagemaker_isolation_ext');

/** A host element with a React root, fresh for each test. */
export interface IMount {
  /** The element the components render into. */
  readonly host: HTMLDivElement;
  /** Render `element` into the host (inside act()). */
  render(element: React.ReactElement): void;
  /** Unmount, then start a new root on the same host (a remount by the panel). */
  remount(): void;
}

/** Register `beforeEach` / `afterEach` hooks that create and remove the host and its root. */
export function mountPerTest(): IMount {
  let host: HTMLDivElement;
  let root: Root;
  beforeEach(() => {
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });
  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });
  return {
    get host() {
      return host;
    },
    render(element: React.ReactElement) {
      act(() => root.render(element));
    },
    remount() {
      act(() => root.unmount());
      root = createRoot(host);
    }
  };
}

/** Let effects, timers and fake fetches settle: `times` rounds of `ms` ms inside act(). */
export async function flush(times = 5, ms = 5): Promise<void> {
  for (let i = 0; i < times; i++) {
    await act(async () => {
      await new Promise(r => setTimeout(r, ms));
    });
  }
}

/** Wait (settling as `flush` does) until `cond` holds; throws after `timeoutMs`. */
export async function waitFor(
  cond: () => boolean,
  timeoutMs = 8000
): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error('condition not met in time');
    }
    await act(() => new Promise<void>(r => setTimeout(r, 50)));
  }
}

/** A panel state after the handshake, with the context's domain and `job` (default none). */
export function okState(job: IModelState['job'] = null): IModelState {
  return {
    server: { status: 'ok', serverVersion: '0.1.0' },
    context: {
      domain_id: 'd-research0001',
      region: 'us-east-1',
      source: 'config',
      detail: 'x'
    },
    target: {},
    targetSource: null,
    job,
    requestError: null,
    checking: false
  };
}

/** `okState` with a finished check of `report` (default: the not-isolated fixture). */
export function readyState(report = notIsolatedReport()): IModelState {
  return okState(jobStatus({ status: 'ready', report }));
}
