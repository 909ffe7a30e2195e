import { nullTranslator } from '@jupyterlab/translation';
import type { IModelState } from '../tokens';
import { statusText } from '../statusbar';
import { jobStatus, notIsolatedReport } from './reportFixture';

const trans = nullTranslator.load('sagemaker_isolation_ext');

const base: IModelState = {
  server: { status: 'ok' },
  context: null,
  target: { domain_id: 'd-research0001' },
  targetSource: 'panel',
  job: null,
  requestError: null,
  checking: false
};

describe('statusText', () => {
  it('shows the report verdict', () => {
    const report = notIsolatedReport();
    expect(
      statusText(
        { ...base, job: jobStatus({ status: 'ready', report }) },
        trans
      )
    ).toBe('SageMaker: not isolated');
    report.verdict = 'isolated';
    expect(
      statusText(
        { ...base, job: jobStatus({ status: 'ready', report }) },
        trans
      )
    ).toBe('SageMaker: isolated');
  });

  it('reads an unexpected verdict as unknown, never isolated', () => {
    const report = notIsolatedReport();
    (report as { verdict: string }).verdict = 'Isolated';
    expect(
      statusText(
        { ...base, job: jobStatus({ status: 'ready', report }) },
        trans
      )
    ).toBe('SageMaker: unknown');
  });

  it('says checking, not checked and unavailable', () => {
    expect(statusText({ ...base, checking: true }, trans)).toBe(
      'SageMaker: checking…'
    );
    expect(statusText(base, trans)).toBe('SageMaker: not checked');
    expect(statusText({ ...base, server: { status: 'missing' } }, trans)).toBe(
      'SageMaker: unavailable'
    );
  });
});
