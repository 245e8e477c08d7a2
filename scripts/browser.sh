#!/usr/bin/env bash
# browser.sh: what the browser tests of the web page need, installed once:
# Debian's Chromium, and axe-core (the accessibility checker, from the npm
# registry) into $SOHOA_CACHE/axe-core (default ~/.cache/sohoa). Prints the
# path of axe.min.js.
set -euo pipefail
version=4.14.1
cache=${SOHOA_CACHE:-${HOME:-/root}/.cache/sohoa}
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium for the browser tests" >&2
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
axe=$cache/axe-core/$version/axe.min.js
if [[ ! -s $axe ]]; then
  echo "fetching axe-core $version from the npm registry" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "axe-core@$version" >/dev/null && tar xzf "axe-core-$version.tgz")
  mkdir -p "$(dirname "$axe")"
  cp "$tmp/package/axe.min.js" "$axe"
fi
echo "$axe"
