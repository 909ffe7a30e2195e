"""Overview routes through a real in-process Jupyter server on the local AWS
(server/overview_routes.py): the demo's two Regions and two accounts, one refusing entry."""

from __future__ import annotations

import asyncio
import json

import pytest
from tornado.httpclient import HTTPClientError

from sagemaker_isolation_ext.demo.seed import (
    REFUSING_ACCOUNT_ID,
    SECOND_ACCOUNT_ID,
    SECOND_REGION,
)
from tests.waits import JOB_WAIT_S

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def other_accounts():
    return False


@pytest.fixture
def jp_server_config(moto_server, other_accounts, tmp_path):
    return {
        "ServerApp": {
            "jpserver_extensions": {"sagemaker_isolation_ext": True,
                                    "jupyter_server_terminals": False},
            "allow_unauthenticated_access": False,
        },
        "SageMakerIsolationApp": {
            "region": "us-east-1", "endpoint_url": moto_server,
            "metadata_path": str(tmp_path / "no-metadata.json"),
            "overview_other_accounts": other_accounts,
            # What the demo sets: used only when a request names no Regions / accounts.
            "overview_regions": ["us-east-1", SECOND_REGION],
            "overview_accounts": [SECOND_ACCOUNT_ID, REFUSING_ACCOUNT_ID],
        },
    }


@pytest.fixture
def fleet(overview_fleet):
    return overview_fleet


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


async def run_until_done(jp_fetch, body, timeout=JOB_WAIT_S):
    code, status = await call(jp_fetch, "overview", "POST", body)
    assert code == 202, status
    seen = [status["progress"]]
    deadline = asyncio.get_running_loop().time() + timeout
    while status["status"] == "running":
        assert asyncio.get_running_loop().time() < deadline, status
        await asyncio.sleep(0.2)
        code, status = await call(jp_fetch, "overview")
        assert code == 200
        seen.append(status["progress"])
    return status, seen


async def test_same_account_overview_with_progress(jp_fetch, fleet):
    demo, extras = fleet
    code, status = await call(jp_fetch, "overview")
    assert (code, status["status"]) == (200, "none")
    done, seen = await run_until_done(jp_fetch, {})
    assert done["status"] == "ready", done["error"]
    assert done["other_accounts_enabled"] is False
    assert {p["stage"] for p in seen if p} & {"accounts", "regions", "domains", "analysis"}
    ov = done["overview"]
    assert set(ov) == {"domains", "reach", "errors"}
    names = {r["name"]: r["verdict"] for r in ov["domains"]}
    assert names == {"ml-research": "not_isolated", "ml-prod": "not_isolated",
                     "ml-secure": "isolated", "ml-west": "isolated"}
    assert ov["errors"] == []
    research = demo["domains"]["ml-research"]["arn"]
    cell = next(c for c in ov["reach"] if c["from"] == research)
    assert cell["to"] == "*" and cell["actions"] > 100 and cell["examples"]
    assert done["fixes"] and done["fixes"][0]["closes"] >= 1
    assert done["key"]["accounts"] == [] and done["key"]["org"] is False
    assert done["key"]["regions"] == ["us-east-1", SECOND_REGION]
    # One domain's full report from the overview.
    code, report = await call(jp_fetch, "overview-report", domain_arn=research)
    assert code == 200 and report["verdict"] == "not_isolated"
    assert report["domain"]["arn"] == research
    code, err = await call(jp_fetch, "overview-report",
                           domain_arn="arn:aws:sagemaker:us-east-1:123456789012:domain/d-none")
    assert code == 404 and err["reason"] == "not-in-overview"
    # A ready overview of the same key is returned as is (no new run) unless refresh.
    code, again = await call(jp_fetch, "overview", "POST", {})
    assert code == 202 and again["status"] == "ready"
    assert again["started_at"] == done["started_at"]


async def test_other_accounts_are_off_by_default(jp_fetch, fleet):
    _demo, extras = fleet
    code, err = await call(jp_fetch, "overview", "POST", {"accounts": extras["accounts"]})
    assert code == 403 and err["reason"] == "other-accounts-disabled"
    code, err = await call(jp_fetch, "overview", "POST", {"org": True})
    assert code == 403 and err["reason"] == "other-accounts-disabled"


@pytest.mark.parametrize("other_accounts", [True])
async def test_other_accounts_when_enabled(jp_fetch, fleet):
    _demo, extras = fleet
    done, _seen = await run_until_done(jp_fetch, {})  # the overview_accounts trait
    assert done["status"] == "ready", done["error"]
    assert done["other_accounts_enabled"] is True
    assert done["key"]["accounts"] == extras["accounts"]
    ov = done["overview"]
    accounts = {r["account_id"] for r in ov["domains"]}
    assert extras["second_account"] in accounts
    assert [(e["account_id"], e["operation"], e["code"]) for e in ov["errors"]] == [
        (extras["refusing_account"], "sts:AssumeRole", "AccessDenied")]


@pytest.mark.parametrize("body, field", [
    ({"regions": "us-east-1"}, "regions"),
    ({"regions": ["not a region"]}, "region"),
    ({"regions": ["us-east-1"], "all_regions": True}, "all_regions"),
    ({"accounts": ["12"]}, "accounts"),
    ({"assume_role": "bad name!"}, "assume_role"),
    ({"refresh": "yes"}, "refresh"),
    ({"surprise": 1}, "unknown field"),
])
async def test_bad_input_is_400(jp_fetch, aws_env, body, field):
    code, err = await call(jp_fetch, "overview", "POST", body)
    assert code in (400, 403), err
    if code == 400:
        assert field in err["message"]


async def test_a_region_sagemaker_does_not_serve_is_an_error_row_in_words(jp_fetch, aws_env):
    """What the JupyterLab overview's error list shows for it: one line, no web page."""
    done, _seen = await run_until_done(jp_fetch, {"regions": ["us-east-1", "us-fake-9"]})
    assert done["status"] == "ready", done["error"]
    (err,) = done["overview"]["errors"]
    assert (err["region"], err["operation"], err["code"]) == (
        "us-fake-9", "sagemaker:ListDomains", "UnknownRegion")
    assert err["message"].startswith(
        "Region us-fake-9 is not a Region SageMaker serves in partition aws")
    assert "<" not in err["message"]
