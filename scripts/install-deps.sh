#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages criu needs to build and test, skipping those
# already present, so that a fresh Debian 12 machine only needs `make`.
set -e

pkgs="build-essential pkg-config protobuf-c-compiler libprotobuf-c-dev \
libnl-3-dev libnet1-dev libbsd-dev libcap-dev \
clang llvm libclang-rt-14-dev python3 util-linux procps gnuplot-nox"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# A stale package list makes apt fail on versions that left the archive.
$sudo apt-get update -q || true
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
