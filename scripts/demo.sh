#!/usr/bin/env bash
# Quick start, command 1: set everything up on a fresh machine and run the demo
# (a local AWS seeded with five domains in two Regions and two accounts, then JupyterLab with the panel pointed at it).
# Extra arguments go to `sagemaker-isolation demo` (e.g. --no-browser, --port 8899).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup-env.sh" demo
exec sagemaker-isolation demo "$@"
