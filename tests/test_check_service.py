"""The check service (``sagemaker_isolation_ext.check``) is the one path from a source to a report.

Proved here: the CLI, the notebook, the server's jobs and the all-domain tag scan all call
``check.run_check``; the mode rules speak each entry point's words; analyses are reused by
snapshot digest (never across a change of the domain); the tag scan takes fresh job reports
instead of checking again; a plan analyses each snapshot state once and evaluates a role whose
policies a state does not change once for the whole plan.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import types
from pathlib import Path

import pytest

from sagemaker_isolation_ext import check
from sagemaker_isolation_ext.aws.target import AwsContext
from sagemaker_isolation_ext.sagemaker import analysis, templates
from sagemaker_isolation_ext.sagemaker import policy_plan as P
from sagemaker_isolation_ext.sagemaker.snapshot import load_snapshot
from sagemaker_isolation_ext.sagemaker.tags import DomainRef
from tests.waits import JOB_WAIT_S

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "sagemaker_isolation_ext" / "data"
DOC_POLICY = DATA / "isolation_policies" / "aws-docs-studio-domain-resource-isolation.json"
FULL_ACCESS = DATA / "managed_policies" / "AmazonSageMakerFullAccess.json"
SNAPSHOTS = Path(__file__).parent / "fixtures" / "snapshots"
ACCOUNT = "111122223333"
DOMAIN_ID = "d-research0001"
DOMAIN_ARN = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:domain/{DOMAIN_ID}"


def _offline_snapshot(full_access: bool = True) -> dict:
    files = [str(DOC_POLICY)] + ([str(FULL_ACCESS)] if full_access else [])
    return check.snapshot_from(check.OfflineSource(DOMAIN_ARN, tuple(files))).snapshot


@pytest.fixture
def spy(monkeypatch):
    """Record every ``check.run_check`` call (the real one still runs)."""
    calls = []
    real = check.run_check

    def recording(source, **kwargs):
        report = real(source, **kwargs)
        calls.append((source, kwargs, report))
        return report

    monkeypatch.setattr(check, "run_check", recording)
    return calls


def test_cli_check_goes_through_run_check(spy):
    from sagemaker_isolation_ext.cli.entry import main

    out = io.StringIO()
    code = main(
        ["check", "--domain-arn", DOMAIN_ARN, "--policy-file", str(DOC_POLICY),
         "--policy-file", str(FULL_ACCESS), "--format", "json"],
        out=out,
    )
    assert len(spy) == 1
    source, _kwargs, report = spy[0]
    assert isinstance(source, check.CheckInput) and not source.live
    assert json.loads(out.getvalue()) == report.to_json()
    assert code == 1 and report.verdict == "not_isolated"


def test_notebook_check_goes_through_run_check(spy, tmp_path):
    from sagemaker_isolation_ext.notebook.check import check_isolation

    path = tmp_path / "snap.json"
    path.write_text(json.dumps(_offline_snapshot(full_access=False)))
    result = check_isolation(snapshot=path)
    assert len(spy) == 1
    assert spy[0][2].to_json() is result.report
    assert result.verdict == spy[0][2].verdict


def test_server_jobs_go_through_run_check(spy):
    from sagemaker_isolation_ext.server.jobs import Collector, JobKey, ReportJobs

    snap = _offline_snapshot()

    class Fixed(Collector):
        def collect(self, ctx, progress):
            progress("reading roles", 1, 1)
            return snap

    jobs = ReportJobs(Fixed(), cache_ttl=300, aws_confirm=False)
    key = JobKey(DOMAIN_ID, "us-east-1", None)
    ctx = AwsContext(domain_id=DOMAIN_ID, region="us-east-1")
    try:
        jobs.start(key, ctx)
        deadline = time.monotonic() + JOB_WAIT_S
        while jobs.status(key)["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        status = jobs.status(key)
    finally:
        jobs.shutdown()
    assert status["status"] == "ready", status
    assert len(spy) == 1
    source, kwargs, report = spy[0]
    assert isinstance(source, check.LiveSource) and source.ctx is ctx
    assert kwargs["cache"] is jobs.cache
    assert status["report"]["verdict"] == report.verdict == "not_isolated"


def test_mode_rules_speak_the_entry_points_words(tmp_path):
    cli_labels = {"snapshot": "--snapshot", "domain_id": "--domain-id",
                  "domain_arn": "--domain-arn", "policy_files": "--policy-file"}
    with pytest.raises(check.SourceError, match="^--snapshot cannot be combined with --domain-id"):
        check.source_from_options(snapshot="s.json", domain_id=DOMAIN_ID, labels=cli_labels)
    with pytest.raises(check.SourceError, match="^snapshot cannot be combined with domain_id"):
        check.source_from_options(snapshot="s.json", domain_id=DOMAIN_ID)
    with pytest.raises(check.SourceError, match="--policy-file needs --domain-arn ARN"):
        check.source_from_options(policy_files=["p.json"], labels=cli_labels)
    with pytest.raises(check.SourceError, match="^policy_files needs domain_arn "):
        check.source_from_options(policy_files=["p.json"])
    with pytest.raises(check.SourceError) as bad_arn:
        check.source_from_options(domain_arn="arn:aws:s3:::bucket", policy_files=["p.json"])
    assert bad_arn.value.reason == "bad-domain-arn"
    with pytest.raises(check.SourceError) as missing:
        check.snapshot_from(tmp_path / "absent.json")
    assert missing.value.reason == "bad-snapshot"
    source = check.source_from_options(domain_arn=DOMAIN_ARN, policy_files=[DOC_POLICY])
    assert source == check.OfflineSource(DOMAIN_ARN, (str(DOC_POLICY),), None)


def test_analysis_reused_by_digest_only_while_the_domain_is_unchanged(monkeypatch):
    real = analysis.analyze
    seen = []

    # The reports' wall clock is the test's: generated_at has a one-second resolution, and a
    # loaded machine can spend seconds on the first analysis.
    wall = [dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)]

    class _Wall(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return wall[0]

    monkeypatch.setattr(check, "_dt", types.SimpleNamespace(datetime=_Wall,
                                                            timezone=dt.timezone))

    def counting(snapshot, *args, **kwargs):
        seen.append(check.snapshot_digest(snapshot))
        kwargs.setdefault("now", wall[0])
        return real(snapshot, *args, **kwargs)

    monkeypatch.setattr(analysis, "analyze", counting)
    now = [0.0]
    cache = check.ReportCache(ttl=60, clock=lambda: now[0])
    snap = _offline_snapshot()
    first = check.run_check(check.CheckInput(snap), cache=cache)
    assert first.to_json()["generated_at"] == "2026-12-01T00:00:00Z"
    wall[0] += dt.timedelta(seconds=5)
    again = dict(snap, collected_at="2030-01-01T00:00:00Z")  # read again, nothing changed
    second = check.run_check(check.CheckInput(again), cache=cache)
    assert len(seen) == 1 and second.reused and not first.reused
    # the reused analysis says when the domain was checked again; everything else is the same
    assert second.to_json()["generated_at"] == "2026-12-01T00:00:05Z"
    assert dict(second.to_json(), generated_at=None) == dict(first.to_json(), generated_at=None)
    assert second.to_json() is not first.to_json()
    # the confirmation step of one report never leaks into the cached analysis
    first.to_json()["aws_confirmation"]["note"] = "changed"
    assert check.run_check(check.CheckInput(snap), cache=cache).to_json()["aws_confirmation"][
        "note"] != "changed"
    changed = _offline_snapshot(full_access=False)  # the account changed: analysed again
    third = check.run_check(check.CheckInput(changed), cache=cache)
    assert len(seen) == 2 and not third.reused
    assert third.to_json()["roles"] != first.to_json()["roles"]
    now[0] = 61.0  # past the TTL: analysed again
    assert not check.run_check(check.CheckInput(snap), cache=cache).reused
    assert len(seen) == 3
    off = check.ReportCache(ttl=0)
    check.run_check(check.CheckInput(snap), cache=off)
    assert not check.run_check(check.CheckInput(snap), cache=off).reused


def test_all_domain_tag_scan_reuses_fresh_job_reports(monkeypatch):
    from sagemaker_isolation_ext.aws import tag_scan

    checked = []

    def fake_run_check(source, **kwargs):
        checked.append(source.ctx.domain_id)
        assert kwargs == {"confirm": False}
        return check.Report({"verdict": "not_isolated"}, check.CheckInput({}), "d")

    monkeypatch.setattr(check, "run_check", fake_run_check)
    fresh = {("d-cached000001", "eu-west-1"): {"verdict": "isolated"}}

    def reuse(ctx):
        return fresh.get((ctx.domain_id, ctx.region))

    ctx = AwsContext(domain_id=None, region="us-east-1")
    cached = DomainRef(id="d-cached000001", arn="arn", region="eu-west-1")
    other = DomainRef(id="d-other0000001", arn="arn2", region="eu-west-1")
    assert tag_scan.domain_verdict(ctx, cached, reuse) == {"verdict": "isolated"}
    assert checked == []
    assert tag_scan.domain_verdict(ctx, other, reuse) == {"verdict": "not_isolated"}
    assert checked == ["d-other0000001"]


def test_job_reports_are_offered_to_the_tag_scan_while_fresh():
    from sagemaker_isolation_ext.server.jobs import Collector, JobKey, ReportJobs
    from sagemaker_isolation_ext.server.tag_routes import TagScanJobs

    class Ready(Collector):
        def collect(self, c, progress):
            return _offline_snapshot()

    now = [1000.0]
    jobs = ReportJobs(Ready(), cache_ttl=300, aws_confirm=False, clock=lambda: now[0])
    key = JobKey(DOMAIN_ID, "us-east-1", None)
    ctx = AwsContext(domain_id=DOMAIN_ID, region="us-east-1")
    try:
        assert jobs.fresh_report_for(ctx) is None
        jobs.start(key, ctx)
        deadline = time.monotonic() + JOB_WAIT_S
        while jobs.status(key)["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert jobs.fresh_report_for(ctx)["verdict"] == "not_isolated"
        assert jobs.fresh_report_for(AwsContext(domain_id=DOMAIN_ID, region="eu-west-1")) is None
        now[0] += 301  # expired: never offered (a stale "isolated" is the worst answer)
        assert jobs.fresh_report_for(ctx) is None
    finally:
        jobs.shutdown()
    scans = TagScanJobs(reuse=jobs.fresh_report_for)
    assert scans.runner.keywords == {"reuse": jobs.fresh_report_for}


def _plan_snapshot() -> dict:
    return load_snapshot(json.loads((SNAPSHOTS / "multi_role.json").read_text()))


@pytest.mark.parametrize("variant, tag_states", [("allow", 0), ("aws-doc", 1)])
def test_plan_analyses_each_state_once_and_shares_role_results(monkeypatch, variant, tag_states):
    snap = _plan_snapshot()
    iso = f"arn:aws:iam::{ACCOUNT}:policy/StudioDomainResourceIsolationPolicy-d-fixture00001"
    state = {"policies": {iso: {"exists": True, "default_version_id": "v1",
                                "document": templates.render(snap["domain"]["arn"], variant),
                                "versions": [], "attached_roles": None}}}
    evaluations = []
    real_eval = analysis.evaluate_role
    monkeypatch.setattr(
        analysis, "evaluate_role", lambda *a: evaluations.append(1) or real_eval(*a)
    )
    analysis.analyze(snap)
    alone = len(evaluations)
    evaluations.clear()
    digests = []
    real = P.analyze

    def counting(snapshot, *args, **kwargs):
        digests.append(P.PlanAnalyses.digest(snapshot))
        return real(snapshot, *args, **kwargs)

    monkeypatch.setattr(P, "analyze", counting)
    # the Classic profile: the templates this test counts states for (tag-on-create or not)
    plan = P.build_plan(snap, variant, state, experience="classic")
    assert (plan["tag_on_create"] is not None) == bool(tag_states)
    # before, with the isolation policy, (with tag-on-create): each state analysed once
    assert len(digests) == len(set(digests)) == 2 + tag_states
    # the second state only adds the isolation policy, which the first analysis already
    # evaluated for every role (its templates section): no role is evaluated twice
    if not tag_states:
        assert len(evaluations) == alone
    # a report the check service already made is not made again
    digests.clear()
    analyses = P.PlanAnalyses()
    analyses.add(snap, check.run_check(check.CheckInput(snap), confirm=False).to_json())
    again = P.build_plan(snap, variant, state, analyses=analyses, experience="classic")
    assert again["roles"] == plan["roles"]
    assert len(digests) == 1 + tag_states
