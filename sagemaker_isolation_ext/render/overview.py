"""Text and SARIF of the account overview (``check --all-domains``).

Pure: takes the overview dict of ``sagemaker/overview.py`` (and, for SARIF, the per-domain
reports) and returns text or a SARIF 2.1.0 log.
"""

from __future__ import annotations

from collections.abc import Iterable

from .text import plural, terminal_safe

__all__ = ["render_overview_text", "overview_to_sarif", "NO_DOMAINS"]

#: The words the text output (and the CLI's stderr for JSON/SARIF) carries when no domain exists.
NO_DOMAINS = "no domains found"

_VERDICT_WORDS = {"isolated": "isolated", "not_isolated": "NOT ISOLATED", "unknown": "unknown"}
_AFTER_WORDS = {"isolated": "isolated", "not_isolated": "not isolated", "unknown": "unknown"}
#: Roles named per fix in the text (the rest counted).
MAX_FIX_ROLES = 10


def _name(row: dict) -> str:
    return f"{row.get('name') or row.get('id')} ({row.get('id')})"


def _reason(row: dict) -> str | None:
    """Why a row is not isolated: its roles with that verdict, or its first finding."""
    verdict = row.get("verdict")
    if verdict == "isolated":
        return None
    names = [r.get("name") or r.get("arn") for r in row.get("roles") or ()
             if r.get("verdict") == verdict]
    if names:
        return ("not isolated through " if verdict == "not_isolated" else
                "could not decide for ") + ", ".join(str(n) for n in names)
    first = (row.get("findings") or [{}])[0]
    return first.get("detail") or first.get("title")


def _domain_words(arn: str | None, by_arn: dict) -> str:
    """A domain ARN in words: its name, else its id, else the ARN (the panel's
    ``domainWords``)."""
    row = by_arn.get(arn)
    return str((row.get("name") or row.get("id")) if row else arn)


def _fix_lines(n: int, fix: dict, by_arn: dict, max_roles: int = MAX_FIX_ROLES) -> list[str]:
    """The lines of one "Do this next" fix: what the JupyterLab overview's fix list shows
    (``src/overview/FixList.tsx``): the title (it names the statements a replace fix drops)
    and the findings it closes, then the policy, the new policy (replace fixes), the roles with
    their domains and each domain's verdict after the change.

    Args:
        n: the fix's number in the list.
        fix: one entry of the overview's ``fixes`` (``evaluate_fixes``): ``{"kind", "title",
            "change", "roles": [{"domain", "role", "role_name"}], "domains", "closes",
            "verdicts_after"}``.
        by_arn: overview rows by domain ARN.
        max_roles: at most this many roles named (the rest counted).
    """
    change = fix.get("change") or {}
    out = [f"  {n}. {fix.get('title')} (closes {plural(int(fix.get('closes') or 0), 'finding')})"]
    pad = " " * (len(str(n)) + 4)
    if change.get("policy_arn"):
        verb = "attach" if fix.get("kind") == "attach-template" else "replace"
        out.append(f"{pad}Policy ({verb}): {change['policy_arn']}")
    if change.get("new_policy_name"):
        out.append(f"{pad}New policy: {change['new_policy_name']}")
    roles = fix.get("roles") or []
    if roles:
        named = [f"{r.get('role_name') or r.get('role')} (domain "
                 f"{_domain_words(r.get('domain'), by_arn)})" for r in roles[:max_roles]]
        more = f" and {len(roles) - max_roles} more" if len(roles) > max_roles else ""
        out.append(f"{pad}{'Role' if len(roles) == 1 else 'Roles'} ({len(roles)}): "
                   f"{', '.join(named)}{more}")
    after = fix.get("verdicts_after") or {}
    if after:
        out.append(f"{pad}Verdict after: " + ", ".join(
            f"{_domain_words(arn, by_arn)}: {_AFTER_WORDS.get(v, 'unknown')}"
            for arn, v in after.items()))
    return out


