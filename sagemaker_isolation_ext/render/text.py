"""The text rendering of a report and of the coverage table (the CLI's and the notebook's)."""

from __future__ import annotations

import re
from typing import Any

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _terminal_safe(text: str) -> str:
    """``text`` with control characters (ESC sequences, ...) shown as ``\\xNN``, tabs and
    newlines kept: pasted error text must not drive the user's terminal."""
    return _CONTROL_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def _statement_label(ref: dict) -> str:
    sid = ref.get("sid")
    where = f"Sid {sid}" if sid else f"statement #{ref.get('index')}"
    return f"{ref.get('policy')} ({where})"


def _plural(n: int, word: str) -> str:
    """``"1 action"``, ``"2 actions"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _role_words(role: dict) -> str:
    """A role's name for people: the offline check's synthetic role (``arn`` null, name
    ``policy-files``) reads "policy files"."""
    if not role.get("arn") and role.get("name") in (None, "", "policy-files"):
        return "policy files"
    return role.get("name") or role.get("arn") or "?"


def _used_by_words(value: str) -> str:
    """A ``used_by`` value in words (``user-profile:alice`` -> ``user profile alice``)."""
    if value == "domain-default":
        return "domain default"
    if value == "default-space":
        return "default space (shared spaces)"
    if value == "policy-files":
        return "policy files"
    if value.startswith("user-profile:"):
        return "user profile " + value.split(":", 1)[1]
    return value


def _witness_text(witness) -> list[str]:
    """Lines under a cross_domain entry: the witness request, AWS's answer, the simulator
    command (empty when the entry has no witness)."""
    from ..sagemaker.simulator_commands import aws_badge, witness_request_lines

    if not isinstance(witness, dict):
        return []
    out = [
        f"      request: {line}" if i == 0 else f"               {line}"
        for i, line in enumerate(witness_request_lines(witness))
    ]
    badge = aws_badge(witness)
    if badge:
        out.append(f"      [{badge}]")
        detail = (witness.get("aws") or {}).get("cause_text")
        if detail and not (witness.get("aws") or {}).get("agrees"):
            out.append(f"           {detail}")
    if witness.get("simulator_command"):
        out.append(f"      ask AWS: {witness['simulator_command']}")
    return out


def _aws_confirmation_text(conf) -> list[str]:
    """The report-level AWS confirmation note (and, offline, the files the commands read)."""
    if not isinstance(conf, dict) or not (conf.get("note") or conf.get("policy_files")):
        return []
    out = ["", f"AWS confirmation: {conf.get('note') or ''}".rstrip()]
    files = conf.get("policy_files") or []
    if files:
        out.append("  The commands read these policy documents (bare documents) from files:")
        for f in files:
            out.append(f"    {f.get('file')}: {f.get('kind')} policy {f.get('policy')!r}")
    return out


def render_report_text(report: dict, max_actions: int = 10) -> str:
    """A readable summary of a report (docs/ARCHITECTURE.md §7) for the terminal.

    Shows the verdict, the domain, per role its verdict, up to ``max_actions`` leaking actions
    (``cross_domain`` entries not accepted) with the allowing statements and, when the entry has
    a witness, its request, AWS's answer and the ``aws iam simulate-...`` command; then the AWS
    confirmation note, the findings with their fixes, and the catalog version.

    Args:
        report: the report dict from ``analyze``.
        max_actions: how many leaking actions to list per role.

    Returns:
        The text, ending with a newline.
    """
    lines: list[str] = []
    domain = report.get("domain") or {}
    verdict = report.get("verdict", "unknown")
    findings = sorted(
        report.get("findings") or [],
        key=lambda f: _SEVERITY_ORDER.get(f.get("severity"), len(_SEVERITY_ORDER)),
    )
    high = sum(1 for f in findings if f.get("severity") == "high")
    lines.append(f"Verdict: {verdict.upper().replace('_', ' ')}")
    if verdict == "isolated" and high:
        # The verdict's words never contradict the findings below them.
        lines.append(
            f"  but {_plural(high, 'high-severity finding')} below "
            f"{'says' if high == 1 else 'say'} a role reaches further: read "
            f"{'it' if high == 1 else 'them'} first"
        )
    lines.append(f"Domain:  {domain.get('id') or '?'}  {domain.get('arn') or ''}".rstrip())
    if domain.get("default_experience"):
        lines.append(f"Default experience: {domain['default_experience']}")
    for role in report.get("roles") or []:
        lines.append("")
        used_by = ", ".join(_used_by_words(u) for u in role.get("used_by") or []) or "-"
        name = _role_words(role)
        lines.append(
            f"Role {name}: {str(role.get('verdict', 'unknown')).replace('_', ' ')}"
            f"   used by: {used_by}"
        )
        if role.get("verdict_reason"):
            lines.append(f"  {role['verdict_reason']}")
        leaking = [e for e in role.get("cross_domain") or [] if not e.get("accepted")]
        accepted = [e for e in role.get("cross_domain") or [] if e.get("accepted")]
        if leaking:
            lines.append(
                f"  Allowed on other domains' resources ({_plural(len(leaking), 'action')}):"
            )
            for entry in leaking[:max_actions]:
                by = "; ".join(_statement_label(r) for r in entry.get("allowed_by") or []) or "?"
                cond = entry.get("conditional_on")
                suffix = f"  [if {', '.join(cond)}]" if cond else ""
                lines.append(f"    {entry.get('action')}  <- {by}{suffix}")
                lines.extend(_witness_text(entry.get("witness")))
            if len(leaking) > max_actions:
                lines.append(f"    ... and {len(leaking) - max_actions} more (--format json)")
        if accepted:
            lines.append(f"  Accepted exceptions (AWS procedure): {len(accepted)}")
        uncovered = role.get("uncovered_allowed") or []
        if uncovered:
            lines.append(
                f"  Allowed but not isolatable by tags: {_plural(len(uncovered), 'action')}"
            )
        for unk in (role.get("unknown") or [])[:max_actions]:
            lines.append(f"  Unknown: {unk.get('action')}: {unk.get('reason')}")
    lines.extend(_aws_confirmation_text(report.get("aws_confirmation")))
    if findings:
        lines.append("")
        lines.append("Findings (most severe first):")
        for f in findings:
            lines.append(
                f"  [{f.get('severity', '?')}] {f.get('title') or f.get('id')}  ({f.get('id')})"
            )
            if f.get("fix"):
                lines.append(f"      fix: {f['fix']}")
    errors = report.get("errors") or []
    if errors:
        lines.append("")
        lines.append(f"AWS calls that failed ({len(errors)}):")
        for e in errors[:max_actions]:
            lines.append(f"  {e.get('operation')} {e.get('target')}: {e.get('code')}")
    cat = report.get("catalog") or {}
    lines.append("")
    lines.append(
        f"Catalog: {cat.get('source', '?')} {cat.get('version', '?')}"
        + (f" (package {cat['package_version']})" if cat.get("package_version") else "")
    )
    return "\n".join(lines) + "\n"


def coverage_why(row: dict) -> str:
    """Why a coverage row is not covered, in words with the reason id after them.

    An action is isolatable only when every resource type it can be authorised on takes the
    ``aws:ResourceTag`` keys (``Catalog.uncovered``): ``sagemaker:AddTags`` applies to 62 types
    and is not covered because a few of them (``human-loop``, ``mlflow-tracking-server``, ...)
    take none, so a tag condition cannot scope AddTags on those.

    Args:
        row: one entry of ``Catalog.coverage_table()["actions"]``.

    Returns:
        e.g. ``"6 of its 62 resource types take no tag condition keys (human-loop, ...), so a
        tag condition cannot scope the action on those (resource-type-not-taggable)"``.
    """
    reason = row.get("reason")
    if reason == "no-resource-type":
        return (
            "it takes no resource type (it is authorised on *), so a tag condition cannot "
            "scope it (no-resource-type)"
        )
    if reason == "resource-type-not-taggable":
        rts = row.get("resource_types") or []
        bad = [r.get("key", "?") for r in rts if not r.get("taggable")]
        return (
            f"{len(bad)} of its {_plural(len(rts), 'resource type')} "
            f"{'takes' if len(bad) == 1 else 'take'} no tag condition keys "
            f"({', '.join(bad)}), so a tag condition cannot scope the action on those "
            "(resource-type-not-taggable)"
        )
    return str(reason)


def render_coverage_text(table: dict, catalog: Any = None) -> str:
    """Text rendering of ``Catalog.coverage_table()``.

    Shows the data version, the counts, the AWS doc's uncovered list beside the data-derived one
    with the explanation, then one line per (filtered) action: name, access level, covered or
    why not, and its resource types (``*`` marks a type without tag condition keys).

    Args:
        table: the coverage table dict.
        catalog: unused; kept so callers may pass the Catalog.

    Returns:
        The text, ending with a newline.
    """
    counts = table.get("counts") or {}
    lines = [
        f"Catalog: {table.get('source', '?')} {table.get('version', '?')}"
        f" (package {table.get('package_version', '?')})",
        f"Actions: {counts.get('actions', '?')} ({counts.get('covered', '?')} isolatable by tags, "
        f"{counts.get('uncovered', '?')} not); resource types: "
        f"{counts.get('resource_types', '?')} ({counts.get('taggable_resource_types', '?')} "
        "taggable)",
        "",
        f"AWS doc's uncovered list ({len(table.get('doc_uncovered') or [])}): "
        + (", ".join(table.get("doc_uncovered") or []) or "-"),
        f"Only in the doc list: {', '.join(table.get('only_in_doc') or []) or '-'}",
        f"Data-derived uncovered list: {len(table.get('data_uncovered') or [])} actions",
    ]
    if table.get("explanation"):
        lines.append(f"Why they differ: {table['explanation']}")
    lines.append("")
    query = table.get("query")
    rows = table.get("actions") or []
    lines.append(
        f"Actions matching {query!r} ({len(rows)}):" if query else f"Actions ({len(rows)}):"
    )
    for row in rows:
        rts = row.get("resource_types") or []
        status = "covered" if row.get("covered") else f"NOT covered: {coverage_why(row)}"
        types = ", ".join(r.get("key", "?") + ("" if r.get("taggable") else "*") for r in rts[:6])
        if len(rts) > 6:
            types += f", ... {len(rts) - 6} more"
        lines.append(
            f"  {row.get('action')}  [{str(row.get('access_level')).replace(', ', '/')}]"
            f"  {status}" + (f"  on {types}" if types else "")
        )
    lines.append("")
    lines.append("* = resource type without aws:ResourceTag condition keys")
    return "\n".join(lines) + "\n"
