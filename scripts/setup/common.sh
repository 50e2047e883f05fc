# Shared helpers for the setup steps. Sourced, not executed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Slow build outputs live outside the checkout so that every clone on this machine reuses them.
CACHE_DIR="${WARDWALL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wardwall}"
mkdir -p "$CACHE_DIR"
log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
# sha256 of files and/or directories (sorted, content and relative names), first 16 hex chars.
hash_inputs() {
  local f
  for f in "$@"; do
    if [ -d "$f" ]; then (cd "$f" && find . -type f ! -name '*.tsbuildinfo' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    elif [ -f "$f" ]; then printf '%s  %s\n' "$(sha256sum < "$f" | cut -c1-64)" "$(basename "$f")"
    else echo "missing $f"; fi
  done | sha256sum | cut -c1-16
}
# Run a build step under a lock so that two setups (two clones, start + test) never race on the cache.
with_lock() { local name="$1"; shift; ( flock 9; "$@" ) 9>"$CACHE_DIR/$name.lock"; }
