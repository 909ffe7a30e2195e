"""Check every domain of some accounts and Regions: the service behind ``check --all-domains``
and the server's ``overview`` route.

Chain: ``aws.overview.collect_all_domains`` (each domain's snapshot, roles and managed policies
read once per run) -> ``sagemaker.analysis.analyze`` for each snapshot (the same analysis as a
one-domain ``check``, so a domain's verdict here is the verdict ``check --domain-id`` gives)
-> ``sagemaker.overview.build_overview`` (rows, reach matrix, "Do this next").

Blocking (AWS calls and analysis): the server calls it in a worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .aws.overview import DEFAULT_ASSUME_ROLE, Collected, collect_all_domains
from .aws.target import AwsContext

__all__ = ["OverviewResult", "OverviewCancelled", "check_all_domains"]

ProgressFn = Callable[[str, int, int], None]


class OverviewCancelled(RuntimeError):
    """The ``cancel`` event was set; raised between domains."""


@dataclass
class OverviewResult:
    """What :func:`check_all_domains` returns.

    Attributes:
        overview: ``build_overview``'s dict (README "Account overview contract").
        reports: ``{domain ARN: report}`` of each checked domain (the full one-domain report).
        collected: the :class:`aws.overview.Collected` (API calls, cache figures, seconds).
        nothing_read: True when no account and no Region answered (CLI exit 4).
    """

    overview: dict
    reports: dict = field(default_factory=dict)
    collected: Collected | None = None
    nothing_read: bool = False


def check_all_domains(
    ctx: AwsContext,
    *,
    regions: list[str] | None = None,
    all_regions: bool = False,
    accounts: list[str] | None = None,
    org: bool = False,
    assume_role: str = DEFAULT_ASSUME_ROLE,
    fixes: bool = True,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    session=None,
    max_workers: int | None = None,
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

    Returns:
        :class:`OverviewResult`.

    Raises:
        aws.errors.AwsUnreachable: no credentials, or the caller's identity cannot be read.
        ValueError: a bad ``assume_role`` name.
        OverviewCancelled: ``cancel`` was set.
    """
    from .sagemaker.analysis import analyze
    from .sagemaker.catalog import load_catalog
    from .sagemaker.overview import build_overview

    kwargs = {} if max_workers is None else {"max_workers": max_workers}
    collected = collect_all_domains(ctx, regions=regions, all_regions=all_regions,
                                    accounts=accounts, org=org, assume_role=assume_role,
                                    session=session, progress=progress, **kwargs)
    catalog = load_catalog()
    checked = []
    reports: dict = {}
    total = len(collected.snapshots)
    for i, snap in enumerate(collected.snapshots, 1):
        if cancel is not None and cancel.is_set():
            raise OverviewCancelled("overview cancelled")
        report = analyze(snap, catalog)
        checked.append((snap, report))
        reports[report["domain"]["arn"]] = report
        if progress is not None:
            progress("analysis", i, total)
    if cancel is not None and cancel.is_set():
        raise OverviewCancelled("overview cancelled")
    overview = build_overview(checked, collected.unreadable, collected.errors, catalog=catalog,
                              fixes=fixes, progress=progress)
    overview["run"] = {
        "accounts": collected.accounts,
        "regions": collected.regions,
        "api_calls": collected.api_calls,
        "cache": collected.cache,
        "collect_seconds": collected.seconds,
    }
    return OverviewResult(overview, reports, collected, collected.nothing_read)
