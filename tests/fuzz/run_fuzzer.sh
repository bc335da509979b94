#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run_fuzzer.sh FUZZER SEEDS_DIR MAKE_SEEDS DICT SECONDS
#
# Runs a libFuzzer target for SECONDS on a fresh corpus: the committed
# seeds plus what MAKE_SEEDS writes with the current builder. Passes when
# libFuzzer exits cleanly and leaves no crash-/leak-/timeout-/oom- file.
# The last line is "1 passed, 0 failed" or "0 passed, 1 failed".
# FUZZ_KEEP=1 keeps the work directory (corpus and findings) for a look.
set -u
fuzzer=$1 seeds=$2 make_seeds=$3 dict=$4 secs=${5:-60}
name=$(basename "$fuzzer")
work=$(mktemp -d "${TMPDIR:-/tmp}/mikey-$name.XXXXXX") || exit 1
mkdir -p "$work/corpus" "$work/findings"
cp "$seeds"/*.bin "$work/corpus/" 2>/dev/null
if ! "$make_seeds" "$work/corpus"; then
	echo "$name: make_seeds failed"
fi
echo "$name: $(ls "$work/corpus" | wc -l) seeds, ${secs}s, work dir $work"

"$fuzzer" "$work/corpus" -dict="$dict" -max_total_time="$secs" -rss_limit_mb=2048 \
	-timeout=10 -max_len=4096 -print_final_stats=1 \
	-artifact_prefix="$work/findings/" >"$work/log" 2>&1
rc=$?
tail -n 25 "$work/log"

findings=$(ls "$work/findings" | grep -E '^(crash|leak|timeout|oom)-' || true)
if [ "$rc" -eq 0 ] && [ -z "$findings" ]; then
	[ "${FUZZ_KEEP:-0}" = 1 ] || rm -rf "$work"
	echo "1 passed, 0 failed"
	exit 0
fi
echo "$name: libFuzzer exit $rc; findings kept in $work/findings:"
for f in $findings; do
	echo "  $f: $(od -An -tx1 -v "$work/findings/$f" | tr -d ' \n' | cut -c1-400)"
done
echo "0 passed, 1 failed"
exit 1
