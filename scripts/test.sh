#!/usr/bin/env bash
# The test suite: type check, then every test file with node's test runner.
set -euo pipefail
source "$(dirname "$0")/jupyter.sh"
ensure_jupyter # the notebook smoke test runs a notebook headless
cd "$root"
npx tsc --noEmit -p .
node --import tsx --test --test-concurrency=1 test/*.test.ts
