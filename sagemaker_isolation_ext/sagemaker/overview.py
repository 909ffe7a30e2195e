"""Every domain at a glance: the account overview built from per-domain snapshots and reports.

Pure (no I/O): the AWS half (listing domains per account and Region, collecting each domain
once with a run-level cache) is ``aws/overview.py``; the per-domain verdicts are the one check
path's (``analysis.analyze``). This module adds what only a view of several domains can say:

- ``domains``: one row per domain listed, ``{"id", "arn", "name", "region", "account_id",
  "experience", "verdict", "roles": [compact role rows], "findings": [...]}``; a domain that was
  listed but could not be read is a row with verdict ``unknown`` (never dropped);
- ``reach``: the matrix, ``[{"from": domain ARN, "to": domain ARN | "*", "actions": N,
  "examples": [up to 5 witnesses]}]``, only cells with ``actions >= 1``;
- ``fixes``: "Do this next", the changes that resolve findings, each with how many findings it
  closes, counted by re-running the analysis with the change applied.

Readings of the matrix (stated in docs/CLI.md "check --all-domains"):

- ``actions`` counts distinct non-accepted ``cross_domain`` actions (Create* rows that reach an
  existing resource or act inside one included, the actions tags cannot isolate excluded: they
  are never in ``cross_domain``) of the row domain's execution roles.
- Cells are decided within one account and Region, the space the per-domain verdict decides
  (:mod:`.cross_domain`): a request of a role onto another Region's or account's resources is
  not in the matrix.
- ``"to": "*"``: the action reaches a domain none of the listed domains' ids names (the search
  over every other domain id, the listed ones excluded). Such an action is shown in the ``*``
  column only, not added to the named columns.
- ``"to": <ARN>``: the action reaches that listed domain (a search with the domain id fixed to
  it) and no unnamed one. Only domains whose id appears in the text of one of the role's
  policies are searched one by one: a policy that names no listed id in any pattern matches an
  unnamed id wherever it matches a listed one (the id grammar leaves free characters), so such
  a role's actions are all ``*``.
- A role whose per-domain search stopped at its budget has all its actions in ``*`` (the
  reading that cannot hide a reach).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterable

from . import templates
from .analysis import (
    ACCEPTED_ACTIONS,
    RoleResultCache,
    _caller_context,
    _domain_arn,
    _policy_set,
    _principal,
    _profiles,
    _role_inputs,
    analyze,
    budget_limits,
)
from .catalog import Catalog, load_catalog
from .cross_domain import role_reach, worlds_for
from .request_space import Budget

__all__ = [
    "MAX_EXAMPLES",
    "VERDICTS",
    "domain_row",
    "unreadable_row",
    "reach_matrix",
    "fix_candidates",
    "evaluate_fixes",
    "build_overview",
    "contract_json",
    "exit_code",
]

#: The keys of ``check --all-domains --format json`` (README contract), in order.
CONTRACT_KEYS = ("domains", "reach", "errors")

#: Witnesses per matrix cell.
MAX_EXAMPLES = 5
VERDICTS = ("isolated", "not_isolated", "unknown")
#: At most this many fix candidates are evaluated (each re-runs the analysis of its domains).
MAX_FIXES = 10
#: No further candidate is evaluated once this many seconds went by (the rest are counted in
#: ``not_evaluated``): a large fleet's overview must end.
FIXES_SECONDS = 120.0


# --------------------------------------------------------------------------------------------
# Domain rows


def _experience(report: dict) -> str:
    """The domain's experience: the report's ``domain.experience`` (issue "New Studio domains":
    ``studio`` | ``classic`` | ``both`` | ``unknown``, per profile settings) when the analysis
    gives it, else its domain-level ``default_experience`` (``studio-classic`` | ``studio`` |
    ``unknown``)."""
    dom = report.get("domain") or {}
    value = dom.get("experience") or dom.get("default_experience")
    return value if isinstance(value, str) and value else "unknown"


def _compact_role(rj: dict) -> dict:
    return {
        "arn": rj.get("arn"),
        "name": rj.get("name"),
        "used_by": rj.get("used_by") or [],
        "verdict": rj.get("verdict"),
        "verdict_reason": rj.get("verdict_reason"),
        "policies": rj.get("policies") or [],
        "counts": rj.get("counts") or {},
    }


def domain_row(report: dict, snapshot: dict | None = None) -> dict:
    """The overview row of one checked domain.

    Args:
        report: ``analysis.analyze``'s report of the domain.
        snapshot: its snapshot (unused; kept for callers that pass the pair).

    Returns:
        ``{"id", "arn", "name", "region", "account_id", "experience", "verdict", "roles":
        [{"arn", "name", "used_by", "verdict", "verdict_reason", "policies", "counts"}],
        "findings": [the report's findings]}`` (exactly these keys: the README contract).
    """
    d = report.get("domain") or {}
    return {
        "id": d.get("id"),
        "arn": d.get("arn"),
        "name": d.get("name"),
        "region": d.get("region"),
        "account_id": d.get("account_id"),
        "experience": _experience(report),
        "verdict": report.get("verdict") or "unknown",
        "roles": [_compact_role(r) for r in report.get("roles") or ()],
        "findings": list(report.get("findings") or ()),
    }


def unreadable_row(domain: dict, error: dict) -> dict:
    """The row of a domain that was listed but could not be checked: verdict ``unknown``.

    Args:
        domain: ``{"id", "arn", "name", "region", "account_id"}`` from ListDomains.
        error: the error row ``{"account_id", "region", "operation", "code", "message"}``.

    Returns:
        a row shaped as :func:`domain_row`, with one finding ``domain-unreadable``.
    """
    return {
        "id": domain.get("id"),
        "arn": domain.get("arn"),
        "name": domain.get("name"),
        "region": domain.get("region"),
        "account_id": domain.get("account_id"),
        "experience": "unknown",
        "verdict": "unknown",
        "roles": [],
        "findings": [
            {
                "id": "domain-unreadable",
                "severity": "medium",
                "title": "The domain could not be read",
                "detail": f"{error.get('operation')} failed ({error.get('code')}): "
                f"{error.get('message')}. Its execution roles were not judged.",
                "fix": "Give the checking identity sagemaker:DescribeDomain, "
                "sagemaker:ListUserProfiles and sagemaker:DescribeUserProfile in this account "
                "and Region, and the IAM read actions on the roles.",
                "evidence": {"error": error},
                "role": None,
            }
        ],
    }


# --------------------------------------------------------------------------------------------
# Reach matrix


def _policy_text(pset) -> str:
    docs = list(pset.identity) + ([pset.boundary] if pset.boundary is not None else [])
    return "\n".join(json.dumps(p.document, sort_keys=True) for p in docs).lower()


def _same_scope(a: templates.DomainArn, b: templates.DomainArn) -> bool:
    return (a.partition, a.account, a.region) == (b.partition, b.account, b.region)


def _role_cells(ri, rj: dict, dom: templates.DomainArn, others: list, catalog: Catalog) -> dict:
    """``{to: {action: witness}}`` for one role of the row domain (see the module readings)."""
    leaking = {
        e["action"]: e
        for e in rj.get("cross_domain") or ()
        if not e.get("accepted") and e.get("action") not in ACCEPTED_ACTIONS
    }
    if not leaking:
        return {}
    star = {a: e.get("witness") for a, e in leaking.items()}
    if rj.get("analysis", {}).get("budget_exceeded") or ri.boundary is False:
        return {"*": star}
    pset = _policy_set(ri)
    text = _policy_text(pset)
    named = [o for o in others if o.domain_id.lower() in text]
    if not named:
        return {"*": star}
    docs = list(pset.identity) + ([pset.boundary] if pset.boundary is not None else [])
    worlds = worlds_for(docs, _caller_context(dom, ri), dom.domain_id, _profiles(ri))
    principal = _principal(ri, dom)
    exclude = tuple(sorted(o.domain_id for o in others))
    unnamed = role_reach(principal, pset, dom, catalog, worlds, Budget(**budget_limits()),
                         exclude=exclude)
    if unnamed.budget_exceeded:
        return {"*": star}
    out: dict = {}
    for action, r in unnamed.reach.items():
        if action in leaking:
            out.setdefault("*", {})[action] = r.witness
    for o in named:
        one = role_reach(principal, pset, dom, catalog, worlds, Budget(**budget_limits()),
                         only=o.domain_id)
        if one.budget_exceeded:
            # Cannot tell which of the role's actions reach this domain: every one might.
            cell = {a: w for a, w in star.items() if a not in out.get("*", {})}
        else:
            cell = {a: r.witness for a, r in one.reach.items()
                    if a in leaking and a not in out.get("*", {})}
        if cell:
            out[o.arn] = cell
    return out


def reach_matrix(checked: Iterable[tuple[dict, dict]], catalog: Catalog | None = None) -> list:
    """The reach matrix of the checked domains.

    Args:
        checked: ``(snapshot, report)`` pairs, one per domain that was read.
        catalog: the action catalog (``load_catalog()`` when None).

    Returns:
        ``[{"from": domain ARN, "to": domain ARN | "*", "actions": N, "examples":
        [witness, ...]}]`` (cells with N >= 1, sorted by from, then "*" last); a witness is the
        ``cross_domain`` witness shape ``{"principal", "action", "resource", "context",
        "conditional_on"}``, at most :data:`MAX_EXAMPLES` per cell, distinct actions.
    """
    catalog = catalog or load_catalog()
    pairs = list(checked)
    doms = []
    for snap, _rep in pairs:
        try:
            doms.append(_domain_arn(snap))
        except (ValueError, TypeError):
            doms.append(None)
    cells: dict = {}
    for (snap, rep), dom in zip(pairs, doms):
        if dom is None:
            continue
        others = [o for o in doms if o is not None and o.arn != dom.arn and _same_scope(o, dom)]
        inputs = {ri.key: ri for ri in _role_inputs(snap)}
        by_arn = {ri.arn: ri for ri in inputs.values() if ri.arn}
        for rj in rep.get("roles") or ():
            ri = by_arn.get(rj.get("arn")) or inputs.get(rj.get("arn") or "")
            if ri is None:
                continue
            for to, acts in _role_cells(ri, rj, dom, others, catalog).items():
                cell = cells.setdefault((dom.arn, to), {})
                for action, witness in acts.items():
                    cell.setdefault(action, witness)
    out = []
    for (frm, to), acts in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1] == "*",
                                                                 kv[0][1])):
        examples = [w for _a, w in sorted(acts.items()) if w][:MAX_EXAMPLES]
        out.append({"from": frm, "to": to, "actions": len(acts), "examples": examples})
    return out


# --------------------------------------------------------------------------------------------
# "Do this next": fixes grouped by the change that resolves them


def _is_aws_managed(arn: str | None) -> bool:
    return isinstance(arn, str) and ":iam::aws:policy/" in arn


def fix_candidates(checked: Iterable[tuple[dict, dict]]) -> list[dict]:
    """The changes that may resolve findings, grouped (not yet evaluated).

    Two kinds:

    - ``attach-template``: attach the ``deny`` template of domain D
      (``StudioDomainResourceIsolationPolicy-<id>``) to D's roles that are not isolated and
      that the report's ``templates`` section says become isolated with it;
    - ``replace-managed-policy``: replace managed policy P, on every role of every domain whose
      ``broad-allow-defeats-isolation`` findings name P's statements, with a copy of P without
      those statements.

    Returns:
        ``[{"kind", "domains": [domain ARN], "roles": [{"domain", "role"}], ...kind fields}]``:
        ``attach-template``: ``policy_name``, ``policy_arn``, ``variant``;
        ``replace-managed-policy``: ``policy_arn``, ``policy_name``, ``aws_managed`` (bool),
        ``statements``: ``[{"sid", "index"}]``.
    """
    out: list[dict] = []
    replace: dict = {}
    for _snap, rep in checked:
        darn = (rep.get("domain") or {}).get("arn")
        if not darn:
            continue
        for t in rep.get("templates") or ():
            if t.get("variant") != "deny":
                continue
            roles = [r["arn"] for r in t.get("roles") or ()
                     if r.get("arn") and r.get("verdict_before") == "not_isolated"
                     and r.get("verdict_after") == "isolated"]
            if roles:
                out.append({"kind": "attach-template", "variant": "deny",
                            "policy_name": t.get("name"), "policy_arn": t.get("arn"),
                            "domains": [darn],
                            "roles": [{"domain": darn, "role": r} for r in roles]})
        roles_by_name = {}
        for rj in rep.get("roles") or ():
            for p in rj.get("policies") or ():
                if p.get("kind") == "managed" and p.get("arn"):
                    roles_by_name.setdefault((rj.get("arn"), p["name"]), p["arn"])
        for f in rep.get("findings") or ():
            if f.get("id") != "broad-allow-defeats-isolation" or not f.get("role"):
                continue
            ev = f.get("evidence") or {}
            parn = roles_by_name.get((f["role"], ev.get("policy")))
            if not parn:
                continue  # an inline policy: edited in place, not a shared change
            c = replace.setdefault(parn, {"kind": "replace-managed-policy", "policy_arn": parn,
                                          "policy_name": ev.get("policy"),
                                          "aws_managed": _is_aws_managed(parn),
                                          "statements": {}, "domains": [], "roles": []})
            c["statements"].setdefault(ev.get("index"), ev.get("sid"))
            if darn not in c["domains"]:
                c["domains"].append(darn)
            ref = {"domain": darn, "role": f["role"]}
            if ref not in c["roles"]:
                c["roles"].append(ref)
    for c in replace.values():
        c["statements"] = [{"sid": s, "index": i} for i, s in sorted(
            c["statements"].items(), key=lambda kv: (kv[0] is None, kv[0] or 0))]
        out.append(c)
    return out


def _finding_key(f: dict) -> tuple:
    ev = f.get("evidence") or {}
    return (f.get("id"), f.get("role"), ev.get("policy"), ev.get("sid"), ev.get("index"),
            ev.get("target"))


def _apply(snapshot: dict, fix: dict, darn: str) -> dict:
    """A copy of ``snapshot`` with ``fix`` applied to its roles listed for domain ``darn``."""
    snap = copy.deepcopy(snapshot)
    roles = {r["role"] for r in fix["roles"] if r["domain"] == darn}
    pols = snap.setdefault("policies", {})
    if fix["kind"] == "attach-template":
        dom = _domain_arn(snap)
        arn = fix["policy_arn"]
        pols[arn] = {"arn": arn, "name": fix["policy_name"], "version_id": "planned",
                     "document": templates.render(dom.arn, fix["variant"])}
        for rarn, role in (snap.get("roles") or {}).items():
            if rarn in roles:
                attached = [p for p in role.get("attached_policies") or ()
                            if (pols.get(p) or {}).get("name") != fix["policy_name"]]
                role["attached_policies"] = attached + [arn]
        return snap
    old = pols.get(fix["policy_arn"])
    if not isinstance(old, dict) or not isinstance(old.get("document"), dict):
        return snap
    drop = {s["index"] for s in fix["statements"]}
    doc = copy.deepcopy(old["document"])
    stmts = doc.get("Statement")
    stmts = stmts if isinstance(stmts, list) else [stmts]
    doc["Statement"] = [s for i, s in enumerate(stmts) if i not in drop]
    dom = _domain_arn(snap)
    new_name = fix["new_policy_name"]
    new_arn = f"arn:{dom.partition}:iam::{dom.account}:policy/{new_name}"
    pols[new_arn] = {"arn": new_arn, "name": new_name, "version_id": "planned", "document": doc}
    for rarn, role in (snap.get("roles") or {}).items():
        if rarn in roles:
            role["attached_policies"] = [new_arn if p == fix["policy_arn"] else p
                                         for p in role.get("attached_policies") or ()]
    return snap


def _fix_title(fix: dict, role_names: list[str]) -> str:
    who = ", ".join(role_names[:3]) + (f" and {len(role_names) - 3} more"
                                        if len(role_names) > 3 else "")
    if fix["kind"] == "attach-template":
        return f"Attach {fix['policy_name']} (deny variant) to {who}"
    sids = ", ".join(s["sid"] or f"#{s['index']}" for s in fix["statements"])
    what = "the AWS managed policy" if fix["aws_managed"] else "the managed policy"
    return (f"Replace {what} {fix['policy_name']} with a copy without statement"
            f"{'s' if len(fix['statements']) != 1 else ''} {sids} on {who}")


def evaluate_fixes(checked: list[tuple[dict, dict]], catalog: Catalog | None = None,
                   *, max_fixes: int = MAX_FIXES, max_seconds: float = FIXES_SECONDS,
                   progress: Callable[[str, int, int], None] | None = None,
                   clock: Callable[[], float] = time.monotonic,
                   role_cache: RoleResultCache | None = None) -> dict:
    """Evaluate the fix candidates by re-running the analysis with each applied.

    Args:
        checked: ``(snapshot, report)`` pairs.
        catalog: the action catalog.
        max_fixes: evaluate at most this many candidates (the largest groups first).
        max_seconds: start no further candidate after this many seconds (wall).
        clock: monotonic seconds (tests pass a fake).
        progress: ``progress("fixes", done, total)``.
        role_cache: the run's ``analysis.RoleResultCache``: roles a fix leaves alone are not
            analysed again, and a fix's role analysis is renamed between domains where
            ``symmetry`` proves it carries over.

    Returns:
        ``{"fixes": [{"kind", "title", "change": {...}, "roles": [{"domain", "role",
        "role_name"}], "domains": [ARN], "closes": N, "verdicts_after": {domain ARN:
        verdict}}], "not_evaluated": n}`` sorted by ``closes`` (largest first); fixes that close
        nothing are left out.
    """
    catalog = catalog or load_catalog()
    role_cache = role_cache if role_cache is not None else RoleResultCache()
    by_arn = {(rep.get("domain") or {}).get("arn"): (snap, rep) for snap, rep in checked}
    cands = fix_candidates(checked)
    cands.sort(key=lambda c: (-len(c["roles"]), c["kind"], c.get("policy_name") or ""))
    todo, skipped = cands[:max_fixes], max(0, len(cands) - max_fixes)
    out = []
    started = clock()
    for i, fix in enumerate(todo, 1):
        if clock() - started > max_seconds:
            skipped += len(todo) - i + 1
            break
        if fix["kind"] == "replace-managed-policy":
            fix["new_policy_name"] = f"{fix['policy_name']}-NoCrossDomain"[:128]
        closes = 0
        after_verdicts = {}
        for darn in fix["domains"]:
            snap, rep = by_arn[darn]
            after = analyze(_apply(snap, fix, darn), catalog, role_cache=role_cache,
                            with_templates=False)
            before_keys = {_finding_key(f) for f in rep.get("findings") or ()}
            after_keys = {_finding_key(f) for f in after.get("findings") or ()}
            closes += len(before_keys - after_keys)
            after_verdicts[darn] = after.get("verdict")
        names = {}
        for darn in fix["domains"]:
            for rj in by_arn[darn][1].get("roles") or ():
                names[(darn, rj.get("arn"))] = rj.get("name")
        roles = [{**r, "role_name": names.get((r["domain"], r["role"]))} for r in fix["roles"]]
        if progress:
            progress("fixes", i, len(todo))
        if closes <= 0:
            continue
        change = {k: v for k, v in fix.items() if k not in ("roles", "domains", "kind")}
        out.append({
            "kind": fix["kind"],
            "title": _fix_title(fix, [r["role_name"] or r["role"] for r in roles]),
            "change": change,
            "roles": roles,
            "domains": fix["domains"],
            "closes": closes,
            "verdicts_after": after_verdicts,
        })
    out.sort(key=lambda f: (-f["closes"], f["title"]))
    return {"fixes": out, "not_evaluated": skipped}


# --------------------------------------------------------------------------------------------
# The whole overview


def build_overview(
    checked: list[tuple[dict, dict]],
    unreadable: list[tuple[dict, dict]] = (),
    errors: list[dict] = (),
    *,
    catalog: Catalog | None = None,
    fixes: bool = True,
    max_fixes: int = MAX_FIXES,
    progress: Callable[[str, int, int], None] | None = None,
    role_cache: RoleResultCache | None = None,
) -> dict:
    """The overview JSON (README "check --all-domains").

    Args:
        checked: ``(snapshot, report)`` of each domain that was read and analysed.
        unreadable: ``(domain, error row)`` of each domain listed but not read.
        errors: the run's error rows ``{"account_id", "region", "operation", "code",
            "message"}`` (accounts and Regions that refused, and unreadable domains).
        catalog: the action catalog.
        fixes: compute "Do this next" (re-runs the analysis per fix).
        max_fixes: see :func:`evaluate_fixes`.
        progress: ``progress(stage, done, total)``, stages ``reach`` and ``fixes``.
        role_cache: the run's ``analysis.RoleResultCache`` (see :func:`evaluate_fixes`).

    Returns:
        ``{"domains": [row], "reach": [cell], "errors": [row], "fixes": [...],
        "fixes_not_evaluated": n, "summary": {"domains", "isolated", "not_isolated",
        "unknown", "errors"}}`` (the contract's three keys first; ``fixes`` and ``summary``
        are additions).
    """
    catalog = catalog or load_catalog()
    rows = [domain_row(rep, snap) for snap, rep in checked]
    rows += [unreadable_row(d, e) for d, e in unreadable]
    rows.sort(key=lambda r: (r.get("account_id") or "", r.get("region") or "",
                             r.get("name") or "", r.get("id") or ""))
    if progress:
        progress("reach", 0, 1)
    reach = reach_matrix(checked, catalog)
    if progress:
        progress("reach", 1, 1)
    ev = (evaluate_fixes(checked, catalog, max_fixes=max_fixes, progress=progress,
                         role_cache=role_cache)
          if fixes else {"fixes": [], "not_evaluated": 0})
    summary = {v: sum(1 for r in rows if r["verdict"] == v) for v in VERDICTS}
    summary.update({"domains": len(rows), "errors": len(errors)})
    return {
        "domains": rows,
        "reach": reach,
        "errors": list(errors),
        "fixes": ev["fixes"],
        "fixes_not_evaluated": ev["not_evaluated"],
        "summary": summary,
    }


def contract_json(overview: dict) -> dict:
    """``{"domains", "reach", "errors"}`` of an overview: exactly what ``check --all-domains
    --format json`` prints (the server's ``overview`` route carries the rest beside it)."""
    return {k: overview.get(k) or [] for k in CONTRACT_KEYS}


def exit_code(overview: dict, *, nothing_read: bool = False) -> int:
    """The CLI exit code of an overview (README contract).

    1 if any domain is not isolated; else 2 if any is unknown or any account/Region failed
    (an ``errors`` row); else 0 (also when there are no domains). 4 when nothing at all could
    be read (``nothing_read``: no account and no Region answered).
    """
    if nothing_read:
        return 4
    verdicts = [r.get("verdict") for r in overview.get("domains") or ()]
    if "not_isolated" in verdicts:
        return 1
    if "unknown" in verdicts or overview.get("errors"):
        return 2
    return 0

