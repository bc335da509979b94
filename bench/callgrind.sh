#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/callgrind.sh - instructions per message for the four operations of
# bench/codec, counted by callgrind. Unlike wall time, the counts do not
# depend on what else the machine is doing, so they repeat exactly; use
# them to compare before/after a codec change on a busy machine.
#
# usage: bench/callgrind.sh [BUILDDIR] [MESSAGES] [TOP]
#   BUILDDIR  meson build directory holding bench/codec (default build-bench)
#   MESSAGES  messages per operation (default 6400 = 100 x the corpus)
#   TOP       hottest functions to list per libmikey operation (default 12)
# Profiles are left in $OUT (default /tmp/mikey-callgrind) for
# callgrind_annotate / kcachegrind.
set -eu

builddir=${1:-build-bench}
n=${2:-6400}
top=${3:-12}
out=${OUT:-/tmp/mikey-callgrind}
exe=$builddir/bench/codec

command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind not installed" >&2; exit 1; }
[ -x "$exe" ] || { echo "callgrind.sh: $exe not built" >&2; exit 1; }
mkdir -p "$out"

# Only run_op() is counted: corpus building and checking are excluded.
count() {
	valgrind --tool=callgrind --callgrind-out-file="$out/$1.out" --toggle-collect=run_op \
		"$exe" --only "$1" --iterations "$n" --rounds 1 >/dev/null 2>"$out/$1.log"
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/$1.log"
}

gd=$(count gst_decode)
md=$(count mikey_decode)
me=$(count mikey_encode)
ge=$(count gst_encode)

awk -v n="$n" -v gd="$gd" -v md="$md" -v me="$me" -v ge="$ge" 'BEGIN {
	printf "instructions per message (callgrind, %d messages per operation)\n", n
	printf "  (a) decode GStreamer  %8.0f\n", gd / n
	printf "  (b) decode libmikey   %8.0f\n", md / n
	printf "  (c) encode libmikey   %8.0f\n", me / n
	printf "  (d) encode GStreamer  %8.0f\n", ge / n
	printf "instruction ratio (GStreamer/libmikey): decode %.2fx  encode %.2fx\n", gd / md, ge / me
}'

for op in mikey_decode mikey_encode; do
	echo
	echo "hottest functions, $op (self instructions, share of the operation):"
	callgrind_annotate --inclusive=no "$out/$op.out" 2>/dev/null |
		sed -n '/file:function/,$p' | sed '1,2d' | head -n "$top" |
		sed -E 's|[^ ]*/([^/ ]+):|\1:|; s| \[[^]]*\]$||'
done
