"""Policy evaluation: Request + PolicySet -> Decision.

Source: IAM User Guide, "Policy evaluation logic" (and "Determining whether a request is allowed
or denied within an account"):
1. An explicit Deny in any applicable policy (identity, permissions boundary, SCP, RCP, session,
   resource-based) wins.
2. SCPs: every level of the OU path must have an Allow for the request; RCPs likewise.
3. Identity-based policies: the request needs an Allow in at least one of them (union).
4. Permissions boundary: when set, it must also allow (intersection with identity policies).
5. Session policy: when set, it must also allow (intersection).
Otherwise the request is implicitly denied.

Resource-based policies (``PolicySet.resource``), same account (the request principal's account
equals the resource ARN's account, or either is unknown): a resource-policy Allow whose Principal
names this role session directly, an IAM user, or everyone suffices on its own (SCPs and RCPs
still apply); one naming the underlying role ARN stands in for the identity-based Allow but the
permissions boundary and session policy still limit it; one naming the account delegates to the
identity-based policies (IAM User Guide, "Permissions boundaries for IAM entities" and "Policy
evaluation logic"; the grant kinds and readings are in :mod:`.principals`). Cross-account (both
accounts known and different): the identity path *and* the resource policy must allow
("Cross-account policy evaluation logic"). A resource-policy Deny naming the principal (or its
account) is an explicit deny; ``NotPrincipal`` with Deny applies to every principal it does not
list, and always to a principal with a permissions boundary (the warning on the permissions
boundaries page).

Open world (``Request.open_world``): see docs/ARCHITECTURE.md §1 and :mod:`.context`.

Compilation: :func:`compile_policy` turns a :class:`Policy` into matchers once (kept on the
Policy object): action patterns to case-insensitive matchers memoised per action, statements
indexed by action service prefix, Resource patterns to compiled globs, conditions to callables.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any, Sequence

from .arn import glob_matcher, globs_matcher, split_arn
from .conditions import FALSE, UNKNOWN, CompiledCondition, ConditionEvalError, compile_condition
from .policy import Policy, Statement
from .principals import RequestPrincipal, grant_kind, principal_of
from .request_context import ContextValueError, RequestContext
from .variables import UNRESOLVED, Template, Unknown, parse_template

__all__ = [
    "Request",
    "PolicySet",
    "Decision",
    "StatementRef",
    "CompiledPolicy",
    "compile_policy",
    "evaluate",
    "evaluate_in_context",
]

DECISIONS = ("allow", "explicit_deny", "implicit_deny", "unknown")


@dataclass(frozen=True)
class StatementRef:
    """Names one statement: ``policy`` (the Policy name), ``sid`` (or None), ``index`` (0-based),
    ``effect`` (``"Allow"``/``"Deny"``)."""

    policy: str
    sid: str | None
    index: int
    effect: str

    def to_json(self) -> dict:
        """``{"policy", "sid", "index", "effect"}``."""
        return {"policy": self.policy, "sid": self.sid, "index": self.index, "effect": self.effect}


@dataclass(frozen=True)
class Request:
    """One authorisation request.

    Attributes:
        principal: the principal ARN (informational; not used as ``aws:PrincipalArn`` unless the
            caller puts that key in ``context``: nothing is derived).
        action: ``service:Action`` (matched case-insensitively).
        resource: the resource ARN, or ``"*"`` for actions without a resource type.
        context: key -> ``str | list[str] | bool | int`` (key names case-insensitive).
        open_world: False: a key not in ``context`` is absent. True: it is unknown unless it
            matches one of ``absent_keys`` (see docs/ARCHITECTURE.md §1).
        absent_keys: globs on key names (case-insensitive), e.g. ``"aws:ResourceTag/*"``.
    """

    principal: str
    action: str
    resource: str
    context: dict = field(default_factory=dict)
    open_world: bool = False
    absent_keys: tuple = ()


@dataclass(frozen=True)
class PolicySet:
    """The policies that apply to a request.

    Attributes:
        identity: identity-based policies (attached managed + inline): their Allows union.
        boundary: the permissions boundary, or None.
        scps: one list of SCPs per level of the OU path (root first); every level must allow.
        session: the session policy, or None.
        resource: the resource-based policy of the requested resource, or None (same-account
            and cross-account logic in the module docstring).
        rcps: one list of RCPs per level, like ``scps``.
    """

    identity: Sequence[Policy] = ()
    boundary: Policy | None = None
    scps: Sequence[Sequence[Policy]] = ()
    session: Policy | None = None
    resource: Policy | None = None
    rcps: Sequence[Sequence[Policy]] = ()


@dataclass(frozen=True)
class Decision:
    """The outcome of :func:`evaluate`.

    Attributes:
        decision: ``"allow" | "explicit_deny" | "implicit_deny" | "unknown"``.
        statements: the denying statements (explicit_deny), the allowing identity-policy
            statements, then the granting resource-policy statements (allow), or empty.
        reason: why (always set for unknown).
        conditional_on: open world: the unknown keys the allow depends on (sorted).
        uncredited_deny_keys: open world: unknown keys of Deny statements that were therefore not
            credited (sorted).
    """

    decision: str
    statements: tuple = ()
    reason: str | None = None
    conditional_on: tuple = ()
    uncredited_deny_keys: tuple = ()

    def to_json(self) -> dict:
        """The ``simulate`` line shape without ``id``: ``{"decision", "statements", "reason"?}``
        (plus ``conditional_on`` / ``uncredited_deny_keys`` when non-empty)."""
        out: dict[str, Any] = {
            "decision": self.decision,
            "statements": [s.to_json() for s in self.statements],
        }
        if self.reason is not None:
            out["reason"] = self.reason
        if self.conditional_on:
            out["conditional_on"] = list(self.conditional_on)
        if self.uncredited_deny_keys:
            out["uncredited_deny_keys"] = list(self.uncredited_deny_keys)
        return out


# --------------------------------------------------------------------------------------------
# Compilation

# statement outcome codes
_NO = 0
_YES = 1
_MAYBE = 2  # depends on unknown keys (open world)
_ERROR = 3


class _CompiledStatement:
    """One statement compiled for evaluation. Only what every request needs (the Action
    matcher) is built up front; the Resource matchers and the conditions are built on first
    use (:data:`_LAZY`), so a statement that no request's action reaches costs little."""

    __slots__ = (
        "ref",
        "allow",
        "action_pats",
        "negate_action",
        "principal",
        "not_principal",
        "_src",
        "_actions",
        "_asked",
        # built on first use (see __getattr__)
        "where",
        "res_static",
        "res_templates",
        "res_any",
        "negate_resource",
        "has_resource",
        "conditions",
    )

    def __init__(self, st: Statement, policy: Policy) -> None:
        self.ref = StatementRef(policy.name, st.sid, st.index, st.effect)
        self.allow = st.effect == "Allow"
        pats = st.actions if st.actions is not None else st.not_actions
        self.negate_action = st.actions is None
        self._actions = tuple(map(str.lower, pats))
        self.action_pats = None  # the combined matcher, built on the second action asked
        self._asked = False
        self.principal = st.principal
        self.not_principal = st.not_principal
        self._src = (st, policy.name, policy.variables_enabled)

    def __getattr__(self, name: str) -> Any:
        # Called only for a slot not set yet: the lazily built part.
        if name not in _LAZY:
            raise AttributeError(name)
        self._build_rest()
        return object.__getattribute__(self, name)

    def _build_rest(self) -> None:
        st, policy_name, vars_on = self._src
        where = f"policy {policy_name!r} statement #{st.index}"
        if st.sid is not None:
            where += f" (Sid {st.sid!r})"
        res = st.resources if st.resources is not None else st.not_resources
        res_any = False
        static = []
        templates = []
        for r in res or ():
            pv = parse_template(r, vars_on)
            if isinstance(pv, Template):
                templates.append(pv)
            elif pv == "*":
                res_any = True
            else:
                static.append(pv)
        conditions = tuple(compile_condition(c, vars_on, where) for c in st.conditions)
        self.where = where
        self.has_resource = res is not None
        self.negate_resource = st.resources is None and st.not_resources is not None
        self.res_any = res_any
        self.res_static = globs_matcher(tuple(static)) if static else None
        self.res_templates = tuple(templates)
        self.conditions: tuple[CompiledCondition, ...] = conditions

    def names(self, who: RequestPrincipal, has_boundary: bool) -> str | None:
        """Resource-based policies: the grant kind by which this statement applies to ``who``
        (``"direct"``/``"role"``/``"account"``), or None when it does not apply."""
        if self.principal is not None:
            return grant_kind(self.principal, who)
        if self.not_principal is not None:
            if not self.allow and has_boundary:
                # IAM User Guide, "Permissions boundaries for IAM entities" (Important): a Deny
                # with NotPrincipal always denies a principal that has a permissions boundary.
                return "direct"
            # Reading: the principal is excluded when any NotPrincipal entry names it (AWS asks
            # for both the role and the session ARN; requiring only one can only avoid a deny).
            return None if grant_kind(self.not_principal, who) is not None else "direct"
        return "direct"

    def action_matches(self, action_lower: str) -> bool:
        """True when the Action (NotAction) element matches (does not match) the action.

        The first action asked is checked pattern by pattern (literal patterns by equality,
        wildcard ones through the shared per-pattern matchers), so a statement asked once (a
        document seen once) never builds its combined matcher; later ones use it."""
        m = self.action_pats
        if m is None:
            pats = self._actions
            if self._asked:
                m = self.action_pats = globs_matcher(pats, True)
            else:
                self._asked = True
                hit = False
                for p in pats:
                    if p == action_lower or (
                        ("*" in p or "?" in p) and globs_matcher((p,), True)(action_lower)
                    ):
                        hit = True
                        break
                return not hit if self.negate_action else hit
        hit = m(action_lower)
        return not hit if self.negate_action else hit

    def resource_code(self, resource: str, ctx: RequestContext, unknown: list) -> int:
        """_YES/_NO/_MAYBE for the Resource/NotResource element."""
        if not self.has_resource:
            return _YES  # resource-based policy: the resource is the policy's own
        hit = self.res_any or (self.res_static is not None and self.res_static(resource))
        if not self.res_templates:
            if self.negate_resource:
                return _NO if hit else _YES
            return _YES if hit else _NO
        maybe = False
        unresolved = False
        if not hit:
            for t in self.res_templates:
                r = t.resolve(ctx)
                if r is UNRESOLVED:
                    unresolved = True
                    if self.negate_resource and ctx.open_world:
                        unknown.extend(t.keys)
                elif isinstance(r, Unknown):
                    maybe = True
                    unknown.extend(r.keys)
                elif glob_matcher(r)(resource):
                    hit = True
                    break
        if self.negate_resource:
            if hit:
                return _NO
            if maybe:
                return _MAYBE
            # Reading: an unresolvable variable in NotResource makes the element not match in
            # closed world, and depend on the variable's key in open world (same reading as the
            # negated condition operators, see conditions.py).
            if unresolved:
                return _MAYBE if ctx.open_world else _NO
            return _YES
        if hit:
            return _YES
        return _MAYBE if maybe else _NO

    def outcome(self, resource: str, ctx: RequestContext) -> tuple[int, Any]:
        """Given that the action matched: (_YES|_NO|_MAYBE|_ERROR, unknown keys | error message)."""
        unknown: list = []
        rc = self.resource_code(resource, ctx, unknown)
        if rc == _NO:
            return _NO, None
        error = None
        for c in self.conditions:
            try:
                code = c(ctx)
            except ConditionEvalError as exc:
                error = error or str(exc)
                continue
            if code == FALSE:
                return _NO, None
            if code == UNKNOWN:
                unknown.extend(c.unknown_keys(ctx))
        if error is not None:
            return _ERROR, error
        if unknown or rc == _MAYBE:
            return _MAYBE, unknown
        return _YES, None


