"""Tag coverage routes (docs/openapi.yaml, "tags"): scan (read-only), plan, backfill, rollback.

All under ``<base_url>/sagemaker-isolation/`` (``tag-scan``, ``tag-plan``, ``tag-backfill``,
``tag-rollback``); every verb is ``@tornado.web.authenticated`` + ``@authorized``.
Scan and plan use ``auth_resource = "sagemaker-isolation"``, only read AWS and always exist;
backfill and rollback use ``"sagemaker-isolation-admin"`` and, like the admin issue's routes,
exist only when ``c.SageMakerIsolationApp.admin_actions_enabled = True`` (404 otherwise;
registered by ``handlers_admin.admin_route_table``; a handler reached anyway still answers 403
``admin-disabled``). POSTs and
DELETEs are XSRF-checked by jupyter_server's ``APIHandler`` for cookie sessions (the check is
skipped for token-authenticated requests, which a browser cannot forge).

- ``GET tag-scan?domain_id=&region=&profile=&all_domains=`` -> scan job status ``{"status":
  "none"|"running"|"ready"|"error"|"cancelled", "key", "progress": {"region", "stage", "pages",
  "resources", "api_calls"}, "result": <tags scan JSON>|null, "error": {"message", "reason"}|null,
  "started_at", "finished_at"}``.
- ``POST tag-scan`` ``{"domain_id"?, "region"?, "profile"?, "all_domains"?, "rows"?,
  "max_rows"?, "refresh"?}`` -> 202 + status (a running scan of the same key is returned as is;
  a ready one unless ``refresh``).
- ``DELETE tag-scan?...`` -> cancels a running scan (it stops within one page) -> status.
- ``POST tag-plan`` ``{"domain_id"?, "region"?, "profile"?, "arns"?: [arn]}`` -> a backfill plan
  (``sagemaker.tags.build_plan``) from the last ready scan's proposals; with ``arns`` only those
  items, selected (the operator chose them). Nothing is written anywhere.
- ``POST tag-backfill`` ``{"domain_id"?, "region"?, "profile"?, "plan", "dry_run"?: true}``
  (admin) -> ``aws.backfill.apply_plan``'s result; change record in the audit directory.
- ``POST tag-rollback`` ``{"change_id", "dry_run"?: true}`` (admin) -> ``rollback_change``'s
  result.
"""

from __future__ import annotations

import datetime as _dt
import threading
from typing import Any

import anyio
import tornado.web
from tornado.web import HTTPError

from .base import IsolationHandler, validate_domain_id, validate_profile, validate_region
from .compat import authorized

__all__ = ["TAGS_HANDLERS", "TAGS_ADMIN_HANDLERS", "TagScanJobs", "ADMIN_AUTH_RESOURCE"]

ADMIN_AUTH_RESOURCE = "sagemaker-isolation-admin"
_SCAN_FIELDS = {"domain_id", "region", "profile", "all_domains", "rows", "max_rows", "refresh"}
_PLAN_FIELDS = {"domain_id", "region", "profile", "arns"}
_BACKFILL_FIELDS = {"domain_id", "region", "profile", "plan", "dry_run"}
_ROLLBACK_FIELDS = {"change_id", "dry_run"}
_MAX_ARNS = 10000


