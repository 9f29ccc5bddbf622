#!/usr/bin/env bash
# `kumo build` installs dependencies with the runtimes' own tools: pip for Python (Debian's python3 has no pip
# module without python3-pip) and Maven with a JDK (javac) for pom.xml projects. Go comes with the base packages; composer is
# optional (kumo build says so when a composer.json needs it). Safe to run again; quiet when done.
set -euo pipefail
SUDO=$( [ "$(id -u)" -eq 0 ] || echo sudo )
missing=()
for pkg in python3-pip maven openjdk-17-jdk-headless; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.d/build: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