#: The attributes of a compiled statement built on its first evaluation (its slots from "where").
_LAZY = frozenset(
    _CompiledStatement.__slots__[_CompiledStatement.__slots__.index("where") :]
)

_STMT_CACHE: dict = {}
_STMT_CACHE_MAX = 16384


#: Compiled statements by (id(Statement), policy name, variables enabled) -> (the Statement,
#: compiled): parse_policy shares Statement objects between documents that repeat a statement,
#: and this finds their compiled form without hashing the statement's fields. The Statement is
#: held (so its id is not reused) and compared by identity.
_STMT_BY_ID: dict[tuple[int, str, bool], tuple[Statement, _CompiledStatement]] = {}


def _compile_statement(st: Statement, policy: Policy) -> _CompiledStatement:
    """Compile one statement, shared between policies that hold an identical statement under the
    same policy name (a compiled statement is immutable apart from its own matcher memos)."""
    if st.principal is not None or st.not_principal is not None:
        return _CompiledStatement(st, policy)  # resource policies: few, not worth caching
    if _pattern_count(st) > _STMT_CACHE_PATTERNS:
        return _CompiledStatement(st, policy)  # huge: not kept beyond its policy (memory)
    id_key = (id(st), policy.name, policy.variables_enabled)
    known = _STMT_BY_ID.get(id_key)
    if known is not None and known[0] is st:
        return known[1]
    got = _compile_statement_by_value(st, policy)
    if len(_STMT_BY_ID) >= _STMT_CACHE_MAX:
        _STMT_BY_ID.clear()
    _STMT_BY_ID[id_key] = (st, got)
    return got


