/**
 * The report: verdict (and why unknown), execution roles, domain findings, templates, the admin
 * section, coverage, resources, assumptions and failed AWS calls.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IsolationModel } from '../model';
import type { IReport } from '../tokens';
import { AdminSection } from './AdminSection';
import { CoverageSection } from './CoverageSection';
import { FindingList } from './FindingList';
import { ResourcesSection } from './ResourcesSection';
import { RoleSection, roleName } from './RoleSection';
import { TemplatesSection } from './TemplatesSection';
import { VerdictBadge } from './VerdictBadge';
import { AwsConfirmationNote } from './WitnessView';

/** A collapsible section with a real heading (keyboard: the summary is focusable). */
export function Section(props: {
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

/** How many findings of severity high a report holds (the verdict's words must not deny them). */
export function highCount(report: IReport): number {
  return (report.findings ?? []).filter(f => f.severity === 'high').length;
}

/** The assumptions and readings, then the AWS calls that failed (each section when not empty). */
function ReportNotes(props: {
  report: IReport;
  trans: TranslationBundle;
}): JSX.Element {
  const { report, trans } = props;
  return (
    <>
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
    </>
  );
}

/** The report of a finished check; the sections' models come from `model`. */
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
      <AdminSection report={report} model={props.model.admin} trans={trans} />
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
          model={props.model.tagScan}
          adminEnabled={props.model.state.server.adminEnabled === true}
          trans={trans}
        />
      </Section>
      <ReportNotes report={report} trans={trans} />
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
