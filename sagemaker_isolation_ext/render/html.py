"""The HTML rendering of a report, of an AccessDenied explanation and of the coverage table.

Written once, used by every entry point that shows HTML: the notebook's rich display
(``IsolationReport._repr_html_``, ``Explanation._repr_html_``) and the standalone page (the
``fragments/*`` routes of ``server/page_routes.py`` answer these fragments; ``page.js`` only
inserts them).

Every value from a report, a message or AWS goes through :func:`html.escape` (quotes too); the
markup around it is ours. Two looks of the same markup:

- ``page=False`` (notebook): no stylesheet is loaded in an output cell, so the elements carry
  ``style`` attributes (text/background pairs of at least 4.5:1, as ``page.css``);
- ``page=True`` (standalone page): classes only, styled by ``static/standalone/page.css``, plus
  the element ids and the "Copy command" buttons the page's script wires up.

The ``data-testid`` / ``data-*`` attributes are the same in both (tests and the page's Playwright
specs find elements by them).
"""

from __future__ import annotations

from html import escape
from typing import Any

from .text import (
    SEVERITY_ORDER,
    coverage_why,
    experience_words,
    explain_checks,
    flow_problem,
    flows_words,
    plural,
    role_words,
    statement_label,
    used_by_words,
)

__all__ = ["VERDICT_WORDS", "coverage_html", "explain_html", "report_html"]

#: A verdict id in words (the badge and the pills).
VERDICT_WORDS = {"isolated": "Isolated", "not_isolated": "Not isolated", "unknown": "Unknown"}

#: How many leaking actions a role lists (the JSON has them all).
MAX_ACTIONS = 20
#: How many coverage rows the coverage fragment lists.
MAX_COVERAGE_ROWS = 60

_EXPLAIN_FIELDS = (
    "principal",
    "action",
    "resource",
    "operation",
    "policy_type",
    "policy_arn",
    "error_code",
)

# The notebook's inline styles (the page styles the same classes from page.css). Colours: white
# on green-900 / red-700, black on orange-700 / cyan-700 (>= 4.5:1, WCAG 2.1 AA).
_FILL = {
    "good": "background:#1b5e20;color:#fff;border-color:#1b5e20",
    "bad": "background:#d32f2f;color:#fff;border-color:#d32f2f",
    "warn": "background:#f57c00;color:#000;border-color:#f57c00",
    "info": "background:#0097a7;color:#000;border-color:#0097a7",
}
_TONE = {
    "isolated": "good",
    "true": "good",
    "not_isolated": "bad",
    "high": "bad",
    "unknown": "warn",
    "medium": "warn",
    "false": "warn",
    "low": "info",
    "info": "info",
}
_NB_STYLE = {
    "sagemaker-isolation-report": "font-family:var(--jp-ui-font-family, sans-serif);"
    "line-height:1.4",
    "sagemaker-isolation-explain": "font-family:var(--jp-ui-font-family, sans-serif);"
    "line-height:1.4",
    "si-verdict": "display:inline-block;padding:2px 10px;border-radius:2px;font-weight:700",
    "si-pill": "display:inline-block;padding:0 6px;border-radius:8px;font-size:85%;"
    "font-weight:600;border:1px solid currentColor",
    "si-table": "border-collapse:collapse",
    "th": "text-align:left;vertical-align:top;padding:2px 8px",
    "td": "text-align:left;vertical-align:top;padding:2px 8px",
    "pre": "white-space:pre-wrap;word-break:break-all;margin:2px 0",
    "si-facts": "display:grid;grid-template-columns:max-content 1fr;gap:2px 12px",
    "dd": "margin:0",
}


def _e(value: Any) -> str:
    """HTML-escape any value (quotes included); None is empty."""
    return escape("" if value is None else str(value), quote=True)


