"""Tag routes through a real in-process Jupyter server on the local AWS (handlers_tags.py)."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from tornado.httpclient import HTTPClientError

from sagemaker_isolation_ext.sagemaker import tags as T
from sagemaker_isolation_ext.server.tag_routes import TagScanJobs
from tests.waits import JOB_WAIT_S

pytest_plugins = ("pytest_jupyter.jupyter_server",)

RESEARCH = "d-ml-research"


@pytest.fixture
def admin_enabled():
    return False


@pytest.fixture
def jp_server_config(moto_server, admin_enabled, tmp_path):
    return {
        "ServerApp": {
            "jpserver_extensions": {"sagemaker_isolation_ext": True,
                                    "jupyter_server_terminals": False},
            "allow_unauthenticated_access": False,
        },
        "SageMakerIsolationApp": {
            "domain_id": RESEARCH, "region": "us-east-1", "endpoint_url": moto_server,
            "metadata_path": str(tmp_path / "no-metadata.json"),
            "admin_actions_enabled": admin_enabled,
        },
    }


@pytest.fixture
def audit_dir(tmp_path, monkeypatch):
    path = tmp_path / "audit"
    monkeypatch.setenv("SAGEMAKER_ISOLATION_AUDIT_DIR", str(path))
    return path


async def call(jp_fetch, route, method="GET", body=None, **params):
    kw = {"method": method}
    if body is not None:
        kw["body"] = json.dumps(body)
    if params:
        kw["params"] = params
    try:
        response = await jp_fetch("sagemaker-isolation", route, **kw)
    except HTTPClientError as exc:
        return exc.code, json.loads(exc.response.body)
    return response.code, json.loads(response.body)


async def scan_until_done(jp_fetch, body=None, timeout=JOB_WAIT_S, **params):
    code, status = await call(jp_fetch, "tag-scan", "POST", body or {})
    assert code == 202, status
    deadline = asyncio.get_running_loop().time() + timeout
    while status["status"] == "running":
        assert asyncio.get_running_loop().time() < deadline, status
        await asyncio.sleep(0.1)
        code, status = await call(jp_fetch, "tag-scan", **params)
        assert code == 200
    return status


async def test_scan_then_plan(jp_fetch, demo_account):
    code, status = await call(jp_fetch, "tag-scan")
    assert (code, status["status"]) == (200, "none")
    code, plan = await call(jp_fetch, "tag-plan", "POST", {})
    assert code == 409 and plan["reason"] == "no-scan"
    done = await scan_until_done(jp_fetch)
    assert done["status"] == "ready", done["error"]
    result = done["result"]
    assert result["domain"]["id"] == RESEARCH
    assert result["by_type"]["training-job"]["untagged"] == 1
    assert result["api_calls"]["total"] > 0
    assert done["progress"]["api_calls"] > 0
    code, plan = await call(jp_fetch, "tag-plan", "POST", {})
    assert code == 200 and plan["kind"] == T.PLAN_KIND
    job = next(a for a in demo_account["resources"]["untagged"] if ":training-job/" in a)
    item = next(i for i in plan["items"] if i["arn"] == job)
    assert item["selected"] is False and item["confidence"] == "medium"
    code, chosen = await call(jp_fetch, "tag-plan", "POST", {"arns": [job]})
    assert code == 200 and [i["selected"] for i in chosen["items"]] == [True]
    code, err = await call(jp_fetch, "tag-plan", "POST",
                           {"arns": ["arn:aws:sagemaker:us-east-1:123456789012:model/nope"]})
    assert code == 400 and "no proposal" in err["message"]


async def test_all_domains_scan(jp_fetch, demo_account):
    done = await scan_until_done(jp_fetch, {"all_domains": True, "rows": "none"},
                                 all_domains="true")
    assert done["status"] == "ready", done["error"]
    view = {d["domain"]["name"]: d for d in done["result"]["domains"]}
    assert view["ml-research"]["verdict"] == "not_isolated"
    # AWS's policy alone (ml-prod) leaks through its CreateAPIs since schema 2; the deny
    # template beside AmazonSageMakerFullAccess (ml-secure) isolates
    assert view["ml-prod"]["verdict"] == "not_isolated"
    assert view["ml-secure"]["verdict"] == "isolated"
    assert set(view) == {"ml-research", "ml-prod", "ml-secure"}
    assert done["key"]["all_domains"] is True


async def test_admin_routes_absent_when_disabled(jp_fetch, demo_account):
    """Backfill and rollback are admin routes: without admin actions they do not exist (as the
    admin issue's routes), while scan and plan do."""
    for route, body in (("tag-backfill", {"plan": {}}), ("tag-rollback", {"change_id": "x"})):
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch("sagemaker-isolation", route, method="POST", body=json.dumps(body))
        assert info.value.code == 404, route
    code, _status = await call(jp_fetch, "tag-scan", "GET")
    assert code == 200


def test_admin_tag_handlers_still_refuse_when_reached_with_admin_off():
    """The second net: a backfill handler mounted by mistake with admin actions off says 403."""
    from types import SimpleNamespace

    from tornado.web import HTTPError

    from sagemaker_isolation_ext.server.tag_routes import TagBackfillHandler

    fake = SimpleNamespace(extensionapp=SimpleNamespace(admin_actions_enabled=False))
    with pytest.raises(HTTPError) as info:
        TagBackfillHandler.require_admin(fake)
    assert info.value.status_code == 403 and info.value.reason == "admin-disabled"


@pytest.mark.parametrize("admin_enabled", [True])
async def test_backfill_and_rollback(jp_fetch, demo_account, audit_dir, moto_server):
    import boto3

    done = await scan_until_done(jp_fetch)
    assert done["status"] == "ready"
    job = next(a for a in demo_account["resources"]["untagged"] if ":training-job/" in a)
    code, plan = await call(jp_fetch, "tag-plan", "POST", {"arns": [job]})
    code, preview = await call(jp_fetch, "tag-backfill", "POST", {"plan": plan})
    assert code == 200 and preview["dry_run"] is True and preview["status"] == "planned"
    assert preview["items"][0]["status"] == "would-tag"
    sm = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=moto_server)
    assert sm.list_tags(ResourceArn=job)["Tags"] == []
    code, applied = await call(jp_fetch, "tag-backfill", "POST", {"plan": plan, "dry_run": False})
    assert code == 200 and applied["status"] == "succeeded", applied
    assert {t["Key"] for t in sm.list_tags(ResourceArn=job)["Tags"]} == {T.DOMAIN_TAG}
    assert (audit_dir / f"{applied['change_id']}.json").is_file()
    cid = applied["change_id"]
    code, rb = await call(jp_fetch, "tag-rollback", "POST", {"change_id": cid})
    assert code == 200 and rb["items"][0]["status"] == "would-untag"
    code, rb = await call(jp_fetch, "tag-rollback", "POST", {"change_id": cid, "dry_run": False})
    assert code == 200 and rb["status"] == "succeeded"
    assert sm.list_tags(ResourceArn=job)["Tags"] == []
    code, err = await call(jp_fetch, "tag-rollback", "POST", {"change_id": cid,
                                                             "dry_run": False})
    assert code == 409 and err["reason"] == "already-rolled-back"
    code, err = await call(jp_fetch, "tag-rollback", "POST",
                           {"change_id": "chg-20260101T000000Z-00000000"})
    assert code == 404 and err["reason"] == "unknown-change"
    other = dict(plan, domain={**plan["domain"], "id": "d-ml-prod"})
    code, err = await call(jp_fetch, "tag-backfill", "POST", {"plan": other})
    assert code == 400 and "d-ml-prod" in err["message"]
    code, err = await call(jp_fetch, "tag-backfill", "POST", {"plan": {**plan, "kind": "x"}})
    assert code == 400 and err["reason"] == "bad-plan"


