"""Apply and roll back isolation plans in IAM, with a change record for every run.

The IAM I/O of the admin issue. Calls (IAM API Reference unless noted):

- reading: ``GetPolicy``, ``GetPolicyVersion``, ``ListPolicyVersions``,
  ``ListEntitiesForPolicy`` (roles already attaching a policy), ``ListAttachedRolePolicies``,
  ``GetAccountSummary`` (``AttachedPoliciesPerRoleQuota``), ``sts:GetCallerIdentity`` (who),
  IAM Access Analyzer ``ValidatePolicy`` (``policyType=IDENTITY_POLICY``) when the caller may;
- writing: ``CreatePolicy``, ``CreatePolicyVersion`` (``SetAsDefault``), ``DeletePolicyVersion``,
  ``SetDefaultPolicyVersion``, ``AttachRolePolicy``, ``DetachRolePolicy``, ``DeletePolicy``.

Rules:

- Nothing is written unless :func:`apply_plan` / :func:`rollback_change` is called with
  ``dry_run=False`` (the CLI's ``--yes``, the server's confirmed apply).
- Steps run in the plan's order and stop at the first failure; the record says which were
  ``done``, ``skipped`` (already in place: re-applying changes nothing), ``failed`` or
  ``not-run``. A step whose precondition no longer holds (the policy was created or got a new
  default version since the plan) fails instead of guessing: build a new plan.
- Before any write the record holds ``previous_state``: for each policy of the plan whether it
  existed, its default version and every version's document; for each role its attached policies.
  When IAM's limit of 5 versions is reached, the oldest non-default version is deleted only
  after its document was written to the record (IAM User Guide, "Versioning IAM policies").
- :func:`rollback_change` restores ``previous_state``: detaches what the change attached, sets
  the previous default version back, deletes the versions the change created, re-creates a
  deleted version from its saved document (IAM gives it a new version id: recorded), deletes a
  policy the change created. It is itself recorded; a second rollback finds nothing to do.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.parsers import ResponseParserError

from ..audit import AuditStore
from ..sagemaker import policy_plan as P
from .collect import (
    Collector,
    describe_domain,
    parse_arn,
    read_policy,
    read_role,
    role_name,
)
from .errors import AwsUnreachable
from .paging import INCOMPLETE_CODE, ListingIncomplete, bounded_pages, client_fetch
from .session import client, make_session
from .target import AwsContext

__all__ = [
    "ApplyError",
    "IncompleteListingError",
    "apply_plan",
    "capture_state",
    "make_plan",
    "make_plans_all_domains",
    "read_iam_state",
    "rollback_change",
    "rollback_steps",
    "validate_with_access_analyzer",
    "who_am_i",
]

_CALL_ERRORS = (ClientError, BotoCoreError, ResponseParserError)
#: Failures of one read: a botocore error or a listing stopped by a paging bound.
_READ_ERRORS = (*_CALL_ERRORS, ListingIncomplete)
_NOT_FOUND = {"NoSuchEntity", "NoSuchEntityException"}

StepFn = Callable[[dict], None]


class ApplyError(ValueError):
    """A plan or change cannot be applied or rolled back as asked (not an AWS failure).

    E.g. the plan failed validation, the change record is a rollback, the account or the domain
    of the credentials differs from the plan's. The message says what to do.
    """


class FlowsWouldBreak(ApplyError):
    """The plan takes away Studio flows that work now and were not confirmed by id.

    ``flows`` holds ``policy_plan.unconfirmed_breaks(plan, allow_break)``: ``[{"role",
    "role_name", "id", "title", "status_after", "breaks", "depends_on"}]``. CLI exit 3, server
    409 with the flows. Confirm each with ``apply --allow-break FLOW[,FLOW]`` (or the server
    body's ``allow_break``); ``--yes`` alone does not.
    """

    def __init__(self, flows: list[dict]) -> None:
        self.flows = flows
        ids = ",".join(sorted({f["id"] for f in flows}))
        super().__init__(
            f"the plan would stop {len(flows)} Studio flow(s) that work now ({ids}); nothing "
            f"applied. Confirm each by id to apply anyway: --allow-break {ids}"
        )


class IncompleteListingError(RuntimeError):
    """A listing the plan depends on was stopped by a paging bound (``aws/paging.py``): no plan
    is built from it (CLI exit 2). ``errors`` holds the ``ListingIncomplete`` entries
    ``{"operation", "target", "code": "ListingIncomplete", "message", ...}``."""

    def __init__(self, errors: list[dict]) -> None:
        self.errors = errors
        first = errors[0] if errors else {}
        self.message = (
            f"a listing the plan needs is incomplete ({first.get('message', 'unknown')}); no plan "
            "is built from a partial listing. Retry later, or raise the bound with "
            "SAGEMAKER_ISOLATION_MAX_PAGES / SAGEMAKER_ISOLATION_MAX_LISTING_SECONDS."
        )
        super().__init__(self.message)


def _incomplete_entries(errors: list) -> list[dict]:
    """The ``ListingIncomplete`` entries of an errors list."""
    return [e for e in errors or () if isinstance(e, dict) and e.get("code") == INCOMPLETE_CODE]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _err(exc: Exception) -> dict:
    if isinstance(exc, ClientError):
        e = exc.response.get("Error") or {}
        return {
            "code": e.get("Code") or "ClientError",
            "message": str(e.get("Message") or exc)[:500],
        }
    return {"code": type(exc).__name__, "message": str(exc)[:500]}


def _doc(value: Any) -> dict | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            return json.loads(unquote(value))
        except ValueError:
            try:
                return json.loads(value)
            except ValueError:
                return None
    return None


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value) if value else None


def _guard(fn):
    """Run ``fn()``; turn missing credentials into AwsUnreachable."""
    try:
        return fn()
    except (NoCredentialsError, PartialCredentialsError) as e:
        raise AwsUnreachable(
            f"No AWS credentials found ({e}).", reason="no-credentials", code=type(e).__name__
        ) from None


# --------------------------------------------------------------------------------------------
# Reading


def _policy_state(iam, arn: str, with_documents: bool) -> dict:
    """``{"exists", "default_version_id", "document", "versions", "readable", "error"}``."""
    try:
        pol = _guard(lambda: iam.get_policy(PolicyArn=arn))["Policy"]
    except ClientError as exc:
        if _err(exc)["code"] in _NOT_FOUND:
            return {
                "exists": False,
                "default_version_id": None,
                "document": None,
                "versions": [],
                "readable": True,
            }
        return {
            "exists": None,
            "readable": False,
            "error": _err(exc),
            "versions": [],
            "default_version_id": None,
            "document": None,
        }
    default = pol.get("DefaultVersionId")
    versions = []
    for page in bounded_pages(client_fetch(iam, "list_policy_versions", "Marker", PolicyArn=arn),
                              operation="iam:ListPolicyVersions", token_key="Marker",
                              items_key="Versions"):
        for v in page.get("Versions") or ():
            versions.append(
                {
                    "version_id": v.get("VersionId"),
                    "is_default": bool(v.get("IsDefaultVersion")),
                    "create_date": _iso(v.get("CreateDate")),
                }
            )
    docs: dict[str, dict | None] = {}
    for v in versions:
        if with_documents or v["version_id"] == default:
            pv = iam.get_policy_version(PolicyArn=arn, VersionId=v["version_id"])["PolicyVersion"]
            docs[v["version_id"]] = _doc(pv.get("Document"))
            if with_documents:
                v["document"] = docs[v["version_id"]]
    return {
        "exists": True,
        "default_version_id": default,
        "document": docs.get(default),
        "versions": versions,
        "readable": True,
    }


def _attached_roles(iam, arn: str) -> list[str]:
    roles: list[str] = []
    fetch = client_fetch(iam, "list_entities_for_policy", "Marker", PolicyArn=arn,
                         EntityFilter="Role")
    for page in bounded_pages(fetch, operation="iam:ListEntitiesForPolicy", token_key="Marker",
                              items_key="PolicyRoles"):
        for r in page.get("PolicyRoles") or ():
            roles.append(r.get("RoleName"))
    return roles


def _role_attachments(iam, role_arn: str) -> list[str]:
    name = role_name(role_arn)
    out: list[str] = []
    fetch = client_fetch(iam, "list_attached_role_policies", "Marker", RoleName=name)
    for page in bounded_pages(fetch, operation="iam:ListAttachedRolePolicies", token_key="Marker",
                              items_key="AttachedPolicies"):
        out.extend(p["PolicyArn"] for p in page.get("AttachedPolicies") or ())
    return out


def read_iam_state(iam, policy_arns: list[str], account: str, partition: str = "aws") -> dict:
    """The IAM facts a plan needs beyond the snapshot (``plan.build_plan``'s ``iam_state``).

    Args:
        iam: a boto3 IAM client.
        policy_arns: the managed policies the plan may create or change.
        account, partition: the account's (for messages; ``ListEntitiesForPolicy`` gives role
            names, kept as ``attached_role_names``; :func:`make_plan` turns them into ARNs).

    Returns:
        ``{"policies": {arn: {...}}, "attached_policies_quota": int|None, "quota_source",
        "errors": [{operation, target, code, message}]}``. A policy that could not be read is
        absent from ``policies`` (and the plan then plans ``create``, whose apply fails safely
        with EntityAlreadyExists if it does exist) and has an ``errors`` entry.
    """
    errors: list[dict] = []
    policies: dict[str, dict] = {}
    for arn in policy_arns:
        try:
            st = _policy_state(iam, arn, with_documents=False)
        except ListingIncomplete as exc:
            errors.append({"operation": exc.operation, "target": arn, "code": exc.code,
                           "message": exc.message})
            continue
        except _CALL_ERRORS as exc:
            errors.append({"operation": "iam:GetPolicy", "target": arn, **_err(exc)})
            continue
        if not st.get("readable"):
            errors.append({"operation": "iam:GetPolicy", "target": arn, **st["error"]})
            continue
        if st["exists"]:
            try:
                names = _attached_roles(iam, arn)
                st["attached_role_names"] = names
                st["attached_roles"] = None  # filled by make_plan from the snapshot's ARNs
            except ListingIncomplete as exc:
                errors.append({"operation": exc.operation, "target": arn, "code": exc.code,
                               "message": exc.message})
                st["attached_role_names"] = None
            except _CALL_ERRORS as exc:
                errors.append(
                    {"operation": "iam:ListEntitiesForPolicy", "target": arn, **_err(exc)}
                )
                st["attached_role_names"] = None
        policies[arn] = st
    quota, source = None, "default"
    try:
        summary = _guard(iam.get_account_summary).get("SummaryMap") or {}
        if isinstance(summary.get("AttachedPoliciesPerRoleQuota"), int):
            quota, source = summary["AttachedPoliciesPerRoleQuota"], "iam:GetAccountSummary"
    except _CALL_ERRORS as exc:
        errors.append({"operation": "iam:GetAccountSummary", "target": None, **_err(exc)})
    return {
        "policies": policies,
        "attached_policies_quota": quota,
        "quota_source": source,
        "errors": errors,
    }


def validate_with_access_analyzer(
    session: boto3.Session | None,
    endpoint_url: str | None,
    documents: dict[str, dict],
    *,
    aa_client=None,
) -> dict:
    """Run IAM Access Analyzer ``ValidatePolicy`` on each document, when the caller may.

    Args:
        session: boto3 Session.
        endpoint_url: explicit endpoint (a local moto server) or None.
        documents: ``{policy name: document}``.
        aa_client: an ``accessanalyzer`` client to use (tests pass a stubbed one).

    Returns:
        ``{name: {"status": "ok"|"findings"|"not-run", "findings": [{findingType, issueCode,
        findingDetails}], "detail"}}``. ``not-run`` says why (access denied, not available at
        this endpoint, ...); it never raises for an AWS error.
    """
    out: dict[str, dict] = {}
    try:
        aa = aa_client or client(
            session, "accessanalyzer", endpoint_url, max_attempts=2, read_timeout=10
        )
    except Exception as exc:  # no such service model: say so
        return {
            n: {
                "status": "not-run",
                "findings": [],
                "detail": f"Access Analyzer client unavailable ({exc})",
            }
            for n in documents
        }
    for name, doc in documents.items():
        try:
            findings: list[dict] = []
            fetch = client_fetch(aa, "validate_policy", "nextToken",
                                 policyDocument=json.dumps(doc), policyType="IDENTITY_POLICY")
            for page in bounded_pages(fetch, operation="access-analyzer:ValidatePolicy",
                                      token_key="nextToken"):
                for f in page.get("findings") or ():
                    findings.append(
                        {
                            k: f.get(k)
                            for k in ("findingType", "issueCode", "findingDetails", "learnMoreLink")
                        }
                    )
            out[name] = {
                "status": "findings" if findings else "ok",
                "findings": findings,
                "detail": f"{len(findings)} finding(s)",
            }
        except (NoCredentialsError, PartialCredentialsError) as exc:
            out[name] = {"status": "not-run", "findings": [], "detail": f"no credentials ({exc})"}
        except _READ_ERRORS as exc:
            e = _err(exc)
            msg = e["message"].strip()
            if msg.startswith("<") or isinstance(exc, ResponseParserError):
                msg = "the endpoint does not implement it (non-AWS error page)"
            detail = (
                f"could not call access-analyzer:ValidatePolicy ({e['code']}: "
                f"{msg.splitlines()[0][:200] if msg else 'no message'})"
            )
            # Same caller, same endpoint: the other documents would fail the same way.
            for rest in documents:
                out.setdefault(rest, {"status": "not-run", "findings": [], "detail": detail})
            break
    return out


def who_am_i(
    session: boto3.Session, endpoint_url: str | None, via: str, user: str | None = None
) -> dict:
    """``{"user", "principal_arn", "via"}`` for the change record.

    ``user`` defaults to the OS user (``getpass.getuser()``); ``principal_arn`` comes from
    ``sts:GetCallerIdentity`` (None when it could not be read).
    """
    if user is None:
        try:
            user = getpass.getuser()
        except Exception:  # no login name in some containers
            user = None
    arn = None
    try:
        arn = client(session, "sts", endpoint_url, max_attempts=2).get_caller_identity().get("Arn")
    except (*_CALL_ERRORS, NoCredentialsError, PartialCredentialsError):
        arn = None
    return {"user": user, "principal_arn": arn, "via": via}


# --------------------------------------------------------------------------------------------
# Plans


class RolesCollector:
    """A collector (``check.LiveSource``'s) of the domain and only ``role_arns`` (no
    user-profile listing): ``collect(ctx, progress) -> Snapshot``."""

    def __init__(self, session: boto3.Session, role_arns: list[str]) -> None:
        self.session, self.role_arns = session, list(role_arns)

    def collect(self, ctx: AwsContext, progress: Callable | None = None) -> dict:
        """The Snapshot of the domain and the roles (raises AwsUnreachable)."""
        return _snapshot_for_roles(ctx, self.session, self.role_arns)


def _snapshot_for_roles(ctx: AwsContext, session: boto3.Session, role_arns: list[str]) -> dict:
    """A Snapshot of the domain and only ``role_arns`` (no user-profile listing)."""
    from ..sagemaker.snapshot import load_snapshot

    col = Collector(ctx, session, None, 5, 5, 20)
    d = describe_domain(col)
    darn = d.get("DomainArn") or ""
    parsed = parse_arn(darn) or {}
    us, ss = d.get("DefaultUserSettings") or {}, d.get("DefaultSpaceSettings") or {}
    roles = {arn: read_role(col, arn) for arn in role_arns}
    policies: dict[str, dict] = {}
    for arn, role in roles.items():
        for parn in role["attached_policies"] + (
            [role["permissions_boundary"]] if role["permissions_boundary"] else []
        ):
            if parn in policies:
                continue
            pol = read_policy(col, parn)
            if pol is None:
                role["complete"] = False
                col.record(
                    "iam:GetPolicyVersion",
                    arn,
                    "Unknown",
                    f"policy {parn} could not be read",
                    policy=parn,
                )
            else:
                policies[parn] = pol
    snap = {
        "schema_version": 1,
        "source": "live",
        "collected_at": _now(),
        "partition": parsed.get("partition") or "aws",
        "region": parsed.get("region") or ctx.region,
        "account_id": parsed.get("account"),
        "context": {"source": ctx.source, "detail": ctx.detail},
        "domain": {
            "id": d.get("DomainId") or ctx.domain_id,
            "arn": darn,
            "name": d.get("DomainName"),
            "default_user_execution_role": us.get("ExecutionRole") or None,
            "default_space_execution_role": ss.get("ExecutionRole") or None,
            "studio_web_portal": us.get("StudioWebPortal") or None,
            "default_landing_uri": us.get("DefaultLandingUri") or None,
        },
        "user_profiles": [],
        "roles": roles,
        "policies": policies,
        "errors": col.errors,
    }
    return load_snapshot(snap)


#: At most this many user profiles of other domains are described for the break gate.
MAX_OTHER_PROFILES = 500


def read_other_domains(sm, snapshot: dict, max_profiles: int = MAX_OTHER_PROFILES) -> tuple:
    """Who uses which role in the account's other domains, for the plan's break gate.

    For each other domain of ``snapshot["account_domains"]`` (collected with
    ListDomains/DescribeDomain): ``sagemaker:DescribeDomain`` (its ``DefaultUserSettings``, for
    the experience), ``sagemaker:ListUserProfiles`` (``DomainIdEquals``, bounded pages) and
    ``sagemaker:DescribeUserProfile`` for each profile (at most ``max_profiles`` in all), whose
    ``UserSettings.ExecutionRole`` names its role (a profile without one uses the domain's
    default role).

    Args:
        sm: a boto3 SageMaker client.
        snapshot: the plan's Snapshot.
        max_profiles: bound on DescribeUserProfile calls (count).

    Returns:
        ``(domains, warnings)``: ``domains`` as ``policy_plan.build_plan``'s ``other_domains``
        (``[{"arn", "name", "uses": [{"role", "user", "experience"}]}]``); ``warnings``: one
        sentence per read that failed or was cut (that domain is then judged with what was
        read: its default roles at least).
    """
    from ..sagemaker import experience as X

    own = (snapshot.get("domain") or {}).get("arn")
    out, warnings = [], []
    budget = max_profiles
    for d in snapshot.get("account_domains") or ():
        if not isinstance(d, dict) or not d.get("arn") or d.get("arn") == own:
            continue
        arn, name = d["arn"], d.get("name")
        did = arn.rsplit("/", 1)[-1]
        label = f"{name or did} ({did})"
        default_settings = None
        try:
            desc = _guard(lambda did=did: sm.describe_domain(DomainId=did))
            default_settings = desc.get("DefaultUserSettings") or {}
        except _CALL_ERRORS as exc:
            warnings.append(
                f"domain {label} could not be described ({_err(exc)['code']}): its Studio flows "
                "are judged with both experiences"
            )
        d_exp = (
            X.experience_for(default_settings, None) if default_settings is not None else "unknown"
        )
        uses = [
            {"role": r, "user": None, "experience": d_exp}
            for r in d.get("execution_roles") or ()
            if isinstance(r, str)
        ]
        try:
            names = []
            pages = bounded_pages(
                client_fetch(sm, "list_user_profiles", "NextToken", DomainIdEquals=did),
                operation="sagemaker:ListUserProfiles",
                items_key="UserProfiles",
            )
            for page in _guard(lambda pages=pages: list(pages)):
                names.extend(
                    p["UserProfileName"]
                    for p in page.get("UserProfiles") or ()
                    if p.get("UserProfileName")
                )
        except _READ_ERRORS as exc:
            code = exc.code if isinstance(exc, ListingIncomplete) else _err(exc)["code"]
            warnings.append(
                f"the user profiles of domain {label} could not all be listed ({code}): Studio "
                "flows there are judged for the profiles read and the domain's default roles only"
            )
        for upn in names:
            if budget <= 0:
                warnings.append(
                    f"more than {max_profiles} user profiles in other domains: the rest of "
                    f"domain {label} is not judged"
                )
                break
            budget -= 1
            try:
                up = _guard(
                    lambda upn=upn, did=did: sm.describe_user_profile(
                        DomainId=did, UserProfileName=upn
                    )
                )
            except _CALL_ERRORS as exc:
                warnings.append(
                    f"user profile {upn} of domain {label} could not be described "
                    f"({_err(exc)['code']}): its Studio flows are not judged"
                )
                continue
            settings = up.get("UserSettings") or {}
            role = settings.get("ExecutionRole")
            exp = (
                X.experience_for(default_settings, settings)
                if default_settings is not None
                else "unknown"
            )
            if role:
                uses.append({"role": role, "user": upn, "experience": exp})
        out.append({"arn": arn, "name": name, "uses": uses})
    return out, warnings


def _check_plan_input(variant: str, role_arns: list[str] | None) -> None:
    """Raise ``plan.PlanError`` for an unknown variant or a string that is not an IAM role ARN."""
    from ..sagemaker import templates

    if variant not in templates.VARIANTS:
        raise P.PlanError(
            f"variant must be one of {', '.join(templates.VARIANTS)}, got {variant!r}"
        )
    for arn in role_arns or ():
        if role_name(arn) is None:
            raise P.PlanError(
                f"not an IAM role ARN: {arn!r} (expected arn:aws:iam::<account>:role/<name>)"
            )


def _plan_iam_state(iam, snapshot: dict, darn, policy_arns: list[str]) -> dict:
    """``read_iam_state`` of the plan's policies, their attached roles named by ARN (the
    snapshot's ARN for a role it holds, else one built from the name)."""
    state = read_iam_state(iam, policy_arns, darn.account, darn.partition)
    by_name = {(r.get("name") or ""): arn for arn, r in (snapshot.get("roles") or {}).items()}
    for st in state["policies"].values():
        names = st.get("attached_role_names")
        if names is not None:
            st["attached_roles"] = [
                by_name.get(n) or f"arn:{darn.partition}:iam::{darn.account}:role/{n}"
                for n in names
            ]
    return state


def make_plan(
    ctx: AwsContext,
    variant: str,
    role_arns: list[str] | None = None,
    *,
    session: boto3.Session | None = None,
    validate: bool = True,
    snapshot: dict | None = None,
    catalog=None,
    cache=None,
    experience: str | None = None,
    private_spaces: bool = False,
    allow_break=None,
) -> dict:
    """Read the domain and IAM, and build the plan (``sagemaker.policy_plan.build_plan``).

    The domain is read and its "before" report made by the check service
    (``check.snapshot_from`` / ``check.run_check``); the plan's other states are analysed once
    each, sharing that analysis' role results (``policy_plan.PlanAnalyses``).

    Args:
        ctx: the resolved context (domain id, Region, profile, endpoint).
        variant: ``"allow"`` | ``"deny"``.
        role_arns: only these roles (no user-profile listing); None: every execution role.
        session: boto3 Session (default ``make_session(ctx)``).
        validate: run IAM Access Analyzer ``ValidatePolicy`` (the result says when it could not).
        snapshot: an already collected Snapshot to use instead of reading the domain again.
        catalog: action catalog (default: loaded).
        cache: a ``check.ReportCache`` (the server's) to reuse the "before" analysis from.
        experience: the template profile (``classic`` | ``studio``); None: the domain's, as
            read (``policy_plan.plan_experience``).
        private_spaces: the template with the private-space guards.
        allow_break: flow ids confirmed to stop working (stored in the plan).

    Returns:
        the plan dict; ``plan["read_errors"]`` lists IAM reads that failed.

    Raises:
        AwsUnreachable: as ``collect_snapshot`` (domain not found, no credentials, ...).
        plan.PlanError: bad variant or role ARN.
        IncompleteListingError: a listing (user profiles, a role's policies, a policy's
            versions or attachments) was stopped by a paging bound; no plan is built.
    """
    from .. import check
    from ..sagemaker import templates

    _check_plan_input(variant, role_arns)

    session = session or make_session(ctx)
    if snapshot is None:
        collector = RolesCollector(session, list(role_arns)) if role_arns else None
        snapshot = check.snapshot_from(
            check.LiveSource(ctx, collector=collector, session=session)
        ).snapshot
    darn = templates.parse_domain_arn(snapshot["domain"]["arn"])
    iso = templates.policy_arn(darn.account, darn.domain_id, darn.partition)
    tag_name = P.tag_on_create_policy_name(darn.domain_id)
    tag = f"arn:{darn.partition}:iam::{darn.account}:policy/{tag_name}"
    state = _plan_iam_state(client(session, "iam", ctx.endpoint_url), snapshot, darn, [iso, tag])
    profile, _source = P.plan_experience(snapshot, experience)
    try:
        iso_doc = templates.render(darn.arn, variant, profile, private_spaces)
    except ValueError as exc:
        raise P.PlanError(str(exc)) from None
    aa = None
    if validate:
        docs = {
            templates.policy_name(darn.domain_id): iso_doc,
            tag_name: P.tag_on_create_document(darn.arn),
        }
        aa = validate_with_access_analyzer(session, ctx.endpoint_url, docs)
    # The plan's "before" is the check service's report of this snapshot (reused from
    # ``cache`` when the domain is unchanged since the last check); its other states share
    # that analysis' role results.
    analyses = P.PlanAnalyses(catalog)
    before = check.run_check(
        check.CheckInput(snapshot),
        confirm=False,
        cache=cache,
        catalog=catalog,
        role_cache=analyses.role_cache,
    )
    analyses.add(snapshot, before.to_json())
    other_domains, other_warnings = read_other_domains(
        client(session, "sagemaker", ctx.endpoint_url), snapshot
    )
    plan = P.build_plan(
        snapshot,
        variant,
        state,
        role_arns=role_arns,
        access_analyzer=aa,
        catalog=catalog,
        analyses=analyses,
        experience=experience,
        private_spaces=private_spaces,
        allow_break=allow_break,
        other_domains=other_domains,
    )
    plan["warnings"] = list(plan["warnings"]) + other_warnings
    plan["read_errors"] = state["errors"] + list(snapshot.get("errors") or ())
    incomplete = _incomplete_entries(plan["read_errors"])
    if incomplete:
        raise IncompleteListingError(incomplete)
    plan["plan_hash"] = P.plan_hash(plan)
    return plan


def make_plans_all_domains(
    ctx: AwsContext,
    variant: str,
    *,
    session: boto3.Session | None = None,
    validate: bool = True,
    experience: str | None = None,
    private_spaces: bool = False,
) -> list:
    """One plan per domain of the account and Region (``sagemaker:ListDomains``).

    Returns:
        ``[plan, ...]`` in ListDomains order; a domain that could not be read gives
        ``{"domain": {"id"}, "error": {...}}`` instead of a plan.

    Raises:
        AwsUnreachable: ListDomains failed or no credentials.
        IncompleteListingError: the ListDomains listing was stopped by a paging bound.
    """
    import dataclasses

    session = session or make_session(ctx)
    sm = client(session, "sagemaker", ctx.endpoint_url)
    try:
        ids = []
        pages = bounded_pages(client_fetch(sm, "list_domains", "NextToken"),
                              operation="sagemaker:ListDomains", items_key="Domains")
        for page in _guard(lambda pages=pages: list(pages)):
            ids.extend(d["DomainId"] for d in page.get("Domains") or ())
    except ListingIncomplete as exc:
        raise IncompleteListingError([{"operation": exc.operation, "target": None,
                                       "code": exc.code, "message": exc.message}]) from None
    except _CALL_ERRORS as exc:
        e = _err(exc)
        raise AwsUnreachable(
            f"sagemaker:ListDomains failed ({e['code']}: {e['message']})",
            reason="aws-error",
            operation="sagemaker:ListDomains",
            code=e["code"],
        ) from None
    out = []
    for did in ids:
        c = dataclasses.replace(ctx, domain_id=did)
        try:
            out.append(
                make_plan(
                    c,
                    variant,
                    session=session,
                    validate=validate,
                    experience=experience,
                    private_spaces=private_spaces,
                )
            )
        except AwsUnreachable as exc:
            out.append({"domain": {"id": did}, "error": exc.to_json()})
        except IncompleteListingError as exc:
            out.append({"domain": {"id": did}, "error": {
                "message": exc.message, "reason": "listing-incomplete", "operation":
                exc.errors[0].get("operation"), "code": INCOMPLETE_CODE}})
    return out


# --------------------------------------------------------------------------------------------
# State, apply, rollback


def _plan_policies(plan: dict) -> list[str]:
    out = []
    for sec in (plan.get("policy"), plan.get("tag_on_create")):
        if sec and sec.get("arn") not in out:
            out.append(sec["arn"])
    return out


def _plan_roles(plan: dict) -> list[str]:
    return [r["arn"] for r in plan.get("roles") or () if r.get("selected")]


def capture_state(iam, policy_arns: list[str], role_arns: list[str]) -> dict:
    """The state a rollback restores.

    Returns:
        ``{"policies": {arn: {"exists", "default_version_id", "versions": [{version_id,
        is_default, create_date, document}]}}, "attachments": {role arn: [policy arns]}}``.

    Raises:
        botocore errors (the caller records them: apply does not start without this state).
    """
    pols = {}
    for arn in policy_arns:
        st = _policy_state(iam, arn, with_documents=True)
        if not st.get("readable"):
            raise ClientError({"Error": st["error"]}, "GetPolicy")
        pols[arn] = {
            "exists": st["exists"],
            "default_version_id": st["default_version_id"],
            "versions": st["versions"],
        }
    atts = {arn: _role_attachments(iam, arn) for arn in role_arns}
    return {"policies": pols, "attachments": atts}


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _run_step(iam, st: dict, rec_step: dict) -> str:
    """Execute one plan step; returns ``"done"`` or ``"skipped"``; raises on failure."""
    op = st["op"]
    arn = st.get("policy_arn")
    if op == "create-policy":
        cur = _policy_state(iam, arn, with_documents=False)
        if cur["exists"]:
            if P.canonical_json(cur["document"]) == P.canonical_json(st["document"]):
                rec_step["detail"] = "the policy already exists with this document"
                return "skipped"
            raise ApplyError(
                f"{_policy_name(arn)} was created with another document since the "
                "plan was built; build a new plan"
            )
        resp = iam.create_policy(
            PolicyName=st["policy_name"],
            PolicyDocument=json.dumps(st["document"]),
            Description=st.get("description", "")[:1000],
        )
        rec_step["detail"] = f"created {resp['Policy']['Arn']} (v1)"
        return "done"
    if op == "create-policy-version":
        cur = _policy_state(iam, arn, with_documents=True)
        if not cur["exists"]:
            raise ApplyError(f"{_policy_name(arn)} no longer exists; build a new plan")
        if P.canonical_json(cur["document"]) == P.canonical_json(st["document"]):
            rec_step["detail"] = (
                f"the default version {cur['default_version_id']} already has this document"
            )
            return "skipped"
        if cur["default_version_id"] != st.get("expected_default_version"):
            raise ApplyError(
                f"{_policy_name(arn)}'s default version is now "
                f"{cur['default_version_id']}, the plan expected "
                f"{st.get('expected_default_version')}; build a new plan"
            )
        if len(cur["versions"]) >= P.MAX_POLICY_VERSIONS:
            victim = P.oldest_non_default_version(cur["versions"])
            saved = next(v for v in cur["versions"] if v["version_id"] == victim)
            rec_step["deleted_version"] = dict(saved)
            rec_step["_save_now"] = True  # the caller writes the record before the delete
            return "delete-first"
        resp = iam.create_policy_version(
            PolicyArn=arn, PolicyDocument=json.dumps(st["document"]), SetAsDefault=True
        )
        rec_step["created_version"] = resp["PolicyVersion"]["VersionId"]
        rec_step["detail"] = f"new default version {rec_step['created_version']}"
        return "done"
    if op == "attach-role-policy":
        role = st["role_arn"]
        if arn in _role_attachments(iam, role):
            rec_step["detail"] = "already attached"
            return "skipped"
        iam.attach_role_policy(RoleName=role_name(role), PolicyArn=arn)
        rec_step["detail"] = f"attached {_policy_name(arn)} to {role_name(role)}"
        return "done"
    raise ApplyError(f"unknown step op {op!r}")


def _new_record(
    store: AuditStore, kind: str, plan: dict | None, who: dict, change_id: str | None
) -> dict:
    return {
        "id": change_id or store.new_id(),
        "kind": kind,
        "status": "running",
        "who": who,
        "started_at": _now(),
        "finished_at": None,
        "account_id": (plan or {}).get("account_id"),
        "region": (plan or {}).get("region"),
        "domain": (plan or {}).get("domain"),
        "variant": (plan or {}).get("variant"),
        "plan_hash": (plan or {}).get("plan_hash"),
        "plan": plan,
        "steps": [],
        "previous_state": None,
        "rollback_of": None,
        "rolled_back_by": None,
        "error": None,
    }


def _check_account(session, endpoint_url, account: str | None) -> None:
    if not account:
        return
    try:
        got = client(session, "sts", endpoint_url, max_attempts=2).get_caller_identity()["Account"]
    except (*_CALL_ERRORS, NoCredentialsError, PartialCredentialsError, KeyError):
        return  # cannot tell; IAM itself will refuse ARNs of another account
    if got != account:
        raise ApplyError(
            f"the credentials are for account {got}, the plan is for {account}; "
            "use credentials of the plan's account"
        )


def apply_plan(
    plan: dict,
    store: AuditStore,
    *,
    session: boto3.Session,
    endpoint_url: str | None = None,
    who: dict | None = None,
    change_id: str | None = None,
    on_step: StepFn | None = None,
    allow_break=(),
) -> dict:
    """Apply a plan's steps in order and write the change record.

    Args:
        plan: a plan (``plan.load_plan`` validated it, or ``make_plan`` built it).
        store: where the change record goes.
        session, endpoint_url: AWS access.
        who: ``who_am_i(...)`` (default: computed, ``via: "cli"``).
        change_id: the record id to use (the server allocates it to answer before the end).
        on_step: called with the record after each step (progress).
        allow_break: flow ids confirmed now, beside the plan's own ``allow_break``.

    Returns:
        the change record (``status``: ``succeeded`` | ``failed`` | ``no-op``).

    Raises:
        ApplyError: the plan failed validation or is for another account (nothing written,
            no record).
        FlowsWouldBreak: the plan stops Studio flows that work now and that neither the plan
            nor ``allow_break`` confirms (nothing written, no record).
        AwsUnreachable: no credentials.
        audit.AuditError: the record cannot be written (nothing is changed before the first
            record write succeeds).
    """
    plan = P.load_plan(plan)
    if not plan["validation"]["ok"]:
        bad = [c["detail"] for c in plan["validation"]["checks"] if c["ok"] is False]
        raise ApplyError("the plan failed validation: " + "; ".join(bad))
    _check_account(session, endpoint_url, plan.get("account_id"))
    pending = P.unconfirmed_breaks(plan, allow_break)
    if pending:
        raise FlowsWouldBreak(pending)
    who = who or who_am_i(session, endpoint_url, "cli")
    iam = client(session, "iam", endpoint_url)
    rec = _new_record(store, "apply", plan, who, change_id)
    rec["steps"] = [
        {
            "index": s["index"],
            "op": s["op"],
            "policy_arn": s.get("policy_arn"),
            "role_arn": s.get("role_arn"),
            "status": "pending",
            "detail": None,
            "error": None,
        }
        for s in plan["steps"]
    ]
    try:
        rec["previous_state"] = _guard(
            lambda: capture_state(iam, _plan_policies(plan), _plan_roles(plan))
        )
    except _READ_ERRORS as exc:
        rec["status"], rec["error"], rec["finished_at"] = "failed", _err(exc), _now()
        rec["error"]["message"] = (
            "could not read the current state, nothing changed: " + rec["error"]["message"]
        )
        for s in rec["steps"]:
            s["status"] = "not-run"
        store.write(rec)
        return rec
    store.write(rec)
    failed = False
    for st, rs in zip(plan["steps"], rec["steps"]):
        if failed:
            rs["status"] = "not-run"
            continue
        rs["status"] = "running"
        try:
            result = _guard(lambda st=st, rs=rs: _run_step(iam, st, rs))
            if result == "delete-first":
                rs.pop("_save_now", None)
                store.write(rec)  # the version's document is on disk before it is deleted
                victim = rs["deleted_version"]["version_id"]
                iam.delete_policy_version(PolicyArn=st["policy_arn"], VersionId=victim)
                resp = iam.create_policy_version(
                    PolicyArn=st["policy_arn"],
                    PolicyDocument=json.dumps(st["document"]),
                    SetAsDefault=True,
                )
                rs["created_version"] = resp["PolicyVersion"]["VersionId"]
                rs["detail"] = (
                    f"deleted oldest non-default version {victim} (document saved "
                    f"here), new default version {rs['created_version']}"
                )
                result = "done"
            rs["status"] = result
        except (ApplyError, *_READ_ERRORS) as exc:
            rs["status"] = "failed"
            rs["error"] = (
                _err(exc)
                if not isinstance(exc, ApplyError)
                else {"code": "PreconditionFailed", "message": str(exc)}
            )
            failed = True
        store.write(rec)
        if on_step:
            on_step(rec)
    statuses = {s["status"] for s in rec["steps"]}
    rec["status"] = "failed" if failed else ("succeeded" if "done" in statuses else "no-op")
    rec["finished_at"] = _now()
    store.write(rec)
    if on_step:
        on_step(rec)
    return rec


def rollback_steps(record: dict, current: dict) -> list[dict]:
    """The steps that turn ``current`` back into ``record["previous_state"]`` (pure).

    Only the plan's policies and roles are considered. Args: ``current`` in
    :func:`capture_state`'s shape (with version documents).

    Returns:
        ``[{"op": "detach-role-policy"|"attach-role-policy"|"set-default-version"|
        "delete-policy-version"|"create-policy-version"|"delete-policy", ...}]`` in run order.
    """
    prev = record.get("previous_state") or {}
    steps: list[dict] = []
    for role, before in (prev.get("attachments") or {}).items():
        now = (current.get("attachments") or {}).get(role, [])
        for parn in prev.get("policies") or {}:
            if parn in now and parn not in before:
                steps.append({"op": "detach-role-policy", "role_arn": role, "policy_arn": parn})
            elif parn in before and parn not in now:
                steps.append({"op": "attach-role-policy", "role_arn": role, "policy_arn": parn})
    for parn, pb in (prev.get("policies") or {}).items():
        pc = (current.get("policies") or {}).get(parn) or {"exists": False, "versions": []}
        if not pb.get("exists"):
            if pc.get("exists"):
                for v in pc["versions"]:
                    if not v.get("is_default"):
                        steps.append(
                            {
                                "op": "delete-policy-version",
                                "policy_arn": parn,
                                "version_id": v["version_id"],
                            }
                        )
                steps.append({"op": "delete-policy", "policy_arn": parn})
            continue
        if not pc.get("exists"):
            steps.append(
                {
                    "op": "recreate-policy",
                    "policy_arn": parn,
                    "versions": pb["versions"],
                    "default_version_id": pb["default_version_id"],
                }
            )
            continue
        prev_ids = {v["version_id"]: v for v in pb["versions"]}
        cur_ids = {v["version_id"]: v for v in pc["versions"]}
        pdef = pb["default_version_id"]
        if pdef in cur_ids:
            if pc.get("default_version_id") != pdef:
                steps.append({"op": "set-default-version", "policy_arn": parn, "version_id": pdef})
        else:
            doc = prev_ids[pdef].get("document")
            steps.append(
                {
                    "op": "create-policy-version",
                    "policy_arn": parn,
                    "document": doc,
                    "set_as_default": True,
                    "replaces": pdef,
                }
            )
        for vid, v in cur_ids.items():
            if vid not in prev_ids and not (v.get("is_default") and pdef not in cur_ids):
                steps.append({"op": "delete-policy-version", "policy_arn": parn, "version_id": vid})
        cur_docs = [P.canonical_json(v.get("document")) for v in pc["versions"]]
        for vid, v in prev_ids.items():
            if (
                vid != pdef
                and vid not in cur_ids
                and P.canonical_json(v.get("document")) not in cur_docs
            ):
                steps.append(
                    {
                        "op": "create-policy-version",
                        "policy_arn": parn,
                        "document": v.get("document"),
                        "set_as_default": False,
                        "replaces": vid,
                    }
                )
    for i, s in enumerate(steps):
        s["index"] = i
    return steps


def _run_rollback_step(iam, s: dict) -> str:
    op, parn = s["op"], s.get("policy_arn")
    if op == "detach-role-policy":
        iam.detach_role_policy(RoleName=role_name(s["role_arn"]), PolicyArn=parn)
        return f"detached {_policy_name(parn)} from {role_name(s['role_arn'])}"
    if op == "attach-role-policy":
        iam.attach_role_policy(RoleName=role_name(s["role_arn"]), PolicyArn=parn)
        return f"re-attached {_policy_name(parn)} to {role_name(s['role_arn'])}"
    if op == "set-default-version":
        iam.set_default_policy_version(PolicyArn=parn, VersionId=s["version_id"])
        return f"default version of {_policy_name(parn)} set back to {s['version_id']}"
    if op == "delete-policy-version":
        iam.delete_policy_version(PolicyArn=parn, VersionId=s["version_id"])
        return f"deleted version {s['version_id']} of {_policy_name(parn)}"
    if op == "create-policy-version":
        r = iam.create_policy_version(
            PolicyArn=parn,
            PolicyDocument=json.dumps(s["document"]),
            SetAsDefault=bool(s.get("set_as_default")),
        )
        s["created_version"] = r["PolicyVersion"]["VersionId"]
        return (
            f"re-created version {s['replaces']} of {_policy_name(parn)} from the saved "
            f"document as {s['created_version']} (IAM assigns new version ids)"
        )
    if op == "delete-policy":
        for role in _attached_roles(iam, parn):
            raise ApplyError(
                f"{_policy_name(parn)} is still attached to role {role} (attached "
                "outside this change); detach it or keep the policy"
            )
        iam.delete_policy(PolicyArn=parn)
        return f"deleted {_policy_name(parn)} (the change created it)"
    if op == "recreate-policy":
        vers = s["versions"]
        default = next(v for v in vers if v["version_id"] == s["default_version_id"])
        iam.create_policy(
            PolicyName=_policy_name(parn), PolicyDocument=json.dumps(default["document"])
        )
        return f"re-created {_policy_name(parn)} with its previous default document"
    raise ApplyError(f"unknown rollback op {op!r}")


def rollback_change(
    change_id: str,
    store: AuditStore,
    *,
    session: boto3.Session,
    endpoint_url: str | None = None,
    who: dict | None = None,
    dry_run: bool = True,
    new_id: str | None = None,
) -> dict:
    """Restore the state recorded before change ``change_id``.

    Args:
        change_id: an ``apply`` record's id.
        store: the audit store holding it (the rollback record goes there too).
        session, endpoint_url: AWS access.
        who: for the record (default ``who_am_i(..., "cli")``).
        dry_run: True (default): compute the steps, write nothing, no record
            (``status: "planned"``).
        new_id: the rollback record's id (default: a new one).

    Returns:
        the rollback record (``kind: "rollback"``, ``rollback_of``, ``steps`` with status,
        ``status`` ``succeeded`` | ``failed`` | ``no-op`` | ``planned``).

    Raises:
        audit.AuditError: no such change. ApplyError: the record is not an apply, or has no
            previous state (it failed before reading it: nothing to roll back).
        AwsUnreachable: no credentials.
    """
    orig = store.read(change_id)
    if orig.get("kind") != "apply":
        raise ApplyError(
            f"{change_id} is a {orig.get('kind')} record; only apply changes can be rolled back"
        )
    if not orig.get("previous_state"):
        raise ApplyError(
            f"{change_id} has no recorded previous state (it stopped before "
            "changing anything): nothing to roll back"
        )
    _check_account(session, endpoint_url, orig.get("account_id"))
    iam = client(session, "iam", endpoint_url)
    prev = orig["previous_state"]
    current = _guard(
        lambda: capture_state(
            iam, list(prev.get("policies") or {}), list(prev.get("attachments") or {})
        )
    )
    steps = rollback_steps(orig, current)
    rec = _new_record(store, "rollback", None, who or {}, new_id)
    rec.update(
        {
            "account_id": orig.get("account_id"),
            "region": orig.get("region"),
            "domain": orig.get("domain"),
            "variant": orig.get("variant"),
            "rollback_of": change_id,
            "previous_state": current,
            "steps": [dict(s, status="pending", detail=None, error=None) for s in steps],
        }
    )
    if dry_run:
        rec["status"] = "planned"
        return rec
    rec["who"] = who or who_am_i(session, endpoint_url, "cli")
    store.write(rec)
    failed = False
    for s in rec["steps"]:
        if failed:
            s["status"] = "not-run"
            continue
        try:
            s["detail"] = _guard(lambda s=s: _run_rollback_step(iam, s))
            s["status"] = "done"
        except (ApplyError, *_READ_ERRORS) as exc:
            s["status"], failed = "failed", True
            s["error"] = (
                _err(exc)
                if not isinstance(exc, ApplyError)
                else {"code": "Conflict", "message": str(exc)}
            )
        store.write(rec)
    rec["status"] = "failed" if failed else ("succeeded" if rec["steps"] else "no-op")
    rec["finished_at"] = _now()
    store.write(rec)
    if rec["status"] in ("succeeded", "no-op") and not orig.get("rolled_back_by"):
        orig["rolled_back_by"] = rec["id"]
        store.write(orig)
    return rec