#: Statements with more Action/Resource patterns than this are compiled for their policy only,
#: not kept in the shared statement caches (whose bound is a count: one such statement can
#: weigh megabytes).
_STMT_CACHE_PATTERNS = 1000


def _pattern_count(st: Statement) -> int:
    n = 0
    for group in (st.actions, st.not_actions, st.resources, st.not_resources):
        if group is not None:
            n += len(group)
    return n


def _compile_statement_by_value(st: Statement, policy: Policy) -> _CompiledStatement:
    # A plain tuple (hashed in C), not the dataclass (whose generated __hash__ runs in Python).
    key = (
        policy.name,
        policy.variables_enabled,
        st.index,
        st.sid,
        st.effect,
        st.actions,
        st.not_actions,
        st.resources,
        st.not_resources,
        st.conditions,
    )
    got = _STMT_CACHE.get(key)
    if got is None:
        got = _CompiledStatement(st, policy)
        if len(_STMT_CACHE) >= _STMT_CACHE_MAX:
            _STMT_CACHE.clear()
        _STMT_CACHE[key] = got
    return got


class CompiledPolicy:
    """A policy compiled for evaluation (see :func:`compile_policy`).

    Attributes:
        policy: the source :class:`Policy` (held weakly: the Policy holds its compiled form, and
            a strong reference back would make a cycle that only the cyclic garbage collector,
            paused during ``simulate``, could free).
        statements: the compiled statements, in document order.
    """

    __slots__ = ("_policy", "statements", "_by_action")

    @property
    def policy(self) -> Policy:
        """The source Policy. Raises ReferenceError if it no longer exists."""
        got = self._policy()
        if got is None:
            raise ReferenceError("the policy of this CompiledPolicy no longer exists")
        return got

    def __init__(self, policy: Policy) -> None:
        self._policy = weakref.ref(policy)
        self.statements = tuple(_compile_statement(s, policy) for s in policy.statements)
        self._by_action: dict[str, tuple[_CompiledStatement, ...]] = {}

    def candidates(self, action_lower: str) -> tuple:
        """Statements whose Action/NotAction element matches ``action_lower`` (memoised)."""
        got = self._by_action.get(action_lower)
        if got is None:
            got = tuple(s for s in self.statements if s.action_matches(action_lower))
            if len(self._by_action) > 20000:
                self._by_action.clear()
            self._by_action[action_lower] = got
        return got


