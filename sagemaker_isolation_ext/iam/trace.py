"""Explain a decision: for every statement of every policy, what matched and why.

``trace_decision(request, policies) -> dict`` evaluates ``request`` with :func:`~.engine.evaluate` (the
decision shown is exactly the engine's) and walks every statement of every policy in the
:class:`~.engine.PolicySet` with the same compiled matchers, without short-circuiting, so each
element gets its own verdict:

```
{"decision": {...Decision.to_json()...},
 "request": {"principal", "action", "resource", "context", "open_world"},
 "policies": [{"policy": name, "type": "identity" | "permissions boundary" | "session policy"
               | "SCP" | "RCP" | "resource-based", "level": int | None,
               "statements": [{
                   "index", "sid", "effect",
                   "principal": {"matched": bool, "grant": kind | None, "why"} | None,
                   "action": {"element": "Action" | "NotAction", "matched": bool,
                              "matching_patterns": [...], "why"},
                   "resource": {"element": "Resource" | "NotResource" | None,
                                "matched": "yes" | "no" | "unknown", "why"},
                   "conditions": [{"operator", "key", "values", "context_value",
                                   "result": "true" | "false" | "unknown" | "error", "why"}],
                   "outcome": "applies" | "does-not-apply" | "depends-on-unknown-keys"
                              | "cannot-evaluate",
                   "deciding": bool}]}]}
```

``deciding`` marks the statements the Decision names. :func:`format_trace` renders the same
dict as text. Nothing here imports Jupyter, tornado, boto3 or botocore.
"""

from __future__ import annotations

from typing import Any

from .arn import glob_matcher
from .conditions import FALSE, TRUE, UNKNOWN, ConditionEvalError
from .engine import (
    _MAYBE,
    _NO,
    _YES,
    PolicySet,
    Request,
    _CompiledStatement,
    compile_policy,
    evaluate,
)
from .principals import principal_of
from .request_context import PRESENT, UNKNOWN_KEY, ContextValueError, RequestContext
from .variables import UNRESOLVED, Template, Unknown, parse_template

__all__ = ["format_trace", "trace_decision"]

_OUTCOME = {
    _YES: "applies",
    _NO: "does-not-apply",
    _MAYBE: "depends-on-unknown-keys",
}
_RESULT = {TRUE: "true", FALSE: "false", UNKNOWN: "unknown"}


def _policies(ps: PolicySet) -> list[tuple[str, int | None, Any]]:
    out: list[tuple[str, int | None, Any]] = [("identity", None, p) for p in ps.identity]
    if ps.boundary is not None:
        out.append(("permissions boundary", None, ps.boundary))
    if ps.session is not None:
        out.append(("session policy", None, ps.session))
    for i, level in enumerate(ps.scps):
        out.extend(("SCP", i, p) for p in level)
    for i, level in enumerate(ps.rcps):
        out.extend(("RCP", i, p) for p in level)
    if ps.resource is not None:
        out.append(("resource-based", None, ps.resource))
    return out


def _action_part(st: _CompiledStatement, src, action: str) -> dict:
    element = "Action" if src.actions is not None else "NotAction"
    pats = src.actions if src.actions is not None else src.not_actions
    hits = [p for p in pats if glob_matcher(p.lower(), True)(action.lower())]
    matched = st.action_matches(action.lower())
    if element == "Action":
        why = (
            f"{action!r} matches {', '.join(repr(h) for h in hits)}"
            if hits
            else f"{action!r} matches none of the {len(pats)} Action pattern(s)"
        )
    else:
        why = (
            f"{action!r} is excluded by NotAction {', '.join(repr(h) for h in hits)}"
            if hits
            else f"{action!r} is not listed in NotAction, so the statement covers it"
        )
    return {"element": element, "matched": matched, "matching_patterns": hits, "why": why}


def _resource_part(st: _CompiledStatement, src, policy, resource: str, ctx) -> dict:
    if src.resources is None and src.not_resources is None:
        return {
            "element": None,
            "matched": "yes",
            "why": "no Resource element: a resource-based policy covers its own resource",
        }
    element = "Resource" if src.resources is not None else "NotResource"
    pats = src.resources if src.resources is not None else src.not_resources
    hits, unknown, unresolved = [], [], []
    for p in pats:
        pv = parse_template(p, policy.variables_enabled)
        if isinstance(pv, Template):
            r = pv.resolve(ctx)
            if r is UNRESOLVED:
                unresolved.append(p)
                continue
            if isinstance(r, Unknown):
                unknown.append(f"{p} (unknown: {', '.join(r.keys)})")
                continue
            pv = r
        if glob_matcher(pv)(resource):
            hits.append(p)
    code = st.resource_code(resource, ctx, [])
    matched = {_YES: "yes", _NO: "no", _MAYBE: "unknown"}[code]
    bits = []
    if hits:
        bits.append(f"{resource!r} matches {', '.join(repr(h) for h in hits)}")
    else:
        bits.append(f"{resource!r} matches none of the {len(pats)} {element} pattern(s)")
    if unknown:
        bits.append("depends on " + "; ".join(unknown))
    if unresolved:
        bits.append("unresolvable variable in " + ", ".join(repr(u) for u in unresolved))
    if element == "NotResource":
        bits.append("NotResource: the statement covers the resource only when no pattern matches")
    return {"element": element, "matched": matched, "why": "; ".join(bits)}


