"""The installation self-check of the ``version`` route (sagemaker_isolation_ext/server/selfcheck.py):
which environment runs the server, which labextension JupyterLab serves, and the warning that
names both environments when they differ (installed into a user env, server run from another).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jupyter_server
import pytest

from sagemaker_isolation_ext import __version__
from sagemaker_isolation_ext.server.selfcheck import (
    LABEXTENSION_NAME,
    find_labextension,
    pep440,
    self_check,
)


def _install_labextension(prefix: Path, version: str) -> Path:
    """A labextension folder as pip lays it out: <prefix>/share/jupyter/labextensions/<name>."""
    base = prefix / "share" / "jupyter" / "labextensions"
    (base / LABEXTENSION_NAME).mkdir(parents=True)
    (base / LABEXTENSION_NAME / "package.json").write_text(
        json.dumps({"name": LABEXTENSION_NAME, "version": version})
    )
    return base


@pytest.mark.parametrize(
    ("npm", "python"),
    [("0.1.0", "0.1.0"), ("1.2.0-alpha.1", "1.2.0a1"), ("1.2.0-beta.3", "1.2.0b3"),
     ("1.2.0-rc.2", "1.2.0rc2"), ("1.2.0-rc2", "1.2.0rc2")],
)
def test_pep440_as_hatch_nodejs_version_spells_it(npm, python):
    assert pep440(npm) == python


def test_first_folder_in_search_order_wins(tmp_path):
    user = _install_labextension(tmp_path / "home" / ".local", "9.9.9")
    env = _install_labextension(tmp_path / "opt" / "conda", __version__)
    found = find_labextension([str(user), str(env)])
    assert found == {
        "version": "9.9.9",
        "path": str(user / LABEXTENSION_NAME),
        "prefix": str(tmp_path / "home" / ".local"),
    }


def test_same_version_no_warning(tmp_path):
    env = _install_labextension(tmp_path / "conda", __version__)
    check = self_check(paths=[str(tmp_path / "empty"), str(env)])
    assert check["labextension"]["matches_server"] is True
    assert check["labextension"]["prefix"] == str(tmp_path / "conda")
    assert check["warnings"] == []
    environment = check["environment"]
    assert environment["sys_prefix"] == sys.prefix
    assert environment["executable"] == sys.executable
    assert environment["jupyter_server_version"] == jupyter_server.__version__
    assert Path(environment["package_path"], "server", "selfcheck.py").is_file()


def test_other_version_warning_names_both_environments(tmp_path):
    user_env = tmp_path / "home" / "sagemaker-user" / ".conda" / "envs" / "mine"
    base = _install_labextension(user_env, "0.0.1")
    check = self_check(paths=[str(base)])
    assert check["labextension"]["matches_server"] is False
    (warning,) = check["warnings"]
    assert str(user_env) in warning and sys.prefix in warning
    assert "0.0.1" in warning and __version__ in warning


def test_unreadable_manifest_is_a_mismatch_not_a_crash(tmp_path):
    base = tmp_path / "share" / "jupyter" / "labextensions"
    (base / LABEXTENSION_NAME).mkdir(parents=True)
    (base / LABEXTENSION_NAME / "package.json").write_text("{not json")
    check = self_check(paths=[str(base)])
    assert check["labextension"]["version"] is None
    assert check["labextension"]["matches_server"] is False
    assert len(check["warnings"]) == 1


def test_missing_labextension_warns_only_when_jupyterlab_runs(tmp_path):
    running = self_check(paths=[str(tmp_path)], lab_running=True)
    assert running["labextension"] is None
    (warning,) = running["warnings"]
    assert sys.prefix in warning and "no panel" in warning
    plain_server = self_check(paths=[str(tmp_path)], lab_running=False)
    assert plain_server["labextension"] is None and plain_server["warnings"] == []
    assert plain_server["environment"]["jupyterlab_running"] is False
