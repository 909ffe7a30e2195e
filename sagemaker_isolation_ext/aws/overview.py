"""Read every domain of several Regions and accounts once (the I/O half of the account overview).

Calls made (SageMaker, STS, Organizations and IAM API references):

- ``sts:GetCallerIdentity`` once: the caller's account (always checked) and partition;
- ``organizations:ListAccounts`` (``--org``; paginated, bounded by ``aws/paging.py``): the
  organization's ``ACTIVE`` accounts;
- ``sts:AssumeRole`` once per other account into ``arn:<partition>:iam::<account>:role/<NAME>``
  (default ``OrganizationAccountAccessRole``, the role AWS Organizations creates in the accounts
  it creates);
- per account and Region: ``sagemaker:ListDomains`` (bounded pager) and ``DescribeDomain`` for
  each domain (once: the same answer serves the domain's own check and the other domains'
  "shared role" evidence);
- per domain: the one-domain collection of :func:`collect.collect_snapshot` with a
  :class:`collect.RunCache`: each role and each managed policy is read once per run.

Regions: ``regions`` as given, or with ``all_regions`` the Regions botocore knows for SageMaker
in the caller's partition (``boto3.session.Session().get_available_regions("sagemaker",
partition)``; botocore's endpoint data). A given Region not in that list is an error row
(code ``UnknownRegion``, :func:`unknown_region_message`) and is not called.
A Region or account that refuses (not opted in, AssumeRole denied, ListDomains denied) is an
error row ``{"account_id", "region", "operation", "code", "message"}``, never a failed run;
a domain listed but not readable is an error row and a domain with verdict ``unknown``
(``sagemaker/overview.py``).

Concurrency: at most ``max_workers`` (default 4) account/Region listings, then at most
``max_workers`` domains, in threads; one set of boto3 clients per account and Region, made in
the calling thread (sessions are not thread-safe, clients are) with botocore's ``adaptive``
retry mode (``aws/session.py``). API calls are counted per operation with a botocore
``before-call`` event handler on every session of the run.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.parsers import ResponseParserError

from sagemaker_isolation_ext.aws.collect import RunCache, collect_snapshot, error_code_message
from sagemaker_isolation_ext.aws.errors import AwsUnreachable
from sagemaker_isolation_ext.aws.paging import ListingIncomplete, PageLimits, bounded_pages
from sagemaker_isolation_ext.aws.session import DEFAULT_MAX_ATTEMPTS, client, make_session
from sagemaker_isolation_ext.aws.target import AwsContext
from sagemaker_isolation_ext.sagemaker.patterns import is_account_id

__all__ = [
    "DEFAULT_ASSUME_ROLE",
    "DEFAULT_MAX_WORKERS",
    "AccountsFileError",
    "CallCounter",
    "DomainRef",
    "Collected",
    "available_regions",
    "is_role_name",
    "session_region",
    "unknown_region_message",
    "read_accounts_file",
    "collect_all_domains",
]

DEFAULT_ASSUME_ROLE = "OrganizationAccountAccessRole"
DEFAULT_MAX_WORKERS = 4
_CALL_ERRORS = (ClientError, BotoCoreError, ResponseParserError)
#: IAM role names (IAM API reference, CreateRole RoleName: ``[\w+=,.@-]+``, 1-64 characters).
_ROLE_NAME_RE = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)

ProgressFn = Callable[[str, int, int], None]


class AccountsFileError(ValueError):
    """The ``--accounts`` file cannot be used: unreadable, or a line that is not an account id
    (the message names the file and line)."""


def is_role_name(value: object) -> bool:
    r"""True when ``value`` is an IAM role name (``[\w+=,.@-]``, ASCII, 1 to 64 characters)."""
    return isinstance(value, str) and _ROLE_NAME_RE.fullmatch(value) is not None


def available_regions(partition: str = "aws") -> list[str]:
    """The Regions botocore's endpoint data lists for SageMaker in ``partition``, sorted.

    Source: ``boto3.session.Session().get_available_regions("sagemaker", partition)``. Regions
    that need opting in are listed too; one the account has not enabled answers with an error
    (an error row).
    """
    return sorted(boto3.session.Session().get_available_regions("sagemaker", partition))


def session_region(regions: list[str] | None) -> str | None:
    """The Region of the caller's own session (``sts:GetCallerIdentity``, the other accounts'
    ``sts:AssumeRole``): the first of ``regions`` where botocore's endpoint data lists SageMaker
    in some partition, else the first; None for none. A Region SageMaker does not serve has no
    endpoint, so the whole run would stop at the caller's identity if it went first."""
    if not regions:
        return None
    session = boto3.session.Session()
    known = {r for p in session.get_available_partitions()
             for r in session.get_available_regions("sagemaker", p)}
    return next((r for r in regions if r in known), regions[0])


