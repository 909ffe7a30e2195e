/**
 * What the admin section shows of a plan (roles before/after, steps, validation, policy diff) and
 * of a change record (its steps with their outcome).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IChangeRecord, IPlan } from '../tokens';
import { VerdictBadge } from './VerdictBadge';

/** The steps of a change record, each with its status and error. */
export function StepList(props: {
  record: IChangeRecord;
  trans: TranslationBundle;
}): JSX.Element {
  const steps = props.record.steps ?? [];
  if (steps.length === 0) {
    return <p className="jp-SMIso-meta">{props.trans.__('No step to run.')}</p>;
  }
  return (
    <ol className="jp-SMIso-admin-steps">
      {steps.map(s => (
        <li key={s.index} data-status={s.status}>
          <code>{s.op}</code> <strong>{s.status}</strong>
          {s.detail ? ` – ${s.detail}` : ''}
          {s.error?.message ? ` – ${s.error.code}: ${s.error.message}` : ''}
        </li>
      ))}
    </ol>
  );
}

/** A plan: the roles' verdicts before and after, the steps, the validation, the diff. */
export function PlanView(props: {
  plan: IPlan;
  trans: TranslationBundle;
}): JSX.Element {
  const { plan, trans } = props;
  return (
    <div className="jp-SMIso-admin-plan" data-testid="jp-SMIso-admin-plan">
      <table className="jp-SMIso-table">
        <thead>
          <tr>
            <th scope="col">{trans.__('Role')}</th>
            <th scope="col">{trans.__('Before')}</th>
            <th scope="col">{trans.__('After')}</th>
          </tr>
        </thead>
        <tbody>
          {plan.roles.map(r => (
            <tr
              key={r.arn}
              data-role={r.name ?? r.arn}
              data-selected={r.selected ? 'true' : 'false'}
            >
              <td title={r.arn}>
                {r.name ?? r.arn}
                {!r.selected && r.affected ? ` (${trans.__('affected')})` : ''}
              </td>
              <td data-testid="jp-SMIso-admin-before">
                <VerdictBadge verdict={r.verdict_before} trans={trans} />
              </td>
              <td data-testid="jp-SMIso-admin-after">
                <VerdictBadge verdict={r.verdict_after} trans={trans} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>{trans.__('Steps')}</h4>
      {plan.steps.length === 0 ? (
        <p className="jp-SMIso-meta">
          {trans.__('Nothing to do: the plan is already in place.')}
        </p>
      ) : (
        <ol className="jp-SMIso-admin-steps">
          {plan.steps.map(s => (
            <li key={s.index}>
              <code>{s.op}</code>{' '}
              {s.op === 'attach-role-policy'
                ? trans.__(
                    '%1 to %2',
                    (s.policy_arn ?? '').split('/').pop() ?? '',
                    s.role_name ?? s.role_arn ?? ''
                  )
                : (s.policy_name ?? '')}
              {s.delete_version
                ? ` ${trans.__('(deletes old version %1 after saving it)', s.delete_version)}`
                : ''}
            </li>
          ))}
        </ol>
      )}
      <h4>{trans.__('Validation')}</h4>
      <ul className="jp-SMIso-admin-checks">
        {plan.validation.checks.map((c, i) => (
          <li
            key={i}
            data-ok={c.ok === null ? 'n/a' : String(c.ok)}
            className={c.ok === false ? 'jp-SMIso-admin-fail' : undefined}
          >
            <strong>
              {c.ok === null
                ? trans.__('n/a')
                : c.ok
                  ? trans.__('ok')
                  : trans.__('failed')}
            </strong>{' '}
            {c.id}: {c.detail}
          </li>
        ))}
      </ul>
      {plan.recommendations.map((r, i) => (
        <p
          key={i}
          className="jp-SMIso-state jp-SMIso-state-warn"
          data-testid="jp-SMIso-admin-recommendation"
        >
          {r.text}
        </p>
      ))}
      {plan.warnings.map((w, i) => (
        <p key={i} className="jp-SMIso-meta">
          {trans.__('Warning: %1', w)}
        </p>
      ))}
      {plan.policy.diff.length > 0 && (
        <details>
          <summary>{trans.__('Policy diff (%1)', plan.policy.name)}</summary>
          <pre className="jp-SMIso-admin-diff">
            {plan.policy.diff.join('\n')}
          </pre>
        </details>
      )}
    </div>
  );
}