def compile_policy(policy: Policy) -> CompiledPolicy:
    """Compile ``policy``, once: the compiled form is kept on the Policy object, so it lives as
    long as the policy does (``parse_policy`` returns the same object for the same document
    text, so repeated parses share it) and memory is bounded by what holds policies.

    Args:
        policy: a parsed :class:`Policy`.

    Returns:
        the :class:`CompiledPolicy` (shared: do not mutate).
    """
    got = policy.__dict__.get("_compiled")
    if got is None:
        got = CompiledPolicy(policy)
        object.__setattr__(policy, "_compiled", got)
    return got


# --------------------------------------------------------------------------------------------
# Evaluation


class _Layer:
    """Outcome of one group of policies for one request."""

    __slots__ = (
        "allows",
        "allow_keys",
        "definite_allow",
        "allow_error",
        "denies",
        "deny_error",
        "deny_keys",
    )

    def __init__(self) -> None:
        self.allows: list[StatementRef] = []
        self.allow_keys: list[str] = []
        self.definite_allow = False
        self.allow_error: str | None = None
        self.denies: list[StatementRef] = []
        self.deny_error: str | None = None
        self.deny_keys: list[str] = []


def _eval_layer(
    policies: Sequence[CompiledPolicy], action_lower: str, resource: str, ctx: RequestContext
) -> _Layer:
    layer = _Layer()
    for cp in policies:
        got = cp._by_action.get(action_lower)
        if got is None:
            got = cp.candidates(action_lower)
        for st in got:
            code, info = st.outcome(resource, ctx)
            if code == _NO:
                continue
            if st.allow:
                if code == _YES:
                    layer.allows.append(st.ref)
                    layer.definite_allow = True
                elif code == _MAYBE:
                    layer.allows.append(st.ref)
                    layer.allow_keys.extend(info)
                elif layer.allow_error is None:
                    layer.allow_error = info
            else:
                if code == _YES:
                    layer.denies.append(st.ref)
                elif code == _MAYBE:
                    layer.deny_keys.extend(info)
                elif layer.deny_error is None:
                    layer.deny_error = info
    return layer


