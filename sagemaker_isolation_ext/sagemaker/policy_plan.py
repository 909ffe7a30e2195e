"""Isolation change plans: what applying an isolation policy to a domain's roles would change.

Pure (no AWS, Jupyter or boto3): :func:`build_plan` takes the Snapshot (ARCHITECTURE.md §3), the
variant (``"allow"``: the AWS doc policy, ``"deny"``: our Deny variant; see ``templates``), an
optional role selection and the IAM facts the snapshot does not hold (``iam_state``, read by
``aws/apply.py``), and returns the *plan*: a plain JSON document that can be shown, saved and
applied later exactly as shown (its ``plan_hash`` covers every other field).

A plan holds, for every execution role of the domain, the verdict **before** and **after**. Both
come from :func:`analysis.analyze` run on the real snapshot and on a copy of it where the new
policy document is in place and attached to the selected roles (and the tag-on-create policy to
the roles that need it). So the "after" is computed by the engine on the role's real policies
plus the new one, never assumed. A role whose policies could not all be read stays ``unknown``.

Steps, in order (AWS doc "Isolate domain resources": create the policy, attach it to each
execution role; repeat per domain):

1. ``create-policy`` of ``StudioDomainResourceIsolationPolicy-<domain-id>`` when it does not
   exist, or ``create-policy-version`` (set as default) when it exists with another document.
   IAM keeps at most 5 versions of a managed policy (IAM User Guide, "Versioning IAM policies"):
   when 5 exist the step names the oldest non-default version, which apply deletes only after
   saving its document in the change record.
2. The same for ``StudioDomainTagOnCreatePolicy-<domain-id>`` when a selected role would be
   unable to let Studio tag what it creates (``sagemaker:AddTags`` with
   ``sagemaker:TaggingAction``; AWS doc "Provide permissions for tagging SageMaker AI
   resources"). The need is judged by the analysis' ``tag-on-create-blocked`` finding on the
   role *with* the isolation policy in place.
3. ``attach-role-policy`` for each selected role that lacks the policy.

Validation (``plan["validation"]``): the documents are JSON the engine parses; each is at most
6,144 characters, whitespace not counted (IAM User Guide, "IAM and AWS STS quotas": "Managed
policy size ... 6,144 characters"; "IAM doesn't count white space"); no template placeholder is
left; each role stays within the account's managed-policies-per-role quota (from
``iam:GetAccountSummary`` ``AttachedPoliciesPerRoleQuota``; the default 10 when it could not be
read, stated in the check); IAM Access Analyzer ``ValidatePolicy`` when the caller could run it
(its result is passed in; when it could not, the check says so and does not pass or fail).

Readings taken so that a plan can never claim a false "isolated": the after-verdict of a role
that is incomplete in the snapshot is what the analysis says (``unknown``); a role outside the
plan's selection that already attaches the policy is listed as affected by a new version, and
in ``--role-arn`` mode roles not read are reported by ARN from ``iam_state`` with no verdict.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..iam import PolicyError, parse_policy
from . import experience as X
from . import flows as FL
from . import templates
from .analysis import RoleResultCache, _policy_set, _role_flows, _role_inputs, analyze
from .catalog import Catalog
from .findings import aggregate_verdicts

__all__ = [
    "PLAN_KIND",
    "PLAN_SCHEMA_VERSION",
    "MANAGED_POLICY_MAX_CHARS",
    "DEFAULT_ATTACHED_POLICIES_PER_ROLE",
    "MAX_POLICY_VERSIONS",
    "TAG_ON_CREATE_PREFIX",
    "PlanAnalyses",
    "PlanError",
    "build_plan",
    "canonical_json",
    "document_size",
    "load_plan",
    "plan_hash",
    "policy_diff",
    "render_plan_text",
    "tag_on_create_document",
    "tag_on_create_policy_name",
    "oldest_non_default_version",
    "plan_experience",
    "unconfirmed_breaks",
    "validate_document",
]

PLAN_KIND = "sagemaker-isolation-plan"
PLAN_SCHEMA_VERSION = 1
#: IAM User Guide, "IAM and AWS STS quotas": managed policy size, whitespace not counted.
MANAGED_POLICY_MAX_CHARS = 6144
#: IAM User Guide, "IAM and AWS STS quotas": managed policies attached to an IAM role, default 10
#: (adjustable up to 20). Used only when ``iam:GetAccountSummary`` could not be read.
DEFAULT_ATTACHED_POLICIES_PER_ROLE = 10
#: IAM User Guide, "Versioning IAM policies": a managed policy keeps at most five versions.
MAX_POLICY_VERSIONS = 5
#: Name prefix of the per-domain tag-on-create policy this tool creates.
TAG_ON_CREATE_PREFIX = "StudioDomainTagOnCreatePolicy-"

_PLACEHOLDERS = (
    (re.compile(r'"domain-arn"'), "the doc's 'domain-arn' placeholder"),
    (re.compile(r"domain-id"), "the doc's 'domain-id' placeholder"),
    (re.compile(r"account-id"), "an 'account-id' placeholder"),
    (re.compile(r"arn:aws[a-z-]*:sagemaker:\*:\*:"), "an ARN with '*' Region and account"),
    (re.compile(r"<[A-Za-z][A-Za-z0-9 _-]*>"), "a <placeholder>"),
)


class PlanError(ValueError):
    """A plan cannot be built or a plan document is malformed or altered.

    The message says what is wrong and how to fix it (e.g. an unknown role ARN, a bad variant,
    a plan file whose ``plan_hash`` does not match its content).
    """


# --------------------------------------------------------------------------------------------
# Documents


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys (the form hashed and compared)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def document_size(document: dict) -> int:
    """Characters IAM counts against the managed-policy size quota.

    Whitespace is not counted (IAM User Guide, "IAM and AWS STS quotas"), so this is the number
    of non-whitespace characters of the compact JSON text.

    Args:
        document: a policy document.

    Returns:
        the character count (int).
    """
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return sum(1 for ch in text if not ch.isspace())


def tag_on_create_policy_name(domain_id: str) -> str:
    """``StudioDomainTagOnCreatePolicy-<domain-id>``.

    Raises:
        ValueError: not a SageMaker domain id.
    """
    return (
        TAG_ON_CREATE_PREFIX + templates.policy_name(domain_id)[len(templates.POLICY_NAME_PREFIX) :]
    )


def tag_on_create_document(domain_arn: str) -> dict:
    """The tag-on-create policy for a domain's Region and account.

    Allows ``sagemaker:AddTags`` only while a Create call tags what it creates (the key
    ``sagemaker:TaggingAction`` is present). Source: AWS doc "Provide permissions for tagging
    SageMaker AI resources" (``Null: {sagemaker:TaggingAction: false}``). On an existing resource
    the key is absent, so this grants no cross-domain tagging.

    Raises:
        ValueError: not a domain ARN.
    """
    d = templates.parse_domain_arn(domain_arn)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowStudioTagOnCreate",
                "Effect": "Allow",
                "Action": "sagemaker:AddTags",
                "Resource": f"arn:{d.partition}:sagemaker:{d.region}:{d.account}:*/*",
                "Condition": {"Null": {"sagemaker:TaggingAction": "false"}},
            }
        ],
    }


def validate_document(name: str, document: Any) -> list[dict]:
    """Static checks of one managed-policy document.

    Args:
        name: the policy name (for messages).
        document: the policy document.

    Returns:
        checks ``[{"id": "json"|"size"|"placeholder", "policy", "ok": bool, "detail"}]``.
    """
    out = []
    try:
        text = json.dumps(document)
        json.loads(text)
        parse_policy(document, name)
        out.append({"id": "json", "policy": name, "ok": True, "detail": "valid JSON policy"})
    except (TypeError, ValueError, PolicyError) as exc:
        out.append(
            {"id": "json", "policy": name, "ok": False, "detail": f"not a valid policy: {exc}"}
        )
        return out
    size = document_size(document)
    out.append(
        {
            "id": "size",
            "policy": name,
            "ok": size <= MANAGED_POLICY_MAX_CHARS,
            "detail": f"{size} of {MANAGED_POLICY_MAX_CHARS} characters (whitespace not counted)",
            "size": size,
        }
    )
    found = [label for rx, label in _PLACEHOLDERS if rx.search(text)]
    out.append(
        {
            "id": "placeholder",
            "policy": name,
            "ok": not found,
            "detail": "no placeholder left"
            if not found
            else "placeholder left: " + ", ".join(found),
        }
    )
    return out


def policy_diff(old: dict | None, new: dict) -> list[str]:
    """A line diff of two policy documents (pretty JSON, sorted keys), unified format.

    Args:
        old: the current document, or None when the policy does not exist yet.
        new: the planned document.

    Returns:
        lines (``---``/``+++`` headers, ``@@`` hunks, ``+``/``-``/`` `` lines); empty when equal.
    """
    import difflib

    a = [] if old is None else json.dumps(old, indent=2, sort_keys=True).splitlines()
    b = json.dumps(new, indent=2, sort_keys=True).splitlines()
    if a == b:
        return []
    return list(difflib.unified_diff(a, b, "current", "planned", lineterm="", n=2))


def oldest_non_default_version(versions: list[dict]) -> str | None:
    """The version IAM lets us delete to make room: the oldest that is not the default.

    Args:
        versions: ``[{"version_id": "v3", "is_default": bool, "create_date": ISO str|None}]``.

    Returns:
        its version id, or None when every version is the default (one version).
    """

    def key(v):
        vid = str(v.get("version_id") or "")
        num = int(vid[1:]) if vid[1:].isdigit() else 0
        return (str(v.get("create_date") or ""), num)

    cands = [v for v in versions if not v.get("is_default")]
    return min(cands, key=key)["version_id"] if cands else None


# --------------------------------------------------------------------------------------------
# Plan


def _policy_step(
    arn: str, name: str, document: dict, state: dict, purpose: str
) -> tuple[dict, list]:
    """(policy section, steps) for one managed policy."""
    exists = bool(state.get("exists"))
    current = state.get("document") if exists else None
    versions = list(state.get("versions") or [])
    section = {
        "name": name,
        "arn": arn,
        "purpose": purpose,
        "document": document,
        "exists": exists,
        "current_default_version": state.get("default_version_id") if exists else None,
        "current_document": current,
        "versions": [v.get("version_id") for v in versions],
        "attached_roles": state.get("attached_roles"),
        "diff": policy_diff(current, document),
        "action": "none",
    }
    steps: list[dict] = []
    if not exists:
        section["action"] = "create"
        steps.append(
            {
                "op": "create-policy",
                "policy_arn": arn,
                "policy_name": name,
                "document": document,
                "description": f"{purpose} (created by sagemaker-isolation)",
            }
        )
    elif current is None:
        section["action"] = "unknown"
    elif canonical_json(current) != canonical_json(document):
        section["action"] = "new-version"
        delete = None
        if len(versions) >= MAX_POLICY_VERSIONS:
            delete = oldest_non_default_version(versions)
        steps.append(
            {
                "op": "create-policy-version",
                "policy_arn": arn,
                "policy_name": name,
                "document": document,
                "expected_default_version": state.get("default_version_id"),
                "delete_version": delete,
            }
        )
    return section, steps


def _after_snapshot(snapshot, iso, iso_doc, tag, tag_doc, attach_iso, attach_tag):
    snap = copy.deepcopy(snapshot)
    pols = snap.setdefault("policies", {})
    pols[iso["arn"]] = {
        "arn": iso["arn"],
        "name": iso["name"],
        "version_id": "planned",
        "document": iso_doc,
    }
    if tag_doc is not None and (attach_tag or tag["arn"] in pols):
        pols[tag["arn"]] = {
            "arn": tag["arn"],
            "name": tag["name"],
            "version_id": "planned",
            "document": tag_doc,
        }
    for rarn, role in (snap.get("roles") or {}).items():
        attached = role.setdefault("attached_policies", [])
        if rarn in attach_iso and iso["arn"] not in attached:
            attached.append(iso["arn"])
        if rarn in attach_tag and tag["arn"] not in attached:
            attached.append(tag["arn"])
    return snap


def _tag_blocked(report: dict) -> set[str]:
    return {
        f.get("role")
        for f in report.get("findings") or ()
        if f.get("id") == "tag-on-create-blocked" and f.get("role")
    }


def _role_by_arn(report: dict) -> dict:
    return {r.get("arn"): r for r in report.get("roles") or () if r.get("arn")}


def _cross_domain_policies(role_json: dict, exclude: set[str]) -> list[str]:
    names: list[str] = []
    for entry in role_json.get("cross_domain") or ():
        if entry.get("accepted"):
            continue
        for ref in entry.get("allowed_by") or ():
            pname = ref.get("policy")
            if pname and pname not in exclude and pname not in names:
                names.append(pname)
    return names


def _template_after(report: dict, variant: str, arn: str) -> str | None:
    for t in report.get("templates") or ():
        if t.get("variant") == variant:
            for r in t.get("roles") or ():
                if r.get("arn") == arn:
                    return r.get("verdict_after")
    return None


class PlanAnalyses:
    """The analyses of one plan: ``analysis.analyze`` once per snapshot state (before, with the
    isolation policy, with the tag-on-create policy too), all sharing one ``RoleResultCache``,
    so a role whose policies a state does not change is evaluated once for the whole plan.

    Args:
        catalog: the action catalog (None: loaded).
        now: the reports' ``generated_at``.
        analyse: ``analyse(snapshot) -> report`` instead of ``analysis.analyze``; called once
            per distinct state.

    Attributes:
        role_cache: the shared ``analysis.RoleResultCache`` (pass it to an analysis made
            elsewhere, then :meth:`add` its report).
        calls: analyses made (tests).
    """

    def __init__(
        self,
        catalog: Catalog | None = None,
        now: _dt.datetime | None = None,
        analyse: Callable[[dict], dict] | None = None,
    ) -> None:
        self.catalog, self.now, self._analyse = catalog, now, analyse
        self.role_cache = RoleResultCache()
        self._reports: dict[str, dict] = {}
        self.calls = 0

    @staticmethod
    def digest(snapshot: dict) -> str:
        """sha256 (hex) of the snapshot's canonical JSON: equal states, equal digests."""
        return hashlib.sha256(canonical_json(snapshot).encode("utf-8")).hexdigest()

    def add(self, snapshot: dict, report: dict) -> None:
        """Take ``report`` as the analysis of ``snapshot`` (made elsewhere, e.g. the check's)."""
        self._reports[self.digest(snapshot)] = report

    def __call__(self, snapshot: dict) -> dict:
        """The report of ``snapshot`` (analysed on the first call for its state)."""
        key = self.digest(snapshot)
        if key not in self._reports:
            self.calls += 1
            if self._analyse is not None:
                self._reports[key] = self._analyse(snapshot)
            else:
                self._reports[key] = analyze(
                    snapshot, self.catalog, now=self.now, role_cache=self.role_cache
                )
        return self._reports[key]


