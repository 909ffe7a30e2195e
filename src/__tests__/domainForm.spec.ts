import { nullTranslator } from '@jupyterlab/translation';
import { validateTarget } from '../components/DomainForm';

const trans = nullTranslator.load('sagemaker_isolation_ext');

describe('validateTarget', () => {
  it('accepts a domain id with blank Region and profile', () => {
    expect(validateTarget({ domain_id: 'd-abc123def456' }, trans)).toEqual({});
  });
  it('names each bad field', () => {
    const errors = validateTarget(
      { domain_id: 'abc', region: 'US-EAST-1', profile: 'a\nb' },
      trans
    );
    expect(Object.keys(errors).sort()).toEqual([
      'domain_id',
      'profile',
      'region'
    ]);
  });
});
