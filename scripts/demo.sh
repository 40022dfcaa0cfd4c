#!/usr/bin/env bash
# demo.sh: installs what is missing, builds memscope, compiles examples/demo.c with the plugin, runs it and prints its report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
out=build/demo
mkdir -p "$out"
clang -O2 -g -fplugin="$PWD/build/plugin/memscope.so" -Iinclude examples/demo.c \
  -Lbuild/runtime -lmemscope -Wl,-rpath,"$PWD/build/runtime" -o "$out/demo"
rm -f "$out"/demo.*.msgpack
MEMSCOPE_OUT="$out/demo.%p.msgpack" "$out/demo"
build/report/memscope-report summary "$out"/demo.*.msgpack
echo
build/report/memscope-report leaks "$out"/demo.*.msgpack
