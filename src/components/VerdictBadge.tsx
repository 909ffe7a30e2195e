import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import type { Verdict } from '../tokens';
import { normaliseVerdict } from '../leaks';

/** The translated label of a verdict. */
export function verdictLabel(
  verdict: Verdict,
  trans: TranslationBundle
): string {
  switch (normaliseVerdict(verdict)) {
    case 'isolated':
      return trans.__('Isolated');
    case 'not_isolated':
      return trans.__('Not isolated');
    default:
      return trans.__('Unknown');
  }
}

/** A coloured badge for a domain or role verdict (`jp-SMIso-badge-<verdict>`). */
export function VerdictBadge(props: {
  verdict: Verdict;
  trans: TranslationBundle;
  large?: boolean;
}): JSX.Element {
  const verdict = normaliseVerdict(props.verdict);
  return (
    <span
      className={`jp-SMIso-badge jp-SMIso-badge-${verdict}${
        props.large ? ' jp-SMIso-badge-large' : ''
      }`}
      data-verdict={verdict}
    >
      {verdictLabel(verdict, props.trans)}
    </span>
  );
}
