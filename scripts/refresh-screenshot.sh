#!/usr/bin/env bash
# Refresh the README's pictures on purpose: docs/screenshot-panel.png (the panel on the demo account,
# dark theme) and docs/screenshot-overview-{light,dark}.png (the account overview with an opened
# cell), by running the Galata tests that take them with SMISO_SCREENSHOT and
# SMISO_OVERVIEW_SCREENSHOTS pointing at docs/. Test runs (scripts/test.sh) write the same pictures
# under ui-tests/screenshots/ instead, so they leave the work tree clean. Commit the new pictures
# yourself after looking at them.
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
export SMISO_OVERVIEW_SCREENSHOTS="$ROOT/docs"
jlpm install --immutable
jlpm playwright test tests/isolation.spec.ts -g "shows not_isolated with the defeating statement"
echo "[refresh-screenshot] wrote $SMISO_SCREENSHOT" >&2
jlpm playwright test tests/overview.spec.ts -g "a cell click shows a witness"
echo "[refresh-screenshot] wrote $SMISO_OVERVIEW_SCREENSHOTS/screenshot-overview-{light,dark}.png" >&2
