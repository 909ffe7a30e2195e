"""Faults of issue 13 at the server and file boundaries: deep JSON on every POST route and in
check/lint files, jobs kept forever, too many checks at once, state released at shutdown,
change records left by a killed process.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time

import pytest
import tornado.web
from tornado.httpclient import HTTPClientError

from sagemaker_isolation_ext.audit import AuditStore, with_liveness
from sagemaker_isolation_ext.iam.jsondepth import JsonTooDeep, check_json_depth, json_depth
from sagemaker_isolation_ext.server.admin_routes import admin_route_table
from sagemaker_isolation_ext.server.jobs import Collector, JobKey, ReportJobs, TooManyChecks
from sagemaker_isolation_ext.server.routes import route_table
from tests.waits import JOB_WAIT_S

pytest_plugins = ("pytest_jupyter.jupyter_server",)

DOMAIN_ARN = "arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123"


# -- the depth scan ------------------------------------------------------------------------------


def test_depth_scan_skips_strings_and_never_recurses():
    assert json_depth('{"a": [1, {"b": "[[[{{ \\" ]]"}]}') == 3
    assert json_depth(b"[[[]]]") == 3 and json_depth("7") == 0
    assert json_depth("[" * 100_000 + "]" * 100_000) == 100_000  # no RecursionError
    assert json_depth("[" * 1_000_000, stop_above=64) == 65  # stops early
    check_json_depth("[" * 64 + "]" * 64)
    with pytest.raises(JsonTooDeep, match="nested too deeply"):
        check_json_depth("[" * 65 + "]" * 65)
    # the scan agrees with json.loads on depth for valid JSON of every depth up to the limit
    for depth in (1, 2, 10, 64):
        text = '{"k": ' * depth + "0" + "}" * depth
        assert json.loads(text) and json_depth(text) == depth


# -- every POST route ------------------------------------------------------------------------------


def _post_routes() -> list[str]:
    out = []
    for pattern, cls in route_table() + admin_route_table():
        if cls.post is not tornado.web.RequestHandler._unimplemented_method:
            out.append(pattern.split("/sagemaker-isolation/", 1)[1])
    return out


POST_ROUTES = _post_routes()


def test_the_route_table_has_the_post_routes_we_fuzz():
    assert {"report", "explain", "tag-scan", "tag-plan", "admin/plan", "admin/apply",
            "admin/rollback", "tag-backfill", "tag-rollback"} <= set(POST_ROUTES)


@pytest.fixture
def jp_server_config(tmp_path):
    return {
        "ServerApp": {"jpserver_extensions": {"sagemaker_isolation_ext": True}},
        "SageMakerIsolationApp": {
            "admin_actions_enabled": True,
            "domain_id": "d-research0001",
            "region": "us-east-1",
            "endpoint_url": "http://127.0.0.1:9",  # never reached: bad input fails first
            "metadata_path": str(tmp_path / "absent.json"),
            "audit_dir": str(tmp_path / "audit"),
        },
    }


async def _post_error(jp_fetch, route, body: bytes | str):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("sagemaker-isolation", *route.split("/"), method="POST", body=body)
    return info.value.code, json.loads(info.value.response.body)


DEEP_BODIES = {
    "list-100000": "[" * 100_000 + "]" * 100_000,
    "object-40000": '{"a":' * 40_000 + "1" + "}" * 40_000,  # under every route's size cap
    "field-65": '{"domain_id": ' + "[" * 64 + "]" * 64 + "}",
    "unclosed-5000": '{"x": ' + "[" * 5000,
}


@pytest.mark.parametrize("route", POST_ROUTES)
@pytest.mark.parametrize("name", sorted(DEEP_BODIES))
async def test_deep_body_is_400_too_deep_on_every_post_route(jp_fetch, route, name):
    code, body = await _post_error(jp_fetch, route, DEEP_BODIES[name])
    assert code == 400, body
    assert body == {"message": "the request body is nested too deeply (more than 64 levels of "
                    "objects and arrays)", "reason": "too-deep"}


@pytest.mark.parametrize("route", POST_ROUTES)
async def test_sane_depth_and_brackets_in_strings_are_not_too_deep(jp_fetch, route):
    # 64 levels, and brackets inside a string: ordinary bad input (wrong field), never too-deep
    for text in ('{"nope": ' + "[" * 63 + "]" * 63 + "}",
                 json.dumps({"nope": "[" * 10_000})):
        code, body = await _post_error(jp_fetch, route, text)
        assert code == 400 and body["reason"] != "too-deep", body


async def test_429_too_many_checks_shape(jp_fetch, jp_serverapp):
    jobs = jp_serverapp.web_app.settings["sagemaker_isolation_jobs"]
    jobs.max_in_flight = 0
    code, body = await _post_error(jp_fetch, "report", json.dumps({"domain_id": "d-abc123"}))
    assert code == 429
    assert body["reason"] == "too-many-checks" and set(body) == {"message", "reason"}
    assert "retry shortly" in body["message"]


async def test_stop_extension_releases_tag_scans_and_admin_state(jp_serverapp):
    settings = jp_serverapp.web_app.settings
    tag_jobs = settings["sagemaker_isolation_tag_jobs"]
    admin = settings["sagemaker_isolation_admin"]
    started, cancelled = threading.Event(), []

    def runner(ctx, all_domains, rows, max_rows, cancel, progress):
        started.set()
        cancelled.append(cancel.wait(timeout=JOB_WAIT_S))
        from sagemaker_isolation_ext.aws.tag_scan import ScanCancelled

        raise ScanCancelled("cancelled")

    tag_jobs.runner = runner
    ctx = type("Ctx", (), {"region": "us-east-1"})()
    tag_jobs.start(("d-abc123", "us-east-1", None), ctx, all_domains=False, rows="none",
                   max_rows=0, refresh=False)
    assert started.wait(JOB_WAIT_S)
    ext = next(a for a in jp_serverapp.extension_manager.extension_apps["sagemaker_isolation_ext"])
    await ext.stop_extension()
    deadline = time.monotonic() + JOB_WAIT_S
    while not cancelled:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert cancelled == [True]
    with pytest.raises(RuntimeError):
        admin.executor.submit(print)  # the apply worker is shut down


async def test_tag_plan_refuses_a_scan_with_an_incomplete_listing(jp_fetch, jp_serverapp):
    tag_jobs = jp_serverapp.web_app.settings["sagemaker_isolation_tag_jobs"]
    dom = {"id": "d-abc123", "arn": DOMAIN_ARN, "name": "x", "region": "us-east-1",
           "account_id": "111122223333"}

    def runner(ctx, all_domains, rows, max_rows, cancel, progress):
        return {"domain": dom, "resources": [], "types_not_covered": {
            "training-job": "sagemaker:ListTrainingJobs listing incomplete (token-repeated: ...)"}}

    tag_jobs.runner = runner
    body = json.dumps({"domain_id": "d-abc123"})
    await jp_fetch("sagemaker-isolation", "tag-scan", method="POST", body=body)
    deadline = time.monotonic() + JOB_WAIT_S
    while tag_jobs.status(("d-abc123", "us-east-1", None))["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    code, err = await _post_error(jp_fetch, "tag-plan", body)
    assert code == 409 and err["reason"] == "listing-incomplete"
    assert "training-job" in err["message"]


# -- report jobs: bounded -------------------------------------------------------------------------


class _Gated(Collector):
    def __init__(self):
        self.gate = threading.Event()

    def collect(self, ctx, progress):
        assert self.gate.wait(timeout=JOB_WAIT_S)
        return {"domain": ctx.domain_id}


def _ctx(did):
    return type("Ctx", (), {"domain_id": did, "region": "us-east-1", "profile": None})()


def _wait_finished(jobs, keys):
    deadline = time.monotonic() + JOB_WAIT_S
    while any(jobs.status(k)["status"] == "running" for k in keys):
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_at_most_64_checks_in_flight_then_finished_jobs_expire():
    now = [1_000_000.0]
    collector = _Gated()
    jobs = ReportJobs(collector, cache_ttl=300, analyze=lambda snap: {"verdict": "isolated"},
                      clock=lambda: now[0])
    keys = [JobKey(f"d-{i:012d}", "us-east-1", None) for i in range(3000)]
    accepted, refused = [], 0
    try:
        for k in keys:
            try:
                jobs.start(k, _ctx(k.domain_id))
                accepted.append(k)
            except TooManyChecks:
                refused += 1
        assert len(accepted) == 64 and refused == 3000 - 64
    finally:
        collector.gate.set()
    # statuses are read at "now" (fresh), not consumed: the registry still holds them
    _wait_finished(jobs, accepted)
    assert jobs.held() == 64
    now[0] += 599.0  # max(cache_ttl=300, 600): still kept
    assert jobs.held() == 64
    now[0] += 2.0
    assert jobs.held() == 0
    jobs.shutdown()


def test_with_cache_ttl_0_a_finished_job_goes_once_read():
    collector = _Gated()
    collector.gate.set()
    jobs = ReportJobs(collector, cache_ttl=0, analyze=lambda snap: {"verdict": "isolated"})
    key = JobKey("d-abc123", "us-east-1", None)
    jobs.start(key, _ctx(key.domain_id))
    deadline = time.monotonic() + JOB_WAIT_S
    while jobs._jobs[key].status == "running":  # not via status(): that read would count
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert jobs.held() == 1
    assert jobs.status(key)["status"] == "none"  # ttl 0: never served as fresh (documented)
    assert jobs.held() == 0
    jobs.shutdown()


# -- interrupted change records -----------------------------------------------------------------


_KILLED_WRITER = """
import os, signal, sys
from sagemaker_isolation_ext.audit import AuditStore
store = AuditStore(sys.argv[1])
store.write({"id": sys.argv[2], "kind": "apply", "status": "running", "started_at": sys.argv[3],
             "steps": [{"status": "done"}, {"status": "running"}], "domain": {"id": "d-abc123"}})
