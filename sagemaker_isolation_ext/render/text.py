"""The text renderings (the CLI's and the notebook's): a report, the coverage table, an
AccessDenied explanation, a tag scan."""

from __future__ import annotations

import re
from typing import Any

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with control characters (ESC sequences, ...) shown as ``\\xNN``, tabs and
    newlines kept: pasted error text must not drive the user's terminal."""
    return _CONTROL_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


#: Sort rank of a finding's severity (unknown severities sort last).
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def statement_label(ref: dict) -> str:
    """A statement reference (``{"policy", "sid", "index"}``) in words:
    ``"<policy> (Sid <sid>)"``, or ``"<policy> (statement #<index>)"`` without a Sid."""
    sid = ref.get("sid")
    where = f"Sid {sid}" if sid else f"statement #{ref.get('index')}"
    return f"{ref.get('policy')} ({where})"


def plural(n: int, word: str) -> str:
    """``"1 action"``, ``"2 actions"``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def role_words(role: dict) -> str:
    """A role's name for people: the offline check's synthetic role (``arn`` null, name
    ``policy-files``) reads "policy files"."""
    if not role.get("arn") and role.get("name") in (None, "", "policy-files"):
        return "policy files"
    return role.get("name") or role.get("arn") or "?"


def used_by_words(value: str) -> str:
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


def flow_problem(flow: dict) -> str:
    """Why a Studio flow does not work, in one line (``sagemaker.flows.problem_text``)."""
    from ..sagemaker.flows import problem_text

    return problem_text(flow)


def experience_words(report: dict) -> str:
    """``"studio (profiles: alice studio, bob classic)"``: the domain's experience and, when
    they differ from it, its user profiles' (from ``report["domain"]``)."""
    domain = report.get("domain") or {}
    exp = domain.get("experience") or "unknown"
    by = domain.get("experience_by_profile") or {}
    other = {k: v for k, v in by.items() if v != exp}
    if other:
        exp += " (profiles: " + ", ".join(f"{k} {v}" for k, v in sorted(other.items())) + ")"
    return exp


def flows_words(role: dict) -> str:
    """``"11 work, 1 breaks, 0 depend"`` for a role's Studio flows (``flows_summary``)."""
    s = role.get("flows_summary") or {}
    return (
        f"{s.get('works', 0)} work, {s.get('breaks', 0)} "
        f"{'breaks' if s.get('breaks', 0) == 1 else 'break'}, {s.get('depends', 0)} "
        f"{'depends' if s.get('depends', 0) == 1 else 'depend'}"
    )


def _studio_lines(role: dict, max_actions: int) -> list[str]:
    """A role's Studio flows (each that does not work, with why) and, for a role judged with
    the studio profile, its within-domain verdict."""
    lines = []
    if role.get("flows"):
        lines.append(f"  Studio flows ({role.get('experience', 'unknown')}): {flows_words(role)}")
        for flow in role["flows"]:
            if flow.get("status") != "works":
                lines.append(f"    {flow['id']} {flow['status']}: {flow_problem(flow)}")
    wd = role.get("within_domain")
    if wd and "studio" in (role.get("experience_profiles") or ()):
        reach = [r.get("action") for r in wd.get("reachable") or []]
        lines.append(
            f"  Other users' private spaces: {str(wd.get('verdict')).replace('_', ' ')}"
            + (f" ({', '.join(reach[:max_actions])})" if reach else "")
        )
    return lines


