"""Installation self-check for the ``version`` route: which environment runs the server, and which
labextension it serves.

The classic broken install in SageMaker Studio: ``pip install`` ran in a user conda env (or with
``--user``) while the Jupyter server runs from another environment (``/opt/conda`` in a JupyterLab
space, the ``studio`` env in Studio Classic). Then the panel's files and the server extension can
come from two installs of different versions, or one of them is missing. This module reports the
facts that tell the two apart; the panel compares them with the labextension it actually loaded.

Nothing here imports JupyterLab: a plain ``jupyter server`` (JupyterLab 3 / Studio Classic's
standalone page) has none, and then the JupyterLab fields are null.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version
from typing import Any

from .. import __version__

#: The labextension's npm name (package.json ``name``; the folder under ``labextensions``).
LABEXTENSION_NAME = "sagemaker-isolation-ext"
#: A labextensions folder inside an environment: ``<prefix>/share/jupyter/labextensions``.
_LABEXT_TAIL = os.path.join("share", "jupyter", "labextensions")


def _installed_version(dist: str) -> str | None:
    """The installed distribution's version, or None when it is not installed here."""
    try:
        return dist_version(dist)
    except PackageNotFoundError:
        return None


def pep440(npm_version: str) -> str:
    """The Python (PEP 440) spelling of an npm version, as hatch-nodejs-version derives it.

    ``1.2.0-alpha.1`` / ``-beta.1`` / ``-rc.1`` become ``1.2.0a1`` / ``b1`` / ``rc1``; a plain
    ``1.2.0`` is unchanged. Mirrors ``sameVersion`` in src/model.ts.
    """
    for tag, short in (("alpha", "a"), ("beta", "b"), ("rc", "rc")):
        for sep in (f"-{tag}.", f"-{tag}"):
            head, found, tail = npm_version.partition(sep)
            if found and tail.isdigit():
                return f"{head}{short}{tail}"
    return npm_version


def _prefix_of(labextensions_dir: str) -> str | None:
    """``/opt/conda`` for ``/opt/conda/share/jupyter/labextensions``; None for other layouts."""
    norm = os.path.normpath(labextensions_dir)
    if norm.endswith(os.sep + _LABEXT_TAIL):
        return norm[: -len(_LABEXT_TAIL) - 1] or os.sep
    return None


def find_labextension(paths: Iterable[str]) -> dict[str, Any] | None:
    """The labextension JupyterLab serves: the first ``<dir>/sagemaker-isolation-ext/package.json``.

    Args:
        paths: labextension folders in JupyterLab's search order (the extra paths, then
            ``jupyter_path("labextensions")``); JupyterLab serves the first copy it finds.

    Returns:
        ``{"version": str | None, "path": str, "prefix": str | None}`` (``path`` is the
        extension's folder, ``prefix`` the environment it belongs to when the folder has the
        ``<prefix>/share/jupyter/labextensions`` layout), or None when no folder has it.
        A package.json that cannot be read gives ``version: None``; no error is raised.
    """
    for base in paths:
        ext_dir = os.path.join(base, LABEXTENSION_NAME)
        manifest = os.path.join(ext_dir, "package.json")
        if not os.path.isfile(manifest):
            continue
        try:
            with open(manifest, encoding="utf-8") as fh:
                version = json.load(fh).get("version")
        except (OSError, ValueError, AttributeError):
            version = None
        return {
            "version": version if isinstance(version, str) else None,
            "path": ext_dir,
            "prefix": _prefix_of(base),
        }
    return None


def labextension_paths(serverapp: Any = None) -> tuple[list[str], bool]:
    """JupyterLab's labextension search path for this server, best effort.

    Returns:
        ``(paths, lab_running)``: the running JupyterLab's own ``extra_labextensions_path`` +
        ``labextensions_path`` and True when the server has a ``jupyterlab`` extension app;
        otherwise ``jupyter_path("labextensions")`` (what JupyterLab would search) and False.
        Never raises.
    """
    try:
        apps = serverapp.extension_manager.extension_apps.get("jupyterlab") if serverapp else None
        for app in apps or ():
            extra = list(getattr(app, "extra_labextensions_path", []) or [])
            main = list(getattr(app, "labextensions_path", []) or [])
            if extra or main:
                return extra + main, True
    except Exception:  # an unusual server: fall back to the default path
        pass
    from jupyter_core.paths import jupyter_path

    return jupyter_path("labextensions"), False


def self_check(
    serverapp: Any = None, paths: Iterable[str] | None = None, lab_running: bool | None = None
) -> dict[str, Any]:
    """The ``environment``, ``labextension`` and ``warnings`` fields of the ``version`` route.

    Args:
        serverapp: the running ServerApp (to read JupyterLab's labextension paths), or None.
        paths: labextension folders to search instead (tests); then ``lab_running`` says whether
            JupyterLab is taken to run in this server (default True).
        lab_running: override for tests; see ``paths``.

    Returns:
        ``{"environment": {"sys_prefix", "python", "executable", "package_path",
        "jupyter_server_version", "jupyterlab_version", "jupyterlab_running"},
        "labextension": {"version", "path", "prefix", "matches_server"} | None,
        "warnings": [str]}``. ``jupyterlab_version`` is None when JupyterLab is not installed in
        the server's environment; ``labextension`` is None when no folder of the search path has
        this extension. Warnings are given only when JupyterLab runs in this server (a plain
        ``jupyter server`` shows the standalone page, which needs no labextension). Reads a few
        small files; call it off the event loop.
    """
    import jupyter_server

    if paths is None:
        paths, running = labextension_paths(serverapp)
    else:
        running = True
    if lab_running is not None:
        running = lab_running
    environment = {
        "sys_prefix": sys.prefix,
        "python": platform.python_version(),
        "executable": sys.executable,
        "package_path": os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        "jupyter_server_version": jupyter_server.__version__,
        "jupyterlab_version": _installed_version("jupyterlab"),
        "jupyterlab_running": running,
    }
    found = find_labextension(paths)
    warnings: list[str] = []
    labextension = None
    if found is not None:
        matches = found["version"] is not None and pep440(found["version"]) == __version__
        labextension = {**found, "matches_server": matches}
        if running and not matches:
            warnings.append(
                f"JupyterLab serves the panel (labextension "
                f"{found['version'] or 'of unknown version'}) from "
                f"{found['prefix'] or found['path']}, but the server extension is "
                f"{__version__}, running in {sys.prefix}. Install sagemaker-isolation-ext once, "
                f"into the environment that runs the Jupyter server ({sys.prefix}), remove the "
                f"other copy, and restart the server."
            )
    elif running:
        warnings.append(
            f"JupyterLab runs in {sys.prefix} but finds no {LABEXTENSION_NAME} labextension, so it "
            f"shows no panel. Reinstall sagemaker-isolation-ext into {sys.prefix} and restart "
            f"the server."
        )
    return {"environment": environment, "labextension": labextension, "warnings": warnings}
