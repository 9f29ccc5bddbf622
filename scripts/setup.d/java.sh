#!/usr/bin/env bash
# The built-in Java runtime (java8, java11): a JDK and Maven from Debian, then the agent in runtimes/java/ built
# into runtimes/java/target/ (with fc-java-core and Jackson beside it), and the shaded jars of the java-event and
# java-http examples that the tests deploy. Rebuilds only what changed; quiet when there is nothing to do.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v javac >/dev/null || missing+=(default-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v cc >/dev/null || missing+=(gcc libc6-dev)
[ ${#missing[@]} -eq 0 ] || LABEL="setup java" ./scripts/apt-install.sh "${missing[@]}"

# Builds the Maven project in $1 when its sources are newer than the artifact $2.
build() {
  local dir=$1 artifact=$2
  if [ -f "$dir/$artifact" ] && [ -z "$(find "$dir/pom.xml" "$dir/src" -newer "$dir/$artifact" -print -quit)" ]; then
    return
  fi
  echo "setup java: building $dir (Maven)"
  (cd "$dir" && mvn -q -B -e package) >/tmp/kumo-setup-java-$$.log 2>&1 || {
    cat /tmp/kumo-setup-java-$$.log >&2
    rm -f /tmp/kumo-setup-java-$$.log
    exit 1
  }
  rm -f /tmp/kumo-setup-java-$$.log
}

build runtimes/java target/kumo-java-agent.jar
# The native half of a pre-warmed agent (kumo.agent.Prewarm, docs/prewarm.md): replaces the JVM's process
# environment when a pool instance becomes a function's. Without it there are no java pools, nothing else changes.
library=runtimes/java/target/libkumo-prewarm.so
source=runtimes/java/src/main/c/prewarm_env.c
if [ ! -f "$library" ] || [ "$source" -nt "$library" ]; then
  jdk=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  cc -O2 -shared -fPIC -Wall -Werror -I"$jdk/include" -I"$jdk/include/linux" -o "$library" "$source"
fi
build examples/java-event target/java-event.jar
build examples/java-http target/java-http.jar

# AppCDS: the agent's classes archived as an instance's JVM sees them (the agents folder at /opt/kumo/runtimes),
# so it maps them instead of loading and verifying them (bench/java-cold-start.ts measures the gain). Needs bwrap
# to show the folder at that path; without it instances simply start without the archive.
archive=runtimes/java/target/agent.jsa
if [ ! -f "$archive" ] || [ runtimes/java/target/kumo-java-agent.jar -nt "$archive" ]; then
  if command -v bwrap >/dev/null; then
    echo "setup java: archiving the agent's classes (AppCDS)"
    work=$(mktemp -d)
    javac --release 11 -nowarn -cp runtimes/java/target/lib/fc-java-core.jar -d "$work/code" runtimes/java/training/training/*.java
    port=$((20000 + $$ % 20000))
    FC_SERVER_PORT=$port bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /opt \
      --ro-bind "$PWD/runtimes" /opt/kumo/runtimes --bind "$work" "$work" \
      java -XX:ArchiveClassesAtExit="$work/agent.jsa" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -Dkumo.exit.after.calls=3 -Dfc.func.code.path="$work/code" \
      -cp /opt/kumo/runtimes/java/target/kumo-java-agent.jar kumo.agent.Agent >"$work/log" 2>&1 &
    agent=$!
    node runtimes/java/training/train.mjs "$port" || kill "$agent" 2>/dev/null || true
    wait "$agent" || true
    if [ -s "$work/agent.jsa" ]; then mv "$work/agent.jsa" "$archive"; else cat "$work/log" >&2; fi
    rm -rf "$work"
  fi
fi
