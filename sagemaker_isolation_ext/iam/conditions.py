"""Condition operators, compiled once to callables.

Source: IAM User Guide, "IAM JSON policy elements: Condition operators" and "Single-valued vs.
multivalued context keys". Operator names are case-sensitive; key names are not.

A compiled condition is called with a :class:`~sagemaker_isolation_ext.iam.request_context.RequestContext`
and returns :data:`TRUE`, :data:`FALSE` or :data:`UNKNOWN`
(open world: the key, or a variable's key,
is unknown), or raises :class:`ConditionEvalError` (unsupported operator, malformed policy value,
a context value the operator cannot read).

Semantics (the readings we take are marked *reading*):
- Missing key (absent): positive operators are false; the negated operators (StringNotEquals,
  StringNotEqualsIgnoreCase, StringNotLike, ArnNotEquals, ArnNotLike, NumericNotEquals,
  DateNotEquals, NotIpAddress) are true; ``...IfExists`` is true; ``ForAllValues:`` is true;
  ``ForAnyValue:`` is false; ``Null: true`` is true.
- Values listed for one key are ORed: the positive form is true when the context value matches
  any of them; a negated operator is the negation of its positive form ("not equal to any").
- *Reading*: a multi-valued context value under an operator without ``ForAnyValue:`` /
  ``ForAllValues:`` behaves like ``ForAnyValue:`` for positive operators (any value matches), and
  the negated operator is the negation of that (no value matches).
- *Reading*: a policy value whose variable cannot be resolved matches nothing. For a negated
  operator, such a value makes the condition false in closed world (we cannot say the context
  value differs from a value that does not exist) — AWS: an unresolvable variable "might cause
  the entire statement to be invalid" (IAM User Guide, "IAM JSON policy elements: Variables and
  tags"). In open world the documentation leaves this uncertain, so the condition is UNKNOWN on
  the variable's key: an Allow counts it as met, a Deny is not credited (the reading that cannot
  produce a false "isolated").
- ``ForAnyValue:`` is true when some context value satisfies the operator; ``ForAllValues:`` when
  every one does (true for a missing or empty key — the trap of using it in an Allow).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timezone
from functools import lru_cache
from typing import Callable, Union

from .arn import arn_matcher, glob_matcher, has_wildcard, unsentinel
from .request_context import PRESENT, UNKNOWN_KEY, RequestContext
from .variables import UNRESOLVED, Template, Unknown, parse_template

__all__ = [
    "TRUE",
    "FALSE",
    "UNKNOWN",
    "ConditionEvalError",
    "CompiledCondition",
    "compile_condition",
    "SUPPORTED_OPERATORS",
    "parse_operator",
]

FALSE = 0
TRUE = 1
UNKNOWN = 2


class ConditionEvalError(Exception):
    """A condition cannot be evaluated; ``str(exc)`` says why."""


class _BadContextValue(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Predicate factories: pattern (policy value, possibly with literal-wildcard sentinels) ->
# predicate(context_value) -> bool. A factory raises ValueError for a malformed policy value; a
# predicate raises _BadContextValue for a context value it cannot read.


def _f_str_eq(p: str) -> Callable[[str], bool]:
    return unsentinel(p).__eq__


def _f_str_ieq(p: str) -> Callable[[str], bool]:
    low = unsentinel(p).lower()
    return lambda v: v.lower() == low


def _f_str_like(p: str) -> Callable[[str], bool]:
    return glob_matcher(p)


def _f_arn(p: str) -> Callable[[str], bool]:
    return arn_matcher(p)


def _f_bool(p: str) -> Callable[[str], bool]:
    low = unsentinel(p).lower()
    return lambda v: v.lower() == low


def _f_binary(p: str) -> Callable[[str], bool]:
    return unsentinel(p).__eq__


def _num(text: str) -> float:
    return float(text.strip())


def _ctx_num(v: str) -> float:
    try:
        return _num(v)
    except ValueError:
        raise _BadContextValue(f"context value {v!r} is not a number") from None


_EPOCH_RE = re.compile(r"^-?\d+(\.\d+)?$")


def _date(text: str) -> float:
    """ISO 8601 (date, date-time, with Z or offset; naive = UTC) or epoch seconds -> epoch."""
    t = text.strip()
    if _EPOCH_RE.match(t):
        return float(t)
    if t.endswith(("z", "Z")):
        t = t[:-1] + "+00:00"
    dt = datetime.fromisoformat(t)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def _ctx_date(v: str) -> float:
    try:
        return _date(v)
    except ValueError:
        raise _BadContextValue(f"context value {v!r} is not an ISO 8601 date or epoch") from None


def _numeric(cmp: Callable[[float, float], bool]):
    def factory(p: str) -> Callable[[str], bool]:
        try:
            ref = _num(unsentinel(p))
        except ValueError:
            raise ValueError(f"{p!r} is not a number") from None
        return lambda v: cmp(_ctx_num(v), ref)

    return factory


def _dates(cmp: Callable[[float, float], bool]):
    def factory(p: str) -> Callable[[str], bool]:
        try:
            ref = _date(unsentinel(p))
        except ValueError:
            raise ValueError(f"{p!r} is not an ISO 8601 date or epoch time") from None
        return lambda v: cmp(_ctx_date(v), ref)

    return factory


def _f_ip(p: str) -> Callable[[str], bool]:
    try:
        net = ipaddress.ip_network(unsentinel(p).strip(), strict=False)
    except ValueError:
        raise ValueError(f"{p!r} is not an IPv4/IPv6 address or CIDR") from None

    def pred(v: str) -> bool:
        try:
            addr = ipaddress.ip_address(v.strip())
        except ValueError:
            try:
                sub = ipaddress.ip_network(v.strip(), strict=False)
            except ValueError:
                raise _BadContextValue(f"context value {v!r} is not an IP address") from None
            return sub.version == net.version and sub.subnet_of(net)
        return addr.version == net.version and addr in net

    return pred


_EQ = float.__eq__
# base operator -> (factory, negated)
_BASE: dict[str, tuple[Callable[[str], Callable[[str], bool]], bool]] = {
    "StringEquals": (_f_str_eq, False),
    "StringNotEquals": (_f_str_eq, True),
    "StringEqualsIgnoreCase": (_f_str_ieq, False),
    "StringNotEqualsIgnoreCase": (_f_str_ieq, True),
    "StringLike": (_f_str_like, False),
    "StringNotLike": (_f_str_like, True),
    "ArnEquals": (_f_arn, False),
    "ArnLike": (_f_arn, False),
    "ArnNotEquals": (_f_arn, True),
    "ArnNotLike": (_f_arn, True),
    "NumericEquals": (_numeric(lambda a, b: a == b), False),
    "NumericNotEquals": (_numeric(lambda a, b: a == b), True),
    "NumericLessThan": (_numeric(lambda a, b: a < b), False),
    "NumericLessThanEquals": (_numeric(lambda a, b: a <= b), False),
    "NumericGreaterThan": (_numeric(lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (_numeric(lambda a, b: a >= b), False),
    "DateEquals": (_dates(lambda a, b: a == b), False),
    "DateNotEquals": (_dates(lambda a, b: a == b), True),
    "DateLessThan": (_dates(lambda a, b: a < b), False),
    "DateLessThanEquals": (_dates(lambda a, b: a <= b), False),
    "DateGreaterThan": (_dates(lambda a, b: a > b), False),
    "DateGreaterThanEquals": (_dates(lambda a, b: a >= b), False),
    "Bool": (_f_bool, False),
    "BinaryEquals": (_f_binary, False),
    "IpAddress": (_f_ip, False),
    "NotIpAddress": (_f_ip, True),
}

#: Every base operator name understood (plus ``Null``); each also takes the ``IfExists`` suffix
#: and the ``ForAnyValue:`` / ``ForAllValues:`` prefixes (``Null`` takes neither).
SUPPORTED_OPERATORS = tuple(sorted(_BASE)) + ("Null",)


def _parse_operator(op: str) -> tuple[str, str | None, bool] | None:
    """``(base, qualifier 'any'|'all'|None, if_exists)`` or None when unknown."""
    qualifier = None
    rest = op
    if op.startswith("ForAnyValue:"):
        qualifier, rest = "any", op[len("ForAnyValue:") :]
    elif op.startswith("ForAllValues:"):
        qualifier, rest = "all", op[len("ForAllValues:") :]
    if_exists = False
    if rest.endswith("IfExists") and rest != "IfExists":
        if_exists, rest = True, rest[: -len("IfExists")]
    if rest == "Null":
        if qualifier is not None or if_exists:
            return None
        return rest, None, False
    if rest not in _BASE:
        return None
    return rest, qualifier, if_exists


def parse_operator(op: str) -> tuple[str, str | None, bool] | None:
    """Split a condition operator into ``(base, qualifier, if_exists)``.

    Args:
        op: e.g. ``"ForAnyValue:StringLikeIfExists"``.

    Returns:
        ``(base, "any" | "all" | None, if_exists)``, e.g. ``("StringLike", "any", True)``, or
        None for an operator the engine does not know.
    """
    return _parse_operator(op)


class CompiledCondition:
    """One ``(operator, key, values)`` triple, ready to evaluate.

    Attributes:
        operator, key, values: as in the statement.
        where: text naming the policy/statement, for error messages.
    """

    __slots__ = (
        "operator",
        "key",
        "key_lower",
        "values",
        "where",
        "_error",
        "_base",
        "_qualifier",
        "_if_exists",
        "_negated",
        "_factory",
        "_static",
        "_templates",
        "_eq_set",
        "_null_wants",
    )

    def __init__(
        self, operator: str, key: str, values: tuple[str, ...], variables_enabled: bool, where: str
    ) -> None:
        self.operator = operator
        self.key = key
        self.key_lower = key.lower()
        self.values = values
        self.where = where
        self._error: str | None = None
        self._static: list[Callable[[str], bool]] = []
        self._templates: list[Template] = []
        self._eq_set: frozenset | None = None
        self._null_wants: tuple[bool, ...] = ()
        parsed = _parse_operator(operator)
        if parsed is None:
            self._error = (
                f"{operator!r} is not an IAM condition operator the engine knows ({where})"
            )
            return
        self._base, self._qualifier, self._if_exists = parsed
        if self._base == "Null":
            wants = []
            for v in values:
                if v.lower() not in ("true", "false"):
                    self._error = f"Null on {key!r} needs 'true' or 'false', not {v!r} ({where})"
                    return
                wants.append(v.lower() == "true")
            self._null_wants = tuple(wants)
            self._negated = False
            return
        self._factory, self._negated = _BASE[self._base]
        eq_vals = []
        for raw in values:
            pv = parse_template(raw, variables_enabled)
            if isinstance(pv, Template):
                self._templates.append(pv)
                continue
            try:
                self._static.append(self._factory(pv))
            except ValueError as exc:
                self._error = f"{operator} on {key!r}: {exc} ({where})"
                return
            if self._base == "StringEquals":
                eq_vals.append(unsentinel(pv))
            elif self._base == "StringLike" and not has_wildcard(pv):
                eq_vals.append(unsentinel(pv))
        if self._base in ("StringEquals", "StringLike") and len(eq_vals) == len(self._static):
            # Fast path: all static values are exact strings.
            self._eq_set = frozenset(eq_vals)
            self._static = []

    # -- evaluation ---------------------------------------------------------------------------

    def __call__(self, ctx: RequestContext) -> int:
        """Evaluate against ``ctx``; TRUE/FALSE/UNKNOWN or raise ConditionEvalError."""
        if self._error is not None:
            raise ConditionEvalError(self._error)
        st = ctx.state(self.key_lower)
        if st == UNKNOWN_KEY:
            return UNKNOWN
        if self._base == "Null":
            absent = st != PRESENT
            return TRUE if any(w == absent for w in self._null_wants) else FALSE
        if st != PRESENT:
            if self._if_exists or self._qualifier == "all":
                return TRUE
            if self._qualifier == "any":
                return FALSE
            return TRUE if self._negated else FALSE
        val = ctx.values[self.key_lower]
        vals = val if isinstance(val, tuple) else (val,)
        if self._qualifier is None:
            code, unresolved = self._positive_any(vals, ctx)
            return self._negate(code, unresolved, ctx.open_world) if self._negated else code
        results = []
        for v in vals:
            code, unresolved = self._positive_any(
                (v,),
                ctx,
            )
            results.append(
                self._negate(code, unresolved, ctx.open_world) if self._negated else code
            )
        if self._qualifier == "any":
            if TRUE in results:
                return TRUE
            return UNKNOWN if UNKNOWN in results else FALSE
        if FALSE in results:
            return FALSE
        return UNKNOWN if UNKNOWN in results else TRUE

    @staticmethod
    def _negate(code: int, unresolved: bool, open_world: bool) -> int:
        if code == TRUE:
            return FALSE
        if code == FALSE:
            if unresolved:
                return UNKNOWN if open_world else FALSE
            return TRUE
        return code

    def _positive_any(self, vals: tuple[str, ...], ctx: RequestContext) -> tuple[int, bool]:
        """Does any context value match any policy value? -> (code, saw_unresolved)."""
        error: str | None = None
        eq = self._eq_set
        if eq is not None:
            for v in vals:
                if v in eq:
                    return TRUE, False
        for pred in self._static:
            for v in vals:
                try:
                    if pred(v):
                        return TRUE, False
                except _BadContextValue as exc:
                    error = error or str(exc)
        unknown = False
        unresolved = False
        for t in self._templates:
            r = t.resolve(ctx)
            if r is UNRESOLVED:
                unresolved = True
                continue
            if isinstance(r, Unknown):
                unknown = True
                continue
            try:
                pred = _cached_pred(self._factory, r)
            except ValueError as exc:
                error = error or f"resolved value {exc}"
                continue
            for v in vals:
                try:
                    if pred(v):
                        return TRUE, False
                except _BadContextValue as exc:
                    error = error or str(exc)
        if error is not None:
            raise ConditionEvalError(f"{self.operator} on {self.key!r}: {error} ({self.where})")
        if unknown:
            return UNKNOWN, unresolved
        return FALSE, unresolved

    def unknown_keys(self, ctx: RequestContext) -> tuple[str, ...]:
        """Keys (as written) that made this condition UNKNOWN for ``ctx``."""
        out = []
        if ctx.state(self.key_lower) == UNKNOWN_KEY:
            out.append(self.key)
        for t in self._templates:
            r = t.resolve(ctx)
            if isinstance(r, Unknown):
                out.extend(r.keys)
            elif r is UNRESOLVED and self._negated:
                out.extend(t.keys)
        return tuple(out)


@lru_cache(maxsize=65536)
def _cached_pred(factory, pattern: str) -> Callable[[str], bool]:
    return factory(pattern)


def compile_condition(
    condition: tuple[str, str, tuple[str, ...]],
    variables_enabled: bool,
    where: str,
) -> CompiledCondition:
    """Compile one normalised condition ``(operator, key, values)``.

    Args:
        condition: the triple from :attr:`Statement.conditions`.
        variables_enabled: True for Version 2012-10-17 policies.
        where: e.g. ``"policy 'p0' statement #1 (Sid 'X')"``, used in error messages.

    Returns:
        a :class:`CompiledCondition` (never raises: problems surface at evaluation).
    """
    op, key, values = condition
    return CompiledCondition(op, key, values, variables_enabled, where)


Pattern = Union[str, Template]