def render_overview_text(overview: dict, max_cells: int = 20,
                         max_fixes: int | None = None) -> str:
    """The overview as text: verdicts grouped by account and Region, the reach matrix as a list
    of cells (largest first), "Do this next" (each fix with its policy, roles, findings closed
    and verdicts after: :func:`_fix_lines`), and the accounts/Regions that failed.

    Args:
        overview: ``build_overview``'s dict.
        max_cells: at most this many reach cells listed (the rest counted).
        max_fixes: at most this many fixes listed (None: all, at most ``MAX_FIXES`` of
            ``sagemaker/overview.py`` were evaluated).

    Returns:
        text ending with a newline; contains :data:`NO_DOMAINS` when there is no domain.
    """
    rows = overview.get("domains") or []
    errors = overview.get("errors") or []
    lines: list[str] = []
    by_arn = {r.get("arn"): r for r in rows}
    if not rows:
        lines.append(f"Account overview: {NO_DOMAINS}"
                     + (f" ({plural(len(errors), 'account/Region error')})" if errors else "")
                     + ".")
    else:
        counts = {v: sum(1 for r in rows if r.get("verdict") == v)
                  for v in ("not_isolated", "unknown", "isolated")}
        accounts = sorted({r.get("account_id") or "?" for r in rows})
        regions = sorted({r.get("region") or "?" for r in rows})
        lines.append(
            f"Account overview: {plural(len(rows), 'domain')} in "
            f"{plural(len(accounts), 'account')} and {plural(len(regions), 'Region')}: "
            f"{counts['not_isolated']} not isolated, {counts['unknown']} unknown, "
            f"{counts['isolated']} isolated"
            + (f"; {plural(len(errors), 'error')}" if errors else "") + ".")
        last = None
        for r in rows:
            scope = (r.get("account_id"), r.get("region"))
            if scope != last:
                lines.append("")
                lines.append(f"Account {scope[0]}, Region {scope[1]}")
                last = scope
            verdict = _VERDICT_WORDS.get(r.get("verdict"), r.get("verdict") or "unknown")
            roles = r.get("roles") or []
            lines.append(
                f"  {verdict:<13} {_name(r)}: {r.get('experience') or 'unknown'} experience, "
                f"{plural(len(roles), 'role')}, "
                f"{plural(len(r.get('findings') or []), 'finding')}")
            why = _reason(r)
            if why:
                lines.append(f"                {why}")
    reach = sorted(overview.get("reach") or [], key=lambda c: -int(c.get("actions") or 0))
    if reach:
        lines.append("")
        lines.append("Reach (actions a domain's execution roles may run on another domain's "
                     "resources):")
        for c in reach[:max_cells]:
            frm = by_arn.get(c["from"])
            to = ("any other domain (*)" if c["to"] == "*"
                  else _name(by_arn[c["to"]]) if c["to"] in by_arn else c["to"])
            ex = (c.get("examples") or [None])[0]
            eg = f", e.g. {ex['action']} on {ex['resource']}" if ex else ""
            lines.append(f"  {_name(frm) if frm else c['from']} -> {to}: "
                         f"{plural(int(c['actions']), 'action')}{eg}")
        if len(reach) > max_cells:
            lines.append(f"  ... and {len(reach) - max_cells} more cells (--format json)")
    fixes = overview.get("fixes") or []
    if fixes:
        lines.append("")
        lines.append("Do this next (findings closed: counted by running the analysis again with "
                     "the change applied):")
        shown = fixes if max_fixes is None else fixes[:max_fixes]
        for i, f in enumerate(shown, 1):
            lines.extend(_fix_lines(i, f, by_arn))
        if len(fixes) > len(shown):
            lines.append(f"  ... and {plural(len(fixes) - len(shown), 'more change')}")
    skipped = int(overview.get("fixes_not_evaluated") or 0)
    if skipped:
        lines.append(f"  {plural(skipped, 'further change')} not evaluated (the count or time "
                     "limit of the fix search was reached)")
    if errors:
        lines.append("")
        lines.append("Not read:")
        for e in errors:
            where = f"account {e.get('account_id')}" + (
                f", Region {e['region']}" if e.get("region") else ", every Region")
            lines.append(f"  {where}: {e.get('operation')} failed ({e.get('code')}): "
                         f"{e.get('message')}")
    # Names and messages come from AWS: no control characters reach the terminal.
    return terminal_safe("\n".join(lines)) + "\n"


def overview_to_sarif(reports: Iterable[dict], overview: dict) -> dict:
    """A SARIF 2.1.0 log with one run per checked domain (``sarif.report_to_sarif`` of its
    report) and, for each unreadable domain, a run whose invocation failed with the error.

    Args:
        reports: the per-domain reports of the checked domains.
        overview: ``build_overview``'s dict (its rows and errors).

    Returns:
        ``{"$schema", "version", "runs": [...]}``.
    """
    from sagemaker_isolation_ext.render.sarif import (
        SARIF_SCHEMA_URI,
        SARIF_VERSION,
        report_to_sarif,
    )

    runs = []
    for rep in reports:
        runs.extend(report_to_sarif(rep, [])["runs"])
    for e in overview.get("errors") or []:
        runs.append({
            "tool": {"driver": {"name": "sagemaker-isolation", "rules": []}},
            "invocations": [{
                "executionSuccessful": False,
                "toolExecutionNotifications": [{
                    "level": "error",
                    "message": {"text": f"account {e.get('account_id')}"
                                + (f", Region {e['region']}" if e.get("region") else "")
                                + f": {e.get('operation')} failed ({e.get('code')}): "
                                f"{e.get('message')}"},
                }],
            }],
            "results": [],
        })
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": runs}
