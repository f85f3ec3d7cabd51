#!/usr/bin/env bash
# Builds the conformance harness (Istio's own Go code) into conformance/.cache/bin/istio-conformance.
# Go's module and build caches live in $CONFORMANCE_GO_CACHE (default ~/.cache/cdk8s-istio-conformance):
# empty on a new machine (modules come from the Go module proxy), reused by every later build.
# `go build` relinks only when a source changed, so calling this again is cheap.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${CONFORMANCE_GO_CACHE:-$HOME/.cache/cdk8s-istio-conformance}"
out="$here/../.cache/bin/istio-conformance"
mkdir -p "$cache" "$(dirname "$out")"
# The machine's Go only (never a toolchain download), caches in known folders, go.mod/go.sum never
# rewritten by a build, a cache that can be deleted, no C toolchain needed.
export GOTOOLCHAIN=local
export GOMODCACHE="$cache/go-mod"
export GOCACHE="$cache/go-build"
export GOFLAGS="-mod=readonly -modcacherw"
export CGO_ENABLED=0
# The checksum database serves no entry for these three modules (their pseudo-versions were never
# published through it); go.sum pins their hashes, which is what a build verifies (README).
export GONOSUMDB="github.com/agentgateway/agentgateway/api,github.com/envoyproxy/go-control-plane/contrib,istio.io/client-go"
cd "$here"
# -s -w: no symbol table and DWARF (a smaller binary, a faster link); panics still print stack traces.
go build -trimpath -ldflags="-s -w" -o "$out" .
echo "$out"
