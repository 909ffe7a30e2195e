import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IFinding } from '../tokens';

const SEVERITY_ORDER = ['high', 'medium', 'low', 'info'];

function severityLabel(severity: string, trans: TranslationBundle): string {
  switch (severity) {
    case 'high':
      return trans.__('high');
    case 'medium':
      return trans.__('medium');
    case 'low':
      return trans.__('low');
    case 'info':
      return trans.__('info');
    default:
      return severity;
  }
}

/** Findings, highest severity first, each with its detail and fix. */
export function FindingList(props: {
  findings: IFinding[];
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  const rank = (s: string) => {
    const i = SEVERITY_ORDER.indexOf(s);
    return i < 0 ? SEVERITY_ORDER.length : i;
  };
  const findings = [...props.findings].sort(
    (a, b) => rank(a.severity) - rank(b.severity)
  );
  return (
    <ul className="jp-SMIso-findings">
      {findings.map((f, i) => (
        <li
          key={`${f.id}-${i}`}
          className={`jp-SMIso-finding jp-SMIso-severity-${f.severity}`}
          data-finding-id={f.id}
        >
          <div>
            <span className={`jp-SMIso-tag jp-SMIso-tag-${f.severity}`}>
              {severityLabel(f.severity, trans)}
            </span>{' '}
            <strong title={f.id}>{f.title}</strong>{' '}
            <code className="jp-SMIso-meta">{f.id}</code>
          </div>
          {f.detail && <p className="jp-SMIso-detail">{f.detail}</p>}
          {f.fix && (
            <p className="jp-SMIso-fix">
              <strong>{trans.__('Fix:')}</strong> {f.fix}
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}