def _template_flow_lines(report: dict) -> list[str]:
    """The templates that would take away a Studio flow that works now, per role."""
    broken = []
    for t in report.get("templates") or []:
        for r in t.get("roles") or []:
            ids = [b["id"] for b in r.get("flows_broken") or []]
            alone = [b["id"] for b in r.get("flows_broken_alone") or []]
            if ids or alone:
                broken.append(
                    f"  {t.get('experience', 'classic')} {t.get('variant')} on "
                    f"{r.get('name')}: "
                    + (f"beside its policies stops {', '.join(ids)}" if ids else "")
                    + ("; " if ids and alone else "")
                    + (f"as its only SageMaker grant stops {', '.join(alone)}" if alone else "")
                )
    if not broken:
        return []
    return ["", "Templates that would take away a Studio flow that works now:", *broken]


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
        key=lambda f: SEVERITY_ORDER.get(f.get("severity"), len(SEVERITY_ORDER)),
    )
    high = sum(1 for f in findings if f.get("severity") == "high")
    lines.append(f"Verdict: {verdict.upper().replace('_', ' ')}")
    if verdict == "isolated" and high:
        # The verdict's words never contradict the findings below them.
        lines.append(
            f"  but {plural(high, 'high-severity finding')} below "
            f"{'says' if high == 1 else 'say'} a role reaches further: read "
            f"{'it' if high == 1 else 'them'} first"
        )
    lines.append(f"Domain:  {domain.get('id') or '?'}  {domain.get('arn') or ''}".rstrip())
    if domain.get("default_experience"):
        lines.append(f"Default experience: {domain['default_experience']}")
    if domain.get("experience"):
        lines.append(f"Experience (judged): {experience_words(report)}")
    for role in report.get("roles") or []:
        lines.append("")
        used_by = ", ".join(used_by_words(u) for u in role.get("used_by") or []) or "-"
        name = role_words(role)
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
                f"  Allowed on other domains' resources ({plural(len(leaking), 'action')}):"
            )
            for entry in leaking[:max_actions]:
                by = "; ".join(statement_label(r) for r in entry.get("allowed_by") or []) or "?"
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
                f"  Allowed but not isolatable by tags: {plural(len(uncovered), 'action')}"
            )
        for unk in (role.get("unknown") or [])[:max_actions]:
            lines.append(f"  Unknown: {unk.get('action')}: {unk.get('reason')}")
        lines.extend(_studio_lines(role, max_actions))
    lines.extend(_template_flow_lines(report))
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
            f"{len(bad)} of its {plural(len(rts), 'resource type')} "
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


# -- the explanation of an AccessDenied --


def explain_checks(result: dict) -> list[tuple[str, str, str | None]]:
    """What an explanation checked and did not, once per answer (every cause carries the same
    lists): ``[(state, words, body), ...]``, ``state`` ``"checked"`` or ``"not checked"``,
    ``words`` e.g. ``"the resource's tags: <result or why>"``, ``body`` the raw answer of a
    failed call (or None)."""
    from ..sagemaker.access_denied import CHECK_WORDS, report_checks

    checked, not_checked = report_checks(result)
    out: list[tuple[str, str, str | None]] = []
    for state, items, key in (("checked", checked, "result"), ("not checked", not_checked, "why")):
        for chk in items:
            words = CHECK_WORDS.get(chk.get("check"), chk.get("check"))
            body = chk.get("body") if key == "why" else None
            out.append((state, f"{words}: {chk.get(key)}", body or None))
    return out


def render_explain_text(result: dict, max_causes: int = 5, verbose: bool = False) -> str:
    """Plain-text rendering of an explanation (``sagemaker.access_denied.diagnose_denial``'s
    dict; the CLI's ``explain --format text`` and the notebook's text): the reason in words (its
    id after), the extracted fields, what was and was not checked (once per report: one line each;
    a failed call's raw answer only with ``verbose``), then the ranked causes with detail and
    fix.

    Args:
        result: the explain dict.
        max_causes: causes shown (the rest are counted).
        verbose: also show the raw answer of a failed evidence call.

    Returns:
        The text, ending with a newline.
    """
    from ..sagemaker.access_denied import MAX_INPUT_CHARS, REASON_WORDS, decision_statements

    lines = []
    reason = result.get("reason")
    if reason is None:
        lines.append("Not an AWS authorization error message.")
    else:
        lines.append(f"Denied: {REASON_WORDS.get(reason, reason)} ({reason})")
    for k in ("principal", "action", "resource", "operation", "policy_arn", "error_code"):
        if result.get(k):
            lines.append(f"  {k}: {result[k]}")
    if result.get("truncated"):
        lines.append(f"  (input cut to its first {MAX_INPUT_CHARS} characters)")
    lines.append(f"  evidence: {result.get('mode', 'offline')}")
    evaluation = result.get("evaluation") or {}
    for part in ("identity", "boundary"):
        dec = evaluation.get(part)
        if dec:
            lines.append(
                f"  engine on the {part} policies: {dec['decision']} ({decision_statements(dec)})"
            )
    for state, words, body in explain_checks(result):
        lines.append(f"  {state}: {words}")
        if body:
            if verbose:
                lines.append("    answer received:")
                lines.extend("      " + ln for ln in str(body).splitlines() if ln.strip())
            else:
                lines.append("    (the raw answer is shown with --verbose)")
    lines.append("")
    for c in (result.get("causes") or [])[:max_causes]:
        lines.append(f"{c['rank']}. [{c['confidence']}] {c['title']}  ({c['id']})")
        lines.append(f"   {c['detail']}")
        lines.append(f"   Fix: {c['fix']}")
        lines.append("")
    more = len(result.get("causes") or []) - max_causes
    if more > 0:
        lines.append(f"({more} less likely cause(s) not shown; use --format json)")
    return "\n".join(lines).rstrip() + "\n"