def unknown_region_message(region: str, partition: str = "aws") -> str | None:
    """Why SageMaker cannot be asked in ``region`` for the caller's ``partition``, or None when
    botocore's endpoint data lists SageMaker there (:func:`available_regions`).

    Against AWS such a Region has no SageMaker endpoint (the call would end as
    ``EndpointConnectionError``); a local AWS answers it with an HTTP 500 page. The message says
    so in words instead, e.g. ``"Region us-fake-9 is not a Region SageMaker serves in partition
    aws (botocore 1.44.18's endpoint data), so it has no endpoint to ask"``.

    Returns:
        the one-line message, or None for a Region SageMaker serves in ``partition``.
    """
    if region in available_regions(partition):
        return None
    import botocore

    session = boto3.session.Session()
    elsewhere = [p for p in session.get_available_partitions()
                 if p != partition and region in session.get_available_regions("sagemaker", p)]
    where = (f"; it is a Region of partition {elsewhere[0]}, not of the caller's credentials"
             if elsewhere else "")
    return (f"Region {region} is not a Region SageMaker serves in partition {partition} "
            f"(botocore {botocore.__version__}'s endpoint data), so it has no endpoint to ask"
            f"{where}")


def read_accounts_file(path: str) -> list[str]:
    """Account ids from a file: one 12-digit id per line; blank lines and ``#`` comments skipped.

    Returns:
        the ids in file order, without duplicates.

    Raises:
        AccountsFileError: the file cannot be read, or a line is not a 12-digit id.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError as exc:
        raise AccountsFileError(
            f"cannot read accounts file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise AccountsFileError(
            f"{path} is not UTF-8 text (byte {exc.start}): one 12-digit account id per line"
        ) from None
    out: list[str] = []
    for n, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if not is_account_id(text):
            raise AccountsFileError(
                f"{path} line {n}: {text[:40]!r} is not an AWS account id (12 digits)")
        if text not in out:
            out.append(text)
    return out


class CallCounter:
    """Counts API calls per ``service:Operation`` (a botocore ``before-call`` handler).

    Attach with :meth:`attach` to every boto3 Session of a run. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter = Counter()

    def _on_call(self, model=None, **_kwargs) -> None:
        if model is None:
            return
        name = f"{model.service_model.signing_name}:{model.name}"
        with self._lock:
            self.counts[name] += 1

    def attach(self, session: boto3.Session) -> boto3.Session:
        """Register the handler on ``session`` (idempotent per session); returns it."""
        if not getattr(session, "_sagemaker_isolation_counted", False):
            session.events.register("before-call", self._on_call,
                                    unique_id=f"sagemaker-isolation-count-{id(self)}")
            session._sagemaker_isolation_counted = True
        return session

    def to_json(self) -> dict:
        """``{"total": n, "by_operation": {"sagemaker:ListDomains": n, ...}}``."""
        with self._lock:
            return {"total": sum(self.counts.values()),
                    "by_operation": dict(sorted(self.counts.items()))}


