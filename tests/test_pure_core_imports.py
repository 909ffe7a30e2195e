"""The pure core (sagemaker_isolation_ext.iam and .sagemaker) imports no Jupyter, tornado, boto3 or
botocore module (docs/ARCHITECTURE.md, rules of the tree). Checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = (
    "jupyter",
    "jupyter_server",
    "jupyterlab",
    "jupyter_core",
    "tornado",
    "boto3",
    "botocore",
)

PROBE = """
import importlib, json, pkgutil, sys
pkg = importlib.import_module(sys.argv[1])
names = [sys.argv[1]]
for m in pkgutil.walk_packages(getattr(pkg, "__path__", []), sys.argv[1] + "."):
    importlib.import_module(m.name)
    names.append(m.name)
print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
"""


def _probe(package: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, package],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _forbidden(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in FORBIDDEN or m.startswith("jupyter")]


@pytest.mark.parametrize(
    "package", ["sagemaker_isolation_ext.iam", "sagemaker_isolation_ext.sagemaker"]
)
def test_pure_core_imports_nothing_forbidden(package):
    result = _probe(package)
    bad = _forbidden(result["modules"])
    assert bad == [], f"{package} pulled in {bad[:10]} (imported {result['imported']})"


def test_probe_detects_a_forbidden_import():
    """The check itself works: a module that imports tornado is caught."""
    assert "tornado" in _forbidden(_probe("tornado.web")["modules"])


def test_engine_modules_are_all_probed():
    names = set(_probe("sagemaker_isolation_ext.iam")["imported"])
    for mod in (
        "policy",
        "arn",
        "conditions",
        "variables",
        "request_context",
        "engine",
        "simulate",
        "principals",
        "lint",
        "trace",
    ):
        assert f"sagemaker_isolation_ext.iam.{mod}" in names