def _selected_roles(before: dict, roles: dict, role_arns: list[str] | None) -> tuple:
    """``(selected role ARNs, "all" | "roles")``.

    Raises:
        PlanError: a role not in the snapshot, or nothing to change.
    """
    execution = [r["arn"] for r in before["roles"] if r.get("arn") and r.get("used_by")]
    if role_arns is None:
        selected = execution
        selection = "all"
    else:
        selected = []
        for arn in role_arns:
            if arn not in roles:
                raise PlanError(
                    f"role {arn!r} is not in the snapshot; give the ARN of an execution role "
                    "(arn:aws:iam::<account>:role/<name>)"
                )
            if arn not in selected:
                selected.append(arn)
        selection = "roles"
    if not selected:
        raise PlanError(
            "the domain has no execution role to change (no default, space or user-profile "
            "role was read)"
        )
    return selected, selection


@dataclass
class _Change:
    """The policies a plan creates or updates and attaches, and the report after it."""

    iso_name: str
    iso_arn: str
    iso_doc: dict
    tag_name: str
    tag_arn: str
    tag_doc: dict
    iso_section: dict
    steps: list
    attach_iso: list
    tag_section: dict | None = None
    tag_need: list = field(default_factory=list)
    attach_tag: list = field(default_factory=list)
    after: dict = field(default_factory=dict)
    after_snapshot: dict = field(default_factory=dict)


