"""The server extension's protection on jupyter_server 1.x and 2.x (compat.py).

Runs in both environments: the project venv (2.x) and ``.venv-legacy`` (1.x, made by
``scripts/test-server-legacy.sh``). 2.x has ``allow_unauthenticated_access`` and
``JupyterServerAuthWarning`` (tests/test_server_auth.py uses them); 1.x has neither, so here the
equivalent protection is tested directly, without those APIs:

- ``compat.ensure_protected`` refuses, at registration, a handler verb without
  ``@tornado.web.authenticated`` and ``@authorized`` (the app calls it);
- every registered route refuses requests without a token or with a wrong one;
- every verb asks the server's authorizer about resource ``sagemaker-isolation``;
- ``compat.fallback_authorized`` (used where jupyter_server lacks ``authorized``) denies without a
  user, asks the authorizer, and maps HTTP methods to actions like 2.x.
"""

from __future__ import annotations

import json
from importlib.metadata import version as dist_version
from types import SimpleNamespace

import pytest
import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado.httpclient import HTTPClientError
from tornado.web import HTTPError

from sagemaker_isolation_ext.server import app as app_module
from sagemaker_isolation_ext.server import compat
from sagemaker_isolation_ext.server.base import AUTH_RESOURCE
from sagemaker_isolation_ext.server.routes import route_table

pytest_plugins = ("pytest_jupyter.jupyter_server",)


from tests.server_auth_fixtures import (  # noqa: E402,F401 (fixtures used by name)
    DenyIsolationAuthorizer,
    RecordingAuthorizer,
    authorizer_class,
    jp_server_config,
)


def _verbs(handler: type) -> list[str]:
    return [
        m
        for m in handler.SUPPORTED_METHODS
        if getattr(handler, m.lower()) is not tornado.web.RequestHandler._unimplemented_method
        and m != "OPTIONS"
    ]


# -- compat: what it reports about the installed server ------------------------------------------


def test_compat_knows_the_installed_server():
    installed = tuple(int(p) for p in dist_version("jupyter_server").split(".")[:2])
    assert compat.JUPYTER_SERVER_VERSION[:2] == installed
    assert compat.JUPYTER_SERVER_MAJOR in (1, 2)
    assert compat.HAS_UNAUTHENTICATED_ACCESS_GUARD == (installed >= (2, 13))
    if compat.HAS_NATIVE_AUTHORIZED:
        from jupyter_server.auth.decorator import authorized

        assert compat.authorized is authorized
    else:  # pragma: no cover - jupyter_server < 1.24 is outside the supported range
        assert compat.authorized is compat.fallback_authorized


# -- ensure_protected: the 1.x stand-in for allow_unauthenticated_access=False -------------------


class _Open(APIHandler):
    def get(self):
        self.finish("{}")


class _OnlyAuthenticated(APIHandler):
    auth_resource = AUTH_RESOURCE

    @tornado.web.authenticated
    def get(self):
        self.finish("{}")


class _OnlyAuthorized(APIHandler):
    auth_resource = AUTH_RESOURCE

    @compat.authorized
    def post(self):
        self.finish("{}")


class _Fallback(APIHandler):
    auth_resource = AUTH_RESOURCE

    @tornado.web.authenticated
    @compat.fallback_authorized
    def get(self):
        self.finish(json.dumps({"ok": True}))

    @tornado.web.authenticated
    @compat.fallback_authorized("execute")
    def post(self):
        self.finish(json.dumps({"ok": True}))


def test_every_route_of_ours_is_protected():
    compat.ensure_protected(route_table())  # does not raise
    for _pattern, handler in route_table():
        assert compat.unprotected_methods(handler) == [], handler.__name__


def test_ensure_protected_names_each_unprotected_verb():
    assert compat.unprotected_methods(_Open) == ["GET"]
    assert compat.unprotected_methods(_OnlyAuthenticated) == ["GET"]
    assert compat.unprotected_methods(_OnlyAuthorized) == ["POST"]
    assert compat.unprotected_methods(_Fallback) == []
    with pytest.raises(compat.UnprotectedHandlerError) as info:
        compat.ensure_protected([("/x/open", _Open), ("/x/fine", _Fallback)])
    message = str(info.value)
    assert "/x/open (_Open: GET)" in message and "_Fallback" not in message


def test_the_app_refuses_to_register_an_unprotected_handler(monkeypatch):
    monkeypatch.setattr(app_module, "route_table", lambda: [("/sagemaker-isolation/x", _Open)])
    ext = app_module.SageMakerIsolationApp()
    with pytest.raises(compat.UnprotectedHandlerError):
        ext.initialize_handlers()
    assert ext.handlers == []


# -- fallback_authorized as a unit ---------------------------------------------------------------


def _fake_handler(method: str, user, authorizer):
    settings = {} if authorizer is None else {"authorizer": authorizer}
    return SimpleNamespace(
        request=SimpleNamespace(method=method),
        current_user=user,
        settings=settings,
        auth_resource=AUTH_RESOURCE,
    )


class _Asked:
    def __init__(self, answer: bool):
        self.answer = answer
        self.calls = []

    def is_authorized(self, handler, user, action, resource):
        self.calls.append((user, action, resource))
        return self.answer


@compat.fallback_authorized
def _guarded(self):
    return "ran"


