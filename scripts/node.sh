#!/usr/bin/env bash
# Runs the project's Node.js (the pinned LTS cached by scripts/setup/node.sh, docs/runtime.md) with
# the given arguments, with its bin directory first on PATH so that every child process that starts
# `node` (or an npm bin such as tsx, eslint) runs on the same Node. The services and tests spawn
# process.execPath, which is that Node too. Usage: scripts/node.sh [node args...]
set -euo pipefail
prefix=$(bash "$(cd "$(dirname "$0")" && pwd)/setup/node.sh")
export PATH="$prefix/bin:$PATH"
exec "$prefix/bin/node" "$@"
