"""The ``simulate --cases FILE.jsonl`` line contract (closed world: the context is used as given).

Input line (shape of ``tests/cases/iam_eval_cases.jsonl``)::

    {"id": "...",
     "identity_policies": [{"name": "...", "document": {...}}],
     "permissions_boundary": {"name", "document"} | null,
     "scps": [{"name", "document"}, ...]            # one OU level; or [[...], [...]] per level
     "rcps": same shape as scps,
     "session_policy": {"name", "document"} | bare document | null,
     "resource_policy": {"name", "document"} | bare document | null,
     "request": {"principal": "...", "action": "...", "resource": "...", "context": {...}}}

SCPs are read with the SCP grammar and RCPs with the RCP grammar (``Principal: "*"``, the
RCP-supported services; :mod:`.policy`).

Output, one JSON object per input line, keys in this order: ``{"id", "decision", "statements":
[{"policy", "sid", "index", "effect"}], "reason"?, "conditional_on"?, "uncredited_deny_keys"?}``.
A malformed line gives ``{"id": <id or null>, "decision": "unknown", "statements": [], "reason":
"..."}``: not JSON as orjson reads it (which refuses NaN/Infinity and lone surrogates), an
integer past 64 bits, nesting deeper than :data:`MAX_DEPTH`, a malformed policy or a missing
field. Blank lines are skipped. Other keys of the line (``expected``, ...) are ignored.

Speed: lines are decoded with orjson; each policy document is parsed once per distinct text
(``parse_policy``'s cache, keyed by orjson's encoding of the document) and each statement once
per distinct text, compiled once per statement and lazily (``engine``); output is encoded with
orjson. Nothing else is remembered between lines.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

import orjson

from .engine import Decision, PolicySet, Request, evaluate
from .policy import Policy, PolicyError, parse_policy

__all__ = [
    "run_case",
    "run_cases",
    "run_cases_json",
    "explain_case",
    "explain_cases",
    "CaseError",
    "MAX_DEPTH",
]

#: Deepest JSON nesting a line may have (the product's rule for every JSON input; a valid case
#: nests at most 10 levels: line, scps, OU level, entry, document, Statement, statement,
#: Condition, operator, value list).
MAX_DEPTH = 64


class CaseError(ValueError):
    """A case line is malformed (message says which field)."""


# -- reading one case -------------------------------------------------------------------------


def _policy(entry: Any, where: str, default_name: str, kind: str) -> Policy:
    if isinstance(entry, dict) and "document" in entry:
        name = entry.get("name", default_name)
        if not isinstance(name, str):
            raise CaseError(f"{where}: 'name' must be a string")
        document = entry["document"]
    elif isinstance(entry, dict) and "Statement" in entry:
        name, document = default_name, entry
    else:
        raise CaseError(f"{where}: expected {{'name', 'document'}} or a policy document")
    return parse_policy(document, name, kind=kind)


def _levels(value: Any, field: str) -> list[list[Policy]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CaseError(f"'{field}' must be a list")
    if not value:
        return []
    kind = field[:-1]  # "scp" / "rcp"
    if all(isinstance(v, list) for v in value):
        return [
            [_policy(p, f"{field}[{i}][{j}]", f"{field}-{i}-{j}", kind) for j, p in enumerate(lv)]
            for i, lv in enumerate(value)
        ]
    if any(isinstance(v, list) for v in value):
        raise CaseError(f"'{field}' mixes policies and lists of policies")
    return [[_policy(p, f"{field}[{i}]", f"{field}-{i}", kind) for i, p in enumerate(value)]]


def _build_policies(obj: dict) -> PolicySet:
    idp = obj.get("identity_policies")
    if not isinstance(idp, list):
        raise CaseError("'identity_policies' must be a list")
    identity = [_policy(p, f"identity_policies[{i}]", f"p{i}", "identity") for i, p in enumerate(idp)]
    pb = obj.get("permissions_boundary")
    sp = obj.get("session_policy")
    rp = obj.get("resource_policy")
    return PolicySet(
        identity=identity,
        boundary=_policy(pb, "permissions_boundary", "boundary", "identity") if pb is not None else None,
        scps=_levels(obj.get("scps"), "scps"),
        session=_policy(sp, "session_policy", "session_policy", "identity") if sp is not None else None,
        resource=(
            _policy(rp, "resource_policy", "resource_policy", "resource") if rp is not None else None
        ),
        rcps=_levels(obj.get("rcps"), "rcps"),
    )


def _build_request(obj: dict) -> Request:
    req = obj.get("request")
    if not isinstance(req, dict):
        raise CaseError("'request' must be an object")
    for f in ("action", "resource"):
        if not isinstance(req.get(f), str):
            raise CaseError(f"'request.{f}' must be a string")
    principal = req.get("principal", "")
    if not isinstance(principal, str):
        raise CaseError("'request.principal' must be a string")
    context = req.get("context", {})
    if context is None:
        context = {}
    if not isinstance(context, dict):
        raise CaseError("'request.context' must be an object")
    return Request(principal, req["action"], req["resource"], context)


def _build(obj: dict) -> tuple[Request, PolicySet]:
    policies = _build_policies(obj)
    return _build_request(obj), policies


# -- nesting depth ----------------------------------------------------------------------------


def _depth_over(value: Any, depth: int, skip_statements: bool = False) -> bool:
    """True when ``value`` (itself at nesting ``depth``, 1 = the line's object) nests deeper
    than :data:`MAX_DEPTH`. With ``skip_statements`` the ``Statement`` member of an object is
    not walked: the policy grammar already refuses any statement nested more than a few levels
    (so :func:`_decide` walks statements only when a case is refused)."""
    stack = [(value, depth)]
    while stack:
        node, d = stack.pop()
        if d > MAX_DEPTH:
            return True
        if node.__class__ is dict:
            for k, v in node.items():
                if (v.__class__ is dict or v.__class__ is list) and not (
                    skip_statements and k == "Statement"
                ):
                    stack.append((v, d + 1))
        else:
            for v in node:
                if v.__class__ is dict or v.__class__ is list:
                    stack.append((v, d + 1))
    return False


_TOO_DEEP = f"nested too deeply: JSON deeper than {MAX_DEPTH} levels"


# -- deciding ---------------------------------------------------------------------------------


def _unknown(case_id: Any | None, reason: str) -> dict:
    return {"id": case_id, "decision": "unknown", "statements": [], "reason": reason}


def _case_id(obj: dict) -> Any:
    case_id = obj.get("id")
    if case_id is not None and not isinstance(case_id, (str, int)):
        return None
    return case_id


def _decide(obj: Any) -> tuple[Any, Decision | dict]:
    """``(id, Decision)``, or ``(id, the whole unknown line)`` for a case refused before the
    engine (not an object, too deep, malformed)."""
    if not isinstance(obj, dict):
        return None, _unknown(None, f"case must be a JSON object, not {type(obj).__name__}")
    case_id = _case_id(obj)
    try:
        request, policies = _build(obj)
    except (PolicyError, CaseError) as exc:
        if _depth_over(obj, 1):
            return case_id, _unknown(case_id, _TOO_DEEP)
        return case_id, _unknown(case_id, f"malformed case: {exc}")
    if _depth_over(obj, 1, skip_statements=True):
        return case_id, _unknown(case_id, _TOO_DEEP)
    return case_id, evaluate(request, policies)


def _line(case_id: Any, decision: Decision | dict) -> dict:
    if decision.__class__ is dict:
        return decision
    out = {"id": case_id}
    out.update(decision.to_json())
    return out


def run_case(obj: Any) -> dict:
    """Evaluate one parsed case.

    Args:
        obj: the case (dict, shape in the module docstring).

    Returns:
        ``{"id", "decision", "statements", "reason"?, ...}`` (the output line); malformed input
        gives ``unknown`` with a reason (never raises for bad content).
    """
    return _line(*_decide(obj))


# -- reading lines ----------------------------------------------------------------------------

#: Every byte to b" " but ASCII digits to b"0": a line holds an integer outside 64 bits only if
#: its translation holds :data:`_LONG_RUN` (19 digits in a row), a test at C speed.
_DIGITS_ONLY = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_RUN = b"0" * 19
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1


def _check_int(text: str) -> int:
    value = int(text)
    if not _INT_MIN <= value <= _INT_MAX:
        raise ValueError(f"integer {text[:30]}{'...' if len(text) > 30 else ''} is past 64 bits")
    return value


def _decode(line: str | bytes, n: int) -> tuple[Any, str | None]:
    """``(decoded line, None)`` or ``(None, reason)``. orjson decodes (it refuses NaN,
    Infinity and lone surrogates); it reads an integer past 64 bits as a float, so a line with
    a long run of digits is checked with the json module, whose integers are exact."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return None, f"line {n}: not valid JSON ({exc})"
    raw = line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")
    if _LONG_RUN in raw.translate(_DIGITS_ONLY):
        try:
            json.loads(raw, parse_int=_check_int)
        except (ValueError, RecursionError) as exc:
            return None, f"line {n}: {exc}"
    return obj, None


def _blank(line: str | bytes) -> bool:
    return not line.strip(" \t\n\r" if isinstance(line, str) else b" \t\n\r")


def _decide_lines(lines: Iterable[str | bytes]) -> Iterator[tuple[Any, Decision | dict]]:
    for n, line in enumerate(lines, 1):
        if _blank(line):
            continue
        obj, reason = _decode(line, n)
        if reason is not None:
            yield None, _unknown(None, reason)
        else:
            yield _decide(obj)


def run_cases(lines: Iterable[str | bytes]) -> Iterator[dict]:
    """Evaluate JSONL lines lazily, one output dict per non-blank line.

    Args:
        lines: an iterable of text (or UTF-8 bytes) lines, e.g. an open file.

    Yields:
        one dict per case (see :func:`run_case`); a line that cannot be decoded gives
        ``{"id": null, "decision": "unknown", "statements": [], "reason": "line N: ..."}``.
    """
    for case_id, decision in _decide_lines(lines):
        yield _line(case_id, decision)


def run_cases_json(lines: Iterable[str | bytes]) -> Iterator[str]:
    """:func:`run_cases` encoded: one compact JSON text per case (no newline), byte for byte
    ``json.dumps(result, separators=(",", ":"))`` of what :func:`run_cases` yields (orjson
    encodes; a line with non-ASCII text is encoded by the json module, which escapes it)."""
    for case_id, decision in _decide_lines(lines):
        yield _encode(_line(case_id, decision))


def _encode(value: Any) -> str:
    try:
        out = orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError: not reachable from decoded lines
        return json.dumps(value, separators=(",", ":"))
    if out.isascii():
        return out.decode()
    return json.dumps(value, separators=(",", ":"))


# -- explain ----------------------------------------------------------------------------------


def explain_case(obj: Any) -> dict:
    """Explain one parsed case (``simulate --explain``).

    Args:
        obj: the case (dict, shape in the module docstring).

    Returns:
        ``{"id", "decision": {...}, "request": {...}, "policies": [...]}`` as
        :func:`~sagemaker_isolation_ext.iam.trace.trace_decision` returns it plus ``id``; a malformed
        case gives ``{"id", "decision": {"decision": "unknown", "statements": [], "reason"},
        "request": None, "policies": []}`` (never raises for bad content).
    """
    from .trace import trace_decision

    case_id, decision = _decide(obj)
    if decision.__class__ is dict:
        return _unexplained(case_id, decision["reason"])
    request, policies = _build(obj)
    out: dict[str, Any] = {"id": case_id}
    out.update(trace_decision(request, policies))
    return out


def _unexplained(case_id: Any, reason: str) -> dict:
    line = _unknown(case_id, reason)
    return {
        "id": case_id,
        "decision": {k: v for k, v in line.items() if k != "id"},
        "request": None,
        "policies": [],
    }


def explain_cases(lines: Iterable[str | bytes]) -> Iterator[dict]:
    """:func:`explain_case` for every non-blank JSONL line (lazily); a line that cannot be
    decoded gives the malformed-case shape with reason ``line N: ...``."""
    for n, line in enumerate(lines, 1):
        if _blank(line):
            continue
        obj, reason = _decode(line, n)
        yield _unexplained(None, reason) if reason is not None else explain_case(obj)
