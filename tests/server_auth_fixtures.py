"""Shared fixtures for the server tests that check authentication and authorization.

Imported by ``test_server_auth.py``, ``test_server_legacy.py`` and ``test_page.py`` (the last two
also run on jupyter_server 1.x: ``scripts/test-server-legacy.sh``). A test picks an authorizer
with ``@pytest.mark.parametrize("authorizer_class", [RecordingAuthorizer])``.
"""

from __future__ import annotations

import pytest
from jupyter_server.auth.authorizer import Authorizer

from sagemaker_isolation_ext.server import compat
from sagemaker_isolation_ext.server.base import AUTH_RESOURCE


class RecordingAuthorizer(Authorizer):
    """Allows everything and records each ``(method, action, resource)`` asked about."""

    seen: list = []

    def is_authorized(self, handler, user, action, resource):
        type(self).seen.append((handler.request.method, action, resource))
        return True


class DenyIsolationAuthorizer(Authorizer):
    """Denies this extension's resources (``sagemaker-isolation*``), allows the rest."""

    def is_authorized(self, handler, user, action, resource):
        return not str(resource).startswith(AUTH_RESOURCE)


@pytest.fixture
def authorizer_class():
    """No custom authorizer unless a test parametrizes one."""
    return None


@pytest.fixture
def jp_server_config(authorizer_class, tmp_path):
    """The extension enabled, unauthenticated access refused (2.x), the domain from config."""
    server = {"jpserver_extensions": {"sagemaker_isolation_ext": True}}
    if compat.HAS_UNAUTHENTICATED_ACCESS_GUARD:
        server["allow_unauthenticated_access"] = False
        server["jpserver_extensions"]["jupyter_server_terminals"] = False
    if authorizer_class is not None:
        server["authorizer_class"] = authorizer_class
    return {
        "ServerApp": server,
        "SageMakerIsolationApp": {
            "domain_id": "d-research0001",
            "region": "us-east-1",
            "metadata_path": str(tmp_path / "absent.json"),
        },
    }
