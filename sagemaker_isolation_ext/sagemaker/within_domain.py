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

Requests judged, one per (action, resource type): the caller is the role with
``sagemaker:DomainId`` = this domain and ``sagemaker:UserProfileName`` = a profile that uses the
role (``example-user`` when none is known); the target is a private space of another profile of
the same domain (``other-user``), tagged ``sagemaker:domain-arn`` with this domain's ARN, its apps
named ``app/<domain>/<space>/<type>/default``; ``sagemaker:OwnerUserProfileArn`` = the other
profile's ARN and ``sagemaker:SpaceSharingType`` = ``Private`` where the action carries them.
Keys the catalog says never appear on the request are absent; every other key is unknown (met in
an Allow: the witness lists it in ``conditional_on``; not credited in a Deny). So a request
reported unreachable is denied whatever the unknown keys hold.

Verdicts: ``isolated`` (no request reachable), ``partial`` (only uncoverable actions reachable:
the owner restriction holds wherever AWS lets a policy express it), ``not_isolated`` (an action
the keys or the ARN could restrict is reachable), ``unknown`` (a request the engine cannot
decide, or the role's policies were not all read).
"""

from __future__ import annotations

from ..iam import PolicySet, Request, evaluate
from .catalog import Catalog, load_catalog
from .create_reach import create_reach
from .templates import DomainArn

__all__ = ["within_domain", "family", "OTHER_USER", "VERDICTS"]

VERDICTS = ("isolated", "partial", "not_isolated", "unknown")
#: The name of the other user whose private space the requests target.
OTHER_USER = "other-user"
_OWNER_KEYS = ("sagemaker:OwnerUserProfileArn", "sagemaker:SpaceSharingType")
_ARN_COVERED = ("sagemaker:CreatePresignedDomainUrl",)


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


def within_domain(
    principal: str,
    policy_set: PolicySet,
    dom: DomainArn,
    user: str | None = None,
    catalog: Catalog | None = None,
) -> dict:
    """Judge one role on the within-domain axis (module docstring).

    Args:
        principal: the role ARN.
        policy_set: its policies.
        dom: the domain.
        user: the caller's user profile name (``example-user`` when None).
        catalog: the action catalog.

    Returns:
        ``{"verdict": "isolated"|"partial"|"not_isolated"|"unknown", "reachable": [{"action",
        "resource_type", "coverable": bool, "witness": {principal, action, resource, context,
        conditional_on}}], "uncoverable": [actions of the family no owner key or ARN can
        restrict], "covered": [actions the owner keys or the ARN can restrict], "unknown":
        [{"action", "reason"}], "detail": str}``.
    """
    catalog = catalog or load_catalog()
    user = user or "example-user"
    other = OTHER_USER if user != OTHER_USER else "other-user-2"
    prefix = f"arn:{dom.partition}:sagemaker:{dom.region}:{dom.account}:"
    space = f"{other}-space"
    owner_arn = f"{prefix}user-profile/{dom.domain_id}/{other}"
    resources = {
        "space": f"{prefix}space/{dom.domain_id}/{space}",
        "app": f"{prefix}app/{dom.domain_id}/{space}/jupyterlab/default",
        "user-profile": owner_arn,
    }
    docs = list(policy_set.identity) + ([policy_set.boundary] if policy_set.boundary else [])
    keys = sorted({k for p in docs for st in p.statements for _op, k, _v in st.conditions})
    reachable: dict = {}
    unknown = []
    pairs = family(catalog)
    for action, rt in pairs:
        ctx = {
            "aws:PrincipalArn": principal,
            "aws:PrincipalAccount": dom.account,
            "aws:ResourceAccount": dom.account,
            "sagemaker:DomainId": dom.domain_id,
            "sagemaker:UserProfileName": user,
            "aws:ResourceTag/sagemaker:domain-arn": dom.arn,
            "sagemaker:ResourceTag/sagemaker:domain-arn": dom.arn,
        }
        is_create = action.startswith("sagemaker:Create") and rt != "user-profile"
        absent = ["sagemaker:TaggingAction"]
        if is_create:
            # An app created inside the space: the new app carries no tags of its own yet.
            for k in (
                "aws:ResourceTag/sagemaker:domain-arn",
                "sagemaker:ResourceTag/sagemaker:domain-arn",
            ):
                ctx.pop(k)
            absent += ["aws:ResourceTag/*", "sagemaker:ResourceTag/*"]
        if _coverable(catalog, action) and action not in _ARN_COVERED:
            ctx["sagemaker:OwnerUserProfileArn"] = owner_arn
            ctx["sagemaker:SpaceSharingType"] = "Private"
        absent += [k for k in keys if catalog.key_never_present(action, k, rt)]
        req = Request(principal, action, resources[rt], ctx, True, tuple(dict.fromkeys(absent)))
        d = evaluate(req, policy_set)
        if d.decision == "unknown":
            unknown.append({"action": action, "reason": d.reason})
            continue
        if d.decision != "allow" or action in reachable:
            continue
        reachable[action] = {
            "action": action,
            "resource_type": rt,
            "coverable": _coverable(catalog, action),
            "witness": {
                "principal": principal,
                "action": action,
                "resource": resources[rt],
                "context": dict(sorted(ctx.items())),
                "conditional_on": sorted(set(d.conditional_on) | set(d.uncredited_deny_keys)),
            },
        }
    actions = sorted({a for a, _ in pairs})
    uncoverable = [a for a in actions if not _coverable(catalog, a)]
    covered = [a for a in actions if _coverable(catalog, a)]
    reach = list(reachable.values())
    if unknown:
        verdict = "unknown"
        detail = f"{len(unknown)} request(s) on another user's private space could not be decided"
    elif any(r["coverable"] for r in reach):
        verdict = "not_isolated"
        names = ", ".join(r["action"] for r in reach if r["coverable"])
        detail = (
            f"the role can act on another user's private space or its apps with {names}, which "
            "an owner restriction (sagemaker:OwnerUserProfileArn / SpaceSharingType, or the "
            "profile in the ARN) could refuse"
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
