import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { ITemplate } from '../tokens';
import { CopyButton } from './CopyButton';
import { VerdictBadge } from './VerdictBadge';

/** The isolation policy templates for the domain, the verdict each gives per role, copy buttons. */
export function TemplatesSection(props: {
  templates: ITemplate[];
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  if (props.templates.length === 0) {
    return (
      <p className="jp-SMIso-meta">
        {trans.__('No templates in this report.')}
      </p>
    );
  }
  return (
    <div className="jp-SMIso-templates">
      {props.templates.map(t => (
        <div
          key={t.variant}
          className="jp-SMIso-template"
          data-variant={t.variant}
        >
          <h4>
            {t.variant === 'deny'
              ? trans.__('Deny-based variant (works beside broad Allows)')
              : t.variant === 'allow'
                ? trans.__(
                    'Allow-only policy (isolates as the role’s only SageMaker grant)'
                  )
                : t.variant === 'aws-doc'
                  ? trans.__(
                      'AWS documentation policy, verbatim (does not isolate alone)'
                    )
                  : t.variant}
          </h4>
          <div className="jp-SMIso-meta">
            <code>{t.name}</code>
          </div>
          <div className="jp-SMIso-meta">
            <code>{t.arn}</code>
          </div>
          {t.roles && t.roles.length > 0 && (
            <table className="jp-SMIso-table">
              <thead>
                <tr>
                  <th scope="col">{trans.__('Role')}</th>
                  <th scope="col">{trans.__('Now')}</th>
                  <th scope="col">{trans.__('With this policy')}</th>
                </tr>
              </thead>
              <tbody>
                {t.roles.map((r, i) => (
                  <tr key={i}>
                    <td title={r.arn ?? undefined}>{r.name ?? r.arn ?? '-'}</td>
                    <td>
                      <VerdictBadge verdict={r.verdict_before} trans={trans} />
                    </td>
                    <td>
                      <VerdictBadge verdict={r.verdict_after} trans={trans} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="jp-SMIso-actions">
            <CopyButton
              label={trans.__('Copy policy JSON')}
              ariaLabel={trans.__(
                'Copy policy JSON of %1 (%2)',
                t.name,
                t.variant
              )}
              text={() => JSON.stringify(t.document, null, 2)}
              trans={trans}
            />
            <CopyButton
              label={trans.__('Copy policy name')}
              ariaLabel={trans.__('Copy policy name %1', t.name)}
              text={() => t.name}
              trans={trans}
            />
          </div>
        </div>
      ))}
    </div>
  );
}
