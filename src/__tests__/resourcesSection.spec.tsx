import React, { act } from 'react';
import { ResourcesSection } from '../components/ResourcesSection';
import { TagScanModel } from '../model';
import { fakeServer, type Handler } from './fakeServer';
import { flush, mountPerTest, trans, waitFor } from './mount';

const DOMAIN = 'd-research1';
const DOMAIN_ARN = `arn:aws:sagemaker:us-east-1:111122223333:domain/${DOMAIN}`;
const ARN = (t: string) => `arn:aws:sagemaker:us-east-1:111122223333:${t}`;

function scanResult() {
  return {
    domain: { id: DOMAIN, arn: DOMAIN_ARN, name: 'research' },
    summary: {
      this_domain: 5,
      other_domain: 1,
      untagged: 3,
      stale_domain: 0,
      never_tagged_by_design: 1
    },
    by_type: {
      'training-job': {
        this_domain: 5,
        other_domain: 1,
        untagged: 2,
        stale_domain: 0,
        never_tagged_by_design: 0
      },
      space: {
        this_domain: 0,
        other_domain: 0,
        untagged: 1,
        stale_domain: 0,
        never_tagged_by_design: 0
      }
    },
    resources: [
      {
        arn: ARN('space/d-research1/team'),
        type: 'space',
        class: 'untagged',
        domain_tag: null,
        creator: null,
        proposal: {
          domain_arn: DOMAIN_ARN,
          domain_id: DOMAIN,
          reason: 'the resource ARN names domain research',
          evidence: 'arn',
          confidence: 'high'
        }
      },
      {
        arn: ARN('training-job/t1'),
        type: 'training-job',
        class: 'untagged',
        domain_tag: null,
        creator: null,
        proposal: {
          domain_arn: DOMAIN_ARN,
          domain_id: DOMAIN,
          reason: 'its execution role R is used by domain research only',
          evidence: 'role',
          confidence: 'medium'
        }
      },
      {
        arn: ARN('training-job/nobody'),
        type: 'training-job',
        class: 'untagged',
        domain_tag: null,
        creator: null,
        proposal: {
          domain_arn: null,
          domain_id: null,
          reason: 'no evidence points to a domain',
          evidence: 'none',
          confidence: null
        }
      },
      {
        arn: ARN('training-job/prod-job'),
        type: 'training-job',
        class: 'other_domain',
        domain_tag: ARN('domain/d-prod1'),
        creator: null,
        other_domain: 'prod'
      }
    ],
    types_covered: { 'training-job': 8, space: 1 },
    types_not_covered: { 'image-version': 'no List* call' },
    api_calls: { total: 12, by_operation: {} }
  };
}

