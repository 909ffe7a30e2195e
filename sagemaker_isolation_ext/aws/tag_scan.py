"""Tag scan of an account's SageMaker resources (I/O half of ``sagemaker/tags.py``).

How the scan reads AWS, per Region and per resource type (:data:`LIST_SPECS`):

1. Resource Groups Tagging API ``GetResources`` with ``ResourceTypeFilters=["sagemaker:<type>"]``
   and ``ResourcesPerPage=100`` (its maximum), page by page. It returns only resources that carry
   (or once carried) tags (API reference, GetResources). The type's tagged ARNs are held (ARN ->
   the two or three tags we use, tag sets shared; ~130 bytes per tagged resource) while that
   type is processed, then dropped: memory grows with the tagged resources of the largest type,
   not with the account, and untagged resources and rows beyond ``max_rows`` cost nothing.
2. The type's own paginated ``List*`` call (``MaxResults=100``), page by page; each listed ARN is
   joined with step 1 (absent there = no tags) and fed to ``TagScanAccumulator``.
   Tagged ARNs the ``List*`` call did not return are counted too (tags only).
3. User profiles, spaces and apps (``ListUserProfiles`` / ``ListSpaces`` / ``ListApps`` of every
   domain; their ARNs are built from the names): those the tagging API did not return are
   confirmed with one ``ListTags`` each (the local AWS, moto 5.2.5, does not index them in the
   tagging API; a real account should return them, so this costs nothing there).

API calls: ``sum_t (ceil(tagged_t/100) + ceil(n_t/100))`` plus, once per Region, ``ListDomains``,
``DescribeDomain`` per domain, ``ListUserProfiles`` + ``DescribeUserProfile`` per profile (for the
role evidence of proposals), the ``ListTags`` confirmations of step 3, and at most
``describe_limit`` ``Describe*`` calls that read the execution role of untagged jobs and models.
Since ``sum_t ceil(tagged_t/100) <= ceil(tagged/100) + T`` (T = number of types, ~20), this is
within the issue's bound ``ceil(tagged/100) + sum_t ceil(n_t/100) + constant`` with the constant
counted in the result (``api_calls``).

Regions are scanned concurrently (one worker thread per Region, at most ``max_workers``), one
request in flight per Region, with botocore's adaptive retry mode (client-side rate limiting of
throttled calls). ``cancel`` (a ``threading.Event``) is checked before every page: a cancelled
scan raises :class:`ScanCancelled` within one page.

Readings that cannot make coverage look better than it is: a type whose ``List*`` fails is
reported in ``types_not_covered`` with the error (its tagged resources are still counted, from
``GetResources``); a failing ``GetResources`` for a type makes that type not covered at all (we
would otherwise call tagged resources untagged); a failing ``ListDomains`` fails the scan.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.parsers import ResponseParserError

from sagemaker_isolation_ext.aws.errors import AwsUnreachable
from sagemaker_isolation_ext.aws.paging import ListingIncomplete, PageLimits, bounded_pages
from sagemaker_isolation_ext.aws.session import client, make_session
from sagemaker_isolation_ext.aws.target import AwsContext
from sagemaker_isolation_ext.sagemaker.tags import (
    CREATOR_TAGS,
    DOMAIN_TAG,
    DomainRef,
    TagScanAccumulator,
    multi_domain_view,
    parse_sagemaker_arn,
)

__all__ = ["ListSpec", "LIST_SPECS", "ScanCancelled", "TagScanError", "scan_tags", "list_domains",
           "account_context", "find_domain", "domain_verdict"]

_CALL_ERRORS = (ClientError, BotoCoreError, ResponseParserError)
_KEEP_TAGS = (DOMAIN_TAG, *CREATOR_TAGS)
_BUDGET_LOCK = threading.Lock()
#: Error codes of expired temporary credentials (STS / SigV4): every later call fails the same
#: way, so the scan stops at the first one (exit 4) instead of going on with failing calls.
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}


class ScanCancelled(Exception):
    """The scan's cancel event was set; raised between pages."""


