"""Admin routes (handlers_admin.py) on a real in-process Jupyter server against the local AWS.

- absent (404) unless ``admin_actions_enabled``;
- XSRF: jupyter_server skips the XSRF check for token-authenticated requests, so the XSRF tests
  log in through the login form (cookie session) and POST with and without ``X-XSRFToken``;
- apply only a plan the same user previewed; progress and the record via ``admin/changes``;
  rollback dry-run then real.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from http.cookies import SimpleCookie

import pytest
from tornado.httpclient import HTTPClientError

from tests.waits import JOB_WAIT_S

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture
def admin_enabled():
    return True


@pytest.fixture
def jp_server_config(admin_enabled, moto_server, tmp_path):
    return {
        "ServerApp": {
            "jpserver_extensions": {"sagemaker_isolation_ext": True},
            "allow_unauthenticated_access": False,
        },
        "SageMakerIsolationApp": {
            "admin_actions_enabled": admin_enabled,
            "endpoint_url": moto_server,
            "region": "us-east-1",
            "metadata_path": str(tmp_path / "no-metadata.json"),
            "audit_dir": str(tmp_path / "audit"),
        },
    }


ROUTES = (
    "admin/plan",
    "admin/apply",
    "admin/rollback",
    "admin/changes",
    "tag-backfill",
    "tag-rollback",
)


@pytest.fixture
def fetch(jp_fetch):
    """jp_fetch with a stable user: jupyter_server gives every token request without a login
    cookie a new anonymous user, so keep the cookie it sets on the first request (as a browser
    does). Token-authenticated: the XSRF check does not apply here (tested below with cookies)."""
    jar = SimpleCookie()

    async def call(*parts, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        if not jar:
            r = await jp_fetch("sagemaker-isolation", "version")
            for h in r.headers.get_list("Set-Cookie"):
                jar.load(h)
        headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in jar.items())
        return await jp_fetch(*parts, headers=headers, **kwargs)

    return call


async def _post(fetch, route, body):
    r = await fetch("sagemaker-isolation", *route.split("/"), method="POST", body=json.dumps(body))
    return r.code, json.loads(r.body)


async def _error(coro):
    with pytest.raises(HTTPClientError) as info:
        await coro
    return info.value.code, json.loads(info.value.response.body)


@pytest.mark.parametrize("admin_enabled", [False])
async def test_admin_routes_absent_when_disabled(jp_fetch, jp_serverapp):
    for route in ROUTES:
        method = "GET" if route == "admin/changes" else "POST"
        kwargs = {"body": "{}"} if method == "POST" else {}
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch("sagemaker-isolation", *route.split("/"), method=method, **kwargs)
        assert info.value.code == 404, route
    version = json.loads((await jp_fetch("sagemaker-isolation", "version")).body)
    assert version["admin_enabled"] is False


def test_admin_routes_are_registered_and_protected(jp_serverapp):
    from sagemaker_isolation_ext.server.admin_routes import ADMIN_AUTH_RESOURCE, admin_route_table
    from sagemaker_isolation_ext.server.compat import unprotected_methods

    patterns = {p.pattern for p in _rules(jp_serverapp)}
    for pattern, cls in admin_route_table():
        assert any(p.endswith(pattern + "$") or pattern in p for p in patterns), pattern
        assert unprotected_methods(cls) == []
        assert cls.auth_resource == ADMIN_AUTH_RESOURCE


def _rules(serverapp):
    out = []
    for rule in serverapp.web_app.default_router.rules:
        for sub in getattr(rule.target, "rules", []) or []:
            out.append(sub.matcher.regex)
    return out


async def test_unauthenticated_admin_requests_are_refused(
    http_server_client, jp_base_url, jp_serverapp
):
    for route in ROUTES:
        url = f"{jp_base_url}sagemaker-isolation/{route}"
        method = "GET" if route == "admin/changes" else "POST"
        r = await http_server_client.fetch(
            url,
            method=method,
            raise_error=False,
            follow_redirects=False,
            body="{}" if method == "POST" else None,
        )
        assert r.code in (403, 302), (route, r.code)


async def _cookie_login(client, base_url, token):
    """Log in through the login form with the token as password; returns (cookies, xsrf)."""
    r = await client.fetch(f"{base_url}login", raise_error=False, follow_redirects=False)
    jar = SimpleCookie()
    for h in r.headers.get_list("Set-Cookie"):
        jar.load(h)
    xsrf = jar["_xsrf"].value
    body = urllib.parse.urlencode({"password": token, "_xsrf": xsrf})
    r = await client.fetch(
        f"{base_url}login",
        method="POST",
        body=body,
        headers={"Cookie": f"_xsrf={xsrf}"},
        raise_error=False,
        follow_redirects=False,
    )
    assert r.code == 302, r.code
    for h in r.headers.get_list("Set-Cookie"):
        jar.load(h)
    cookie = "; ".join(f"{k}={m.value}" for k, m in jar.items())
    return cookie, xsrf


async def test_cookie_session_post_without_xsrf_is_refused(
    http_server_client, jp_base_url, jp_serverapp, demo_account
):
    token = jp_serverapp.identity_provider.token
    cookie, xsrf = await _cookie_login(http_server_client, jp_base_url, token)
    url = f"{jp_base_url}sagemaker-isolation/admin/plan"
    body = json.dumps({"domain_id": demo_account["research_domain_id"], "variant": "deny"})
    # The cookie authenticates (a GET works) ...
    r = await http_server_client.fetch(
        f"{jp_base_url}sagemaker-isolation/admin/changes",
        headers={"Cookie": cookie},
        raise_error=False,
    )
    assert r.code == 200, r.body
    # ... but a POST without the XSRF token is refused,
    r = await http_server_client.fetch(
        url, method="POST", body=body, headers={"Cookie": cookie}, raise_error=False
    )
    assert r.code == 403
    assert b"XSRF" in r.body or b"xsrf" in r.body.lower()
    # ... and with it, it is accepted.
    r = await http_server_client.fetch(
        url,
        method="POST",
        body=body,
        raise_error=False,
        headers={"Cookie": cookie, "X-XSRFToken": xsrf},
    )
    assert r.code == 200, r.body
    assert json.loads(r.body)["kind"] == "sagemaker-isolation-plan"


async def _wait_change(fetch, cid, timeout=JOB_WAIT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = await fetch("sagemaker-isolation", "admin", "changes", params={"id": cid})
        rec = json.loads(r.body)
        if rec["status"] not in ("pending", "running"):
            return rec
        await asyncio.sleep(0.2)
    raise AssertionError(f"change {cid} did not finish")


async def test_plan_apply_changes_rollback(fetch, jp_serverapp, demo_account, tmp_path):
    research = demo_account["research_domain_id"]
    # Applying an unpreviewed plan is refused.
    code, body = await _error(_post(fetch, "admin/apply", {"plan_hash": "0" * 64}))
    assert code == 409 and body["reason"] == "plan-not-previewed"

    code, plan = await _post(fetch, "admin/plan", {"domain_id": research, "variant": "deny"})
    assert code == 200
    default = demo_account["domains"]["ml-research"]["default_user_execution_role"]
    row = next(r for r in plan["roles"] if r["arn"] == default)
    assert (row["verdict_before"], row["verdict_after"]) == ("not_isolated", "isolated")
    assert (tmp_path / "audit").exists() is False  # the preview wrote nothing

    # The deny variant, a new version of AWS's policy, takes Allows away from the roles that
    # hold only it (space, alice): the plan lists the flows; apply refuses (409) until each is
    # confirmed by id, and keeps the preview.
    ids = sorted({f["id"] for row in plan["flows_breaking"] for f in row["flows"]})
    assert ids and {row["role_name"] for row in plan["flows_breaking"]} <= {
        "SageMakerResearchSpaceRole",
        "SageMakerResearchAliceRole",
    }
    code, body = await _error(_post(fetch, "admin/apply", {"plan_hash": plan["plan_hash"]}))
    assert code == 409 and body["reason"] == "flows-would-break"
    assert sorted({f["id"] for f in body["flows"]}) == ids and "--allow-break" in body["message"]
    code, body = await _error(
        _post(fetch, "admin/apply", {"plan_hash": plan["plan_hash"], "allow_break": ids[:1]})
    )
    assert code == 409 and sorted({f["id"] for f in body["flows"]}) == ids[1:]
    code, body = await _error(
        _post(fetch, "admin/apply", {"plan_hash": plan["plan_hash"], "allow_break": ["nope"]})
    )
    assert code == 400 and "unknown flow id" in body["message"]
    code, started = await _post(
        fetch, "admin/apply", {"plan_hash": plan["plan_hash"], "allow_break": ids}
    )
    assert code == 202 and started["status"] == "running"
    rec = await _wait_change(fetch, started["id"])
    assert rec["status"] == "succeeded", rec
    assert rec["who"]["via"] == "server" and rec["who"]["user"]
    # A plan is applied once: the same hash again is refused.
    code, body = await _error(_post(fetch, "admin/apply", {"plan_hash": plan["plan_hash"]}))
    assert code == 409

    listed = json.loads((await fetch("sagemaker-isolation", "admin", "changes")).body)
    assert [c["id"] for c in listed["changes"]] == [rec["id"]]

    code, preview = await _post(fetch, "admin/rollback", {"change_id": rec["id"]})
    assert preview["status"] == "planned" and preview["steps"]
    code, rb = await _post(fetch, "admin/rollback", {"change_id": rec["id"], "dry_run": False})
    assert rb["status"] == "succeeded"
    listed = json.loads((await fetch("sagemaker-isolation", "admin", "changes")).body)
    assert [c["kind"] for c in listed["changes"]] == ["rollback", "apply"]


async def test_another_user_cannot_apply_my_plan(fetch, jp_fetch, jp_serverapp, demo_account):
    code, plan = await _post(fetch, "admin/plan", {"domain_id": demo_account["research_domain_id"]})
    assert code == 200
    # jp_fetch without the cookie is a different (anonymous) user for jupyter_server.
    code, body = await _error(_post(jp_fetch, "admin/apply", {"plan_hash": plan["plan_hash"]}))
    assert code == 409 and body["reason"] == "plan-not-previewed"
    # The owner still can (the refused attempt did not consume it).
    ids = sorted({f["id"] for row in plan["flows_breaking"] for f in row["flows"]})
    code, started = await _post(
        fetch, "admin/apply", {"plan_hash": plan["plan_hash"], "allow_break": ids}
    )
    assert code == 202
    assert (await _wait_change(fetch, started["id"]))["status"] in ("succeeded", "no-op")


@pytest.mark.parametrize(
    "route,body,status",
    [
        ("admin/plan", {"variant": "strict"}, 400),
        ("admin/plan", {"role_arns": ["not-an-arn"]}, 400),
        ("admin/plan", {"nope": 1}, 400),
        ("admin/plan", {"experience": "new-studio"}, 400),
        ("admin/plan", {"private_spaces": "yes"}, 400),
        ("admin/plan", {"allow_break": "studio.run-pipeline"}, 400),
        ("admin/plan", {"allow_break": ["studio.nope"]}, 400),
        ("admin/apply", {"plan_hash": "0" * 64, "allow_break": [1]}, 400),
        ("admin/plan", {"domain_id": "d-doesnotexist1"}, 502),
        ("admin/apply", {"plan_hash": "xyz"}, 400),
        ("admin/rollback", {"change_id": "chg-20260101T000000Z-00000000"}, 404),
        ("admin/rollback", {"change_id": "../x"}, 400),
    ],
)
async def test_bad_admin_input_is_a_clear_json_error(fetch, demo_account, route, body, status):
    code, err = await _error(_post(fetch, route, body))
    assert code == status
    assert set(err) == {"message", "reason"} and err["message"]


def test_openapi_admin_documents_exactly_the_admin_routes():
    """docs/openapi-admin.yaml lists exactly the admin routes and their verbs."""
    yaml = pytest.importorskip("yaml")
    from pathlib import Path

    import tornado.web

    from sagemaker_isolation_ext.server.admin_routes import admin_route_table

    spec = yaml.safe_load(
        (Path(__file__).resolve().parent.parent / "docs" / "openapi-admin.yaml").read_text()
    )
    documented = {(p.strip("/"), v.upper()) for p, item in spec["paths"].items() for v in item}
    unimplemented = tornado.web.RequestHandler._unimplemented_method
    registered = {
        (pattern.split("/sagemaker-isolation/", 1)[1], verb)
        for pattern, cls in admin_route_table()
        for verb in ("GET", "POST", "PUT", "PATCH", "DELETE")
        if getattr(cls, verb.lower()) is not unimplemented
    }
    assert registered == {
        ("admin/plan", "POST"),
        ("admin/apply", "POST"),
        ("admin/rollback", "POST"),
        ("admin/changes", "GET"),
        ("tag-backfill", "POST"),
        ("tag-rollback", "POST"),
    }
    assert documented == registered
