"""Authentication and authorization of every route of the extension.

- The server runs with ``allow_unauthenticated_access=False``.
- Every route (taken from the app's own handler list, not a hand-written list) answers 401/403
  or a redirect to the login page without a token, for every verb it implements.
- Loading the extension emits no ``JupyterServerAuthWarning`` (and a deliberately undecorated
  handler does, so the check can fail).
- Every verb asks the authorizer about resource ``sagemaker-isolation`` with the right action,
  and a denying authorizer gets 403 with the JSON error shape.
"""

from __future__ import annotations

import json
import warnings

import pytest
import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import JupyterServerAuthWarning, url_path_join
from tornado.httpclient import HTTPClientError

from sagemaker_isolation_ext.server.app import SageMakerIsolationApp
from sagemaker_isolation_ext.server.base import AUTH_RESOURCE
from sagemaker_isolation_ext.server.routes import route_table

pytest_plugins = ("pytest_jupyter.jupyter_server",)

EXTENSION_ROUTES = route_table()


from tests.server_auth_fixtures import (  # noqa: E402,F401 (fixtures used by name)
    DenyIsolationAuthorizer,
    RecordingAuthorizer,
    authorizer_class,
    jp_server_config,
)


def _implemented_methods(handler: type) -> list[str]:
    """Verbs the handler implements, except APIHandler's own CORS preflight ``OPTIONS``.

    jupyter_server marks ``APIHandler.options`` ``@allow_unauthenticated`` on purpose (browsers
    send preflights without credentials); it returns headers only. We check below that no
    handler of ours overrides it.
    """
    return [
        m
        for m in handler.SUPPORTED_METHODS
        if getattr(handler, m.lower()) is not tornado.web.RequestHandler._unimplemented_method
        and m != "OPTIONS"
    ]


# The route contract (docs/openapi.yaml): name under /sagemaker-isolation/ -> verbs. Admin routes
# are absent here: they exist only with admin_actions_enabled (tests/test_server_admin.py).
ROUTE_CONTRACT = {
    "version": ["GET"],
    "context": ["GET"],
    "report": ["GET", "POST"],
    "coverage": ["GET"],
    "templates": ["GET"],
    "explain": ["POST"],
    "": ["GET"],  # the standalone page
    "sagemaker-isolation": ["GET"],  # /sagemaker-isolation without the slash: a redirect to it
    "tag-scan": ["GET", "POST", "DELETE"],
    "tag-plan": ["POST"],
    "overview": ["GET", "POST", "DELETE"],
    "overview-report": ["GET"],
}


ADMIN_RESOURCE_ROUTES: set[str] = set()  # admin routes are not in this table (admin_route_table)


def test_route_table_covers_the_contract():
    """The routes of the contract and nothing else, each with exactly its verbs."""
    names = {pattern.rsplit("/", 1)[-1]: cls for pattern, cls in EXTENSION_ROUTES}
    assert set(names) == set(ROUTE_CONTRACT)
    for pattern, _cls in EXTENSION_ROUTES:
        assert pattern.startswith("/sagemaker-isolation/") or pattern == "/sagemaker-isolation"
    for name, cls in names.items():
        # Routes that change AWS are authorized on their own resource, so an authorizer can
        # grant the read-only ones without them.
        expected = AUTH_RESOURCE + "-admin" if name in ADMIN_RESOURCE_ROUTES else AUTH_RESOURCE
        assert cls.auth_resource == expected, name
        assert cls.options is APIHandler.options, f"{cls.__name__} overrides OPTIONS"
    for name, verbs in ROUTE_CONTRACT.items():
        assert _implemented_methods(names[name]) == verbs, name


def test_app_registers_exactly_the_route_table(jp_serverapp):
    (ext,) = jp_serverapp.extension_manager.extension_apps["sagemaker_isolation_ext"]
    assert isinstance(ext, SageMakerIsolationApp)
    registered = [(h[0], h[1]) for h in ext.handlers]
    assert registered == EXTENSION_ROUTES


