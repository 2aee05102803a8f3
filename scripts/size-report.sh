#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The largest source files and functions (STYLE.md section 6): files should
# stay under 800 lines, functions under 60.
set -u
cd "$(dirname "$0")/.."
echo "largest files (lines):"
find criu compel include test/zdtm/lib -name '*.[ch]' -print0 | xargs -0 wc -l |
	grep -v ' total$' | sort -rn | head -10
over=$(find criu compel include -name '*.[ch]' -print0 | xargs -0 wc -l | grep -v ' total$' |
	awk '$1 > 800 { print }')
[ -z "$over" ] || { echo "files over 800 lines:"; echo "$over"; }
echo "longest functions (lines):"
for f in $(find criu compel -name '*.c'); do
	awk -v file="$f" '/^[a-z].*\(.*[^;]$/ { name = $0; start = NR }
		/^}/ && start { n = NR - start; if (n > 60) printf "%5d %s: %s\n", n, file, name; start = 0 }' "$f"
done | sort -rn | head -10
exit 0
