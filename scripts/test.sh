#!/usr/bin/env bash
# test.sh: installs what is missing, builds memscope in build/, runs the whole test suite with ctest, a bounded fuzz run and the benchmark smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."
MEMSCOPE_WITH_OPTIONAL=1 bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"

# The reader's libFuzzer target for a bounded time (a clang build of the report only).
cmake -S . -B build/fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DMEMSCOPE_FUZZ=ON -DMEMSCOPE_BUILD_PLUGIN=OFF >/dev/null
cmake --build build/fuzz -j "$(nproc)" --target memscope_fuzz_reader memscope_gen_export_trace \
  memscope_gen_trace e2e_manual
ctest --test-dir build/fuzz --output-on-failure -R 'export[.]fuzz_reader'

# The benchmark script in its smoke mode, so that it keeps working (numbers: bench/run).
bench/run --smoke