def _change(
    snapshot, darn, variant, pstate, selected, roles, analyses, iso_doc: dict
) -> _Change:
    """The isolation policy ``iso_doc`` (and, where the roles then need it, the tag-on-create
    policy) to put in place, with the report of the domain after the change."""
    iso_name = templates.policy_name(darn.domain_id)
    iso_arn = templates.policy_arn(darn.account, darn.domain_id, darn.partition)
    tag_name = tag_on_create_policy_name(darn.domain_id)
    tag_arn = f"arn:{darn.partition}:iam::{darn.account}:policy/{tag_name}"
    tag_doc = tag_on_create_document(darn.arn)

    iso_section, iso_steps = _policy_step(
        iso_arn,
        iso_name,
        iso_doc,
        pstate.get(iso_arn) or {},
        f"SageMaker domain {darn.domain_id} resource isolation ({variant} variant)",
    )
    attach_iso = [a for a in selected if iso_arn not in (roles[a].get("attached_policies") or ())]
    ch = _Change(iso_name, iso_arn, iso_doc, tag_name, tag_arn, tag_doc, iso_section,
                 list(iso_steps), attach_iso)

    def after(with_tag: bool) -> dict:
        # The snapshot once the change is made (the tag-on-create policy too when with_tag).
        ch.after_snapshot = _after_snapshot(
            snapshot,
            {"arn": iso_arn, "name": iso_name},
            iso_doc,
            {"arn": tag_arn, "name": tag_name},
            tag_doc if with_tag else None,
            set(attach_iso),
            set(ch.attach_tag) if with_tag else set(),
        )
        return analyses(ch.after_snapshot)

    # First pass: the isolation policy in place; which selected roles then lack tag-on-create?
    mid = after(False)
    ch.tag_need = [a for a in selected if a in _tag_blocked(mid)]
    ch.attach_tag = [
        a for a in ch.tag_need if tag_arn not in (roles[a].get("attached_policies") or ())
    ]
    ch.after = mid
    if ch.tag_need:
        ch.tag_section, tag_steps = _policy_step(
            tag_arn,
            tag_name,
            tag_doc,
            pstate.get(tag_arn) or {},
            f"Studio tag-on-create for SageMaker domain {darn.domain_id}",
        )
        ch.tag_section["needed_by"] = ch.tag_need
        ch.steps = ch.steps + tag_steps
        ch.after = after(True)
    for arn in selected:
        rname = roles[arn].get("name") or arn.rsplit("/", 1)[-1]
        if arn in attach_iso:
            ch.steps.append(
                {
                    "op": "attach-role-policy",
                    "role_arn": arn,
                    "role_name": rname,
                    "policy_arn": iso_arn,
                }
            )
        if arn in ch.attach_tag:
            ch.steps.append(
                {
                    "op": "attach-role-policy",
                    "role_arn": arn,
                    "role_name": rname,
                    "policy_arn": tag_arn,
                }
            )
    for i, st in enumerate(ch.steps):
        st["index"] = i
    return ch


