#!/usr/bin/env bash
# Builds the wall with Vite when its inputs changed since the last build.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
want=$(hash_inputs client/src client/index.html common/src vite.config.ts package-lock.json)
stamp="client/dist/.wardwall-build-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
log "building the client (vite)"
npx vite build --logLevel warn >&2
echo "$want" > "$stamp"