# -- the tag scan --


def scan_type_failed(why: str) -> bool:
    """A ``types_not_covered`` reason that makes the scan incomplete (a failed call or a listing
    stopped by a paging bound; not "no List* call in the scanner")."""
    return "failed" in why or "incomplete" in why


def _bar(n: int, total: int, width: int = 24) -> str:
    return "#" * (round(width * n / total) if total else 0)


def render_scan_text(result: dict, max_rows: int = 25) -> str:
    """The text rendering of a tag scan (``aws.tag_scan``'s result, docs/CLI.md "tags scan").

    Shows the summary, a bar per resource type, up to ``max_rows`` problem rows (with a
    proposal or the reason a resource is unreadable), the per-domain view of an all-domain scan,
    the types covered and the failed ones, the API calls, and where a plan was written.

    Args:
        result: the scan dict.
        max_rows: resource rows listed.

    Returns:
        The text, ending with a newline.
    """
    d = result["domain"]
    s = result["summary"]
    total = sum(s.values())
    lines = [
        f"Tag coverage for {d.get('name') or d['id']} ({d['arn']})",
        f"  {total} resources: this domain {s['this_domain']}, other domain "
        f"{s['other_domain']}, untagged {s['untagged']}, stale domain {s['stale_domain']}, "
        f"never tagged by design {s['never_tagged_by_design']}"
        + (f", unreadable {s['unreadable']}" if s.get("unreadable") else ""),
        "",
        "By type:",
    ]
    for rtype, counts in result["by_type"].items():
        n = sum(counts.values())
        lines.append(
            f"  {rtype:<28} {n:>7}  own {_bar(counts['this_domain'], n, 12):<12} "
            f"untagged {counts['untagged']:>6} foreign {counts['other_domain']:>6}"
        )
    rows = result.get("resources") or []
    if rows:
        lines += ["", "Resources:"]
        for row in rows[:max_rows]:
            extra = ""
            if row.get("other_domain"):
                extra = f" -> {row['other_domain']}"
            prop = row.get("proposal") or {}
            if prop.get("domain_id"):
                extra = f"  proposal {prop['domain_id']} ({prop['confidence']}: {prop['reason']})"
            if row.get("unreadable_reason"):
                extra = f"  ({row['unreadable_reason']})"
            lines.append(f"  {row['class']:<14} {row['arn']}{extra}")
        more = len(rows) - max_rows + result.get("rows_dropped", 0)
        if more > 0:
            lines.append(f"  ... {more} more (--format json, --max-rows)")
    for view in result.get("domains") or []:
        if view is (result.get("domains") or [None])[0]:
            lines += ["", "Domains:"]
        dom = view["domain"]
        lines.append(
            f"  {dom.get('name') or dom['id']:<24} own {view['own']:>6} foreign "
            f"{view['foreign']:>6} untagged {view['untagged']:>6} verdict "
            f"{view['verdict']}"
            + (f" ({view['verdict_error']})" if view.get("verdict_error") else "")
        )
    failed = {t: w for t, w in result["types_not_covered"].items() if scan_type_failed(w)}
    lines += [
        "",
        f"Types covered: {len(result['types_covered'])}; not covered: "
        f"{len(result['types_not_covered'])} (of which failed: {len(failed)})",
    ]
    for t, why in failed.items():
        lines.append(f"  {t}: {why}")
    calls = result["api_calls"]
    lines.append(f"API calls: {calls['total']} in {result.get('elapsed_seconds', 0)} s")
    if result.get("plan_out") and result["plan_out"].get("path"):
        p = result["plan_out"]
        lines.append(
            f"Plan written to {p['path']}: {p['items']} items, {p['selected']} selected "
            "(high confidence); review it, then `tags backfill --plan`"
        )
    return "\n".join(lines) + "\n"


