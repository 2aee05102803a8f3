#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fail if C sources use the functions STYLE.md bans (unbounded string copies
# and formatting, strtok, gets, scanf-family %s without a width).
set -u
cd "$(dirname "$0")/.."
pat='\<(strcpy|strcat|sprintf|vsprintf|strtok|gets)[[:space:]]*\('
bad=$(grep -rnE "$pat" --include='*.c' --include='*.h' criu compel test include | grep -v '^\s*//' || true)
scan=$(grep -rnE 'scanf[[:space:]]*\(.*%s' --include='*.c' criu compel test include || true)
if [ -n "$bad$scan" ]; then
	echo "banned calls (STYLE.md section 5):"
	printf '%s\n%s\n' "$bad" "$scan" | sed '/^$/d'
	exit 1
fi
echo "check-banned: ok"
