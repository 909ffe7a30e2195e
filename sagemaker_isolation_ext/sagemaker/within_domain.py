"""Isolation inside a domain: can a user's role use another user's *private* space or its apps?

A second axis, reported apart from the cross-domain verdict (``roles[i].within_domain``); it never
changes the exit code.

AWS's "Give your users access to spaces" restricts private spaces to their owner with the
condition keys ``sagemaker:OwnerUserProfileArn`` and ``sagemaker:SpaceSharingType``. The Service
Authorization Reference lists those keys only for some actions (CreateApp, DeleteApp, CreateSpace,
UpdateSpace, DeleteSpace); the others on spaces and apps (DescribeSpace, DescribeApp,
StartSession, AddTags, ListTags, DeleteTags, ...) carry neither, and a space or app ARN names the
space, not its owner, so no policy can tell another user's private space from one's own for them:
they are **uncoverable**. ``CreatePresignedDomainUrl`` names the user profile in its ARN, so a
policy can restrict it to the caller's own profile (``${sagemaker:UserProfileName}``): it is
covered by the ARN.

Every request is judged, not a sample (the search of the cross-domain analysis,
:mod:`.request_space`, docs/ENGINE.md "Isolation analysis", with our own domain id fixed):

- the target: any space of this domain (``space/<ours>/<any SpaceName>``), any app in it
  (``app/<ours>/<any space>/<any AppType, both spellings>/<any AppName>``, plus the further
  ``/`` segments of reading ``arn-extra-segments``), or for ``CreatePresignedDomainUrl`` any user
  profile of this domain other than the caller's; tagged ``sagemaker:domain-arn`` with this
  domain's ARN, or untagged (both are judged);
- the owner keys, on the actions that carry them: ``sagemaker:SpaceSharingType`` = ``Private``
  and ``sagemaker:OwnerUserProfileArn`` = the ARN of any profile of this domain other than the
  caller's (its name over botocore's ``UserProfileName`` grammar);
- the caller: the role, ``sagemaker:DomainId`` = this domain (or absent, when a policy names the
  key) and ``sagemaker:UserProfileName`` = each profile known to use the role, or, when the role
  may serve any profile (domain default role, offline policy files), any name: one per
  combination of the policies' conditions on the key, plus (when a policy reads the key as a
  variable) each name the policies spell in a space, app or user-profile ARN (reading
  ``caller-name-candidates``: names that no policy spells are interchangeable); absent too when
  a policy names the key.

The policies tell requests apart only through atoms (Resource/NotResource elements, conditions
on the owner key and on the caller's name); each reachable combination of atom values is
evaluated once with the engine, so a request reported unreachable is denied whatever the strings
hold. Keys the catalog says never appear on the request are absent, ``sagemaker:TaggingAction``
is absent except on ``CreateApp``; every other key is unknown (met in an Allow: the witness lists
it in ``conditional_on``; not credited in a Deny). Witnesses read ``other-user`` /
``other-user-space`` / ``default`` wherever such a name has the same atom values as the shortest
one found.

Verdicts: ``isolated`` (no request reachable), ``partial`` (only uncoverable actions reachable:
the owner restriction holds wherever AWS lets a policy express it), ``not_isolated`` (an action
the keys or the ARN could restrict is reachable), ``unknown`` (a request the engine cannot
decide, the search ran out of its budget, or the role's policies were not all read).
"""

from __future__ import annotations

import re

from ..iam import PolicySet, Request, evaluate
from ..iam.request_context import RequestContext
from .catalog import Catalog, load_catalog
from .create_reach import create_reach
from .request_space import (
    Budget,
    BudgetExceeded,
    Piece,
    Space,
    arn_pieces,
    atom_nfa,
    signatures,
)
from .statements import (
    TAG_CONTEXT_KEYS,
    absent_keys,
    allowing_statements,
    condition_atom,
    condition_keys,
    mentions,
    policy_statements,
    statement_atoms,
)
from .templates import DomainArn