class TagScanError(RuntimeError):
    """The scan cannot give a trustworthy answer (domain not found, ListDomains failed).

    Attributes: ``message``, ``reason`` (``domain-not-found`` | ``list-domains-failed`` |
    ``listing-incomplete``: the ListDomains listing was stopped by a paging bound), ``code`` (AWS
    error code, ``ListingIncomplete``, or None).
    """

    def __init__(self, message: str, reason: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message, self.reason, self.code = message, reason, code


@dataclass(frozen=True)
class ListSpec:
    """How to list one resource type: ``type`` (ARN type), ``operation`` (boto3 method),
    ``key`` (list in the response), ``arn_field``, ``name_field``, and optionally
    ``describe`` = ``(method, name parameter, role path)`` to read the execution role."""

    type: str
    operation: str
    key: str
    arn_field: str
    name_field: str
    describe: tuple[str, str, tuple[str, ...]] | None = None


# Operations and fields: SageMaker API reference (List*, Describe*; botocore service model).
LIST_SPECS: tuple[ListSpec, ...] = (
    ListSpec("training-job", "list_training_jobs", "TrainingJobSummaries", "TrainingJobArn",
             "TrainingJobName", ("describe_training_job", "TrainingJobName", ("RoleArn",))),
    ListSpec("processing-job", "list_processing_jobs", "ProcessingJobSummaries",
             "ProcessingJobArn", "ProcessingJobName",
             ("describe_processing_job", "ProcessingJobName", ("RoleArn",))),
    ListSpec("transform-job", "list_transform_jobs", "TransformJobSummaries", "TransformJobArn",
             "TransformJobName"),
    ListSpec("hyper-parameter-tuning-job", "list_hyper_parameter_tuning_jobs",
             "HyperParameterTuningJobSummaries", "HyperParameterTuningJobArn",
             "HyperParameterTuningJobName"),
    ListSpec("automl-job", "list_auto_ml_jobs", "AutoMLJobSummaries", "AutoMLJobArn",
             "AutoMLJobName", ("describe_auto_ml_job", "AutoMLJobName", ("RoleArn",))),
    ListSpec("compilation-job", "list_compilation_jobs", "CompilationJobSummaries",
             "CompilationJobArn", "CompilationJobName",
             ("describe_compilation_job", "CompilationJobName", ("RoleArn",))),
    ListSpec("model", "list_models", "Models", "ModelArn", "ModelName",
             ("describe_model", "ModelName", ("ExecutionRoleArn",))),
    ListSpec("endpoint-config", "list_endpoint_configs", "EndpointConfigs", "EndpointConfigArn",
             "EndpointConfigName"),
    ListSpec("endpoint", "list_endpoints", "Endpoints", "EndpointArn", "EndpointName"),
    ListSpec("experiment", "list_experiments", "ExperimentSummaries", "ExperimentArn",
             "ExperimentName"),
    ListSpec("experiment-trial", "list_trials", "TrialSummaries", "TrialArn", "TrialName"),
    ListSpec("experiment-trial-component", "list_trial_components", "TrialComponentSummaries",
             "TrialComponentArn", "TrialComponentName"),
    ListSpec("pipeline", "list_pipelines", "PipelineSummaries", "PipelineArn", "PipelineName",
             ("describe_pipeline", "PipelineName", ("RoleArn",))),
    ListSpec("model-package-group", "list_model_package_groups", "ModelPackageGroupSummaryList",
             "ModelPackageGroupArn", "ModelPackageGroupName"),
    ListSpec("model-package", "list_model_packages", "ModelPackageSummaryList",
             "ModelPackageArn", "ModelPackageName"),
    ListSpec("model-card", "list_model_cards", "ModelCardSummaries", "ModelCardArn",
             "ModelCardName"),
    ListSpec("feature-group", "list_feature_groups", "FeatureGroupSummaries", "FeatureGroupArn",
             "FeatureGroupName"),
    ListSpec("notebook-instance", "list_notebook_instances", "NotebookInstances",
             "NotebookInstanceArn", "NotebookInstanceName"),
)
STUDIO_TYPES = ("user-profile", "space", "app")


def _code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str((exc.response.get("Error") or {}).get("Code") or "ClientError")
    return type(exc).__name__


class _Calls:
    """Thread-safe API call counter keyed ``service:Operation``."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self._lock = threading.Lock()
        #: Set once any Region meets expired credentials: every later call raises it.
        self.fatal: AwsUnreachable | None = None

    def add(self, op: str) -> None:
        with self._lock:
            self.counts[op] += 1


class _Region:
    """One Region's clients and helpers (runs in one worker thread)."""

    def __init__(self, session, region: str, endpoint_url: str | None, calls: _Calls,
                 cancel: threading.Event | None, progress: Callable[[dict], None] | None,
                 max_attempts: int, limits: PageLimits | None = None) -> None:
        self.region = region
        self.limits = limits
        self.sm = client(session, "sagemaker", endpoint_url, max_attempts=max_attempts)
        self.rgt = client(session, "resourcegroupstaggingapi", endpoint_url,
                          max_attempts=max_attempts)
        self.calls, self.cancel, self.progress = calls, cancel, progress
        self.pages = 0
        self.resources = 0
        self.anomalies: list[str] = []

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ScanCancelled("scan cancelled")

    def call(self, svc, service: str, method: str, **kwargs) -> dict:
        """One API call, counted; lets botocore errors through.

        Raises:
            AwsUnreachable: no credentials, or the credentials expired (reason
                ``credentials-rejected``; this and every later call of the scan, in any Region,
                raise it without calling AWS).
        """
        self.check_cancel()
        if self.calls.fatal is not None:
            raise self.calls.fatal
        op = svc.meta.method_to_api_mapping.get(method, method)
        self.calls.add(f"{service}:{op}")
        try:
            return getattr(svc, method)(**kwargs)
        except (NoCredentialsError, PartialCredentialsError) as e:
            raise AwsUnreachable(f"No AWS credentials found ({e}).", reason="no-credentials",
                                 code=type(e).__name__) from None
        except ClientError as e:
            code = _code(e)
            if code not in _EXPIRED:
                raise
            fatal = AwsUnreachable(
                f"AWS rejected the credentials as expired ({code}) at {service}:{op}; the scan "
                "stopped there. Refresh the credentials (e.g. `aws sso login`, a new session "
                "token) and scan again.",
                reason="credentials-rejected", operation=f"{service}:{op}", code=code)
            self.calls.fatal = fatal
            raise fatal from None

    def pages_of(self, svc, service: str, method: str, token_in: str, token_out: str,
                 items_key: str | None = None, **kwargs) -> Iterator[dict]:
        """Every page of a paginated call (the cancel event is checked before each), bounded by
        ``aws.paging.bounded_pages`` (raises ``ListingIncomplete`` at a bound)."""
        op = svc.meta.method_to_api_mapping.get(method, method)

        def fetch(token):
            args = dict(kwargs)
            if token:
                args[token_in] = token
            return self.call(svc, service, method, **args)

        for page in bounded_pages(fetch, operation=f"{service}:{op}", token_key=token_out,
                                  items_key=items_key, limits=self.limits):
            self.pages += 1
            yield page

    def report(self, stage: str) -> None:
        if self.progress:
            self.progress({"region": self.region, "stage": stage, "pages": self.pages,
                           "resources": self.resources})

    def tagged(self, rtype: str) -> dict[str, dict]:
        """``{arn: {kept tags}}`` of one type from GetResources.

        Equal tag sets are shared (one dict per distinct domain/creator combination), so the
        map costs about one ARN string and one dict slot per tagged resource of this type.
        """
        out: dict[str, dict] = {}
        shared: dict[tuple, dict] = {}
        for page in self.pages_of(self.rgt, "tag", "get_resources", "PaginationToken",
                                  "PaginationToken", "ResourceTagMappingList",
                                  ResourcesPerPage=100,
                                  ResourceTypeFilters=[f"sagemaker:{rtype}"]):
            for item in page.get("ResourceTagMappingList") or []:
                arn = item.get("ResourceARN")
                if not parse_sagemaker_arn(arn):
                    # Not a SageMaker ARN (moto 5.2.5 returns endpoint configs' ARNs as the text
                    # of a Python tuple): counted, never classified.
                    self.anomalies.append(str(arn)[:300])
                    continue
                tags = {t["Key"]: t.get("Value", "") for t in item.get("Tags") or []
                        if t.get("Key") in _KEEP_TAGS}
                out[arn] = shared.setdefault(tuple(sorted(tags.items())), tags)
        return out


def _dig(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def list_domains(reg: _Region, account_hint: str | None = None) -> list[DomainRef]:
    """Every domain of the Region with its execution roles and user profiles.

    ``DescribeDomain`` / ``ListUserProfiles`` / ``DescribeUserProfile`` failures only lose role
    evidence (fewer proposals), never a class.

    Raises:
        TagScanError: ``ListDomains`` failed (reason ``list-domains-failed``).
    """
    out = []
    try:
        pages = list(reg.pages_of(reg.sm, "sagemaker", "list_domains", "NextToken", "NextToken",
                                  "Domains", MaxResults=100))
    except ListingIncomplete as e:
        raise TagScanError(f"sagemaker:ListDomains in {reg.region}: {e.message}",
                           "listing-incomplete", e.code) from None
    except _CALL_ERRORS as e:
        raise TagScanError(f"sagemaker:ListDomains failed in {reg.region}: {_code(e)}: {e}",
                           "list-domains-failed", _code(e)) from None
    for page in pages:
        for d in page.get("Domains") or []:
            did, darn = d.get("DomainId"), d.get("DomainArn")
            if not did or not darn:
                continue
            parts = parse_sagemaker_arn(darn) or {}
            roles: set[str] = set()
            profiles: list[str] = []
            try:
                desc = reg.call(reg.sm, "sagemaker", "describe_domain", DomainId=did)
                for path in (("DefaultUserSettings", "ExecutionRole"),
                             ("DefaultSpaceSettings", "ExecutionRole")):
                    if _dig(desc, path):
                        roles.add(_dig(desc, path))
                for up_page in reg.pages_of(reg.sm, "sagemaker", "list_user_profiles",
                                            "NextToken", "NextToken", "UserProfiles",
                                            DomainIdEquals=did, MaxResults=100):
                    for up in up_page.get("UserProfiles") or []:
                        profiles.append(up["UserProfileName"])
                for pname in profiles:
                    try:
                        upd = reg.call(reg.sm, "sagemaker", "describe_user_profile",
                                       DomainId=did, UserProfileName=pname)
                    except _CALL_ERRORS:
                        continue
                    if _dig(upd, ("UserSettings", "ExecutionRole")):
                        roles.add(_dig(upd, ("UserSettings", "ExecutionRole")))
            except (*_CALL_ERRORS, ListingIncomplete):
                pass  # less role evidence (fewer proposals), never a class
            out.append(DomainRef(id=did, arn=darn, name=d.get("DomainName"),
                                 region=parts.get("region") or reg.region,
                                 account_id=parts.get("account") or account_hint,
                                 roles=tuple(sorted(roles)), user_profiles=tuple(profiles)))
    return out


def _studio_items(reg: _Region, domains: list[DomainRef], rtype: str) -> Iterator[list[tuple]]:
    """Pages of ``(arn, name)`` for user profiles, spaces or apps of every domain."""
    for d in domains:
        if d.region != reg.region:
            continue
        prefix = f"arn:{(parse_sagemaker_arn(d.arn) or {}).get('partition', 'aws')}:sagemaker:" \
                 f"{reg.region}:{d.account_id}:"
        if rtype == "user-profile":
            method, key = "list_user_profiles", "UserProfiles"
        elif rtype == "space":
            method, key = "list_spaces", "Spaces"
        else:
            method, key = "list_apps", "Apps"
        for page in reg.pages_of(reg.sm, "sagemaker", method, "NextToken", "NextToken", key,
                                 DomainIdEquals=d.id, MaxResults=100):
            batch = []
            for item in page.get(key) or []:
                if rtype == "user-profile":
                    name = item["UserProfileName"]
                    arn = f"{prefix}user-profile/{d.id}/{name}"
                elif rtype == "space":
                    name = item["SpaceName"]
                    arn = f"{prefix}space/{d.id}/{name}"
                else:
                    if item.get("Status") in ("Deleted",):
                        continue
                    owner = item.get("UserProfileName") or item.get("SpaceName") or ""
                    name = item["AppName"]
                    arn = (f"{prefix}app/{d.id}/{owner}/{str(item.get('AppType', '')).lower()}/"
                           f"{name}")
                batch.append((arn, name))
            yield batch


def _incomplete(exc: ListingIncomplete, what: str) -> str:
    """The ``types_not_covered`` reason of a listing stopped by a bound (``aws/paging.py``)."""
    return f"{exc.operation} listing incomplete ({exc.reason}: {exc.message}){what}"


def _scan_region(reg: _Region, domains: list[DomainRef], acc: TagScanAccumulator,
                 covered: dict, not_covered: dict, describe_budget: list[int],
                 types: set[str] | None) -> None:
    """Stream every type of one Region into ``acc``.

    A type whose ``GetResources`` or ``List*`` listing fails or is stopped by a paging bound is
    put in ``not_covered`` with the reason (never a hang, never counted as covered). A Studio
    resource whose own ``ListTags`` fails is counted ``unreadable`` and the scan goes on.
    """
    specs = [s for s in LIST_SPECS if types is None or s.type in types]
    for spec in specs:
        reg.report(spec.type)
        try:
            tagged = reg.tagged(spec.type)
        except _CALL_ERRORS as e:
            not_covered.setdefault(spec.type, f"tag:GetResources failed: {_code(e)}")
            continue
        except ListingIncomplete as e:
            not_covered.setdefault(spec.type, _incomplete(e, ""))
            continue
        listed = 0
        partial = " (tagged resources of this type are counted; untagged ones are not)"
        try:
            for page in reg.pages_of(reg.sm, "sagemaker", spec.operation, "NextToken",
                                     "NextToken", spec.key, MaxResults=100):
                for item in page.get(spec.key) or []:
                    arn = item.get(spec.arn_field)
                    if not arn:
                        continue
                    listed += 1
                    tags = tagged.pop(arn, None)
                    extra = {"name": item.get(spec.name_field)}
                    if not tags or DOMAIN_TAG not in tags:
                        extra["role_arn"] = _role_of(reg, spec, item, describe_budget)
                    acc.add(arn, tags, extra)
                    reg.resources += 1
                reg.report(spec.type)
        except _CALL_ERRORS as e:
            not_covered.setdefault(
                spec.type, f"sagemaker:{spec.operation} failed: {_code(e)}{partial}")
        except ListingIncomplete as e:
            not_covered.setdefault(spec.type, _incomplete(e, partial))
        else:
            covered[spec.type] = covered.get(spec.type, 0) + listed
        # Tagged, but not listed (deleted since, or the List* call failed): count from tags.
        for arn, tags in tagged.items():
            acc.add(arn, tags, None)
            reg.resources += 1
        del tagged
    for rtype in STUDIO_TYPES:
        if types is not None and rtype not in types:
            continue
        reg.report(rtype)
        try:
            tagged = reg.tagged(rtype)
        except _CALL_ERRORS as e:
            not_covered.setdefault(rtype, f"tag:GetResources failed: {_code(e)}")
            continue
        except ListingIncomplete as e:
            not_covered.setdefault(rtype, _incomplete(e, ""))
            continue
        listed = 0
        try:
            for batch in _studio_items(reg, domains, rtype):
                for arn, name in batch:
                    listed += 1
                    tags = tagged.pop(arn, None)
                    if tags is None:
                        try:
                            resp = reg.call(reg.sm, "sagemaker", "list_tags", ResourceArn=arn,
                                            MaxResults=100)
                        except _CALL_ERRORS as e:
                            # One resource whose tags cannot be read (a Failed app answering
                            # ValidationException) is unreadable; the others are still judged.
                            acc.add_unreadable(arn, f"sagemaker:ListTags failed: {_code(e)}",
                                               {"name": name})
                            reg.resources += 1
                            continue
                        tags = {t["Key"]: t.get("Value", "") for t in resp.get("Tags") or []
                                if t.get("Key") in _KEEP_TAGS}
                    acc.add(arn, tags, {"name": name})
                    reg.resources += 1
                reg.report(rtype)
        except _CALL_ERRORS as e:
            not_covered.setdefault(rtype, f"listing failed: {_code(e)}")
        except ListingIncomplete as e:
            not_covered.setdefault(rtype, _incomplete(e, ""))
        else:
            covered[rtype] = covered.get(rtype, 0) + listed
        for arn, tags in tagged.items():
            acc.add(arn, tags, None)
            reg.resources += 1


def _role_of(reg: _Region, spec: ListSpec, item: dict, budget: list[int]) -> str | None:
    """The execution role of an untagged job/model (one Describe call, within ``budget``)."""
    if spec.describe is None or budget[0] <= 0:
        return None
    method, param, path = spec.describe
    name = item.get(spec.name_field)
    if not name:
        return None
    with _BUDGET_LOCK:
        if budget[0] <= 0:
            return None
        budget[0] -= 1
    try:
        desc = reg.call(reg.sm, "sagemaker", method, **{param: name})
    except _CALL_ERRORS:
        return None
    role = _dig(desc, path)
    if role is None and spec.type == "hyper-parameter-tuning-job":
        role = _dig(desc, ("TrainingJobDefinition", "RoleArn"))
    return role if isinstance(role, str) else None


def account_context(region: str | None = None, profile: str | None = None,
                    endpoint_url: str | None = None, domain_id: str | None = None,
                    **kwargs: Any) -> AwsContext:
    """The context of an account-wide scan (``--all-domains``): like ``resolve_context`` but a
    missing domain is allowed (``domain_id=None``; Studio's metadata still supplies one if
    present, to list first).

    Raises:
        ContextError: bad domain id, bad/no Region, bad profile (as ``resolve_context``).
    """
    import os

    import boto3

    from sagemaker_isolation_ext.aws.errors import ContextError
    from sagemaker_isolation_ext.aws.target import resolve_context

    try:
        return resolve_context(domain_id=domain_id, region=region, profile=profile,
                               endpoint_url=endpoint_url, **kwargs)
    except ContextError as exc:
        if exc.reason != "no-domain":
            raise
    env = kwargs.get("environ") or os.environ
    chosen = region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if not chosen:
        try:
            chosen = boto3.Session(profile_name=profile).region_name
        except Exception:  # botocore ProfileNotFound and friends: no Region from the profile
            chosen = None
    if not chosen:
        raise ContextError("No AWS Region: pass --region or set AWS_REGION.", reason="no-region")
    return AwsContext(domain_id=None, region=chosen, profile=profile, endpoint_url=endpoint_url,
                      source="cli", detail="account-wide tag scan (no domain given)")


def find_domain(ctx: AwsContext, session=None, max_attempts: int = 5) -> DomainRef:
    """The domain ``ctx.domain_id`` of ``ctx.region`` as a :class:`DomainRef` (ListDomains).

    Raises:
        TagScanError: not found (``domain-not-found``) or ListDomains failed.
    """
    session = session or make_session(ctx)
    reg = _Region(session, ctx.region, ctx.endpoint_url, _Calls(), None, None, max_attempts)
    for d in list_domains(reg):
        if d.id == ctx.domain_id:
            return d
    raise TagScanError(f"domain {ctx.domain_id} is not among the domains of {ctx.region} "
                       "(ListDomains); check --domain-id and --region", "domain-not-found")


def domain_verdict(ctx: AwsContext, domain: DomainRef) -> dict:
    """The isolation verdict of ``domain`` by the existing check (``collect_snapshot`` +
    ``analyze``): ``{"verdict"}`` or ``{"verdict": "unknown", "error"}`` (never a guess)."""
    from sagemaker_isolation_ext.aws.collect import collect_snapshot
    from sagemaker_isolation_ext.sagemaker.analysis import analyze

    dctx = dataclasses.replace(ctx, domain_id=domain.id, region=domain.region or ctx.region)
    try:
        report = analyze(collect_snapshot(dctx))
    except Exception as exc:  # any failure means no verdict, said as such
        return {"verdict": "unknown", "error": f"{type(exc).__name__}: {exc}"}
    return {"verdict": report.get("verdict") or "unknown"}


def _taggable_types() -> list[str]:
    from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

    return sorted(k for k, v in load_catalog().resource_types.items() if v.taggable)


def scan_tags(
    ctx: AwsContext,
    *,
    all_domains: bool = False,
    regions: list[str] | None = None,
    rows: str = "problems",
    max_rows: int = 1000,
    describe_limit: int = 200,
    types: set[str] | None = None,
    cancel: threading.Event | None = None,
    progress: Callable[[dict], None] | None = None,
    verdicts: Callable[[DomainRef], dict] | None = None,
    session=None,
    max_attempts: int = 5,
    max_workers: int = 4,
    limits: PageLimits | None = None,
) -> dict:
    """Scan the tag coverage of SageMaker resources for ``ctx.domain_id`` (or every domain).

    Args:
        ctx: Region, profile, endpoint; ``domain_id`` is the primary domain (required unless
            ``all_domains``).
        all_domains: classify for every domain listed (``domains`` view in the result).
        regions: Regions to scan (default ``[ctx.region]``), concurrently.
        rows: ``problems`` | ``all`` | ``none`` (see ``TagScanAccumulator``); ``max_rows`` caps
            them.
        describe_limit: at most this many ``Describe*`` calls for the role of untagged
            jobs/models (proposal evidence).
        types: restrict to these resource types (default: all of :data:`LIST_SPECS` and
            the Studio types).
        cancel: set it to stop the scan; :class:`ScanCancelled` is raised within one page.
        progress: called with ``{"region", "stage", "pages", "resources", "api_calls"}``.
        verdicts: for ``all_domains``, a function ``DomainRef -> {"verdict"} | {"error"}`` (the
            CLI and server pass the existing collect + analyze).
        session: a boto3 Session (default from ``ctx``).
        max_attempts, max_workers: retry attempts per call; parallel Regions.
        limits: paging bounds of every listing (default ``PageLimits.from_env()``); a listing
            stopped by one puts its type in ``types_not_covered`` with the reason.

    Returns:
        ``{"domain", "summary", "by_type", "resources", "rows_dropped", "total",
        "types_covered": {type: n_listed}, "types_not_covered": {type: why},
        "api_calls": {"total", "by_operation": {...}}, "regions", "elapsed_seconds",
        "anomalies": {"unparseable_arns": n, "examples": [...]} (GetResources answers that are
        not SageMaker ARNs; skipped),
        "domains": [per-domain view] (all_domains only)}``.

    Raises:
        TagScanError: the domain is not in the Region's ListDomains, or ListDomains failed.
        ScanCancelled: ``cancel`` was set.
        AwsUnreachable: no credentials / bad profile, or expired credentials (the scan stops
            at the first ``ExpiredToken``).
    """
    started = time.monotonic()
    session = session or make_session(ctx)
    regions = list(dict.fromkeys(regions or [ctx.region]))
    calls = _Calls()
    lock = threading.Lock()
    regs: dict[str, _Region] = {}

    def report(info: dict) -> None:
        if progress:
            with lock:
                info = {**info, "api_calls": sum(calls.counts.values())}
            progress(info)

    for region in regions:
        # One Session per Region (a client takes its Region from its Session); an injected
        # session is used as is for its own Region.
        reg_session = session if getattr(session, "region_name", None) == region else \
            make_session(dataclasses.replace(ctx, region=region))
        regs[region] = _Region(reg_session, region, ctx.endpoint_url, calls, cancel, report,
                               max_attempts, limits or PageLimits.from_env())

    workers = max(1, min(max_workers, len(regions)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tag-scan") as pool:
        domain_lists = list(pool.map(list_domains, regs.values()))
    domains = [d for lst in domain_lists for d in lst]
    by_arn = {d.arn: d for d in domains}
    scopes = {(d.account_id, r) for r in regions for d in domains}
    if all_domains:
        if not domains:
            raise TagScanError(f"no SageMaker domain in {', '.join(regions)}",
                               "domain-not-found")
        primary = next((d for d in domains if d.id == ctx.domain_id), None)
        targets = ([primary] if primary else []) + [d for d in domains if d is not primary]
    else:
        primary = next((d for d in domains if d.id == ctx.domain_id), None)
        if primary is None:
            raise TagScanError(
                f"domain {ctx.domain_id} is not among the domains of "
                f"{', '.join(regions)} (ListDomains); check --domain-id and --region",
                "domain-not-found")
        targets = [primary]
    if not scopes and primary is not None:
        scopes = {(primary.account_id, r) for r in regions}

    budget = [max(0, int(describe_limit))]

    def run(reg: _Region) -> tuple[TagScanAccumulator, dict, dict]:
        acc = TagScanAccumulator(targets=targets, domains=by_arn, listed_scopes=scopes,
                                 rows=rows, max_rows=max_rows)
        cov: dict[str, int] = {}
        not_cov: dict[str, str] = {}
        _scan_region(reg, domains, acc, cov, not_cov, budget, types)
        return acc, cov, not_cov

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tag-scan") as pool:
        parts = list(pool.map(run, regs.values()))
    acc = parts[0][0]
    covered: dict[str, int] = {}
    not_covered: dict[str, str] = {}
    for i, (other, cov, not_cov) in enumerate(parts):
        if i:
            acc.merge(other)
        for t, n in cov.items():
            covered[t] = covered.get(t, 0) + n
        for t, why in not_cov.items():
            not_covered.setdefault(t, why)
    result = acc.result()
    wanted = set(_taggable_types()) if types is None else set(types)
    for t in sorted(wanted - set(covered) - set(not_covered)):
        not_covered[t] = "no List* call in the scanner for this type"
    for t in list(covered):
        if t in not_covered:
            covered.pop(t)
    result["types_covered"] = dict(sorted(covered.items()))
    result["types_not_covered"] = dict(sorted(not_covered.items()))
    result["api_calls"] = {"total": sum(calls.counts.values()),
                           "by_operation": dict(sorted(calls.counts.items()))}
    result["regions"] = regions
    anomalies = [a for reg in regs.values() for a in reg.anomalies]
    result["anomalies"] = {"unparseable_arns": len(anomalies), "examples": anomalies[:5]}
    if all_domains:
        found = {}
        if verdicts is not None:
            for d in targets:
                if cancel is not None and cancel.is_set():
                    raise ScanCancelled("scan cancelled")
                found[d.arn] = verdicts(d)
        result["domains"] = multi_domain_view(acc, found)
    result["elapsed_seconds"] = round(time.monotonic() - started, 3)
    return result
