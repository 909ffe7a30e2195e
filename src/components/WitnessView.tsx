import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { IAwsConfirmation, IWitness } from '../tokens';
import { CopyButton } from './CopyButton';

/** The badge of AWS's answer for a witness: kind (for styling) and words. */
export function awsBadge(
  witness: IWitness,
  trans: TranslationBundle
): { kind: 'confirmed' | 'disagrees' | 'error'; text: string } | null {
  const aws = witness.aws;
  if (!aws) {
    return null;
  }
  if (aws.decision === null || aws.decision === undefined) {
    return {
      kind: 'error',
      text: trans.__(
        'AWS could not check: %1',
        aws.error ?? trans.__('no answer')
      )
    };
  }
  if (aws.agrees) {
    return { kind: 'confirmed', text: trans.__('confirmed by AWS') };
  }
  return {
    kind: 'disagrees',
    text: trans.__('AWS disagrees: %1', causeLabel(aws.cause, trans))
  };
}

/** A disagreement cause in words (README "Second opinion from AWS's policy simulator"). */
export function causeLabel(
  cause: string | undefined,
  trans: TranslationBundle
): string {
  switch (cause) {
    case 'scp-or-boundary':
      return trans.__('an SCP or permissions boundary we did not see');
    case 'missing-context':
      return trans.__('a context key we could not give');
    case 'policies-changed':
      return trans.__('the policies changed since the check read them');
    case 'other':
    case undefined:
      return trans.__('unexplained: please report this as a bug');
    default:
      return cause;
  }
}

function contextText(context: Record<string, unknown>): string {
  return Object.entries(context ?? {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(', ');
}

/**
 * The witness of a `cross_domain` entry: the request that proves it, AWS's answer as a badge,
 * and the `aws iam simulate-...` command with a copy button. Collapsed by default.
 */
export function WitnessView(props: {
  witness: IWitness;
  trans: TranslationBundle;
}): JSX.Element {
  const { witness, trans } = props;
  const badge = awsBadge(witness, trans);
  const aws = witness.aws;
  const ctx = contextText(witness.context);
  return (
    <details className="jp-SMIso-witness" data-testid="jp-SMIso-witness">
      <summary>
        {trans.__('Proof request')}
        {badge && (
          <span
            className={`jp-SMIso-tag jp-SMIso-aws-badge jp-SMIso-aws-${badge.kind}`}
            title={aws?.cause_text ?? undefined}
          >
            {badge.text}
          </span>
        )}
      </summary>
      <div className="jp-SMIso-meta">
        <code className="jp-SMIso-witness-request">
          {trans.__(
            '%1 calls %2 on %3',
            witness.principal,
            witness.action,
            witness.resource
          )}
        </code>
      </div>
      {ctx && (
        <div className="jp-SMIso-meta">
          {trans.__('with context:')} <code>{ctx}</code>
        </div>
      )}
      {(witness.conditional_on ?? []).length > 0 && (
        <div className="jp-SMIso-meta">
          {trans.__(
            'unknown to the analysis: %1',
            witness.conditional_on.join(', ')
          )}
        </div>
      )}
      {aws && !aws.agrees && aws.cause_text && (
        <p className="jp-SMIso-detail">{aws.cause_text}</p>
      )}
      {aws?.checked_at && (
        <div className="jp-SMIso-meta">
          {trans.__(
            'AWS answered %1 at %2',
            aws.decision ?? '-',
            aws.checked_at
          )}
        </div>
      )}
      {witness.simulator_command && (
        <div className="jp-SMIso-witness-command">
          <pre>{witness.simulator_command}</pre>
          <CopyButton
            label={trans.__('Copy command')}
            ariaLabel={trans.__(
              'Copy the AWS policy simulator command for %1',
              witness.action
            )}
            text={() => witness.simulator_command ?? ''}
            trans={trans}
          />
        </div>
      )}
    </details>
  );
}

/** The report-level note of the AWS confirmation (and, offline, the files the commands read). */
export function AwsConfirmationNote(props: {
  confirmation?: IAwsConfirmation;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { confirmation, trans } = props;
  if (!confirmation || !confirmation.note) {
    return null;
  }
  return (
    <div
      className="jp-SMIso-aws-note"
      data-testid="jp-SMIso-aws-note"
      data-status={confirmation.status}
    >
      <p className="jp-SMIso-meta">
        <strong>{trans.__('AWS policy simulator:')}</strong> {confirmation.note}
      </p>
      {(confirmation.policy_files ?? []).length > 0 && (
        <ul className="jp-SMIso-entries">
          {(confirmation.policy_files ?? []).map(f => (
            <li key={f.file} className="jp-SMIso-meta">
              <code>{f.file}</code>{' '}
              {f.kind === 'boundary'
                ? trans.__('permissions boundary %1', f.policy)
                : trans.__('policy %1', f.policy)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
