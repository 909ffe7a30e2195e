/**
 * The standalone page (sagemaker_isolation_ext/static/standalone/page.js, plain ES2017) in jsdom
 * with a fake `fetch`: the words it shows (issue 13, "Words on the screen").
 */
import { notIsolatedReport } from './reportFixture';

// Node's modules in jest (the test tsconfig has no Node types).
declare const require: (name: string) => any;
declare const __dirname: string;
const fs = require('fs');
const path = require('path');

const DIR = path.join(
  __dirname,
  '..',
  '..',
  'sagemaker_isolation_ext',
  'static',
  'standalone'
);

type Answer = { status: number; body: unknown };

function load(routes: Record<string, (init: RequestInit) => Answer>): void {
  const html = fs.readFileSync(path.join(DIR, 'page.html'), 'utf8');
  const body = html.slice(html.indexOf('<body'), html.lastIndexOf('</body>'));
  document.body.innerHTML = body
    .replace(/<body[^>]*>/, '')
    .replace(/<script>[\s\S]*?<\/script>/g, '')
    .replace('/*__CONFIG__*/', '{"baseUrl": "/"}');
  (globalThis as any).fetch = (url: string, init: RequestInit) => {
    const route = url.replace(/^\/sagemaker-isolation\//, '').split('?')[0];
    const key = `${init.method ?? 'GET'} ${route}`;
    const answer = routes[key]
      ? routes[key](init)
      : { status: 404, body: { message: 'no' } };
    return Promise.resolve({
      status: answer.status,
      text: () => Promise.resolve(JSON.stringify(answer.body))
    });
  };
  (0, eval)(fs.readFileSync(path.join(DIR, 'page.js'), 'utf8'));
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await new Promise(r => setTimeout(r, 0));
  }
}

describe('standalone page words (issue 13)', () => {
  it('isolated above a high finding says so; findings most severe first; policy files; explain in words once', async () => {
    const report = notIsolatedReport();
    report.verdict = 'isolated';
    report.roles![0].arn = null as unknown as string;
    report.roles![0].name = 'policy-files';
    report.roles![0].used_by = ['policy-files'];
    report.findings = [
      { ...report.findings![0], severity: 'low', id: 'low-one', title: 'Low' },
      ...report.findings!
    ];
    load({
      'GET version': () => ({
        status: 200,
        body: { version: '0.1.0', features: ['explain'], catalog: {} }
      }),
      'GET context': () => ({
        status: 200,
        body: {
          domain_id: 'd-research0001',
          region: 'us-east-1',
          source: 'config',
          profile: null
        }
      }),
      'GET report': () => ({
        status: 200,
        body: { status: 'ready', report }
      }),
      'GET coverage': () => ({ status: 200, body: { actions: [] } }),
      'POST explain': () => ({
        status: 200,
        body: {
          reason: 'implicit_deny_identity',
          reason_text: 'no identity-based policy allows the action',
          mode: 'live',
          causes: ['a', 'b'].map(id => ({
            id: `cause-${id}`,
            title: id,
            detail: 'd',
            fix: 'f',
            confidence: 'possible',
            evidence: {
              checked: [],
              not_checked: [
                {
                  check: 'resource-tags',
                  why: 'sagemaker:ListTags failed: HTTP 500: 500 Internal Server Error',
                  body: '<html><title>500 Internal Server Error</title></html>'
                }
              ]
            }
          }))
        }
      })
    });
    await settle();
    const verdict = document.getElementById('si-verdict')!.textContent!;
    expect(verdict).toContain('high-severity finding');
    expect(document.getElementById('si-context')!.textContent).toContain(
      "the Jupyter server's credentials"
    );
    const row = document.querySelector('[data-testid="role-row"]')!;
    expect(row.textContent).toContain('policy files');
    expect(row.textContent).not.toContain('policy-files');
    const severities = [
      ...document.querySelectorAll('[data-testid="finding"] .si-pill')
    ].map(p => p.getAttribute('data-value'));
    const rank = ['high', 'medium', 'low', 'info'];
    const ranks = severities.map(v => rank.indexOf(v ?? ''));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(severities[0]).toBe('high');
    expect(severities).toContain('low');

    (document.getElementById('si-explain-text') as HTMLTextAreaElement).value =
      'User: x is not authorized to perform: a:B';
    document
      .getElementById('si-explain-form')!
      .dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    const result = document.getElementById('si-explain-result')!;
    expect(result.textContent).toContain(
      'Denied: no identity-based policy allows the action'
    );
    expect(result.querySelector('code')!.textContent).toBe(
      'implicit_deny_identity'
    );
    const checks = result.querySelector('[data-testid="explain-checks"]')!;
    expect(checks.querySelectorAll('li')).toHaveLength(1);
    expect(checks.textContent).toContain("not checked the resource's tags");
    // the raw answer only inside a closed toggle, as text
    const details = checks.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(details.querySelector('pre')!.textContent).toContain('<title>');
    expect(result.querySelector('title')).toBeNull();
  });
});