@dataclass(frozen=True)
class DomainRef:
    """A listed domain: ``id``, ``arn``, ``name``, ``region``, ``account_id``."""

    id: str
    arn: str
    name: str | None
    region: str
    account_id: str

    def to_json(self) -> dict:
        return {"id": self.id, "arn": self.arn, "name": self.name, "region": self.region,
                "account_id": self.account_id}


@dataclass
class Collected:
    """What :func:`collect_all_domains` read.

    Attributes:
        snapshots: one snapshot per domain read (``collect_snapshot``'s shape).
        unreadable: ``[(DomainRef.to_json(), error row)]`` domains listed but not read.
        errors: error rows ``{"account_id", "region", "operation", "code", "message"}`` (accounts
            and Regions that refused, unreadable domains).
        accounts: the accounts asked, caller's first; ``regions``: the Regions asked.
        scopes_read: (account, Region) pairs whose ListDomains answered.
        api_calls: :meth:`CallCounter.to_json`; ``cache``: ``{"reads": {...}, "hits": {...}}``.
        seconds: wall time.
    """

    snapshots: list = field(default_factory=list)
    unreadable: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    accounts: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    scopes_read: list = field(default_factory=list)
    api_calls: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def nothing_read(self) -> bool:
        """True when no account/Region answered ListDomains (CLI exit 4)."""
        return not self.scopes_read


def _row(account: str | None, region: str | None, operation: str, exc: Exception) -> dict:
    code, message = error_code_message(exc)
    return {"account_id": account, "region": region, "operation": operation, "code": code,
            "message": message}


def _caller(session: boto3.Session, ctx: AwsContext, counter: CallCounter,
            max_attempts: int) -> tuple[str, str]:
    """``(account id, partition)`` of the caller (``sts:GetCallerIdentity``).

    Raises:
        AwsUnreachable: no credentials, or STS refused them (nothing can be read).
    """
    sts = client(counter.attach(session), "sts", ctx.endpoint_url, max_attempts=max_attempts)
    try:
        ident = sts.get_caller_identity()
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise AwsUnreachable(f"No AWS credentials found ({exc}).", reason="no-credentials",
                             operation="sts:GetCallerIdentity", code=type(exc).__name__) from None
    except _CALL_ERRORS as exc:
        code, message = error_code_message(exc)
        raise AwsUnreachable(
            f"sts:GetCallerIdentity failed ({code}: {message}): the caller's account is not "
            "known, nothing was read.", reason="credentials-rejected",
            operation="sts:GetCallerIdentity", code=code) from None
    arn = ident.get("Arn") or ""
    parts = arn.split(":")
    partition = parts[1] if len(parts) > 1 and parts[1] else "aws"
    return str(ident.get("Account")), partition


def _org_accounts(session: boto3.Session, ctx: AwsContext, limits: PageLimits,
                  max_attempts: int) -> list[str]:
    """The organization's ``ACTIVE`` account ids (``organizations:ListAccounts``).

    Raises:
        botocore errors; :class:`ListingIncomplete` (a paging bound stopped the listing).
    """
    org = client(session, "organizations", ctx.endpoint_url, max_attempts=max_attempts)

    def fetch(token):
        return org.list_accounts(**({"NextToken": token} if token else {}))

    out: list[str] = []
    for page in bounded_pages(fetch, operation="organizations:ListAccounts",
                              items_key="Accounts", limits=limits):
        for acc in page.get("Accounts") or ():
            if acc.get("Id") and acc.get("Status", "ACTIVE") == "ACTIVE" and acc["Id"] not in out:
                out.append(acc["Id"])
    return out


def _assume(session: boto3.Session, ctx: AwsContext, account: str, role_name: str,
            partition: str, max_attempts: int) -> dict:
    """Temporary credentials of ``role_name`` in ``account`` (``sts:AssumeRole``).

    Raises:
        botocore errors (the caller turns them into an error row).
    """
    sts = client(session, "sts", ctx.endpoint_url, max_attempts=max_attempts)
    resp = sts.assume_role(RoleArn=f"arn:{partition}:iam::{account}:role/{role_name}",
                           RoleSessionName="sagemaker-isolation-overview")
    return resp["Credentials"]


