/**
 * What the panel shows for each view but the report's: connecting, server missing or of another
 * version, unreachable, idle, checking (with progress), no credentials, AWS unreachable, failed.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IsolationModel } from '../model';
import type { IErrorInfo, IModelState, IReport, PanelView } from '../tokens';
import { ReportView } from './ReportView';

/** A state's heading (focus target when a check ends here) and its text. */
function StateBox(props: {
  kind: 'info' | 'warn' | 'error';
  title: string;
  children?: React.ReactNode;
}): JSX.Element {
  // Info and warnings are announced by the panel's one status region (`panelAnnouncement`);
  // errors also interrupt. The heading takes the focus when a check ends here.
  return (
    <div
      className={`jp-SMIso-state jp-SMIso-state-${props.kind}`}
      role={props.kind === 'error' ? 'alert' : undefined}
    >
      <h3 tabIndex={-1} className="jp-SMIso-state-title">
        {props.title}
      </h3>
      {props.children}
    </div>
  );
}

/** An error's message and its ids (reason, operation, code). */
function ErrorDetail(props: {
  error: IErrorInfo | null | undefined;
}): JSX.Element | null {
  const e = props.error;
  if (!e) {
    return null;
  }
  return (
    <>
      <p>{e.message}</p>
      <p className="jp-SMIso-meta">
        <code>
          {[e.reason, e.operation, e.code].filter(Boolean).join(' · ')}
        </code>
      </p>
    </>
  );
}

/** The body for `view` (null for `need-domain`: the form says it). */
export function ViewBody(props: {
  view: PanelView;
  state: IModelState;
  model: IsolationModel;
  report: IReport | null;
  jobError: IErrorInfo | null | undefined;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { view, state, model, report, jobError, trans } = props;
  let body: JSX.Element | null = null;
  switch (view) {
    case 'probing':
      body = (
        <StateBox
          kind="info"
          title={trans.__('Connecting to the server extension…')}
        />
      );
      break;
    case 'server-missing':
      body = (
        <StateBox
          kind="error"
          title={trans.__('Server extension missing or different version')}
        >
          <p>
            {trans.__(
              'The sagemaker-isolation server extension does not answer. It must be installed in the environment that runs the Jupyter server (in a Studio JupyterLab space, /opt/conda; not a user conda env), then the server restarted. Check: jupyter server extension list'
            )}
          </p>
        </StateBox>
      );
      break;
    case 'server-mismatch':
      body = (
        <StateBox
          kind="error"
          title={trans.__('Server extension missing or different version')}
        >
          <p>
            {trans.__(
              'The server extension is version %1 but this panel is version %2. Reinstall sagemaker-isolation-ext and restart JupyterLab.',
              state.server.serverVersion ?? '?',
              model.frontendVersion
            )}
          </p>
        </StateBox>
      );
      break;
    case 'server-error':
      body = (
        <StateBox
          kind="error"
          title={trans.__('Cannot reach the Jupyter server')}
        >
          <p>{state.server.message}</p>
          <button
            className="jp-mod-styled jp-SMIso-button"
            onClick={() => void model.initialize(false)}
          >
            {trans.__('Retry')}
          </button>
        </StateBox>
      );
      break;
    case 'need-domain':
      body = null;
      break;
    case 'idle':
      body = (
        <StateBox
          kind="info"
          title={trans.__('No check has run for this domain yet')}
        >
          <button
            className="jp-mod-styled jp-mod-accept jp-SMIso-button"
            onClick={() => void model.check(false)}
          >
            {trans.__('Check isolation')}
          </button>
        </StateBox>
      );
      break;
    case 'checking': {
      const p = state.job?.progress;
      body = (
        <StateBox kind="info" title={trans.__('Checking…')}>
          {p ? (
            <>
              <p className="jp-SMIso-meta">{p.stage}</p>
              <progress
                className="jp-SMIso-progress"
                max={p.total > 0 ? p.total : undefined}
                value={p.total > 0 ? p.done : undefined}
                aria-label={trans.__('Check progress')}
              />
              {p.total > 0 && (
                <span className="jp-SMIso-meta">
                  {trans.__('%1 of %2', p.done, p.total)}
                </span>
              )}
            </>
          ) : (
            <progress
              className="jp-SMIso-progress"
              aria-label={trans.__('Check progress')}
            />
          )}
        </StateBox>
      );
      break;
    }
    case 'no-credentials':
      body = (
        <StateBox kind="warn" title={trans.__('Missing AWS credentials')}>
          <ErrorDetail error={jobError} />
          <p>
            {trans.__(
              'The Jupyter server has no usable AWS credentials. Configure a profile (aws configure / aws sso login) or environment credentials for the server, or enter a profile below, then retry.'
            )}
          </p>
        </StateBox>
      );
      break;
    case 'aws-unreachable':
      body = (
        <StateBox
          kind="warn"
          title={trans.__('AWS is not reachable or readable')}
        >
          <ErrorDetail error={jobError} />
        </StateBox>
      );
      break;
    case 'failed':
      body = (
        <StateBox kind="error" title={trans.__('The check failed')}>
          <ErrorDetail error={jobError} />
        </StateBox>
      );
      break;
    case 'report':
      body = report ? (
        <ReportView report={report} model={model} trans={trans} />
      ) : null;
      break;
  }

  return body;
}
