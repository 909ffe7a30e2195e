import { nullTranslator } from '@jupyterlab/translation';
import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';
import { AdminSection, forgetAdminState } from '../components/AdminSection';
import { fakeServer, type Handler } from './fakeServer';
import { notIsolatedReport } from './reportFixture';

(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('sagemaker_isolation_ext');

function planFor(variant: string) {
  const report = notIsolatedReport();
  return {
    kind: 'sagemaker-isolation-plan',
    plan_hash: 'a'.repeat(64),
    account_id: '111122223333',
    region: 'us-east-1',
    domain: report.domain,
    variant,
    policy: {
      name: 'StudioDomainResourceIsolationPolicy-x',
      arn: 'arn:aws:iam::111122223333:policy/StudioDomainResourceIsolationPolicy-x',
      action: 'new-version',
      document: {},
      diff: ['--- current', '+++ planned', '+  "Effect": "Deny"'],
      exists: true
    },
    roles: (report.roles ?? []).map(r => ({
      arn: r.arn,
      name: r.name,
      used_by: r.used_by,
      selected: true,
      affected: true,
      verdict_before: r.verdict,
      verdict_after: 'isolated',
      attach: []
    })),
    steps: [
      {
        index: 0,
        op: 'create-policy-version',
        policy_name: 'StudioDomainResourceIsolationPolicy-x'
      }
    ],
    validation: {
      ok: true,
      checks: [
        { id: 'size', ok: true, detail: '323 of 6144' },
        { id: 'access-analyzer', ok: null, detail: 'not run: AccessDenied' }
      ]
    },
    recommendations: [],
    warnings: [],
    verdict_before: 'not_isolated',
    verdict_after: 'isolated'
  };
}

async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) {
    await act(async () => {
      await new Promise(r => setTimeout(r, 5));
    });
  }
}

