#!/bin/sh
# Builds code/main as FC's Go guide says: a static linux executable (fc-runtime-go-sdk comes from the Go module
# proxy on the first build). FC itself needs GOARCH=amd64; Kumo runs what this machine runs.
set -eu
cd "$(dirname "$0")"
export CGO_ENABLED=0 GOOS=linux GOFLAGS="-mod=mod -buildvcs=false"
if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ]; then export GOCACHE=/tmp/kumo-go-build; fi
mkdir -p code
go build -trimpath -ldflags="-s -w" -o code/main .