def _recommendation(rb: dict, ra: dict, arn: str, variant: str, before: dict,
                    ch: _Change) -> dict:
    """What to do about a selected role the change leaves not isolated."""
    culprits = _cross_domain_policies(ra, {ch.iso_name, ch.tag_name})
    rec = {"role": arn, "role_name": rb.get("name"), "policies": culprits}
    if variant == "allow":
        deny_after = _template_after(before, "deny", arn)
        rec.update(
            {
                "id": "use-deny-variant-or-detach",
                "text": f"The allow variant leaves {rb.get('name')} not isolated: "
                + (", ".join(culprits) if culprits else "another policy")
                + " still allows actions on other domains' resources. Use --variant deny"
                + (f" (the deny variant gives {deny_after})" if deny_after else "")
                + (", or detach " + ", ".join(culprits) if culprits else "")
                + ".",
                "deny_variant_verdict": deny_after,
            }
        )
    else:
        rec.update(
            {
                "id": "detach-policy",
                "text": f"{rb.get('name')} stays not isolated even with the deny variant; "
                + ("detach " + ", ".join(culprits) if culprits else "review its policies")
                + ".",
            }
        )
    return rec


def _role_rows(before: dict, roles: dict, selected: list, ch: _Change, variant: str,
               quota: int, quota_source: str, out: dict) -> list[dict]:
    """One row per role of the report; quota checks, warnings and recommendations of the
    selected roles are appended to ``out["checks"]``, ``out["warnings"]`` and
    ``out["recommendations"]``."""
    a_roles = _role_by_arn(ch.after)
    attached_elsewhere = set(ch.iso_section.get("attached_roles") or ())
    quota_note = (
        "iam:GetAccountSummary"
        if quota_source != "default"
        else "IAM default; the account quota could not be read"
    )
    role_rows = []
    for rb in before["roles"]:
        arn = rb.get("arn")
        if not arn or arn not in roles:
            continue
        ra = a_roles.get(arn, rb)
        is_sel = arn in selected
        affected = is_sel or (
            ch.iso_section["action"] == "new-version"
            and (
                ch.iso_arn in (roles.get(arn, {}).get("attached_policies") or ())
                or arn in attached_elsewhere
            )
        )
        attach = ([ch.iso_arn] if arn in ch.attach_iso else []) + (
            [ch.tag_arn] if arn in ch.attach_tag else []
        )
        n_after = len(roles.get(arn, {}).get("attached_policies") or ()) + len(attach)
        row = {
            "arn": arn,
            "name": rb.get("name"),
            "used_by": rb.get("used_by") or [],
            "selected": is_sel,
            "affected": affected,
            "verdict_before": rb.get("verdict"),
            "verdict_after": ra.get("verdict") if affected else rb.get("verdict"),
            "verdict_after_reason": ra.get("verdict_reason")
            if affected
            else rb.get("verdict_reason"),
            "attach": attach,
            "attached_after": n_after,
            "quota": quota,
            "needs_tag_on_create": arn in ch.tag_need,
            "create_rights_before": (rb.get("counts") or {}).get("create_rights"),
            "create_rights_after": (ra.get("counts") or {}).get("create_rights"),
            "flows_breaking": FL.newly_broken(rb.get("flows") or [], ra.get("flows") or [])
            if affected
            else [],
        }
        role_rows.append(row)
        if is_sel and attach:
            out["checks"].append(
                {
                    "id": "quota",
                    "role": arn,
                    "ok": n_after <= quota,
                    "detail": f"{rb.get('name')}: {n_after} managed policies attached after the "
                    f"change, quota {quota} ({quota_note})",
                }
            )
        if is_sel and roles.get(arn, {}).get("complete") is not True:
            out["warnings"].append(
                f"role {rb.get('name')} could not be fully read: its attachments and "
                "verdicts are uncertain (after-verdict stays unknown)"
            )
        if is_sel and row["verdict_after"] == "not_isolated":
            out["recommendations"].append(_recommendation(rb, ra, arn, variant, before, ch))
        if (
            is_sel
            and isinstance(row["create_rights_before"], int)
            and isinstance(row["create_rights_after"], int)
            and row["create_rights_after"] < row["create_rights_before"]
        ):
            out["warnings"].append(
                f"{rb.get('name')} loses "
                f"{row['create_rights_before'] - row['create_rights_after']} "
                "SageMaker create rights with this change (the new document replaces "
                "the current one)"
            )
    return role_rows