os.kill(os.getpid(), signal.SIGKILL)
"""


def _utc(seconds_ago: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds_ago))


def test_a_record_left_by_a_killed_process_shows_interrupted_with_the_ways_on(tmp_path):
    store = AuditStore(tmp_path / "audit")
    cid = store.new_id()
    proc = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(store.path), cid, _utc(5)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9, proc.stderr
    raw = json.loads((store.path / f"{cid}.json").read_text())
    assert raw["status"] == "running" and raw["process"]["pid"] != os.getpid()
    rec = store.read(cid)
    assert rec["status"] == "interrupted"
    assert f"process {raw['process']['pid']}" in rec["interrupted"]["why"]
    steps = rec["interrupted"]["next_steps"]
    assert steps[0].startswith("sagemaker-isolation apply --plan PLAN_FILE --yes")
    assert steps[1] == f"sagemaker-isolation rollback --change {cid} --yes"
    assert store.list()[0]["status"] == "interrupted"
    # the CLI's changes list says so, with the two commands
    from sagemaker_isolation_ext.cli.entry import main

    out = io.StringIO()
    assert main(["changes", "--audit-dir", str(store.path)], out=out) == 0
    assert "interrupted" in out.getvalue() and f"rollback --change {cid}" in out.getvalue()


def test_a_running_record_of_a_live_process_stays_running(tmp_path):
    store = AuditStore(tmp_path / "audit")
    rec = {"id": store.new_id(), "kind": "apply", "status": "running", "started_at": _utc(7200)}
    store.write(rec)  # written by this (alive) process, two hours ago
    assert store.read(rec["id"])["status"] == "running"


def test_records_of_another_host_are_interrupted_after_one_hour():
    base = {"id": "chg-20260101T000000Z-0000abcd", "kind": "tag-backfill", "status": "running",
            "process": {"pid": 1, "host": "elsewhere", "started_at": None}}
    young = with_liveness({**base, "started_at": _utc(60)}, host="here")
    old = with_liveness({**base, "started_at": _utc(3700)}, host="here")
    assert young["status"] == "running"
    assert old["status"] == "interrupted" and "elsewhere" in old["interrupted"]["why"]
    assert old["interrupted"]["next_steps"][1] == (
        "sagemaker-isolation tags rollback --change chg-20260101T000000Z-0000abcd --yes")
    # a finished record is never touched
    done = {**base, "status": "succeeded", "started_at": _utc(99999)}
    assert with_liveness(done, host="here") is done


# -- deep files on the CLI -----------------------------------------------------------------------


def _cli(argv):
    from sagemaker_isolation_ext.cli.entry import main

    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


@pytest.mark.parametrize("depth", [65, 500, 100_000])
def test_deep_policy_files_exit_3_nested_too_deeply(tmp_path, capsys, depth):
    f = tmp_path / "deep.json"
    f.write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", '
                 '"Resource": "*", "Condition": ' + '{"a":' * depth + "1" + "}" * depth + "}]}")
    for argv in (["check", "--policy-file", str(f), "--domain-arn", DOMAIN_ARN],
                 ["lint", "--policy-file", str(f)]):
        code, _ = _cli(argv)
        err = capsys.readouterr().err
        assert code == 3 and "nested too deeply" in err, (argv, err)
        assert "internal error" not in err


def test_deep_snapshot_file_exits_3(tmp_path, capsys):
    from pathlib import Path

    snap = json.loads((Path(__file__).parent / "fixtures" / "snapshots" / "doc_only.json")
                      .read_text())
    snap["extra"] = 0
    text = json.dumps(snap).replace('"extra": 0', '"extra": ' + "[" * 500 + "]" * 500)
    f = tmp_path / "snap.json"
    f.write_text(text)
    code, _ = _cli(["check", "--snapshot", str(f)])
    err = capsys.readouterr().err
    assert code == 3 and "nested too deeply" in err
