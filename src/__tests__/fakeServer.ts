/**
 * A fake server extension for unit tests: a `fetch` that answers the documented routes from a
 * table of handlers and records every request (method, path, query, body).
 */
import { ServerConnection } from '@jupyterlab/services';

export interface IRecordedRequest {
  method: string;
  route: string;
  query: Record<string, string>;
  body: unknown;
}

export type Handler = (
  req: IRecordedRequest
) => { status: number; body?: unknown; raw?: string } | Error;

export const BASE_URL = 'http://localhost:8888/lab-base/';

/** Settings whose fetch dispatches `METHOD route` to `handlers`; the log records every call. */
export function fakeServer(handlers: Record<string, Handler>): {
  settings: ServerConnection.ISettings;
  log: IRecordedRequest[];
} {
  const log: IRecordedRequest[] = [];
  const fetchImpl = async (input: RequestInfo | URL): Promise<Response> => {
    const request = input as Request;
    const url = new URL(request.url);
    const prefix = new URL(BASE_URL).pathname + 'sagemaker-isolation/';
    if (!url.pathname.startsWith(prefix)) {
      return new Response('not found', { status: 404 });
    }
    const text = await request.text();
    const rec: IRecordedRequest = {
      method: request.method,
      route: url.pathname.slice(prefix.length),
      // ServerConnection appends a `<timestamp>=` cache buster to GETs: not part of the query.
      query: Object.fromEntries(
        [...url.searchParams.entries()].filter(
          ([k, v]) => !(/^\d+$/.test(k) && v === '')
        )
      ),
      body: text ? JSON.parse(text) : null
    };
    log.push(rec);
    const handler = handlers[`${rec.method} ${rec.route}`];
    if (!handler) {
      return new Response(
        JSON.stringify({ message: 'Not Found', reason: 'Not Found' }),
        {
          status: 404
        }
      );
    }
    const answer = handler(rec);
    if (answer instanceof Error) {
      throw answer;
    }
    const out =
      answer.raw ??
      (answer.body === undefined ? '' : JSON.stringify(answer.body));
    return new Response(out, {
      status: answer.status,
      headers: { 'Content-Type': 'application/json' }
    });
  };
  const settings = ServerConnection.makeSettings({
    baseUrl: BASE_URL,
    wsUrl: 'ws://localhost:8888/lab-base/',
    fetch: fetchImpl as typeof fetch
  });
  return { settings, log };
}

/**
 * Resolve once `cond()` holds, checking every `stepMs` (real timers); reject after `timeoutMs`.
 *
 * Tests wait for the state they assert instead of sleeping a fixed time: a loaded machine
 * answers later, never differently. The bound is a hang guard (jest's testTimeout is larger).
 */
export async function until(
  cond: () => boolean,
  timeoutMs = 8000,
  stepMs = 5
): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`condition not met in ${timeoutMs} ms`);
    }
    await new Promise(r => setTimeout(r, stepMs));
  }
}
