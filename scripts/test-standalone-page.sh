#!/usr/bin/env bash
# Browser test of the standalone page (<base_url>/sagemaker-isolation/) in Debian's chromium,
# against a plain `jupyter server` WITHOUT JupyterLab (jupyter_server 1.x from .venv-legacy).
# Needs: ui-tests/node_modules (jlpm install in ui-tests), /usr/bin/chromium.
# Usage: scripts/test-standalone-page.sh [extra playwright args]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  echo "[standalone] installing Debian's chromium" >&2
  apt-get update -qq && apt-get install -y -qq chromium
fi
"$ROOT/scripts/test-server-legacy.sh" --setup-only
cd "$ROOT/ui-tests"
if [ ! -d node_modules/@playwright/test ]; then
  echo "[standalone] installing ui-tests' JavaScript dependencies" >&2
  jlpm install --immutable
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec jlpm playwright test -c playwright-standalone.config.js "$@"
