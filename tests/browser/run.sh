#!/usr/bin/env bash
# The dashboard's browser tests (ctest label `browser`):
#   run.sh STRATUS_BINARY SCREENSHOT_DIR
# Installs the pinned playwright-core (package-lock.json) with `npm ci` only
# when node_modules is missing or was installed from another lock file, so a
# machine that has it runs offline; then runs the tests with node's runner
# against Debian's chromium.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stratus="$1"
shots="$2"
cd "$here"
if ! cmp -s package-lock.json node_modules/.stratus-installed-lock 2>/dev/null; then
  echo "browser tests: npm ci (playwright-core from package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.stratus-installed-lock
fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "browser tests: no ${CHROMIUM:-/usr/bin/chromium}: install Debian's chromium (scripts/install-deps.sh)" >&2
  exit 1
fi
STRATUS_BINARY="$stratus" SCREENSHOT_DIR="$shots" exec node --test --test-reporter=spec dashboard.test.mjs
