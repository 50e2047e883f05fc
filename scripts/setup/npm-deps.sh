#!/usr/bin/env bash
# `npm ci` when package-lock.json changed since the last install, then the one native addon we
# build ourselves (better-sqlite3, for the project's Node; install scripts are off in .npmrc so
# mediasoup's download-based postinstall never runs). The addon build is cached outside the checkout.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
stamp="node_modules/.wardwall-npm-stamp"
want=$(hash_inputs package-lock.json)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "npm ci"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi
bsq="node_modules/better-sqlite3"
[ -d "$bsq" ] || exit 0
# Built against the headers of the project's Node (scripts/setup/node.sh) and keyed by its module
# ABI (process.versions.modules), so a binary built for another Node is never loaded.
node_prefix=$(bash "$(dirname "$0")/node.sh")
node="$node_prefix/bin/node"
v=$("$node" -p "require('./$bsq/package.json').version")
key="better-sqlite3-$v-node$("$node" -p process.versions.modules)"
cached="$CACHE_DIR/$key/better_sqlite3.node"
target="$bsq/build/Release/better_sqlite3.node"
# node-gyp as bundled with the system's npm (`npm root -g` would name the project Node's prefix).
gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
[ -f "$cached" ] && cmp -s "$cached" "$target" && exit 0
build() {
  [ -f "$cached" ] && return 0
  log "building better-sqlite3 $v for Node $("$node" -v) (about a minute)"
  (cd "$bsq" && PATH="$node_prefix/bin:$PATH" "$node" "$gyp" \
      rebuild --release "--nodedir=$node_prefix" >/dev/null 2>&1) \
    || die "better-sqlite3 build failed (cd $bsq && bash ../../scripts/node.sh $gyp rebuild --release --nodedir=$node_prefix)"
  mkdir -p "$CACHE_DIR/$key.tmp" && cp "$bsq/build/Release/better_sqlite3.node" "$CACHE_DIR/$key.tmp/"
  rm -rf "$CACHE_DIR/$key"; mv "$CACHE_DIR/$key.tmp" "$CACHE_DIR/$key"
}
with_lock better-sqlite3 build
mkdir -p "$(dirname "$target")" && cp "$cached" "$target"
