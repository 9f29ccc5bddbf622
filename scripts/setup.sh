#!/usr/bin/env bash
# Installs what Kumo and its tests need on Debian/Ubuntu: the sandbox tools, the languages the tests'
# custom runtimes use, and the npm dependencies, then runs each scripts/setup.d/*.sh (one per subsystem that
# needs more: runtime binaries, Maven artifacts, Go modules …). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(bubblewrap iproute2 nftables util-linux python3 ruby zip unzip make g++ chromium golang-go php-cli lua5.4 lua-socket mono-mcs runc skopeo umoci docker-registry)
./scripts/apt-install.sh "${PACKAGES[@]}"

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
