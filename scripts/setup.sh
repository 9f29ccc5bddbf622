#!/usr/bin/env bash
# Installs what Kumo and its tests need on Debian/Ubuntu: the sandbox tools, the languages the tests'
# custom runtimes use, and the npm dependencies, then runs each scripts/setup.d/*.sh (one per subsystem that
# needs more: runtime binaries, Maven artifacts, Go modules …). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

PACKAGES=(bubblewrap iproute2 nftables util-linux python3 ruby zip unzip make g++ chromium golang-go php-cli lua5.4 lua-socket mono-mcs runc skopeo umoci docker-registry)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "setup: Kumo needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "       Install it from your distribution or nodejs.org, then run this again." >&2
  exit 1
fi

echo "setup: installing npm dependencies (better-sqlite3 compiles from source; about a minute)"
npm ci --no-audit --no-fund --loglevel=error

for step in scripts/setup.d/*.sh; do
  [ -e "$step" ] || continue
  echo "setup: $(basename "$step" .sh)"
  bash "$step"
done
