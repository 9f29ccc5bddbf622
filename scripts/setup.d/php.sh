#!/usr/bin/env bash
# The built-in PHP runtime (php7.2 on the machine's PHP, runtimes/php/): Debian's PSR-7 (guzzlehttp/psr7 and the
# PSR HTTP message interfaces) for HTTP functions. php-cli itself is a base package of scripts/setup.sh.
set -euo pipefail
SUDO=$( [ "$(id -u)" -eq 0 ] || echo sudo )

PACKAGES=(php-cli php-guzzlehttp-psr7 php-psr-http-message php-psr-http-factory)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.d/php: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
