"""Cross-domain reach of one role, decided over every request (not a sample).

For each ``sagemaker:`` action and each of its resource types that tags or domain ids can isolate,
this module decides whether the role's policies allow *any* request on another domain's resource
(the definitions of issue "Sound verdicts", repeated in docs/ENGINE.md "Isolation analysis"):

- every ARN is in our partition and account and in *any* Region of the partition (reading
  ``any-region-same-account``: an execution role can call every Region, and another domain of the
  account may live in any of them, ours included);
- types whose ARN carries ``${DomainId}`` (``domain``, ``user-profile``, ``space``, ``app``): the
  ARN's domain (its Region and id, botocore's ``DomainId`` grammar) is any domain other than ours;
  the resource's ``sagemaker:domain-arn`` tag is that domain's ARN (same Region as the resource),
  or absent (the untagged ``default`` app);
- other types with tag keys: any name (botocore's grammar for the placeholder), tagged
  ``sagemaker:domain-arn`` = the ARN of any other domain of the same account, in any Region;
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

from dataclasses import dataclass, field, replace

from ..iam import PolicySet, Request, evaluate
from ..iam.request_context import RequestContext
from .catalog import Catalog
from .create_reach import create_reach
from .request_space import Budget, BudgetExceeded, Space, arn_pieces, signatures
from .statements import (
    TAG_CONTEXT_KEYS,
    absent_keys,
    allowing_statements,
    condition_keys,
    mentions,
    policy_statements,
    statement_atoms,
)

__all__ = ["World", "Reach", "RoleReach", "role_reach", "worlds_for"]


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
    if mentions(policies, "sagemaker:domainid"):
        dom_vals.append(None)
    if mentions(policies, "sagemaker:userprofilename"):
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
            elif len(upn_vals) > 1:
                # A policy names the key: "absent" is one of its values. Otherwise it changes
                # nothing and stays unknown.
                absent.append("sagemaker:UserProfileName")
            out.append(World(tuple(ctx), tuple(absent)))
    return out


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
    *,
    exclude: tuple[str, ...] = (),
    only: str | None = None,
) -> RoleReach:
    """Decide, for every action, whether some request on another domain's resource is allowed.

    Work is grouped by resource type: one search per (resource type, world, tag mode) over the
    atoms of every statement that applies to one of the type's actions; each action then sees
    the reachable combinations projected onto its own statements' atoms, and each distinct
    projection is evaluated once per set of applicable statements.

    Args:
        principal: the role ARN (the request principal).
        policy_set: identity policies and boundary.
        dom: the domain (``templates.DomainArn``).
        catalog: the action catalog.
        worlds: caller-key worlds (:func:`worlds_for`).
        budget: search budget for this role.
        exclude: ids (besides ours) that are not "another domain" (the overview's "*" cells).
        only: decide for this one other domain id (the overview's named cells).

    Returns:
        :class:`RoleReach`; on budget exhaustion ``budget_exceeded`` is set and the result is
        partial (the caller must not say "isolated").
    """
    out = RoleReach()
    budget = budget or Budget()
    stmts = policy_statements(policy_set)
    keys_mentioned = condition_keys(stmts)
    # The space's fixed parts: our partition and account, our Region (preferred in witnesses)
    # and id (our own domain is excluded); see request_space.Space.
    base = Space((), (), (), dom.partition, dom.account, dom.region, dom.domain_id, False,
                 tuple(exclude), only)  # fmt: skip
    world_ctx = [
        (dict(w.context), RequestContext(dict(w.context), True, tuple(w.absent))) for w in worlds
    ]
    # Per action: the statements that apply (None: no identity Allow applies, nothing to do).
    applicable: dict = {}
    for name in catalog.actions:
        app = allowing_statements(stmts, name)
        if app is not None:
            applicable[name] = (tuple(id(s.st) for s in app), app)
    by_type: dict = {}
    for name, (app_key, app) in applicable.items():
        for ref in catalog.actions[name].resource_types:
            rt = catalog.resource_types[ref.key]
            if not (rt.taggable or rt.has_domain_id):
                continue
            kind = None
            untagged = rt.has_domain_id
            if name.startswith("sagemaker:Create"):
                row = create_reach(name, ref.key)
                kind = row.kind
                if kind == "new":
                    continue
                if kind == "inside":
                    # Reading "inside-parent-authorized": when the action is also authorised
                    # against the parent's type (the Service Authorization Reference lists it),
                    # the call needs the parent's request allowed too, and that request carries
                    # the parent's tags; only otherwise can the child's request carry none.
                    types = {r.key for r in catalog.actions[name].resource_types}
                    untagged = untagged or not (set(row.parents) & types)
            by_type.setdefault(ref.key, []).append((name, kind, app_key, app, untagged))
    atoms_cache: dict = {}
    decided: dict = {}
    try:
        for rt_key, acts in by_type.items():
            rt = catalog.resource_types[rt_key]
            studio = rt.has_domain_id
            pieces = arn_pieces(rt.arn_format, dom.partition, dom.account)
            for wi, (wctx, rctx) in enumerate(world_ctx):
                per_action = []
                union_arn: dict = {}
                union_tag: dict = {}
                for name, kind, app_key, app, untagged in acts:
                    ak = (app_key, wi)
                    if ak not in atoms_cache:
                        atoms_cache[ak] = statement_atoms(app, rctx, out.inexact)
                    arn_atoms, tag_atoms = atoms_cache[ak]
                    union_arn.update(dict.fromkeys(arn_atoms))
                    union_tag.update(dict.fromkeys(tag_atoms))
                    per_action.append((name, kind, app_key, arn_atoms, tag_atoms, untagged))
                uarn, utag = tuple(union_arn), tuple(union_tag)
                need_untagged = any(u for *_rest, u in per_action)
                for mode in ("tagged", "untagged") if need_untagged else ("tagged",):
                    combos = _combos(base, pieces, studio, mode, uarn, utag, budget)
                    for name, kind, app_key, arn_atoms, tag_atoms, untagged in per_action:
                        if mode == "untagged" and not untagged:
                            continue
                        absent = absent_keys(catalog, name, rt_key, keys_mentioned, kind)
                        proj = _project(combos, uarn, utag, arn_atoms, tag_atoms)
                        key = (app_key, rt_key, wi, mode, absent, proj[0])
                        results = decided.get(key)
                        if results is None:
                            results = decided[key] = _decide(
                                principal,
                                name,
                                proj[1],
                                mode,
                                wctx,
                                tuple(worlds[wi].absent) + absent,
                                policy_set,
                                out,
                            )
                        _record(out, principal, name, rt_key, kind, results)
    except BudgetExceeded as exc:
        out.budget_exceeded = str(exc)
    out.states = budget.used_states
    return out


def _combos(base: Space, pieces, studio, mode, arn_atoms, tag_atoms, budget) -> list:
    """Reachable ``(arn values, tag values, witness ARN, witness tag value)``; ``base`` gives
    the space's partition, account, our Region and our domain id (and the overview's
    ``exclude`` / ``only``).

    For a Studio type the tag is the ARN's own domain's ARN (same Region and id); for the other
    types the resource and the tagged domain are searched apart (any Region each: wider)."""
    tagged = mode == "tagged"
    if studio:
        space = replace(
            base, pieces=pieces, arn_atoms=arn_atoms, tag_atoms=tag_atoms if tagged else (),
            tag_from_arn=True,
        )  # fmt: skip
        return [
            (s.arn_values, s.tag_values, s.arn, base.tag_value(s.region, s.domain_id))
            for s in signatures(space, budget)
        ]
    # The ARN of a type without a domain id says nothing about the domain: exclude/only apply
    # to the tag's domain. An untagged resource of such a type belongs to no named domain: it
    # counts for "any domain" (exclude), never for one named domain (only).
    if not tagged and base.only:
        return []
    arn_sigs = signatures(
        replace(base, pieces=pieces, arn_atoms=arn_atoms, exclude=(), only=None), budget
    )
    if not tagged:
        return [(a.arn_values, (), a.arn, "") for a in arn_sigs]
    tag_sigs = signatures(replace(base, tag_atoms=tag_atoms), budget)
    return [
        (a.arn_values, t.tag_values, a.arn, base.tag_value(t.region, t.domain_id))
        for a in arn_sigs
        for t in tag_sigs
    ]


def _project(combos, uarn, utag, arn_atoms, tag_atoms) -> tuple:
    """Combinations seen through one action's atoms: ``(key, [(arn, tag value), ...])`` with
    one witness per distinct projection (the first, i.e. a shortest one)."""
    ai = [uarn.index(a) for a in arn_atoms]
    ti = [utag.index(a) for a in tag_atoms]
    seen: dict = {}
    for av, tv, arn, tag in combos:
        pk = (tuple(av[i] for i in ai), tuple(tv[i] for i in ti) if tv else ())
        if pk not in seen:
            seen[pk] = (arn, tag)
    return tuple(seen), list(seen.values())


def _decide(principal, action, witnesses, mode, wctx, absent, policy_set, out) -> list:
    """Evaluate each witness -> ``[(arn, context, Decision, allowed in a closed world)]``."""
    tagged = mode == "tagged"
    if not tagged:
        absent = tuple(absent) + TAG_CONTEXT_KEYS
    results = []
    for arn, value in witnesses:
        ctx = dict(wctx)
        if tagged:
            ctx["aws:ResourceTag/sagemaker:domain-arn"] = value
            ctx["sagemaker:ResourceTag/sagemaker:domain-arn"] = value
        d = evaluate(
            Request(principal, action, arn, ctx, open_world=True, absent_keys=absent), policy_set
        )
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
