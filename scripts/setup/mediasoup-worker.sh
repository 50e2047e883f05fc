#!/usr/bin/env bash
# Builds mediasoup's worker from the npm package's C++ sources against Debian's libraries and a
# static OpenSSL (recipe: shared/mediasoup-worker-offline.md), caches it outside the checkout keyed
# by mediasoup version and recipe, and links it where mediasoup looks for it.
source "$(dirname "$0")/common.sh"
here="$(cd "$(dirname "$0")" && pwd)"
ms="$ROOT/node_modules/mediasoup"
[ -f "$ms/package.json" ] || die "node_modules/mediasoup is missing (npm ci first)"
version=$(node -p "require('$ms/package.json').version")
openssl_prefix=$(bash "$here/openssl.sh")
recipe=$(hash_inputs "$0" "$here/patch-worker.py" "$here/worker-subprojects" "$openssl_prefix/VERSION")
out="$CACHE_DIR/mediasoup-worker-$version-$recipe"
target="$ms/worker/out/Release/mediasoup-worker"

build() {
  [ -x "$out/mediasoup-worker" ] && return 0
  local work="$CACHE_DIR/worker-build-$version-$recipe"
  rm -rf "$work"; mkdir -p "$work"
  cp -r "$ms/worker/." "$work/src"
  rm -rf "$work/src/subprojects" "$work/src/out"
  cp -r "$here/worker-subprojects" "$work/src/subprojects"
  python3 "$here/patch-worker.py" "$work/src"
  log "building mediasoup-worker $version (about 4 minutes on 2 cores)"
  (cd "$work/src" && meson setup --buildtype release -Db_ndebug=true -Dms_disable_liburing=true \
      "-Dopenssl:prefix_dir=$openssl_prefix" "$work/build" >"$work/meson.log" 2>&1) \
    || { tail -30 "$work/meson.log" >&2; die "meson setup failed (log: $work/meson.log)"; }
  ninja -C "$work/build" fbs/FBS >"$work/ninja.log" 2>&1 \
    && ninja -C "$work/build" -j"$(nproc)" mediasoup-worker >>"$work/ninja.log" 2>&1 \
    || { tail -30 "$work/ninja.log" >&2; die "worker build failed (log: $work/ninja.log)"; }
  mkdir -p "$out.tmp"; cp "$work/build/mediasoup-worker" "$out.tmp/"
  rm -rf "$out"; mv "$out.tmp" "$out"; rm -rf "$work"
}
with_lock "mediasoup-worker" build
mkdir -p "$(dirname "$target")"
if [ "$(readlink -f "$target" 2>/dev/null)" != "$out/mediasoup-worker" ]; then
  ln -sf "$out/mediasoup-worker" "$target"
fi
