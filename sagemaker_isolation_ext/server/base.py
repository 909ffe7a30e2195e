"""The base handler of every route and the request validators (docs/ARCHITECTURE.md §6).

Every verb of every handler is decorated ``@tornado.web.authenticated`` then ``@authorized`` with
``auth_resource = "sagemaker-isolation"`` (admin routes: their own resource). Errors always answer
JSON ``{"message": str, "reason": str}``; bad input is a 400 that says what is wrong and how to fix it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from http.client import responses
from typing import Any

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado.web import HTTPError

from sagemaker_isolation_ext.sagemaker import patterns  # domain id and Region: AWS's patterns

from .jobs import ReportJobs

ROUTE_PREFIX = "sagemaker-isolation"


AUTH_RESOURCE = "sagemaker-isolation"


# AWS CLI/SDK profile names: anything printable; we refuse control characters and odd lengths.
PROFILE_RE = re.compile(r"^[\x21-\x7e][\x20-\x7e]{0,127}$")


VARIANTS = ("allow", "deny")


#: Largest JSON body any route reads (no body of ours comes near: a plan request, a tag plan,
#: an AccessDenied message; ``explain`` has its own, lower, cap).
MAX_JSON_BODY_BYTES = 1024 * 1024


def bad_request(message: str) -> HTTPError:
    """The 400 error (reason ``bad-request``) carrying ``message``, for the caller to raise."""
    return HTTPError(400, message, reason="bad-request")


def reject_unknown_fields(body: dict, allowed: set[str] | frozenset[str]) -> None:
    """Refuse a request body with fields other than ``allowed``.

    Raises:
        HTTPError(400): ``"unknown field(s) a, b; allowed: x, y"`` (both sorted).
    """
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise bad_request(
            f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def validate_domain_id(value: Any, where: str = "domain_id") -> str | None:
    """Return ``value`` if it is a valid SageMaker domain id, None for empty/None.

    Raises:
        HTTPError(400): not a string, or not of the form ``d-xxxxxxxxxxxx``.
    """
    if value is None or value == "":
        return None
    if not patterns.is_domain_id(value):
        raise bad_request(
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
        raise bad_request(f"{where} must be an AWS Region name like 'us-east-1', got {value!r}")
    return value


def validate_profile(value: Any, where: str = "profile") -> str | None:
    """Return ``value`` if it is a plausible AWS profile name, None for empty/None.

    Raises:
        HTTPError(400): not a string, control characters, or longer than 128 characters.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not PROFILE_RE.match(value):
        raise bad_request(
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
        from ..aws.target import resolve_context

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
            raise bad_request(f"query parameter {name} is not UTF-8 text") from None

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
        from ..iam.jsondepth import JsonTooDeep, check_json_depth

        try:
            check_json_depth(raw, what="the request body")
        except JsonTooDeep as exc:
            raise HTTPError(400, str(exc), reason="too-deep") from None
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request(f"the request body is not valid JSON: {exc}") from None
        if not isinstance(body, dict):
            raise bad_request(f"the request body must be a JSON object, got {type(body).__name__}")
        return body


def is_context_error(exc: BaseException) -> bool:
    """Whether ``exc`` is an ``aws.errors.ContextError`` (the domain or Region could not be
    resolved); the AWS layer is imported only when asked."""
    from ..aws.errors import ContextError

    return isinstance(exc, ContextError)


def context_json(ctx: Any) -> dict:
    """A resolved context (a dataclass or a plain object) as a JSON-ready dict of its fields."""
    if dataclasses.is_dataclass(ctx):
        return dataclasses.asdict(ctx)
    return dict(vars(ctx))
