/**
 * The page selection, for the "Explain Selected AccessDenied" command (DOM only, no server call).
 */

/** The text the user has selected in the page (a notebook output, an editor), or ''. */
export function selectedText(win: Window = window): string {
  const selection = win.getSelection?.();
  return selection ? selection.toString() : '';
}

/**
 * Remembers the last non-empty page selection (`selectionchange`), because opening the command
 * palette moves the focus and can clear `window.getSelection()` before the command runs.
 * Selections inside `ignoreSelector` (the palette, the box itself) are not remembered.
 */
export class SelectionTracker {
  constructor(
    private readonly _doc: Document = document,
    private readonly _ignoreSelector = '.lm-CommandPalette, .jp-SMIso-explain',
    private readonly _maxAgeMs = 120_000
  ) {
    this._doc.addEventListener('selectionchange', this._onChange);
  }

  /** The current selection if non-empty, else the one remembered (if recent), else ''. */
  text(): string {
    const now = selectedText(this._doc.defaultView ?? window);
    if (now.trim()) {
      return now;
    }
    return Date.now() - this._at <= this._maxAgeMs ? this._last : '';
  }

  /** Stop listening. */
  dispose(): void {
    this._doc.removeEventListener('selectionchange', this._onChange);
  }

  private _onChange = (): void => {
    const selection = this._doc.getSelection?.();
    const text = selection ? selection.toString() : '';
    if (!text.trim()) {
      return;
    }
    const node = selection?.anchorNode ?? null;
    const element =
      node && node.nodeType === 1
        ? (node as Element)
        : (node?.parentElement ?? null);
    if (element && element.closest(this._ignoreSelector)) {
      return;
    }
    this._last = text;
    this._at = Date.now();
  };

  private _last = '';
  private _at = 0;
}