__all__ = ["within_domain", "family", "OTHER_USER", "VERDICTS"]

VERDICTS = ("isolated", "partial", "not_isolated", "unknown")
#: The name of the other user whose private space the witnesses target when the name is free.
OTHER_USER = "other-user"
#: The caller's name in witnesses when the role may serve any profile and no policy tells
#: names apart.
EXAMPLE_USER = "example-user"
_OWNER_KEYS = ("sagemaker:OwnerUserProfileArn", "sagemaker:SpaceSharingType")
_ARN_COVERED = ("sagemaker:CreatePresignedDomainUrl",)
_UPN = "sagemaker:UserProfileName"
_UPN_VAR = "${sagemaker:userprofilename}"
_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
#: Caller-name candidates taken from the policies' ARNs at most (reading
#: ``caller-name-candidates``); past it the axis is ``unknown``.
MAX_CALLER_NAMES = 24


def family(catalog: Catalog | None = None) -> list[tuple[str, str]]:
    """The ``(action, resource type)`` pairs judged: every action on ``space`` or ``app``
    except Create rows that create a new resource outside a space (CreateSpace: a new space is
    not another user's), plus ``CreatePresignedDomainUrl`` on ``user-profile``."""
    catalog = catalog or load_catalog()
    out = []
    for name, info in catalog.actions.items():
        for ref in info.resource_types:
            if ref.key not in ("space", "app"):
                continue
            if name.startswith("sagemaker:Create"):
                row = create_reach(name, ref.key)
                # A new space (CreateSpace: inside the domain) is nobody's existing space; an
                # app created inside a space (CreateApp) runs on that space.
                if row.kind == "new" or (row.kind == "inside" and "space" not in row.parents):
                    continue
            out.append((name, ref.key))
    for name in _ARN_COVERED:
        if name in catalog.actions:
            out.append((name, "user-profile"))
    return sorted(out)


def _coverable(catalog: Catalog, action: str) -> bool:
    if action in _ARN_COVERED:
        return True
    info = catalog.actions.get(action)
    listed = {k.lower() for k in (info.condition_keys if info else ())}
    return all(k.lower() in listed for k in _OWNER_KEYS)


def _owner_keyed(catalog: Catalog, action: str) -> bool:
    """Whether the action's requests carry the owner keys (not merely an ARN naming the owner)."""
    return action not in _ARN_COVERED and _coverable(catalog, action)


def _key_atoms(stmts: list, key_lower: str, rctx: RequestContext, inexact: set) -> tuple:
    """The atoms of the String/Arn conditions on one single-valued key (``key_lower``), one per
    condition, its values ORed (as :func:`.statements.statement_atoms` does for the domain tag)."""
    out: dict = {}
    for s in stmts:
        vars_on = s.policy.variables_enabled
        for op, key, values in s.st.conditions:
            if key.lower() == key_lower:
                atom = condition_atom(op, values, vars_on, rctx, inexact)
                if atom is not None:
                    out[atom] = None
    return tuple(out)


def _texts(stmts: list):
    for s in stmts:
        yield from s.st.resources or ()
        yield from s.st.not_resources or ()
        for _op, _key, values in s.st.conditions:
            yield from values


def _pick(sigs: list, atoms: tuple, readable: list[str]) -> list[str]:
    """The witness string of each signature: a readable candidate with the same atom values
    when there is one, else the shortest string the search found."""
    by_values: dict = {}
    for text in readable:
        by_values.setdefault(tuple(atom_nfa(a).matches(text) for a in atoms), text)
    return [by_values.get(sig.arn_values, sig.arn) for sig in sigs]


class _TooManyNames(Exception):
    pass


