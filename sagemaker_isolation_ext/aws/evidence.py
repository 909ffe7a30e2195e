"""Live, read-only evidence for explaining an AccessDenied (``sagemaker-isolation explain``).

Calls made, each with short timeouts (connect 2 s, read 5 s, 2 attempts) and an overall budget
(:data:`DEFAULT_BUDGET_SECONDS`); nothing is written:

- ``sts:GetCallerIdentity``: the probe (are there usable credentials and is the endpoint
  reachable?) and the caller's ARN, to say whether the caller is the denied principal;
- ``sagemaker:ListTags`` on the denied resource when it is a SageMaker ARN (SageMaker API
  reference, ListTags; at most :data:`MAX_TAG_PAGES` pages): its ``sagemaker:domain-arn`` tag;
- the denied principal's role, read with the collector's own functions
  (:func:`sagemaker_isolation_ext.aws.collect.read_role` / ``read_policy``: ``iam:GetRole``,
  ``iam:ListAttachedRolePolicies``, ``iam:ListRolePolicies`` + ``iam:GetRolePolicy``,
  ``iam:GetPolicy`` + ``iam:GetPolicyVersion`` for each attached policy and the boundary).

The answer is a plain dict (the ``evidence`` argument of
:func:`sagemaker_isolation_ext.sagemaker.access_denied.diagnose_denial`; shape in docs/EXPLAIN.md).
A call that fails is reported as not checked (``denied`` / ``error`` / ``not-found``), never raised.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
)
from botocore.parsers import ResponseParserError

from sagemaker_isolation_ext.aws import collect
from sagemaker_isolation_ext.aws.session import client, client_config
from sagemaker_isolation_ext.aws.target import (
    DEFAULT_METADATA_PATH,
    AwsContext,
    ContextError,
    resolve_context,
)
from sagemaker_isolation_ext.sagemaker.access_denied import (
    ParsedDenial,
    diagnose_denial,
    parse_message,
)

__all__ = [
    "DEFAULT_BUDGET_SECONDS",
    "MAX_TAG_PAGES",
    "gather_evidence",
    "current_domain_from_context",
    "explain_text",
]

#: Overall wall-clock budget for live evidence, seconds; later steps are skipped past it.
DEFAULT_BUDGET_SECONDS = 15.0
#: At most this many ListTags pages (100 tags each; a resource has at most 50 tags).
MAX_TAG_PAGES = 3
_TIMEOUTS = {"max_attempts": 2, "connect_timeout": 2.0, "read_timeout": 5.0}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
_NOT_FOUND = {"ResourceNotFound", "ResourceNotFoundException", "NoSuchEntity"}
_UNREACHABLE = (EndpointConnectionError, ConnectTimeoutError)


def _split_arn(arn: str | None) -> list[str] | None:
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return None
    parts = arn.split(":", 5)
    return parts if len(parts) == 6 else None


def _role_arn_of(principal: str | None) -> tuple[str | None, str | None]:
    """The IAM role ARN behind a principal and why not when there is none.

    ``arn:<p>:sts::<acct>:assumed-role/<Role>/<session>`` -> ``arn:<p>:iam::<acct>:role/<Role>``
    (the role's path is not in the session ARN; ``iam:GetRole`` needs only the name);
    ``arn:<p>:iam::<acct>:role/<path/>Role`` is used as is.
    """
    parts = _split_arn(principal)
    if not parts:
        return None, "the principal is not an ARN (truncated or absent in the message)"
    _, partition, service, _, account, res = parts
    if service == "sts" and res.startswith("assumed-role/"):
        segs = res.split("/")
        if len(segs) >= 2 and segs[1] and account:
            return f"arn:{partition}:iam::{account}:role/{segs[1]}", None
        return None, "the assumed-role ARN has no role name or account"
    if service == "iam" and res.startswith("role/") and account:
        return principal, None
    if service == "iam" and res.startswith("user/"):
        return None, "the principal is an IAM user; only roles' policies are read"
    return None, f"the principal is not a role ({service}:{res.split('/', 1)[0]})"


def _one_line(text: str, limit: int = 300) -> str:
    """One line, at most ``limit`` characters (a local AWS answers errors with HTML pages)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


_looks_like_markup = collect.looks_like_markup


def _code(exc: Exception) -> tuple[str, str]:
    """``(code, message)`` of a botocore exception (the class name for client-side ones); an
    HTML/XML page given as the message (a proxy's or a local AWS's 500 page) becomes its
    ``<title>`` or a short phrase: the page itself is in :func:`_error_body`."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {}) or {}
        message = str(err.get("Message") or exc)
        if _looks_like_markup(message):
            message = collect.page_title(message)
        return str(err.get("Code") or "ClientError"), _one_line(message)
    return type(exc).__name__, _one_line(exc)


def _error_line(operation: str, exc: Exception) -> str:
    """One line for a failed call: ``"<operation> failed: HTTP <status> <code>: <message>"``
    (the status only when the answer had one; the code only when it is not the bare status)."""
    code, msg = _code(exc)
    status = None
    if isinstance(exc, ClientError):
        status = (exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    head = f"HTTP {status}" if status else ""
    if code and code != str(status):
        head = f"{head} {code}".strip()
    return f"{operation} failed: {head}: {msg}" if head else f"{operation} failed: {msg}"


def _error_body(exc: Exception, limit: int = 4000) -> str | None:
    """The raw body of a failed call when it was a page rather than an AWS error (shown only on
    request: ``explain --verbose`` or the details toggle), at most ``limit`` characters."""
    if isinstance(exc, ClientError):
        message = str((exc.response.get("Error") or {}).get("Message") or "")
        if _looks_like_markup(message):
            return message[:limit]
    return None


def current_domain_from_context(ctx: AwsContext | None, account: str | None,
                                partition: str = "aws") -> dict | None:
    """``{"id", "arn", "source"}`` of the domain the user works in, from a resolved context
    (Studio metadata, --domain-id or config), or None. The ARN needs the account (from the
    caller's identity or the denied principal's ARN); without it ``arn`` is None."""
    if ctx is None or not ctx.domain_id:
        return None
    arn = (f"arn:{partition}:sagemaker:{ctx.region}:{account}:domain/{ctx.domain_id}"
           if account and ctx.region else None)
    return {"id": ctx.domain_id, "arn": arn, "source": ctx.source}


def gather_evidence(
    parsed: ParsedDenial,
    ctx: AwsContext | None = None,
    *,
    session: boto3.Session | None = None,
    region: str | None = None,
    profile: str | None = None,
    endpoint_url: str | None = None,
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
    timeouts: Mapping | None = None,
) -> dict:
    """Read the resource's tags and the principal's role policies for one denial (read-only).

    Args:
        parsed: the parsed message (:func:`parse_message`).
        ctx: the resolved context (current domain, Region, profile, endpoint) or None.
        session: a boto3 Session to use (tests); default: ``ctx.profile`` / boto3's chain.
        region: Region for SageMaker calls when the resource ARN has none (default: the
            resource's Region, then ``ctx.region``, then the session's).
        profile: AWS profile when ``ctx`` is None (default: ``ctx.profile``, boto3's chain).
        endpoint_url: one endpoint for every client (a local AWS); default ``ctx.endpoint_url``.
        budget_seconds: overall time budget (seconds); steps past it are reported as skipped.
        timeouts: ``{"max_attempts", "connect_timeout", "read_timeout"}`` overrides.

    Returns:
        ``{"mode": "live"|"offline", "why"?, "caller": {"arn", "account"}|None,
        "current_domain": {...}|None, "resource_tags": {"status", "tags", "why", "summary"},
        "principal_policies": {"status", "role", "policies", "errors", "why", "summary"},
        "calls": [{"operation", "target", "ok", "code"?}]}``. ``status`` is ``ok``,
        ``denied``, ``not-found``, ``error`` or ``skipped``. ``mode`` is ``offline`` when no
        call could be made (no credentials, unreachable endpoint); never raises for AWS errors.
    """
    opts = dict(_TIMEOUTS)
    opts.update(timeouts or {})
    start = time.monotonic()
    endpoint_url = endpoint_url or (ctx.endpoint_url if ctx else None)
    calls: list[dict] = []
    out: dict = {
        "mode": "live",
        "caller": None,
        "current_domain": None,
        "resource_tags": {"status": "skipped", "tags": None, "why": None, "summary": None},
        "principal_policies": {"status": "skipped", "role": None, "policies": {}, "errors": [],
                               "why": None, "summary": None},
        "calls": calls,
    }

    def offline(why: str) -> dict:
        out["mode"] = "offline"
        out["why"] = why
        out["resource_tags"]["why"] = out["resource_tags"]["why"] or why
        out["principal_policies"]["why"] = out["principal_policies"]["why"] or why
        out["current_domain"] = current_domain_from_context(ctx, _account_hint(parsed))
        return out

    res_parts = _split_arn(parsed.resource)
    res_region = (res_parts[3] if res_parts and res_parts[2] == "sagemaker" and res_parts[3]
                  else None)
    try:
        if session is None:
            session = boto3.Session(profile_name=(ctx.profile if ctx else None) or profile,
                                    region_name=(ctx.region if ctx else None) or region)
        if session.get_credentials() is None:
            return offline("no AWS credentials found (explained from the message alone)")
        if not session.region_name:
            # boto3 reads AWS_DEFAULT_REGION but not AWS_REGION; STS and IAM clients need a
            # Region even though IAM is global: AWS_REGION, the resource's, else us-east-1.
            env = os.environ
            fallback = ((env.get("AWS_REGION") or "").strip() or res_region or "us-east-1")
            session = boto3.Session(botocore_session=session._session, region_name=fallback)
    except ProfileNotFound as e:
        return offline(f"AWS profile not configured: {e}")

    sm_region = res_region or region or (ctx.region if ctx else None) or session.region_name \
        or "us-east-1"

    # 1. probe + caller identity
    try:
        sts = client(session, "sts", endpoint_url, **opts)
        ident = sts.get_caller_identity()
        calls.append({"operation": "sts:GetCallerIdentity", "target": None, "ok": True})
        out["caller"] = {"arn": ident.get("Arn"), "account": ident.get("Account")}
    except (NoCredentialsError, PartialCredentialsError) as e:
        return offline(f"no usable AWS credentials ({type(e).__name__})")
    except _UNREACHABLE as e:
        return offline(f"AWS endpoint not reachable ({type(e).__name__})")
    except (ClientError, BotoCoreError, ResponseParserError) as e:
        code, msg = _code(e)
        calls.append({"operation": "sts:GetCallerIdentity", "target": None, "ok": False,
                      "code": code})
        if code in ("InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
                    "UnrecognizedClientException", "SignatureDoesNotMatch"):
            return offline(f"AWS credentials rejected ({code})")
    account = (out["caller"] or {}).get("account") or _account_hint(parsed)
    partition = (res_parts or _split_arn(parsed.principal) or [None, "aws"])[1] or "aws"
    out["current_domain"] = current_domain_from_context(ctx, account, partition)

    # 2. the resource's tags
    out["resource_tags"] = _resource_tags(parsed, session, sm_region, endpoint_url, opts, calls,
                                          start, budget_seconds,
                                          (out["caller"] or {}).get("account"))

    # 3. the principal's role and policies (the collector's functions)
    out["principal_policies"] = _principal_policies(parsed, ctx, session, sm_region,
                                                    endpoint_url, opts, calls, start,
                                                    budget_seconds, out["caller"])
    return out


def _account_hint(parsed: ParsedDenial) -> str | None:
    for arn in (parsed.resource, parsed.principal):
        parts = _split_arn(arn)
        if parts and parts[4]:
            return parts[4]
    return None


def _resource_tags(parsed, session, sm_region, endpoint_url, opts, calls, start, budget,
                   caller_account: str | None = None) -> dict:
    item: dict = {"status": "skipped", "tags": None, "why": None, "summary": None}
    parts = _split_arn(parsed.resource)
    if not parts or parts[2] != "sagemaker":
        item["why"] = "the resource is not a SageMaker ARN (no SageMaker tags to read)"
        return item
    if (parsed.action or "").lower() == "sagemaker:addtags" and parsed.operation != "AddTags" \
            and (parsed.operation or "Create").startswith("Create"):
        item["why"] = ("the resource is being created (tag-on-create during "
                       f"{parsed.operation or 'a Create call'}): it has no tags to read yet")
        return item
    if "*" in parsed.resource or "?" in parsed.resource:
        item["why"] = "the resource is a wildcard, not one resource"
        return item
    if caller_account and parts[4] and parts[4] != caller_account:
        item["why"] = (f"the resource is in account {parts[4]}, but the AWS credentials here "
                       f"are for account {caller_account}: its tags were not read (run explain "
                       f"with credentials of account {parts[4]})")
        item["other_account"] = {"message": parts[4], "credentials": caller_account}
        return item
    if time.monotonic() - start > budget:
        item["why"] = "time budget spent"
        return item
    try:
        sm = session.client("sagemaker", region_name=sm_region,
                            config=client_config(**_region_opts(opts)),
                            **({"endpoint_url": endpoint_url} if endpoint_url else {}))
        tags: dict = {}
        token = None
        for _ in range(MAX_TAG_PAGES):
            kwargs = {"ResourceArn": parsed.resource, "MaxResults": 100}
            if token:
                kwargs["NextToken"] = token
            resp = sm.list_tags(**kwargs)
            for t in resp.get("Tags") or []:
                if isinstance(t, dict) and "Key" in t:
                    tags[str(t["Key"])] = str(t.get("Value", ""))
            token = resp.get("NextToken")
            if not token:
                break
        calls.append({"operation": "sagemaker:ListTags", "target": parsed.resource, "ok": True})
        item.update(status="ok", tags=tags)
        dom = tags.get("sagemaker:domain-arn")
        item["summary"] = (f"ListTags: sagemaker:domain-arn = {dom}" if dom else
                           f"ListTags: no sagemaker:domain-arn tag ({len(tags)} other tag(s))")
    except _UNREACHABLE as e:
        item.update(status="error", why=f"SageMaker endpoint not reachable ({type(e).__name__})")
    except (ClientError, BotoCoreError, ResponseParserError) as e:
        code, msg = _code(e)
        calls.append({"operation": "sagemaker:ListTags", "target": parsed.resource, "ok": False,
                      "code": code})
        low = msg.lower()
        if code in _DENIED:
            item.update(status="denied", why=f"sagemaker:ListTags was denied: {msg}")
        elif code in _NOT_FOUND or (code == "ValidationException" and (
                "not found" in low or "does not exist" in low or "could not find" in low)):
            item.update(status="not-found", why=f"the resource does not exist ({code}: {msg})")
        else:
            item.update(status="error", why=_error_line("sagemaker:ListTags", e))
            body = _error_body(e)
            if body:
                item["body"] = body
    except Exception as e:  # noqa: BLE001 - evidence is optional: any failure is "not checked"
        calls.append({"operation": "sagemaker:ListTags", "target": parsed.resource, "ok": False,
                      "code": type(e).__name__})
        item.update(status="error",
                    why=f"sagemaker:ListTags failed ({type(e).__name__}: {_one_line(e)})")
    return item


def _region_opts(opts: Mapping) -> dict:
    return {k: opts[k] for k in ("max_attempts", "connect_timeout", "read_timeout") if k in opts}


def _principal_policies(parsed, ctx, session, sm_region, endpoint_url, opts, calls, start,
                        budget, caller) -> dict:
    item: dict = {"status": "skipped", "role": None, "policies": {}, "errors": [], "why": None,
                  "summary": None}
    role_arn, why = _role_arn_of(parsed.principal)
    if role_arn is None:
        item["why"] = why
        return item
    role_account = role_arn.split(":")[4]
    caller_account = (caller or {}).get("account")
    if caller_account and role_account and caller_account != role_account:
        item["why"] = (f"the message's principal is in account {role_account}, but the AWS "
                       f"credentials here are for account {caller_account}: IAM reads roles of "
                       f"its own account only, so {role_arn} was not read (run explain with "
                       f"credentials of account {role_account})")
        item["other_account"] = {"message": role_account, "credentials": caller_account}
        return item
    if time.monotonic() - start > budget:
        item["why"] = "time budget spent"
        return item
    col_ctx = AwsContext(domain_id=(ctx.domain_id if ctx else "") or "", region=sm_region,
                         profile=ctx.profile if ctx else None, endpoint_url=endpoint_url)
    col = collect.Collector(col_ctx, session, None, opts["max_attempts"],
                            opts["connect_timeout"], opts["read_timeout"])
    try:
        role = collect.read_role(col, role_arn)
    except Exception as e:  # noqa: BLE001 - evidence is optional: any failure is "not checked"
        item.update(status="error", why=f"reading the role {role_arn} failed "
                                       f"({type(e).__name__}: {_one_line(e)})")
        return item
    policies: dict = {}
    wanted = list(role.get("attached_policies") or [])
    if role.get("permissions_boundary"):
        wanted.append(role["permissions_boundary"])
    for parn in wanted:
        if time.monotonic() - start > budget:
            col.record("iam:GetPolicy", parn, "Skipped", "time budget spent")
            role["complete"] = False
            continue
        try:
            pol = collect.read_policy(col, parn)
        except Exception as e:  # noqa: BLE001 - as above
            col.record("iam:GetPolicy", parn, type(e).__name__, _one_line(e))
            pol = None
        if pol is None:
            role["complete"] = False
        else:
            policies[parn] = pol
    for e in col.errors:
        calls.append({"operation": e["operation"], "target": e["target"], "ok": False,
                      "code": e["code"]})
    item["role"] = role
    item["policies"] = policies
    item["errors"] = col.errors
    codes = {e["code"] for e in col.errors}
    read_anything = bool(role.get("attached_policies") or role.get("inline_policies") or policies)
    if col.errors and not read_anything:
        denied = codes & _DENIED
        item["status"] = "denied" if denied else (
            "not-found" if "NoSuchEntity" in codes else "error")
        first = col.errors[0]
        message = str(first.get("message") or "")
        if _looks_like_markup(message):
            item["body"] = message[:4000]
            message = collect.page_title(message)
        item["why"] = (f"{first['operation']} failed for {role_arn}: {first['code']}: "
                       f"{_one_line(message)}")
        if item["status"] == "not-found":
            item["why"] = (f"the role {role_arn} was not found in the account of the current "
                           "credentials (another account, or deleted)")
        return item
    item["status"] = "ok"
    n_inline = len(role.get("inline_policies") or [])
    item["summary"] = (f"role {role['name']}: {len(role.get('attached_policies') or [])} attached, "
                       f"{n_inline} inline, boundary "
                       f"{role.get('permissions_boundary') or 'none'}"
                       + ("" if role.get("complete", True) else
                          f" (incomplete: {len(col.errors)} call(s) failed)"))
    same = (caller or {}).get("arn") == parsed.principal
    item["caller_is_principal"] = same
    return item


def explain_text(
    text: object,
    *,
    offline: bool = False,
    domain_id: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    endpoint_url: str | None = None,
    metadata_path: str | os.PathLike | None = DEFAULT_METADATA_PATH,
    environ: Mapping[str, str] | None = None,
    session: boto3.Session | None = None,
    catalog=None,
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
) -> dict:
    """Parse, gather live evidence (unless ``offline``) and explain one pasted message.

    The current domain comes from :func:`resolve_context` (explicit ``domain_id``, Studio's
    metadata, ``SAGEMAKER_ISOLATION_DOMAIN_ID``); it is local, so it is used offline too.
    Without one, the isolation causes say the domain is unknown.

    Args:
        text: the pasted message.
        offline: True: no AWS call at all.
        domain_id, region, profile, endpoint_url, metadata_path, environ: as
            :func:`resolve_context`.
        session: a boto3 Session for the live calls (tests).
        catalog: a Catalog (default :func:`load_catalog`).
        budget_seconds: time budget for the live evidence.

    Returns:
        :func:`diagnose_denial`'s dict plus ``"context": {"domain_id", "source", "detail"}``.

    Raises:
        ContextError: only for an explicitly given malformed ``domain_id`` / ``region`` /
            ``profile`` (reasons ``bad-domain-id`` / ``bad-region`` / ``bad-profile``): bad
            input the caller must fix.
    """
    from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

    parsed = parse_message(text)
    env = os.environ if environ is None else environ
    ctx = None
    ctx_info: dict = {"domain_id": None, "source": "none", "detail": ""}
    try:
        ctx = resolve_context(domain_id=domain_id, region=region, profile=profile,
                              endpoint_url=endpoint_url, metadata_path=metadata_path,
                              environ=env)
        ctx_info = {"domain_id": ctx.domain_id, "source": ctx.source, "detail": ctx.detail}
    except ContextError as e:
        if e.reason in ("bad-domain-id", "bad-region", "bad-profile") and (
                domain_id or region or profile):
            raise
        ctx_info["detail"] = e.message
    if offline:
        evidence = {"mode": "offline", "why": "--offline: no AWS call was made",
                    "current_domain": current_domain_from_context(ctx, _account_hint(parsed))}
    elif parsed.reason is None:
        evidence = {"mode": "offline", "why": "not an authorization error: nothing to check",
                    "current_domain": current_domain_from_context(ctx, _account_hint(parsed))}
    else:
        # The Region chain of ``check``: --region, the context's (AWS_REGION, AWS_DEFAULT_REGION,
        # the AWS config), also when no domain could be resolved.
        region = (region or (ctx.region if ctx else None)
                  or (env.get("AWS_REGION") or "").strip()
                  or (env.get("AWS_DEFAULT_REGION") or "").strip() or None)
        evidence = gather_evidence(parsed, ctx, session=session, region=region,
                                   profile=profile, endpoint_url=endpoint_url,
                                   budget_seconds=budget_seconds)
    result = diagnose_denial(parsed, evidence, catalog=catalog or load_catalog())
    result["context"] = ctx_info
    result["live"] = {k: evidence.get(k) for k in ("mode", "why", "caller", "calls")
                      if k in evidence}
    return result
