/**
 * "Installation": the `version` route's self-check, shown at the foot of the panel. Which
 * environment runs the Jupyter server (its `sys.prefix`), the jupyter_server and JupyterLab
 * versions there, and whether the labextension this browser loaded is the server extension's
 * release. Opens by itself when something is wrong, with warnings that name both environments
 * (the classic failure: installed into a user env while the server runs from another).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { sameVersion } from '../model';
import type { IModelState } from '../tokens';

export function ServerCheck(props: {
  server: IModelState['server'];
  /** The labextension the browser loaded (this bundle's package.json version). */
  frontendVersion: string;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { server, frontendVersion, trans } = props;
  const env = server.environment;
  if (!env && !server.serverVersion) {
    return null;
  }
  const warnings = server.warnings ?? [];
  const matches = sameVersion(server.serverVersion, frontendVersion);
  const served = server.labextension;
  const rows: [string, string][] = [
    [trans.__('Server environment (sys.prefix)'), env?.sys_prefix ?? '?'],
    [trans.__('jupyter_server'), env?.jupyter_server_version ?? '?'],
    [
      trans.__('JupyterLab'),
      env?.jupyterlab_version ?? trans.__('not installed')
    ],
    [trans.__('Server extension'), server.serverVersion ?? '?'],
    [
      trans.__('Panel loaded by this page'),
      matches
        ? trans.__('%1 (same release as the server extension)', frontendVersion)
        : trans.__('%1 (differs from the server extension)', frontendVersion)
    ],
    [
      trans.__('Labextension served from'),
      served ? `${served.path} (${served.version ?? '?'})` : trans.__('unknown')
    ]
  ];
  return (
    <details
      className="jp-SMIso-section jp-SMIso-servercheck"
      data-section="installation"
      data-testid="jp-SMIso-servercheck"
      data-ok={warnings.length === 0 && matches ? 'true' : 'false'}
      open={warnings.length > 0}
    >
      <summary>
        <h3
          className="jp-SMIso-section-title"
          id="jp-SMIso-section-installation"
        >
          {warnings.length === 0 && matches
            ? trans.__('Installation: OK')
            : trans.__('Installation: check the warnings')}
        </h3>
      </summary>
      <div
        className="jp-SMIso-section-body"
        role="region"
        aria-labelledby="jp-SMIso-section-installation"
      >
        {warnings.length > 0 && (
          <ul className="jp-SMIso-findings" role="alert">
            {warnings.map((w, i) => (
              <li key={i} className="jp-SMIso-finding jp-SMIso-warning">
                {w}
              </li>
            ))}
          </ul>
        )}
        <dl className="jp-SMIso-meta">
          {rows.map(([label, value]) => (
            <React.Fragment key={label}>
              <dt>{label}</dt>
              <dd>
                <code>{value}</code>
              </dd>
            </React.Fragment>
          ))}
        </dl>
      </div>
    </details>
  );
}
