/**
 * Accessibility helpers shared by the panel, the Explain box and the status-bar item: the text of
 * the always-mounted `role=status` regions, and focus management (focus is never left on
 * `<body>` when a control the user was on disappears or a piece of work finishes).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';
import { normaliseVerdict } from './leaks';
import { viewOf } from './model';
import type { IModelState } from './tokens';

/**
 * The panel status region's text for a state ("Checking…", "Verdict: not isolated", ...).
 *
 * @param state the model's state.
 * @param trans the extension's translation bundle.
 * @returns a short sentence; it changes only when the view or the verdict changes, so a screen
 *   reader announces each step once (progress counts are left out on purpose).
 */
export function panelAnnouncement(
  state: IModelState,
  trans: TranslationBundle
): string {
  switch (viewOf(state)) {
    case 'probing':
      return trans.__('Connecting to the server extension…');
    case 'server-missing':
    case 'server-mismatch':
      return trans.__('Server extension missing or different version');
    case 'server-error':
      return trans.__('Cannot reach the Jupyter server');
    case 'need-domain':
      return trans.__('Enter a domain to check');
    case 'idle':
      return trans.__('No check has run for this domain yet');
    case 'checking':
      return trans.__('Checking…');
    case 'no-credentials':
      return trans.__('Check stopped: missing AWS credentials');
    case 'aws-unreachable':
      return trans.__('Check stopped: AWS is not reachable or readable');
    case 'failed':
      return trans.__('The check failed');
    case 'report': {
      const verdict = normaliseVerdict(state.job?.report?.verdict);
      return verdict === 'isolated'
        ? trans.__('Verdict: isolated')
        : verdict === 'not_isolated'
          ? trans.__('Verdict: not isolated')
          : trans.__('Verdict: unknown');
    }
  }
}

/** Class of the visually hidden (screen-reader only) live regions (style/base.css). */
export const SR_ONLY_CLASS = 'jp-SMIso-sr-only';

/**
 * Focus `el` (made programmatically focusable by `tabIndex=-1` where needed) without scrolling
 * the sidebar more than needed.
 *
 * @returns true when `el` has the focus afterwards.
 */
export function focusElement(el: HTMLElement | null | undefined): boolean {
  if (!el || !el.isConnected) {
    return false;
  }
  el.focus();
  return el.ownerDocument.activeElement === el;
}

/** True when nothing has the focus (`document.activeElement` is `<body>` or null). */
export function focusIsLost(doc: Document = document): boolean {
  const active = doc.activeElement;
  return !active || active === doc.body;
}

/**
 * Tracks whether the keyboard focus is (or was, until its element was removed) inside the element
 * of `ref`. Focus moving elsewhere on purpose (another focusable element, or a click outside on a
 * still-present element) clears the flag; an element removed while focused does not.
 *
 * @returns the handlers to spread on the root element and a function telling whether the focus
 *   belongs to the root.
 */
export function useFocusWithin(ref: React.RefObject<HTMLElement>): {
  onFocus: () => void;
  onBlur: (e: React.FocusEvent<HTMLElement>) => void;
  owns: () => boolean;
} {
  const inside = React.useRef(false);
  const onFocus = React.useCallback(() => {
    inside.current = true;
  }, []);
  const onBlur = React.useCallback(
    (e: React.FocusEvent<HTMLElement>) => {
      const next = e.relatedTarget as Node | null;
      if (next) {
        inside.current = Boolean(ref.current?.contains(next));
        return;
      }
      // Focus went to <body>: on purpose if the element still exists, else it was removed.
      const left = e.target as HTMLElement;
      setTimeout(() => {
        if (
          left.isConnected &&
          !ref.current?.contains(document.activeElement)
        ) {
          inside.current = false;
        }
      }, 0);
    },
    [ref]
  );
  const owns = React.useCallback(() => {
    const root = ref.current;
    if (!root) {
      return false;
    }
    return (
      root.contains(document.activeElement) ||
      (inside.current && focusIsLost(root.ownerDocument))
    );
  }, [ref]);
  return { onFocus, onBlur, owns };
}