def _bad(message: str) -> HTTPError:
    return HTTPError(400, message, reason="bad-request")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _only(body: dict, allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _bad(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _bool(body: dict, name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise _bad(f"{name} must be true or false, got {value!r}")
    return value


class TagScanJobs:
    """Tag scans running in worker threads, keyed ``(domain_id or "*", region, profile)``.

    One scan per key at a time; the last result of each key is kept until the next scan of that
    key. Each job has a cancel ``threading.Event``.

    Args:
        runner: ``runner(ctx, all_domains, rows, max_rows, cancel, progress) -> result`` (the
            default calls ``aws.tag_scan.scan_tags``; tests inject fakes).
        max_workers: parallel scans.
    """

    def __init__(self, runner=None, max_workers: int = 2) -> None:
        self.runner = runner or _default_runner
        self._jobs: dict[tuple, dict] = {}
        self._lock = threading.Lock()
        # Daemon threads (not a ThreadPoolExecutor, whose workers are joined at exit): a scan
        # of a large account must not keep the server from stopping. At most max_workers run.
        self._slots = threading.BoundedSemaphore(max(1, max_workers))
        self._threads: list[threading.Thread] = []

    def status(self, key: tuple) -> dict:
        """The job status of ``key`` (``status: "none"`` when never started)."""
        with self._lock:
            job = self._jobs.get(key)
            if job is None:
                return {
                    "status": "none",
                    "key": _key_json(key),
                    "progress": None,
                    "result": None,
                    "error": None,
                    "started_at": None,
                    "finished_at": None,
                }
            return {k: v for k, v in job.items() if k != "cancel"}

    def start(
        self, key: tuple, ctx: Any, *, all_domains: bool, rows: str, max_rows: int, refresh: bool
    ) -> dict:
        """Start a scan unless one runs for ``key`` (or a ready one exists and not ``refresh``)."""
        with self._lock:
            job = self._jobs.get(key)
            if job and (job["status"] == "running" or (job["status"] == "ready" and not refresh)):
                return {k: v for k, v in job.items() if k != "cancel"}
            cancel = threading.Event()
            job = {
                "status": "running",
                "key": _key_json(key),
                "progress": {
                    "region": ctx.region,
                    "stage": "domains",
                    "pages": 0,
                    "resources": 0,
                    "api_calls": 0,
                },
                "result": None,
                "error": None,
                "started_at": _now(),
                "finished_at": None,
                "cancel": cancel,
            }
            self._jobs[key] = job

        def progress(info: dict) -> None:
            with self._lock:
                job["progress"] = dict(info)

        def work() -> None:
            from ..aws.errors import AwsUnreachable
            from ..aws.tag_scan import ScanCancelled, TagScanError

            try:
                with self._slots:
                    if cancel.is_set():
                        raise ScanCancelled("cancelled before it started")
                    result = self.runner(ctx, all_domains, rows, max_rows, cancel, progress)
                outcome = {"status": "ready", "result": result}
            except ScanCancelled:
                outcome = {"status": "cancelled"}
            except (TagScanError, AwsUnreachable) as exc:
                outcome = {
                    "status": "error",
                    "error": {"message": exc.message, "reason": exc.reason},
                }
            except Exception as exc:  # a bug of ours: an error status, never a result
                outcome = {
                    "status": "error",
                    "error": {
                        "message": f"internal error: {type(exc).__name__}: {exc}",
                        "reason": "internal-error",
                    },
                }
            with self._lock:
                job.update(outcome)
                job["finished_at"] = _now()

        thread = threading.Thread(target=work, name="smiso-tags", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return self.status(key)

    def cancel(self, key: tuple) -> dict:
        """Set the cancel event of a running scan of ``key``; returns its status."""
        with self._lock:
            job = self._jobs.get(key)
            if job and job["status"] == "running":
                job["cancel"].set()
        return self.status(key)

    def result(self, key: tuple) -> dict | None:
        """The last ready scan result of ``key`` or None."""
        with self._lock:
            job = self._jobs.get(key)
            return job["result"] if job and job["status"] == "ready" else None

    def shutdown(self, wait: float | None = None) -> None:
        """Cancel every running scan; with ``wait`` (seconds), wait that long for them."""
        with self._lock:
            for job in self._jobs.values():
                job["cancel"].set()
        if wait:
            for thread in list(self._threads):
                thread.join(wait)


def _key_json(key: tuple) -> dict:
    return {
        "domain_id": None if key[0] == "*" else key[0],
        "all_domains": key[0] == "*",
        "region": key[1],
        "profile": key[2],
    }


def _default_runner(ctx, all_domains, rows, max_rows, cancel, progress):
    from ..aws import tag_scan

    verdicts = (lambda d: tag_scan.domain_verdict(ctx, d)) if all_domains else None
    return tag_scan.scan_tags(
        ctx,
        all_domains=all_domains,
        rows=rows,
        max_rows=max_rows,
        cancel=cancel,
        progress=progress,
        verdicts=verdicts,
    )


class TagsHandler(IsolationHandler):
    """Base of the tag routes: the scan registry and context resolution."""

    @property
    def tag_jobs(self) -> TagScanJobs:
        """The server's :class:`TagScanJobs` (created by the app, shut down with it)."""
        return self.settings["sagemaker_isolation_tag_jobs"]

    async def scan_ctx(self, domain_id, region, profile, all_domains: bool):
        """Resolve the context (an account-wide one for ``all_domains``); 400 when impossible."""
        from ..aws.errors import ContextError
        from ..aws.tag_scan import account_context

        app = self.extensionapp

        def resolve():
            if all_domains:
                return account_context(
                    region=region or app.region or None,
                    profile=profile or app.profile or None,
                    endpoint_url=app.endpoint_url or None,
                    metadata_path=None,
                )
            return self.resolve_context(domain_id, region, profile)

        try:
            return await anyio.to_thread.run_sync(resolve)
        except ContextError as exc:
            raise _bad(f"no domain to scan: {exc} Pass domain_id or all_domains.") from None

    def key_of(self, ctx, all_domains: bool) -> tuple:
        """The job key of a context."""
        return ("*" if all_domains else ctx.domain_id, ctx.region, ctx.profile)

    def read_params(self) -> tuple:
        """``(domain_id, region, profile, all_domains)`` from the query string (validated)."""
        domain_id = validate_domain_id(self.raw_query("domain_id"))
        region = validate_region(self.raw_query("region"))
        profile = validate_profile(self.raw_query("profile"))
        flag = (self.get_query_argument("all_domains", "") or "").lower()
        if flag not in ("", "0", "1", "true", "false"):
            raise _bad(f"all_domains must be true or false, got {flag!r}")
        return domain_id, region, profile, flag in ("1", "true")


class TagScanHandler(TagsHandler):
    """``GET`` / ``POST`` / ``DELETE tag-scan``."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """The scan status for the query's key (never starts a scan)."""
        domain_id, region, profile, all_domains = self.read_params()
        ctx = await self.scan_ctx(domain_id, region, profile, all_domains)
        self.finish(self.tag_jobs.status(self.key_of(ctx, all_domains)))

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Start a scan: 202 + status."""
        body = self.json_body()
        _only(body, _SCAN_FIELDS)
        all_domains = _bool(body, "all_domains", False)
        refresh = _bool(body, "refresh", False)
        rows = body.get("rows", "problems")
        if rows not in ("problems", "all", "none"):
            raise _bad(f"rows must be problems, all or none, got {rows!r}")
        max_rows = body.get("max_rows", 1000)
        if (
            not isinstance(max_rows, int)
            or isinstance(max_rows, bool)
            or not 0 <= max_rows <= 100000
        ):
            raise _bad(f"max_rows must be an integer 0..100000, got {max_rows!r}")
        ctx = await self.scan_ctx(
            validate_domain_id(body.get("domain_id")),
            validate_region(body.get("region")),
            validate_profile(body.get("profile")),
            all_domains,
        )
        status = self.tag_jobs.start(
            self.key_of(ctx, all_domains),
            ctx,
            all_domains=all_domains,
            rows=rows,
            max_rows=max_rows,
            refresh=refresh,
        )
        self.set_status(202)
        self.finish(status)

    @tornado.web.authenticated
    @authorized
    async def delete(self) -> None:
        """Cancel the running scan of the query's key."""
        domain_id, region, profile, all_domains = self.read_params()
        ctx = await self.scan_ctx(domain_id, region, profile, all_domains)
        self.finish(self.tag_jobs.cancel(self.key_of(ctx, all_domains)))


class TagPlanHandler(TagsHandler):
    """``POST tag-plan``: a backfill plan from the last scan (read-only)."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Answer the plan document; 409 when no ready scan of this domain exists (reason
        ``no-scan``) or when its listing of some type was stopped by a paging bound (reason
        ``listing-incomplete``: no backfill plan from a partial listing)."""
        from ..sagemaker import tags as T

        body = self.json_body()
        _only(body, _PLAN_FIELDS)
        arns = body.get("arns")
        if arns is not None and (
            not isinstance(arns, list)
            or len(arns) > _MAX_ARNS
            or not all(isinstance(a, str) and T.parse_sagemaker_arn(a) for a in arns)
        ):
            raise _bad(f"arns must be a list of at most {_MAX_ARNS} SageMaker ARNs")
        ctx = await self.scan_ctx(
            validate_domain_id(body.get("domain_id")),
            validate_region(body.get("region")),
            validate_profile(body.get("profile")),
            False,
        )
        result = self.tag_jobs.result(self.key_of(ctx, False))
        if result is None:
            raise HTTPError(
                409,
                f"no finished tag scan of {ctx.domain_id} in {ctx.region}; POST tag-scan first",
                reason="no-scan",
            )
        stopped = sorted(
            t
            for t, why in (result.get("types_not_covered") or {}).items()
            if "listing incomplete" in why
        )
        if stopped:
            raise HTTPError(
                409,
                f"the last tag scan of {ctx.domain_id} did not list every "
                f"resource of {', '.join(stopped)} (a listing was stopped by a "
                "paging bound); no backfill plan is built from a partial listing. "
                "Scan again.",
                reason="listing-incomplete",
            )
        d = result["domain"]
        domain = T.DomainRef(
            id=d["id"],
            arn=d["arn"],
            name=d.get("name"),
            region=d.get("region"),
            account_id=d.get("account_id"),
        )
        plan = T.build_plan(domain, result.get("resources") or [], created_at=_now())
        if arns is not None:
            wanted = set(arns)
            by_arn = {i["arn"]: i for i in plan["items"]}
            missing = sorted(wanted - set(by_arn))
            if missing:
                raise _bad(
                    f"{len(missing)} ARN(s) have no proposal for {ctx.domain_id} in the "
                    f"last scan, e.g. {missing[0]}"
                )
            plan["items"] = [{**by_arn[a], "selected": True} for a in arns]
        self.finish(plan)


class _AdminTagsHandler(TagsHandler):
    """Backfill and rollback: admin auth resource; registered only when admin actions are
    enabled, and 403 ``admin-disabled`` if reached otherwise (a second net)."""

    auth_resource = ADMIN_AUTH_RESOURCE

    def require_admin(self) -> None:
        """Raise 403 ``admin-disabled`` unless ``admin_actions_enabled``."""
        if not getattr(self.extensionapp, "admin_actions_enabled", False):
            raise HTTPError(
                403,
                "admin actions are disabled on this server; set "
                "c.SageMakerIsolationApp.admin_actions_enabled = True",
                reason="admin-disabled",
            )

    def store(self):
        """The audit store (``audit_dir`` trait if the app has one, else env, else default)."""
        from ..audit import AuditStore, resolve_audit_dir

        return AuditStore(resolve_audit_dir(getattr(self.extensionapp, "audit_dir", "") or None))


class TagBackfillHandler(_AdminTagsHandler):
    """``POST tag-backfill`` (admin)."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Dry-run (default) or apply a plan; 400 for a bad plan or a plan of another domain."""
        from ..aws.backfill import BackfillError, apply_plan
        from ..aws.errors import AwsUnreachable

        self.require_admin()
        body = self.json_body()
        _only(body, _BACKFILL_FIELDS)
        dry_run = _bool(body, "dry_run", True)
        plan = body.get("plan")
        if not isinstance(plan, dict):
            raise _bad("plan must be a plan object (from POST tag-plan)")
        ctx = await self.scan_ctx(
            validate_domain_id(body.get("domain_id")),
            validate_region(body.get("region")),
            validate_profile(body.get("profile")),
            False,
        )
        if (plan.get("domain") or {}).get("id") != ctx.domain_id:
            raise _bad(
                f"the plan is for domain {(plan.get('domain') or {}).get('id')!r}, not "
                f"{ctx.domain_id}"
            )
        store = self.store()
        try:
            result = await anyio.to_thread.run_sync(
                lambda: apply_plan(ctx, plan, dry_run=dry_run, store=store, via="server")
            )
        except BackfillError as exc:
            raise HTTPError(400, exc.message, reason=exc.reason) from None
        except AwsUnreachable as exc:
            raise HTTPError(502, exc.message, reason=exc.reason) from None
        self.finish(result)


class TagRollbackHandler(_AdminTagsHandler):
    """``POST tag-rollback`` (admin)."""

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Dry-run (default) or run the rollback of a tag backfill change."""
        from ..audit import AuditError
        from ..aws.backfill import BackfillError, rollback_change
        from ..aws.errors import AwsUnreachable

        self.require_admin()
        body = self.json_body()
        _only(body, _ROLLBACK_FIELDS)
        dry_run = _bool(body, "dry_run", True)
        change_id = body.get("change_id")
        if not isinstance(change_id, str) or not change_id:
            raise _bad("change_id is required (the id a backfill answered)")
        store = self.store()
        try:
            record = store.read(change_id)
        except AuditError as exc:
            raise HTTPError(404, str(exc), reason="unknown-change") from None
        did = (record.get("domain") or {}).get("id")
        ctx = await self.scan_ctx(did, record.get("region"), None, False)
        try:
            result = await anyio.to_thread.run_sync(
                lambda: rollback_change(ctx, change_id, store=store, dry_run=dry_run, via="server")
            )
        except BackfillError as exc:
            status = 409 if exc.reason == "already-rolled-back" else 400
            raise HTTPError(status, exc.message, reason=exc.reason) from None
        except AwsUnreachable as exc:
            raise HTTPError(502, exc.message, reason=exc.reason) from None
        self.finish(result)


#: Always registered (read-only).
TAGS_HANDLERS = (
    ("tag-scan", TagScanHandler),
    ("tag-plan", TagPlanHandler),
)
#: Registered with the admin routes, only when admin actions are enabled.
TAGS_ADMIN_HANDLERS = (
    ("tag-backfill", TagBackfillHandler),
    ("tag-rollback", TagRollbackHandler),
)
