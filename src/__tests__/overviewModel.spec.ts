import {
  buildMatrix,
  cellLevel,
  overallVerdict,
  rankedFixes
} from '../overview/matrix';
import {
  cleanRequest,
  DomainReportModel,
  IOverviewState,
  OverviewModel,
  OverviewView,
  overviewView,
  splitList
} from '../overview/OverviewModel';
import type { IOverviewStatus } from '../tokens';
import { fakeServer, Handler, until } from './fakeServer';
import { notIsolatedReport } from './reportFixture';
import {
  A,
  B,
  demoFixes,
  demoOverview,
  emptyStatus,
  readyStatus,
  EU,
  OTHER,
  PROD,
  RESEARCH
} from './overviewFixture';

describe('buildMatrix', () => {
  const m = buildMatrix(demoOverview());

  it('orders domains by account, Region, then name, and groups them', () => {
    expect(m.domains.map(d => d.label)).toEqual([
      'eu-analytics',
      'prod',
      'research',
      'partner'
    ]);
    expect(
      m.groups.map(g => [g.account_id, g.region, g.domains.length])
    ).toEqual([
      [A, 'eu-west-1', 1],
      [A, 'us-east-1', 2],
      [B, 'us-east-1', 1],
      ['777788889999', null, 0]
    ]);
    expect(m.groups[3].errors[0].code).toBe('AccessDenied');
  });

  it('puts each reach in its cell and "*" in its own last column', () => {
    const research = m.domains.find(d => d.domain.arn === RESEARCH)!;
    const prod = m.domains.find(d => d.domain.arn === PROD)!;
    const row = m.cells[research.index];
    expect(row).toHaveLength(m.domains.length + 1);
    expect(row[prod.index].actions).toBe(12);
    expect(row[prod.index].level).toBe(2);
    const star = row[row.length - 1];
    expect(star.to).toBeNull();
    expect(star.actions).toBe(140);
    expect(star.level).toBe(4);
    // "*" is not added to the named columns.
    expect(row.filter(c => c.to).reduce((n, c) => n + c.actions, 0)).toBe(12);
    expect(row[research.index].self).toBe(true);
    // A domain that reaches nothing has zeros everywhere.
    const eu = m.domains.find(d => d.domain.arn === EU)!;
    expect(m.cells[eu.index].every(c => c.actions === 0)).toBe(true);
    // Only cells within one account and Region are computed (and "*", and any the server sent).
    expect(row[prod.index].computed).toBe(true);
    expect(row[eu.index].computed).toBe(false);
    expect(star.computed).toBe(true);
    const other = m.domains.find(d => d.domain.arn === OTHER)!;
    expect(row[other.index].computed).toBe(false);
  });

  it('keeps reach entries naming unknown domains apart instead of dropping them', () => {
    const o = demoOverview();
    o.reach.push({
      from: OTHER,
      to: 'arn:aws:sagemaker:us-east-1:1:domain/d-gone',
      actions: 1,
      examples: []
    });
    expect(buildMatrix(o).stray).toHaveLength(1);
  });

  it('names a domain by its id when the name repeats or is missing', () => {
    const o = demoOverview();
    o.domains[0].name = 'research';
    o.domains[2].name = null;
    const labels = buildMatrix(o).domains.map(d => d.label);
    expect(labels).toContain('research (d-prod00000001)');
    expect(labels).toContain('research (d-research0001)');
    expect(labels).toContain('d-eu0000000001');
  });

  it('counts verdicts and errors', () => {
    expect(m.counts).toEqual({
      domains: 4,
      isolated: 2,
      not_isolated: 1,
      unknown: 1,
      errors: 1
    });
  });
});

