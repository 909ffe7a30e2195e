"""Collect a Snapshot of one SageMaker domain: its execution roles and their policies.

The only module that reads AWS for a check. Calls made (SageMaker API reference and IAM API
reference):

- ``sagemaker:DescribeDomain`` -> domain id, ARN, name, ``DefaultUserSettings.ExecutionRole``,
  ``DefaultSpaceSettings.ExecutionRole``, ``DefaultUserSettings.StudioWebPortal`` and
  ``DefaultUserSettings.DefaultLandingUri`` (the default experience);
- ``sagemaker:ListUserProfiles`` (paginated, ``DomainIdEquals``) and
  ``sagemaker:DescribeUserProfile`` for each -> ``UserSettings.ExecutionRole`` (and its
  ``StudioWebPortal`` / ``DefaultLandingUri`` when the profile overrides them) (None: the
  profile uses the domain default);
- for each distinct role: ``iam:GetRole`` (``PermissionsBoundary``),
  ``iam:ListAttachedRolePolicies`` (paginated), ``iam:ListRolePolicies`` (paginated) +
  ``iam:GetRolePolicy`` each;
- for each distinct managed policy (attached or boundary), once: ``iam:GetPolicy``
  (``DefaultVersionId``) + ``iam:GetPolicyVersion``.

The account id comes from the domain ARN (``sts:GetCallerIdentity`` only if the ARN lacks it).

Failure policy: a failure of DescribeDomain, missing credentials or an unreachable endpoint raise
:class:`AwsUnreachable` (nothing can be judged). Every other failed call (AccessDenied, throttling
past retries, HTTP 5xx / not implemented, unparsable response, timeout, connection error) is
recorded in the Snapshot's ``errors`` and what depends on it is marked incomplete
(``roles[arn].complete = false``, ``user_profiles[i].complete = false``); it never raises.
Expired credentials (``ExpiredToken``) raise :class:`AwsUnreachable` at the first occurrence.
Every listing is bounded by ``aws/paging.py``: a listing stopped by a bound (a repeated token,
50 empty pages, 2,000 pages or 300 s) is recorded like a failed call with code
``ListingIncomplete`` (``operation`` the listing, ``target`` the domain ARN for
``ListUserProfiles``, the role ARN for the role listings), so the verdict cannot be isolated.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from sagemaker_isolation_ext.aws.errors import AwsUnreachable
from sagemaker_isolation_ext.aws.paging import ListingIncomplete, PageLimits, bounded_pages
from sagemaker_isolation_ext.aws.session import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_READ_TIMEOUT,
    client,
    make_session,
)
from sagemaker_isolation_ext.aws.target import AwsContext

__all__ = [
    "collect_snapshot",
    "decode_policy_document",
    "AwsUnreachable",
    "ProgressFn",
    "RunCache",
    "Collector",
    "describe_domain",
    "parse_arn",
    "read_policy",
    "read_role",
    "role_name",
]

ProgressFn = Callable[[str, int, int], None]

SCHEMA_VERSION = 1  # keep equal to sagemaker_isolation_ext.sagemaker.snapshot.SCHEMA_VERSION

_DOMAIN_NOT_FOUND = {"ResourceNotFound", "ValidationException", "ValidationError"}
_ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
_BAD_CREDENTIALS = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
}
#: Expired temporary credentials: every later call would fail the same way, so the check stops.
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}
_UNREACHABLE = (EndpointConnectionError, ConnectTimeoutError, ConnectionClosedError)
# ResponseParserError is a plain Exception in botocore (not a BotoCoreError): moto answers an
# unimplemented operation with an HTML 500 page, which ends as this.
_CALL_ERRORS = (ClientError, BotoCoreError, ResponseParserError)
_MAX_MESSAGE = 500


_TITLE_RE = re.compile(r"<title>([^<]{1,200})</title>", re.IGNORECASE)
#: What a web page given as an error message is called when it has no ``<title>``.
WEB_PAGE = "the endpoint answered with a web page, not an AWS error"


def looks_like_markup(text: str) -> bool:
    """True when ``text`` is an HTML/XML page (a proxy's or a local AWS's error page) rather
    than an AWS error message."""
    head = str(text).lstrip()[:200].lower()
    return head.startswith("<") or "<html" in head or "<!doctype" in head


def page_title(text: str) -> str:
    """The ``<title>`` of a web page given as an error message, else :data:`WEB_PAGE`."""
    title = _TITLE_RE.search(str(text))
    return " ".join(title.group(1).split()) if title else WEB_PAGE


def error_code_message(exc: Exception) -> tuple[str, str]:
    """``(code, message)`` of a botocore exception: the AWS error code, or the exception class
    name for client-side failures (``EndpointConnectionError``, ``ReadTimeoutError``,
    ``ResponseParserError``...). The message is one line; a web page given as the message (moto
    answers an unknown Region or an unimplemented call with an HTML 500 page) becomes
    ``"the endpoint answered HTTP <status> with a web page, not an AWS error: <title>"``."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {}) or {}
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = err.get("Code") or (f"HTTP{status}" if status else "ClientError")
        message = str(err.get("Message") or exc)
        if looks_like_markup(message):
            title = page_title(message)
            message = (f"the endpoint answered HTTP {status} with a web page, not an AWS error"
                       if status else WEB_PAGE) + ("" if title == WEB_PAGE else f": {title}")
        return str(code), _clip(message)
    if isinstance(exc, ResponseParserError) and looks_like_markup(str(exc).split("\n", 1)[-1]):
        return type(exc).__name__, _clip(f"{WEB_PAGE}: {page_title(str(exc))}")
    return type(exc).__name__, _clip(str(exc))


