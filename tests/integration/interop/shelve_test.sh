#!/usr/bin/env bash
# Snapshots and shelving across two fake hosts of `stratus aio`
# (shelve_flow.py, with Debian's openstacksdk as the admin of the cloud).
#   shelve_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"
aio_start "$stratus" --set host=shelvetest -- --fake-hosts 2
export OS_CLIENT_CONFIG_FILE="$aio_data/clouds.yaml" OS_CLOUD=stratus
check "createImage, shelve, offload and unshelve to each host" timeout 240 /usr/bin/python3 "$here/shelve_flow.py"
aio_finish
