import { Clipboard } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

/**
 * A button that copies `text()` to the system clipboard (`Clipboard.copyToSystem`) and says
 * "Copied" for two seconds.
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
  return (
    <button
      className="jp-mod-styled jp-SMIso-button jp-SMIso-copy"
      aria-label={props.ariaLabel ?? props.label}
      onClick={() => {
        Clipboard.copyToSystem(props.text());
        setCopied(true);
      }}
    >
      {copied ? props.trans.__('Copied') : props.label}
    </button>
  );
}