def _access_analyzer_checks(access_analyzer: dict | None, names: list[str]) -> list[dict]:
    """One ``access-analyzer`` check per policy name (``ok`` None when it was not run)."""
    aa = access_analyzer or {}
    checks = []
    for pname in names:
        res = aa.get(pname)
        if not res or res.get("status") == "not-run":
            checks.append(
                {
                    "id": "access-analyzer",
                    "policy": pname,
                    "ok": None,
                    "detail": "IAM Access Analyzer ValidatePolicy was not run: "
                    + ((res or {}).get("detail") or "not requested"),
                }
            )
            continue
        errs = [f for f in res.get("findings") or () if f.get("findingType") == "ERROR"]
        checks.append(
            {
                "id": "access-analyzer",
                "policy": pname,
                "ok": not errs,
                "detail": "ValidatePolicy: "
                + (
                    "no findings"
                    if not res.get("findings")
                    else "; ".join(
                        f"{f.get('findingType')} {f.get('issueCode')}" for f in res["findings"]
                    )
                ),
                "findings": res.get("findings") or [],
            }
        )
    return checks


def _current_policy_notes(ch: _Change, before: dict, out: dict) -> None:
    """Checks and warnings about the isolation policy as it is now (appended to ``out``)."""
    iso_section, iso_name = ch.iso_section, ch.iso_name
    if iso_section["action"] == "unknown":
        out["checks"].append(
            {
                "id": "current-policy",
                "ok": False,
                "detail": f"{iso_name} exists but its current document could not be read: "
                "cannot tell whether a new version is needed",
            }
        )
    if iso_section["action"] == "new-version" and iso_section.get("attached_roles") is None:
        out["warnings"].append(
            f"the roles attaching {iso_name} could not be listed (iam:ListEntitiesForPolicy): "
            "the new default version may also change roles not shown here"
        )
    attached_elsewhere = set(iso_section.get("attached_roles") or ())
    others = sorted(attached_elsewhere - set(_role_by_arn(before)))
    if iso_section["action"] == "new-version" and others:
        out["warnings"].append(
            "the new default version also applies to roles not in this plan: " + ", ".join(others)
        )


def plan_experience(snapshot: dict, experience: str | None = None) -> tuple[str, str]:
    """The template profile a plan uses: ``experience`` when given, else the domain's.

    The domain's experience (:func:`.experience.experience_for` on its ``DefaultUserSettings``
    and its profiles') maps to ``classic`` only when every use is Studio Classic; ``studio``,
    ``both`` and ``unknown`` take the ``studio`` profile, whose templates hold the ``classic``
    ones' statements plus what the new Studio needs.

    Returns:
        ``(profile, source)`` with source ``"option"`` or ``"domain"``.

    Raises:
        PlanError: ``experience`` is not ``classic`` or ``studio``.
    """
    if experience is not None:
        if experience not in templates.PROFILES:
            raise PlanError(
                f"experience must be one of {', '.join(templates.PROFILES)}, got {experience!r}"
            )
        return experience, "option"
    exps = X.snapshot_experiences(snapshot)
    every = [exps["domain"]] + [v["experience"] for v in exps["profiles"].values()]
    return ("classic" if X.combine(every) == "classic" else "studio"), "domain"


def unconfirmed_breaks(plan: dict, allow_break=()) -> list[dict]:
    """The flows a plan would take away that nobody confirmed.

    Args:
        plan: a plan (``build_plan`` / ``load_plan``).
        allow_break: flow ids confirmed now (``apply --allow-break``, the server body's
            ``allow_break``), in addition to the plan's own ``allow_break``.

    Returns:
        ``[{"role", "role_name", "id", "title", "status_after", "breaks", "depends_on"}]``,
        empty when every flow that works now and would not is confirmed (or none would break).
    """
    ok = set(plan.get("allow_break") or ()) | set(allow_break or ())
    out = []
    for row in plan.get("flows_breaking") or ():
        for f in row.get("flows") or ():
            if f.get("id") not in ok:
                extra = {"domain": row["domain"]} if row.get("domain") else {}
                out.append(
                    {"role": row.get("role"), "role_name": row.get("role_name"), **extra, **f}
                )
    return out


def _render_iso(darn, variant: str, profile: str, private_spaces: bool) -> dict:
    """The isolation policy document of the plan.

    Raises:
        PlanError: the template cannot be rendered (``allow`` with ``private_spaces``).
    """
    try:
        return templates.render(darn.arn, variant, profile, private_spaces)
    except ValueError as exc:
        raise PlanError(str(exc)) from None


def _studio_plan_fields(role_rows, profile, source, private_spaces, confirmed, elsewhere) -> dict:
    """The plan's ``experience``, ``experience_source``, ``private_spaces``,
    ``flows_breaking`` (this domain's rows, then ``elsewhere``: other domains' rows, see
    :func:`_other_domain_breaks`) and ``allow_break``."""
    return {
        "experience": profile,
        "experience_source": source,
        "private_spaces": bool(private_spaces),
        "flows_breaking": [
            {"role": r["arn"], "role_name": r["name"], "flows": r["flows_breaking"]}
            for r in role_rows
            if r["flows_breaking"]
        ]
        + list(elsewhere),
        "allow_break": confirmed,
    }


