#!/usr/bin/env bash
# go1 (runtimes/runtime-api): Go programs built with the official fc-runtime-go-sdk. Puts the SDK (v0.3.1, from
# the Go module proxy) into the module cache and warms the build cache, so the tests' `go build`s of the Go
# fixtures, the go1 example and the bench's hello run offline and fast. Needs Debian's golang-go (setup.sh).
# Without the module proxy it warns and goes on (the other setup steps still run); the go1 tests then fail
# saying so.
set -uo pipefail
cd "$(dirname "$0")/../.."
if ! command -v go >/dev/null; then
  echo "setup: go.sh: no go on PATH: install Debian's golang-go; the go1 tests cannot build" >&2
  exit 0
fi
for dir in test/fixtures/runtimes/go examples/go1-event bench/fixtures/hello-go; do
  if ! (cd "$dir" && go mod download && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -o /dev/null .); then
    echo "setup: go.sh: cannot build $dir (is the Go module proxy, $(go env GOPROXY), reachable?)" >&2
  fi
done