def _clip(message: str) -> str:
    """One line, at most ``_MAX_MESSAGE`` characters (moto's 500 pages are whole HTML docs)."""
    message = " ".join(message.split())
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


def decode_policy_document(document: Any) -> dict:
    """A policy document as a dict.

    IAM returns documents URL-encoded (RFC 3986) in its XML answers; botocore usually decodes
    them already (its ``json_decode_policies`` handler), but a string may still arrive.

    Args:
        document: dict (returned as is), JSON string, or URL-encoded JSON string.

    Returns:
        The document dict.

    Raises:
        ValueError: not a JSON object after decoding.
    """
    if isinstance(document, dict):
        return document
    if isinstance(document, (bytes, bytearray)):
        document = document.decode("utf-8")
    if not isinstance(document, str):
        raise ValueError(f"policy document is a {type(document).__name__}, expected an object")
    # Plain JSON first: URL-encoded JSON ("%7B...") never parses as JSON, while unquoting plain
    # JSON could alter a literal "%41" inside a condition value.
    candidates = [document]
    decoded = unquote(document)
    if decoded != document:
        candidates.append(decoded)
    last: Exception | None = None
    for text in candidates:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as e:
            last = e
            continue
        if isinstance(value, dict):
            return value
        last = ValueError(f"policy document is a JSON {type(value).__name__}, expected an object")
    raise ValueError(f"policy document is not a JSON object: {last}")


def parse_arn(arn: str | None) -> dict | None:
    """Split ``arn:partition:service:region:account:resource`` or return None."""
    if not isinstance(arn, str):
        return None
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return {
        "partition": parts[1],
        "service": parts[2],
        "region": parts[3],
        "account": parts[4],
        "resource": parts[5],
    }


def role_name(role_arn: str) -> str | None:
    """Role name (last path segment) of ``arn:<p>:iam::<account>:role/<path/>name``, or None."""
    parsed = parse_arn(role_arn)
    if not parsed or parsed["service"] != "iam" or not parsed["resource"].startswith("role/"):
        return None
    name = parsed["resource"].rsplit("/", 1)[-1]
    return name or None


