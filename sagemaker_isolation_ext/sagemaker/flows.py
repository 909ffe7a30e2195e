""" "Studio still works": what each Studio flow needs from a role, and whether the role grants it.

The flows are a table (``data/studio_flows.json``): each has a stable id
(``studio.start-jupyterlab``, ``classic.start-kernel``, ...), the experience it belongs to
(``studio``, ``classic`` or ``any``) and the requests it makes with the user's execution role:
SageMaker actions plus ``iam:PassRole`` where the flow passes the role, with the tags and context
keys sent, each citing its AWS source or marked ``inferred``.

Each request is evaluated with the plain engine (:func:`..iam.evaluate`) in the open world: the
keys the row sets are known, the keys it or the catalog says are absent are absent, any other key
is unknown. A flow is

- ``works`` when every request of every reading is allowed with no ``conditional_on`` and no
  uncredited Deny key (so "works" is never a guess);
- ``breaks`` when, in every reading, some request is denied: ``breaks`` names the first denied
  request and the statement that denies it (``null`` when nothing allows it: implicit deny);
- ``depends`` otherwise: on keys the analysis cannot know, or on a reading of an uncertain AWS
  fact (one reading works, another does not).

Readings (the table's ``readings``): whether a Create that Studio tags carries its tags in the
request (``aws:RequestTag/*``, ``aws:TagKeys``) or only through the ``sagemaker:AddTags``
authorised with ``sagemaker:TaggingAction``. Both are checked. The table's ``fixed_readings``
are taken as stated (they only make "works" rarer).

Pure: no I/O besides the packaged data file.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from ..iam import PolicySet, Request, evaluate
from .catalog import Catalog, load_catalog
from .templates import DomainArn

STATUSES = ("works", "breaks", "depends")

_DATA_FILE = "studio_flows.json"
_TAG_ABSENT = ("aws:ResourceTag/*", "sagemaker:ResourceTag/*")
_REQUEST_TAG_ABSENT = ("aws:RequestTag/*", "aws:TagKeys")


class FlowTableError(RuntimeError):
    """The packaged flow table is missing or malformed."""


@functools.lru_cache(maxsize=1)
def load_flows() -> dict:
    """The packaged flow table: ``{"about", "sources", "readings", "fixed_readings", "flows"}``.

    Raises:
        FlowTableError: the file is missing, not JSON, or a flow lacks ``id``/``experience``/
            ``requests``, or two flows share an id.
    """
    try:
        text = (
            resources.files("sagemaker_isolation_ext")
            .joinpath("data", _DATA_FILE)
            .read_text(encoding="utf-8")
        )
        doc = json.loads(text)
    except (OSError, ValueError) as exc:
        raise FlowTableError(f"cannot read the packaged {_DATA_FILE}: {exc}") from exc
    seen = set()
    for f in doc.get("flows") or ():
        if not isinstance(f, dict) or not {"id", "experience", "requests", "title"} <= set(f):
            raise FlowTableError(f"bad flow in {_DATA_FILE}: {f!r}")
        if f["id"] in seen:
            raise FlowTableError(f"duplicate flow id {f['id']!r} in {_DATA_FILE}")
        if f["experience"] not in ("studio", "classic", "any"):
            raise FlowTableError(f"flow {f['id']}: bad experience {f['experience']!r}")
        seen.add(f["id"])
        for r in f["requests"]:
            src = r.get("source")
            if src != "inferred" and not (
                isinstance(src, list) and src and all(s in doc["sources"] for s in src)
            ):
                raise FlowTableError(f"flow {f['id']} {r.get('action')}: bad source {src!r}")
    return doc


def flow_ids() -> list[str]:
    """Every flow id of the table, in table order."""
    return [f["id"] for f in load_flows()["flows"]]


def flows_for(profiles) -> list[dict]:
    """The flows judged for a set of profiles (``("studio",)``, ``("classic",)`` or both):
    those of the profiles plus the ``any`` flows."""
    want = set(profiles)
    return [f for f in load_flows()["flows"] if f["experience"] == "any" or f["experience"] in want]


def _fill(text: str, values: dict) -> str:
    for k, v in values.items():
        text = text.replace("{" + k + "}", v)
    return text


def _values(dom: DomainArn, role_arn: str, user: str) -> dict:
    prefix = f"arn:{dom.partition}:sagemaker:{dom.region}:{dom.account}:"
    space = f"{user}-space"[:63]
    return {
        "prefix": prefix,
        "domain_id": dom.domain_id,
        "domain_arn": dom.arn,
        "user": user,
        "user_profile_arn": f"{prefix}user-profile/{dom.domain_id}/{user}",
        "space": space,
        "space_arn": f"{prefix}space/{dom.domain_id}/{space}",
        "role_arn": role_arn,
        "name": "studio-flow-example",
    }


def _resource(raw: str, values: dict) -> str:
    text = _fill(raw, values)
    if text == "*" or text.startswith("arn:"):
        return text
    return values["prefix"] + text


def _resource_type(catalog: Catalog, action: str) -> str | None:
    info = catalog.actions.get(action)
    if info is None or not info.resource_types:
        return None
    return info.resource_types[0].key


def _absent_for(catalog: Catalog, action: str, keys: set, rt: str | None) -> tuple:
    return tuple(k for k in sorted(keys) if catalog.key_never_present(action, k, rt))


def _policy_keys(policy_set: PolicySet) -> set:
    docs = list(policy_set.identity) + ([policy_set.boundary] if policy_set.boundary else [])
    return {k for p in docs for st in p.statements for _op, k, _v in st.conditions}


def _requests(flow: dict, reading: str, values: dict, caller: dict, catalog: Catalog, keys: set):
    """Concrete ``(row, Request)`` pairs of one flow under one reading."""
    out = []
    principal = values["role_arn"]
    for row in flow["requests"]:
        action = row["action"]
        arn = _resource(row["resource"], values)
        ctx = dict(caller)
        for k, v in (row.get("context") or {}).items():
            ctx[k] = _fill(v, values)
        absent = list(row.get("absent") or ())
        tags = {k: _fill(v, values) for k, v in (row.get("tags") or {}).items()}
        if row.get("resource_tags") == "either":
            # Not known whether the resource carries the domain tag: both are checked.
            tagged = dict(row, resource_tags="own", either=True)
            untagged = dict(row, resource_tags="none", either=True)
            out.extend(_requests({"requests": [tagged]}, reading, values, caller, catalog, keys))
            out.extend(_requests({"requests": [untagged]}, reading, values, caller, catalog, keys))
            continue
        if row.get("resource_tags") == "own":
            ctx["aws:ResourceTag/sagemaker:domain-arn"] = values["domain_arn"]
            ctx["sagemaker:ResourceTag/sagemaker:domain-arn"] = values["domain_arn"]
            absent.append("sagemaker:TaggingAction")
        else:
            # New (being created) or untagged: no resource tags.
            absent.extend(_TAG_ABSENT)
        if row.get("creates") and reading == "create-tags-in-request" and tags:
            for k, v in tags.items():
                ctx[f"aws:RequestTag/{k}"] = v
            ctx["aws:TagKeys"] = sorted(tags)
        else:
            absent.extend(_REQUEST_TAG_ABSENT)
        if not row.get("creates"):
            absent.append("sagemaker:TaggingAction")
        elif "sagemaker:TaggingAction" not in ctx:
            absent.append("sagemaker:TaggingAction")
        rt = _resource_type(catalog, action)
        absent.extend(_absent_for(catalog, action, keys, rt))
        out.append((row, Request(principal, action, arn, ctx, True, tuple(dict.fromkeys(absent)))))
        if row.get("creates") and tags:
            # Tag-on-create: SageMaker authorises AddTags on the new resource with
            # sagemaker:TaggingAction (AWS "Provide permissions for tagging").
            tctx = dict(caller)
            tctx["sagemaker:TaggingAction"] = row["creates"]
            for k, v in tags.items():
                tctx[f"aws:RequestTag/{k}"] = v
            tctx["aws:TagKeys"] = sorted(tags)
            tabsent = list(_TAG_ABSENT) + list(
                _absent_for(catalog, "sagemaker:AddTags", keys, _resource_type(catalog, action))
            )
            trow = {
                "action": "sagemaker:AddTags",
                "tag_on_create": row["creates"],
                "source": ["tagging"],
            }
            out.append(
                (trow, Request(principal, "sagemaker:AddTags", arn, tctx, True, tuple(tabsent)))
            )
    return out


def _ref(s) -> dict:
    return {"policy": s.policy, "sid": s.sid, "index": s.index}


def evaluate_flow(
    flow: dict,
    policy_set: PolicySet,
    dom: DomainArn,
    role_arn: str,
    user: str | None = None,
    catalog: Catalog | None = None,
) -> dict:
    """Judge one flow for one role.

    Args:
        flow: a row of :func:`load_flows` ``["flows"]``.
        policy_set: the role's policies.
        dom: the domain.
        role_arn: the role (request principal, ``aws:PrincipalArn``, the ``iam:PassRole`` target).
        user: the user profile name the flow runs as (``"example-user"`` when None).
        catalog: the action catalog.

    Returns:
        ``{"id", "title", "experience", "status": "works"|"breaks"|"depends",
        "readings": {reading id: status}, "breaks": [{"reading", "action", "resource",
        "decision", "statement": {policy, sid, index} | None}], "depends_on": [keys or
        reasons]}``.
    """
    catalog = catalog or load_catalog()
    user = user or "example-user"
    values = _values(dom, role_arn, user)
    caller = {
        "aws:PrincipalArn": role_arn,
        "aws:PrincipalAccount": dom.account,
        "aws:ResourceAccount": dom.account,
        # Reading "studio-caller-keys-present".
        "sagemaker:DomainId": dom.domain_id,
        "sagemaker:UserProfileName": user,
    }
    keys = _policy_keys(policy_set)
    readings = [r["id"] for r in load_flows()["readings"]]
    if not any(r.get("creates") and r.get("tags") for r in flow["requests"]):
        readings = readings[:1]  # the reading cannot change anything for this flow
    per: dict = {}
    breaks: list = []
    depends: list = []
    for reading in readings:
        status = "works"
        for row, req in _requests(flow, reading, values, caller, catalog, keys):
            d = evaluate(req, policy_set)
            if d.decision in ("explicit_deny", "implicit_deny") and row.get("either"):
                # Denied only in one of the two tag states: the flow depends on which holds.
                if status == "works":
                    status = "depends"
                depends.append(
                    f"whether {req.action}'s resource carries the domain tag "
                    f"({'tagged' if row.get('resource_tags') == 'own' else 'untagged'}: denied)"
                )
                continue
            if d.decision in ("explicit_deny", "implicit_deny"):
                status = "breaks"
                breaks.append(
                    {
                        "reading": reading,
                        "action": req.action,
                        "resource": req.resource,
                        "decision": d.decision,
                        "statement": _ref(d.statements[0]) if d.statements else None,
                        **(
                            {"tag_on_create": row["tag_on_create"]}
                            if "tag_on_create" in row
                            else {}
                        ),
                    }
                )
                break
            if d.decision == "unknown":
                if status == "works":
                    status = "depends"
                depends.append(f"{req.action}: {d.reason}")
            elif d.conditional_on or d.uncredited_deny_keys:
                if status == "works":
                    status = "depends"
                depends.extend(list(d.conditional_on) + list(d.uncredited_deny_keys))
        per[reading] = status
    statuses = set(per.values())
    if statuses == {"works"}:
        overall = "works"
    elif statuses == {"breaks"}:
        overall = "breaks"
    else:
        overall = "depends"
        if "works" in statuses and "breaks" in statuses:
            depends.append("the reading of how Studio tags what it creates")
    return {
        "id": flow["id"],
        "title": flow["title"],
        "experience": flow["experience"],
        "status": overall,
        "readings": per,
        "breaks": breaks,
        "depends_on": sorted(set(depends)),
    }


def evaluate_flows(
    profiles,
    policy_set: PolicySet,
    dom: DomainArn,
    role_arn: str,
    user: str | None = None,
    catalog: Catalog | None = None,
) -> list[dict]:
    """Judge every flow of ``profiles`` (see :func:`flows_for`) for one role.

    Returns:
        list of :func:`evaluate_flow` results, in table order.
    """
    catalog = catalog or load_catalog()
    return [evaluate_flow(f, policy_set, dom, role_arn, user, catalog) for f in flows_for(profiles)]


def problem_text(flow: dict) -> str:
    """One line saying why a flow does not work: the denied request and the statement
    (``breaks``), or what it depends on (``depends``, with the request the readable policies
    deny when there is one); ``""`` for a flow that works.

    Args:
        flow: an :func:`evaluate_flow` result (``status``), or a :func:`newly_broken` entry
            (``status_after``).
    """
    status = flow.get("status", flow.get("status_after"))
    denied = ""
    if flow.get("breaks"):
        b = flow["breaks"][0]
        ref = b.get("statement")
        if ref:
            label = ref.get("sid") or f"#{ref.get('index')}"
            by = f"denied by {ref.get('policy')} statement {label}"
        else:
            by = "no statement allows it"
        what = b.get("action") or "?"
        if b.get("tag_on_create"):
            what += f" (tag-on-create of {b['tag_on_create']})"
        denied = f"{what} on {b.get('resource')}: {by}"
    if status == "breaks":
        return denied
    if status == "depends":
        text = "on " + ", ".join(flow.get("depends_on") or ["?"])
        return text + (f" (in the policies read, {denied})" if denied else "")
    return ""


def summary(results: list[dict]) -> dict:
    """``{"works": n, "breaks": n, "depends": n}`` of a flow list."""
    out = dict.fromkeys(STATUSES, 0)
    for r in results:
        out[r["status"]] += 1
    return out


def newly_broken(before: list[dict], after: list[dict]) -> list[dict]:
    """Flows that work in ``before`` and do not in ``after`` (breaks or depends).

    Returns:
        ``[{"id", "title", "status_after", "breaks": [...], "depends_on": [...]}]``.
    """
    now = {r["id"]: r for r in before}
    out = []
    for r in after:
        b = now.get(r["id"])
        if b is not None and b["status"] == "works" and r["status"] != "works":
            out.append(
                {
                    "id": r["id"],
                    "title": r["title"],
                    "status_after": r["status"],
                    "breaks": r["breaks"],
                    "depends_on": r["depends_on"],
                }
            )
    return out


def strip_sagemaker_grants(policy_set: PolicySet, parse) -> PolicySet:
    """The role's policies without their SageMaker Allows (for an ``allow`` template judged as
    the role's only SageMaker grant): Deny statements stay; Allow statements keep only their
    non-``sagemaker:`` actions; ``NotAction`` Allows are dropped (they may grant SageMaker).

    Args:
        policy_set: the role's policies.
        parse: ``parse_policy`` (passed in to keep this module's imports small).

    Returns:
        a new PolicySet (same boundary).
    """
    identity = []
    for p in policy_set.identity:
        stmts = []
        for st in (
            p.document.get("Statement")
            if isinstance(p.document.get("Statement"), list)
            else [p.document.get("Statement")]
        ):
            if not isinstance(st, dict):
                continue
            if st.get("Effect") != "Allow":
                stmts.append(st)
                continue
            if "Action" not in st:
                continue
            acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            keep = [
                a
                for a in acts
                if not (
                    a == "*"
                    or str(a).lower().startswith("sagemaker:")
                    or str(a).lower().startswith("sagemaker*")
                )
            ]
            if keep:
                stmts.append({**st, "Action": keep})
        if stmts:
            identity.append(
                parse(
                    {"Version": p.document.get("Version", "2012-10-17"), "Statement": stmts}, p.name
                )
            )
    return PolicySet(identity=identity, boundary=policy_set.boundary)
