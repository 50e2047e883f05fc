#!/usr/bin/env bash
# One idempotent setup step behind `npm start` and `npm test`: Debian packages, npm dependencies,
# the mediasoup worker (built from source, cached outside the checkout) and the client build.
# A second run with nothing changed takes a few seconds. Usage: setup.sh [--test]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)/setup"
bash "$here/apt.sh" "${1:-}"
bash "$here/npm-deps.sh"
bash "$here/mediasoup-worker.sh"
bash "$here/client-build.sh"
