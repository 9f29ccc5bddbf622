#!/usr/bin/env bash
# The fidelity tests drive uploads with the real curl binary (it sends `Expect: 100-continue` for bodies over 1 MB).
set -euo pipefail
command -v curl >/dev/null && exit 0
SUDO=$( [ "$(id -u)" -eq 0 ] || echo sudo )
echo "setup: installing curl"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends curl >/dev/null