def _caller_names(stmts: list, inexact: set, budget: Budget) -> list[str]:
    """Caller names standing for *any* profile (module docstring, reading
    ``caller-name-candidates``). Raises _TooManyNames past :data:`MAX_CALLER_NAMES`."""
    atoms = _key_atoms(stmts, _UPN.lower(), RequestContext({}, True, ()), inexact)
    names = [EXAMPLE_USER]
    if atoms:
        space = Space((Piece(placeholder="UserProfileName"),), atoms, (), "", "", "", "", False)
        names = _pick(signatures(space, budget), atoms, [EXAMPLE_USER])
    texts = list(_texts(stmts))
    if any(_UPN_VAR in t.lower() for t in texts):
        for t in texts:
            for m in re.finditer(r"(?:user-profile|space|app)/[^/]*/([^/]+)", t):
                if _NAME.fullmatch(m.group(1)):
                    names.append(m.group(1))
    names = list(dict.fromkeys(names))
    if len(names) > MAX_CALLER_NAMES:
        raise _TooManyNames(f"the policies spell {len(names)} user profile names")
    return names


def _worlds(docs: list, dom: DomainArn, principal: str, names: list[str]) -> list[tuple]:
    """``[(caller context, absent caller keys, caller name or "")]``: ``sagemaker:DomainId``
    ours (or absent when a policy names it), ``sagemaker:UserProfileName`` each of ``names``
    (and absent when a policy names it; unknown when no policy names it and several are
    possible)."""
    base = {
        "aws:PrincipalArn": principal,
        "aws:PrincipalAccount": dom.account,
        "aws:ResourceAccount": dom.account,
    }
    dom_vals: list = [dom.domain_id]
    if mentions(docs, "sagemaker:domainid"):
        dom_vals.append(None)
    named = mentions(docs, _UPN.lower())
    upn_vals: list = list(names) + [None] if named else [names[0] if len(names) == 1 else None]
    out = []
    for d in dom_vals:
        for u in upn_vals:
            ctx = dict(base)
            absent = []
            if d:
                ctx["sagemaker:DomainId"] = d
            else:
                absent.append("sagemaker:DomainId")
            if u:
                ctx[_UPN] = u
            elif named:
                absent.append(_UPN)
            out.append((ctx, tuple(absent), u or ""))
    return out


def _pieces(catalog: Catalog, rt: str, dom: DomainArn) -> tuple:
    """The ARN pieces of ``rt`` in our domain (Partition, Region, Account and DomainId written
    out); for ``user-profile`` the name piece is marked ``domain`` so that the search leaves out
    the caller's own profile (``Space.ours``)."""
    fmt = catalog.resource_types[rt].arn_format
    for k, v in (
        ("${Partition}", dom.partition),
        ("${Region}", dom.region),
        ("${Account}", dom.account),
        ("${DomainId}", dom.domain_id),
    ):
        fmt = fmt.replace(k, v)
    pieces = arn_pieces(fmt, dom.partition, dom.account)  # Region written out above
    if rt == "user-profile":
        pieces = tuple(
            Piece(placeholder=p.placeholder, domain=True)
            if p.placeholder == "UserProfileName"
            else p
            for p in pieces
        )
    return pieces


def _readable(rt: str, prefix: str, dom: DomainArn, other: str) -> list[str]:
    if rt == "space":
        return [f"{prefix}space/{dom.domain_id}/{other}-space"]
    if rt == "app":
        return [
            f"{prefix}app/{dom.domain_id}/{other}-space/{t}/default"
            for t in ("jupyterlab", "codeeditor", "JupyterLab", "CodeEditor")
        ]
    return [f"{prefix}user-profile/{dom.domain_id}/{other}"]


