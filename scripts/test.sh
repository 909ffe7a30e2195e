#!/usr/bin/env bash
# Quick start, command 2: set everything up on a fresh machine (Chromium included) and run all tests:
# pytest (engine tables, shared cases, analysis, collector on moto, server routes, CLI),
# the server tests again on jupyter_server 1.x (JupyterLab 3 / Studio Classic), jest (frontend
# units, and the TypeScript API types of src/tokens.ts against docs/openapi*.yaml in
# openapiContract.spec.ts), Galata (real Chromium on the demo account), the standalone page in real Chromium
# against a plain jupyter_server 1.x without JupyterLab, `python -m build` (sdist + wheel, contents
# checked) and the JupyterLab version matrix (the wheel in JupyterLab 4.1, 4.4, 4.5 and the newest
# 4.x, each with `jupyter labextension list` and a Galata smoke; scripts/test-jl-matrix.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -x /usr/bin/chromium ]; then
  echo "[test] installing Debian's chromium for the browser tests" >&2
  apt-get update -qq && apt-get install -y -qq chromium
fi
source "$ROOT/scripts/setup-env.sh" test
cd "$ROOT"
status=0
echo "== pytest" >&2
python -m pytest -q -p no:cacheprovider || status=$?
echo "== pytest, server tests on jupyter_server 1.x" >&2
bash scripts/test-server-legacy.sh || status=$?
echo "== jest" >&2
jlpm test || status=$?
echo "== galata (ui-tests)" >&2
(
  cd ui-tests
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  jlpm install --immutable
  jlpm playwright test
) || status=$?
echo "== standalone page (Chromium, jupyter_server 1.x, no JupyterLab)" >&2
bash scripts/test-standalone-page.sh || status=$?
echo "== wheel: python -m build (sdist + wheel, isolated) from this checkout, contents checked" >&2
DIST="$ROOT/.venv-matrix/dist"
mkdir -p "$ROOT/.venv-matrix"
rm -rf "$DIST"
if python -m build --outdir "$DIST" . >"$ROOT/.venv-matrix/build.log" 2>&1; then
  SMISO_DIST_DIR="$DIST" python -m pytest -q -p no:cacheprovider tests/test_wheel.py \
    -k test_dist_dir_artifacts || status=$?
  echo "== JupyterLab version matrix: the wheel in JupyterLab 4.1, 4.4, 4.5 and the newest 4.x" >&2
  bash scripts/test-jl-matrix.sh --wheel "$(ls "$DIST"/sagemaker_isolation_ext-*.whl)" || status=$?
else
  tail -n 40 "$ROOT/.venv-matrix/build.log" >&2
  echo "[test] python -m build failed (log: .venv-matrix/build.log); version matrix not run" >&2
  status=1
fi
exit $status
