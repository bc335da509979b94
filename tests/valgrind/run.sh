#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/valgrind/run.sh BUILD_DIR
#
# Runs the bad-input and allocation-failure tests under valgrind memcheck:
# every sample message and its truncations, length/next-payload/registry
# mutations, every byte value of the small samples and 2000 random
# mutations (MIKEY_TEST_QUICK=1 shrinks the big loops), each round-tripped,
# plus every allocation failure. Any invalid read/write, use of
# uninitialised memory or definite/indirect leak fails the binary.
#
# BUILD_DIR must be a build WITHOUT sanitizers (valgrind and ASan do not
# mix), e.g.:
#   meson setup build-vg -Db_sanitize=none && ninja -C build-vg
#   tests/valgrind/run.sh build-vg
#
# Criterion runs each test in a child it starts by re-executing the test
# binary (BoxFort), so valgrind needs --trace-children=yes to see the
# tests at all; without it only the runner is checked and everything
# "passes". Each process gets its own log (--log-file=...%p). Checked: the
# exit status of a test child that valgrind fails with --error-exitcode is
# NOT seen by criterion (a leaking test still counts as passing and the
# runner exits 0), so the verdict comes from the logs: with --quiet a log
# is empty unless memcheck reported something. --jobs 1 keeps the order
# readable.
#
# Prints "N passed, N failed" (one unit per test binary) and exits 1 on any
# failure.
set -u
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$1
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind not found" >&2
	exit 2
fi
if grep -q -- '-fsanitize=' "$build/build.ninja" 2>/dev/null; then
	echo "$build is built with sanitizers; valgrind needs a build without them (-Db_sanitize=none)" >&2
	exit 2
fi

passed=0
failed=0
logdir=$(mktemp -d "${TMPDIR:-/tmp}/mikey-valgrind.XXXXXX") || exit 2
for t in test_bad_input test_alloc_fail; do
	exe=$build/tests/unit/$t
	if [ ! -x "$exe" ]; then
		echo "$t: not built ($exe missing)"
		failed=$((failed + 1))
		continue
	fi
	echo "== $t under valgrind (log: $logdir/$t.*.log)"
	MIKEY_TEST_QUICK=1 valgrind --quiet --trace-children=yes --error-exitcode=1 \
		--leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --track-origins=yes \
		--log-file="$logdir/$t.%p.log" \
		"$exe" --jobs 1 --timeout 600 --short-filename
	rc=$?
	# Any non-empty per-process log is a memcheck report.
	reports=$(find "$logdir" -name "$t.*.log" -size +0c)
	if [ "$rc" -eq 0 ] && [ -z "$reports" ]; then
		echo "$t: ok"
		passed=$((passed + 1))
	else
		echo "$t: FAILED (exit $rc)"
		for r in $reports; do
			echo "--- $r"
			head -n 60 "$r"
		done
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ] && rm -rf "$logdir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