def _other_domain_uses(snapshot: dict, darn, other_domains) -> list[dict]:
    """``[{"dom": DomainArn, "name", "roles": {role arn: {"users": [...], "experiences":
    [...]}}}]``: the other domains the plan knows, and which of their uses name each role.

    ``other_domains`` (``aws.apply.read_other_domains``: ``[{"arn", "name", "uses": [{"role",
    "user" (None for a domain's default roles), "experience"}]}]``) when given; else the
    snapshot's ``account_domains`` (default roles only, experience unknown: both profiles).
    """
    src = other_domains
    if src is None:
        src = [
            {
                "arn": d.get("arn"),
                "name": d.get("name"),
                "uses": [
                    {"role": r, "user": None, "experience": "unknown"}
                    for r in d.get("execution_roles") or ()
                    if isinstance(r, str)
                ],
            }
            for d in snapshot.get("account_domains") or ()
            if isinstance(d, dict)
        ]
    out = []
    for d in src:
        try:
            odom = templates.parse_domain_arn(d.get("arn") or "")
        except (ValueError, TypeError):
            continue
        if odom.arn == darn.arn:
            continue
        roles: dict = {}
        for u in d.get("uses") or ():
            if not isinstance(u, dict) or not isinstance(u.get("role"), str):
                continue
            r = roles.setdefault(u["role"], {"users": [], "experiences": []})
            r["users"].append(u.get("user"))
            r["experiences"].append(u.get("experience") or "unknown")
        if roles:
            out.append({"dom": odom, "name": d.get("name"), "roles": roles})
    return out


def _other_domain_breaks(snapshot, after_snapshot, role_rows, darn, other_domains, catalog) -> list:
    """``flows_breaking`` rows for the other domains that use an affected role: the role's
    flows judged with that domain as "this domain" (its ARN, experience and user) before and
    after the change (``{"role", "role_name", "domain", "domain_name", "flows"}``)."""
    affected = {r["arn"]: r for r in role_rows if r["affected"]}
    uses = _other_domain_uses(snapshot, darn, other_domains)
    if not affected or not any(set(u["roles"]) & set(affected) for u in uses):
        return []
    before = {ri.arn: ri for ri in _role_inputs(snapshot) if ri.arn}
    after = {ri.arn: ri for ri in _role_inputs(after_snapshot) if ri.arn}
    out = []
    for other in uses:
        for arn, use in other["roles"].items():
            if arn not in affected or arn not in before or arn not in after:
                continue
            users = use["users"]
            user = users[0] if len(users) == 1 and users[0] else None
            profiles = X.profiles_for(X.combine(use["experiences"]))
            flows = []
            for ri in (before[arn], after[arn]):
                ri = dataclasses.replace(ri, user_profile_name=user)
                flows.append(_role_flows(ri, _policy_set(ri), other["dom"], profiles, catalog))
            broken = FL.newly_broken(*flows)
            if broken:
                out.append(
                    {
                        "role": arn,
                        "role_name": affected[arn]["name"],
                        "domain": other["dom"].arn,
                        "domain_name": other["name"],
                        "flows": broken,
                    }
                )
    return out


def _check_flow_ids(ids) -> list[str]:
    known = set(FL.flow_ids())
    ids = sorted({str(i).strip() for i in ids or () if str(i).strip()})
    bad = [i for i in ids if i not in known]
    if bad:
        raise PlanError(
            f"unknown flow id(s) {', '.join(bad)}; known: {', '.join(sorted(known))}"
        )
    return ids


def _plan_domain(snapshot: dict, variant: str, iam_state: Any) -> tuple[dict, Any]:
    """The snapshot's domain object and parsed ARN; ``PlanError`` for a bad variant, an
    ``iam_state`` that is not an object or a domain without a usable ARN."""
    if variant not in templates.VARIANTS:
        raise PlanError(f"variant must be one of {', '.join(templates.VARIANTS)}, got {variant!r}")
    if not isinstance(iam_state, dict):
        raise PlanError("iam_state must be an object")
    dom_obj = snapshot.get("domain") or {}
    try:
        return dom_obj, templates.parse_domain_arn(dom_obj.get("arn") or "")
    except ValueError as exc:
        raise PlanError(f"the snapshot's domain: {exc}") from None


def _attached_quota(iam_state: dict) -> tuple[int, str]:
    """The account's managed-policies-per-role quota and where it came from (IAM quotas
    default when the state has no usable figure)."""
    quota = iam_state.get("attached_policies_quota")
    quota_source = iam_state.get("quota_source") or "default"
    if not isinstance(quota, int) or quota <= 0:
        return DEFAULT_ATTACHED_POLICIES_PER_ROLE, "default"
    return quota, quota_source


