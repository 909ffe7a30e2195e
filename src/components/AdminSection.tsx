/**
 * The admin section: choose variant and roles, preview the plan (before/after verdicts, steps,
 * validation, policy diff), confirm, follow the apply step by step, roll back from the history.
 * Renders `AdminModel`'s state for the report's domain; nothing unless the handshake said
 * `admin_enabled`.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { AdminModel } from '../model';
import type { IReport, Variant } from '../tokens';
import { AdminHistory } from './AdminHistory';
import { PlanView, StepList } from './AdminPlanView';
import { useModelState } from './useModel';

/** The section for `report`'s domain; an apply or rollback re-checks it (`IsolationModel`). */
export function AdminSection(props: {
  report: IReport;
  model: AdminModel;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { report, model, trans } = props;
  const domainId = report.domain.id;
  const { enabled, state } = useModelState(model.stateChanged, () => ({
    enabled: model.enabled,
    state: model.stateFor(domainId)
  }));
  const [variant, setVariant] = React.useState<Variant>('deny');
  const roleArns = (report.roles ?? [])
    .map(r => r.arn)
    .filter((a): a is string => !!a);
  const [selected, setSelected] = React.useState<Set<string>>(
    () => new Set(roleArns)
  );
  React.useEffect(() => {
    void model.show(domainId);
  }, [model, domainId, enabled]);

  if (!enabled) {
    return null;
  }
  const phase = state.phase;
  const preview = () => {
    const all = selected.size === roleArns.length;
    void model.preview(
      { domain_id: domainId, region: report.domain.region ?? undefined },
      variant,
      all ? null : [...selected]
    );
  };
  const toggle = (arn: string) => {
    const next = new Set(selected);
    if (next.has(arn)) {
      next.delete(arn);
    } else {
      next.add(arn);
    }
    setSelected(next);
  };

  return (
    <details
      className="jp-SMIso-section"
      data-section="admin"
      open={state.open}
      onToggle={e =>
        model.setOpen(domainId, (e.currentTarget as HTMLDetailsElement).open)
      }
    >
      <summary>
        <h3 className="jp-SMIso-section-title" id="jp-SMIso-section-admin">
          {trans.__('Apply isolation (admin)')}
        </h3>
      </summary>
      <div
        className="jp-SMIso-section-body jp-SMIso-admin"
        data-testid="jp-SMIso-admin"
        role="region"
        aria-labelledby="jp-SMIso-section-admin"
      >
        <p className="jp-SMIso-meta">
          {trans.__(
            'Apply the isolation policy to this domain’s execution roles. Preview first: nothing changes until you confirm.'
          )}
        </p>
        <fieldset className="jp-SMIso-admin-variant">
          <legend>{trans.__('Policy')}</legend>
          {(['deny', 'allow', 'aws-doc'] as Variant[]).map(v => (
            <label key={v}>
              <input
                type="radio"
                name="jp-SMIso-admin-variant"
                value={v}
                checked={variant === v}
                onChange={() => setVariant(v)}
              />{' '}
              {v === 'deny'
                ? trans.__('Deny variant (works beside broad Allows)')
                : v === 'allow'
                  ? trans.__(
                      'Allow-only policy (isolates as the role’s only SageMaker grant)'
                    )
                  : trans.__(
                      'AWS documentation policy, verbatim (does not isolate alone)'
                    )}
            </label>
          ))}
        </fieldset>
        <fieldset className="jp-SMIso-admin-roles">
          <legend>{trans.__('Roles')}</legend>
          {(report.roles ?? [])
            .filter(r => r.arn)
            .map(r => (
              <label key={r.arn as string}>
                <input
                  type="checkbox"
                  checked={selected.has(r.arn as string)}
                  onChange={() => toggle(r.arn as string)}
                />{' '}
                {r.name ?? r.arn} ({r.used_by.join(', ')})
              </label>
            ))}
        </fieldset>
        <div className="jp-SMIso-actions">
          <button
            className="jp-mod-styled jp-mod-accept"
            data-testid="jp-SMIso-admin-preview"
            disabled={selected.size === 0}
            aria-disabled={
              phase.kind === 'planning' || phase.kind === 'applying'
            }
            onClick={() => {
              // Busy: aria-disabled (keeps the focus), so the click is ignored here.
              if (phase.kind !== 'planning' && phase.kind !== 'applying') {
                preview();
              }
            }}
          >
            {phase.kind === 'planning'
              ? trans.__('Planning…')
              : trans.__('Preview plan')}
          </button>
        </div>
        {state.error && (
          <p className="jp-SMIso-state jp-SMIso-state-error" role="alert">
            {state.error}
          </p>
        )}
        {phase.kind !== 'choose' && phase.kind !== 'planning' && (
          <PlanView plan={phase.plan} trans={trans} />
        )}
        {phase.kind === 'plan' && phase.plan.steps.length > 0 && (
          <div className="jp-SMIso-actions">
            {!phase.confirming ? (
              <button
                className="jp-mod-styled jp-mod-warn"
                data-testid="jp-SMIso-admin-apply"
                disabled={!phase.plan.validation.ok}
                onClick={() => model.setConfirming(domainId, true)}
              >
                {trans.__('Apply…')}
              </button>
            ) : (
              <>
                <span>
                  {trans.__(
                    'Run %1 IAM step(s) in account %2?',
                    phase.plan.steps.length,
                    phase.plan.account_id
                  )}
                </span>{' '}
                <button
                  className="jp-mod-styled jp-mod-warn"
                  data-testid="jp-SMIso-admin-confirm"
                  onClick={() => void model.apply(domainId, phase.plan)}
                >
                  {trans.__('Confirm apply')}
                </button>
                <button
                  className="jp-mod-styled jp-mod-reject"
                  onClick={() => model.setConfirming(domainId, false)}
                >
                  {trans.__('Cancel')}
                </button>
              </>
            )}
          </div>
        )}
        {(phase.kind === 'applying' || phase.kind === 'done') && (
          <div
            className="jp-SMIso-admin-result"
            data-testid="jp-SMIso-admin-result"
            data-status={phase.record.status}
            aria-live="polite"
          >
            <h4>
              {trans.__('Change %1: %2', phase.record.id, phase.record.status)}
            </h4>
            <StepList record={phase.record} trans={trans} />
            {phase.record.error?.message && (
              <p role="alert">{phase.record.error.message}</p>
            )}
          </div>
        )}
        <AdminHistory
          history={state.history}
          rollback={state.rollback}
          onRollback={(id, dryRun) => void model.rollback(domainId, id, dryRun)}
          trans={trans}
        />
      </div>
    </details>
  );
}
