"""The fast path of ``simulate --cases`` (:mod:`.simulate`): one typed decode per line.

A line whose every field has the shape of :class:`_Case` is decoded in one pass in C by msgspec:
each statement is kept as its JSON text, a statement text the run has seen (same policy kind and
Version) reuses its compiled form, and the new ones are decoded (so validated) together, checked
for what types do not say, and compiled lazily (:class:`~.engine._CompiledStatement`: the Action
matcher now, the Resource matchers and conditions when a request's action reaches them).
Anything else --- a field of another type, an unknown field, a statement the grammar refuses, an
integer past int64, a lone surrogate --- is refused (:meth:`FastPath.decide` returns None) and
:mod:`.simulate`'s reference path (orjson and ``parse_policy``) answers it, with the reason. The
shapes are at least as strict as ``parse_policy``, so both paths give the same answer on every
line they both take (tests/test_simulate_memo.py compares them on fuzzed lines).

Measured on scripts/gen_simulate_bench.py's file (docs/ENGINE.md "Speed"): msgspec with the
statements kept as text decodes a line in ~11 µs where orjson takes ~30 µs (untyped msgspec ~28,
msgspec typed in full ~29).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

import msgspec
from msgspec import UNSET, Meta, Raw, Struct, UnsetType

from .engine import CompiledPolicy, Decision, PolicySet, Request, _CompiledStatement, evaluate
from .policy import Statement, _scalar_to_str, rcp_action_refused

__all__ = ["FastPath", "COMPILED_CHARS_MAX"]

_Int = Annotated[int, Meta(ge=-(2**63), le=2**63 - 1)]  # past int64: the reference path
_Strs = Union[str, Annotated[list[str], Meta(min_length=1)]]
_Scalar = Union[str, _Int, float, bool]
_Values = Union[_Scalar, list[_Scalar]]


class _Stmt(Struct, forbid_unknown_fields=True):
    """A statement of an identity policy, boundary, session policy or SCP."""

    Effect: Literal["Allow", "Deny"]
    Sid: Union[str, None] = None
    Action: Union[_Strs, UnsetType] = UNSET
    NotAction: Union[_Strs, UnsetType] = UNSET
    Resource: Union[_Strs, UnsetType] = UNSET
    NotResource: Union[_Strs, UnsetType] = UNSET
    Condition: Union[dict[str, dict[str, _Values]], UnsetType] = UNSET
    Principal: UnsetType = UNSET
    NotPrincipal: UnsetType = UNSET


_Principal = Union[Literal["*"], Annotated[dict[str, _Strs], Meta(min_length=1)]]


class _ResourceStmt(_Stmt):
    Principal: Union[_Principal, UnsetType] = UNSET
    NotPrincipal: Union[_Principal, UnsetType] = UNSET


class _RcpStmt(_Stmt):
    Principal: Union[Literal["*"], UnsetType] = UNSET


_STMT_DECODERS = {
    kind: msgspec.json.Decoder(list[t])
    for kind, t in (("identity", _Stmt), ("scp", _Stmt), ("resource", _ResourceStmt), ("rcp", _RcpStmt))
}


class _Doc(Struct, forbid_unknown_fields=True):
    """A policy document, its statements kept as JSON text."""

    Version: Union[Literal["2012-10-17", "2008-10-17"], UnsetType] = UNSET
    Id: Union[str, UnsetType] = UNSET
    Statement: Union[list[Raw], Raw, UnsetType] = UNSET


class _Entry(_Doc):
    """``{"name", "document"}``, or a bare document."""

    name: Union[str, UnsetType] = UNSET
    document: Union[_Doc, UnsetType] = UNSET


class _Request(Struct, forbid_unknown_fields=True):
    action: str
    resource: str
    principal: str = ""
    context: Union[dict[str, _Values], None] = None


_Levels = Union[list[Union[_Entry, list[_Entry]]], None]


class _Case(Struct, forbid_unknown_fields=True):
    identity_policies: list[_Entry]
    request: _Request
    id: Union[str, _Int, None] = None
    permissions_boundary: Union[_Entry, None] = None
    session_policy: Union[_Entry, None] = None
    resource_policy: Union[_Entry, None] = None
    scps: _Levels = None
    rcps: _Levels = None
    expected: Union[str, UnsetType] = UNSET


_CASE = msgspec.json.Decoder(_Case)


class _Refused(Exception):
    """The fast path does not take this line (the reference path answers it)."""


#: The statement texts a run keeps compiled: at most this many characters (then it starts
#: over); 0 keeps none (every statement decoded and compiled where it stands).
COMPILED_CHARS_MAX = 8_000_000


class FastPath:
    """The fast path of one run. It keeps compiled statements by (kind, Version is
    2012-10-17) and JSON text: a statement that recurs (at any position, under any policy name)
    is decoded and compiled once. Bounded by :data:`COMPILED_CHARS_MAX` characters of text;
    dropped with the run."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, bool], dict[bytes, _CompiledStatement]] = {
            (k, v): {} for k in _STMT_DECODERS for v in (False, True)
        }
        self.chars = 0

    def decide(self, line: str | bytes) -> tuple[Any, Decision] | None:
        """``(id, Decision)``, or None when the line is not one the fast path takes."""
        try:
            case = _CASE.decode(line)
            pb, sp, rp = case.permissions_boundary, case.session_policy, case.resource_policy
            policies = PolicySet(
                identity=[
                    self._policy(p, "identity", f"p{i}")
                    for i, p in enumerate(case.identity_policies)
                ],
                boundary=None if pb is None else self._policy(pb, "identity", "boundary"),
                scps=self._levels(case.scps, "scps"),
                session=None if sp is None else self._policy(sp, "identity", "session_policy"),
                resource=None if rp is None else self._policy(rp, "resource", "resource_policy"),
                rcps=self._levels(case.rcps, "rcps"),
            )
        except (msgspec.MsgspecError, ValueError, _Refused):
            return None
        r = case.request
        request = Request(r.principal, r.action, r.resource, r.context or {})
        return case.id, evaluate(request, policies)

    def _policy(self, entry: _Entry, kind: str, default_name: str) -> CompiledPolicy:
        if entry.document is not UNSET:
            name = default_name if entry.name is UNSET else entry.name
            doc = entry.document
        elif entry.name is UNSET:
            name, doc = default_name, entry
        else:
            raise _Refused
        raw = doc.Statement
        vars_on = doc.Version == "2012-10-17"
        if raw is UNSET or (kind == "rcp" and not vars_on):
            raise _Refused
        texts = list(map(bytes, raw)) if raw.__class__ is list else [bytes(raw)]
        known = self.known[kind, vars_on]
        got = list(map(known.get, texts))
        if None in got:
            new = [i for i, st in enumerate(got) if st is None]
            decoded = _STMT_DECODERS[kind].decode(b"[" + b",".join([texts[i] for i in new]) + b"]")
            if self.chars > COMPILED_CHARS_MAX:
                for d in self.known.values():
                    d.clear()
                self.chars = 0
            keep = COMPILED_CHARS_MAX > 0
            for i, st in zip(new, decoded):
                got[i] = compiled = _compile(st, texts[i], kind, name, i, vars_on)
                if keep:
                    known[texts[i]] = compiled
                    self.chars += len(texts[i])
        return CompiledPolicy(name, tuple(got))

    def _levels(self, value: Any, field: str) -> list:
        if not value:
            return []
        kind = field[:-1]
        if all(v.__class__ is list for v in value):
            return [
                [self._policy(p, kind, f"{field}-{i}-{j}") for j, p in enumerate(lv)]
                for i, lv in enumerate(value)
            ]
        if any(v.__class__ is list for v in value):
            raise _Refused
        return [[self._policy(p, kind, f"{field}-{i}") for i, p in enumerate(value)]]


