"""Notebook helpers: explain an AccessDenied from a notebook cell.

```python
from sagemaker_isolation_ext.notebook.explain import explain_access_denied
explain_access_denied()                      # the last exception raised in this kernel
explain_access_denied("An error occurred (AccessDeniedException) ...", offline=True)
```

The returned :class:`Explanation` renders as HTML in Jupyter (``_repr_html_``; every value from
the message or from AWS is HTML-escaped), as text in a terminal IPython (``_repr_pretty_``) and
with ``str()``; ``.to_json()`` gives the same dict as ``sagemaker-isolation explain --format
json``.
"""

from __future__ import annotations

import html
import json
import sys

from sagemaker_isolation_ext.sagemaker.access_denied import (
    CHECK_WORDS,
    REASON_WORDS,
    render_text,
    report_checks,
)

__all__ = ["Explanation", "explain_access_denied"]

_FIELDS = ("principal", "action", "resource", "operation", "reason", "policy_type", "policy_arn",
           "error_code")


def _e(value) -> str:
    """HTML-escape any value (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


class Explanation:
    """The explanation of one AccessDenied message.

    Attributes:
        result: the explain dict (``sagemaker_isolation_ext.sagemaker.access_denied.explain``'s shape
            plus ``context`` / ``live``), see docs/EXPLAIN.md.
    """

    def __init__(self, result: dict) -> None:
        self.result = result

    @property
    def causes(self) -> list[dict]:
        """The ranked causes (best first)."""
        return list(self.result.get("causes") or [])

    @property
    def top_cause(self) -> dict | None:
        """The most likely cause, or None."""
        return self.causes[0] if self.causes else None

    def to_json(self) -> dict:
        """The explanation as a JSON-ready dict (a deep copy)."""
        return json.loads(json.dumps(self.result))

    def __str__(self) -> str:
        return render_text(self.result)

    def __repr__(self) -> str:
        top = self.top_cause
        return f"<Explanation reason={self.result.get('reason')!r} top={top and top['id']!r}>"

    def _repr_pretty_(self, p, cycle: bool) -> None:
        """IPython's pretty printer: the plain-text rendering."""
        p.text(repr(self) if cycle else str(self))

    def _repr_html_(self) -> str:
        """Rich HTML for Jupyter; every dynamic value is escaped with ``html.escape``."""
        r = self.result
        parts = ['<div class="sagemaker-isolation-explain" style="font-family: var(--jp-ui-font-'
                 'family, sans-serif); line-height: 1.4">']
        if r.get("reason") is None:
            parts.append("<p><strong>Not an AWS authorization error message.</strong></p>")
        else:
            words = REASON_WORDS.get(r.get("reason"), r.get("reason"))
            parts.append(f"<p><strong>Denied: {_e(words)}</strong> "
                         f"<code title=\"reason id\">{_e(r.get('reason'))}</code>"
                         f" &middot; evidence: {_e(r.get('mode', 'offline'))}</p>")
        rows = "".join(f"<tr><th style=\"text-align:left;padding-right:1em\">{_e(k)}</th>"
                       f"<td><code>{_e(r.get(k))}</code></td></tr>"
                       for k in _FIELDS if r.get(k))
        if rows:
            parts.append(f"<table>{rows}</table>")
        if r.get("truncated"):
            parts.append("<p><em>The input was cut to its first 64 KiB.</em></p>")
        checked, not_checked = report_checks(r)
        checks = "".join(
            f"<li>checked {_e(CHECK_WORDS.get(x.get('check'), x.get('check')))}: "
            f"{_e(x.get('result'))}</li>" for x in checked)
        checks += "".join(
            f"<li>not checked {_e(CHECK_WORDS.get(x.get('check'), x.get('check')))}: "
            f"{_e(x.get('why'))}"
            + (f"<details><summary>Answer received</summary><pre>{_e(x['body'])}</pre>"
               "</details>" if x.get("body") else "")
            + "</li>" for x in not_checked)
        if checks:
            parts.append(f"<ul>{checks}</ul>")
        parts.append("<ol>")
        for c in self.causes:
            parts.append(
                f"<li><p><strong>{_e(c.get('title'))}</strong> "
                f"<small>[{_e(c.get('confidence'))}] <code>{_e(c.get('id'))}</code></small></p>"
                f"<p>{_e(c.get('detail'))}</p>"
                f"<p><strong>Fix:</strong> <code style=\"white-space:pre-wrap\">"
                f"{_e(c.get('fix'))}</code></p></li>"
            )
        parts.append("</ol></div>")
        return "".join(parts)


def _last_exception_text() -> str | None:
    """The text of the last exception the kernel showed (IPython stores it in
    ``sys.last_value``; Python 3.12 also in ``sys.last_exc``), or None."""
    exc = getattr(sys, "last_exc", None) or getattr(sys, "last_value", None)
    if exc is None:
        return None
    return f"{type(exc).__name__}: {exc}"


def explain_access_denied(text: str | BaseException | None = None, offline: bool = False,
                          **options) -> Explanation:
    """Explain an AccessDenied in a notebook.

    Args:
        text: the message; an exception object (its ``str``); or None for the last exception
            raised in this kernel.
        offline: True: explain from the message alone, no AWS call.
        **options: passed to :func:`sagemaker_isolation_ext.aws.evidence.explain_text`
            (``domain_id``, ``region``, ``profile``, ``endpoint_url``, ...).

    Returns:
        :class:`Explanation`. With no text and no previous exception, an Explanation whose one
        cause is ``not-an-authorization-error`` (it says no text was given). A malformed
        ``domain_id``/``region`` also gives an Explanation stating the problem (no traceback).
    """
    from sagemaker_isolation_ext.aws.evidence import explain_text
    from sagemaker_isolation_ext.aws.target import ContextError

    if isinstance(text, BaseException):
        text = f"{type(text).__name__}: {text}"
    if text is None:
        text = _last_exception_text()
        if text is None:
            return Explanation(_no_text("No text was given and no exception has been raised in "
                                        "this kernel yet: pass the error message as text."))
    try:
        result = explain_text(text, offline=offline, **options)
    except ContextError as e:
        return Explanation(_no_text(f"Bad option: {e.message}"))
    return Explanation(result)


def _no_text(why: str) -> dict:
    from sagemaker_isolation_ext.sagemaker.access_denied import explain_message

    result = explain_message("")
    result["causes"][0]["detail"] = why
    return result
