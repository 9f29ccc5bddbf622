#!/bin/sh
# Builds ./server: a static Go binary (standard library only, so nothing is downloaded).
set -eu
cd "$(dirname "$0")"
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
# go needs a build cache; fall back to /tmp when there is no usable HOME (CI containers, sandboxes).
if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ]; then export GOCACHE=/tmp/kumo-go-build; fi
go build -trimpath -ldflags="-s -w" -o server .