class Collector:
    """One collection run: clients, the errors list and the call wrapper.

    Also used by ``aws/evidence.py`` (``explain``) and ``aws/apply.py``, together with
    :func:`describe_domain`, :func:`read_role` and :func:`read_policy`: keep these signatures
    stable.
    """

    def __init__(self, ctx: AwsContext, session: boto3.Session, progress: ProgressFn | None,
                 max_attempts: int, connect_timeout: float, read_timeout: float,
                 limits: PageLimits | None = None, clients: dict | None = None) -> None:
        self.ctx = ctx
        self.limits = limits
        self.progress = progress
        opts = dict(
            max_attempts=max_attempts, connect_timeout=connect_timeout, read_timeout=read_timeout
        )
        self.session = session
        self._opts = opts
        clients = clients or {}
        self.sm = clients.get("sagemaker") or client(session, "sagemaker", ctx.endpoint_url,
                                                     **opts)
        self.iam = clients.get("iam") or client(session, "iam", ctx.endpoint_url, **opts)
        self.errors: list[dict] = []

    def report(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)

    def record(self, operation: str, target: str | None, code: str, message: str,
               **extra: Any) -> dict:
        entry = {"operation": operation, "target": target, "code": code, "message": message}
        entry.update(extra)
        self.errors.append(entry)
        return entry

    def call(self, operation: str, target: str | None, fn: Callable[[], Any]) -> tuple[Any, bool]:
        """Run ``fn``; on a botocore failure, or a listing stopped by a paging bound, record it
        and return ``(None, False)``.

        Raises:
            AwsUnreachable: no credentials, or expired credentials (reason
                ``credentials-rejected``): the check stops at the first ``ExpiredToken``.
        """
        try:
            return fn(), True
        except (NoCredentialsError, PartialCredentialsError) as e:
            raise _no_credentials(e) from None
        except ListingIncomplete as e:
            self.record(operation, target, e.code, e.message, reason=e.reason, pages=e.pages)
            return None, False
        except _CALL_ERRORS as e:
            code, message = error_code_message(e)
            if code in _EXPIRED:
                raise AwsUnreachable(
                    f"AWS rejected the credentials as expired ({code}: {message}) at "
                    f"{operation}; the check stopped there. Refresh the credentials and run "
                    "it again.",
                    reason="credentials-rejected",
                    operation=operation,
                    code=code,
                ) from None
            self.record(operation, target, code, message)
            return None, False

    def paginate(self, svc, op: str, key: str, **kwargs: Any) -> list:
        """All items under ``key`` of every page of paginated operation ``op`` (a boto3 method
        name), read with ``aws.paging.bounded_pages``.

        Raises:
            ListingIncomplete: a paging bound stopped the listing (``call`` records it).
            botocore errors of a call.
        """
        model = svc.meta.service_model
        api = svc.meta.method_to_api_mapping.get(op, op)
        token_in = "Marker" if model.service_name == "iam" else "NextToken"

        def fetch(token):
            args = dict(kwargs)
            if token:
                args[token_in] = token
            return getattr(svc, op)(**args)

        items: list = []
        for page in bounded_pages(fetch, operation=f"{model.signing_name}:{api}",
                                  token_key=token_in, items_key=key, limits=self.limits):
            items.extend(page.get(key) or [])
        return items