describe('cellLevel, overallVerdict, rankedFixes', () => {
  it('buckets counts', () => {
    expect([0, 1, 4, 5, 19, 20, 99, 100].map(cellLevel)).toEqual([
      0, 1, 1, 2, 2, 3, 3, 4
    ]);
  });

  it('is not isolated if any domain is; unknown for a failed account; null when empty', () => {
    const o = demoOverview();
    expect(overallVerdict(o)).toBe('not_isolated');
    o.domains = o.domains.filter(d => d.verdict === 'isolated');
    expect(overallVerdict(o)).toBe('unknown');
    o.errors = [];
    expect(overallVerdict(o)).toBe('isolated');
    expect(overallVerdict({ domains: [], reach: [], errors: [] })).toBeNull();
  });

  it('lists the fix that closes most findings first', () => {
    expect(rankedFixes(demoFixes()).map(f => f.closes)).toEqual([7, 2]);
    expect(rankedFixes(null)).toEqual([]);
  });
});

describe('cleanRequest and splitList', () => {
  it('drops blanks and false flags', () => {
    expect(
      cleanRequest({
        regions: [' us-east-1 ', ''],
        accounts: [],
        all_regions: false,
        org: false,
        assume_role: '  ',
        refresh: true
      })
    ).toEqual({ regions: ['us-east-1'], refresh: true });
    expect(splitList('us-east-1, eu-west-1\nap-south-1  ')).toEqual([
      'us-east-1',
      'eu-west-1',
      'ap-south-1'
    ]);
  });
});

function running(done: number): IOverviewStatus {
  return {
    ...emptyStatus('running'),
    progress: { stage: 'analysis', done, total: 4 }
  };
}

function makeModel(handlers: Record<string, Handler>) {
  const server = fakeServer(handlers);
  const model = new OverviewModel({
    serverSettings: server.settings,
    pollIntervalMs: 50
  });
  const views: OverviewView[] = [];
  model.stateChanged.connect((_, state: IOverviewState) => {
    const v = overviewView(state);
    if (views[views.length - 1] !== v) {
      views.push(v);
    }
  });
  return { model, log: server.log, views };
}

