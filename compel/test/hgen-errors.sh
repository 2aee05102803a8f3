#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# compel-hgen must refuse broken blobs and name the problem: a call to
# libc, code built without -fpie, a missing entry. Prints TAP.
# Usage: hgen-errors.sh HGEN LDS OUTDIR UNDEF.o PLAIN.o PLAIN-NOPIE.o
set -u

hgen=$1 lds=$2 out=$3 undef=$4 plain=$5 nopie=$6
LD=${LD:-ld}
n=0 failed=0

result()
{
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}

# expect_fail NAME MESSAGE OBJ HGEN-ARGS...: link OBJ, run hgen, want MESSAGE
expect_fail()
{
	name=$1 msg=$2 obj=$3
	shift 3
	"$LD" -r -T "$lds" -o "$out/$name.r.o" "$obj" || { result fail "$name: ld"; return; }
	if "$hgen" "$@" -o "$out/$name-blob.h" "$out/$name.r.o" 2>"$out/$name.err"; then
		result fail "$name: compel-hgen accepted it"
	elif grep -qF "$msg" "$out/$name.err"; then
		result ok "$name: $msg"
	else
		result fail "$name: expected \"$msg\", got: $(cat "$out/$name.err")"
	fi
	[ ! -e "$out/$name-blob.h" ] || result fail "$name: a header was left behind"
}

expect_fail undef "undefined symbol 'strlen'" "$undef" -n undef
if nm -u "$out/undef.r.o" | grep -qw strlen; then
	result ok "nm -u shows what the build check looks for"
else
	result fail "nm -u does not show strlen"
fi
expect_fail nopie "absolute 32-bit reference" "$nopie" -n nopie
expect_fail noentry "entry symbol 'nope' not found" "$plain" -n plain -e nope
expect_fail badname "not a C identifier" "$plain" -n 9lives

"$LD" -r -T "$lds" -o "$out/plain.r.o" "$plain"
if "$hgen" -n plain -e plain_main -o "$out/plain-blob.h" "$out/plain.r.o"; then
	result ok "a good blob passes"
else
	result fail "a good blob is refused"
fi

echo "# hgen-errors: $n checks, $([ $failed = 0 ] && echo all passed || echo FAILED)"
exit $failed
