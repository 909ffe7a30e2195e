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

from .context import ContextValueError, RequestContext
from .engine import PolicySet, Request, evaluate, evaluate_in_context
from .policy import Policy, PolicyError, key_json, parse_policy

__all__ = [
    "run_case",
    "run_cases",
    "run_cases_json",
    "explain_case",
    "explain_cases",
    "CaseError",
]


class CaseError(ValueError):
    """A case line is malformed (message says which field)."""


def _policy(
    entry: Any, where: str, default_name: str, kind: str = "identity", memo: _Memo | None = None
) -> Policy:
    if isinstance(entry, dict) and "document" in entry:
        name = entry.get("name", default_name)
        if not isinstance(name, str):
            raise CaseError(f"{where}: 'name' must be a string")
        document = entry["document"]
    elif isinstance(entry, dict) and "Statement" in entry:
        name, document = default_name, entry
    else:
        raise CaseError(f"{where}: expected {{'name', 'document'}} or a policy document")
    if memo is None or not isinstance(document, dict):
        return parse_policy(document, name, kind=kind)
    # A document object the memo handed out before (recognised by its text) under the same
    # name and kind: the same Policy. The document is held, so its id is not reused.
    key = (id(document), name, kind)
    got = memo.policies.get(key)
    if got is not None and got[0] is document:
        return got[1]
    canons = memo.canons
    st = document.get("Statement")
    known = []
    for s in st if isinstance(st, list) else [st]:
        c = canons.get(id(s))
        known.append(c[1] if c is not None and c[0] is s else None)
    policy = parse_policy(document, name, kind=kind, statement_keys=known)
    _put(memo.policies, key, (document, policy), _EXACT_MAX)
    return policy


