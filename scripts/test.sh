#!/usr/bin/env bash
# test.sh: installs what is missing, builds memscope in build/ and runs the whole test suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
MEMSCOPE_WITH_OPTIONAL=1 bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