def _condition_part(cc, ctx: RequestContext) -> dict:
    st = ctx.state(cc.key_lower)
    if st == PRESENT:
        v = ctx.values[cc.key_lower]
        ctx_value: Any = list(v) if isinstance(v, tuple) else v
    else:
        ctx_value = None
    try:
        code = cc(ctx)
        result = _RESULT[code]
        error = None
    except ConditionEvalError as exc:
        result, error = "error", str(exc)
    if error is not None:
        why = error
    elif st == UNKNOWN_KEY:
        why = f"{cc.key!r} is unknown to this request (open world)"
    elif st != PRESENT:
        why = f"{cc.key!r} is absent from the request; {cc.operator} on a missing key is {result}"
    else:
        why = f"request value {ctx_value!r} against {list(cc.values)!r}: {cc.operator} is {result}"
        if result == "unknown":
            keys = cc.unknown_keys(ctx)
            if keys:
                why += f" (depends on unknown {', '.join(keys)})"
    return {
        "operator": cc.operator,
        "key": cc.key,
        "values": list(cc.values),
        "context_value": ctx_value,
        "result": result,
        "why": why,
    }


def trace_decision(request: Request, policies: PolicySet) -> dict:
    """Explain how ``policies`` decide ``request``.

    Args:
        request: the :class:`~.engine.Request`.
        policies: the :class:`~.engine.PolicySet`.

    Returns:
        the dict described in the module docstring; ``decision`` is exactly
        ``evaluate(request, policies).to_json()``. When the request context is malformed the
        dict has the ``unknown`` decision and an empty ``policies`` list (never raises for
        content).
    """
    decision = evaluate(request, policies)
    out: dict[str, Any] = {
        "decision": decision.to_json(),
        "request": {
            "principal": request.principal,
            "action": request.action,
            "resource": request.resource,
            "context": dict(request.context) if isinstance(request.context, dict) else {},
            "open_world": bool(request.open_world),
        },
        "policies": [],
    }
    try:
        ctx = RequestContext(request.context, request.open_world, request.absent_keys)
    except ContextValueError:
        return out
    if not isinstance(request.action, str) or not isinstance(request.resource, str):
        return out
    deciding = {(s.policy, s.index) for s in decision.statements}
    who = principal_of(request.principal, _ctx_str(ctx, "aws:principalarn"))
    has_boundary = policies.boundary is not None
    for ptype, level, policy in _policies(policies):
        cp = compile_policy(policy)
        stmts = []
        for st, src in zip(cp.statements, policy.statements):
            entry: dict[str, Any] = {"index": src.index, "sid": src.sid, "effect": src.effect}
            principal_ok = True
            if ptype == "resource-based":
                grant = st.names(who, has_boundary)
                principal_ok = grant is not None
                entry["principal"] = {
                    "matched": principal_ok,
                    "grant": grant,
                    "why": (
                        f"names {request.principal!r} (grant kind {grant!r})"
                        if principal_ok
                        else f"does not name {request.principal!r}"
                    ),
                }
            else:
                entry["principal"] = None
            entry["action"] = _action_part(st, src, request.action)
            entry["resource"] = _resource_part(st, src, policy, request.resource, ctx)
            entry["conditions"] = [_condition_part(cc, ctx) for cc in st.conditions]
            if not (principal_ok and entry["action"]["matched"]):
                outcome = "does-not-apply"
            else:
                code, _info = st.outcome(request.resource, ctx)
                outcome = _OUTCOME.get(code, "cannot-evaluate")
            entry["outcome"] = outcome
            entry["deciding"] = (policy.name, src.index) in deciding
            stmts.append(entry)
        out["policies"].append(
            {"policy": policy.name, "type": ptype, "level": level, "statements": stmts}
        )
    return out


def _ctx_str(ctx: RequestContext, key_lower: str) -> str | None:
    v = ctx.values.get(key_lower)
    return v if isinstance(v, str) else None


def format_trace(expl: dict) -> str:
    """Render an :func:`trace_decision` dict as text (one block per policy, one line per element).

    Args:
        expl: the dict :func:`trace_decision` returned.

    Returns:
        multi-line text ending with a newline.
    """
    d = expl["decision"]
    r = expl["request"]
    lines = [
        f"decision: {d['decision']}" + (f" ({d['reason']})" if d.get("reason") else ""),
        f"request: {r['action']} on {r['resource']} by {r['principal']}",
    ]
    for ref in d.get("statements", []):
        sid = f" Sid {ref['sid']!r}" if ref.get("sid") else ""
        lines.append(f"  decided by: {ref['policy']} #{ref['index']}{sid} ({ref['effect']})")
    if d.get("conditional_on"):
        lines.append(f"  conditional on: {', '.join(d['conditional_on'])}")
    for p in expl["policies"]:
        lvl = f" level {p['level']}" if p["level"] is not None else ""
        lines.append(f"{p['type']}{lvl} policy {p['policy']!r}:")
        for s in p["statements"]:
            sid = f" Sid {s['sid']!r}" if s["sid"] else ""
            mark = " <= deciding" if s["deciding"] else ""
            lines.append(f"  #{s['index']}{sid} {s['effect']}: {s['outcome']}{mark}")
            if s["principal"] is not None:
                lines.append(
                    f"    principal: {'yes' if s['principal']['matched'] else 'no'} — "
                    f"{s['principal']['why']}"
                )
            a = s["action"]
            lines.append(f"    {a['element']}: {'yes' if a['matched'] else 'no'} — {a['why']}")
            res = s["resource"]
            lines.append(f"    {res['element'] or 'Resource'}: {res['matched']} — {res['why']}")
            for c in s["conditions"]:
                lines.append(f"    {c['operator']} {c['key']}: {c['result']} — {c['why']}")
    return "\n".join(lines) + "\n"