def within_domain(
    principal: str,
    policy_set: PolicySet,
    dom: DomainArn,
    user: str | None = None,
    catalog: Catalog | None = None,
    *,
    profiles: list[str] | None = None,
    budget: Budget | None = None,
) -> dict:
    """Judge one role on the within-domain axis over every request (module docstring).

    Args:
        principal: the role ARN.
        policy_set: its policies.
        dom: the domain.
        user: the caller's user profile name, when the role serves exactly that one.
        catalog: the action catalog.
        profiles: the names of the profiles known to use the role, when it serves only those
            (ignored when ``user`` is given); with neither, the caller is any profile.
        budget: the search budget (:class:`.request_space.Budget`, a default one when None).

    Returns:
        ``{"verdict": "isolated"|"partial"|"not_isolated"|"unknown", "reachable": [{"action",
        "resource_type", "coverable": bool, "witness": {principal, action, resource, context,
        conditional_on}}], "uncoverable": [actions of the family no owner key or ARN can
        restrict], "covered": [actions the owner keys or the ARN can restrict], "unknown":
        [{"action", "reason"}], "detail": str}``. A witness without ``conditional_on`` is
        allowed by the engine in a closed world.
    """
    catalog = catalog or load_catalog()
    budget = budget or Budget()
    stmts = policy_statements(policy_set)
    docs = list(policy_set.identity) + ([policy_set.boundary] if policy_set.boundary else [])
    keys = condition_keys(stmts)
    pairs = family(catalog)
    actions = sorted({a for a, _ in pairs})
    applicable: dict = {}
    for name in actions:
        app = allowing_statements(stmts, name)
        if app is not None:
            applicable[name] = app
    prefix = f"arn:{dom.partition}:sagemaker:{dom.region}:{dom.account}:"
    owner_key = _OWNER_KEYS[0].lower()
    reachable: dict = {}
    unknown: dict = {}
    inexact: set = set()
    stopped = None
    try:
        if user:
            names = [user]
        elif profiles:
            names = sorted(set(profiles))
        else:
            names = _caller_names(stmts, inexact, budget) if applicable else [EXAMPLE_USER]
        for wctx, wabsent, caller in _worlds(docs, dom, principal, names):
            rctx = RequestContext(wctx, True, wabsent)
            other = OTHER_USER if caller != OTHER_USER else OTHER_USER + "-2"
            for rt in ("app", "space", "user-profile"):
                acts = []
                for action, r in pairs:
                    if r != rt or action not in applicable or _done(reachable.get(action)):
                        continue
                    app = applicable[action]
                    own = _owner_keyed(catalog, action)
                    arn_atoms = statement_atoms(app, rctx, inexact)[0]
                    owner_atoms = _key_atoms(app, owner_key, rctx, inexact) if own else ()
                    acts.append((action, own, arn_atoms, owner_atoms))
                if not acts:
                    continue
                uarn = tuple(dict.fromkeys(a for act in acts for a in act[2]))
                uown = tuple(dict.fromkeys(a for act in acts for a in act[3]))
                space = Space(_pieces(catalog, rt, dom), uarn, (), "", "", "", caller, False)
                sigs = signatures(space, budget)
                arns = list(zip(sigs, _pick(sigs, uarn, _readable(rt, prefix, dom, other))))
                owners: list = []
                if any(act[1] for act in acts):
                    opieces = (
                        Piece(text=f"{prefix}user-profile/{dom.domain_id}/"),
                        Piece(placeholder="UserProfileName", domain=True),
                    )
                    osigs = signatures(Space(opieces, uown, (), "", "", "", caller, False), budget)
                    readable = [f"{prefix}user-profile/{dom.domain_id}/{other}"]
                    owners = list(zip(osigs, _pick(osigs, uown, readable)))
                for action, own, arn_atoms, owner_atoms in acts:
                    kind = (
                        create_reach(action, rt).kind
                        if action.startswith("sagemaker:Create")
                        else None
                    )
                    absent = wabsent + absent_keys(catalog, action, rt, keys, kind)
                    for arn in _project(arns, uarn, arn_atoms):
                        for owner in _project(owners, uown, owner_atoms) if own else [None]:
                            _judge(
                                principal,
                                action,
                                rt,
                                arn,
                                owner,
                                wctx,
                                absent,
                                dom,
                                policy_set,
                                catalog,
                                reachable,
                                unknown,
                            )
                            if _done(reachable.get(action)):
                                break
                        if _done(reachable.get(action)):
                            break
    except BudgetExceeded as exc:
        stopped = f"the search ran out of its budget ({exc})"
    except _TooManyNames as exc:
        stopped = f"{exc}: more than {MAX_CALLER_NAMES} callers to judge"
    return _result(catalog, actions, list(reachable.values()), list(unknown.values()), stopped)