describe('OverviewModel', () => {
  it('starts a job when the server has none, polls with progress until ready', async () => {
    let polls = 0;
    const { model, log, views } = makeModel({
      'GET overview': () => {
        if (!log.some(r => r.method === 'POST')) {
          return { status: 200, body: { status: 'none' } };
        }
        polls++;
        return polls < 3
          ? { status: 200, body: running(polls) }
          : { status: 200, body: readyStatus() };
      },
      'POST overview': () => ({ status: 202, body: running(0) })
    });
    const progress: number[] = [];
    model.stateChanged.connect((_, s) => {
      if (s.job?.progress) {
        progress.push(s.job.progress.done);
      }
    });
    await model.initialize(true);
    expect(model.view).toBe('ready');
    expect(views).toEqual(['idle', 'running', 'ready']);
    expect(progress).toEqual(expect.arrayContaining([0, 1, 2]));
    expect(log.filter(r => r.method === 'POST')).toHaveLength(1);
    expect(log.find(r => r.method === 'POST')!.body).toEqual({});
    expect(model.matrix?.domains).toHaveLength(4);
    expect(model.matrix).toBe(model.matrix); // computed once per overview
    expect(model.domain(RESEARCH)?.name).toBe('research');
    // "Do this next" comes beside the overview, most findings closed first.
    expect(model.fixes.map(f => f.closes)).toEqual([7, 2]);
    expect(model.otherAccountsEnabled).toBe(false);
  });

  it('shows the last job without starting one (GET only)', async () => {
    const { model, log } = makeModel({
      'GET overview': () => ({ status: 200, body: readyStatus() })
    });
    await model.initialize(true);
    expect(model.view).toBe('ready');
    expect(log.map(r => r.method)).toEqual(['GET']);
  });

  it('says "empty" when no domain and no failure came back', async () => {
    const { model } = makeModel({
      'GET overview': () => ({
        status: 200,
        body: {
          status: 'ready',
          overview: { domains: [], reach: [], errors: [], fixes: [] }
        }
      })
    });
    await model.fetchStatus();
    expect(model.view).toBe('empty');
  });

  it('shows the server refusing other accounts, with its words', async () => {
    const { model, log } = makeModel({
      'POST overview': () => ({
        status: 403,
        body: {
          message:
            'entering other accounts (accounts, org) is off on this server',
          reason: 'other-accounts-disabled'
        }
      })
    });
    const job = await model.start({ accounts: ['444455556666'] });
    expect(job).toBeNull();
    expect(model.view).toBe('error');
    expect(model.state.requestError).toEqual({
      message: 'entering other accounts (accounts, org) is off on this server',
      reason: 'other-accounts-disabled'
    });
    expect(log[0].body).toEqual({ accounts: ['444455556666'] });
  });

  it('ends in error when the job fails, never showing an older overview', async () => {
    const { model } = makeModel({
      'POST overview': () => ({ status: 202, body: running(0) }),
      'GET overview': () => ({
        status: 200,
        body: {
          status: 'error',
          overview: null,
          error: { message: 'no AWS credentials', reason: 'no-credentials' }
        }
      })
    });
    await model.start({ refresh: true });
    expect(model.view).toBe('error');
    expect(model.overview).toBeNull();
  });

  it('says unavailable when the server extension has no overview route', async () => {
    const { model } = makeModel({});
    await model.initialize(true);
    expect(model.view).toBe('unavailable');
  });

  it('joins a running start instead of starting twice', async () => {
    const { model, log } = makeModel({
      'POST overview': () => ({ status: 202, body: readyStatus() })
    });
    await Promise.all([model.start({}), model.start({})]);
    expect(log.filter(r => r.method === 'POST')).toHaveLength(1);
  });

  it('stops a running job (DELETE) and then offers to start again', async () => {
    let cancelled = false;
    const { model, log } = makeModel({
      'POST overview': () => ({ status: 202, body: running(0) }),
      'GET overview': () => ({
        status: 200,
        body: cancelled ? { status: 'cancelled' } : running(1)
      }),
      'DELETE overview': () => {
        cancelled = true;
        return { status: 200, body: { status: 'cancelled' } };
      }
    });
    const run = model.start({});
    // the server has answered the start (a job to stop), however long that takes
    await until(() => model.state.job?.status === 'running');
    expect(model.view).toBe('running');
    await model.cancel();
    await run;
    expect(model.state.job?.status).toBe('cancelled');
    expect(model.view).toBe('idle');
    expect(log.some(r => r.method === 'DELETE')).toBe(true);
  });

  it('loads one domain’s full report from the latest overview', async () => {
    const { model, log } = makeModel({
      'GET overview/report': req =>
        req.query.domain_arn === RESEARCH
          ? { status: 200, body: notIsolatedReport() }
          : {
              status: 404,
              body: {
                message: 'not in the overview',
                reason: 'not-in-overview'
              }
            }
    });
    const ok = new DomainReportModel(model.client, demoOverview().domains[1]);
    await ok.load();
    expect(ok.state.status).toBe('ready');
    expect(ok.state.report?.verdict).toBe('not_isolated');
    expect(log[0].query).toEqual({ domain_arn: RESEARCH });
    const gone = new DomainReportModel(model.client, demoOverview().domains[0]);
    await gone.load();
    expect(gone.state.status).toBe('error');
    expect(gone.state.error?.reason).toBe('not-in-overview');
  });

  it('selects and clears a cell', () => {
    const { model } = makeModel({});
    const seen: unknown[] = [];
    model.stateChanged.connect((_, s) => seen.push(s.selected));
    model.select({ from: RESEARCH, to: PROD });
    model.select({ from: RESEARCH, to: PROD }); // same cell: no change
    model.select(null);
    expect(seen).toEqual([{ from: RESEARCH, to: PROD }, null]);
  });
});