@pytest.mark.parametrize("body, fragment", [
    ({"bogus": 1}, "unknown field"),
    ({"rows": "some"}, "rows must be"),
    ({"max_rows": -1}, "max_rows"),
    ({"all_domains": "yes"}, "all_domains must be"),
    ({"domain_id": "not-a-domain"}, "domain id"),
])
async def test_scan_bad_input(jp_fetch, body, fragment):
    code, err = await call(jp_fetch, "tag-scan", "POST", body)
    assert code == 400 and fragment in err["message"]
    assert set(err) == {"message", "reason"}


async def test_cancel_a_running_scan(jp_fetch, jp_serverapp):
    started = threading.Event()

    def slow(ctx, all_domains, rows, max_rows, cancel, progress):
        from sagemaker_isolation_ext.aws.tag_scan import ScanCancelled

        started.set()
        for page in range(600):
            progress({"region": ctx.region, "stage": "model", "pages": page, "resources": 0,
                      "api_calls": page})
            if cancel.wait(0.05):
                raise ScanCancelled("cancelled")
        return {}

    jp_serverapp.web_app.settings["sagemaker_isolation_tag_jobs"] = TagScanJobs(runner=slow)
    code, status = await call(jp_fetch, "tag-scan", "POST", {})
    assert code == 202 and status["status"] == "running"
    await asyncio.get_running_loop().run_in_executor(None, started.wait, 5)
    code, status = await call(jp_fetch, "tag-scan", "DELETE")
    assert code == 200
    for _ in range(50):
        code, status = await call(jp_fetch, "tag-scan")
        if status["status"] != "running":
            break
        await asyncio.sleep(0.05)
    assert status["status"] == "cancelled"
    assert status["result"] is None


def test_tag_scan_jobs_error_status():
    from sagemaker_isolation_ext.aws.tag_scan import TagScanError
    from sagemaker_isolation_ext.aws.target import AwsContext

    def failing(*args):
        raise TagScanError("domain d-x is not among the domains", "domain-not-found")

    jobs = TagScanJobs(runner=failing)
    key = ("d-x", "us-east-1", None)
    jobs.start(key, AwsContext(domain_id="d-x", region="us-east-1"), all_domains=False,
               rows="problems", max_rows=10, refresh=False)
    import time

    deadline = time.monotonic() + JOB_WAIT_S
    while jobs.status(key)["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.01)
    status = jobs.status(key)
    assert status["status"] == "error"
    assert status["error"]["reason"] == "domain-not-found"
    assert status["result"] is None


@pytest.mark.parametrize("admin_enabled", [True])
async def test_admin_posts_need_the_xsrf_token_without_a_token_header(
        jp_fetch, jp_http_port, jp_base_url):
    """A cookie-session POST (no Authorization header) without the XSRF token is refused by
    jupyter_server before our code runs."""
    from tornado.httpclient import AsyncHTTPClient

    client = AsyncHTTPClient()
    for route in ("tag-backfill", "tag-rollback", "tag-scan"):
        url = f"http://localhost:{jp_http_port}{jp_base_url}sagemaker-isolation/{route}"
        response = await client.fetch(url, method="POST", body="{}", raise_error=False,
                                      headers={"Cookie": "username-localhost=nobody"})
        assert response.code == 403, route
        assert "xsrf" in response.body.decode().lower(), route
