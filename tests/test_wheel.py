"""The wheel: built from this checkout (after the demo and the tests have run in it) and from a copy
with the stray ``labextension/install.json`` an editable install leaves behind through
``jupyter labextension develop``'s link; its contents checked (labextension, server config, no
duplicate entries, shared modules built for JupyterLab 4.1).

The builds use this venv's hatchling without isolation (about a second each: the labextension is
already built; ``scripts/setup-env.sh`` builds it). ``scripts/test.sh`` also runs
``python -m build`` (sdist and wheel, isolated) and passes the results in ``SMISO_DIST_DIR``, which
``test_dist_dir_artifacts`` checks the same way.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from sagemaker_isolation_ext import __version__

ROOT = Path(__file__).resolve().parent.parent
LABEXT = ROOT / "sagemaker_isolation_ext" / "labextension"
NAME = "sagemaker-isolation-ext"
DATA = f"sagemaker_isolation_ext-{__version__}.data/data"
SHARE = f"{DATA}/share/jupyter/labextensions/{NAME}"
CORE_41 = ROOT / "buildutils" / "jupyterlab-4.1.0-core.package.json"


def _need_build_tools() -> None:
    for module in ("hatchling", "hatch_jupyter_builder", "hatch_nodejs_version"):
        pytest.importorskip(module, reason=f"{module} builds the wheel (scripts/setup-env.sh)")
    if not (LABEXT / "static" / "style.js").is_file():
        pytest.skip("labextension not built (jlpm build:prod, or scripts/setup-env.sh)")


def _build_wheel(source: Path, out: Path) -> Path:
    """``pip wheel --no-deps --no-build-isolation`` of ``source`` into ``out``; the wheel's path."""
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(source)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = out.glob("sagemaker_isolation_ext-*.whl")
    return wheel


def check_wheel(wheel: Path) -> None:
    """Assert the wheel's contents; AssertionError says what is wrong."""
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        dupes = sorted({n for n in names if names.count(n) > 1})
        assert not dupes, f"entries added twice: {dupes}"

        record_name = f"sagemaker_isolation_ext-{__version__}.dist-info/RECORD"
        record = [row[0] for row in csv.reader(io.StringIO(zf.read(record_name).decode()))]
        assert sorted(record) == sorted(names), "RECORD differs from the archive"

        # The labextension, once, under share/jupyter/labextensions/<name>/.
        labext = [n for n in names if n.startswith(SHARE + "/")]
        assert f"{SHARE}/package.json" in labext and f"{SHARE}/install.json" in labext
        assert f"{SHARE}/static/style.js" in labext
        assert f"{SHARE}/schemas/{NAME}/plugin.json" in labext
        entries = [n for n in labext if re.fullmatch(rf"{SHARE}/static/remoteEntry\.[0-9a-f]+\.js", n)]
        assert len(entries) == 1, entries
        assert not [n for n in names if n.startswith("sagemaker_isolation_ext/labextension/")], (
            "the labextension is shipped as shared data only, not inside the package"
        )

        manifest = json.loads(zf.read(f"{SHARE}/package.json"))
        assert manifest["name"] == NAME and manifest["version"].split("-")[0] in __version__
        install = json.loads(zf.read(f"{SHARE}/install.json"))
        assert install["packageName"] == NAME and install["packageManager"] == "python"

        # Built for JupyterLab 4.1 and later: every JupyterLab singleton the bundle consumes asks
        # for the range JupyterLab 4.1.0 itself declares (its staging package.json, `~` -> `^`),
        # and the declared npm ranges start at 4.1 too (so `jupyter labextension list` says OK).
        core = json.loads(CORE_41.read_text())
        core_ranges = {**core["dependencies"], **core.get("resolutions", {})}
        remote = zf.read(entries[0]).decode()
        consumed = dict(re.findall(r'shareKey:"([^"]+)"[^}]*?requiredVersion:"([^"]+)"', remote))
        assert "@jupyterlab/application" in consumed, "no shared-module table in remoteEntry"
        for module, required in consumed.items():
            if module in core_ranges:
                assert required == core_ranges[module].replace("~", "^"), (module, required)
        for dep, declared in manifest["dependencies"].items():
            if dep.startswith("@jupyterlab/"):
                assert declared == core_ranges[dep].replace("~", "^"), (dep, declared)

        # The server extension enabled by the config file it ships.
        config = json.loads(
            zf.read(f"{DATA}/etc/jupyter/jupyter_server_config.d/sagemaker_isolation_ext.json")
        )
        assert config == {"ServerApp": {"jpserver_extensions": {"sagemaker_isolation_ext": True}}}
        assert "sagemaker_isolation_ext/__init__.py" in names
        assert "sagemaker_isolation_ext/server/selfcheck.py" in names


def test_wheel_from_this_checkout(tmp_path):
    _need_build_tools()
    check_wheel(_build_wheel(ROOT, tmp_path / "dist"))


def test_wheel_with_a_stray_install_json_in_the_labextension(tmp_path):
    """The checkout as `scripts/demo.sh` run twice leaves it: `pip install -e` writes install.json
    through the develop link into sagemaker_isolation_ext/labextension/. Built from a copy."""
    _need_build_tools()
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns(
        ".git", ".venv*", "node_modules", "__pycache__", "ui-tests", "tests", "lib", "docs",
        "*.tsbuildinfo", ".yarn",
    )
    shutil.copytree(ROOT, src, ignore=ignore)
    shutil.copy(ROOT / "install.json", src / "sagemaker_isolation_ext" / "labextension")
    check_wheel(_build_wheel(src, tmp_path / "dist"))


@pytest.mark.skipif(not os.environ.get("SMISO_DIST_DIR"), reason="set by scripts/test.sh")
def test_dist_dir_artifacts():
    """The sdist and wheel `python -m build` made (scripts/test.sh's wheel step)."""
    dist = Path(os.environ["SMISO_DIST_DIR"])
    (wheel,) = dist.glob("sagemaker_isolation_ext-*.whl")
    check_wheel(wheel)
    (sdist,) = dist.glob("sagemaker_isolation_ext-*.tar.gz")
    with tarfile.open(sdist) as tf:
        names = [m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name]
    for needed in ("pyproject.toml", "package.json", "yarn.lock", "install.json",
                   "buildutils/jupyterlab-4.1.0-core.package.json",
                   "sagemaker_isolation_ext/labextension/static/style.js",
                   "jupyter-config/server-config/sagemaker_isolation_ext.json"):
        assert needed in names, needed
    stray = [n for n in names if re.match(r"(\.venv|node_modules|ui-tests/node_modules|lib/)", n)]
    assert not stray, stray[:5]