@pytest.mark.parametrize(
    "method, action",
    [("GET", "read"), ("HEAD", "read"), ("POST", "write"), ("PUT", "write"), ("DELETE", "write")],
)
def test_fallback_asks_the_authorizer_with_the_2x_action(method, action):
    authorizer = _Asked(True)
    assert _guarded(_fake_handler(method, "alice", authorizer)) == "ran"
    assert authorizer.calls == [("alice", action, AUTH_RESOURCE)]


def test_fallback_denies_without_a_user_or_when_the_authorizer_says_no():
    authorizer = _Asked(True)
    with pytest.raises(HTTPError) as info:
        _guarded(_fake_handler("GET", None, authorizer))
    assert info.value.status_code == 403 and authorizer.calls == []
    with pytest.raises(HTTPError) as info:
        _guarded(_fake_handler("POST", "bob", _Asked(False)))
    assert info.value.status_code == 403
    assert info.value.log_message == (
        f"User is not authorized to write on resource: {AUTH_RESOURCE}."
    )
    # old servers without any authorizer: an authenticated user is allowed (what they do for
    # every handler of their own)
    assert _guarded(_fake_handler("GET", "carol", None)) == "ran"


# -- the running server, whatever its version ----------------------------------------------------


async def test_every_route_refuses_anonymous_and_wrong_tokens(
    jp_serverapp, http_server_client, jp_base_url
):
    (ext,) = jp_serverapp.extension_manager.extension_apps["sagemaker_isolation_ext"]
    checked = 0
    for pattern, handler, *_ in ext.handlers:
        url = url_path_join(jp_base_url, pattern)
        if pattern.endswith("/"):
            url += "/" if not url.endswith("/") else ""
        for method in _verbs(handler):
            body = "{}" if method == "POST" else None
            for headers in ({}, {"Authorization": "token not-the-token"}):
                response = await http_server_client.fetch(
                    url,
                    method=method,
                    body=body,
                    headers=headers,
                    raise_error=False,
                    follow_redirects=False,
                )
                location = response.headers.get("Location", "")
                assert response.code in (401, 403) or (
                    response.code == 302 and "login" in location
                ), f"{method} {url} answered {response.code} with {headers or 'no token'}"
            checked += 1
    assert checked == sum(len(_verbs(h)) for _, h, *_ in ext.handlers) >= 7


@pytest.mark.parametrize("authorizer_class", [RecordingAuthorizer])
async def test_every_verb_asks_the_authorizer(jp_fetch, jp_serverapp):
    RecordingAuthorizer.seen = []
    (ext,) = jp_serverapp.extension_manager.extension_apps["sagemaker_isolation_ext"]
    expected = []
    for pattern, handler, *_ in ext.handlers:
        parts = pattern.strip("/").split("/")
        for method in _verbs(handler):
            kwargs = {"method": method}
            if method == "POST":
                kwargs["body"] = '{"not-a-field": 1}'  # authorized first, then 400
            if parts[-1] == "templates":
                kwargs["params"] = {
                    "domain_arn": "arn:aws:sagemaker:us-east-1:111122223333:domain/d-research0001"
                }
            path = "/".join(parts) + ("/" if pattern.endswith("/") else "")
            if pattern == "/sagemaker-isolation":  # the redirect to the page: not followed here
                response = await jp_fetch(path, follow_redirects=False, raise_error=False, **kwargs)
                assert response.code == 302, response.code
                expected.append((method, "read", handler.auth_resource))
                continue
            try:
                await jp_fetch(path, **kwargs)
            except HTTPClientError as exc:
                # authorized first, then the route's own answer to a bad/empty request
                assert 400 <= exc.code < 500, (method, pattern, exc.code)
            action = "read" if method == "GET" else "write"
            expected.append((method, action, handler.auth_resource))
    resources = {h.auth_resource for _, h, *_ in ext.handlers}
    assert all(str(r).startswith(AUTH_RESOURCE) for r in resources), resources
    ours = [s for s in RecordingAuthorizer.seen if s[2] in resources]
    assert sorted(ours) == sorted(expected)


@pytest.mark.parametrize("authorizer_class", [DenyIsolationAuthorizer])
async def test_denying_authorizer_gets_403_everywhere(jp_fetch, jp_serverapp):
    (ext,) = jp_serverapp.extension_manager.extension_apps["sagemaker_isolation_ext"]
    for pattern, handler, *_ in ext.handlers:
        path = pattern.strip("/") + ("/" if pattern.endswith("/") else "")
        for method in _verbs(handler):
            with pytest.raises(HTTPClientError) as info:
                await jp_fetch(path, method=method, body="{}" if method == "POST" else None)
            assert info.value.code == 403, (method, pattern)
    response = await jp_fetch("api", "status")
    assert response.code == 200


@pytest.mark.parametrize("authorizer_class", [RecordingAuthorizer])
async def test_fallback_decorator_in_a_live_server(jp_serverapp, jp_fetch, jp_base_url):
    """A handler protected by the fallback alone, on this server: allowed with a token, the
    authorizer asked with the given action, and refused without a token."""
    jp_serverapp.web_app.add_handlers(
        ".*$", [(url_path_join(jp_base_url, "fallback-probe"), _Fallback)]
    )
    RecordingAuthorizer.seen = []
    response = await jp_fetch("fallback-probe")
    assert json.loads(response.body) == {"ok": True}
    response = await jp_fetch("fallback-probe", method="POST", body="{}")
    assert response.code == 200
    assert [s for s in RecordingAuthorizer.seen if s[2] == AUTH_RESOURCE] == [
        ("GET", "read", AUTH_RESOURCE),
        ("POST", "execute", AUTH_RESOURCE),
    ]
