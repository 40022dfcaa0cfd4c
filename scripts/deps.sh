#!/usr/bin/env bash
# deps.sh: installs the Debian packages memscope needs to build and test (when run as root).
set -euo pipefail

# Build and test dependencies. clang-16 is optional for users; CI builds the plugin for it too.
PACKAGES=(cmake ninja-build clang llvm-14-dev libclang-14-dev libclang-rt-14-dev
          libmsgpack-dev libzstd-dev libcmocka-dev libprotobuf-c-dev protobuf-c-compiler zlib1g-dev
          chromium)
OPTIONAL=(clang-16 libclang-16-dev llvm-16-dev)

missing=()
for p in "${PACKAGES[@]}" ${MEMSCOPE_WITH_OPTIONAL:+"${OPTIONAL[@]}"}; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "memscope: missing Debian packages: ${missing[*]}" >&2
  echo "memscope: install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "memscope: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