def _list_domains(sm, account: str, region: str, limits: PageLimits) -> list[DomainRef]:
    """Every domain of one account and Region (``sagemaker:ListDomains``, bounded)."""

    def fetch(token):
        args = {"MaxResults": 100}
        if token:
            args["NextToken"] = token
        return sm.list_domains(**args)

    out: list[DomainRef] = []
    for page in bounded_pages(fetch, operation="sagemaker:ListDomains", items_key="Domains",
                              limits=limits):
        for d in page.get("Domains") or ():
            did, arn = d.get("DomainId"), d.get("DomainArn")
            if not did or not arn:
                continue
            parts = arn.split(":")
            out.append(DomainRef(did, arn, d.get("DomainName"),
                                 parts[3] if len(parts) > 5 and parts[3] else region,
                                 parts[4] if len(parts) > 5 and parts[4] else account))
    return out


@dataclass
class _Scope:
    account: str
    region: str
    session: boto3.Session
    clients: dict
    domains: list = field(default_factory=list)
    described: dict = field(default_factory=dict)
    failed: dict = field(default_factory=dict)


def collect_all_domains(
    ctx: AwsContext,
    *,
    regions: list[str] | None = None,
    all_regions: bool = False,
    accounts: list[str] | None = None,
    org: bool = False,
    assume_role: str = DEFAULT_ASSUME_ROLE,
    session: boto3.Session | None = None,
    progress: ProgressFn | None = None,
    max_workers: int = DEFAULT_MAX_WORKERS,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    limits: PageLimits | None = None,
    share: bool = True,
) -> Collected:
    """Read every SageMaker domain of the caller's account (and others) in some Regions.

    Args:
        ctx: profile, endpoint URL and default Region (``domain_id`` is ignored).
        regions: the Regions to list (default ``[ctx.region]``).
        all_regions: list every Region of :func:`available_regions` instead.
        accounts: other account ids to enter (``--accounts FILE``); the caller's own is always
            read with the caller's credentials.
        org: add the organization's accounts (``organizations:ListAccounts``).
        assume_role: role name assumed in the other accounts.
        session: the caller's boto3 Session (default :func:`session.make_session`).
        progress: ``progress(stage, done, total)``; stages ``accounts``, ``regions``
            (account/Region listings done), ``domains`` (domains read).
        max_workers: threads for listings and for domains (>= 1).
        max_attempts: attempts per call (adaptive retries).
        limits: paging bounds of every listing.
        share: use the run-level cache (roles and managed policies read once per run, each
            domain described once). False: every domain is collected as a check of it alone
            would (the benchmark's "caches off" figure).

    Returns:
        :class:`Collected`.

    Raises:
        AwsUnreachable: no credentials, the profile is not configured, or
            ``sts:GetCallerIdentity`` failed (nothing can be read at all).
        ValueError: a bad role name.
    """
    started = time.monotonic()
    if not is_role_name(assume_role):
        raise ValueError(f"--assume-role {assume_role!r} is not an IAM role name")
    run = _Run(ctx, progress, max(1, int(max_workers)), max_attempts,
               limits or PageLimits.from_env(), share)
    base = run.counter.attach(session or make_session(ctx))
    me, partition = _caller(base, ctx, run.counter, max_attempts)
    run.out.regions = (available_regions(partition) if all_regions
                       else list(dict.fromkeys(regions or [ctx.region])))
    creds = run.enter_accounts(base, me, partition, accounts, org, assume_role)
    # A Region SageMaker does not serve in the partition is an error row per account, without
    # a call (no endpoint to reach: AWS ends it as EndpointConnectionError, a local AWS as an
    # HTML 500 page).
    unknown = {r: m for r in run.out.regions
               if (m := unknown_region_message(r, partition)) is not None}
    for acct in run.out.accounts:
        if acct in creds:
            for region, message in unknown.items():
                run.error({"account_id": acct, "region": region,
                           "operation": "sagemaker:ListDomains", "code": "UnknownRegion",
                           "message": message})
    scopes = run.make_scopes(base, creds, skip=set(unknown))
    run.list_scopes(scopes)
    run.read_domains(scopes)
    out = run.out
    out.api_calls = run.counter.to_json()
    out.cache = {"reads": dict(run.cache.reads), "hits": dict(run.cache.hits)}
    out.seconds = round(time.monotonic() - started, 3)
    return out