def _eval_resource_layer(
    cp: CompiledPolicy,
    action_lower: str,
    resource: str,
    ctx: RequestContext,
    who: RequestPrincipal,
    has_boundary: bool,
) -> tuple[_Layer, dict[str, _Layer]]:
    """Resource-based policy: (deny layer, {grant kind: allow layer})."""
    denies = _Layer()
    grants = {"direct": _Layer(), "role": _Layer(), "account": _Layer()}
    for st in cp.candidates(action_lower):
        kind = st.names(who, has_boundary)
        if kind is None:
            continue
        code, info = st.outcome(resource, ctx)
        if code == _NO:
            continue
        if st.allow:
            lay = grants[kind]
            if code == _YES:
                lay.allows.append(st.ref)
                lay.definite_allow = True
            elif code == _MAYBE:
                lay.allows.append(st.ref)
                lay.allow_keys.extend(info)
            elif lay.allow_error is None:
                lay.allow_error = info
        elif code == _YES:
            denies.denies.append(st.ref)
        elif code == _MAYBE:
            denies.deny_keys.extend(info)
        elif denies.deny_error is None:
            denies.deny_error = info
    return denies, grants


class _Path:
    """Three-valued outcome of a group of layers: status _YES/_MAYBE/_ERROR/_NO, the granting
    statements, the unknown keys an allow depends on, and the reason/error text."""

    __slots__ = ("status", "refs", "keys", "text")

    def __init__(self, status: int, refs: tuple = (), keys: tuple = (), text: str = "") -> None:
        self.status = status
        self.refs = refs
        self.keys = keys
        self.text = text


def _layer_path(lay: _Layer, granting: bool, deny_text: str, error_text: str) -> _Path:
    refs = tuple(lay.allows) if granting else ()
    if lay.definite_allow:
        return _Path(_YES, refs)
    if lay.allows:
        return _Path(_MAYBE, refs, tuple(lay.allow_keys))
    if lay.allow_error is not None:
        return _Path(_ERROR, text=f"{error_text}: {lay.allow_error}")
    return _Path(_NO, text=deny_text)


def _all(paths: list) -> _Path:
    """Every path must allow (intersection)."""
    for p in paths:
        if p.status == _NO:
            return p
    for p in paths:
        if p.status == _ERROR:
            return p
    refs = tuple(r for p in paths for r in p.refs)
    keys = tuple(k for p in paths if p.status == _MAYBE for k in p.keys)
    status = _MAYBE if any(p.status == _MAYBE for p in paths) else _YES
    return _Path(status, refs, keys)


def _any(paths: list) -> _Path:
    """One path suffices (union); the first NO/ERROR text explains a failure."""
    yes = [p for p in paths if p.status == _YES]
    if yes:
        return _Path(_YES, tuple(r for p in yes for r in p.refs))
    maybe = [p for p in paths if p.status == _MAYBE]
    if maybe:
        return _Path(
            _MAYBE, tuple(r for p in maybe for r in p.refs), tuple(k for p in maybe for k in p.keys)
        )
    for p in paths:
        if p.status == _ERROR:
            return p
    texts = list(dict.fromkeys(p.text for p in paths))
    return _Path(_NO, text="; ".join(texts))


def _gate_path(name: str, lay: _Layer) -> _Path:
    return _layer_path(
        lay,
        False,
        f"the {name} does not allow the request",
        f"an Allow statement in the {name} could not be evaluated",
    )


