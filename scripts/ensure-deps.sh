#!/bin/sh
# Lets `npm start` and `npm test` work on a fresh checkout: install the pinned dependencies
# first when they are missing or older than the lock file.
set -e
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing dependencies (npm ci)..." >&2
  npm ci --no-audit --no-fund >&2
fi
