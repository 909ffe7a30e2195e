import { Clipboard } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { SR_ONLY_CLASS } from '../a11y';

/**
 * A button that copies `text()` to the system clipboard (`Clipboard.copyToSystem`) and says
 * "Copied" for two seconds. The confirmation is also put in an always-mounted, visually hidden
 * `role=status` region, so it is announced even when `ariaLabel` names the button.
 */
export function CopyButton(props: {
  label: string;
  ariaLabel?: string;
  text: () => string;
  trans: TranslationBundle;
}): JSX.Element {
  const [copied, setCopied] = React.useState(false);
  React.useEffect(() => {
    if (!copied) {
      return;
    }
    const t = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(t);
  }, [copied]);
  const copiedText = props.trans.__('Copied');
  return (
    <>
      <button
        className="jp-mod-styled jp-SMIso-button jp-SMIso-copy"
        aria-label={props.ariaLabel}
        onClick={() => {
          Clipboard.copyToSystem(props.text());
          setCopied(true);
        }}
      >
        {copied ? copiedText : props.label}
      </button>
      <span className={SR_ONLY_CLASS} role="status">
        {copied ? copiedText : ''}
      </span>
    </>
  );
}
