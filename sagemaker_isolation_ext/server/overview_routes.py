"""Account overview routes (docs/openapi.yaml, "overview"): every domain at a glance.

Under ``<base_url>/sagemaker-isolation/``; every verb ``@tornado.web.authenticated`` +
``@authorized`` (auth resource ``sagemaker-isolation``). The work (``check.
check_all_domains``: AWS reads and one analysis per domain) runs in a daemon worker thread,
never on the event loop; the handlers only start jobs and read their state.

- ``GET overview`` -> the status of the latest overview job (never starts one):
  ``{"status": "none"|"running"|"ready"|"error"|"cancelled", "key": {"regions", "all_regions",
  "accounts", "org", "assume_role", "profile"}, "progress": {"stage", "done", "total"}|null,
  "overview": {"domains", "reach", "errors"}|null, "fixes": [...]|null,
  "summary": {...}|null, "run": {...}|null, "error": {"message", "reason"}|null,
  "started_at", "finished_at", "other_accounts_enabled": bool}``.
- ``POST overview`` ``{"regions"?: [str], "all_regions"?: bool, "accounts"?: [str],
  "org"?: bool, "assume_role"?: str, "profile"?: str, "refresh"?: bool}`` -> 202 + status. One
  overview runs at a time: a POST while one runs returns it; a ready one of the same key is
  returned unless ``refresh``. The caller's own account only, unless the operator enabled
  ``c.SageMakerIsolationApp.overview_other_accounts`` (``accounts``/``org`` -> 403
  ``other-accounts-disabled`` otherwise). Without ``regions``: the trait ``overview_regions``,
  else the server's Region; without ``accounts``/``org`` and with other accounts enabled: the
  trait ``overview_accounts``.
- ``DELETE overview`` -> cancels the running overview (it stops before the next domain's
  analysis) -> status.
- ``GET overview-report?domain_arn=ARN`` -> the full report (README "Report JSON contract") of
  one domain of the latest ready overview; 404 ``not-in-overview`` when absent.
"""

from __future__ import annotations

import datetime as _dt
import threading
from typing import Any

import anyio
import tornado.web
from tornado.web import HTTPError

from ..aws.overview import is_role_name
from ..sagemaker.patterns import is_account_id
from .base import IsolationHandler, validate_profile, validate_region
from .compat import authorized

__all__ = ["OVERVIEW_HANDLERS", "OverviewJobs"]

_FIELDS = {"regions", "all_regions", "accounts", "org", "assume_role", "profile", "refresh"}
_MAX_REGIONS = 64
_MAX_ACCOUNTS = 1000