describe('AdminSection', () => {
  let host: HTMLDivElement;
  let root: Root;
  beforeEach(() => {
    forgetAdminState();
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });
  afterEach(() => {
    act(() => root.unmount());
    host.remove();
  });

  function render(handlers: Record<string, Handler>, onChanged = () => {}) {
    const { settings, log } = fakeServer(handlers);
    act(() => {
      root.render(
        <AdminSection
          report={notIsolatedReport()}
          trans={trans}
          settings={settings}
          onChanged={onChanged}
          pollMs={1}
        />
      );
    });
    return log;
  }

  it('renders nothing when the server has admin actions off', async () => {
    const log = render({
      'GET version': () => ({ status: 200, body: { admin_enabled: false } })
    });
    await flush();
    expect(host.querySelector('[data-testid="jp-SMIso-admin"]')).toBeNull();
    expect(log.map(r => r.route)).toEqual(['version']);
  });

  it('previews, confirms, follows progress and reports the change', async () => {
    let polls = 0;
    const changed = jest.fn();
    const log = render(
      {
        'GET version': () => ({ status: 200, body: { admin_enabled: true } }),
        'GET admin/changes': req =>
          req.query.id
            ? {
                status: 200,
                body:
                  ++polls < 2
                    ? {
                        id: req.query.id,
                        kind: 'apply',
                        status: 'running',
                        steps: [{ index: 0, op: 'x', status: 'running' }]
                      }
                    : {
                        id: req.query.id,
                        kind: 'apply',
                        status: 'succeeded',
                        steps: [{ index: 0, op: 'x', status: 'done' }]
                      }
              }
            : { status: 200, body: { changes: [] } },
        'POST admin/plan': req => ({
          status: 200,
          body: planFor((req.body as { variant: string }).variant)
        }),
        'POST admin/apply': () => ({
          status: 202,
          body: { id: 'chg-20261201T070000Z-0a1b2c3d', status: 'running' }
        })
      },
      changed
    );
    await flush();
    const preview = host.querySelector(
      '[data-testid="jp-SMIso-admin-preview"]'
    ) as HTMLButtonElement;
    expect(preview).not.toBeNull();
    await act(async () => preview.click());
    await flush();
    const planReq = log.find(r => r.route === 'admin/plan');
    expect(planReq?.body).toEqual({
      variant: 'deny',
      domain_id: notIsolatedReport().domain.id,
      region: notIsolatedReport().domain.region
    });
    const after = host.querySelectorAll('[data-testid="jp-SMIso-admin-after"]');
    expect(after.length).toBe((notIsolatedReport().roles ?? []).length);
    expect(host.textContent).toContain('Policy diff');
    expect(host.textContent).toContain('n/a');
    // Apply needs a second, explicit confirmation.
    const applyBtn = host.querySelector(
      '[data-testid="jp-SMIso-admin-apply"]'
    ) as HTMLButtonElement;
    await act(async () => applyBtn.click());
    expect(log.some(r => r.route === 'admin/apply')).toBe(false);
    const confirm = host.querySelector(
      '[data-testid="jp-SMIso-admin-confirm"]'
    ) as HTMLButtonElement;
    await act(async () => confirm.click());
    await flush(10);
    const apply = log.find(r => r.route === 'admin/apply');
    expect(apply?.body).toEqual({ plan_hash: 'a'.repeat(64) });
    const result = host.querySelector('[data-testid="jp-SMIso-admin-result"]');
    expect(result?.getAttribute('data-status')).toBe('succeeded');
    expect(changed).toHaveBeenCalledTimes(1);
  });

  it('lists the Studio flows a plan would stop and confirms them by id on apply', async () => {
    const log = render({
      'GET version': () => ({ status: 200, body: { admin_enabled: true } }),
      'GET admin/changes': req =>
        req.query.id
          ? {
              status: 200,
              body: {
                id: req.query.id,
                kind: 'apply',
                status: 'succeeded',
                steps: []
              }
            }
          : { status: 200, body: { changes: [] } },
      'POST admin/plan': () => ({
        status: 200,
        body: {
          ...planFor('deny'),
          flows_breaking: [
            {
              role: 'arn:aws:iam::111122223333:role/R',
              role_name: 'SpaceRole',
              flows: [
                {
                  id: 'classic.start-kernel',
                  title: 'Start a kernel',
                  status_after: 'breaks'
                },
                {
                  id: 'studio.run-pipeline',
                  title: 'Run a pipeline',
                  status_after: 'depends'
                }
              ]
            }
          ]
        }
      }),
      'POST admin/apply': () => ({
        status: 202,
        body: { id: 'chg-20261201T070000Z-0a1b2c3d', status: 'running' }
      })
    });
    await flush();
    await act(async () =>
      (
        host.querySelector(
          '[data-testid="jp-SMIso-admin-preview"]'
        ) as HTMLButtonElement
      ).click()
    );
    await flush();
    expect(
      host.querySelector('[data-testid="jp-SMIso-admin-flows-breaking"]')
    ).toBeNull();
    await act(async () =>
      (
        host.querySelector(
          '[data-testid="jp-SMIso-admin-apply"]'
        ) as HTMLButtonElement
      ).click()
    );
    const listed = host.querySelector(
      '[data-testid="jp-SMIso-admin-flows-breaking"]'
    );
    expect(listed?.textContent).toContain('SpaceRole: Start a kernel');
    expect(listed?.textContent).toContain('classic.start-kernel');
    expect(listed?.textContent).toContain('depends');
    await act(async () =>
      (
        host.querySelector(
          '[data-testid="jp-SMIso-admin-confirm"]'
        ) as HTMLButtonElement
      ).click()
    );
    await flush(10);
    const apply = log.find(r => r.route === 'admin/apply');
    expect(apply?.body).toEqual({
      plan_hash: 'a'.repeat(64),
      allow_break: ['classic.start-kernel', 'studio.run-pipeline']
    });
  });

  it('offers the three template variants in words and sends the one picked', async () => {
    const log = render({
      'GET version': () => ({ status: 200, body: { admin_enabled: true } }),
      'GET admin/changes': () => ({ status: 200, body: { changes: [] } }),
      'POST admin/plan': req => ({
        status: 200,
        body: planFor((req.body as { variant: string }).variant)
      })
    });
    await flush();
    const radios = Array.from(
      host.querySelectorAll('input[name="jp-SMIso-admin-variant"]')
    ) as HTMLInputElement[];
    expect(radios.map(r => r.value)).toEqual(['deny', 'allow', 'aws-doc']);
    const labels = radios.map(r => r.parentElement?.textContent ?? '');
    expect(labels[0]).toContain('Deny variant');
    expect(labels[1]).toContain('Allow-only policy');
    expect(labels[2]).toContain('does not isolate alone');
    // no internal id shown as a label
    expect(labels.some(l => l.trim() === 'aws-doc')).toBe(false);
    await act(async () => radios[2].click());
    const preview = host.querySelector(
      '[data-testid="jp-SMIso-admin-preview"]'
    ) as HTMLButtonElement;
    await act(async () => preview.click());
    await flush();
    const planReq = log.find(r => r.route === 'admin/plan');
    expect((planReq?.body as { variant: string }).variant).toBe('aws-doc');
  });

  it('shows the server error of a refused plan', async () => {
    render({
      'GET version': () => ({ status: 200, body: { admin_enabled: true } }),
      'GET admin/changes': () => ({ status: 200, body: { changes: [] } }),
      'POST admin/plan': () => ({
        status: 502,
        body: { message: 'Domain d-x not found', reason: 'domain-not-found' }
      })
    });
    await flush();
    const preview = host.querySelector(
      '[data-testid="jp-SMIso-admin-preview"]'
    ) as HTMLButtonElement;
    await act(async () => preview.click());
    await flush();
    expect(host.querySelector('[role="alert"]')?.textContent).toContain(
      'Domain d-x not found'
    );
  });

  it('keeps the result when the panel remounts it (re-check after apply)', async () => {
    const handlers: Record<string, Handler> = {
      'GET version': () => ({ status: 200, body: { admin_enabled: true } }),
      'GET admin/changes': req =>
        req.query.id
          ? {
              status: 200,
              body: {
                id: req.query.id,
                kind: 'apply',
                status: 'succeeded',
                steps: [{ index: 0, op: 'x', status: 'done' }]
              }
            }
          : { status: 200, body: { changes: [] } },
      'POST admin/plan': () => ({ status: 200, body: planFor('deny') }),
      'POST admin/apply': () => ({
        status: 202,
        body: { id: 'chg-20261201T070000Z-0a1b2c3d', status: 'running' }
      })
    };
    render(handlers);
    await flush();
    const click = async (id: string) => {
      const el = host.querySelector(`[data-testid="${id}"]`) as HTMLElement;
      await act(async () => el.click());
      await flush();
    };
    await click('jp-SMIso-admin-preview');
    await click('jp-SMIso-admin-apply');
    await click('jp-SMIso-admin-confirm');
    await flush(5);
    act(() => root.unmount());
    root = createRoot(host);
    render(handlers);
    await flush();
    const result = host.querySelector('[data-testid="jp-SMIso-admin-result"]');
    expect(result?.getAttribute('data-status')).toBe('succeeded');
  });
});