def _levels(value: Any, field: str, memo: _Memo | None = None) -> list[list[Policy]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CaseError(f"'{field}' must be a list")
    if not value:
        return []
    if all(isinstance(v, list) for v in value):
        return [
            [
                _policy(p, f"{field}[{i}][{j}]", f"{field}-{i}-{j}", memo=memo)
                for j, p in enumerate(level)
            ]
            for i, level in enumerate(value)
        ]
    if any(isinstance(v, list) for v in value):
        raise CaseError(f"'{field}' mixes policies and lists of policies")
    return [[_policy(p, f"{field}[{i}]", f"{field}-{i}", memo=memo) for i, p in enumerate(value)]]


_POLICY_FIELDS = (
    "identity_policies",
    "permissions_boundary",
    "session_policy",
    "resource_policy",
    "scps",
    "rcps",
)


def _build_policies(obj: dict, memo: _Memo | None = None) -> PolicySet:
    """The :class:`PolicySet` of a case (``memo``: :func:`run_cases`' memory, optional)."""
    idp = obj.get("identity_policies")
    if not isinstance(idp, list):
        raise CaseError("'identity_policies' must be a list")
    identity = [
        _policy(p, f"identity_policies[{i}]", f"p{i}", memo=memo) for i, p in enumerate(idp)
    ]
    pb = obj.get("permissions_boundary")
    boundary = (
        _policy(pb, "permissions_boundary", "boundary", memo=memo) if pb is not None else None
    )
    sp = obj.get("session_policy")
    session = _policy(sp, "session_policy", "session_policy", memo=memo) if sp is not None else None
    rp = obj.get("resource_policy")
    resource = (
        _policy(rp, "resource_policy", "resource_policy", kind="resource", memo=memo)
        if rp is not None
        else None
    )
    return PolicySet(
        identity=identity,
        boundary=boundary,
        scps=_levels(obj.get("scps"), "scps", memo),
        session=session,
        resource=resource,
        rcps=_levels(obj.get("rcps"), "rcps", memo),
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
        if not line or (line.isspace() and not line.strip(_WS_CHARS)):
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield _unexplained(None, f"line {n}: not valid JSON ({exc})")
            continue
        yield explain_case(obj)


def run_cases(lines: Iterable[str]) -> Iterator[dict]:
    """Evaluate JSONL lines lazily, one output dict per non-blank line.

    Lines that repeat the same policy fields (byte for byte) share one parsed and compiled
    :class:`PolicySet`: the raw JSON text of those fields is the cache key, so a file of
    thousands of cases over a few policy sets parses and compiles each set once. Below that, a
    policy entry, document or statement whose text was seen before is not decoded, encoded
    or parsed again (see :class:`_Memo`), so a new document that repeats known statements costs
    little more than its new statements.

    Args:
        lines: an iterable of text lines (e.g. an open file).

    Yields:
        one dict per case (see :func:`run_case`); a line that is not JSON gives
        ``{"id": null, "decision": "unknown", "statements": [], "reason": "line N: not valid JSON
        (...)"}``.
    """
    for case_id, decision in _decide_lines(lines):
        if decision.__class__ is dict:
            yield decision
        else:
            out = {"id": case_id}
            out.update(decision.to_json())
            yield out


def run_cases_json(lines: Iterable[str]) -> Iterator[str]:
    """:func:`run_cases` encoded: one compact JSON text per case (no newline), exactly
    ``json.dumps(result, separators=(",", ":"))`` of what :func:`run_cases` yields.

    The text after ``id`` is remembered per distinct :class:`Decision` (a file has few), so most
    lines cost one string concatenation to encode.
    """
    encode = _ENCODE
    tails: dict[Any, str] = {}
    for case_id, decision in _decide_lines(lines):
        if decision.__class__ is dict:
            yield encode(decision)
            continue
        tail = tails.get(decision)
        if tail is None:
            tail = encode(decision.to_json())[1:]
            _put(tails, decision, tail, _EXACT_MAX)
        if case_id.__class__ is str:
            yield '{"id":' + _encode_str(case_id) + "," + tail
        else:
            yield '{"id":' + encode(case_id) + "," + tail


_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
_encode_str = json.encoder.encode_basestring_ascii


def _decide_lines(lines: Iterable[str]) -> Iterator[tuple[Any, Any]]:
    """``(id, Decision)`` per non-blank line, or ``(None, the whole output dict)`` for a line
    decided without the engine (malformed)."""
    memo = _Memo()
    cache = memo.policy_sets
    for n, line in enumerate(lines, 1):
        if isinstance(line, bytes):
            line = line.decode("utf-8", "replace")
        if not line or (line.isspace() and not line.strip(_WS_CHARS)):
            continue
        top = _scan_top(line, memo)
        if top is None:
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError) as exc:
                yield None, _unknown(None, f"line {n}: not valid JSON ({exc})")
                continue
            yield None, run_case(obj)
            continue
        obj, raws = top
        key = (
            raws.get("identity_policies"),
            raws.get("permissions_boundary"),
            raws.get("session_policy"),
            raws.get("resource_policy"),
            raws.get("scps"),
            raws.get("rcps"),
        )
        policies = cache.get(key)
        case_id = obj.get("id")
        if case_id is not None and not isinstance(case_id, (str, int)):
            case_id = None
        if policies is None:
            try:
                policies = _build_policies(obj, memo)
            except (PolicyError, CaseError) as exc:
                yield None, _unknown(case_id, f"malformed case: {exc}")
                continue
            _put(cache, key, policies, _CASE_CACHE_MAX)
        known = memo.requests.get(raws.get("request"))
        if known is None:
            try:
                request = _build_request(obj)
            except CaseError as exc:
                yield None, _unknown(case_id, f"malformed case: {exc}")
                continue
            try:
                ctx = RequestContext(request.context, request.open_world, request.absent_keys)
            except ContextValueError:
                decision = evaluate(request, policies)  # gives the "bad request context" reason
            else:
                # the text is held by exact
                _put(memo.requests, raws["request"], (request, ctx), _EXACT_MAX)
                decision = evaluate_in_context(request, ctx, policies)
        else:
            decision = evaluate_in_context(known[0], known[1], policies)
        yield case_id, decision


#: Window ends of the levels of :class:`_RawIndex`: 64, 128, 256, ... characters.
_LEVELS = tuple(64 << k for k in range(17))
_WINDOW = 64
_TAIL = 32
_TERMS_MAX = 16
_RAW_MAX = 8192
_DELIMS = ", \t\n\r}]"


class _RawIndex:
    """Raw JSON texts of values already decoded in this file, with their decoded values, so a
    later line holding the same text is recognised with a few ``startswith`` calls instead of
    being decoded again (policy documents are most of the bytes of a cases file).

    A complete JSON object or array followed by a delimiter (or the end of the line) is exactly
    that value, so ``line.startswith(raw, i)`` plus a delimiter check is an exact test; the
    text's last 32 characters are compared first, so a candidate that shares a long prefix with
    the line (a document and the same document with one more statement) is rejected without
    comparing it all.

    Texts are filed in a tree: level 0 is keyed by the first 64 characters, level k by the 64
    characters that end at 64 * 2**k, and a text of length L sits at the deepest level whose
    window end is <= L. So texts that share a head (every identity-policy list starts
    ``[{"name":"p0","document":{"Version":...``) do not crowd one bucket, and a lookup hashes 64
    characters per level whatever the length of the text. Texts shorter than 64 characters are
    not filed (decoding them is cheap). Bounded: at most 16 texts per node (least recently found
    dropped first) and 8192 in all (then the index starts over); a miss only costs the normal
    decoding.
    """

    __slots__ = ("root", "size")

    def __init__(self) -> None:
        self.root: dict[str, list] = {}
        self.size = 0

    def find(self, line: str, i: int) -> tuple[str, Any, str] | None:
        """The ``(raw, value, tail)`` filed for the JSON text at ``line[i:]``, or None."""
        children = self.root
        for n in _LEVELS:
            node = children.get(line[i + n - _WINDOW : i + n])
            if node is None:
                return None
            terms = node[0]
            for k, entry in enumerate(terms):
                raw, _value, tail = entry
                end = i + len(raw)
                if (
                    line.startswith(tail, end - _TAIL)
                    and line[end : end + 1] in _DELIMS
                    and line.startswith(raw, i)
                ):
                    if k:
                        terms.insert(0, terms.pop(k))
                    return entry
            children = node[1]
        return None

    def clear(self) -> None:
        """Forget every text."""
        self.root = {}
        self.size = 0

    def add(self, raw: str, value: Any) -> None:
        """File ``raw`` (a complete JSON object or array) with its decoded ``value``."""
        size = len(raw)
        if size < _LEVELS[0]:
            return
        if self.size >= _RAW_MAX:
            self.root = {}
            self.size = 0
        children = self.root
        last = len(_LEVELS) - 1
        for depth, n in enumerate(_LEVELS):
            key = raw[n - _WINDOW : n]
            node = children.get(key)
            if node is None:
                node = children[key] = [[], {}]
            if depth == last or size < _LEVELS[depth + 1]:
                terms = node[0]
                if len(terms) >= _TERMS_MAX:
                    terms.pop()
                terms.insert(0, (raw, value, raw[-_TAIL:]))
                self.size += 1
                return
            children = node[1]


def _put(table: dict, key: Any, value: Any, limit: int) -> None:
    """``table[key] = value``, forgetting the whole table first when it holds ``limit`` entries
    (the bound every memo of this module keeps; forgetting only costs work again)."""
    if len(table) >= limit:
        table.clear()
    table[key] = value


class _Memo:
    """What :func:`run_cases` remembers across the lines of one file.

    Attributes:
        values: raw text -> decoded value of policy documents.
        statements: raw text -> decoded value of statements.
        exact: raw text -> (the same text, decoded value) of whole policy fields and requests
            (the texts :func:`_scan_top` guesses are checked against; the stored text is reused
            so equal texts are held once).
        follow: member name -> the text that followed its value in the last line that had it
            (up to the next key's closing quote, or the object's closing brace).
        requests: raw request text -> its :class:`Request` and normalised context.
        policy_sets: the policy fields' raw texts -> their :class:`PolicySet`.
        policies: ``(id(document), name, kind) -> (document, Policy)`` for document objects
            parsed before (held so their ids stay valid).
        chars: characters of raw text held (see :meth:`spend`).
        canons: ``id(statement value) -> (value, its key_json text)`` for the statement values
            in ``statements`` (the value is held so its id stays valid), handed to
            :func:`~sagemaker_isolation_ext.iam.policy.parse_policy` so a known statement is
            neither encoded nor parsed again. Decoded values are shared between lines and
            never mutated.
    """

    __slots__ = (
        "values",
        "statements",
        "canons",
        "exact",
        "follow",
        "requests",
        "policy_sets",
        "policies",
        "chars",
    )

    def __init__(self) -> None:
        self.values = _RawIndex()
        self.statements = _RawIndex()
        self.canons: dict[int, tuple[Any, str]] = {}
        self.exact: dict[str, tuple[str, Any]] = {}
        self.follow: dict[str, str] = {}
        self.requests: dict[str, tuple[Request, RequestContext]] = {}
        self.policy_sets: dict[tuple, PolicySet] = {}
        self.policies: dict[tuple[int, str, str], tuple[dict, Policy]] = {}
        self.chars = 0

    def spend(self, n: int) -> None:
        """Count ``n`` more characters of raw text held; past :data:`_MEMO_CHARS` everything is
        forgotten (in place: callers hold references to these dicts), so memory stays bounded
        whatever the file holds. Forgetting only costs decoding again."""
        self.chars += n
        if self.chars > _MEMO_CHARS:
            self.values.clear()
            self.statements.clear()
            self.canons.clear()
            self.exact.clear()
            self.requests.clear()
            self.policy_sets.clear()
            self.policies.clear()
            self.chars = 0


#: Raw text a :class:`_Memo` holds at most (characters; about 4 bytes each at worst).
_MEMO_CHARS = 16_000_000


_CASE_CACHE_MAX = 2048
_WS = re.compile(r"[ \t\n\r]*")
_WS_CHARS = " \t\n\r"
_SCAN = make_scanner(json.JSONDecoder())
#: Nesting depth (from a policy field's value) down to which containers are scanned member by
#: member: scps as a list of OU levels of entries of documents is the deepest schema (4).
_SCAN_DEPTH = 4


_MISSING = object()
#: Top-level members whose raw text is remembered (policy fields and the request).
_MEMO_FIELDS = frozenset(_POLICY_FIELDS + ("request",))
_EXACT_MAX = 4096


def _scan_top(line: str, memo: _Memo | None = None) -> tuple[dict, dict[str, str]] | None:
    """Decode a JSON object line: ``(object, {member: its raw JSON text})`` (raw texts for the
    policy fields and ``request``).

    Every scalar, key and unknown member is decoded by the json module's own scanner, so the
    object is exactly what ``json.loads`` gives. A policy field or request is first *guessed*:
    its text is taken to end where the text that followed it in an earlier line (``,"request"``,
    say) next occurs, and the guess is kept only if that text is one ``memo.exact`` holds: a
    complete JSON value followed by a delimiter is exactly the value there, so a wrong guess just
    fails. Otherwise the field is scanned through ``memo`` (a container seen before is not
    decoded again). Returns None for anything else than a well-formed object (the caller then
    falls back to ``json.loads`` and its error message).
    """
    memo = memo if memo is not None else _Memo()
    ws = _WS.match
    exact = memo.exact
    follow = memo.follow
    try:
        i = ws(line, 0).end()
        if line[i] != "{":
            return None
        i += 1
        if line[i] in _WS_CHARS:
            i = ws(line, i).end()
        obj: dict[str, Any] = {}
        raws: dict[str, str] = {}
        if line[i] == "}":
            return (obj, raws) if not line[i + 1 :].strip(_WS_CHARS) else None
        pending = None  # (key, end) of the last remembered member: learns what follows it
        while True:
            if line[i] != '"':
                return None
            key, i = scanstring(line, i + 1)
            if pending is not None:
                follow[pending[0]] = line[pending[1] : i]
                pending = None
            if line[i] in _WS_CHARS:
                i = ws(line, i).end()
            if line[i] != ":":
                return None
            i += 1
            if line[i] in _WS_CHARS:
                i = ws(line, i).end()
            if key in _MEMO_FIELDS:
                value = _MISSING
                after = follow.get(key)
                if after is not None:
                    end = line.rfind(after) if after[-1] == "}" else line.find(after, i)
                    if end > i:
                        known = exact.get(line[i:end])
                        if known is not None:
                            raw, value = known
                if value is _MISSING:
                    if key == "request":
                        value, end = _SCAN(line, i)
                    else:
                        value, end = _scan_value(line, i, memo, 0)
                    raw = line[i:end]
                    _put(exact, raw, (raw, value), _EXACT_MAX)
                    memo.spend(len(raw))
                raws[key] = raw
                pending = (key, end)
            else:
                value, end = _SCAN(line, i)
            obj[key] = value
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
                if line[i + 1 :].strip(_WS_CHARS):
                    return None
                if pending is not None:
                    follow[pending[0]] = line[pending[1] : i + 1]
                return obj, raws
            return None
    except (StopIteration, ValueError, RecursionError, IndexError):
        return None


def _scan_value(line: str, i: int, memo: _Memo, depth: int) -> tuple[Any, int]:
    """Decode the JSON value at ``line[i]`` (part of a policy field): ``(value, end index)``.

    A policy document (an object that has ``Statement``) is looked up in ``memo.values`` first
    and filed there once decoded; an entry ``{"name", "document"}`` is not (its document is).
    Down to :data:`_SCAN_DEPTH` objects and arrays are scanned member by member (so their parts
    can be recognised), deeper ones decoded by the json scanner. Raises
    ValueError/IndexError/StopIteration on malformed JSON.
    """
    ch = line[i]
    if ch == "[":
        if depth >= _SCAN_DEPTH:
            return _SCAN(line, i)
        return _scan_array(line, i, memo, depth, False)
    if ch != "{":
        return _SCAN(line, i)
    entry = line.startswith(_ENTRY_HEADS, i)
    if not entry:
        hit = memo.values.find(line, i)
        if hit is not None:
            return hit[1], i + len(hit[0])
    if depth >= _SCAN_DEPTH:
        value, end = _SCAN(line, i)
    else:
        value, end = _scan_object(line, i, memo, depth)
    if not entry and "Statement" in value:
        memo.values.add(line[i:end], value)
        memo.spend(end - i)
    return value, end


#: How a policy entry (not a document) starts in the usual spelling of a cases file.
_ENTRY_HEADS = ('{"name"', '{"document"')


def _scan_object(line: str, i: int, memo: _Memo, depth: int) -> tuple[dict, int]:
    ws = _WS.match
    i += 1
    if line[i] in _WS_CHARS:
        i = ws(line, i).end()
    out: dict[str, Any] = {}
    if line[i] == "}":
        return out, i + 1
    while True:
        if line[i] != '"':
            raise ValueError("expected a key")
        key, i = scanstring(line, i + 1)
        if line[i] in _WS_CHARS:
            i = ws(line, i).end()
        if line[i] != ":":
            raise ValueError("expected ':'")
        i += 1
        if line[i] in _WS_CHARS:
            i = ws(line, i).end()
        if key == "Statement":
            if line[i] == "[":
                value, i = _scan_array(line, i, memo, depth, True)
            else:
                value, i = _scan_statement(line, i, memo)
        else:
            value, i = _scan_value(line, i, memo, depth + 1)
        out[key] = value
        if line[i] in _WS_CHARS:
            i = ws(line, i).end()
        ch = line[i]
        if ch == ",":
            i += 1
            if line[i] in _WS_CHARS:
                i = ws(line, i).end()
            continue
        if ch == "}":
            return out, i + 1
        raise ValueError("expected ',' or '}'")


def _scan_array(line: str, i: int, memo: _Memo, depth: int, statements: bool) -> tuple[list, int]:
    ws = _WS.match
    i += 1
    if line[i] in _WS_CHARS:
        i = ws(line, i).end()
    out: list = []
    if line[i] == "]":
        return out, i + 1
    while True:
        if statements:
            value, i = _scan_statement(line, i, memo)
        else:
            value, i = _scan_value(line, i, memo, depth + 1)
        out.append(value)
        if line[i] in _WS_CHARS:
            i = ws(line, i).end()
        ch = line[i]
        if ch == ",":
            i += 1
            if line[i] in _WS_CHARS:
                i = ws(line, i).end()
            continue
        if ch == "]":
            return out, i + 1
        raise ValueError("expected ',' or ']'")


def _scan_statement(line: str, i: int, memo: _Memo) -> tuple[Any, int]:
    """Decode one statement (an element of ``Statement``, or its single object) through
    ``memo.statements``; a statement object decoded anew gets its key_json text in
    ``memo.canons``."""
    if line[i] != "{":
        return _SCAN(line, i)
    hit = memo.statements.find(line, i)
    if hit is not None:
        return hit[1], i + len(hit[0])
    value, end = _SCAN(line, i)
    try:
        canon = key_json(value)
    except (ValueError, TypeError, RecursionError):
        return value, end
    memo.statements.add(line[i:end], value)
    memo.spend(2 * (end - i))  # the text and its key text
    _put(memo.canons, id(value), (value, canon), _RAW_MAX * 2)
    return value, end
