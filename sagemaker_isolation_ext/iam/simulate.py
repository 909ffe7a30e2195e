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

Output, one dict per input line: ``{"id", "decision", "statements": [{"policy", "sid", "index",
"effect"}], "reason"?}``. A malformed line (bad JSON, malformed policy, missing field) gives
``{"id": <id or null>, "decision": "unknown", "statements": [], "reason": "..."}``. Blank lines
are skipped. Other keys of the line (``expected``, ...) are ignored.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring
from json.scanner import make_scanner
from typing import Any, Iterable, Iterator

from .engine import PolicySet, Request, evaluate
from .policy import Policy, PolicyError, parse_policy

__all__ = ["run_case", "run_cases", "explain_case", "explain_cases", "CaseError"]


class CaseError(ValueError):
    """A case line is malformed (message says which field)."""


def _policy(entry: Any, where: str, default_name: str, kind: str = "identity") -> Policy:
    if isinstance(entry, dict) and "document" in entry:
        name = entry.get("name", default_name)
        if not isinstance(name, str):
            raise CaseError(f"{where}: 'name' must be a string")
        return parse_policy(entry["document"], name, kind=kind)
    if isinstance(entry, dict) and "Statement" in entry:
        return parse_policy(entry, default_name, kind=kind)
    raise CaseError(f"{where}: expected {{'name', 'document'}} or a policy document")


