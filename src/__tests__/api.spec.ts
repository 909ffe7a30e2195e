import { ApiError, queryString, requestAPI } from '../api';
import { fakeServer } from './fakeServer';

/** The ApiError a call rejects with (fails the test if it resolves or throws something else). */
async function apiError(p: Promise<unknown>): Promise<ApiError> {
  const error = await p.then(
    () => null,
    e => e
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('requestAPI', () => {
  it('joins the base URL and the namespace, and parses JSON', async () => {
    const { settings, log } = fakeServer({
      'GET version': () => ({ status: 200, body: { version: '0.1.0' } })
    });
    const info = await requestAPI<{ version: string }>('version', {}, settings);
    expect(info.version).toBe('0.1.0');
    expect(log).toHaveLength(1);
    expect(log[0].route).toBe('version');
  });

  it('sends the query string and the JSON body', async () => {
    const { settings, log } = fakeServer({
      'POST report': req => ({
        status: 202,
        body: { status: 'running', echo: req.body }
      })
    });
    const answer = await requestAPI<{ echo: unknown }>(
      `report${queryString({ a: 'x y' })}`,
      { method: 'POST', body: JSON.stringify({ refresh: true }) },
      settings
    );
    expect(answer.echo).toEqual({ refresh: true });
    expect(log[0].query).toEqual({ a: 'x y' });
  });

  it('turns {message, reason} into an ApiError', async () => {
    const { settings } = fakeServer({
      'GET templates': () => ({
        status: 400,
        body: { message: 'domain_arn is required', reason: 'bad-request' }
      })
    });
    const error = await apiError(requestAPI('templates', {}, settings));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('domain_arn is required');
    expect(error.reason).toBe('bad-request');
  });

  it('explains an error without a JSON body', async () => {
    const { settings } = fakeServer({ 'GET context': () => ({ status: 502 }) });
    const error = await apiError(requestAPI('context', {}, settings));
    expect(error.status).toBe(502);
    expect(error.reason).toBe('http-502');
    expect(error.message).toContain('502');
  });

  it('reports a network failure as status 0', async () => {
    const { settings } = fakeServer({
      'GET version': () => new TypeError('Failed to fetch')
    });
    const error = await apiError(requestAPI('version', {}, settings));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
    expect(error.reason).toBe('network-error');
  });

  it('rejects a 200 answer that is not JSON, and reads an empty body as null', async () => {
    const { settings } = fakeServer({
      'GET version': () => ({ status: 200, raw: '<html>login</html>' }),
      'GET context': () => ({ status: 200, raw: '' })
    });
    const error = await apiError(requestAPI('version', {}, settings));
    expect(error.reason).toBe('invalid-json');
    await expect(requestAPI('context', {}, settings)).resolves.toBeNull();
  });
});

describe('queryString', () => {
  it('drops empty values and encodes the rest', () => {
    expect(
      queryString({ domain_id: 'd-1', region: '', profile: undefined })
    ).toBe('?domain_id=d-1');
    expect(queryString({ q: 'a&b' })).toBe('?q=a%26b');
    expect(queryString({})).toBe('');
  });
});
