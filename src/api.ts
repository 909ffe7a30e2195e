/**
 * The HTTP layer of the server extension's REST routes (docs/ARCHITECTURE.md §6): `requestAPI`,
 * `ApiError` and the typed clients the models in `model.ts` use. The JSON shapes are in
 * `tokens.ts`.
 *
 * Every route lives under `<baseUrl>/sagemaker-isolation/`. Errors come back as HTTP 4xx/5xx with a
 * JSON body `{"message": str, "reason": str}`; `requestAPI` turns them into an `ApiError`.
 * Every call takes the app's `serviceManager.serverSettings` (no settings are made here).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type { IErrorInfo } from './tokens';

/** URL namespace of the server extension (a path segment under the server's base URL). */
export const API_NAMESPACE = 'sagemaker-isolation';

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
 * @param settings - the server connection settings (the app's `serviceManager.serverSettings`).
 * @returns the parsed JSON body (`T`), or `null` for an empty body.
 * @throws ApiError with the server's `{message, reason}` for a 4xx/5xx answer, `status` 0 and
 *   reason `network-error` when the server cannot be reached, reason `invalid-json` when the body
 *   is not JSON.
 */
export async function requestAPI<T>(
  endpoint: string,
  init: RequestInit,
  settings: ServerConnection.ISettings
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
