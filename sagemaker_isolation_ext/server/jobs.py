"""Background isolation checks for the server: one job per (domain, Region, profile), cached.

No tornado here: a :class:`ReportJobs` registry runs each check in a worker thread
(``concurrent.futures.ThreadPoolExecutor``) and keeps its state behind a lock, so the handlers
only read and start jobs and the event loop never waits on AWS.

A check is: ``collector.collect(ctx, progress)`` -> Snapshot (docs/ARCHITECTURE.md §3), then
``sagemaker.analysis.analyze(snapshot)`` -> report (§7), then ``aws.confirm.confirm_report``
(witnesses' simulator commands; for a live snapshot and ``aws_confirm`` on, AWS's policy
simulator answers), all in the worker thread. The collector is swappable
(``SageMakerIsolationApp.collector_class``) so tests inject fakes.

Job status shape (the ``report`` route's answer, docs/openapi.yaml ``JobStatus``)::

    {"status": "none" | "running" | "ready" | "error",
     "key": {"domain_id": str | None, "region": str | None, "profile": str | None},
     "progress": {"stage": str, "done": int, "total": int} | None,
     "report": dict | None,
     "error": {"message": str, "reason": str, "kind": str, "operation"?, "code"?} | None,
     "started_at": ISO-8601 str | None, "finished_at": ISO-8601 str | None,
     "fresh": bool}
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any

ProgressCallback = Callable[[str, int, int], None]

# Kinds of failure a job can end with (the ``kind`` of the job's ``error``; ``reason`` is finer).
KIND_AWS_UNREACHABLE = "aws-unreachable"
KIND_NO_CONTEXT = "no-context"
KIND_BAD_SNAPSHOT = "bad-snapshot"
KIND_INTERNAL = "internal-error"

#: Checks (distinct keys) running or queued at once; one more is refused (HTTP 429).
MAX_IN_FLIGHT = 64
#: A finished job is dropped this many seconds after it finished at the latest (or after
#: ``cache_ttl`` when that is longer); with ``cache_ttl`` 0, as soon as its status was read once.
MIN_KEEP_SECONDS = 600.0


class TooManyChecks(RuntimeError):
    """:data:`MAX_IN_FLIGHT` checks are already running or queued; retry shortly (HTTP 429,
    reason ``too-many-checks``)."""


class Collector:
    """Interface of a snapshot collector backend (``SageMakerIsolationApp.collector_class``).

    Subclasses implement :meth:`collect`. They are instantiated once per server, with no
    arguments, and called from worker threads (possibly several at once for different keys).
    """

    def collect(self, ctx: Any, progress: ProgressCallback) -> dict:
        """Return the Snapshot (docs/ARCHITECTURE.md §3) for the resolved context.

        Args:
            ctx: an ``aws.context.AwsContext`` (domain_id, region, profile, endpoint_url, ...).
            progress: call ``progress(stage, done, total)`` as work advances (thread-safe).

        Returns:
            The Snapshot dict.

        Raises:
            aws.collect.AwsUnreachable: no credentials, endpoint unreachable, domain not found.
        """
        raise NotImplementedError


class BotoCollector(Collector):
    """The production collector: ``aws.collect.collect_snapshot`` over boto3."""

    def collect(self, ctx: Any, progress: ProgressCallback) -> dict:
        """Collect from AWS; see :meth:`Collector.collect`."""
        from ..aws.collect import collect_snapshot

        return collect_snapshot(ctx, progress=progress)


@dataclasses.dataclass(frozen=True)
class JobKey:
    """Identity of a check: at most one runs at a time per key."""

    domain_id: str | None
    region: str | None
    profile: str | None

    def to_json(self) -> dict:
        """``{"domain_id", "region", "profile"}`` (values may be None)."""
        return dataclasses.asdict(self)


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclasses.dataclass
class _Job:
    key: JobKey
    status: str = "running"
    progress: dict | None = None
    report: dict | None = None
    error: dict | None = None
    started_at: float = dataclasses.field(default_factory=time.time)
    finished_at: float | None = None
    fetched: bool = False  # a status of the finished job was answered at least once


def none_status(key: JobKey | None = None, error: dict | None = None) -> dict:
    """The job status for "no check has run (or its report expired)".

    Args:
        key: the key asked about, or None when no context could be resolved.
        error: ``{"message", "reason"}`` explaining why there is nothing (e.g. no domain known).
    """
    return {
        "status": "none",
        "key": key.to_json() if key else None,
        "progress": None,
        "report": None,
        "error": error,
        "started_at": None,
        "finished_at": None,
        "fresh": False,
    }


def classify_error(exc: BaseException) -> dict:
    """Map an exception from a check to the job's error ``{"message", "reason", "kind", ...}``.

    - ``aws.errors.AwsUnreachable`` -> kind ``aws-unreachable``, its own ``reason``
      (``no-credentials``, ``domain-not-found``, ...), ``operation`` and ``code``; the message says
      what to fix.
    - ``aws.errors.ContextError`` -> kind ``no-context``, its ``reason`` (``no-domain``, ...).
    - ``sagemaker.snapshot.SnapshotError`` -> kind ``bad-snapshot``.
    - anything else -> kind and reason ``internal-error`` with the exception type and message
      (the traceback goes to the server log, never to the client).
    """
    from ..aws.errors import AwsUnreachable, ContextError

    if isinstance(exc, AwsUnreachable):
        return {
            "message": exc.message or "AWS is not reachable",
            "reason": exc.reason,
            "kind": KIND_AWS_UNREACHABLE,
            "operation": exc.operation,
            "code": exc.code,
        }
    if isinstance(exc, ContextError):
        return {"message": exc.message, "reason": exc.reason, "kind": KIND_NO_CONTEXT}
    if _is_snapshot_error(exc):
        return {
            "message": f"the collected snapshot is invalid: {exc}",
            "reason": KIND_BAD_SNAPSHOT,
            "kind": KIND_BAD_SNAPSHOT,
        }
    return {
        "message": f"the check failed unexpectedly ({type(exc).__name__}: {exc}); "
        "see the server log",
        "reason": KIND_INTERNAL,
        "kind": KIND_INTERNAL,
    }


def _is_snapshot_error(exc: BaseException) -> bool:
    try:
        from ..sagemaker.snapshot import SnapshotError
    except ImportError:  # pragma: no cover - the snapshot module is part of the package
        return False
    return isinstance(exc, SnapshotError)


class ReportJobs:
    """Registry of isolation checks, keyed by :class:`JobKey`, with a freshness TTL.

    Args:
        collector: the :class:`Collector` backend.
        cache_ttl: seconds a ready report stays fresh, or a zero-argument callable returning it
            (so a live config change applies).
        log: logger for unexpected failures.
        analyze: ``analyze(snapshot) -> report``; default ``sagemaker.analysis.analyze``.
        max_workers: worker threads for checks (each check is I/O bound).
        aws_confirm: whether live reports are confirmed with IAM's policy simulator (bool, or a
            zero-argument callable returning it, so a live config change applies).
        confirm: ``confirm(report, snapshot, ctx, enabled) -> None`` (changes the report in
            place); default ``aws.confirm.confirm_report``. Its failures never fail the check.
        max_in_flight: checks (distinct keys) running or queued at once; one more raises
            :class:`TooManyChecks`.
        clock: seconds since the epoch (tests pass a fake).

    Finished jobs are not kept forever: one is dropped ``max(cache_ttl, 600)`` seconds after it
    finished, or, with ``cache_ttl`` 0, once its status has been read (memory stays bounded by
    the checks of the last ten minutes, whatever the number of domains asked about).
    """

    def __init__(
        self,
        collector: Collector,
        cache_ttl: float | Callable[[], float] = 300.0,
        log: logging.Logger | None = None,
        analyze: Callable[[dict], dict] | None = None,
        max_workers: int = 4,
        aws_confirm: bool | Callable[[], bool] = True,
        confirm: Callable[[dict, dict, Any, bool], None] | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._collector = collector
        self._aws_confirm = aws_confirm if callable(aws_confirm) else (lambda: bool(aws_confirm))
        self._confirm = confirm
        self.max_in_flight = max_in_flight
        self._clock = clock
        self._ttl = cache_ttl if callable(cache_ttl) else (lambda: float(cache_ttl))
        self._log = log or logging.getLogger(__name__)
        self._analyze = analyze
        self._lock = threading.Lock()
        self._jobs: dict[JobKey, _Job] = {}
        self._executor = ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="sagemaker-isolation-check"
        )
        self._closed = False

    # -- reading -------------------------------------------------------------------------------

    def _is_fresh(self, job: _Job, now: float) -> bool:
        return (
            job.status == "ready"
            and job.finished_at is not None
            and now - job.finished_at < self._ttl()
        )

    def _status(self, job: _Job, now: float) -> dict:
        if job.status == "ready" and not self._is_fresh(job, now):
            # An expired report is not served: the account may have changed since, and a stale
            # "isolated" is exactly the false verdict this product must never give.
            return none_status(job.key)
        return {
            "status": job.status,
            "key": job.key.to_json(),
            "progress": dict(job.progress) if job.progress else None,
            "report": job.report,
            "error": dict(job.error) if job.error else None,
            "started_at": _iso(job.started_at),
            "finished_at": _iso(job.finished_at),
            "fresh": self._is_fresh(job, now),
        }

    def _prune(self, now: float) -> None:
        """Drop finished jobs past their keep time (lock held)."""
        ttl = self._ttl()
        keep = max(ttl, MIN_KEEP_SECONDS)
        for k in [
            k
            for k, j in self._jobs.items()
            if j.status != "running"
            and j.finished_at is not None
            and (now - j.finished_at > keep or (ttl <= 0 and j.fetched))
        ]:
            del self._jobs[k]

    def held(self) -> int:
        """Number of jobs held (running and finished), after dropping expired ones."""
        with self._lock:
            self._prune(self._clock())
            return len(self._jobs)

    def status(self, key: JobKey) -> dict:
        """The job status for ``key`` (shape in the module docstring); ``none`` if no job."""
        with self._lock:
            now = self._clock()
            self._prune(now)
            job = self._jobs.get(key)
            if job is None:
                return none_status(key)
            if job.status != "running":
                job.fetched = True
            return self._status(job, now)

    # -- starting ------------------------------------------------------------------------------

    def start(self, key: JobKey, ctx: Any, refresh: bool = False) -> dict:
        """Start a check for ``key`` unless one is running or a fresh report exists.

        A running check is never duplicated, even with ``refresh=True`` (its status is returned).
        A fresh ready report is returned as is unless ``refresh`` is true. An error or expired
        job is replaced by a new run.

        Args:
            key: the job key (resolved domain id, Region, profile).
            ctx: the resolved ``AwsContext`` passed to the collector.
            refresh: force a new check over a fresh cached report.

        Returns:
            The job status after the call.

        Raises:
            TooManyChecks: ``max_in_flight`` other checks are running or queued.
            RuntimeError: the registry was shut down (server stopping).
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("the server is shutting down; no new checks are accepted")
            now = self._clock()
            self._prune(now)
            job = self._jobs.get(key)
            if job is not None:
                if job.status == "running":
                    return self._status(job, now)
                if self._is_fresh(job, now) and not refresh:
                    return self._status(job, now)
            running = sum(1 for j in self._jobs.values() if j.status == "running")
            if running >= self.max_in_flight:
                raise TooManyChecks(f"{running} checks are already running; busy, retry shortly")
            job = _Job(
                key=key, progress={"stage": "starting", "done": 0, "total": 0}, started_at=now
            )
            self._jobs[key] = job
            self._executor.submit(self._run, job, ctx)
            return self._status(job, now)

    def _progress_for(self, job: _Job) -> ProgressCallback:
        def progress(stage: str, done: int, total: int) -> None:
            with self._lock:
                if job.status == "running":
                    job.progress = {"stage": str(stage), "done": int(done), "total": int(total)}

        return progress

    def _run(self, job: _Job, ctx: Any) -> None:
        progress = self._progress_for(job)
        try:
            progress("collecting", 0, 0)
            snapshot = self._collector.collect(ctx, progress)
            progress("analyzing", 0, 1)
            analyze = self._analyze
            if analyze is None:
                from ..sagemaker.analysis import analyze
            report = analyze(snapshot)
            progress("confirming", 0, 1)
            self._confirm_report(report, snapshot, ctx)
        except Exception as exc:  # every failure becomes an error status, never a 500
            error = classify_error(exc)
            if error["kind"] == KIND_INTERNAL:
                self._log.exception("sagemaker-isolation check for %s failed", job.key)
            else:
                self._log.warning("sagemaker-isolation check for %s: %s", job.key, error["message"])
            with self._lock:
                job.status = "error"
                job.error = error
                job.finished_at = self._clock()
            return
        with self._lock:
            job.status = "ready"
            job.report = report
            job.progress = {"stage": "done", "done": 1, "total": 1}
            job.finished_at = self._clock()

    def _confirm_report(self, report: dict, snapshot: dict, ctx: Any) -> None:
        """Add the witnesses' simulator commands and AWS's answers (``aws.confirm``); a bug there
        is logged and noted in the report, never turned into a failed check."""
        try:
            confirm = self._confirm
            if confirm is None:
                from ..aws.confirm import confirm_report

                def confirm(report, snapshot, ctx, enabled):
                    confirm_report(report, snapshot, ctx=ctx, enabled=enabled)

            confirm(report, snapshot, ctx, bool(self._aws_confirm()))
        except Exception:
            self._log.exception("sagemaker-isolation: AWS confirmation of witnesses failed")
            if isinstance(report, dict):
                report["aws_confirmation"] = {
                    "status": "unavailable",
                    "note": "AWS confirmation failed unexpectedly (see the server log); the "
                    "report itself is complete.",
                    "calls": 0,
                    "confirmed": 0,
                    "disagreed": 0,
                    "not_checked": 0,
                }

    def shutdown(self) -> None:
        """Refuse new checks and stop the worker pool without waiting for running checks."""
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
