#!/usr/bin/env bash
# minio.sh: builds the MinIO server the integration tests run against, once,
# into $SOHOA_CACHE/bin/minio (default ~/.cache/sohoa), outside the checkout.
# MinIO is distributed as source only; the build takes about 9 minutes on 2
# cores the first time. Prints the binary's path.
set -euo pipefail
version=v0.0.0-20260212201848-7aac2a2c5b7c
cache=${SOHOA_CACHE:-${HOME:-/root}/.cache/sohoa}
bin=$cache/bin/minio
stamp=$cache/bin/minio.version
if [[ -x $bin && -f $stamp && $(cat "$stamp") == "$version" ]]; then
  echo "$bin"
  exit 0
fi
mkdir -p "$cache/bin"
echo "building the MinIO server $version into $bin (about 9 minutes the first time)" >&2
# Outside the module, so that sohoa's go.mod is not touched.
(cd "$cache" && GOBIN="$cache/bin" GOFLAGS=-mod=mod go install "github.com/minio/minio@$version") >&2
echo "$version" > "$stamp"
echo "$bin"
