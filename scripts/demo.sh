#!/usr/bin/env bash
# The README's first command: set up, build, record the bundled leaky
# example and show the reports a user starts with.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build
out=demo.db
rm -f "$out"
build/bin/heapql run -o "$out" -- build/examples/leaky 1000
build/bin/heapql report "$out"
build/bin/heapql report "$out" leaks
