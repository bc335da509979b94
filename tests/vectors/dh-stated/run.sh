#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh MAKE_VECTORS SOURCE_ROOT - regenerate the stated-private-value DH
# vectors into a temporary directory, compare them byte for byte with the
# committed ones, and recompute the committed ones independently (check.py).
set -u
MAKE=$1
ROOT=$2
HERE=$ROOT/tests/vectors/dh-stated
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
if "$MAKE" "$ROOT" "$TMP"; then
	for f in dh-signed-stated dhhmac-stated; do
		if cmp -s "$TMP/$f.txt" "$HERE/$f.txt"; then
			echo "ok: $f.txt regenerates byte for byte"
			pass=$((pass + 1))
		else
			echo "FAIL: $f.txt differs from what libmikey makes now:"
			diff "$HERE/$f.txt" "$TMP/$f.txt" | head -10
			fail=$((fail + 1))
		fi
	done
else
	echo "FAIL: make_vectors failed"
	fail=$((fail + 1))
fi
out=$(/usr/bin/python3 "$HERE/check.py" "$HERE/dh-signed-stated.txt" "$HERE/dhhmac-stated.txt")
echo "$out" | grep -v 'passed, .* failed$'
p=$(echo "$out" | tail -1 | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
pass=$((pass + ${p% *}))
fail=$((fail + ${p#* }))
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
