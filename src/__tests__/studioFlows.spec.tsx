import React from 'react';
import type { IRoleReport } from '../tokens';
import { RoleSection } from '../components/RoleSection';
import { flowProblem } from '../components/StudioFlows';
import { mountPerTest, trans } from './mount';
import { notIsolatedReport } from './reportFixture';

const mount = mountPerTest();

function role(extra: Partial<IRoleReport>): IRoleReport {
  return { ...(notIsolatedReport().roles ?? [])[0], ...extra };
}

describe('StudioFlows (issue 16)', () => {
  it('shows the experience, each flow that does not work and why, and private spaces', () => {
    mount.render(
      <RoleSection
        role={role({
          experience: 'studio',
          flows: [
            { id: 'studio.open-home', title: 'Open Studio', status: 'works' },
            {
              id: 'studio.start-jupyterlab',
              title: 'Run JupyterLab',
              status: 'breaks',
              breaks: [
                {
                  action: 'sagemaker:CreateApp',
                  resource:
                    'arn:aws:sagemaker:us-east-1:1:app/d-x/s/jupyterlab/default',
                  decision: 'explicit_deny',
                  statement: { policy: 'Guard', sid: 'NoApps', index: 0 }
                }
              ]
            },
            {
              id: 'studio.run-pipeline',
              title: 'Run a pipeline',
              status: 'depends',
              depends_on: ['aws:SourceIp']
            }
          ],
          flows_summary: { works: 1, breaks: 1, depends: 1 },
          within_domain: { verdict: 'partial' }
        })}
        findings={[]}
        trans={trans}
      />
    );
    const block = mount.host.querySelector('[data-testid="jp-SMIso-flows"]');
    expect(block?.textContent).toContain(
      'Studio flows (studio): 1 work, 1 break, 1 depend'
    );
    expect(block?.textContent).toContain(
      'sagemaker:CreateApp on arn:aws:sagemaker:us-east-1:1:app/d-x/s/jupyterlab/default: denied by Guard statement NoApps'
    );
    expect(block?.textContent).toContain('depends on aws:SourceIp');
    expect(block?.textContent).not.toContain('studio.open-home');
    expect(
      mount.host.querySelector('[data-testid="jp-SMIso-within-domain"]')
        ?.textContent
    ).toContain('only actions no policy can restrict to the owner');
  });

  it('shows nothing for a report without flows, and no private-space line for Classic', () => {
    mount.render(<RoleSection role={role({})} findings={[]} trans={trans} />);
    expect(
      mount.host.querySelector('[data-testid="jp-SMIso-flows"]')
    ).toBeNull();
    mount.render(
      <RoleSection
        role={role({
          experience: 'classic',
          flows: [
            { id: 'classic.start-kernel', title: 'Kernel', status: 'works' }
          ],
          within_domain: { verdict: 'not_isolated' }
        })}
        findings={[]}
        trans={trans}
      />
    );
    expect(
      mount.host.querySelector('[data-testid="jp-SMIso-within-domain"]')
    ).toBeNull();
    expect(
      flowProblem(
        {
          id: 'x',
          title: 'X',
          status: 'breaks',
          breaks: [{ action: 'a', resource: 'r' }]
        },
        trans
      )
    ).toBe('a on r: no statement allows it');
  });
});
