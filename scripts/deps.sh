#!/usr/bin/env bash
# Install what heapql needs to build and test on Debian 12 (run as root, or
# with sudo available).  Safe to run again.
set -euo pipefail
PKGS=(build-essential cmake pkg-config libunwind-dev libdw-dev libelf-dev
      libsqlite3-dev libncurses-dev sqlite3 tmux binutils python3
      heaptrack valgrind libprotobuf-c-dev protobuf-c-compiler zlib1g-dev golang-go python3-jsonschema groff-base dpkg-dev
      libjemalloc2 libtcmalloc-minimal4 cppcheck)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
