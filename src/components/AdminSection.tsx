import type { ServerConnection } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IReport } from '../api';
import {
  AdminApi,
  isRunning,
  type IChangeRecord,
  type IChangeSummary,
  type IPlan,
  type Variant
} from '../adminApi';
import { VerdictBadge } from './VerdictBadge';

type Phase =
  | { kind: 'choose' }
  | { kind: 'planning' }
  | { kind: 'plan'; plan: IPlan; confirming: boolean }
  | { kind: 'applying'; plan: IPlan; record: IChangeRecord }
  | { kind: 'done'; plan: IPlan; record: IChangeRecord };

/**
 * The last plan/result and rollback per domain id, kept across remounts: the panel replaces the
 * report view while it re-checks the domain after an apply, and the result must stay visible.
 */
const memory = new Map<
  string,
  { phase: Phase; rollback: IChangeRecord | null; open: boolean }
>();

/** Forget the remembered admin results (tests; a new session). */
export function forgetAdminState(): void {
  memory.clear();
}

/** Ids of the Studio flows a plan would take away (each listed before confirming). */
function breakingIds(plan: IPlan): string[] {
  const ids = new Set<string>();
  for (const row of plan.flows_breaking ?? []) {
    for (const f of row.flows) {
      ids.add(f.id);
    }
  }
  return [...ids].sort();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function StepList(props: {
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

function PlanView(props: {
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

/**
 * The admin section: choose variant and roles, preview the plan (before/after verdicts, steps,
 * validation, policy diff), confirm, follow the apply step by step, roll back from the history.
 * Renders nothing unless the server reports `admin_enabled`.
 */
export function AdminSection(props: {
  report: IReport;
  trans: TranslationBundle;
  /** Called after an apply or rollback finished (the panel re-checks the domain). */
  onChanged?: () => void;
  settings?: ServerConnection.ISettings;
  /** Delay between progress polls (ms). */
  pollMs?: number;
}): JSX.Element | null {
  const { report, trans } = props;
  const api = React.useMemo(
    () => new AdminApi(props.settings),
    [props.settings]
  );
  const [enabled, setEnabled] = React.useState<boolean | null>(null);
  const [variant, setVariant] = React.useState<Variant>('deny');
  const roleArns = (report.roles ?? [])
    .map(r => r.arn)
    .filter((a): a is string => !!a);
  const [selected, setSelected] = React.useState<Set<string>>(
    () => new Set(roleArns)
  );
  const saved = memory.get(report.domain.id);
  const [phase, setPhase] = React.useState<Phase>(
    saved && saved.phase.kind !== 'planning' ? saved.phase : { kind: 'choose' }
  );
  const [error, setError] = React.useState<string | null>(null);
  const [history, setHistory] = React.useState<IChangeSummary[]>([]);
  const [rollback, setRollback] = React.useState<IChangeRecord | null>(
    saved?.rollback ?? null
  );
  const [open, setOpen] = React.useState<boolean>(saved?.open ?? false);
  React.useEffect(() => {
    memory.set(report.domain.id, { phase, rollback, open });
  }, [report.domain.id, phase, rollback, open]);
  const alive = React.useRef(true);
  React.useEffect(
    () => () => {
      alive.current = false;
    },
    []
  );

  const loadHistory = React.useCallback(async () => {
    try {
      const h = await api.changes();
      if (alive.current) {
        setHistory(
          h.filter(c => !c.domain_id || c.domain_id === report.domain.id)
        );
      }
    } catch (e) {
      if (alive.current) {
        setError(errorText(e));
      }
    }
  }, [api, report.domain.id]);

  const follow = async (plan: IPlan, id: string) => {
    let record: IChangeRecord = { id, kind: 'apply', status: 'running' };
    while (alive.current && isRunning(record)) {
      await new Promise(r => setTimeout(r, props.pollMs ?? 500));
      record = await api.change(id);
      if (alive.current) {
        setPhase(
          isRunning(record)
            ? { kind: 'applying', plan, record }
            : { kind: 'done', plan, record }
        );
      }
    }
    if (alive.current) {
      await loadHistory();
      props.onChanged?.();
    }
  };

  React.useEffect(() => {
    // Remounted while an apply runs (the panel re-rendered): keep following it.
    if (phase.kind === 'applying') {
      void follow(phase.plan, phase.record.id).catch(e =>
        alive.current ? setError(errorText(e)) : undefined
      );
    }
  }, []);

  React.useEffect(() => {
    api
      .enabled()
      .then(ok => {
        if (alive.current) {
          setEnabled(ok);
          if (ok) {
            void loadHistory();
          }
        }
      })
      .catch(() => alive.current && setEnabled(false));
  }, [api, loadHistory]);

  if (!enabled) {
    return null;
  }

  const target = {
    domain_id: report.domain.id,
    region: report.domain.region ?? undefined
  };
  const preview = async () => {
    setError(null);
    setPhase({ kind: 'planning' });
    try {
      const all = selected.size === roleArns.length;
      const plan = await api.plan(target, variant, all ? null : [...selected]);
      if (alive.current) {
        setPhase({ kind: 'plan', plan, confirming: false });
      }
    } catch (e) {
      if (alive.current) {
        setError(errorText(e));
        setPhase({ kind: 'choose' });
      }
    }
  };

  const apply = async (plan: IPlan) => {
    setError(null);
    try {
      // The confirm step listed these flows by id: confirming applies with them.
      const started = await api.apply(plan.plan_hash, breakingIds(plan));
      setPhase({
        kind: 'applying',
        plan,
        record: { id: started.id, kind: 'apply', status: 'running' }
      });
      await follow(plan, started.id);
    } catch (e) {
      if (alive.current) {
        setError(errorText(e));
      }
    }
  };

  const startRollback = async (id: string, dryRun: boolean) => {
    setError(null);
    try {
      const rec = await api.rollback(id, dryRun);
      if (!alive.current) {
        return;
      }
      setRollback(rec);
      if (!dryRun) {
        await loadHistory();
        props.onChanged?.();
      }
    } catch (e) {
      if (alive.current) {
        setError(errorText(e));
      }
    }
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
      open={open}
      onToggle={e => setOpen((e.currentTarget as HTMLDetailsElement).open)}
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
                void preview();
              }
            }}
          >
            {phase.kind === 'planning'
              ? trans.__('Planning…')
              : trans.__('Preview plan')}
          </button>
        </div>
        {error && (
          <p className="jp-SMIso-state jp-SMIso-state-error" role="alert">
            {error}
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
                onClick={() => setPhase({ ...phase, confirming: true })}
              >
                {trans.__('Apply…')}
              </button>
            ) : (
              <>
                {(phase.plan.flows_breaking ?? []).length > 0 && (
                  <div
                    className="jp-SMIso-state jp-SMIso-state-error"
                    data-testid="jp-SMIso-admin-flows-breaking"
                    role="alert"
                  >
                    {trans.__(
                      'These Studio flows work now and would stop working; confirming applies anyway:'
                    )}
                    <ul>
                      {(phase.plan.flows_breaking ?? []).map(row =>
                        row.flows.map(f => (
                          <li key={`${row.role}:${f.id}`}>
                            {row.role_name}: {f.title} (<code>{f.id}</code>,{' '}
                            {f.status_after})
                          </li>
                        ))
                      )}
                    </ul>
                  </div>
                )}
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
                  onClick={() => void apply(phase.plan)}
                >
                  {trans.__('Confirm apply')}
                </button>
                <button
                  className="jp-mod-styled jp-mod-reject"
                  onClick={() => setPhase({ ...phase, confirming: false })}
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
        <h4>{trans.__('History')}</h4>
        {history.length === 0 ? (
          <p className="jp-SMIso-meta">{trans.__('No change recorded.')}</p>
        ) : (
          <ul
            className="jp-SMIso-admin-history"
            data-testid="jp-SMIso-admin-history"
          >
            {history.map(c => (
              <li key={c.id} data-kind={c.kind} data-status={c.status}>
                <code>{c.id}</code> {c.kind} {c.status} ({c.steps_done}/
                {c.steps_total})
                {c.rolled_back_by ? ` ${trans.__('rolled back')}` : ''}
                {c.kind === 'apply' && !c.rolled_back_by && (
                  <button
                    className="jp-mod-styled"
                    data-testid="jp-SMIso-admin-rollback"
                    onClick={() => void startRollback(c.id, true)}
                  >
                    {trans.__('Roll back…')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        {rollback && (
          <div
            className="jp-SMIso-admin-result"
            data-testid="jp-SMIso-admin-rollback-result"
            data-status={rollback.status}
          >
            <h4>
              {rollback.status === 'planned'
                ? trans.__(
                    'Rollback of %1 (preview)',
                    rollback.rollback_of ?? ''
                  )
                : trans.__(
                    'Rollback of %1: %2',
                    rollback.rollback_of ?? '',
                    rollback.status
                  )}
            </h4>
            <StepList record={rollback} trans={trans} />
            {rollback.status === 'planned' &&
              (rollback.steps ?? []).length > 0 && (
                <button
                  className="jp-mod-styled jp-mod-warn"
                  data-testid="jp-SMIso-admin-rollback-confirm"
                  onClick={() =>
                    void startRollback(rollback.rollback_of ?? '', false)
                  }
                >
                  {trans.__('Confirm rollback')}
                </button>
              )}
          </div>
        )}
      </div>
    </details>
  );
}