async def test_every_route_refuses_unauthenticated_requests(
    jp_serverapp, http_server_client, jp_base_url
):
    (ext,) = jp_serverapp.extension_manager.extension_apps["sagemaker_isolation_ext"]
    checked = []
    for pattern, handler, *_ in ext.handlers:
        url = url_path_join(jp_base_url, pattern)
        for method in _implemented_methods(handler):
            body = "{}" if method in ("POST", "PUT", "PATCH") else None
            response = await http_server_client.fetch(
                url, method=method, body=body, raise_error=False, follow_redirects=False
            )
            location = response.headers.get("Location", "")
            ok = response.code in (401, 403) or (response.code == 302 and "login" in location)
            assert ok, f"{method} {url} answered {response.code} without a token"
            checked.append((method, pattern))
            # Also with a wrong token.
            response = await http_server_client.fetch(
                url,
                method=method,
                body=body,
                raise_error=False,
                follow_redirects=False,
                headers={"Authorization": "token not-the-token"},
            )
            assert response.code in (401, 403, 302), f"{method} {url} accepted a wrong token"
    assert len(checked) == sum(len(v) for v in ROUTE_CONTRACT.values())

    # The CORS preflight (jupyter_server's own, unauthenticated by design) carries no data.
    for pattern, _handler, *_ in ext.handlers:
        response = await http_server_client.fetch(
            url_path_join(jp_base_url, pattern), method="OPTIONS", raise_error=False
        )
        assert response.body == b"", pattern


async def test_authenticated_request_succeeds(jp_fetch):
    """Control for the test above: with the token the same server answers 200."""
    response = await jp_fetch("sagemaker-isolation", "version")
    assert response.code == 200


def test_loading_the_extension_emits_no_auth_warning(jp_configurable_serverapp, tmp_path):
    config = {
        "ServerApp": {
            "jpserver_extensions": {
                "sagemaker_isolation_ext": True,
                "jupyter_server_terminals": False,
            },
            "allow_unauthenticated_access": False,
        },
        "SageMakerIsolationApp": {"metadata_path": str(tmp_path / "absent.json")},
    }
    from traitlets.config import Config

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = jp_configurable_serverapp(config=Config(config))
    auth = [w for w in caught if issubclass(w.category, JupyterServerAuthWarning)]
    assert auth == [], [str(w.message) for w in auth]
    assert "sagemaker_isolation_ext" in app.extension_manager.extension_apps

    # The check can fail: an undecorated handler on the same app does warn.
    class Undecorated(APIHandler):
        def get(self):
            self.finish("{}")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app.web_app.add_handlers(".*$", [(r"/undecorated-probe", Undecorated)])
    assert any(issubclass(w.category, JupyterServerAuthWarning) for w in caught)


@pytest.mark.parametrize("authorizer_class", [RecordingAuthorizer])
async def test_every_verb_is_authorized_on_the_resource(jp_fetch):
    RecordingAuthorizer.seen = []
    await jp_fetch("sagemaker-isolation", "version")
    await jp_fetch("sagemaker-isolation", "context")
    await jp_fetch("sagemaker-isolation", "report")
    await jp_fetch(
        "sagemaker-isolation",
        "templates",
        params={"domain_arn": "arn:aws:sagemaker:us-east-1:111122223333:domain/d-research0001"},
    )
    await jp_fetch("sagemaker-isolation", "coverage", params={"q": "ListTags"})
    with pytest.raises(HTTPClientError):  # bad body: authorized first, then 400
        await jp_fetch("sagemaker-isolation", "report", method="POST", body='{"x": 1}')
    ours = [s for s in RecordingAuthorizer.seen if s[2] == AUTH_RESOURCE]
    assert [m for m, _, _ in ours] == ["GET"] * 5 + ["POST"]
    assert {a for m, a, _ in ours if m == "GET"} == {"read"}
    assert {a for m, a, _ in ours if m == "POST"} == {"write"}


@pytest.mark.parametrize("authorizer_class", [DenyIsolationAuthorizer])
async def test_denying_authorizer_gets_403_json(jp_fetch):
    for name in ("version", "context", "report", "coverage", "templates"):
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch("sagemaker-isolation", name)
        assert info.value.code == 403, name
        body = json.loads(info.value.response.body)
        assert set(body) == {"message", "reason"}
        assert AUTH_RESOURCE in body["message"]
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("sagemaker-isolation", "report", method="POST", body="{}")
    assert info.value.code == 403
    # The rest of the server still answers: only our resource is denied.
    response = await jp_fetch("api", "status")
    assert response.code == 200


def test_openapi_documents_every_route_and_verb():
    """docs/openapi.yaml is the published contract: it must list exactly the registered routes."""
    yaml = pytest.importorskip("yaml")
    from pathlib import Path

    spec = yaml.safe_load(
        (Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml").read_text()
    )
    documented = {
        (path.strip("/"), verb.upper()) for path, item in spec["paths"].items() for verb in item
    }
    registered = {
        (pattern.rsplit("/", 1)[-1], method)
        for pattern, cls in EXTENSION_ROUTES
        for method in _implemented_methods(cls)
        # the servers URL itself (no trailing slash) has no OpenAPI path: the page's entry
        # documents its redirect
        if pattern != "/sagemaker-isolation"
    }
    assert documented == registered
    assert "without it answers a 302" in spec["paths"]["/"]["get"]["description"]