def _plan_header(darn, dom_obj: dict, before: dict, now) -> dict:
    """The plan's first fields: kind, schema, creation time, tool version, where it applies."""
    return {
        "kind": PLAN_KIND,
        "schema_version": PLAN_SCHEMA_VERSION,
        "created_at": (now or _dt.datetime.now(_dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tool_version": before.get("tool_version"),
        "account_id": darn.account,
        "partition": darn.partition,
        "region": darn.region,
        "domain": {"id": darn.domain_id, "arn": darn.arn, "name": dom_obj.get("name")},
    }


def build_plan(
    snapshot: dict,
    variant: str,
    iam_state: dict,
    *,
    role_arns: list[str] | None = None,
    access_analyzer: dict | None = None,
    catalog: Catalog | None = None,
    now: _dt.datetime | None = None,
    analyses: PlanAnalyses | None = None,
    experience: str | None = None,
    private_spaces: bool = False,
    allow_break=None,
    other_domains: list[dict] | None = None,
) -> dict:
    """Build the plan document for one domain.

    Args:
        snapshot: the Snapshot (validated; ``roles`` must hold every selected role).
        variant: ``"allow"`` or ``"deny"`` (``templates.VARIANTS``).
        iam_state: IAM facts not in the snapshot, read by ``aws.apply.read_iam_state``:
            ``{"policies": {policy_arn: {"exists": bool, "default_version_id": str|None,
            "document": dict|None, "versions": [{"version_id", "is_default", "create_date"}],
            "attached_roles": [role arn]|None}}, "attached_policies_quota": int|None,
            "quota_source": str}``. A policy ARN missing from it is taken as not existing.
        role_arns: the roles to change (None: every execution role of the domain in the
            snapshot). Each must be a key of ``snapshot["roles"]``.
        access_analyzer: ``{policy_name: {"status": "ok"|"findings"|"not-run", "findings":
            [...], "detail": str}}`` from IAM Access Analyzer ``ValidatePolicy`` (None: not run).
        catalog: the action catalog (default: loaded).
        now: the plan's ``created_at`` (default: UTC now).
        analyses: the :class:`PlanAnalyses` to use (``aws.apply.make_plan`` passes one holding
            the check service's report of ``snapshot``); default a new one. Each snapshot state
            (before, with the isolation policy, with tag-on-create too) is analysed once.

    Returns:
        the plan dict: ``kind``, ``schema_version``, ``created_at``, ``account_id``,
        ``partition``, ``region``, ``domain {id, arn, name}``, ``variant``, ``selection``
        (``"all"``|``"roles"``), ``policy`` / ``tag_on_create`` (sections: name, arn, document,
        exists, current_default_version, current_document, diff, action, attached_roles),
        ``roles`` (per role: arn, name, used_by, selected, affected, verdict_before,
        verdict_after, verdict_after_reason, attach (policy ARNs), attached_after, quota),
        ``steps`` (``op`` in create-policy | create-policy-version | attach-role-policy, each
        with ``index``), ``validation {ok, checks}``, ``recommendations``, ``warnings``,
        ``verdict_before``, ``verdict_after`` (of the selected roles), ``experience``
        (the template profile), ``experience_source`` (``option`` | ``domain``),
        ``private_spaces``, ``flows_breaking`` (``[{"role", "role_name", "flows": [{"id",
        "title", "status_after", "breaks", "depends_on"}]}]``: per affected role, the Studio
        flows that work now and would not after the change), ``allow_break`` (the flow ids
        confirmed when the plan was built), ``plan_hash``.

    Extra args:
        experience: ``"classic"`` | ``"studio"``, or None for the domain's
            (:func:`plan_experience`).
        private_spaces: render the template with the private-space guards.
        allow_break: flow ids confirmed to break (each must be a flow id of the table).
        other_domains: the other domains of the account that use roles of this one, with
            their profiles (``aws.apply.read_other_domains``); None: the snapshot's
            ``account_domains`` (their default roles). A role the change touches is judged
            with each of them too: its flows there that work now and would not are
            ``flows_breaking`` rows naming the ``domain`` (and ``domain_name``).

    Raises:
        PlanError: bad variant, experience or flow id, a selected role not in the snapshot, no
            domain ARN, a template that cannot be rendered (``allow`` with ``private_spaces``).
    """
    dom_obj, darn = _plan_domain(snapshot, variant, iam_state)
    analyses = analyses or PlanAnalyses(catalog, now)
    roles = snapshot.get("roles") or {}
    before = analyses(snapshot)
    selected, selection = _selected_roles(before, roles, role_arns)
    pstate = iam_state.get("policies") or {}
    profile, profile_source = plan_experience(snapshot, experience)
    confirmed = _check_flow_ids(allow_break)
    iso_doc = _render_iso(darn, variant, profile, private_spaces)
    ch = _change(snapshot, darn, variant, pstate, selected, roles, analyses, iso_doc)

    quota, quota_source = _attached_quota(iam_state)

    checks = validate_document(ch.iso_name, ch.iso_doc)
    if ch.tag_section:
        checks += validate_document(ch.tag_name, ch.tag_doc)
    out: dict = {"checks": checks, "warnings": [], "recommendations": []}
    role_rows = _role_rows(before, roles, selected, ch, variant, quota, quota_source, out)
    _current_policy_notes(ch, before, out)
    checks += _access_analyzer_checks(
        access_analyzer, [ch.iso_name] + ([ch.tag_name] if ch.tag_section else [])
    )
    ok = all(c["ok"] is not False for c in checks)
    sel_rows = [r for r in role_rows if r["selected"]]
    plan = {
        **_plan_header(darn, dom_obj, before, now),
        "variant": variant,
        "selection": selection,
        "policy": ch.iso_section,
        "tag_on_create": ch.tag_section,
        "roles": role_rows,
        "steps": ch.steps,
        "validation": {"ok": ok, "checks": checks},
        "recommendations": out["recommendations"],
        "warnings": out["warnings"],
        "verdict_before": aggregate_verdicts([r["verdict_before"] for r in sel_rows]),
        "verdict_after": aggregate_verdicts([r["verdict_after"] for r in sel_rows]),
        "domain_verdict_before": before.get("verdict"),
        "domain_verdict_after": ch.after.get("verdict") if selection == "all" else None,
        **_studio_plan_fields(
            role_rows,
            profile,
            profile_source,
            private_spaces,
            confirmed,
            _other_domain_breaks(
                snapshot, ch.after_snapshot, role_rows, darn, other_domains, catalog
            ),
        ),
    }
    plan["plan_hash"] = plan_hash(plan)
    return plan


def plan_hash(plan: dict) -> str:
    """sha256 (hex) of the plan's canonical JSON without its ``plan_hash`` field."""
    body = {k: v for k, v in plan.items() if k != "plan_hash"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


_STEP_OPS = {"create-policy", "create-policy-version", "attach-role-policy"}


def load_plan(obj: Any) -> dict:
    """Validate a plan document read back from a file or a request.

    Args:
        obj: the parsed JSON (dict) or its text.

    Returns:
        the plan dict.

    Raises:
        PlanError: not JSON, not a plan, an unknown step, or a ``plan_hash`` that does not match
            the content (the plan was edited after it was shown; build a new one).
    """
    if isinstance(obj, (str, bytes)):
        from ..iam.jsondepth import load_json_text

        try:
            obj = load_json_text(obj, "the plan")
        except ValueError as exc:
            raise PlanError(str(exc)) from None
    if not isinstance(obj, dict) or obj.get("kind") != PLAN_KIND:
        raise PlanError(f'not a sagemaker-isolation plan (expected "kind": "{PLAN_KIND}")')
    if obj.get("schema_version") != PLAN_SCHEMA_VERSION:
        raise PlanError(
            f"unsupported plan schema_version {obj.get('schema_version')!r} "
            f"(expected {PLAN_SCHEMA_VERSION})"
        )
    shapes = {
        "domain": (dict, "an object"),
        "account_id": (str, "a string"),
        "region": (str, "a string"),
        "variant": (str, "a string"),
        "policy": (dict, "an object"),
        "roles": (list, "a list"),
        "steps": (list, "a list"),
        "validation": (dict, "an object"),
    }
    for key, (typ, what) in shapes.items():
        if not isinstance(obj.get(key), typ):
            raise PlanError(f"plan field {key}: expected {what}")
    if not isinstance(obj["domain"].get("id"), str) or not isinstance(
        obj["validation"].get("ok"), bool
    ):
        raise PlanError("plan fields domain.id (string) and validation.ok (boolean) are required")
    steps = obj["steps"]
    for i, st in enumerate(steps):
        if not isinstance(st, dict) or st.get("op") not in _STEP_OPS:
            raise PlanError(
                f"plan step #{i}: unknown op {st.get('op') if isinstance(st, dict) else st!r}"
            )
    if obj.get("plan_hash") != plan_hash(obj):
        raise PlanError(
            "the plan's plan_hash does not match its content: it was changed after it "
            "was built. Build a new plan (apply without --plan) and review it."
        )
    return obj


# --------------------------------------------------------------------------------------------
# Text


def _step_text(st: dict) -> str:
    op = st["op"]
    if op == "create-policy":
        return f"create managed policy {st['policy_name']}"
    if op == "create-policy-version":
        extra = (
            f" (first delete the oldest non-default version {st['delete_version']}, "
            "saving its document in the change record)"
            if st.get("delete_version")
            else ""
        )
        return f"new default version of {st['policy_name']}{extra}"
    return f"attach {st['policy_arn'].rsplit('/', 1)[-1]} to role {st['role_name']}"


def render_plan_text(plan: dict) -> str:
    """A human-readable summary of a plan (the CLI's ``apply`` text output).

    Returns:
        text ending with a newline.
    """
    d = plan["domain"]
    lines = [
        f"Plan for domain {d['id']} ({d.get('name') or '-'}), variant {plan['variant']}"
        + (
            f", experience {plan['experience']} ({plan.get('experience_source')})"
            if plan.get("experience")
            else ""
        )
        + (" with private-space guards" if plan.get("private_spaces") else ""),
        f"  policy {plan['policy']['name']}: {plan['policy']['action']}",
    ]
    if plan.get("tag_on_create"):
        lines.append(f"  policy {plan['tag_on_create']['name']}: {plan['tag_on_create']['action']}")
    lines.append("Roles (verdict before -> after):")
    for r in plan["roles"]:
        mark = "*" if r["selected"] else (" ~" if r["affected"] else " ")
        lines.append(
            f" {mark} {r['name']}: {r['verdict_before']} -> {r['verdict_after']}"
            f"  [{', '.join(r['used_by'])}]"
        )
    lines.append("Steps:" if plan["steps"] else "Steps: none (already applied)")
    for st in plan["steps"]:
        lines.append(f"  {st['index'] + 1}. {_step_text(st)}")
    lines.append("Validation: " + ("ok" if plan["validation"]["ok"] else "FAILED"))
    for c in plan["validation"]["checks"]:
        flag = {True: "ok", False: "FAIL", None: "n/a"}[c["ok"]]
        lines.append(f"  [{flag}] {c['id']}: {c['detail']}")
    for rec in plan["recommendations"]:
        lines.append(f"Recommendation: {rec['text']}")
    for w in plan["warnings"]:
        lines.append(f"Warning: {w}")
    if plan["policy"].get("diff"):
        lines.append("Policy diff:")
        lines.extend("  " + ln for ln in plan["policy"]["diff"])
    pending = unconfirmed_breaks(plan)
    if plan.get("flows_breaking"):
        lines.append("Studio flows that work now and would not after this change:")
        for row in plan["flows_breaking"]:
            for f in row["flows"]:
                confirmed = f["id"] in (plan.get("allow_break") or ())
                mark = "confirmed" if confirmed else "NOT confirmed"
                where = (
                    f" in domain {row.get('domain_name') or '-'} ({row['domain']})"
                    if row.get("domain")
                    else ""
                )
                lines.append(
                    f"  {row['role_name']}{where}: {f['id']} -> {f['status_after']} ({mark}): "
                    f"{FL.problem_text(f)}"
                )
        if pending:
            ids = ",".join(sorted({f["id"] for f in pending}))
            lines.append(
                "Apply refuses this plan (exit 3) unless each flow is confirmed: "
                f"--allow-break {ids}"
            )
    lines.append(
        f"Verdict of the selected roles: {plan['verdict_before']} -> {plan['verdict_after']}"
    )
    lines.append(f"plan_hash {plan['plan_hash']}")
    return "\n".join(lines) + "\n"