class _Run:
    """The state of one :func:`collect_all_domains` run and its steps."""

    def __init__(self, ctx: AwsContext, progress: ProgressFn | None, max_workers: int,
                 max_attempts: int, limits: PageLimits, share: bool) -> None:
        self.ctx, self.progress, self.max_workers = ctx, progress, max_workers
        self.max_attempts, self.limits, self.share = max_attempts, limits, share
        self.counter = CallCounter()
        self.cache = RunCache()
        self.out = Collected()
        self.lock = threading.Lock()

    def report(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def error(self, row: dict) -> None:
        with self.lock:
            self.out.errors.append(row)

    def enter_accounts(self, base: boto3.Session, me: str, partition: str,
                       accounts: list[str] | None, org: bool,
                       assume_role: str) -> dict[str, dict | None]:
        """``{account: credentials | None (the caller's)}`` of the accounts that let us in."""
        others: list[str] = [a for a in (accounts or ()) if a != me]
        if org:
            try:
                for a in _org_accounts(base, self.ctx, self.limits, self.max_attempts):
                    if a != me and a not in others:
                        others.append(a)
            except ListingIncomplete as exc:
                self.error({"account_id": me, "region": None,
                            "operation": "organizations:ListAccounts", "code": exc.code,
                            "message": exc.message})
            except _CALL_ERRORS as exc:
                self.error(_row(me, None, "organizations:ListAccounts", exc))
        self.out.accounts = [me] + others
        creds: dict[str, dict | None] = {me: None}
        self.report("accounts", 1, len(self.out.accounts))
        for i, acct in enumerate(others, 2):
            try:
                creds[acct] = _assume(base, self.ctx, acct, assume_role, partition,
                                      self.max_attempts)
            except _CALL_ERRORS as exc:
                self.error(_row(acct, None, "sts:AssumeRole", exc))
            self.report("accounts", i, len(self.out.accounts))
        return creds

    def make_scopes(self, base: boto3.Session, creds: dict,
                    skip: set | frozenset = frozenset()) -> list[_Scope]:
        """One session and one set of clients per (account, Region), made in this thread;
        Regions in ``skip`` are left out."""
        scopes: list[_Scope] = []
        for acct in self.out.accounts:
            if acct not in creds:
                continue
            c = creds[acct]
            for region in self.out.regions:
                if region in skip:
                    continue
                if c is None:
                    s = base if base.region_name == region else make_session(
                        replace(self.ctx, region=region))
                else:
                    s = boto3.Session(aws_access_key_id=c["AccessKeyId"],
                                      aws_secret_access_key=c["SecretAccessKey"],
                                      aws_session_token=c["SessionToken"], region_name=region)
                self.counter.attach(s)
                clients = {svc: client(s, svc, self.ctx.endpoint_url,
                                       max_attempts=self.max_attempts)
                           for svc in ("sagemaker", "iam", "sts")}
                scopes.append(_Scope(acct, region, s, clients))
        return scopes

    def _list_scope(self, sc: _Scope, listed: list, total: int) -> None:
        try:
            sc.domains = _list_domains(sc.clients["sagemaker"], sc.account, sc.region,
                                       self.limits)
        except ListingIncomplete as exc:
            self.error({"account_id": sc.account, "region": sc.region,
                        "operation": "sagemaker:ListDomains", "code": exc.code,
                        "message": exc.message})
            return
        except (NoCredentialsError, PartialCredentialsError, *_CALL_ERRORS) as exc:
            self.error(_row(sc.account, sc.region, "sagemaker:ListDomains", exc))
            return
        finally:
            with self.lock:
                listed.append(sc)
                self.report("regions", len(listed), total)
        with self.lock:
            self.out.scopes_read.append((sc.account, sc.region))
        for d in sc.domains:
            try:
                sc.described[d.id] = sc.clients["sagemaker"].describe_domain(DomainId=d.id)
            except _CALL_ERRORS as exc:
                sc.failed[d.id] = _row(sc.account, sc.region, "sagemaker:DescribeDomain", exc)

    def list_scopes(self, scopes: list[_Scope]) -> None:
        """ListDomains + DescribeDomain of every scope, at most ``max_workers`` at once."""
        listed: list = []
        with ThreadPoolExecutor(max_workers=min(self.max_workers, max(1, len(scopes))),
                                thread_name_prefix="overview-list") as pool:
            list(pool.map(lambda sc: self._list_scope(sc, listed, len(scopes)), scopes))

    def _unreadable(self, d: DomainRef, err: dict) -> None:
        err = {**err, "message": f"domain {d.arn}: {err['message']}"}
        self.error(err)
        self.out.unreadable.append((d.to_json(), err))

    def read_domains(self, scopes: list[_Scope]) -> None:
        """Each described domain's snapshot (run cache shared), at most ``max_workers`` at once;
        a domain that cannot be read becomes an unreadable row and an error row."""
        jobs: list[tuple[_Scope, DomainRef]] = []
        for sc in scopes:
            for d in sc.domains:
                if d.id in sc.described:
                    jobs.append((sc, d))
                else:
                    self._unreadable(d, sc.failed.get(d.id) or {
                        "account_id": sc.account, "region": sc.region,
                        "operation": "sagemaker:DescribeDomain", "code": "Unknown",
                        "message": "not described"})
        done = [0]

        def read(job: tuple[_Scope, DomainRef]):
            sc, d = job
            try:
                result = ("ok", self._collect(sc, d))
            except AwsUnreachable as exc:
                result = ("error", {"account_id": sc.account, "region": sc.region,
                                    "operation": exc.operation or "sagemaker:DescribeDomain",
                                    "code": exc.code or exc.reason, "message": exc.message})
            with self.lock:
                done[0] += 1
                self.report("domains", done[0], len(jobs))
            return d, result

        self.report("domains", 0, len(jobs))
        with ThreadPoolExecutor(max_workers=min(self.max_workers, max(1, len(jobs))),
                                thread_name_prefix="overview-domain") as pool:
            results = list(pool.map(read, jobs))
        for d, (kind, value) in results:
            if kind == "ok":
                self.out.snapshots.append(value)
            else:
                self._unreadable(d, value)

    def _collect(self, sc: _Scope, d: DomainRef) -> dict:
        dctx = replace(self.ctx, domain_id=d.id, region=sc.region, source="cli",
                       detail=f"account overview: account {sc.account}, Region {sc.region}")
        if not self.share:
            return collect_snapshot(dctx, session=sc.session, clients=sc.clients,
                                    max_attempts=self.max_attempts, limits=self.limits)
        shared = [
            {"arn": desc.get("DomainArn") or o.arn, "name": desc.get("DomainName") or o.name,
             "execution_roles": [r for r in (
                 (desc.get("DefaultUserSettings") or {}).get("ExecutionRole"),
                 (desc.get("DefaultSpaceSettings") or {}).get("ExecutionRole")) if r]}
            for o in sc.domains if (desc := sc.described.get(o.id)) is not None
        ]
        return collect_snapshot(dctx, session=sc.session, clients=sc.clients,
                                run_cache=self.cache, described=sc.described[d.id],
                                account_domains=shared, max_attempts=self.max_attempts,
                                limits=self.limits)