class _Html:
    """Builds elements for one look (``page`` or notebook); every text and attribute escaped."""

    def __init__(self, page: bool) -> None:
        self.page = page

    def el(
        self,
        tag: str,
        *children: str | None,
        cls: str | None = None,
        style: str | None = None,
        **attrs: Any,
    ) -> str:
        """``<tag ...>children</tag>``. ``children`` are markup built here (never raw values);
        ``attrs`` values are escaped, ``None`` ones left out, ``_`` in a name reads ``-``.
        ``style`` (and the classes' inline styles) only in the notebook's look."""
        if self.page:
            style = None
        else:
            style = (
                ";".join(
                    s
                    for s in (
                        _NB_STYLE.get(tag),
                        *(_NB_STYLE.get(c) for c in (cls or "").split()),
                        style,
                    )
                    if s
                )
                or None
            )
        parts = [tag]
        for name, value in (("class", cls), ("style", style), *attrs.items()):
            if value is not None:
                parts.append(f'{name.replace("_", "-")}="{_e(value)}"')
        return f"<{' '.join(parts)}>{''.join(c for c in children if c)}</{tag}>"

    def text(self, tag: str, value: Any, cls: str | None = None, **attrs: Any) -> str:
        """An element holding one escaped text value."""
        return self.el(tag, _e(value), cls=cls, **attrs)

    def pill(self, value: Any, label: Any = None, **attrs: Any) -> str:
        """A small badge: ``data-value`` is the id (page.css colours it), the text its words."""
        value = str(value)
        fill = _FILL[_TONE[value]] if value in _TONE else None
        return self.text(
            "span",
            value if label is None else label,
            "si-pill",
            style=fill,
            data_value=value,
            **attrs,
        )

    def fix(self, fix: Any) -> str | None:
        """``Fix: <pre>...</pre>`` or None."""
        if not fix:
            return None
        return self.el("div", self.text("strong", "Fix: "), self.text("pre", fix))

    def facts(self, rows: list[tuple[str, Any]], code: bool = False, **attrs: Any) -> str:
        """A ``<dl>`` of (words, value) rows."""
        body = "".join(
            self.text("dt", k) + self.el("dd", self.text("code", v) if code else _e(v))
            for k, v in rows
        )
        return self.el("dl", body, cls="si-facts", **attrs)


# -- the report --


def report_html(
    report: dict | None,
    *,
    error: dict | None = None,
    page: bool = False,
    max_actions: int = MAX_ACTIONS,
) -> str:
    """A report (docs/ARCHITECTURE.md §7) as an HTML fragment.

    Shows the verdict (and, above high-severity findings, that they come first), the domain
    facts, a table of execution roles (who uses each, its verdict, why: the leaking actions with
    the statements allowing them and each witness's request, AWS's answer and simulator command),
    the AWS policy simulator note, the findings most severe first, and the AWS calls that failed.

    Args:
        report: the report dict, or None when the check did not run.
        error: ``{"kind", "reason", "message"}`` of a check that did not run.
        page: True for the standalone page's look (classes, ids, copy buttons), False for a
            notebook output (inline styles).
        max_actions: leaking actions listed per role.

    Returns:
        One ``<div>`` (str); every value escaped.
    """
    h = _Html(page)
    if report is None:
        err = error or {}
        return h.el(
            "div",
            _verdict(h, "unknown"),
            h.el(
                "p",
                h.text("strong", "The check did not run"),
                " (",
                h.text("code", err.get("reason")),
                ")",
            ),
            h.text("p", err.get("message")),
            cls="sagemaker-isolation-report",
        )
    findings = sorted(
        report.get("findings") or [],
        key=lambda f: SEVERITY_ORDER.get(f.get("severity"), len(SEVERITY_ORDER)),
    )
    verdict = report.get("verdict") if report.get("verdict") in VERDICT_WORDS else "unknown"
    return h.el(
        "div",
        _verdict(h, verdict),
        _verdict_warning(h, verdict, findings),
        _domain_facts(h, report),
        h.text("h3", "Execution roles"),
        h.el("div", _roles(h, report.get("roles") or [], max_actions), data_testid="roles"),
        _aws_note(h, report.get("aws_confirmation")),
        h.text("h3", "Findings"),
        _findings(h, findings),
        h.text("h3", "AWS calls that failed"),
        _errors(h, report.get("errors") or []),
        cls="sagemaker-isolation-report",
    )


def _verdict(h: _Html, verdict: str) -> str:
    return h.el(
        "div",
        _e(VERDICT_WORDS[verdict]),
        cls="si-verdict",
        style=_FILL[_TONE[verdict]],
        id="si-verdict" if h.page else None,
        data_verdict=verdict,
        data_testid="verdict",
    )