class RunCache:
    """What one run over several domains reads once: roles and managed policies (thread-safe).

    A role (``GetRole`` + the role's policy listings) and a managed policy (``GetPolicy`` for its
    default version + ``GetPolicyVersion``) are read by the first domain that needs them; a
    domain running at the same time waits for that read instead of repeating it. Each hit gets a
    deep copy of the result and a copy of the ``errors`` entries the read recorded, so every
    snapshot stays complete on its own (the same as a check of that domain alone).

    Attributes:
        reads: ``{kind: reads made}`` (``role``, ``policy``); ``hits``: ``{kind: reads saved}``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done: dict = {}
        self._pending: dict = {}
        self.reads: dict[str, int] = {}
        self.hits: dict[str, int] = {}

    def read(self, col: Collector, key: tuple, fn: Callable[[], Any]) -> Any:
        """``fn()`` once per ``key`` per run; its errors are replayed into ``col.errors``.

        Raises:
            whatever ``fn`` raises (``AwsUnreachable``); a later caller then reads again.
        """
        while True:
            with self._lock:
                if key in self._done:
                    value, errors = self._done[key]
                    self.hits[key[0]] = self.hits.get(key[0], 0) + 1
                    col.errors.extend(copy.deepcopy(errors))
                    return copy.deepcopy(value)
                event = self._pending.get(key)
                if event is None:
                    event = self._pending[key] = threading.Event()
                    break
            event.wait()
        # This thread reads; the errors it records go to a private list first.
        own, col.errors = col.errors, []
        try:
            value = fn()
            errors = col.errors
            with self._lock:
                self._done[key] = (copy.deepcopy(value), copy.deepcopy(errors))
                self.reads[key[0]] = self.reads.get(key[0], 0) + 1
            return value
        finally:
            own.extend(col.errors)
            col.errors = own
            with self._lock:
                self._pending.pop(key, None)
            event.set()


def _no_credentials(e: Exception) -> AwsUnreachable:
    return AwsUnreachable(
        f"No AWS credentials found ({e}). Configure credentials (aws configure, AWS_PROFILE, "
        "or an instance/Studio role) or pass --profile.",
        reason="no-credentials",
        code=type(e).__name__,
    )


def describe_domain(col: Collector) -> dict:
    """``sagemaker:DescribeDomain`` on ``col.ctx.domain_id``: the API's response dict.

    Raises:
        AwsUnreachable: no credentials, endpoint unreachable or slow, domain not found, the call
            denied or failed (``reason`` says which; ``operation`` is the call).
    """
    ctx = col.ctx
    op = "sagemaker:DescribeDomain"
    try:
        return col.sm.describe_domain(DomainId=ctx.domain_id)
    except (NoCredentialsError, PartialCredentialsError) as e:
        raise _no_credentials(e) from None
    except _UNREACHABLE as e:
        raise AwsUnreachable(
            f"The SageMaker endpoint for {ctx.region} cannot be reached ({e}). Check the network, "
            "the Region, and AWS_ENDPOINT_URL / --endpoint-url.",
            reason="endpoint-unreachable",
            operation=op,
            code=type(e).__name__,
        ) from None
    except ReadTimeoutError as e:
        raise AwsUnreachable(
            f"The SageMaker endpoint for {ctx.region} did not answer DescribeDomain in time ({e}).",
            reason="endpoint-unreachable",
            operation=op,
            code=type(e).__name__,
        ) from None
    except ClientError as e:
        code, message = error_code_message(e)
        if code in _DOMAIN_NOT_FOUND:
            raise AwsUnreachable(
                f"Domain {ctx.domain_id} not found in {ctx.region} ({code}: {message}). Check the "
                "domain id and the Region.",
                reason="domain-not-found",
                operation=op,
                code=code,
            ) from None
        if code in _ACCESS_DENIED:
            raise AwsUnreachable(
                f"sagemaker:DescribeDomain on {ctx.domain_id} was denied ({message}). The "
                "credentials in use need sagemaker:DescribeDomain to check a domain.",
                reason="access-denied",
                operation=op,
                code=code,
            ) from None
        if code in _BAD_CREDENTIALS:
            raise AwsUnreachable(
                f"AWS rejected the credentials ({code}: {message}).",
                reason="credentials-rejected",
                operation=op,
                code=code,
            ) from None
        raise AwsUnreachable(
            f"sagemaker:DescribeDomain on {ctx.domain_id} failed ({code}: {message}).",
            reason="aws-error",
            operation=op,
            code=code,
        ) from None
    except (BotoCoreError, ResponseParserError) as e:
        code, message = error_code_message(e)
        raise AwsUnreachable(
            f"sagemaker:DescribeDomain on {ctx.domain_id} failed ({code}: {message}).",
            reason="aws-error",
            operation=op,
            code=code,
        ) from None


def _user_profiles(col: Collector, domain_id: str, domain_arn: str, partition: str,
                   region: str, account: str | None) -> list[dict]:
    items, ok = col.call(
        "sagemaker:ListUserProfiles",
        domain_arn,
        lambda: col.paginate(col.sm, "list_user_profiles", "UserProfiles",
                             DomainIdEquals=domain_id),
    )
    if not ok:
        return []
    names = sorted({
        p["UserProfileName"]
        for p in items
        if isinstance(p, dict) and p.get("UserProfileName")
        and p.get("DomainId", domain_id) == domain_id
    })
    profiles: list[dict] = []
    col.report("user-profiles", 0, len(names))
    for i, name in enumerate(names, 1):
        target = (f"arn:{partition}:sagemaker:{region}:{account or ''}:"
                  f"user-profile/{domain_id}/{name}")
        resp, ok = col.call(
            "sagemaker:DescribeUserProfile",
            target,
            lambda name=name: col.sm.describe_user_profile(DomainId=domain_id,
                                                           UserProfileName=name),
        )
        entry: dict = {"name": name, "execution_role": None}
        if ok:
            settings = (resp or {}).get("UserSettings") or {}
            entry["execution_role"] = settings.get("ExecutionRole") or None
            # The profile's own experience settings (absent: the domain's DefaultUserSettings
            # apply; SageMaker API Reference, UserSettings).
            for api, key in (("StudioWebPortal", "studio_web_portal"),
                             ("DefaultLandingUri", "default_landing_uri")):
                if isinstance(settings.get(api), str) and settings[api]:
                    entry[key] = settings[api]
        else:
            entry["complete"] = False
        profiles.append(entry)
        col.report("user-profiles", i, len(names))
    return profiles


def read_role(col: Collector, role_arn: str) -> dict:
    """Read one role as the snapshot's ``roles[arn]`` entry: ``{"arn", "name",
    "attached_policies": [policy ARN], "inline_policies": [{"name", "document"}],
    "permissions_boundary": ARN | None, "complete": bool}`` (``iam:GetRole``,
    ``iam:ListAttachedRolePolicies``, ``iam:ListRolePolicies``, ``iam:GetRolePolicy``).

    A failed call is recorded in ``col.errors`` and makes ``complete`` False; never raises for
    an AWS error answer.
    """
    name = role_name(role_arn)
    role: dict = {
        "arn": role_arn,
        "name": name or role_arn.rsplit("/", 1)[-1],
        "attached_policies": [],
        "inline_policies": [],
        "permissions_boundary": None,
        "complete": True,
    }
    if name is None:
        col.record("iam:GetRole", role_arn, "InvalidRoleArn",
                   f"{role_arn!r} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
        role["complete"] = False
        return role

    resp, ok = col.call("iam:GetRole", role_arn, lambda: col.iam.get_role(RoleName=name))
    if ok:
        boundary = ((resp or {}).get("Role") or {}).get("PermissionsBoundary") or {}
        role["permissions_boundary"] = boundary.get("PermissionsBoundaryArn") or None
    else:
        role["complete"] = False

    attached, ok = col.call(
        "iam:ListAttachedRolePolicies", role_arn,
        lambda: col.paginate(col.iam, "list_attached_role_policies", "AttachedPolicies",
                             RoleName=name),
    )
    if ok:
        seen: list[str] = []
        for p in attached:
            arn = p.get("PolicyArn") if isinstance(p, dict) else None
            if arn and arn not in seen:
                seen.append(arn)
        role["attached_policies"] = seen
    else:
        role["complete"] = False

    inline_names, ok = col.call(
        "iam:ListRolePolicies", role_arn,
        lambda: col.paginate(col.iam, "list_role_policies", "PolicyNames", RoleName=name),
    )
    if not ok:
        role["complete"] = False
        inline_names = []
    for pname in sorted(set(inline_names)):
        resp, ok = col.call(
            "iam:GetRolePolicy", role_arn,
            lambda pname=pname: col.iam.get_role_policy(RoleName=name, PolicyName=pname),
        )
        if not ok:
            role["complete"] = False
            continue
        try:
            doc = decode_policy_document((resp or {}).get("PolicyDocument"))
        except ValueError as e:
            col.record("iam:GetRolePolicy", role_arn, "MalformedPolicyDocument",
                       f"inline policy {pname!r}: {e}")
            role["complete"] = False
            continue
        role["inline_policies"].append({"name": pname, "document": doc})
    return role


def read_policy(col: Collector, policy_arn: str) -> dict | None:
    """Read a managed policy's default version (``iam:GetPolicy``, ``iam:GetPolicyVersion``):
    ``{"arn", "name", "version_id", "document"}``, or None when it could not be read (the
    failure is recorded in ``col.errors``)."""
    resp, ok = col.call("iam:GetPolicy", policy_arn,
                        lambda: col.iam.get_policy(PolicyArn=policy_arn))
    if not ok:
        return None
    pol = (resp or {}).get("Policy") or {}
    version = pol.get("DefaultVersionId")
    name = pol.get("PolicyName") or policy_arn.rsplit("/", 1)[-1]
    if not version:
        col.record("iam:GetPolicy", policy_arn, "MissingDefaultVersion",
                   "GetPolicy returned no DefaultVersionId")
        return None
    resp, ok = col.call(
        "iam:GetPolicyVersion", policy_arn,
        lambda: col.iam.get_policy_version(PolicyArn=policy_arn, VersionId=version),
    )
    if not ok:
        return None
    try:
        doc = decode_policy_document(((resp or {}).get("PolicyVersion") or {}).get("Document"))
    except ValueError as e:
        col.record("iam:GetPolicyVersion", policy_arn, "MalformedPolicyDocument", str(e))
        return None
    return {"arn": policy_arn, "name": name, "version_id": version, "document": doc}


#: At most this many other domains are described to find shared execution roles.
MAX_OTHER_DOMAINS = 100


def _account_domains(col: Collector, domain_arn: str, domain: dict,
                     listed_already: list[dict] | None = None) -> list[dict]:
    """The account's domains in this Region with their default execution roles.

    ``ListDomains`` then ``DescribeDomain`` for each other domain (at most
    :data:`MAX_OTHER_DOMAINS`); failures go into ``errors`` and only cost the
    ``role-shared-between-domains`` finding its evidence, never a verdict. User profiles of
    other domains are not listed (their roles are not compared). With ``listed_already`` (the
    overview's run listed and described the Region's domains) no call is made.

    Returns:
        ``[{"arn", "name", "execution_roles": [role arn, ...]}]``, this domain first.
    """
    own = [r for r in (domain["default_user_execution_role"],
                       domain["default_space_execution_role"]) if r]
    out = [{"arn": domain_arn, "name": domain.get("name"), "execution_roles": own}]
    if listed_already is not None:
        return out + [copy.deepcopy(d) for d in listed_already if d.get("arn") != domain_arn]
    listed, ok = col.call(
        "sagemaker:ListDomains", domain_arn,
        lambda: col.paginate(col.sm, "list_domains", "Domains"),
    )
    if not ok:
        return out
    for item in (listed or [])[:MAX_OTHER_DOMAINS]:
        did, arn = item.get("DomainId"), item.get("DomainArn")
        if not did or arn == domain_arn:
            continue
        desc, ok = col.call(
            "sagemaker:DescribeDomain", arn, lambda did=did: col.sm.describe_domain(DomainId=did)
        )
        if not ok:
            continue
        roles = [
            (desc.get("DefaultUserSettings") or {}).get("ExecutionRole"),
            (desc.get("DefaultSpaceSettings") or {}).get("ExecutionRole"),
        ]
        out.append({"arn": arn, "name": desc.get("DomainName"),
                    "execution_roles": [r for r in roles if r]})
    return out


def _read_roles(col: Collector, role_arns: list[str],
                run_cache: RunCache | None = None) -> dict[str, dict]:
    """Each role of ``role_arns`` read (once per run with ``run_cache``), by ARN."""
    roles: dict[str, dict] = {}
    col.report("roles", 0, len(role_arns))
    for i, arn in enumerate(role_arns, 1):
        if run_cache is None:
            roles[arn] = read_role(col, arn)
        else:
            roles[arn] = run_cache.read(col, ("role", arn), lambda arn=arn: read_role(col, arn))
        col.report("roles", i, len(role_arns))
    return roles


def _read_policies(col: Collector, roles: dict[str, dict],
                   run_cache: RunCache | None = None) -> dict[str, dict]:
    """Each distinct managed policy of ``roles`` once (attached or boundary), by ARN (once per
    run with ``run_cache``).

    A policy that cannot be read marks every role that depends on it incomplete, with an
    error naming the policy.
    """
    # Each distinct managed policy once, attached or boundary; remember who depends on it.
    dependents: dict[str, list[tuple[str, str]]] = {}
    for arn, role in roles.items():
        for p in role["attached_policies"]:
            dependents.setdefault(p, []).append((arn, "attached"))
        if role["permissions_boundary"]:
            dependents.setdefault(role["permissions_boundary"], []).append((arn, "boundary"))
    policies: dict[str, dict] = {}
    col.report("policies", 0, len(dependents))
    for i, (parn, users) in enumerate(dependents.items(), 1):
        n_errors = len(col.errors)
        if run_cache is None:
            pol = read_policy(col, parn)
        else:
            pol = run_cache.read(col, ("policy", parn), lambda parn=parn: read_policy(col, parn))
        if pol is not None:
            policies[parn] = pol
        else:
            cause = col.errors[-1] if len(col.errors) > n_errors else None
            for role_arn, kind in users:
                roles[role_arn]["complete"] = False
                col.record(
                    cause["operation"] if cause else "iam:GetPolicyVersion",
                    role_arn,
                    cause["code"] if cause else "Unknown",
                    f"{'permissions boundary' if kind == 'boundary' else 'attached policy'} "
                    f"{parn} could not be read"
                    + (f": {cause['message']}" if cause else ""),
                    policy=parn,
                )
        col.report("policies", i, len(dependents))
    return policies


def collect_snapshot(
    ctx: AwsContext,
    progress: ProgressFn | None = None,
    *,
    session: boto3.Session | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    limits: PageLimits | None = None,
    clients: dict | None = None,
    run_cache: RunCache | None = None,
    described: dict | None = None,
    account_domains: list[dict] | None = None,
) -> dict:
    """Read one domain's execution roles and policies into a Snapshot (ARCHITECTURE.md §3).

    Args:
        ctx: the resolved context (domain id, Region, profile, endpoint URL).
        progress: optional ``progress(stage, done, total)`` callback; stages in order:
            ``"domain"``, ``"user-profiles"``, ``"roles"``, ``"policies"``; ``done``/``total``
            are item counts.
        session: a boto3 Session to use instead of :func:`make_session(ctx)` (tests register
            botocore event hooks on it).
        max_attempts, connect_timeout, read_timeout: retry attempts per call and timeouts in
            seconds (see :mod:`sagemaker_isolation_ext.aws.session`).
        limits: paging bounds of every listing (default ``PageLimits.from_env()``).
        clients: ``{"sagemaker", "iam", "sts"}`` boto3 clients to use instead of new ones from
            ``session`` (the account overview shares them between threads; clients are
            thread-safe, sessions are not).
        run_cache: a :class:`RunCache` shared by the domains of one run: each role and each
            managed policy is read once per run; a domain using a cached one gets a copy and
            the errors its reading recorded.
        described: this domain's ``DescribeDomain`` answer when the caller already has it (no
            second call).
        account_domains: the Region's domains with their default roles (``[{"arn", "name",
            "execution_roles"}]``) when the caller already listed them (no ``ListDomains`` and
            ``DescribeDomain`` per other domain).

    Returns:
        The Snapshot dict, ``source: "live"``.

    Raises:
        AwsUnreachable: no credentials, endpoint not reachable, domain not found, DescribeDomain
            denied or failed, profile not configured, credentials expired mid-way.
    """
    if session is None:
        session = make_session(ctx)
    col = Collector(ctx, session, progress, max_attempts, connect_timeout, read_timeout,
                    limits or PageLimits.from_env(), clients)

    col.report("domain", 0, 1)
    d = described if described is not None else describe_domain(col)
    domain_arn = d.get("DomainArn") or ""
    domain_id = d.get("DomainId") or ctx.domain_id
    parsed = parse_arn(domain_arn) or {}
    partition = parsed.get("partition") or "aws"
    region = parsed.get("region") or ctx.region
    account = parsed.get("account") or None
    if not account:
        sts = (clients or {}).get("sts") or client(session, "sts", ctx.endpoint_url, **col._opts)
        resp, ok = col.call("sts:GetCallerIdentity", None, sts.get_caller_identity)
        account = (resp or {}).get("Account") if ok else None
    if not domain_arn:
        domain_arn = f"arn:{partition}:sagemaker:{region}:{account or ''}:domain/{domain_id}"
    user_settings = d.get("DefaultUserSettings") or {}
    space_settings = d.get("DefaultSpaceSettings") or {}
    domain = {
        "id": domain_id,
        "arn": domain_arn,
        "name": d.get("DomainName"),
        "default_user_execution_role": user_settings.get("ExecutionRole") or None,
        "default_space_execution_role": space_settings.get("ExecutionRole") or None,
        "studio_web_portal": user_settings.get("StudioWebPortal") or None,
        "default_landing_uri": user_settings.get("DefaultLandingUri") or None,
    }
    col.report("domain", 1, 1)

    profiles = _user_profiles(col, domain_id, domain_arn, partition, region, account)

    role_arns: list[str] = []
    for arn in [domain["default_user_execution_role"], domain["default_space_execution_role"]] + [
        p["execution_role"] for p in profiles
    ]:
        if arn and arn not in role_arns:
            role_arns.append(arn)

    roles = _read_roles(col, role_arns, run_cache)
    policies = _read_policies(col, roles, run_cache)
    account_domains = _account_domains(col, domain_arn, domain, account_domains)

    return {
        "schema_version": SCHEMA_VERSION,
        "source": "live",
        "collected_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "partition": partition,
        "region": region,
        "account_id": account,
        "context": {
            "source": ctx.source,
            "detail": ctx.detail,
            "user_profile_name": ctx.user_profile_name,
            "space_name": ctx.space_name,
            "execution_role_arn": ctx.execution_role_arn,
            "app_type": ctx.app_type,
            "environment": ctx.environment,
            "environment_detail": ctx.environment_detail,
        },
        "domain": domain,
        "user_profiles": profiles,
        "roles": roles,
        "policies": policies,
        "errors": col.errors,
        "account_domains": account_domains,
    }
