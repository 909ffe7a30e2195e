"""Replay the witnesses of a saved report against a snapshot with the plain engine.

``sagemaker-isolation replay --report R.json --snapshot S.json``: every ``cross_domain`` entry of a
report carries a witness request (issue "Sound verdicts"); one without ``conditional_on`` must be
allowed by the plain policy engine in a *closed world* (keys not in its context are absent). This
re-evaluates each against the role's policies as the snapshot holds them, so a saved report can be
checked later, by someone else, or after the engine changed.
"""

from __future__ import annotations

from ..iam import PolicySet, Request, evaluate
from ..iam.request_context import ContextValueError

__all__ = ["ReplayError", "replay", "render_replay_text"]


class ReplayError(ValueError):
    """The report or snapshot cannot be replayed (the message says why)."""


def _policy_sets(snapshot: dict) -> dict:
    from .analysis import policy_sets

    return policy_sets(snapshot)


def replay(report: dict, snapshot: dict) -> dict:
    """Re-evaluate every witness of ``report`` against ``snapshot``'s policies.

    Args:
        report: a report (``check --format json``), schema version 2 or later.
        snapshot: the snapshot the report was made from (``snapshot.load_snapshot`` output).

    Returns:
        ``{"ok": bool, "checked": int, "disagreements": int, "witnesses": [{"role", "action",
        "resource", "conditional_on", "decision", "statements", "agrees"}]}``; ``agrees`` is True
        when the closed-world decision is ``allow``, or the witness is conditional (its
        ``conditional_on`` keys are ones the engine cannot know, so either answer is consistent).
        ``ok`` is True when every witness agrees.

    Raises:
        ReplayError: the report has no ``roles`` list, report and snapshot are about different
            domains, a role of the report is not in the snapshot, or a witness is malformed.
    """
    if not isinstance(report, dict) or not isinstance(report.get("roles"), list):
        raise ReplayError("the report has no 'roles' list (is it check --format json output?)")
    r_dom = (report.get("domain") or {}).get("arn")
    s_dom = (snapshot.get("domain") or {}).get("arn")
    if r_dom and s_dom and r_dom != s_dom:
        raise ReplayError(
            f"the report is about domain {r_dom} but the snapshot about {s_dom}: pass the "
            "snapshot the report was made from (check --save-snapshot)"
        )
    sets = _policy_sets(snapshot)
    out = []
    for role in report["roles"]:
        if not isinstance(role, dict):
            raise ReplayError("a report role is not an object")
        key = role.get("arn") or "offline:role"
        if key not in sets:
            raise ReplayError(
                f"role {role.get('name') or key!r} of the report is not in the snapshot"
            )
        policies: PolicySet = sets[key]
        for entry in role.get("cross_domain") or ():
            w = entry.get("witness") if isinstance(entry, dict) else None
            if w is None:
                continue
            try:
                req = Request(
                    w["principal"], w["action"], w["resource"], dict(w["context"]), open_world=False
                )
                d = evaluate(req, policies)
            except (KeyError, TypeError, ValueError, ContextValueError) as exc:
                raise ReplayError(f"malformed witness of {entry.get('action')!r}: {exc}") from None
            conditional = list(w.get("conditional_on") or ())
            out.append(
                {
                    "role": role.get("name"),
                    "action": w["action"],
                    "resource": w["resource"],
                    "conditional_on": conditional,
                    "decision": d.decision,
                    "statements": [s.to_json() for s in d.statements],
                    "agrees": d.decision == "allow" or bool(conditional),
                }
            )
    bad = sum(1 for r in out if not r["agrees"])
    return {"ok": bad == 0, "checked": len(out), "disagreements": bad, "witnesses": out}


def render_replay_text(result: dict) -> str:
    """One line per witness and a summary line (text output of ``replay``)."""
    lines = []
    for r in result["witnesses"]:
        mark = "ok " if r["agrees"] else "BAD"
        cond = f" (conditional on {', '.join(r['conditional_on'])})" if r["conditional_on"] else ""
        lines.append(
            f"{mark} {r['role']}: {r['action']} on {r['resource']} -> {r['decision']}{cond}"
        )
    lines.append(
        f"{result['checked']} witnesses replayed, {result['disagreements']} "
        f"{'disagreement' if result['disagreements'] == 1 else 'disagreements'}"
    )
    return "\n".join(lines) + "\n"
