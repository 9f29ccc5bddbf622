#!/usr/bin/env bash
# The fidelity tests drive uploads with the real curl binary (it sends `Expect: 100-continue` for bodies over 1 MB).
set -euo pipefail
command -v curl >/dev/null && exit 0
cd "$(dirname "$0")/../.."
LABEL=setup.d/fidelity ./scripts/apt-install.sh curl
