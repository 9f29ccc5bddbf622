#!/usr/bin/env bash
# `kumo build` installs dependencies with the runtimes' own tools: pip for Python (Debian's python3 has no pip
# module without python3-pip) and Maven with a JDK (javac) for pom.xml projects. Go comes with the base packages; composer is
# optional (kumo build says so when a composer.json needs it). Safe to run again; quiet when done.
set -euo pipefail
cd "$(dirname "$0")/../.."
LABEL=setup.d/build ./scripts/apt-install.sh python3-pip maven openjdk-17-jdk-headless