def _with_resource_policy(
    plan: _Plan,
    identity: _Layer,
    gates: list,
    grants: dict[str, _Layer],
    request: Request,
    ctx: RequestContext,
    uncredited: tuple,
) -> Decision:
    """Allow logic when a resource-based policy is supplied (no explicit deny, no deny error)."""
    id_path = _layer_path(
        identity,
        True,
        "no identity-based policy allows the request",
        "an Allow statement in the identity policies could not be evaluated",
    )
    org = [_gate_path(n, lay) for n, lay in gates if n.startswith(("SCPs", "RCPs"))]
    limits = [_gate_path(n, lay) for n, lay in gates if not n.startswith(("SCPs", "RCPs"))]
    rp_name = plan.resource[0].policy.name

    def rp(kind: str) -> _Path:
        return _layer_path(
            grants[kind],
            True,
            f"the resource-based policy {rp_name!r} does not allow the request",
            "an Allow statement in the resource-based policy could not be evaluated",
        )

    who_account = principal_of(request.principal, _ctx_str(ctx, "aws:principalarn")).account
    parts = split_arn(request.resource)
    res_account = parts[4] if parts is not None and parts[4] else None
    if who_account and res_account and who_account != res_account:
        # Cross-account: both sides must allow; a grant to the account counts on the resource side.
        result = _all([id_path] + limits + org + [_any([rp("direct"), rp("role"), rp("account")])])
    else:
        via_identity = _all([_any([id_path, rp("role")])] + limits + org)
        via_session = _all([rp("direct")] + org)
        result = _any([via_identity, via_session])
    if result.status == _NO:
        return Decision("implicit_deny", reason=result.text, uncredited_deny_keys=uncredited)
    if result.status == _ERROR:
        return Decision("unknown", reason=result.text, uncredited_deny_keys=uncredited)
    keys = _uniq_sorted(list(result.keys)) if result.status == _MAYBE else ()
    return Decision("allow", result.refs, conditional_on=keys, uncredited_deny_keys=uncredited)


def _ctx_str(ctx: RequestContext, key_lower: str) -> str | None:
    v = ctx.values.get(key_lower)
    return v if isinstance(v, str) else None


def _uniq_sorted(keys: list) -> tuple:
    if not keys:
        return ()
    seen: dict[str, str] = {}
    for k in keys:
        seen.setdefault(k.lower(), k)
    return tuple(sorted(seen.values(), key=str.lower))


class _Plan:
    """A PolicySet compiled once: identity policies, then the other gates, then the resource
    policy (cached on the PolicySet object)."""

    __slots__ = ("identity", "gates", "resource", "has_boundary")

    def __init__(self, ps: PolicySet) -> None:
        self.identity = tuple(compile_policy(p) for p in ps.identity)
        gates = []
        if ps.boundary is not None:
            gates.append(("permissions boundary", (compile_policy(ps.boundary),)))
        if ps.session is not None:
            gates.append(("session policy", (compile_policy(ps.session),)))
        for i, level in enumerate(ps.scps):
            gates.append((f"SCPs at OU level {i}", tuple(compile_policy(p) for p in level)))
        for i, level in enumerate(ps.rcps):
            gates.append((f"RCPs at OU level {i}", tuple(compile_policy(p) for p in level)))
        self.gates = tuple(gates)
        self.resource = (compile_policy(ps.resource),) if ps.resource is not None else None
        self.has_boundary = ps.boundary is not None


def _plan(policies: PolicySet) -> _Plan:
    plan = policies.__dict__.get("_plan")
    if plan is None:
        plan = _Plan(policies)
        object.__setattr__(policies, "_plan", plan)
    return plan


def _identity_only(lay: _Layer) -> Decision:
    """The decision when only identity-based policies apply (the common case; the same logic
    as the general path below, without its bookkeeping)."""
    uncredited = _uniq_sorted(lay.deny_keys)
    if lay.denies:
        return Decision("explicit_deny", tuple(lay.denies), uncredited_deny_keys=uncredited)
    if lay.deny_error is not None:
        return Decision(
            "unknown",
            reason=f"a Deny statement could not be evaluated: {lay.deny_error}",
            uncredited_deny_keys=uncredited,
        )
    if not lay.allows:
        if lay.allow_error is None:
            return Decision(
                "implicit_deny",
                reason="no identity-based policy allows the request",
                uncredited_deny_keys=uncredited,
            )
        return Decision(
            "unknown",
            reason="an Allow statement in the identity policies could not be evaluated: "
            f"{lay.allow_error}",
            uncredited_deny_keys=uncredited,
        )
    return Decision(
        "allow",
        tuple(lay.allows),
        conditional_on=() if lay.definite_allow else _uniq_sorted(lay.allow_keys),
        uncredited_deny_keys=uncredited,
    )


