#!/usr/bin/env bash
# Runs the oz-agent-sdk conformance suite against a running Drover server.
# Usage: OZ_API_BASE_URL=http://127.0.0.1:8080/api/v1 WARP_API_KEY=<key> ./run.sh [extra node --test args]
set -euo pipefail
cd "$(dirname "$0")"

: "${OZ_API_BASE_URL:?set OZ_API_BASE_URL, e.g. http://127.0.0.1:8080/api/v1}"
: "${WARP_API_KEY:?set WARP_API_KEY to a Drover API key}"
export OZ_API_BASE_URL WARP_API_KEY

# The pinned SDK is installed into ./node_modules (gitignored) once, and again only when package-lock.json is
# newer than npm's record of the last install. The lock keeps two runs from installing over each other; it lives
# outside node_modules because npm ci deletes that directory first.
needs_install() {
  [ ! -f node_modules/oz-agent-sdk/package.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]
}
if needs_install; then
  exec 9>.install.lock
  flock 9
  if needs_install; then
    npm ci --no-audit --no-fund
  fi
  exec 9>&-
fi

exec node --test "$@" conformance.mjs
