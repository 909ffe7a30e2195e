/**
 * Which Regions and accounts the overview reads: the `check --all-domains` options
 * (`--regions`, `--all-regions`, `--accounts`, `--org`, `--assume-role`). Other accounts are
 * refused by the server unless its operator enabled them; the refusal is shown as it comes.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { splitList } from './OverviewModel';
import type { IOverviewRequest } from '../tokens';

export function ScopeForm(props: {
  initial: IOverviewRequest;
  /** The server lets the overview enter other accounts (else those fields are not shown). */
  otherAccounts: boolean;
  disabled: boolean;
  onSubmit: (request: IOverviewRequest) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { initial, trans } = props;
  const [regions, setRegions] = React.useState(
    (initial.regions ?? []).join(', ')
  );
  const [allRegions, setAllRegions] = React.useState(!!initial.all_regions);
  const [accounts, setAccounts] = React.useState(
    (initial.accounts ?? []).join(', ')
  );
  const [org, setOrg] = React.useState(!!initial.org);
  const [role, setRole] = React.useState(initial.assume_role ?? '');
  return (
    <details className="jp-SMIso-ov-scope">
      <summary>{trans.__('Regions and accounts')}</summary>
      <form
        className="jp-SMIso-form"
        onSubmit={e => {
          e.preventDefault();
          props.onSubmit({
            regions: allRegions ? null : splitList(regions),
            all_regions: allRegions,
            accounts: props.otherAccounts && !org ? splitList(accounts) : null,
            org: props.otherAccounts && org,
            assume_role: props.otherAccounts ? role : null,
            refresh: true
          });
        }}
      >
        <label>
          {trans.__('Regions (comma-separated; empty: the server’s Region)')}
          <input
            className="jp-mod-styled"
            value={regions}
            disabled={allRegions}
            placeholder="us-east-1, eu-west-1"
            onChange={e => setRegions(e.target.value)}
          />
        </label>
        <label className="jp-SMIso-ov-check">
          <input
            type="checkbox"
            checked={allRegions}
            onChange={e => setAllRegions(e.target.checked)}
          />
          {trans.__('Every Region SageMaker has in the partition')}
        </label>
        {props.otherAccounts ? (
          <OtherAccounts
            accounts={accounts}
            setAccounts={setAccounts}
            org={org}
            setOrg={setOrg}
            role={role}
            setRole={setRole}
            trans={trans}
          />
        ) : (
          <p className="jp-SMIso-meta">
            {trans.__(
              'This server checks its own account only; its operator can let it enter other accounts (c.SageMakerIsolationApp.overview_other_accounts).'
            )}
          </p>
        )}
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept jp-SMIso-button"
          aria-disabled={props.disabled}
        >
          {trans.__('Check these domains')}
        </button>
      </form>
    </details>
  );
}

function OtherAccounts(props: {
  accounts: string;
  setAccounts: (v: string) => void;
  org: boolean;
  setOrg: (v: boolean) => void;
  role: string;
  setRole: (v: string) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { trans } = props;
  return (
    <>
      <label>
        {trans.__('Other accounts (12-digit ids, comma-separated)')}
        <input
          className="jp-mod-styled"
          value={props.accounts}
          disabled={props.org}
          placeholder="111122223333"
          onChange={e => props.setAccounts(e.target.value)}
        />
      </label>
      <label className="jp-SMIso-ov-check">
        <input
          type="checkbox"
          checked={props.org}
          onChange={e => props.setOrg(e.target.checked)}
        />
        {trans.__('Every account of the AWS Organization')}
      </label>
      <label>
        {trans.__('Role to assume in other accounts')}
        <input
          className="jp-mod-styled"
          value={props.role}
          placeholder="OrganizationAccountAccessRole"
          onChange={e => props.setRole(e.target.value)}
        />
      </label>
    </>
  );
}