def _levels(value: Any, field: str) -> list[list[Policy]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CaseError(f"'{field}' must be a list")
    if not value:
        return []
    if all(isinstance(v, list) for v in value):
        return [
            [_policy(p, f"{field}[{i}][{j}]", f"{field}-{i}-{j}") for j, p in enumerate(level)]
            for i, level in enumerate(value)
        ]
    if any(isinstance(v, list) for v in value):
        raise CaseError(f"'{field}' mixes policies and lists of policies")
    return [[_policy(p, f"{field}[{i}]", f"{field}-{i}") for i, p in enumerate(value)]]


_POLICY_FIELDS = (
    "identity_policies",
    "permissions_boundary",
    "session_policy",
    "resource_policy",
    "scps",
    "rcps",
)


def _build_policies(obj: dict) -> PolicySet:
    idp = obj.get("identity_policies")
    if not isinstance(idp, list):
        raise CaseError("'identity_policies' must be a list")
    identity = [_policy(p, f"identity_policies[{i}]", f"p{i}") for i, p in enumerate(idp)]
    pb = obj.get("permissions_boundary")
    boundary = _policy(pb, "permissions_boundary", "boundary") if pb is not None else None
    sp = obj.get("session_policy")
    session = _policy(sp, "session_policy", "session_policy") if sp is not None else None
    rp = obj.get("resource_policy")
    resource = (
        _policy(rp, "resource_policy", "resource_policy", kind="resource")
        if rp is not None
        else None
    )
    return PolicySet(
        identity=identity,
        boundary=boundary,
        scps=_levels(obj.get("scps"), "scps"),
        session=session,
        resource=resource,
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


def _unknown(case_id: Any | None, reason: str) -> dict:
    return {"id": case_id, "decision": "unknown", "statements": [], "reason": reason}


def run_case(obj: Any) -> dict:
    """Evaluate one parsed case.

    Args:
        obj: the case (dict, shape in the module docstring).

    Returns:
        ``{"id", "decision", "statements", "reason"?}``; malformed input gives ``unknown`` with a
        reason (never raises for bad content).
    """
    if not isinstance(obj, dict):
        return _unknown(None, f"case must be a JSON object, not {type(obj).__name__}")
    case_id = obj.get("id")
    if case_id is not None and not isinstance(case_id, (str, int)):
        case_id = None
    try:
        request, policies = _build(obj)
    except (PolicyError, CaseError) as exc:
        return _unknown(case_id, f"malformed case: {exc}")
    out = {"id": case_id}
    out.update(evaluate(request, policies).to_json())
    return out


def explain_case(obj: Any) -> dict:
    """Explain one parsed case (``simulate --explain``).

    Args:
        obj: the case (dict, shape in the module docstring).

    Returns:
        ``{"id", "decision": {...}, "request": {...}, "policies": [...]}`` as
        :func:`~sagemaker_isolation_ext.iam.explain.explain` returns it plus ``id``; a malformed
        case gives ``{"id", "decision": {"decision": "unknown", "statements": [], "reason"},
        "request": None, "policies": []}`` (never raises for bad content).
    """
    from .explain import explain

    if not isinstance(obj, dict):
        reason = f"case must be a JSON object, not {type(obj).__name__}"
        return _unexplained(None, reason)
    case_id = obj.get("id")
    if case_id is not None and not isinstance(case_id, (str, int)):
        case_id = None
    try:
        request, policies = _build(obj)
    except (PolicyError, CaseError) as exc:
        return _unexplained(case_id, f"malformed case: {exc}")
    out: dict[str, Any] = {"id": case_id}
    out.update(explain(request, policies))
    return out


def _unexplained(case_id: Any, reason: str) -> dict:
    line = _unknown(case_id, reason)
    return {
        "id": case_id,
        "decision": {k: v for k, v in line.items() if k != "id"},
        "request": None,
        "policies": [],
    }


def explain_cases(lines: Iterable[str]) -> Iterator[dict]:
    """:func:`explain_case` for every non-blank JSONL line (lazily); a line that is not JSON gives
    the malformed-case shape with reason ``line N: not valid JSON (...)``."""
    for n, line in enumerate(lines, 1):
        if isinstance(line, bytes):
            line = line.decode("utf-8", "replace")
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            yield _unexplained(None, f"line {n}: not valid JSON ({exc})")
            continue
        yield explain_case(obj)


def run_cases(lines: Iterable[str]) -> Iterator[dict]:
    """Evaluate JSONL lines lazily, one output dict per non-blank line.

    Lines that repeat the same policy fields (byte for byte) share one parsed and compiled
    :class:`PolicySet`: the raw JSON text of those fields is the cache key, so a file of
    thousands of cases over a few policy sets parses and compiles each set once.

    Args:
        lines: an iterable of text lines (e.g. an open file).

    Yields:
        one dict per case (see :func:`run_case`); a line that is not JSON gives
        ``{"id": null, "decision": "unknown", "statements": [], "reason": "line N: not valid JSON
        (...)"}``.
    """
    cache: dict[tuple, PolicySet] = {}
    known = _RawIndex()
    for n, line in enumerate(lines, 1):
        if isinstance(line, bytes):
            line = line.decode("utf-8", "replace")
        if not line.strip():
            continue
        top = _scan_top(line, known)
        if top is None:
            try:
                obj = json.loads(line)
            except ValueError as exc:
                yield _unknown(None, f"line {n}: not valid JSON ({exc})")
                continue
            yield run_case(obj)
            continue
        key = tuple(top[f][1] if f in top else None for f in _POLICY_FIELDS)
        policies = cache.get(key)
        obj = {k: v for k, (v, _raw) in top.items() if v is not _UNDECODED}
        case_id = obj.get("id")
        if case_id is not None and not isinstance(case_id, (str, int)):
            case_id = None
        if policies is None:
            for k, (v, raw) in top.items():
                if v is _UNDECODED:
                    obj[k] = json.loads(raw)
            try:
                policies = _build_policies(obj)
            except (PolicyError, CaseError) as exc:
                yield _unknown(case_id, f"malformed case: {exc}")
                continue
            if len(cache) >= _CASE_CACHE_MAX:
                cache.clear()
            cache[key] = policies
        try:
            request = _build_request(obj)
        except CaseError as exc:
            yield _unknown(case_id, f"malformed case: {exc}")
            continue
        out = {"id": case_id}
        out.update(evaluate(request, policies).to_json())
        yield out


class _Undecoded:
    __slots__ = ()


#: Stands for a policy field whose raw text was recognised and therefore not decoded again.
_UNDECODED = _Undecoded()
_HEAD = 256
_BUCKET_MAX = 32
_RAW_MAX = 8192
_DELIMS = ", \t\n\r}"


class _RawIndex:
    """Raw JSON texts of policy fields already seen in this file, indexed by their first 256
    characters, so a later line holding the same text is recognised with one ``startswith`` (a
    complete JSON value followed by a delimiter is exactly that value) instead of being decoded
    again: policy documents are most of the bytes of a cases file. Buckets are bounded (a miss
    only costs the normal decoding)."""

    __slots__ = ("by_head", "size")

    def __init__(self) -> None:
        self.by_head: dict[str, list[str]] = {}
        self.size = 0

    def find(self, line: str, i: int) -> str | None:
        for raw in self.by_head.get(line[i : i + _HEAD], ()):
            end = i + len(raw)
            if line.startswith(raw, i) and line[end : end + 1] in _DELIMS:
                return raw
        return None

    def add(self, raw: str) -> None:
        if self.size >= _RAW_MAX:
            self.by_head.clear()
            self.size = 0
        bucket = self.by_head.setdefault(raw[:_HEAD], [])
        if len(bucket) >= _BUCKET_MAX:
            bucket.pop(0)
        bucket.append(raw)
        self.size += 1


_CASE_CACHE_MAX = 2048
_WS = re.compile(r"[ \t\n\r]*")
_WS_CHARS = " \t\n\r"
_SCAN = make_scanner(json.JSONDecoder())


def _scan_top(line: str, known: _RawIndex | None = None) -> dict[str, tuple[Any, str]] | None:
    """Decode a JSON object line member by member: ``{key: (value, raw_text)}``.

    Uses the json module's own scanner for every value, so values are exactly what
    ``json.loads`` gives; a policy field whose raw text ``known`` already holds is not decoded
    again (its value is :data:`_UNDECODED`). Returns None for anything else than a well-formed
    object (the caller then falls back to ``json.loads`` and its error message).
    """
    ws = _WS.match
    try:
        i = ws(line, 0).end()
        if line[i] != "{":
            return None
        i += 1
        if line[i] in _WS_CHARS:
            i = ws(line, i).end()
        out: dict[str, tuple[Any, str]] = {}
        if line[i] == "}":
            return out if not line[i + 1 :].strip() else None
        while True:
            if line[i] != '"':
                return None
            key, i = scanstring(line, i + 1)
            if line[i] in _WS_CHARS:
                i = ws(line, i).end()
            if line[i] != ":":
                return None
            i += 1
            if line[i] in _WS_CHARS:
                i = ws(line, i).end()
            raw = known.find(line, i) if known is not None and key in _POLICY_FIELDS else None
            if raw is not None:
                out[key] = (_UNDECODED, raw)
                i += len(raw)
            else:
                value, end = _SCAN(line, i)
                raw = line[i:end]
                out[key] = (value, raw)
                if known is not None and key in _POLICY_FIELDS:
                    known.add(raw)
                i = end
            if line[i] in _WS_CHARS:
                i = ws(line, i).end()
            ch = line[i]
            if ch == ",":
                i += 1
                if line[i] in _WS_CHARS:
                    i = ws(line, i).end()
                continue
            if ch == "}":
                return out if not line[i + 1 :].strip() else None
            return None
    except (StopIteration, ValueError, RecursionError, IndexError):
        return None