# -- a check job's status line --


def job_status_words(status: dict) -> tuple[str, str | None]:
    """A check job's status (the ``report`` route's ``JobStatus``) in words for a status line:
    ``(status line, error line or None)``.

    E.g. ``("Checking… roles 2/5", None)``, ``("Verdict: not isolated. Report ready
    (2026-01-01T00:00:00Z).", None)``, ``("The check failed.", "The check failed: <message>
    (<reason>)")``, ``("No recent report for this domain: press Check.", None)``.
    """
    state = status.get("status")
    if state == "running":
        p = status.get("progress") or {}
        total = f" {p.get('done')}/{p.get('total')}" if p.get("total") else ""
        return f"Checking\u2026 {p.get('stage') or ''}{total}".rstrip(), None
    if state == "ready" and status.get("report"):
        verdict = str(status["report"].get("verdict") or "unknown")
        if verdict not in ("isolated", "not_isolated"):
            verdict = "unknown"
        at = f" ({status['finished_at']})" if status.get("finished_at") else ""
        return f"Verdict: {verdict.replace('_', ' ')}. Report ready{at}.", None
    if state == "error" and status.get("error"):
        err = status["error"]
        reason = f" ({err['reason']})" if err.get("reason") else ""
        return "The check failed.", f"The check failed: {err.get('message')}{reason}"
    return "No recent report for this domain: press Check.", None


def _tag_change_text(result: dict, head: str, item_line, footer: list[str]) -> str:
    """A tag change (backfill or its rollback) as text: the head, one line per item, footer."""
    lines = [head, *(item_line(item) for item in result["items"]), *footer]
    return "\n".join(lines) + "\n"


def render_backfill_text(result: dict) -> str:
    """``tags backfill``'s text: each resource's status and the tags added, the counts, and the
    rollback command of a real run (``aws.backfill.apply_plan``'s result)."""

    def line(item: dict) -> str:
        add = ", ".join(f"{k}={v}" for k, v in item["add"].items())
        detail = item.get("detail") and item["status"] not in ("would-tag", "tagged")
        return (
            f"  {item['status']:<15} {item['arn']}"
            + (f"  + {add}" if add else "")
            + (f"  ({item['detail']})" if detail else "")
        )

    counts = ", ".join(f"{k} {v}" for k, v in sorted(result["counts"].items()))
    footer = ["  " + (counts or "nothing to do: the plan selects no resource")]
    if result["change_id"]:
        footer.append(
            f"Undo with: sagemaker-isolation tags rollback --change {result['change_id']} --yes"
        )
    head = (
        "Dry run (nothing changed; --yes applies)"
        if result["dry_run"]
        else f"Change {result['change_id']}: {result['status']}"
    )
    return _tag_change_text(result, head, line, footer)


def render_tag_rollback_text(result: dict, change: str) -> str:
    """``tags rollback``'s text: each resource's status and the tags removed."""
    head = (
        "Dry run (nothing changed; --yes rolls back)"
        if result["dry_run"]
        else f"Rollback {result['change_id']} of {change}: {result['status']}"
    )
    return _tag_change_text(
        result,
        head,
        lambda item: f"  {item['status']:<14} {item['arn']}  - {', '.join(item['remove'])}"
        + (f"  ({item['detail']})" if item.get("detail") else ""),
        [],
    )