def _compile(s: _Stmt, text: bytes, kind: str, name: str, index: int, vars_on: bool):
    """A statement the typed decode accepted, checked as parse_policy checks what types do
    not say, compiled (lazily: its Action now, the rest on first use)."""
    a, na = s.Action, s.NotAction
    if (a is UNSET) == (na is UNSET) or (s.Resource is not UNSET and s.NotResource is not UNSET):
        raise _Refused
    if kind == "identity" and s.Resource is UNSET and s.NotResource is UNSET:
        raise _Refused
    if kind == "resource" and (s.Principal is UNSET) == (s.NotPrincipal is UNSET):
        raise _Refused
    pats = a if na is UNSET else na
    if pats.__class__ is str:
        pats = (pats,)
    if kind == "rcp" and (na is not UNSET or any(map(rcp_action_refused, pats))):
        raise _Refused
    source = (_LOADERS[kind], text)
    return _CompiledStatement(s.Sid, s.Effect, pats, a is UNSET, source, name, index, vars_on)


def _strs(value: Any) -> tuple[str, ...] | None:
    return None if value is UNSET else (value,) if value.__class__ is str else tuple(value)


def _principal(value: Any) -> Any:
    if value is UNSET or value == "*":
        return None if value is UNSET else "*"
    return {k: _strs(v) for k, v in value.items()}


def _loader(kind: str) -> Any:
    decode = _STMT_DECODERS[kind].decode

    def load(text: bytes, index: int) -> Statement:
        """The :class:`Statement` of a JSON text the fast path accepted (what parse_policy
        makes of it: values as tuples, condition values as IAM renders them)."""
        s = decode(b"[" + text + b"]")[0]
        conditions = ()
        if s.Condition is not UNSET:
            conditions = tuple(
                (op, key, tuple(map(_scalar_to_str, v)) if v.__class__ is list else (_scalar_to_str(v),))
                for op, block in s.Condition.items()
                for key, v in block.items()
            )
        return Statement(
            index, s.Sid, s.Effect, _strs(s.Action), _strs(s.NotAction), _strs(s.Resource),
            _strs(s.NotResource), conditions, _principal(s.Principal), _principal(s.NotPrincipal),
        )

    return load


_LOADERS = {kind: _loader(kind) for kind in _STMT_DECODERS}
