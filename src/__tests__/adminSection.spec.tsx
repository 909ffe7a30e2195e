import React, { act } from 'react';
import { AdminSection } from '../components/AdminSection';
import { AdminModel } from '../model';
import { fakeServer, type Handler } from './fakeServer';
import { flush, mountPerTest, trans } from './mount';
import { notIsolatedReport } from './reportFixture';

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

describe('AdminSection', () => {
  const mount = mountPerTest();
  const q = (sel: string) => mount.host.querySelector(sel) as HTMLElement;

  /**
   * Mount the section on a model of the fake server. `enabled` is what the handshake said
   * (`IsolationModel.probe` sets it); `changed` listens to `changeFinished`.
   */
  function render(
    handlers: Record<string, Handler>,
    changed: (domainId: string) => void = () => {},
    enabled = true
  ) {
    const { settings, log } = fakeServer(handlers);
    const model = new AdminModel({ serverSettings: settings, pollMs: 1 });
    model.setEnabled(enabled);
    model.changeFinished.connect((_, id) => changed(id));
    show(model);
    return { log, model };
  }

  function show(model: AdminModel) {
    mount.render(
      <AdminSection report={notIsolatedReport()} model={model} trans={trans} />
    );
  }

  it('renders nothing and asks nothing when the server has admin actions off', async () => {
    const { log } = render({}, () => {}, false);
    await flush();
    expect(q('[data-testid="jp-SMIso-admin"]')).toBeNull();
    expect(log).toEqual([]);
  });

  it('previews, confirms, follows progress and reports the change', async () => {
    let polls = 0;
    const changed = jest.fn();
    const { log } = render(
      {
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
    const preview = mount.host.querySelector(
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
    const after = mount.host.querySelectorAll(
      '[data-testid="jp-SMIso-admin-after"]'
    );
    expect(after.length).toBe((notIsolatedReport().roles ?? []).length);
    expect(mount.host.textContent).toContain('Policy diff');
    expect(mount.host.textContent).toContain('n/a');
    // Apply needs a second, explicit confirmation.
    const applyBtn = mount.host.querySelector(
      '[data-testid="jp-SMIso-admin-apply"]'
    ) as HTMLButtonElement;
    await act(async () => applyBtn.click());
    expect(log.some(r => r.route === 'admin/apply')).toBe(false);
    const confirm = mount.host.querySelector(
      '[data-testid="jp-SMIso-admin-confirm"]'
    ) as HTMLButtonElement;
    await act(async () => confirm.click());
    await flush(10);
    const apply = log.find(r => r.route === 'admin/apply');
    expect(apply?.body).toEqual({ plan_hash: 'a'.repeat(64) });
    const result = mount.host.querySelector(
      '[data-testid="jp-SMIso-admin-result"]'
    );
    expect(result?.getAttribute('data-status')).toBe('succeeded');
    expect(changed).toHaveBeenCalledTimes(1);
    expect(changed).toHaveBeenCalledWith(notIsolatedReport().domain.id);
  });

  it('offers the three template variants in words and sends the one picked', async () => {
    const { log } = render({
      'GET admin/changes': () => ({ status: 200, body: { changes: [] } }),
      'POST admin/plan': req => ({
        status: 200,
        body: planFor((req.body as { variant: string }).variant)
      })
    });
    await flush();
    const radios = Array.from(
      mount.host.querySelectorAll('input[name="jp-SMIso-admin-variant"]')
    ) as HTMLInputElement[];
    expect(radios.map(r => r.value)).toEqual(['deny', 'allow', 'aws-doc']);
    const labels = radios.map(r => r.parentElement?.textContent ?? '');
    expect(labels[0]).toContain('Deny variant');
    expect(labels[1]).toContain('Allow-only policy');
    expect(labels[2]).toContain('does not isolate alone');
    // no internal id shown as a label
    expect(labels.some(l => l.trim() === 'aws-doc')).toBe(false);
    await act(async () => radios[2].click());
    const preview = mount.host.querySelector(
      '[data-testid="jp-SMIso-admin-preview"]'
    ) as HTMLButtonElement;
    await act(async () => preview.click());
    await flush();
    const planReq = log.find(r => r.route === 'admin/plan');
    expect((planReq?.body as { variant: string }).variant).toBe('aws-doc');
  });

  it('shows the server error of a refused plan', async () => {
    render({
      'GET admin/changes': () => ({ status: 200, body: { changes: [] } }),
      'POST admin/plan': () => ({
        status: 502,
        body: { message: 'Domain d-x not found', reason: 'domain-not-found' }
      })
    });
    await flush();
    const preview = mount.host.querySelector(
      '[data-testid="jp-SMIso-admin-preview"]'
    ) as HTMLButtonElement;
    await act(async () => preview.click());
    await flush();
    expect(mount.host.querySelector('[role="alert"]')?.textContent).toContain(
      'Domain d-x not found'
    );
  });

  it('keeps the result when the panel remounts it (re-check after apply)', async () => {
    const handlers: Record<string, Handler> = {
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
    const { model } = render(handlers);
    await flush();
    const click = async (id: string) => {
      const el = mount.host.querySelector(
        `[data-testid="${id}"]`
      ) as HTMLElement;
      await act(async () => el.click());
      await flush();
    };
    await click('jp-SMIso-admin-preview');
    await click('jp-SMIso-admin-apply');
    await click('jp-SMIso-admin-confirm');
    await flush(5);
    mount.remount();
    show(model);
    await flush();
    const result = mount.host.querySelector(
      '[data-testid="jp-SMIso-admin-result"]'
    );
    expect(result?.getAttribute('data-status')).toBe('succeeded');
  });
});
