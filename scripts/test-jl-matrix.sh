#!/usr/bin/env bash
# JupyterLab version matrix: the built wheel installed, as a Studio user installs it, into
# JupyterLab 4.1.x (the oldest a supported SageMaker Distribution image ships), 4.4.x, 4.5.x and
# the newest 4.x from PyPI. For each version:
#   1. `jupyter labextension list` must say "sagemaker-isolation-ext v<version> enabled OK"
#      (no "not compatible", no "Conflicting Dependencies"), and
#      `jupyter server extension list` must say the server extension is OK;
#   2. a short Galata smoke in Debian's chromium against the demo (ui-tests/matrix/): the panel
#      opens, a check completes with its verdict, the installation self-check is OK, explain
#      answers, and the browser logs no error and no "Unsatisfied version" warning.
#
# One virtualenv per version under .venv-matrix/ (git-ignored), reused on the next run; pip's
# cache makes a first run take about a minute per version.
#
# Usage: scripts/test-jl-matrix.sh [--wheel PATH] [VERSION ...]
#        VERSION: a JupyterLab release (4.1.8) or "latest" (the newest 4.x); default
#        "4.1.8 4.4.10 4.5.11 latest" (env JL_MATRIX). Without --wheel, a wheel is built first.
# Env:   PYTHON (default python3), MATRIX_DIR (default <repo>/.venv-matrix), CHROMIUM_PATH.
# Exit:  0 when every version passed; 1 otherwise (a summary table is printed either way and
#        kept in $MATRIX_DIR/summary.txt).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
DIR="${MATRIX_DIR:-$ROOT/.venv-matrix}"
VERSIONS="${JL_MATRIX:-4.1.8 4.4.10 4.5.11 latest}"
WHEEL=""
while [ $# -gt 0 ]; do
  case "$1" in
    --wheel) WHEEL="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) VERSIONS="$*"; break ;;
  esac
done
export PIP_DISABLE_PIP_VERSION_CHECK=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
mkdir -p "$DIR"
# keep the matrix out of git even where .gitignore lacks it
echo '*' > "$DIR/.gitignore"

if [ -z "$WHEEL" ]; then
  echo "[matrix] building the wheel" >&2
  rm -rf "$DIR/dist"
  "$PY" -m pip wheel -q --no-deps -w "$DIR/dist" "$ROOT"
  WHEEL="$(ls "$DIR"/dist/sagemaker_isolation_ext-*.whl | head -n 1)"
fi
WHEEL="$(cd "$(dirname "$WHEEL")" && pwd)/$(basename "$WHEEL")"
PKG_VERSION="$(basename "$WHEEL" | cut -d- -f2)"
echo "[matrix] wheel $(basename "$WHEEL"); JupyterLab versions: $VERSIONS" >&2

strip_ansi() { sed 's/\x1b\[[0-9;]*m//g'; }
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

summary="$DIR/summary.txt"
printf '%-8s %-10s %-6s %-10s %-7s %s\n' "asked" "jupyterlab" "list" "server-ext" "smoke" "seconds (install+smoke)" > "$summary"
failed=0
for asked in $VERSIONS; do
  start=$SECONDS
  if [ "$asked" = latest ]; then spec="jupyterlab>=4,<5"; else spec="jupyterlab==$asked"; fi
  venv="$DIR/jl-$asked"
  echo "== [matrix] JupyterLab $asked ($venv)" >&2
  if [ ! -x "$venv/bin/python" ]; then
    "$PY" -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install -q "$WHEEL[demo]" "$spec"
  if [ "$asked" = latest ]; then
    "$venv/bin/python" -m pip install -q --upgrade --upgrade-strategy only-if-needed "$spec"
  fi
  # same version number, new build: replace the package itself
  "$venv/bin/python" -m pip install -q --force-reinstall --no-deps "$WHEEL"
  jl="$("$venv/bin/python" -c 'import jupyterlab; print(jupyterlab.__version__)')"
  if [ ! -x "$ROOT/ui-tests/node_modules/.bin/playwright" ]; then
    echo "[matrix] installing ui-tests' JavaScript dependencies" >&2
    (cd "$ROOT/ui-tests" && "$venv/bin/jlpm" install --immutable)
  fi
  installed=$((SECONDS - start))

  # Jupyter's user-level folders of this machine stay out of it: only the venv's install counts.
  jhome="$DIR/jupyter-home-$asked"
  rm -rf "$jhome"
  mkdir -p "$jhome"
  export JUPYTER_CONFIG_DIR="$jhome/config" JUPYTER_DATA_DIR="$jhome/data" \
    JUPYTER_RUNTIME_DIR="$jhome/runtime" JUPYTER_PREFER_ENV_PATH=1

  list_ok=FAIL
  listing="$("$venv/bin/jupyter" labextension list 2>&1 | strip_ansi)" || true
  echo "$listing" | sed 's/^/    /' >&2
  if echo "$listing" | grep -Eq "sagemaker-isolation-ext v${PKG_VERSION} enabled +OK" \
     && ! echo "$listing" | grep -Eqi "not compatible|Conflicting"; then
    list_ok=OK
  fi
  server_ok=FAIL
  server_listing="$("$venv/bin/jupyter" server extension list 2>&1 | strip_ansi)" || true
  if echo "$server_listing" | grep -Eq "sagemaker_isolation_ext ${PKG_VERSION} +OK"; then
    server_ok=OK
  else
    echo "$server_listing" | sed 's/^/    /' >&2
  fi

  smoke_ok=FAIL
  smoke_start=$SECONDS
  if (cd "$ROOT/ui-tests" && MATRIX_VENV="$venv" MATRIX_PORT="$(free_port)" MATRIX_LABEL="$asked" \
      MATRIX_JL_VERSION="$jl" node_modules/.bin/playwright test -c matrix/playwright-matrix.config.js); then
    smoke_ok=OK
  fi
  unset JUPYTER_CONFIG_DIR JUPYTER_DATA_DIR JUPYTER_RUNTIME_DIR JUPYTER_PREFER_ENV_PATH
  rm -rf "$jhome"
  row="$(printf '%-8s %-10s %-6s %-10s %-7s %s' "$asked" "$jl" "$list_ok" "$server_ok" "$smoke_ok" \
    "$((SECONDS - start)) ($installed+$((SECONDS - smoke_start)))")"
  echo "$row" >> "$summary"
  echo "[matrix] $row" >&2
  if [ "$list_ok$server_ok$smoke_ok" != OKOKOK ]; then failed=1; fi
done
echo "== [matrix] summary" >&2
cat "$summary" >&2
exit $failed