def _verdict_warning(h: _Html, verdict: str, findings: list) -> str | None:
    """The verdict's words never contradict the findings below them."""
    high = sum(1 for f in findings if f.get("severity") == "high")
    if verdict != "isolated" or not high:
        return None
    return h.el(
        "p",
        h.text(
            "strong",
            f"The tag checks pass, but {plural(high, 'high-severity finding')} below "
            f"{'says' if high == 1 else 'say'} a role reaches further: read "
            f"{'it' if high == 1 else 'them'} first.",
        ),
        data_testid="verdict-warning",
    )


def _domain_facts(h: _Html, report: dict) -> str:
    d = report.get("domain") or {}
    cat = report.get("catalog") or {}
    detail = d.get("default_experience_detail")
    return h.facts(
        [
            ("Domain", (d.get("id") or "?") + (f" ({d['name']})" if d.get("name") else "")),
            ("Domain ARN", d.get("arn") or "?"),
            (
                "Default experience",
                (d.get("default_experience") or "unknown") + (f": {detail}" if detail else ""),
            ),
            *(
                [("Experience judged", experience_words(report))]
                if d.get("experience") or report.get("experience_by_profile")
                else []
            ),
            ("Checked at", report.get("generated_at") or "?"),
            ("Catalog", f"{cat.get('source') or '?'} {cat.get('version') or '?'}"),
        ],
        id="si-domain-facts" if h.page else None,
    )


def _roles(h: _Html, roles: list, max_actions: int) -> str:
    if not roles:
        return h.text("p", "No execution role was found.", "si-muted")
    with_flows = any(role.get("flows") for role in roles)
    words = ("Role", "Used by", "Verdict", "Why") + (("Studio flows",) if with_flows else ())
    head = h.el("thead", h.el("tr", *(h.text("th", w) for w in words)))
    rows = []
    for role in roles:
        verdict = role.get("verdict") if role.get("verdict") in VERDICT_WORDS else "unknown"
        rows.append(
            h.el(
                "tr",
                h.el("td", h.text("code", role_words(role), title=role.get("arn") or None)),
                h.text(
                    "td", ", ".join(used_by_words(u) for u in role.get("used_by") or []) or "-"
                ),
                h.el("td", h.pill(verdict, VERDICT_WORDS[verdict])),
                h.el("td", *_role_why(h, role, max_actions)),
                _flows_cell(h, role) if with_flows else None,
                data_testid="role-row",
            )
        )
    return h.el("table", head, h.el("tbody", *rows), cls="si-table")


def _flows_cell(h: _Html, role: dict) -> str:
    """The Studio flows cell of a role (new Studio issue): the counts, each flow that does not
    work with its reason, and the within-domain verdict for roles judged with the studio
    profile."""
    if not role.get("flows"):
        return h.el("td")
    bad = [
        h.el("li", h.text("code", f.get("id")), _e(f" {f.get('status')}: {flow_problem(f)}"))
        for f in role["flows"]
        if f.get("status") != "works"
    ]
    within = role.get("within_domain") or {}
    spaces = (
        h.text(
            "div",
            "Other users' private spaces: "
            + str(within.get("verdict", "unknown")).replace("_", " "),
            "si-muted",
        )
        if within and "studio" in (role.get("experience_profiles") or ())
        else None
    )
    return h.el(
        "td",
        _e(f"{role.get('experience') or 'unknown'}: {flows_words(role)}"),
        h.el("ul", *bad, cls="si-list") if bad else None,
        spaces,
        data_testid="role-flows",
    )


def _role_why(h: _Html, role: dict, max_actions: int) -> list[str]:
    """The Why cell: the verdict's reason, the leaking actions (a toggle), and the counts of
    accepted exceptions, untaggable actions and unknowns."""
    out = [_e(role.get("verdict_reason"))]
    cross = role.get("cross_domain") or []
    leaking = [e for e in cross if not e.get("accepted")]
    if leaking:
        items = [
            h.el(
                "li",
                h.text("code", e.get("action")),
                _e(
                    " \u2190 "
                    + ("; ".join(statement_label(r) for r in e.get("allowed_by") or []) or "?")
                    + (f" [if {', '.join(e['conditional_on'])}]" if e.get("conditional_on") else "")
                ),
                _witness(h, e.get("witness")),
            )
            for e in leaking[:max_actions]
        ]
        if len(leaking) > max_actions:
            items.append(h.text("li", f"\u2026 and {len(leaking) - max_actions} more", "si-muted"))
        out.append(
            h.el(
                "details",
                h.text(
                    "summary",
                    plural(len(leaking), "action") + " allowed on other domains' resources",
                ),
                h.el("ul", *items, cls="si-list"),
            )
        )
    notes = []
    accepted = len(cross) - len(leaking)
    if accepted:
        notes.append(f"Accepted exceptions (AWS procedure): {accepted}")
    if role.get("uncovered_allowed"):
        notes.append(
            "Allowed but not isolatable by tags: "
            + plural(len(role["uncovered_allowed"]), "action")
        )
    for unk in (role.get("unknown") or [])[:max_actions]:
        notes.append(f"Unknown: {unk.get('action')}: {unk.get('reason')}")
    out.extend(h.text("div", n, "si-muted") for n in notes)
    return out


