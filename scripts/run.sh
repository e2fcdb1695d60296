#!/usr/bin/env bash
# The run command: installs what is missing, builds, and starts `stratus aio`
# (the whole cloud in one process, fake driver). Extra arguments go to `aio`:
#   bash scripts/run.sh --fake-hosts 3
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh" "$root/build"
exec "$root/build/bin/stratus" aio "$@"
