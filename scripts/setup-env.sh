#!/usr/bin/env bash
# Shared set-up for the quick-start scripts: a project virtualenv in .venv with the package installed.
# Usage: source scripts/setup-env.sh <extras>   (extras: "demo" or "test")
# Idempotent: a second run reuses .venv and only reinstalls the package.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXTRAS="${1:-demo}"
PY="${PYTHON:-python3}"
cd "$ROOT"
if ! command -v node >/dev/null 2>&1; then
  echo "[setup] Node.js is needed to build the labextension; installing Debian's nodejs/npm" >&2
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi
if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv with $($PY --version)" >&2
  "$PY" -m venv .venv
fi
export PATH="$ROOT/.venv/bin:$PATH"
export PIP_DISABLE_PIP_VERSION_CHECK=1
# jupyterlab provides jlpm (the yarn the labextension build uses); the hatch tools allow editable builds.
python -m pip install -q "jupyterlab>=4.6,<4.7" "hatchling>=1.5" "hatch-jupyter-builder>=0.5" \
  "hatch-nodejs-version>=0.3.2" editables
echo "[setup] installing the JavaScript dependencies and building the labextension" >&2
jlpm install --immutable
jlpm build:prod
echo "[setup] installing sagemaker-isolation-ext[$EXTRAS] (editable)" >&2
python -m pip install -q --no-build-isolation -e ".[$EXTRAS]"
jupyter labextension develop --overwrite . >/dev/null
