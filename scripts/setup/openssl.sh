#!/usr/bin/env bash
# Builds a static OpenSSL from Debian's upstream source tarball (Debian's shared libssl3 crashes the
# mediasoup worker on the first DTLS handshake; see DESIGN.md). Prints the install prefix.
source "$(dirname "$0")/common.sh"
recipe=$(hash_inputs "$0")
prefix="$CACHE_DIR/openssl-$recipe"
if [ -f "$prefix/lib/libssl.a" ] && [ -f "$prefix/lib/libcrypto.a" ] && [ -d "$prefix/include/openssl" ]; then
  echo "$prefix"; exit 0
fi
build() {
  [ -f "$prefix/lib/libssl.a" ] && return 0
  local work; work=$(mktemp -d "$CACHE_DIR/openssl-build.XXXXXX")
  trap 'rm -rf "$work"' RETURN
  mkdir -p "$work/lists/partial" "$work/src"
  cat > "$work/sources.list" <<SRC
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian-security bookworm-security main
SRC
  local opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/nonexistent
              -o "Dir::State::Lists=$work/lists" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  log "fetching OpenSSL source from Debian's archive"
  apt-get "${opts[@]}" update -qq >/dev/null
  (cd "$work/src" && apt-get "${opts[@]}" source --download-only openssl >/dev/null 2>&1 || true)
  local tarball; tarball=$(ls "$work"/src/openssl_*.orig.tar.gz 2>/dev/null | sort -V | tail -1)
  [ -n "$tarball" ] || die "could not download openssl's .orig.tar.gz from Debian's source archive"
  tar -xzf "$tarball" -C "$work/src"
  local dir; dir=$(find "$work/src" -maxdepth 1 -type d -name 'openssl-*' | head -1)
  log "building static OpenSSL in $dir (about 6 minutes on 2 cores)"
  (cd "$dir" && ./Configure linux-x86_64 no-shared no-tests --prefix="$prefix.tmp" >/dev/null \
     && make -j"$(nproc)" build_libs >/dev/null)
  rm -rf "$prefix.tmp"; mkdir -p "$prefix.tmp/lib"
  cp "$dir/libssl.a" "$dir/libcrypto.a" "$prefix.tmp/lib/"
  cp -r "$dir/include" "$prefix.tmp/include"
  basename "$dir" > "$prefix.tmp/VERSION"
  rm -rf "$prefix"; mv "$prefix.tmp" "$prefix"
}
with_lock openssl build >&2
echo "$prefix"
