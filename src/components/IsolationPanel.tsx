import { ReactWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import React from 'react';
import {
  focusElement,
  focusIsLost,
  panelAnnouncement,
  SR_ONLY_CLASS,
  useFocusWithin
} from '../a11y';
import type { IContextInfo, IErrorInfo, IReport, ITarget } from '../api';
import { IModelState, IsolationModel, PanelView, viewOf } from '../model';
import { OverviewCard } from '../overview/OverviewSummary';
import type { OverviewModel } from '../overview/OverviewModel';
import { AdminSection } from './AdminSection';
import { CopyButton } from './CopyButton';
import { CoverageSection } from './CoverageSection';
import { DomainForm } from './DomainForm';
import { ErrorBoundary } from './ErrorBoundary';
import { ExplainBox, ExplainController } from './ExplainBox';
import { FindingList } from './FindingList';
import { ResourcesSection } from './ResourcesSection';
import { RoleSection, roleName } from './RoleSection';
import { ServerCheck } from './ServerCheck';
import { AwsConfirmationNote } from './WitnessView';
import { TemplatesSection } from './TemplatesSection';
import { VerdictBadge } from './VerdictBadge';

/** A collapsible section with a real heading (keyboard: the summary is focusable). */
function Section(props: {
  id: string;
  title: string;
  count?: number;
  open?: boolean;
  children?: React.ReactNode;
}): JSX.Element {
  return (
    <details
      className="jp-SMIso-section"
      open={props.open}
      data-section={props.id}
    >
      <summary>
        <h3
          className="jp-SMIso-section-title"
          id={`jp-SMIso-section-${props.id}`}
        >
          {props.title}
          {props.count !== undefined && (
            <span className="jp-SMIso-count">{props.count}</span>
          )}
        </h3>
      </summary>
      <div
        className="jp-SMIso-section-body"
        role="region"
        aria-labelledby={`jp-SMIso-section-${props.id}`}
      >
        {props.children}
      </div>
    </details>
  );
}

function contextSourceLabel(
  source: string | undefined | null,
  trans: TranslationBundle
): string {
  switch (source) {
    case 'studio-metadata':
      return trans.__('from the Studio app metadata');
    case 'config':
      return trans.__('from the server configuration');
    case 'cli':
      return trans.__('from the command line');
    case 'panel':
      return trans.__('entered in this panel');
    case 'settings':
      return trans.__('from the extension settings');
    case 'none':
      return trans.__('no domain known');
    default:
      return source ?? '';
  }
}

/** Why a report is `unknown`: role reasons, undecided requests and failed AWS calls. */
export function unknownReasons(report: IReport): string[] {
  const reasons: string[] = [];
  for (const role of report.roles ?? []) {
    if (role.verdict === 'unknown') {
      const label = roleName(role);
      reasons.push(
        role.verdict_reason ? `${label}: ${role.verdict_reason}` : `${label}`
      );
    }
  }
  for (const err of report.errors ?? []) {
    reasons.push(
      [err.operation, err.target, err.code, err.message]
        .filter(Boolean)
        .join(' · ')
    );
  }
  return reasons;
}

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

function DomainLine(props: {
  state: IModelState;
  report: IReport | null;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { state, report, trans } = props;
  const ctx: IContextInfo | null = state.context;
  const fromTarget = Boolean(state.target.domain_id);
  const domainId =
    report?.domain?.id ?? state.target.domain_id ?? ctx?.domain_id;
  if (!domainId) {
    return null;
  }
  const region = report?.domain?.region ?? state.target.region ?? ctx?.region;
  const source = fromTarget
    ? (state.targetSource ?? 'panel')
    : (report?.context?.source ?? ctx?.source);
  const detail = fromTarget ? null : (report?.context?.detail ?? ctx?.detail);
  return (
    <div
      className="jp-SMIso-domain"
      role="group"
      aria-label={trans.__('Domain')}
    >
      <div>
        <strong>{report?.domain?.name || domainId}</strong>{' '}
        {report?.domain?.name && <code>{domainId}</code>}{' '}
        {region && <span className="jp-SMIso-meta">{region}</span>}
      </div>
      <div className="jp-SMIso-meta">
        {contextSourceLabel(source, trans)}
        {detail ? ` (${detail})` : ''}
      </div>
    </div>
  );
}

/** How many findings of severity high a report holds (the verdict's words must not deny them). */
export function highCount(report: IReport): number {
  return (report.findings ?? []).filter(f => f.severity === 'high').length;
}

export function ReportView(props: {
  report: IReport;
  model: IsolationModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { report, trans } = props;
  const roleArns = new Set(
    (report.roles ?? []).map(r => r.arn).filter(Boolean)
  );
  const globalFindings = (report.findings ?? []).filter(
    f => !f.role || !roleArns.has(f.role)
  );
  const reasons = report.verdict === 'unknown' ? unknownReasons(report) : [];
  return (
    <div className="jp-SMIso-report">
      {/* Not a live region: it is re-created by every check; the panel's status region speaks. */}
      <div className="jp-SMIso-verdict" tabIndex={-1}>
        <VerdictBadge verdict={report.verdict} trans={trans} large={true} />
        <span className="jp-SMIso-meta">
          {report.verdict === 'isolated'
            ? highCount(report) > 0
              ? trans._n(
                  'The tag checks pass, but %1 high-severity finding below says a role reaches further: read it first.',
                  'The tag checks pass, but %1 high-severity findings below say a role reaches further: read them first.',
                  highCount(report),
                  highCount(report)
                )
              : trans.__(
                  'No execution role can reach another domain’s resources.'
                )
            : report.verdict === 'not_isolated'
              ? trans.__(
                  'At least one execution role can act on another domain’s resources.'
                )
              : trans.__(
                  'Some input was missing or undecidable, so isolation cannot be confirmed.'
                )}
        </span>
      </div>
      {reasons.length > 0 && (
        <div className="jp-SMIso-state jp-SMIso-state-warn">
          <h3>{trans.__('Why unknown')}</h3>
          <ul>
            {reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {report.domain?.default_experience && (
        <p className="jp-SMIso-meta">
          {trans.__('Default experience: %1', report.domain.default_experience)}
          {report.domain.default_experience_detail
            ? ` (${report.domain.default_experience_detail})`
            : ''}
        </p>
      )}
      <Section
        id="roles"
        title={trans.__('Execution roles')}
        count={(report.roles ?? []).length}
        open
      >
        <AwsConfirmationNote
          confirmation={report.aws_confirmation}
          trans={trans}
        />
        {(report.roles ?? []).map((role, i) => (
          <RoleSection
            key={role.arn ?? i}
            role={role}
            findings={(report.findings ?? []).filter(
              f => f.role && f.role === role.arn
            )}
            trans={trans}
          />
        ))}
      </Section>
      <Section
        id="findings"
        title={trans.__('Domain findings')}
        count={globalFindings.length}
        open={globalFindings.length > 0}
      >
        <FindingList findings={globalFindings} trans={trans} />
      </Section>
      <Section id="templates" title={trans.__('Isolation policy templates')}>
        <TemplatesSection templates={report.templates ?? []} trans={trans} />
      </Section>
      {/* Admin issue: its own section, shown only when the server enables admin actions. */}
      <AdminSection
        report={report}
        trans={trans}
        onChanged={() => void props.model.check(true)}
      />
      <Section id="coverage" title={trans.__('Coverage')}>
        <CoverageSection
          coverage={report.coverage}
          catalog={report.catalog}
          load={q => props.model.loadCoverage(q)}
          trans={trans}
        />
      </Section>
      <Section id="resources" title={trans.__('Resources (tag coverage)')}>
        <ResourcesSection
          domainId={report.domain.id}
          region={report.domain.region}
          trans={trans}
        />
      </Section>
      {((report.assumptions ?? []).length > 0 ||
        (report.readings ?? []).length > 0) && (
        <Section id="assumptions" title={trans.__('Assumptions and readings')}>
          <ul className="jp-SMIso-findings">
            {(report.assumptions ?? []).map(a => (
              <li key={a.id} className="jp-SMIso-finding">
                <strong>{a.title}</strong>
                {a.detail && <p className="jp-SMIso-detail">{a.detail}</p>}
              </li>
            ))}
            {(report.readings ?? []).map(r => (
              <li key={r.id} className="jp-SMIso-finding">
                <p className="jp-SMIso-detail">{r.text}</p>
              </li>
            ))}
          </ul>
        </Section>
      )}
      {(report.errors ?? []).length > 0 && (
        <Section
          id="errors"
          title={trans.__('AWS calls that failed')}
          count={(report.errors ?? []).length}
          open
        >
          <ul className="jp-SMIso-findings">
            {(report.errors ?? []).map((e, i) => (
              <li key={i} className="jp-SMIso-finding">
                <code>{e.operation}</code> {e.target && <code>{e.target}</code>}{' '}
                {e.code && <strong>{e.code}</strong>}
                {e.message && <p className="jp-SMIso-detail">{e.message}</p>}
              </li>
            ))}
          </ul>
        </Section>
      )}
      <p className="jp-SMIso-meta">
        {trans.__(
          'Generated %1 by sagemaker-isolation %2; catalog %3 %4',
          report.generated_at ?? '?',
          report.tool_version ?? '?',
          report.catalog?.source ?? '?',
          report.catalog?.version ?? '?'
        )}
      </p>
    </div>
  );
}

/** The panel's body for one state. */
export function PanelBody(props: {
  model: IsolationModel;
  state: IModelState;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, state, trans } = props;
  const [editing, setEditing] = React.useState(false);
  const view: PanelView = viewOf(state);
  const report =
    state.job?.status === 'ready' ? (state.job.report ?? null) : null;
  const submit = (target: ITarget) => {
    setEditing(false);
    model.setTarget(target);
    void model.check(false);
  };
  const jobError =
    state.job?.status === 'error' ? state.job.error : state.requestError;
  const canCheck = state.server.status === 'ok' && view !== 'need-domain';
  // Busy or unusable controls stay focusable (`aria-disabled`), so the focus is not thrown away.
  const refreshDisabled = !canCheck || view === 'checking';
  const rootRef = React.useRef<HTMLDivElement>(null);
  const changeRef = React.useRef<HTMLButtonElement>(null);
  const refreshRef = React.useRef<HTMLButtonElement>(null);
  const focus = useFocusWithin(rootRef);
  const lastView = React.useRef<PanelView>(view);
  const lastEditing = React.useRef(editing);
  const initialTarget: ITarget = {
    domain_id: state.target.domain_id ?? state.context?.domain_id ?? '',
    region: state.target.region ?? state.context?.region ?? '',
    profile: state.target.profile ?? ''
  };

  let body: React.ReactNode;
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

  const showForm =
    view === 'need-domain' ||
    ((editing || view === 'no-credentials') && state.server.status === 'ok');

  // Focus: when a check ends, to its verdict (or the heading saying why there is none); when the
  // domain form closes, back to "Change domain"; when the focused control disappears, to Refresh.
  // Only when the focus is (or was, before its element went) in the panel: a check finishing in
  // the background never takes the focus from a notebook.
  React.useEffect(() => {
    const prevView = lastView.current;
    const prevEditing = lastEditing.current;
    lastView.current = view;
    lastEditing.current = editing;
    const root = rootRef.current;
    if (!root || !focus.owns()) {
      return;
    }
    const lost = focusIsLost(root.ownerDocument);
    if (
      view !== prevView &&
      view !== 'checking' &&
      (prevView === 'checking' || lost)
    ) {
      const target =
        root.querySelector<HTMLElement>('.jp-SMIso-verdict') ??
        root.querySelector<HTMLElement>('.jp-SMIso-state-title') ??
        root.querySelector<HTMLElement>('.jp-SMIso-form input');
      if (focusElement(target)) {
        return;
      }
    }
    if (prevEditing && !editing && focusElement(changeRef.current)) {
      return;
    }
    if (focusIsLost(root.ownerDocument)) {
      focusElement(refreshRef.current);
    }
  });
  return (
    <div
      className="jp-SMIso-body"
      ref={rootRef}
      onFocus={focus.onFocus}
      onBlur={focus.onBlur}
    >
      <div className={SR_ONLY_CLASS} role="status" aria-live="polite">
        {panelAnnouncement(state, trans)}
      </div>
      <div className="jp-SMIso-header">
        <h2 className="jp-SMIso-title">
          {trans.__('SageMaker domain isolation')}
        </h2>
        <div
          className="jp-SMIso-toolbar"
          role="toolbar"
          aria-label={trans.__('Isolation check')}
        >
          <button
            ref={refreshRef}
            className="jp-mod-styled jp-SMIso-button jp-SMIso-refresh"
            onClick={() => {
              if (!refreshDisabled) {
                void model.check(true);
              }
            }}
            aria-disabled={refreshDisabled}
            aria-label={trans.__('Refresh the isolation report')}
            title={trans.__('Refresh the isolation report')}
          >
            <refreshIcon.react tag="span" className="jp-SMIso-icon" />
            {trans.__('Refresh')}
          </button>
          {state.server.status === 'ok' && view !== 'need-domain' && (
            <button
              ref={changeRef}
              className="jp-mod-styled jp-SMIso-button jp-SMIso-change-domain"
              aria-expanded={editing}
              onClick={() => setEditing(!editing)}
            >
              {trans.__('Change domain')}
            </button>
          )}
          {report && (
            <CopyButton
              label={trans.__('Copy report JSON')}
              text={() => JSON.stringify(report, null, 2)}
              trans={trans}
            />
          )}
        </div>
      </div>
      <DomainLine state={state} report={report} trans={trans} />
      {showForm && (
        <DomainForm
          key={JSON.stringify(initialTarget)}
          initial={initialTarget}
          detail={
            view === 'need-domain' && state.context?.source === 'none'
              ? state.context.detail
              : null
          }
          error={view === 'need-domain' ? (jobError?.message ?? null) : null}
          heading={
            view === 'need-domain'
              ? trans.__('Not in Studio: enter a domain')
              : trans.__('Change domain')
          }
          trans={trans}
          onSubmit={submit}
          focusOnMount={editing}
          onCancel={editing ? () => setEditing(false) : undefined}
        />
      )}
      {body}
      <ServerCheck
        server={state.server}
        frontendVersion={model.frontendVersion}
        trans={trans}
      />
    </div>
  );
}

/** The left-sidebar widget: renders the model's state, re-rendering on `stateChanged`. */
/**
 * The panel body, following the model's state. Unlike `UseSignal` with `initialArgs`, it reads the
 * model's state again once subscribed: a handshake and a cached report can both arrive between the
 * first render and the subscription, and the panel would otherwise stay on "Connecting…".
 */
function ModelState(props: {
  model: IsolationModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const [state, setState] = React.useState<IModelState>(model.state);
  React.useEffect(() => {
    const onChange = (_: IsolationModel, next: IModelState) => setState(next);
    model.stateChanged.connect(onChange);
    setState(model.state);
    return () => {
      model.stateChanged.disconnect(onChange);
    };
  }, [model]);
  return <PanelBody model={model} state={state} trans={trans} />;
}

export class IsolationPanel extends ReactWidget {
  constructor(
    readonly model: IsolationModel,
    private readonly _trans: TranslationBundle,
    /** The "Explain an AccessDenied" box's state, shown below the report when given. */
    readonly explain: ExplainController | null = null,
    /** The account overview's card (verdict, top fixes, "Open overview"), shown first when given. */
    readonly overview: { model: OverviewModel; open: () => void } | null = null
  ) {
    super();
    this.addClass('jp-SMIso-panel');
  }

  render(): JSX.Element {
    return (
      <ErrorBoundary trans={this._trans}>
        {this.overview && (
          <div className="jp-SMIso-body jp-SMIso-ov-cardwrap">
            <OverviewCard
              model={this.overview.model}
              onOpen={this.overview.open}
              trans={this._trans}
            />
          </div>
        )}
        <ModelState model={this.model} trans={this._trans} />
        {this.explain && (
          <div className="jp-SMIso-body">
            <ExplainBox controller={this.explain} trans={this._trans} />
          </div>
        )}
      </ErrorBoundary>
    );
  }
}
