"""OverviewJobs (server/overview_routes.py) with fake runners: one job at a time, reuse,
cancel, errors as statuses (never a result)."""

from __future__ import annotations

import threading
import time

from sagemaker_isolation_ext.aws.errors import AwsUnreachable
from sagemaker_isolation_ext.check import OverviewCancelled, OverviewResult
from sagemaker_isolation_ext.server.overview_routes import OverviewJobs
from tests.waits import JOB_WAIT_S

KEY = {"regions": ["us-east-1"], "all_regions": False, "accounts": [], "org": False,
       "assume_role": "OrganizationAccountAccessRole", "profile": None}
OVERVIEW = {"domains": [{"arn": "arn:aws:sagemaker:us-east-1:111122223333:domain/d-a"}],
            "reach": [], "errors": [], "fixes": [{"closes": 2}],
            "summary": {"domains": 1}, "run": {"accounts": ["111122223333"]}}


def _wait(jobs, timeout=JOB_WAIT_S):
    deadline = time.monotonic() + timeout
    while jobs.status()["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return jobs.status()


def test_ready_result_carries_the_contract_and_the_reports():
    calls = []

    def runner(ctx, key, cancel, progress):
        calls.append(key)
        progress("domains", 1, 1)
        return OverviewResult(dict(OVERVIEW), {"arn:x": {"verdict": "isolated"}}, None, False)

    jobs = OverviewJobs(runner)
    assert jobs.status()["status"] == "none"
    jobs.start(None, KEY, refresh=False)
    done = _wait(jobs)
    assert done["status"] == "ready"
    assert done["overview"] == {"domains": OVERVIEW["domains"], "reach": [], "errors": []}
    assert done["fixes"] == [{"closes": 2}] and done["run"]["nothing_read"] is False
    assert done["progress"] == {"stage": "domains", "done": 1, "total": 1}
    assert jobs.report("arn:x") == {"verdict": "isolated"} and jobs.report("arn:y") is None
    # Same key, no refresh: the ready job is returned, nothing runs again.
    again = jobs.start(None, dict(KEY), refresh=False)
    assert again["started_at"] == done["started_at"] and len(calls) == 1
    jobs.start(None, KEY, refresh=True)
    _wait(jobs)
    assert len(calls) == 2


def test_one_at_a_time_and_cancel():
    gate = threading.Event()

    def runner(ctx, key, cancel, progress):
        gate.wait(5)
        if cancel.is_set():
            raise OverviewCancelled("cancelled")
        return OverviewResult(dict(OVERVIEW))

    jobs = OverviewJobs(runner)
    first = jobs.start(None, KEY, refresh=False)
    other = jobs.start(None, {**KEY, "regions": ["eu-west-1"]}, refresh=True)
    assert first["status"] == other["status"] == "running"
    assert other["key"] == KEY  # the running one is returned
    jobs.cancel()
    gate.set()
    assert _wait(jobs)["status"] == "cancelled"


def test_errors_are_statuses():
    def no_creds(ctx, key, cancel, progress):
        raise AwsUnreachable("No AWS credentials found.", reason="no-credentials")

    jobs = OverviewJobs(no_creds)
    jobs.start(None, KEY, refresh=False)
    st = _wait(jobs)
    assert st["status"] == "error" and st["error"]["reason"] == "no-credentials"
    assert st["overview"] is None

    def bug(ctx, key, cancel, progress):
        raise KeyError("oops")

    jobs = OverviewJobs(bug)
    jobs.start(None, KEY, refresh=False)
    st = _wait(jobs)
    assert st["status"] == "error" and st["error"]["reason"] == "internal-error"