def evaluate(request: Request, policies: PolicySet) -> Decision:
    """Decide ``request`` against ``policies`` (IAM "Policy evaluation logic", same account).

    Args:
        request: the :class:`Request`.
        policies: the :class:`PolicySet` (compiled on first use and cached on the object: do not
            mutate its lists afterwards).

    Returns:
        a :class:`Decision`. Never raises for policy content: anything that cannot be evaluated
        (unsupported operator, malformed value, a bad context value) gives ``unknown`` with a
        reason, except that a definite explicit deny still decides ``explicit_deny``.
    """
    try:
        ctx = RequestContext(request.context, request.open_world, request.absent_keys)
    except ContextValueError as exc:
        return Decision("unknown", reason=f"bad request context: {exc}")
    return evaluate_in_context(request, ctx, policies)


def evaluate_in_context(request: Request, ctx: RequestContext, policies: PolicySet) -> Decision:
    """:func:`evaluate` with the request's context already normalised.

    For callers that evaluate one request many times (``simulate --cases`` keeps one
    ``RequestContext`` per distinct request text).

    Args:
        request: the :class:`Request`.
        ctx: ``RequestContext(request.context, request.open_world, request.absent_keys)``, built
            by the caller (a context built from anything else gives a wrong decision).
        policies: as for :func:`evaluate`.

    Returns:
        a :class:`Decision`, as :func:`evaluate`.
    """
    if not isinstance(request.action, str) or not isinstance(request.resource, str):
        return Decision("unknown", reason="request action and resource must be strings")
    action_lower = request.action.lower()
    resource = request.resource
    plan = _plan(policies)

    identity = _eval_layer(plan.identity, action_lower, resource, ctx)
    if not plan.gates and plan.resource is None:
        return _identity_only(identity)
    else:
        gates: list = [("identity policies", identity)]
        gates.extend(
            (name, _eval_layer(cps, action_lower, resource, ctx)) for name, cps in plan.gates
        )
        layers: list = [g for _, g in gates]
        if plan.resource is not None:
            who = principal_of(request.principal, _ctx_str(ctx, "aws:principalarn"))
            rp_denies, grants = _eval_resource_layer(
                plan.resource[0], action_lower, resource, ctx, who, plan.has_boundary
            )
            layers.append(rp_denies)

    denies: list = []
    deny_keys: list = []
    deny_error = None
    for lay in layers:
        if lay.denies:
            denies.extend(lay.denies)
        if lay.deny_keys:
            deny_keys.extend(lay.deny_keys)
        if deny_error is None:
            deny_error = lay.deny_error
    uncredited = _uniq_sorted(deny_keys)
    if denies:
        return Decision("explicit_deny", tuple(denies), uncredited_deny_keys=uncredited)
    if deny_error is not None:
        return Decision(
            "unknown",
            reason=f"a Deny statement could not be evaluated: {deny_error}",
            uncredited_deny_keys=uncredited,
        )
    if plan.resource is not None:
        return _with_resource_policy(plan, identity, gates[1:], grants, request, ctx, uncredited)
    for name, lay in gates:
        if not lay.allows and lay.allow_error is None:
            if name == "identity policies":
                reason = "no identity-based policy allows the request"
            else:
                reason = f"the {name} does not allow the request"
            return Decision("implicit_deny", reason=reason, uncredited_deny_keys=uncredited)
    for name, lay in gates:
        if not lay.allows:
            return Decision(
                "unknown",
                reason=f"an Allow statement in the {name} could not be evaluated: "
                f"{lay.allow_error}",
                uncredited_deny_keys=uncredited,
            )
    conditional: list = []
    for _, lay in gates:
        if not lay.definite_allow:
            conditional.extend(lay.allow_keys)
    return Decision(
        "allow",
        tuple(identity.allows),
        conditional_on=_uniq_sorted(conditional),
        uncredited_deny_keys=uncredited,
    )