def _witness(h: _Html, witness: Any) -> str | None:
    """The proof request of a leaking action: the request, AWS's answer (a badge) and the
    policy simulator command (with a copy button on the page), in a closed toggle."""
    from ..sagemaker.simulator_commands import aws_badge, witness_request_lines

    if not isinstance(witness, dict):
        return None
    aws = witness.get("aws") if isinstance(witness.get("aws"), dict) else {}
    badge = aws_badge(witness)
    state = "confirmed" if aws.get("agrees") else "disagrees" if aws.get("cause") else "error"
    cmd = witness.get("simulator_command")
    return h.el(
        "details",
        h.el(
            "summary",
            "Proof request",
            " "
            + h.text(
                "span", badge, "si-pill si-aws", data_aws=state, title=aws.get("cause_text") or None
            )
            if badge
            else None,
        ),
        h.el("div", *(h.text("code", line) + "<br>" for line in witness_request_lines(witness))),
        h.text("div", aws.get("cause_text"))
        if aws.get("cause_text") and not aws.get("agrees")
        else None,
        h.el(
            "div",
            h.text("pre", cmd),
            h.text(
                "button",
                "Copy command",
                "si-copy",
                type="button",
                title=f"Copy the AWS policy simulator command for {witness.get('action')}",
            )
            if h.page
            else None,
        )
        if cmd
        else None,
        cls="si-witness",
        data_testid="witness",
    )


def _aws_note(h: _Html, conf: Any) -> str | None:
    """The report-level AWS policy simulator note (and the offline policy files)."""
    if not isinstance(conf, dict) or not conf.get("note"):
        return None
    files = [
        h.el(
            "li",
            h.text("code", f.get("file")),
            _e(f" {f.get('kind')} policy "),
            h.text("code", f.get("policy")),
        )
        for f in conf.get("policy_files") or []
    ]
    return h.el(
        "div",
        h.el("p", h.text("strong", "AWS policy simulator: "), _e(conf.get("note"))),
        h.text("p", "The commands read these policy documents from files:") if files else None,
        h.el("ul", *files, cls="si-list") if files else None,
        data_testid="aws-note",
        data_status=conf.get("status"),
    )


def _ranked_item(h: _Html, item: dict, badge: str, testid: str, **attrs: Any) -> str:
    """One finding or cause: its badge, title, id, detail and fix."""
    return h.el(
        "li",
        h.pill(badge),
        " ",
        h.text("strong", item.get("title") or item.get("id")),
        " ",
        h.text("code", item.get("id"), "si-muted"),
        h.text("div", item.get("detail")) if item.get("detail") else None,
        h.fix(item.get("fix")),
        data_testid=testid,
        **attrs,
    )


def _findings(h: _Html, findings: list) -> str:
    items = [
        _ranked_item(h, f, f.get("severity") or "info", "finding", data_finding_id=f.get("id"))
        for f in findings
    ] or [h.text("li", "No findings.", "si-muted")]
    return h.el("ol", *items, cls="si-findings", data_testid="findings")


def _errors(h: _Html, errors: list) -> str:
    items = [
        h.el(
            "li",
            h.text("code", e.get("operation") or "?"),
            _e(
                f" {e.get('target') or ''}: {e.get('code') or ''}"
                + (f" \u2014 {e['message']}" if e.get("message") else "")
            ),
        )
        for e in errors
    ] or [h.text("li", "none", "si-muted")]
    return h.el("ul", *items, cls="si-list", data_testid="aws-errors")


