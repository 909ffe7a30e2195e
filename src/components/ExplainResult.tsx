/**
 * The result of "Explain an AccessDenied": the fields extracted from the message, what was and was
 * not checked, and the ranked causes with a copyable fix. Every value shown is rendered as React
 * text (escaped); nothing is injected as HTML.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type {
  IExplainCause,
  IExplainChecked,
  IExplainNotChecked,
  IExplainResult
} from '../tokens';
import { Breakable } from './Breakable';
import { CopyButton } from './CopyButton';

function Field(props: { label: string; value: string | null | undefined }) {
  if (!props.value) {
    return null;
  }
  return (
    <>
      <dt>{props.label}</dt>
      <dd>
        <code>
          <Breakable text={props.value} />
        </code>
      </dd>
    </>
  );
}

/** One cause: title, confidence, detail, fix (copyable), what was and was not checked. */
export function CauseView(props: {
  cause: IExplainCause;
  trans: TranslationBundle;
}): JSX.Element {
  const { cause, trans } = props;
  return (
    <li
      className={`jp-SMIso-cause jp-SMIso-confidence-${cause.confidence}`}
      data-cause-id={cause.id}
    >
      <div className="jp-SMIso-cause-head">
        <strong className="jp-SMIso-cause-title">{cause.title}</strong>{' '}
        <span className="jp-SMIso-tag">{cause.confidence}</span>{' '}
        <code className="jp-SMIso-meta">{cause.id}</code>
      </div>
      <p className="jp-SMIso-detail">{cause.detail}</p>
      <div className="jp-SMIso-fix">
        <span>{trans.__('Fix:')}</span>{' '}
        <code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
          {cause.fix}
        </code>{' '}
        <CopyButton
          label={trans.__('Copy fix')}
          ariaLabel={trans.__('Copy the fix of %1', cause.id)}
          text={() => cause.fix}
          trans={trans}
        />
      </div>
    </li>
  );
}

/** Every check of a result once (each cause carries the same lists). */
export function reportChecks(result: IExplainResult): {
  checked: IExplainChecked[];
  notChecked: IExplainNotChecked[];
} {
  const checked: IExplainChecked[] = [];
  const notChecked: IExplainNotChecked[] = [];
  const seen = new Set<string>();
  for (const cause of result.causes) {
    for (const c of cause.evidence?.checked ?? []) {
      const key = `c|${c.check}|${c.result ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        checked.push(c);
      }
    }
    for (const c of cause.evidence?.not_checked ?? []) {
      const key = `n|${c.check}|${c.why ?? ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        notChecked.push(c);
      }
    }
  }
  return { checked, notChecked };
}

/** What was and was not checked, once per result; a failed call's raw answer in a toggle. */
function ChecksView(props: {
  result: IExplainResult;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { trans } = props;
  const { checked, notChecked } = reportChecks(props.result);
  if (checked.length === 0 && notChecked.length === 0) {
    return null;
  }
  return (
    <ul className="jp-SMIso-evidence">
      {checked.map((c, i) => (
        <li key={`c${i}`}>
          {trans.__(
            'checked %1: %2',
            checkLabel(c.check, trans),
            c.result ?? ''
          )}
        </li>
      ))}
      {notChecked.map((c, i) => (
        <li key={`n${i}`} className="jp-SMIso-not-checked">
          {trans.__(
            'not checked %1: %2',
            checkLabel(c.check, trans),
            c.why ?? ''
          )}
          {c.body && (
            <details>
              <summary>{trans.__('Answer received')}</summary>
              <pre className="jp-SMIso-raw">{c.body}</pre>
            </details>
          )}
        </li>
      ))}
    </ul>
  );
}

/** An evidence check id in words. */
function checkLabel(check: string, trans: TranslationBundle): string {
  switch (check) {
    case 'resource-tags':
      return trans.__("the resource's tags");
    case 'principal-policies':
      return trans.__("the principal's role policies");
    case 'live-evidence':
      return trans.__('live evidence');
    case 'catalog':
      return trans.__('the action catalog');
    default:
      return check;
  }
}

/** The result: extracted fields, then the ranked causes. */
export function ExplainResultView(props: {
  result: IExplainResult;
  trans: TranslationBundle;
}): JSX.Element {
  const { result, trans } = props;
  return (
    <div className="jp-SMIso-explain-result">
      {/* Takes the focus when a result arrives (ExplainBoxView); the box's status region speaks. */}
      <h4 className="jp-SMIso-explain-result-title" tabIndex={-1}>
        {trans._n(
          'Result: %1 possible cause',
          'Result: %1 possible causes',
          result.causes.length,
          result.causes.length
        )}
      </h4>
      <p className="jp-SMIso-meta">
        {result.reason === null ? (
          trans.__('Not an AWS authorization error message.')
        ) : (
          <>
            <span title={result.reason}>
              {trans.__(
                'Denied: %1',
                result.reason_text ?? result.reason.replace(/_/g, ' ')
              )}
            </span>{' '}
            <code className="jp-SMIso-meta">{result.reason}</code>
            {' · '}
            {trans.__('evidence: %1', result.mode ?? 'offline')}
          </>
        )}
      </p>
      <dl className="jp-SMIso-explain-fields">
        <Field label={trans.__('Principal')} value={result.principal} />
        <Field label={trans.__('Action')} value={result.action} />
        <Field label={trans.__('Resource')} value={result.resource} />
        <Field label={trans.__('Operation')} value={result.operation} />
        <Field label={trans.__('Policy type')} value={result.policy_type} />
        <Field label={trans.__('Policy ARN')} value={result.policy_arn} />
      </dl>
      {result.truncated && (
        <p className="jp-SMIso-meta">
          {trans.__('The message was cut to its first 64 KiB.')}
        </p>
      )}
      <ChecksView result={result} trans={trans} />
      <ol className="jp-SMIso-causes">
        {result.causes.map(c => (
          <CauseView key={c.id} cause={c} trans={trans} />
        ))}
      </ol>
    </div>
  );
}
