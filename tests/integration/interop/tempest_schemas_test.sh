#!/usr/bin/env bash
# Starts `stratus aio` and checks its compute replies against tempest's
# response schemas (tempest_schemas.py, run with Debian's /usr/bin/python3),
# as the admin the aio creates (logged in with the clouds.yaml it writes).
#   tempest_schemas_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"
if ! /usr/bin/python3 -c 'import tempest.lib.api_schema' 2>/dev/null; then
  echo "python3-tempest missing: run scripts/install-deps.sh"; exit 1
fi
aio_start "$stratus" --set host=schemas -- --fake-hosts 2
token="$(OS_CLIENT_CONFIG_FILE="$aio_data/clouds.yaml" OS_CLOUD=stratus timeout 60 /usr/bin/openstack token issue -f value -c id)"
check "the admin logs in" test -n "$token"
check "every compute reply matches tempest's schema" timeout 240 /usr/bin/python3 "$here/tempest_schemas.py" "$aio_url" "$token"
aio_finish