# -- the explanation of an AccessDenied --


def explain_html(result: dict, *, page: bool = False) -> str:
    """An explanation (``aws.evidence.explain_text``'s dict, docs/EXPLAIN.md) as HTML.

    Shows how many causes, the reason in words with its id, the fields read from the message,
    what was and was not checked (once per answer; a failed call's raw answer only inside a
    closed toggle, as text), then the ranked causes with confidence, detail and fix.

    Args:
        result: the explain dict.
        page: True for the standalone page (the result heading takes the focus: it has an id).

    Returns:
        One ``<div>`` (str); every value escaped.
    """
    h = _Html(page)
    causes = result.get("causes") or []
    reason = result.get("reason")
    denied = (
        h.el(
            "p",
            h.text(
                "strong", "Denied: " + (result.get("reason_text") or str(reason).replace("_", " "))
            ),
            " ",
            h.text("code", reason, "si-muted", title="reason id"),
            _e(f" \u00b7 evidence: {result.get('mode') or 'offline'}"),
        )
        if reason
        else h.el(
            "p",
            h.text("strong", "Not an AWS authorization error message."),
            _e(f" \u00b7 evidence: {result.get('mode') or 'offline'}"),
        )
    )
    fields = [(k.replace("_", " "), result[k]) for k in _EXPLAIN_FIELDS if result.get(k)]
    checks = [
        h.el(
            "li",
            _e(f"{state} {words}"),
            h.el("details", h.text("summary", "Answer received"), h.text("pre", body))
            if body
            else None,
        )
        for state, words, body in explain_checks(result)
    ]
    return h.el(
        "div",
        h.text(
            "h3",
            f"Result: {plural(len(causes), 'possible cause')}",
            id="si-explain-result-title" if page else None,
            tabindex="-1" if page else None,
        ),
        denied,
        h.facts(fields, code=True) if fields else None,
        h.text("p", "The input was cut to its first 64 KiB.") if result.get("truncated") else None,
        h.el("ul", *checks, cls="si-list", data_testid="explain-checks") if checks else None,
        h.el(
            "ol",
            *(
                _ranked_item(
                    h, c, c.get("confidence") or "info", "cause", data_cause_id=c.get("id")
                )
                for c in causes
            ),
            cls="si-findings",
        ),
        cls="sagemaker-isolation-explain",
    )


# -- the coverage table --


def coverage_html(table: dict, max_rows: int = MAX_COVERAGE_ROWS) -> str:
    """``Catalog.coverage_table()`` as HTML: the counts, why the AWS doc's list differs, and one
    row per action (at most ``max_rows``): access level, resource types, whether tags isolate it
    and, when not, why (:func:`~.text.coverage_why`).

    Returns:
        One ``<div>`` (str); every value escaped.
    """
    h = _Html(True)
    counts = table.get("counts") or {}
    actions = table.get("actions") or []
    head = h.el(
        "thead",
        h.el(
            "tr",
            *(
                h.text("th", w)
                for w in ("Action", "Access level", "Resource types", "Tags isolate it")
            ),
        ),
    )
    rows = [
        h.el(
            "tr",
            h.el("td", h.text("code", a.get("action"))),
            h.text("td", a.get("access_level") or ""),
            h.text(
                "td", ", ".join(r.get("key", "?") for r in a.get("resource_types") or []) or "-"
            ),
            h.el(
                "td",
                h.pill(
                    str(bool(a.get("covered"))).lower(),
                    "yes" if a.get("covered") else f"no: {coverage_why(a)}",
                ),
            ),
        )
        for a in actions[:max_rows]
    ]
    return h.el(
        "div",
        h.text(
            "p",
            f"{counts.get('actions', 0)} SageMaker actions in {table.get('source') or '?'}"
            f" {table.get('version') or ''}: {counts.get('covered', 0)} can be isolated "
            f"by tags, {counts.get('uncovered', 0)} cannot.",
            "si-muted",
            data_testid="coverage-summary",
        ),
        h.text("p", table.get("explanation"), "si-muted") if table.get("explanation") else None,
        h.el("table", head, h.el("tbody", *rows), cls="si-table", data_testid="coverage-table"),
        h.text("p", f"{len(actions) - max_rows} more: narrow the search.", "si-muted")
        if len(actions) > max_rows
        else None,
    )
