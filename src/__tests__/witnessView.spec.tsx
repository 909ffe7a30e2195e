import React from 'react';
import type { IWitness } from '../tokens';
import { RoleSection } from '../components/RoleSection';
import { mountPerTest, trans } from './mount';
import { notIsolatedReport } from './reportFixture';
import {
  AwsConfirmationNote,
  WitnessView,
  awsBadge
} from '../components/WitnessView';

const OTHER = 'arn:aws:sagemaker:us-east-1:111122223333:domain/d-otherdomain00';

function witness(extra: Partial<IWitness> = {}): IWitness {
  return {
    principal: 'arn:aws:iam::111122223333:role/StudioExec',
    action: 'sagemaker:DeleteEndpoint',
    resource: 'arn:aws:sagemaker:us-east-1:111122223333:endpoint/<img src=x>',
    context: { 'aws:ResourceTag/sagemaker:domain-arn': OTHER },
    conditional_on: [],
    simulator_command:
      'aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::111122223333:role/StudioExec --action-names sagemaker:DeleteEndpoint',
    ...extra
  };
}

const mount = mountPerTest();

const render = (el: JSX.Element) => mount.render(el);

describe('WitnessView', () => {
  it('shows the request, the command and a copy button, without an AWS badge', () => {
    render(<WitnessView witness={witness()} trans={trans} />);
    expect(mount.host.textContent).toContain('sagemaker:DeleteEndpoint');
    expect(mount.host.textContent).toContain(
      `aws:ResourceTag/sagemaker:domain-arn=${OTHER}`
    );
    expect(mount.host.querySelector('pre')?.textContent).toContain(
      'aws iam simulate-principal-policy'
    );
    expect(mount.host.querySelector('button')?.getAttribute('aria-label')).toBe(
      'Copy the AWS policy simulator command for sagemaker:DeleteEndpoint'
    );
    expect(mount.host.querySelector('.jp-SMIso-aws-badge')).toBeNull();
    expect(mount.host.querySelector('img')).toBeNull(); // text, not markup
  });

  it('says "confirmed by AWS" when AWS agrees', () => {
    const w = witness({
      aws: {
        decision: 'allowed',
        agrees: true,
        checked_at: '2026-12-06T20:00:00Z'
      }
    });
    render(<WitnessView witness={w} trans={trans} />);
    const badge = mount.host.querySelector('.jp-SMIso-aws-badge');
    expect(badge?.textContent).toBe('confirmed by AWS');
    expect(badge?.classList.contains('jp-SMIso-aws-confirmed')).toBe(true);
  });

  it.each([
    [
      'scp-or-boundary',
      'AWS disagrees: an SCP or permissions boundary we did not see'
    ],
    ['missing-context', 'AWS disagrees: a context key we could not give'],
    [
      'policies-changed',
      'AWS disagrees: the policies changed since the check read them'
    ],
    ['other', 'AWS disagrees: unexplained: please report this as a bug']
  ] as const)('words the cause %s', (cause, text) => {
    const w = witness({
      aws: {
        decision: 'implicitDeny',
        agrees: false,
        cause,
        cause_text: 'detail words',
        checked_at: '2026-12-06T20:00:00Z'
      }
    });
    expect(awsBadge(w, trans)?.text).toBe(text);
    render(<WitnessView witness={w} trans={trans} />);
    expect(
      mount.host.querySelector('.jp-SMIso-aws-disagrees')?.textContent
    ).toBe(text);
    expect(mount.host.textContent).toContain('detail words');
  });

  it('shows the report-level note and offline policy files', () => {
    render(
      <AwsConfirmationNote
        confirmation={{
          status: 'offline',
          note: 'Offline check: nothing was sent to AWS.',
          calls: 0,
          confirmed: 0,
          disagreed: 0,
          not_checked: 0,
          policy_files: [{ file: 'p.json', policy: 'p', kind: 'identity' }]
        }}
        trans={trans}
      />
    );
    const note = mount.host.querySelector('[data-testid="jp-SMIso-aws-note"]');
    expect(note?.getAttribute('data-status')).toBe('offline');
    expect(note?.textContent).toContain(
      'Offline check: nothing was sent to AWS.'
    );
    expect(note?.textContent).toContain('p.json');
  });

  it('is shown inside the role view, under its cross-domain entry', () => {
    const role = notIsolatedReport().roles[0];
    role.cross_domain[0].witness = witness({
      action: role.cross_domain[0].action,
      aws: {
        decision: 'allowed',
        agrees: true,
        checked_at: '2026-12-06T20:00:00Z'
      }
    });
    render(<RoleSection role={role} findings={[]} trans={trans} />);
    const views = mount.host.querySelectorAll(
      '[data-testid="jp-SMIso-witness"]'
    );
    expect(views).toHaveLength(1);
    const entry = views[0].closest('li');
    expect(entry?.querySelector('.jp-SMIso-action')?.textContent).toBe(
      role.cross_domain[0].action
    );
    expect(entry?.textContent).toContain('confirmed by AWS');
  });
});
