#!/usr/bin/env bash
# One idempotent setup step behind `npm start` and `npm test`: Debian packages, the pinned Node.js
# (docs/runtime.md), npm dependencies (native addons built for that Node), the mediasoup worker
# (built from source, cached outside the checkout) and the client build.
# A second run with nothing changed takes a few seconds. Usage: setup.sh [--test]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)/setup"
bash "$here/apt.sh" "${1:-}"
# Every later step (npm ci, the addon build, vite) runs on the project's Node, not the system's.
node_prefix=$(bash "$here/node.sh")
export PATH="$node_prefix/bin:$PATH"
bash "$here/npm-deps.sh"
bash "$here/mediasoup-worker.sh"
bash "$here/client-build.sh"
