#!/usr/bin/env bash
# go1 (runtimes/runtime-api): Go programs built with the official fc-runtime-go-sdk. Puts the SDK (v0.3.1, from
# the Go module proxy) into the module cache and warms the build cache, so the tests' `go build`s of the Go
# fixtures, the go1 example and the bench's hello run offline and fast. Needs Debian's golang-go (setup.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v go >/dev/null; then
  echo "setup: go.sh: no go on PATH: install Debian's golang-go" >&2
  exit 1
fi
for dir in test/fixtures/runtimes/go examples/go1-event bench/fixtures/hello-go; do
  (cd "$dir" && go mod download && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -o /dev/null .)
done