def _done(entry) -> bool:
    """An action is settled once a witness allowed in a closed world is found."""
    return entry is not None and not entry["witness"]["conditional_on"]


def _project(items: list, union: tuple, atoms: tuple) -> list[str]:
    """One witness string per distinct value of ``atoms`` (a sub-tuple of ``union``)."""
    idx = [union.index(a) for a in atoms]
    seen: dict = {}
    for sig, text in items:
        seen.setdefault(tuple(sig.arn_values[i] for i in idx), text)
    return list(seen.values())


def _judge(
    principal, action, rt, arn, owner, wctx, absent, dom, policy_set, catalog, reachable, unknown
) -> None:
    """Evaluate one request, tagged with our domain's ARN and untagged, into ``reachable`` /
    ``unknown``."""
    # A new app (CreateApp) carries no tags of its own yet: that reading first, for the witness.
    new = action.startswith("sagemaker:Create") and action not in _ARN_COVERED
    for tagged in (False, True) if new else (True, False):
        ctx = dict(wctx)
        if owner is not None:
            ctx["sagemaker:OwnerUserProfileArn"] = owner
            ctx["sagemaker:SpaceSharingType"] = "Private"
        if tagged:
            for k in TAG_CONTEXT_KEYS:
                ctx[k] = dom.arn
            gone = absent
        else:
            gone = absent + TAG_CONTEXT_KEYS
        d = evaluate(
            Request(principal, action, arn, ctx, True, tuple(dict.fromkeys(gone))), policy_set
        )
        if d.decision == "unknown":
            unknown.setdefault(action, {"action": action, "reason": d.reason})
            continue
        if d.decision != "allow":
            continue
        closed = evaluate(Request(principal, action, arn, ctx, False), policy_set)
        closed_ok = closed.decision == "allow"
        old = reachable.get(action)
        if old is not None and (not old["witness"]["conditional_on"] or not closed_ok):
            continue
        reachable[action] = {
            "action": action,
            "resource_type": rt,
            "coverable": _coverable(catalog, action),
            "witness": {
                "principal": principal,
                "action": action,
                "resource": arn,
                "context": dict(sorted(ctx.items())),
                "conditional_on": []
                if closed_ok
                else sorted(set(d.conditional_on) | set(d.uncredited_deny_keys)),
            },
        }
        if closed_ok:
            return


def _result(catalog, actions, reach, unknown, stopped) -> dict:
    uncoverable = [a for a in actions if not _coverable(catalog, a)]
    covered = [a for a in actions if _coverable(catalog, a)]
    reach.sort(key=lambda r: r["action"])
    if any(r["coverable"] for r in reach):
        verdict = "not_isolated"
        names = ", ".join(r["action"] for r in reach if r["coverable"])
        detail = (
            f"the role can act on another user's private space or its apps with {names}, which "
            "an owner restriction (sagemaker:OwnerUserProfileArn / SpaceSharingType, or the "
            "profile in the ARN) could refuse"
        )
    elif stopped or unknown:
        verdict = "unknown"
        detail = stopped or (
            f"{len(unknown)} request(s) on another user's private space could not be decided"
        )
    elif reach:
        verdict = "partial"
        detail = (
            f"only actions no policy can restrict to the owner are allowed on another user's "
            f"private space ({', '.join(r['action'] for r in reach)}): their requests carry no "
            "owner key and the ARN names the space, not its owner"
        )
    else:
        verdict = "isolated"
        detail = "no request on another user's private space or its apps is allowed"
    return {
        "verdict": verdict,
        "reachable": reach,
        "uncoverable": uncoverable,
        "covered": covered,
        "unknown": unknown,
        "detail": detail,
    }
