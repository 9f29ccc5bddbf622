#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet; quiet when there is nothing to do.
# Used by scripts/setup.sh and scripts/setup.d/*.sh. `LABEL` names the caller in the one line it prints.
set -euo pipefail
SUDO=$( [ "$(id -u)" -eq 0 ] || echo sudo )
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "${LABEL:-setup}: installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
