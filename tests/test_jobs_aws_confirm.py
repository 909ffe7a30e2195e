"""The server's report job applies the ``aws_confirm`` trait, in its worker thread."""

from __future__ import annotations

import threading
import time

import boto3
from botocore.stub import Stubber

from sagemaker_isolation_ext.aws.confirm import confirm_report
from sagemaker_isolation_ext.server.app import SageMakerIsolationApp
from sagemaker_isolation_ext.server.jobs import Collector, JobKey, ReportJobs
from tests.waits import JOB_WAIT_S
from tests.witness_fixtures import ROLE, report, role_json, snapshot

KEY = JobKey("d-own000000001", "us-east-1", None)


class LiveFixture(Collector):
    def collect(self, ctx, progress):
        return snapshot()


def _wait(jobs):
    deadline = time.monotonic() + JOB_WAIT_S
    while time.monotonic() < deadline:
        st = jobs.status(KEY)
        if st["status"] != "running":
            return st
        time.sleep(0.02)
    raise AssertionError("job did not finish")


def _jobs(**kw):
    return ReportJobs(LiveFixture(), analyze=lambda s: report([role_json(ROLE, ["sagemaker:A"])]),
                      **kw)


def test_trait_defaults_to_true():
    assert SageMakerIsolationApp().aws_confirm is True


def test_off_makes_no_call_and_says_so():
    seen = []
    jobs = _jobs(aws_confirm=lambda: False,
                 confirm=lambda r, s, c, enabled: seen.append(enabled) or confirm_report(
                     r, s, ctx=c, enabled=enabled))
    jobs.start(KEY, ctx=None)
    st = _wait(jobs)
    jobs.shutdown()
    assert seen == [False]
    assert st["report"]["aws_confirmation"]["status"] == "off"


def test_on_confirms_in_the_worker_thread(aws_env):
    client = boto3.client("iam", region_name="us-east-1")
    threads = []
    with Stubber(client) as stub:
        stub.add_response("simulate_principal_policy", {
            "EvaluationResults": [{"EvalActionName": "sagemaker:A", "EvalDecision": "allowed"}]})

        def confirm(r, s, c, enabled):
            threads.append(threading.current_thread().name)
            confirm_report(r, s, iam=client, enabled=enabled)

        jobs = _jobs(confirm=confirm)
        jobs.start(KEY, ctx=None)
        st = _wait(jobs)
        jobs.shutdown()
        stub.assert_no_pending_responses()
    assert threads and threads[0].startswith("sagemaker-isolation-check")
    assert threads[0] != threading.current_thread().name
    w = st["report"]["roles"][0]["cross_domain"][0]["witness"]
    assert st["status"] == "ready" and w["aws"]["decision"] == "allowed"


def test_a_confirmation_bug_does_not_fail_the_check():
    def broken(r, s, c, enabled):
        raise KeyError("EvaluationResults")

    jobs = _jobs(confirm=broken)
    jobs.start(KEY, ctx=None)
    st = _wait(jobs)
    jobs.shutdown()
    assert st["status"] == "ready"
    assert st["report"]["aws_confirmation"]["status"] == "unavailable"
