#!/usr/bin/env bash
# Refresh the README's picture, docs/screenshot-panel.png, on purpose: runs the one Galata test that
# takes it (the panel on the demo account, dark theme) with SMISO_SCREENSHOT pointing at docs/.
# Test runs (scripts/test.sh) write the same picture under ui-tests/screenshots/ instead, so they
# leave the work tree clean. Commit the new picture yourself after looking at it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -x /usr/bin/chromium ]; then
  echo "[refresh-screenshot] installing Debian's chromium" >&2
  apt-get update -qq && apt-get install -y -qq chromium
fi
source "$ROOT/scripts/setup-env.sh" test
cd "$ROOT/ui-tests"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export SMISO_SCREENSHOT="$ROOT/docs/screenshot-panel.png"
jlpm install --immutable
jlpm playwright test tests/isolation.spec.ts -g "shows not_isolated with the defeating statement"
echo "[refresh-screenshot] wrote $SMISO_SCREENSHOT" >&2