describe('ResourcesSection', () => {
  const mount = mountPerTest();

  function render(
    handlers: Record<string, Handler>,
    adminEnabled: boolean,
    pollMs = 1
  ) {
    const { settings, log } = fakeServer(handlers);
    const model = new TagScanModel({ serverSettings: settings, pollMs });
    mount.render(
      <ResourcesSection
        domainId={DOMAIN}
        region="us-east-1"
        model={model}
        adminEnabled={adminEnabled}
        trans={trans}
      />
    );
    return log;
  }

  const q = (sel: string) => mount.host.querySelector(sel) as HTMLElement;

  it('scans with progress, then shows counts, bars and the problem table', async () => {
    // The server says "none" before the POST, then "running" until the test has seen the
    // progress line, then "ready": the running state cannot be skipped however late the
    // machine answers.
    let posted = false;
    let seenProgress = false;
    const log = render(
      {
        'GET tag-scan': () => ({
          status: 200,
          body: !seenProgress
            ? {
                status: posted ? 'running' : 'none',
                progress: {
                  region: 'us-east-1',
                  stage: 'training-job',
                  pages: 3,
                  resources: 250,
                  api_calls: 7
                },
                result: null,
                error: null
              }
            : {
                status: 'ready',
                progress: null,
                result: scanResult(),
                error: null
              }
        }),
        'POST tag-scan': () => {
          posted = true;
          return {
            status: 202,
            body: {
              status: 'running',
              progress: {
                region: 'us-east-1',
                stage: 'domains',
                pages: 0,
                resources: 0,
                api_calls: 0
              },
              result: null,
              error: null
            }
          };
        }
      },
      false,
      40
    );
    await flush(2);
    act(() => q('[data-testid="jp-SMIso-tag-scan"]').click());
    // the progress line shows while the scan runs, before the counts
    await waitFor(() => q('[data-testid="jp-SMIso-tag-progress"]') !== null);
    expect(q('[data-testid="jp-SMIso-tag-count-untagged"]')).toBeNull();
    expect(q('[data-testid="jp-SMIso-tag-progress"]').textContent).toMatch(
      /pages, .* resources, .* API calls/
    );
    seenProgress = true;
    await waitFor(
      () => q('[data-testid="jp-SMIso-tag-count-untagged"]') !== null
    );
    expect(
      q('[data-testid="jp-SMIso-tag-count-untagged"]').textContent
    ).toContain('3');
    expect(
      q('[data-testid="jp-SMIso-tag-count-this_domain"]').textContent
    ).toContain('5');
    expect(mount.host.querySelectorAll('.jp-SMIso-tag-type').length).toBe(2);
    const post = log.find(r => r.method === 'POST' && r.route === 'tag-scan');
    expect(post?.body).toEqual({
      domain_id: DOMAIN,
      region: 'us-east-1',
      refresh: false
    });
    const rows = mount.host.querySelectorAll(
      '[data-testid="jp-SMIso-tag-table"] tbody tr'
    );
    expect(rows.length).toBe(4);
    // Only the high-confidence proposal starts checked; no checkbox without a proposal.
    const boxes = mount.host.querySelectorAll<HTMLInputElement>(
      'tbody input[type="checkbox"]'
    );
    expect(boxes.length).toBe(2);
    expect([...boxes].map(b => b.checked)).toEqual([true, false]);
  });

  it('filters and searches', async () => {
    render(
      {
        'GET tag-scan': () => ({
          status: 200,
          body: {
            status: 'ready',
            progress: null,
            result: scanResult(),
            error: null
          }
        })
      },
      false
    );
    await flush();
    const select = q('select') as HTMLSelectElement;
    act(() => {
      select.value = 'other_domain';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(mount.host.querySelectorAll('tbody tr').length).toBe(1);
    expect(q('tbody tr').textContent).toContain('prod');
  });

  it('previews a backfill without admin, and applies and rolls back with it', async () => {
    const log = render(
      {
        'GET tag-scan': () => ({
          status: 200,
          body: {
            status: 'ready',
            progress: null,
            result: scanResult(),
            error: null
          }
        }),
        'POST tag-plan': req => ({
          status: 200,
          body: {
            schema_version: 1,
            kind: 'sagemaker-isolation/tag-backfill-plan',
            domain: { id: DOMAIN, arn: DOMAIN_ARN },
            items: (req.body as { arns: string[] }).arns.map(a => ({
              arn: a,
              tags: { 'sagemaker:domain-arn': DOMAIN_ARN },
              reason: 'r',
              confidence: 'high',
              selected: true
            }))
          }
        }),
        'POST tag-backfill': () => ({
          status: 200,
          body: {
            dry_run: false,
            change_id: 'chg-20261201T070000Z-0123abcd',
            status: 'succeeded',
            items: [{ arn: ARN('space/d-research1/team'), status: 'tagged' }],
            counts: { tagged: 1 }
          }
        }),
        'POST tag-rollback': () => ({
          status: 200,
          body: {
            dry_run: false,
            change_id: 'chg-20261201T070100Z-0123abce',
            rollback_of: 'chg-20261201T070000Z-0123abcd',
            status: 'succeeded',
            items: [{ arn: ARN('space/d-research1/team'), status: 'untagged' }],
            counts: { untagged: 1 }
          }
        })
      },
      true
    );
    await flush();
    act(() => q('[data-testid="jp-SMIso-tag-preview-button"]').click());
    await flush();
    const plan = log.find(r => r.route === 'tag-plan');
    expect((plan?.body as { arns: string[] }).arns).toEqual([
      ARN('space/d-research1/team')
    ]);
    expect(q('[data-testid="jp-SMIso-tag-preview"]').textContent).toContain(
      '+ sagemaker:domain-arn='
    );
    act(() => q('[data-testid="jp-SMIso-tag-apply"]').click());
    await flush();
    const backfill = log.find(r => r.route === 'tag-backfill');
    expect((backfill?.body as { dry_run: boolean }).dry_run).toBe(false);
    expect(q('[data-testid="jp-SMIso-tag-result"]').textContent).toContain(
      'succeeded'
    );
    const rollbackButton = [...mount.host.querySelectorAll('button')].find(b =>
      b.textContent?.includes('Roll back')
    ) as HTMLButtonElement;
    act(() => rollbackButton.click());
    await flush();
    expect(log.find(r => r.route === 'tag-rollback')?.body).toEqual({
      change_id: 'chg-20261201T070000Z-0123abcd',
      dry_run: false
    });
    expect(q('[data-testid="jp-SMIso-tag-result"]').textContent).toContain(
      'Rollback'
    );
  });

  it('shows no apply button without admin', async () => {
    render(
      {
        'GET tag-scan': () => ({
          status: 200,
          body: {
            status: 'ready',
            progress: null,
            result: scanResult(),
            error: null
          }
        }),
        'POST tag-plan': () => ({
          status: 200,
          body: {
            schema_version: 1,
            kind: 'k',
            domain: { id: DOMAIN, arn: DOMAIN_ARN },
            items: []
          }
        })
      },
      false
    );
    await flush();
    act(() => q('[data-testid="jp-SMIso-tag-preview-button"]').click());
    await flush();
    expect(
      mount.host.querySelector('[data-testid="jp-SMIso-tag-apply"]')
    ).toBeNull();
    expect(q('[data-testid="jp-SMIso-tag-preview"]').textContent).toContain(
      'admin_actions_enabled'
    );
  });

  it('compares every domain with its verdict', async () => {
    let polls = 0;
    const log = render(
      {
        'GET tag-scan': req =>
          req.query.all_domains
            ? {
                status: 200,
                body:
                  polls++ < 1
                    ? {
                        status: 'running',
                        progress: null,
                        result: null,
                        error: null
                      }
                    : {
                        status: 'ready',
                        progress: null,
                        error: null,
                        result: {
                          ...scanResult(),
                          domains: [
                            {
                              domain: {
                                id: DOMAIN,
                                arn: DOMAIN_ARN,
                                name: 'research'
                              },
                              own: 5,
                              foreign: 1,
                              untagged: 3,
                              stale_domain: 0,
                              never_tagged_by_design: 1,
                              verdict: 'not_isolated'
                            },
                            {
                              domain: {
                                id: 'd-prod1',
                                arn: ARN('domain/d-prod1'),
                                name: 'prod'
                              },
                              own: 1,
                              foreign: 5,
                              untagged: 3,
                              stale_domain: 0,
                              never_tagged_by_design: 1,
                              verdict: 'isolated'
                            }
                          ]
                        }
                      }
              }
            : {
                status: 200,
                body: {
                  status: 'none',
                  progress: null,
                  result: null,
                  error: null
                }
              },
        'POST tag-scan': () => ({
          status: 202,
          body: { status: 'running', progress: null, result: null, error: null }
        })
      },
      false
    );
    await flush(2);
    act(() => q('[data-testid="jp-SMIso-tag-scan-all"]').click());
    await flush(8);
    const post = log.find(r => r.method === 'POST');
    expect(post?.body).toEqual({
      region: 'us-east-1',
      all_domains: true,
      refresh: false
    });
    const rows = mount.host.querySelectorAll(
      '[data-testid="jp-SMIso-tag-domains"] tbody tr'
    );
    expect(rows.length).toBe(2);
    expect(
      q(
        '[data-testid="jp-SMIso-tag-domains"] tr[data-domain="d-prod1"] td[data-verdict]'
      ).textContent
    ).toBe('isolated');
  });
});
