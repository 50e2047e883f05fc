#!/usr/bin/env bash
# `npm ci` when package-lock.json changed since the last install, then the one native addon we
# build ourselves (better-sqlite3; install scripts are off in .npmrc so mediasoup's download-based
# postinstall never runs). The addon build is cached outside the checkout.
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
if [ -d "$bsq" ] && [ ! -f "$bsq/build/Release/better_sqlite3.node" ]; then
  v=$(node -p "require('./$bsq/package.json').version")
  key="better-sqlite3-$v-node$(node -p process.versions.modules)"
  cached="$CACHE_DIR/$key/better_sqlite3.node"
  build() {
    [ -f "$cached" ] && return 0
    log "building better-sqlite3 $v (about a minute)"
    (cd "$bsq" && node "$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js" rebuild --release --nodedir=/usr >/dev/null 2>&1) \
      || die "better-sqlite3 build failed (cd $bsq && npx node-gyp rebuild --release)"
    mkdir -p "$CACHE_DIR/$key" && cp "$bsq/build/Release/better_sqlite3.node" "$cached"
  }
  with_lock better-sqlite3 build
  mkdir -p "$bsq/build/Release" && cp "$cached" "$bsq/build/Release/better_sqlite3.node"
fi
