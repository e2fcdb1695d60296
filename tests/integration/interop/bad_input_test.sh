#!/usr/bin/env bash
# Bad input at the OpenStack APIs: malformed and unknown tokens, wrong
# passwords (with no hint which part was wrong), oversized and truncated image
# uploads (no half file is ever served), path tricks in image ids and names.
#   bad_input_test.sh STRATUS_BINARY
set -euo pipefail
stratus="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/aio.sh"
aio_start "$stratus" --set host=bad --set image.max_image_size=1048576 -- --fake-hosts 1
check "the checks" timeout 120 /usr/bin/python3 "$here/bad_input.py" "$aio_root" "$aio_data/clouds.yaml"
aio_finish
