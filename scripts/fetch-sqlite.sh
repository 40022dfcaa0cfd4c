#!/usr/bin/env bash
# fetch-sqlite.sh: gets the SQLite amalgamation shipped in the npm package better-sqlite3, cached outside the repo; prints its directory.
set -euo pipefail
VERSION=12.11.1   # better-sqlite3 release whose deps/sqlite3 holds the amalgamation
cache=${MEMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memscope}
dir=$cache/better-sqlite3-$VERSION
if [ ! -f "$dir/sqlite3.c" ]; then
  command -v npm >/dev/null || { echo "fetch-sqlite: npm is needed to fetch better-sqlite3" >&2; exit 1; }
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "better-sqlite3@$VERSION" >/dev/null)
  tar -xzf "$tmp"/better-sqlite3-$VERSION.tgz -C "$tmp" package/deps/sqlite3/sqlite3.c package/deps/sqlite3/sqlite3.h
  mkdir -p "$dir"
  mv "$tmp"/package/deps/sqlite3/sqlite3.[ch] "$dir"/
fi
echo "$dir"
