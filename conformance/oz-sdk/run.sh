#!/usr/bin/env bash
# Runs the oz-agent-sdk conformance suite against a running Drover server.
# Usage: OZ_API_BASE_URL=http://127.0.0.1:8080/api/v1 WARP_API_KEY=<key> ./run.sh [extra node --test args]
set -euo pipefail
cd "$(dirname "$0")"

: "${OZ_API_BASE_URL:?set OZ_API_BASE_URL, e.g. http://127.0.0.1:8080/api/v1}"
: "${WARP_API_KEY:?set WARP_API_KEY to a Drover API key}"
export OZ_API_BASE_URL WARP_API_KEY

if [ ! -d node_modules/oz-agent-sdk ]; then
  npm ci --no-audit --no-fund
fi

exec node --test "$@" conformance.mjs
