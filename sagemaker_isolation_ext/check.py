"""The check service: the one place that turns a source into a report (docs/ARCHITECTURE.md §2).

Every entry point that checks a domain goes through here: the CLI (``cli/check.py``), the
notebook (``notebook/check.py``), the server's jobs (``server/jobs.py``), the all-domain tag scan
(``aws/tag_scan.domain_verdict``) and the admin plan (``aws/apply.make_plan``, which hands
:func:`analyse` to ``sagemaker.policy_plan.build_plan``).

- :func:`source_from_options` picks the mode from an entry point's options (a saved snapshot,
  offline policy files + domain ARN, or live) and refuses mixed modes, in the entry point's own
  words (``--domain-id`` for the CLI, ``domain_id`` for the notebook).
- :func:`snapshot_from` reads or builds the Snapshot (docs/ARCHITECTURE.md §3) of a source:
  a saved snapshot (path or dict), an :class:`OfflineSource`, or a :class:`LiveSource` (an
  ``aws.target.AwsContext`` with a collector; the default collector is
  ``aws.collect.collect_snapshot``).
- :func:`run_check` chains collect -> analyse (``sagemaker.analysis.analyze``) -> the witnesses'
  simulator commands and, for a live check with AWS confirmation on, AWS's answers
  (``aws.confirm.confirm_report``), and returns a :class:`Report`.
- :class:`ReportCache` keeps analyses by snapshot digest for ``ttl`` seconds, so a snapshot
  analysed once (the same domain state read again, a plan's "before") is not analysed again.
- :func:`check_all_domains` (``check --all-domains``, the server's ``overview`` route): every
  domain of some accounts and Regions read by ``aws.overview.collect_all_domains`` (roles and
  managed policies once per run), each checked by :func:`run_check` (without AWS confirmation),
  then ``sagemaker.overview.build_overview`` (rows, reach matrix, "Do this next").

No Jupyter or tornado import; ``aws/`` and ``sagemaker/`` are imported lazily (the CLI's
``--help`` stays fast and the module imports without boto3 for offline use).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import hashlib
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "AnalysisError",
    "CheckInput",
    "LiveSource",
    "OfflineSource",
    "Report",
    "ReportCache",
    "SourceError",
    "analyse",
    "check_all_domains",
    "OverviewCancelled",
    "OverviewResult",
    "run_check",
    "snapshot_digest",
    "snapshot_from",
    "source_from_options",
]

_log = logging.getLogger(__name__)

#: ``progress(stage, done, total)`` (the collector's stages, then ``analyzing``, ``confirming``).
ProgressFn = Callable[[str, int, int], None]

#: Snapshot keys that vary between two reads of an unchanged domain and that the analysis does
#: not read (``collected_at``: when it was read); left out of :func:`snapshot_digest`.
VOLATILE_SNAPSHOT_KEYS = ("collected_at",)


class SourceError(ValueError):
    """The check cannot start: modes mixed, an unreadable snapshot or policy file, a bad domain
    ARN. ``message`` says what is wrong in the entry point's words; ``reason`` is one of
    ``bad-input``, ``bad-snapshot``, ``bad-policy-file``, ``bad-domain-arn``."""

    def __init__(self, message: str, reason: str = "bad-input") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class AnalysisError(ValueError):
    """The snapshot cannot be analysed (``analysis.analyze`` raised ValueError: no usable domain
    ARN, a structural field of the wrong type). ``cause`` is the original exception."""

    def __init__(self, cause: ValueError) -> None:
        super().__init__(f"the snapshot cannot be analysed: {cause}")
        self.cause = cause


@dataclasses.dataclass(frozen=True)
class OfflineSource:
    """One role holding the identity policies of ``policy_files`` (and the permissions boundary
    of ``boundary_file``), checked against the domain ``domain_arn``; no AWS call."""

    domain_arn: str
    policy_files: tuple[str, ...]
    boundary_file: str | None = None


@dataclasses.dataclass(frozen=True)
class LiveSource:
    """A live domain: ``ctx`` (an ``aws.target.AwsContext``) read by ``collector`` (an object
    with ``collect(ctx, progress) -> Snapshot``, e.g. ``server.jobs.Collector``; None:
    ``aws.collect.collect_snapshot`` with ``session`` when given)."""

    ctx: Any
    collector: Any = None
    session: Any = None


@dataclasses.dataclass
class CheckInput:
    """A Snapshot ready to analyse, and where it came from.

    Attributes:
        snapshot: the validated Snapshot dict (docs/ARCHITECTURE.md §3).
        ctx: the live ``AwsContext``, or None (offline policy files, a saved snapshot).
        policy_files: ``[(policy name, path)]`` of an offline check (SARIF locations).
        boundary_file: ``(policy name, path)`` of an offline boundary, or None.
        live: read by a collector (AWS may be asked to confirm the witnesses); default: a
            context is given.
    """

    snapshot: dict
    ctx: Any = None
    policy_files: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    boundary_file: tuple[str, str] | None = None
    live: bool | None = None

    def __post_init__(self) -> None:
        if self.live is None:
            self.live = self.ctx is not None


@dataclasses.dataclass
class Report:
    """The result of :func:`run_check`.

    Attributes:
        data: the report dict (docs/ARCHITECTURE.md §7, the README's JSON contract).
        input: the :class:`CheckInput` it was made from (snapshot, context, policy files).
        digest: :func:`snapshot_digest` of the snapshot.
        reused: True when the analysis came from a :class:`ReportCache`.
    """

    data: dict
    input: CheckInput
    digest: str
    reused: bool = False

    @property
    def verdict(self) -> str:
        """``isolated`` | ``not_isolated`` | ``unknown`` (anything else reads ``unknown``)."""
        v = self.data.get("verdict")
        return v if v in ("isolated", "not_isolated") else "unknown"

    @property
    def snapshot(self) -> dict:
        """The analysed Snapshot."""
        return self.input.snapshot

    def to_json(self) -> dict:
        """The report dict (the same object as :attr:`data`)."""
        return self.data


def snapshot_digest(snapshot: dict) -> str:
    """sha256 (hex) of the snapshot's canonical JSON without :data:`VOLATILE_SNAPSHOT_KEYS`:
    two reads of an unchanged domain have the same digest."""
    body = {k: v for k, v in snapshot.items() if k not in VOLATILE_SNAPSHOT_KEYS}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ReportCache:
    """Analyses kept by key (snapshot digest, catalog, analysis budget) for ``ttl`` seconds.

    Thread-safe; at most ``max_entries`` (the least recently used goes first). Values are
    deep-copied in and out, so a caller that adds the AWS confirmation to its report never
    changes the cached analysis.

    Args:
        ttl: seconds an entry is served, or a zero-argument callable returning them (the
            server's ``cache_ttl``, so a live config change applies); 0 disables reuse.
        max_entries: entries kept.
        clock: seconds (tests pass a fake).
    """

    def __init__(
        self,
        ttl: float | Callable[[], float] = 300.0,
        max_entries: int = 32,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl if callable(ttl) else (lambda: float(ttl))
        self._max = max(1, int(max_entries))
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[Any, tuple[float, dict]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> dict | None:
        """A copy of the fresh entry of ``key``, or None."""
        with self._lock:
            item = self._items.get(key)
            if item is None or self._clock() - item[0] >= self._ttl():
                self._items.pop(key, None)
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            value = item[1]
        return copy.deepcopy(value)

    def put(self, key: Any, value: dict) -> None:
        """Keep a copy of ``value`` under ``key`` (nothing when the TTL is 0)."""
        if self._ttl() <= 0:
            return
        value = copy.deepcopy(value)
        with self._lock:
            self._items[key] = (self._clock(), value)
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


# -- sources -----------------------------------------------------------------------------------

_LIVE_OPTIONS = ("domain_id", "region", "profile", "endpoint_url", "metadata_path")
_OFFLINE_OPTIONS = ("policy_files", "domain_arn", "boundary_file")


def source_from_options(
    *,
    snapshot: str | os.PathLike | dict | None = None,
    domain_arn: str | None = None,
    policy_files: Sequence[str | os.PathLike] = (),
    boundary_file: str | os.PathLike | None = None,
    domain_id: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    endpoint_url: str | None = None,
    metadata_path: str | os.PathLike | None = None,
    labels: Mapping[str, str] | None = None,
    collector: Any = None,
) -> Any:
    """The source an entry point's options name, for :func:`snapshot_from`.

    Three modes that do not mix (docs/CLI.md, ``check``): a saved ``snapshot`` (path or dict);
    offline ``domain_arn`` + ``policy_files`` (+ ``boundary_file``); live (the rest; the context
    is resolved by ``aws.target.resolve_context``, ``metadata_path`` defaulting to Studio's
    ``/opt/ml/metadata/resource-metadata.json``).

    Args:
        labels: how the entry point spells each option in messages (``{"domain_id":
            "--domain-id", ...}``); default the option names.
        collector: the live collector (see :class:`LiveSource`).

    Returns:
        the saved snapshot (path or dict), an :class:`OfflineSource` or a :class:`LiveSource`.

    Raises:
        SourceError: modes mixed, an offline check without its domain ARN or policy file, a
            domain ARN that does not parse.
        aws.errors.ContextError: live, and no domain or Region can be determined.
    """
    names = dict(labels or {})
    given = {
        "domain_id": domain_id,
        "region": region,
        "profile": profile,
        "endpoint_url": endpoint_url,
        "metadata_path": metadata_path,
        "policy_files": list(policy_files or ()),
        "domain_arn": domain_arn,
        "boundary_file": boundary_file,
    }

    def said(options) -> list[str]:
        return [names.get(o, o) for o in options if given[o]]

    live = said(_LIVE_OPTIONS)
    if snapshot is not None:
        others = live + said(_OFFLINE_OPTIONS)
        if others:
            raise SourceError(
                f"{names.get('snapshot', 'snapshot')} cannot be combined with {', '.join(others)}"
            )
        return snapshot if isinstance(snapshot, dict) else Path(snapshot)
    if policy_files or boundary_file or domain_arn:
        return _offline_source(names, live, domain_arn, policy_files, boundary_file)
    from .aws.target import DEFAULT_METADATA_PATH, resolve_context

    ctx = resolve_context(
        domain_id=domain_id,
        region=region,
        profile=profile,
        endpoint_url=endpoint_url,
        metadata_path=metadata_path if metadata_path is not None else DEFAULT_METADATA_PATH,
    )
    return LiveSource(ctx, collector=collector)


def _offline_source(names, live, domain_arn, policy_files, boundary_file) -> OfflineSource:
    """The :class:`OfflineSource` of :func:`source_from_options` (raises SourceError)."""
    arn_name = names.get("domain_arn", "domain_arn")
    files_name = names.get("policy_files", "policy_files")
    if live:
        offline = [names.get(o, o) for o in ("domain_arn", "policy_files") if o in names] or [
            arn_name,
            files_name,
        ]
        raise SourceError(
            f"offline options ({'/'.join(offline)}) cannot be combined with {', '.join(live)}"
        )
    if not domain_arn:
        raise SourceError(
            f"{files_name} needs {_metavar(arn_name, 'ARN')} (the domain to check against)"
        )
    if not policy_files:
        raise SourceError(
            f"{arn_name} needs at least one {_metavar(files_name, 'F')} (offline check)"
        )
    from .sagemaker.templates import parse_domain_arn

    try:
        parse_domain_arn(domain_arn)
    except ValueError as exc:
        raise SourceError(str(exc), "bad-domain-arn") from None
    return OfflineSource(
        domain_arn,
        tuple(str(p) for p in policy_files),
        str(boundary_file) if boundary_file else None,
    )


def _metavar(label: str, metavar: str) -> str:
    """A command-line flag with its value's name (``--domain-arn ARN``); other labels as is."""
    return f"{label} {metavar}" if label.startswith("--") else label


def snapshot_from(source: Any, *, progress: ProgressFn | None = None) -> CheckInput:
    """Read or build the Snapshot of ``source``.

    Args:
        source: a saved snapshot (``str`` / ``os.PathLike`` path, or a dict), an
            :class:`OfflineSource`, a :class:`LiveSource`, or an ``AwsContext`` (live, default
            collector).
        progress: ``progress(stage, done, total)`` for a live collection.

    Returns:
        the :class:`CheckInput` (snapshot, live context or None, offline file names).

    Raises:
        SourceError: an unreadable or invalid snapshot (``bad-snapshot``) or policy file
            (``bad-policy-file``).
        aws.errors.AwsUnreachable: live, and AWS cannot be read (no credentials, no domain).
        sagemaker.snapshot.SnapshotError: a live collector returned an invalid snapshot.
    """
    from .sagemaker import snapshot as snap

    if isinstance(source, (dict, str, os.PathLike)):
        try:
            return CheckInput(
                snap.load_snapshot(source if isinstance(source, dict) else Path(source))
            )
        except (OSError, ValueError) as exc:  # SnapshotError names the file and the field
            raise SourceError(str(exc), "bad-snapshot") from None
    if isinstance(source, OfflineSource):
        try:
            policies = [snap.read_policy_file(p) for p in source.policy_files]
            boundary = (
                snap.read_policy_file(source.boundary_file) if source.boundary_file else None
            )
            built = snap.snapshot_from_policy_files(
                source.domain_arn, policies, boundary=boundary
            )
        except (OSError, ValueError) as exc:
            raise SourceError(str(exc), "bad-policy-file") from None
        return CheckInput(
            built,
            None,
            [(name, path) for (name, _doc), path in zip(policies, source.policy_files)],
            (boundary[0], source.boundary_file) if boundary else None,
        )
    if not isinstance(source, LiveSource):
        source = LiveSource(source)
    if source.collector is not None:
        collected = source.collector.collect(source.ctx, progress or _no_progress)
    else:
        from .aws import collect

        kwargs = {"session": source.session} if source.session is not None else {}
        collected = collect.collect_snapshot(source.ctx, progress=progress, **kwargs)
    return CheckInput(collected, source.ctx, live=True)


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


# -- analysis and the check --------------------------------------------------------------------


def analyse(
    snapshot: dict,
    *,
    catalog: Any = None,
    now: Any = None,
    role_cache: Any = None,
    cache: ReportCache | None = None,
) -> dict:
    """``sagemaker.analysis.analyze(snapshot)``, reused from ``cache`` when fresh.

    Args:
        snapshot: a validated Snapshot.
        catalog: the action catalog (default: loaded).
        now: the report's ``generated_at`` (default: UTC now; also for a reused analysis: the
            domain was read again and found unchanged, so the report holds as of now).
        role_cache: an ``analysis.RoleResultCache`` shared between analyses of related
            snapshots (a plan's before and after states), or None.
        cache: a :class:`ReportCache`; the key is the snapshot digest, the catalog's version and
            the analysis budget.

    Returns:
        the report dict (a fresh copy when reused).

    Raises:
        ValueError: the snapshot cannot be analysed (``analysis.analyze``).
    """
    from .sagemaker import analysis

    key = None
    if cache is not None:
        budget = analysis.budget_limits()
        key = (
            snapshot_digest(snapshot),
            getattr(catalog, "version", None),
            tuple(sorted(budget.items())) if isinstance(budget, dict) else budget,
        )
        hit = cache.get(key)
        if hit is not None:
            # The domain was read again and is unchanged: the report holds as of now.
            moment = now or _dt.datetime.now(_dt.timezone.utc)
            hit["generated_at"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            return hit
    kwargs: dict[str, Any] = {}
    if now is not None:
        kwargs["now"] = now
    if role_cache is not None:
        kwargs["role_cache"] = role_cache
    report = analysis.analyze(snapshot, catalog, **kwargs)
    if key is not None:
        cache.put(key, report)
    return report


def run_check(
    source: Any,
    *,
    aws_confirm: bool = True,
    confirm: bool = True,
    progress: ProgressFn | None = None,
    cache: ReportCache | None = None,
    analyse_fn: Callable[[dict], dict] | None = None,
    confirmer: Callable[[dict, dict, Any, bool], None] | None = None,
    catalog: Any = None,
    role_cache: Any = None,
) -> Report:
    """Check a domain: collect (unless ``source`` is a :class:`CheckInput`), analyse, confirm.

    Args:
        source: a :class:`CheckInput`, or anything :func:`snapshot_from` takes.
        aws_confirm: a live check asks IAM's policy simulator to confirm each witness (at most
            100 calls, ``aws.confirm``); False: the commands only. Offline and saved snapshots
            never call AWS.
        confirm: False skips the witnesses' commands and confirmation altogether (a plan's
            "before", a tag scan's verdict).
        progress: ``progress(stage, done, total)``: the collector's stages (after
            ``collecting``), then ``analyzing`` and ``confirming``.
        cache: a :class:`ReportCache` of analyses by snapshot digest.
        analyse_fn: ``analyse_fn(snapshot) -> report`` instead of :func:`analyse` (tests).
        confirmer: ``confirmer(report, snapshot, ctx, enabled)`` instead of
            ``aws.confirm.confirm_report`` for a live check (tests). Its failures never fail the
            check: they are logged and the report says AWS confirmation is ``unavailable``.
        catalog, role_cache: passed to :func:`analyse`.

    Returns:
        the :class:`Report`.

    Raises:
        SourceError, aws.errors.AwsUnreachable, sagemaker.snapshot.SnapshotError: as
            :func:`snapshot_from`.
        AnalysisError: the snapshot cannot be analysed.
    """
    stage = progress or _no_progress
    if not isinstance(source, CheckInput):
        stage("collecting", 0, 0)
        source = snapshot_from(source, progress=progress)
    snapshot = source.snapshot
    stage("analyzing", 0, 1)
    digest = snapshot_digest(snapshot)
    hits = cache.hits if cache is not None else 0
    try:
        if analyse_fn is not None:
            data = analyse_fn(snapshot)
        else:
            data = analyse(snapshot, catalog=catalog, role_cache=role_cache, cache=cache)
    except ValueError as exc:
        raise AnalysisError(exc) from exc
    reused = cache is not None and cache.hits > hits
    if confirm:
        stage("confirming", 0, 1)
        _confirm(data, source, aws_confirm, confirmer)
    return Report(data, source, digest, reused)


def _confirm(report: dict, source: CheckInput, aws_confirm: bool, confirmer) -> None:
    """The witnesses' simulator commands; for a live check, AWS's answers (when enabled)."""
    if not source.live:
        from .sagemaker.simulator_commands import mark_unconfirmed

        mark_unconfirmed(report, source.snapshot)
        return
    try:
        if confirmer is None:
            from .aws.confirm import confirm_report

            confirm_report(report, source.snapshot, ctx=source.ctx, enabled=bool(aws_confirm))
        else:
            confirmer(report, source.snapshot, source.ctx, bool(aws_confirm))
    except Exception:  # a bug there never turns a finished analysis into a failed check
        _log.exception("sagemaker-isolation: AWS confirmation of witnesses failed")
        if isinstance(report, dict):
            report["aws_confirmation"] = {
                "status": "unavailable",
                "note": "AWS confirmation failed unexpectedly (see the log); the "
                "report itself is complete.",
                "calls": 0,
                "confirmed": 0,
                "disagreed": 0,
                "not_checked": 0,
            }


# -- every domain at a glance --------------------------------------------------------------


class OverviewCancelled(RuntimeError):
    """The ``cancel`` event was set; raised between domains."""


@dataclasses.dataclass
class OverviewResult:
    """What :func:`check_all_domains` returns.

    Attributes:
        overview: ``build_overview``'s dict (README "Account overview contract").
        reports: ``{domain ARN: report}`` of each checked domain (the full one-domain report).
        collected: the :class:`aws.overview.Collected` (API calls, cache figures, seconds).
        nothing_read: True when no account and no Region answered (CLI exit 4).
    """

    overview: dict
    reports: dict = dataclasses.field(default_factory=dict)
    collected: Any = None
    nothing_read: bool = False


def check_all_domains(
    ctx: Any,
    *,
    regions: list[str] | None = None,
    all_regions: bool = False,
    accounts: list[str] | None = None,
    org: bool = False,
    assume_role: str = "OrganizationAccountAccessRole",
    fixes: bool = True,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    session=None,
    max_workers: int | None = None,
    share_between_domains: bool = True,
) -> OverviewResult:
    """Collect, analyse and summarise every domain (see the module docstring).

    Args:
        ctx: profile, endpoint URL and default Region.
        regions, all_regions, accounts, org, assume_role: as
            :func:`aws.overview.collect_all_domains`.
        fixes: compute "Do this next" (re-runs the analysis per fix).
        progress: ``progress(stage, done, total)``; stages ``accounts``, ``regions``,
            ``domains`` (read), ``analysis`` (domains analysed), ``reach``, ``fixes``.
        cancel: set it to stop between domains (:class:`OverviewCancelled`).
        session: the caller's boto3 Session (tests).
        max_workers: threads for AWS reads (default ``aws.overview.DEFAULT_MAX_WORKERS``).
        share_between_domains: rename a role's analysis from another domain where
            ``sagemaker/symmetry.py`` proves it carries over (False: every domain analysed
            alone; the benchmark's "without" figure).

    Returns:
        :class:`OverviewResult`.

    Raises:
        aws.errors.AwsUnreachable: no credentials, or the caller's identity cannot be read.
        ValueError: a bad ``assume_role`` name.
        OverviewCancelled: ``cancel`` was set.
    """
    from .aws.overview import collect_all_domains
    from .sagemaker.analysis import RoleResultCache
    from .sagemaker.catalog import load_catalog
    from .sagemaker.overview import build_overview

    kwargs = {} if max_workers is None else {"max_workers": max_workers}
    collected = collect_all_domains(ctx, regions=regions, all_regions=all_regions,
                                    accounts=accounts, org=org, assume_role=assume_role,
                                    session=session, progress=progress, **kwargs)
    catalog = load_catalog()
    # One cache for the run: exact reuse within a domain, and results renamed between domains
    # where sagemaker/symmetry.py proves they carry over (share_between_domains=False: off).
    role_cache = RoleResultCache(share_between_domains=share_between_domains)
    checked = []
    reports: dict = {}
    total = len(collected.snapshots)
    for i, snap in enumerate(collected.snapshots, 1):
        if cancel is not None and cancel.is_set():
            raise OverviewCancelled("overview cancelled")
        # The one check service; no AWS confirmation (one simulator call per witness of every
        # domain would be a run of its own: a domain's own check does it).
        try:
            report = run_check(CheckInput(snap, None, live=True), confirm=False,
                               catalog=catalog, role_cache=role_cache).data
        except AnalysisError as exc:  # the domain's snapshot cannot be analysed: unknown
            dom = snap.get("domain") or {}
            err = {"account_id": snap.get("account_id"), "region": snap.get("region"),
                   "operation": "analysis", "code": "AnalysisError",
                   "message": f"domain {dom.get('arn')}: {exc}"}
            collected.errors.append(err)
            collected.unreadable.append(({"id": dom.get("id"), "arn": dom.get("arn"),
                                          "name": dom.get("name"), "region": snap.get("region"),
                                          "account_id": snap.get("account_id")}, err))
            continue
        checked.append((snap, report))
        reports[report["domain"]["arn"]] = report
        if progress is not None:
            progress("analysis", i, total)
    if cancel is not None and cancel.is_set():
        raise OverviewCancelled("overview cancelled")
    overview = build_overview(checked, collected.unreadable, collected.errors, catalog=catalog,
                              fixes=fixes, progress=progress, role_cache=role_cache)
    overview["run"] = {
        "accounts": collected.accounts,
        "regions": collected.regions,
        "api_calls": collected.api_calls,
        "cache": collected.cache,
        "collect_seconds": collected.seconds,
        "role_analyses": role_cache.stats(),
    }
    return OverviewResult(overview, reports, collected, collected.nothing_read)