def _bad(message: str) -> HTTPError:
    return HTTPError(400, message, reason="bad-request")


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bool(body: dict, name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise _bad(f"{name} must be true or false, got {value!r}")
    return value


def _str_list(body: dict, name: str, limit: int) -> list:
    value = body.get(name, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f"{name} must be a list of strings")
    if len(value) > limit:
        raise _bad(f"{name} holds more than {limit} entries")
    return list(dict.fromkeys(value))


def _default_runner(ctx, key: dict, cancel, progress) -> Any:
    from ..check import check_all_domains

    return check_all_domains(ctx, regions=key["regions"] or None,
                             all_regions=key["all_regions"], accounts=key["accounts"],
                             org=key["org"], assume_role=key["assume_role"], cancel=cancel,
                             progress=progress)


class OverviewJobs:
    """Overview jobs in daemon worker threads; at most one runs at a time.

    Args:
        runner: ``runner(ctx, key, cancel, progress) -> check.OverviewResult`` (default
            :func:`check.check_all_domains`; tests inject fakes).
    """

    def __init__(self, runner=None) -> None:
        self.runner = runner or _default_runner
        self._lock = threading.Lock()
        self._latest: dict | None = None
        self._reports: dict = {}
        self._thread: threading.Thread | None = None

    def _public(self, job: dict | None) -> dict:
        if job is None:
            return {"status": "none", "key": None, "progress": None, "overview": None,
                    "fixes": None, "fixes_not_evaluated": None, "summary": None, "run": None,
                    "error": None, "started_at": None, "finished_at": None}
        return {k: v for k, v in job.items() if k != "cancel"}

    def status(self) -> dict:
        """The latest job's status (``status: "none"`` before the first)."""
        with self._lock:
            return self._public(self._latest)

    def report(self, domain_arn: str) -> dict | None:
        """The full report of ``domain_arn`` from the latest ready overview, or None."""
        with self._lock:
            return self._reports.get(domain_arn)

    def start(self, ctx: Any, key: dict, refresh: bool) -> dict:
        """Start an overview unless one runs (returned as is) or a ready one of ``key`` exists
        and not ``refresh``."""
        with self._lock:
            job = self._latest
            if job is not None and (job["status"] == "running" or (
                    job["status"] == "ready" and job["key"] == key and not refresh)):
                return self._public(job)
            cancel = threading.Event()
            job = {"status": "running", "key": key,
                   "progress": {"stage": "accounts", "done": 0, "total": 0},
                   "overview": None, "fixes": None, "fixes_not_evaluated": None,
                   "summary": None, "run": None,
                   "error": None, "started_at": _now(), "finished_at": None,
                   "cancel": cancel}
            self._latest = job

        def progress(stage: str, done: int, total: int) -> None:
            with self._lock:
                job["progress"] = {"stage": stage, "done": int(done), "total": int(total)}

        def work() -> None:
            from ..aws.errors import AwsUnreachable
            from ..check import OverviewCancelled
            from ..sagemaker.overview import contract_json

            reports = None
            try:
                result = self.runner(ctx, key, cancel, progress)
                ov = result.overview
                outcome = {"status": "ready", "overview": contract_json(ov),
                           "fixes": ov.get("fixes") or [],
                           "fixes_not_evaluated": int(ov.get("fixes_not_evaluated") or 0),
                           "summary": ov.get("summary"),
                           "run": {**(ov.get("run") or {}),
                                   "nothing_read": bool(result.nothing_read)}}
                reports = result.reports
            except OverviewCancelled:
                outcome = {"status": "cancelled"}
            except AwsUnreachable as exc:
                outcome = {"status": "error",
                           "error": {"message": exc.message, "reason": exc.reason}}
            except ValueError as exc:
                outcome = {"status": "error", "error": {"message": str(exc),
                                                        "reason": "bad-request"}}
            except Exception as exc:  # a bug of ours: an error status, never a result
                outcome = {"status": "error", "error": {
                    "message": f"internal error: {type(exc).__name__}: {exc}",
                    "reason": "internal-error"}}
            with self._lock:
                job.update(outcome)
                job["finished_at"] = _now()
                if reports is not None and self._latest is job:
                    self._reports = dict(reports)

        thread = threading.Thread(target=work, name="smiso-overview", daemon=True)
        self._thread = thread
        thread.start()
        return self.status()

    def cancel(self) -> dict:
        """Cancel the running overview (if any); returns the status."""
        with self._lock:
            if self._latest is not None and self._latest["status"] == "running":
                self._latest["cancel"].set()
        return self.status()

    def shutdown(self, wait: float | None = None) -> None:
        """Cancel the running overview; with ``wait`` seconds, wait for its thread."""
        self.cancel()
        if wait and self._thread is not None:
            self._thread.join(wait)


class _OverviewBase(IsolationHandler):
    @property
    def overview_jobs(self) -> OverviewJobs:
        """The server's :class:`OverviewJobs` (created by the app, shut down with it)."""
        return self.settings["sagemaker_isolation_overview_jobs"]

    def _with_flag(self, status: dict) -> dict:
        return {**status,
                "other_accounts_enabled": bool(self.extensionapp.overview_other_accounts)}


class OverviewHandler(_OverviewBase):
    """``GET`` / ``POST`` / ``DELETE overview``."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """The latest overview job's status (never starts one)."""
        self.finish(self._with_flag(self.overview_jobs.status()))

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        """Start an overview: 202 + status; 400 bad input; 403 other accounts not enabled."""
        body = self.json_body()
        unknown = sorted(set(body) - _FIELDS)
        if unknown:
            raise _bad(f"unknown field(s) {', '.join(unknown)}; allowed: "
                       f"{', '.join(sorted(_FIELDS))}")
        all_regions = _bool(body, "all_regions", False)
        org = _bool(body, "org", False)
        refresh = _bool(body, "refresh", False)
        regions = [validate_region(r, "regions") for r in _str_list(body, "regions",
                                                                     _MAX_REGIONS)]
        if any(r is None for r in regions):
            raise _bad("regions must not hold an empty name")
        if all_regions and regions:
            raise _bad("give regions or all_regions, not both")
        accounts = _str_list(body, "accounts", _MAX_ACCOUNTS)
        bad = [a for a in accounts if not is_account_id(a)]
        if bad:
            raise _bad(f"accounts must be 12-digit account ids; got {bad[0][:40]!r}")
        if org and accounts:
            raise _bad("give accounts or org, not both")
        assume_role = body.get("assume_role")
        if assume_role is not None and not is_role_name(assume_role):
            raise _bad(f"assume_role must be an IAM role name, got {assume_role!r}")
        profile = validate_profile(body.get("profile"))
        app = self.extensionapp
        if (accounts or org) and not app.overview_other_accounts:
            raise HTTPError(
                403,
                "entering other accounts (accounts, org) is off on this server; the operator "
                "enables it with c.SageMakerIsolationApp.overview_other_accounts = True",
                reason="other-accounts-disabled")
        from ..aws.errors import ContextError
        from ..aws.overview import DEFAULT_ASSUME_ROLE, session_region
        from ..aws.tag_scan import account_context

        def resolve():
            return account_context(region=session_region(regions) or app.region or None,
                                   profile=profile or app.profile or None,
                                   endpoint_url=app.endpoint_url or None, metadata_path=None)

        try:
            ctx = await anyio.to_thread.run_sync(resolve)
        except ContextError as exc:
            raise _bad(f"no Region for the overview: {exc}") from None
        if not (accounts or org) and app.overview_other_accounts:
            accounts = [a for a in app.overview_accounts if is_account_id(a)]
        if not regions and not all_regions:
            regions = [r for r in app.overview_regions if r] or [ctx.region]
        key = {"regions": regions,
               "all_regions": all_regions, "accounts": accounts, "org": org,
               "assume_role": assume_role or DEFAULT_ASSUME_ROLE, "profile": ctx.profile}
        status = self.overview_jobs.start(ctx, key, refresh)
        self.set_status(202)
        self.finish(self._with_flag(status))

    @tornado.web.authenticated
    @authorized
    async def delete(self) -> None:
        """Cancel the running overview."""
        self.finish(self._with_flag(self.overview_jobs.cancel()))


class OverviewReportHandler(_OverviewBase):
    """``GET overview-report?domain_arn=``: one domain's full report from the latest overview."""

    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        """The report, or 404 ``not-in-overview``."""
        arn = self.raw_query("domain_arn")
        if not arn or len(arn) > 2048:
            raise _bad("domain_arn is required (a domain ARN of the latest overview)")
        report = self.overview_jobs.report(arn)
        if report is None:
            raise HTTPError(404, f"domain {arn} is not in the latest ready overview",
                            reason="not-in-overview")
        self.finish(report)


OVERVIEW_HANDLERS = (
    ("overview", OverviewHandler),
    ("overview-report", OverviewReportHandler),
)
