#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test.sh - README command 2, and the only thing .ci/run calls.
#
# Installs the dependencies, then:
#   A. build-asan/: clang, ASan + UBSan, libFuzzer targets; runs every meson
#      test suite (unit, interop, tool, fuzz) with sanitizer errors fatal;
#   B. build/: plain release build; runs tests/valgrind/run.sh (when it
#      exists) and a quick smoke run of the bench binaries (when built);
# and adds up the counts of all suites with scripts/count-results.py. The
# very last line it prints is the grand total, `N passed, N failed`. It exits
# non-zero when a test failed, a build failed, or no test ran.
#
# Environment (all optional):
#   MIKEY_BUILD_DIR        release build dir            (default build)
#   MIKEY_ASAN_BUILD_DIR   sanitizer build dir          (default build-asan)
#   MIKEY_LOG_DIR          logs of the non-meson checks (default build-logs)
#   MIKEY_BENCH_ITERATIONS iterations for the bench smoke run (default 200)
#   MIKEY_TEST_TIMEOUT     seconds `meson test` may take in all (default 2700)
#   MIKEY_SKIP_DEPS=1      do not check/install Debian packages
set -uo pipefail

MIKEY_SCRIPT=test.sh
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MIKEY_ROOT" || exit 1

LOG_DIR=${MIKEY_LOG_DIR:-build-logs}
BENCH_ITERATIONS=${MIKEY_BENCH_ITERATIONS:-200}
TEST_TIMEOUT=${MIKEY_TEST_TIMEOUT:-2700}
T0=$(date +%s)

COUNT_ARGS=()   # arguments collected for count-results.py
NOTES=()

# ---------------------------------------------------------------- deps
phase_begin "install dependencies"
if ! bash scripts/install-deps.sh; then
	phase_end FAILED
	log "cannot install the dependencies; nothing was built or tested"
	echo "0 passed, 1 failed"
	exit 1
fi
phase_end ok

# libsrtp2 from Debian's source package, built on OpenSSL by meson (also
# with MIKEY_SKIP_DEPS=1: the build needs the source).
phase_begin "fetch libsrtp2 source (Debian package)"
if ! bash scripts/fetch-libsrtp2.sh; then
	phase_end FAILED
	log "cannot fetch libsrtp2's source; nothing was built or tested"
	echo "0 passed, 1 failed"
	exit 1
fi
phase_end ok

mkdir -p "$LOG_DIR"
LOG_DIR=$(cd "$LOG_DIR" && pwd)

# ---------------------------------------------------------------- sanitizers
# Sanitizer errors are fatal. Defaults first, so that options the caller
# exported still win.
ASAN_DEFAULTS="halt_on_error=1:print_summary=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1"
UBSAN_DEFAULTS="halt_on_error=1:print_stacktrace=1:print_summary=1"

# LeakSanitizer cannot run under ptrace (a debugger, strace, some sandboxes
# and CI runners): it then dies with "LeakSanitizer has encountered a fatal
# error" and every test would fail. Find out once, with a program that leaks
# on purpose, and switch leak detection off (saying so) when it cannot work.
phase_begin "probe LeakSanitizer"
lsan_dir=$(mktemp -d)
printf '#include <stdlib.h>\nint main(void) { void *volatile p = malloc(42); p = 0; return 0; }\n' \
	>"$lsan_dir/leak.c"
LSAN_STATUS="unknown"
if clang -fsanitize=address -g "$lsan_dir/leak.c" -o "$lsan_dir/leak" 2>"$lsan_dir/cc.log"; then
	ASAN_OPTIONS=detect_leaks=1 "$lsan_dir/leak" >"$lsan_dir/run.log" 2>&1
	if grep -q "ERROR: LeakSanitizer: detected memory leaks" "$lsan_dir/run.log"; then
		LSAN_STATUS="works"
	elif grep -qi "does not work under ptrace\|LeakSanitizer has encountered a fatal error" "$lsan_dir/run.log"; then
		LSAN_STATUS="does not work here (ptrace?): leak detection off"
		ASAN_DEFAULTS=${ASAN_DEFAULTS/detect_leaks=1/detect_leaks=0}
	else
		LSAN_STATUS="found no leak in a leaking program: leak detection off"
		ASAN_DEFAULTS=${ASAN_DEFAULTS/detect_leaks=1/detect_leaks=0}
	fi
else
	LSAN_STATUS="clang -fsanitize=address failed: $(head -c 300 "$lsan_dir/cc.log")"
fi
rm -rf "$lsan_dir"
log "LeakSanitizer: $LSAN_STATUS"
NOTES+=("LeakSanitizer: $LSAN_STATUS")
export ASAN_OPTIONS="${ASAN_DEFAULTS}${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="${UBSAN_DEFAULTS}${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
log "ASAN_OPTIONS=$ASAN_OPTIONS"
log "UBSAN_OPTIONS=$UBSAN_OPTIONS"
phase_end "$LSAN_STATUS"

# ---------------------------------------------------------------- build A
A=$MIKEY_ASAN_BUILD_DIR
A_BUILT=0
phase_begin "A: configure $A (clang, ASan+UBSan, fuzz)"
if CC=clang meson_configure "$A" clang "${MIKEY_ASAN_OPTS[@]}"; then
	phase_end ok
	phase_begin "A: build $A"
	if meson compile -C "$A"; then
		A_BUILT=1
		phase_end ok
	else
		phase_end FAILED
		COUNT_ARGS+=(--build-failed "build of $A")
	fi
else
	phase_end FAILED
	COUNT_ARGS+=(--build-failed "meson setup of $A")
fi

if [[ $A_BUILT == 1 ]]; then
	phase_begin "A: meson test (all suites)"
	# A stale log from an earlier run must not be counted.
	rm -f "$A/meson-logs/testlog.json"
	timeout --signal=TERM --kill-after=60 "$TEST_TIMEOUT" \
		meson test -C "$A" --no-rebuild --print-errorlogs --num-processes 2
	rc=$?
	if [[ $rc == 124 || $rc == 137 ]]; then
		phase_end "TIMED OUT after ${TEST_TIMEOUT}s"
		COUNT_ARGS+=(--build-failed "meson test in $A (timed out after ${TEST_TIMEOUT}s)")
	else
		phase_end "exit $rc"
	fi
	COUNT_ARGS+=(--meson "$A")
fi

# ---------------------------------------------------------------- build B
B=$MIKEY_BUILD_DIR
B_BUILT=0
# The release build uses the default compiler: the sanitizer variables must
# not leak into it, nor into valgrind.
phase_begin "B: configure + build $B (release)"
if (unset ASAN_OPTIONS UBSAN_OPTIONS; build_release); then
	B_BUILT=1
	phase_end ok
else
	phase_end FAILED
	COUNT_ARGS+=(--build-failed "release build in $B")
fi

if [[ $B_BUILT == 1 ]]; then
	# valgrind: the script is optional and may not exist yet.
	if [[ -f tests/valgrind/run.sh ]]; then
		phase_begin "B: valgrind (tests/valgrind/run.sh $B)"
		(unset ASAN_OPTIONS UBSAN_OPTIONS
		 bash tests/valgrind/run.sh "$B") 2>&1 | tee "$LOG_DIR/valgrind.log"
		rc=${PIPESTATUS[0]}
		phase_end "exit $rc"
		COUNT_ARGS+=(--extra valgrind "$LOG_DIR/valgrind.log" "$rc")
	else
		NOTES+=("valgrind: tests/valgrind/run.sh does not exist yet, skipped")
	fi

	# bench smoke: only that each binary runs; the ratios it prints are
	# never asserted on (timings on a shared 2-core machine mean nothing).
	phase_begin "B: bench smoke (--iterations $BENCH_ITERATIONS)"
	# The benchmarks meson knows (`benchmark()` in bench/meson.build), with
	# their own arguments but --iterations made small; failing that, every
	# executable built from bench/ with --iterations. One shell-quoted
	# command per line.
	mapfile -t benches < <(/usr/bin/python3 - "$B" "$MIKEY_ROOT" "$BENCH_ITERATIONS" <<'EOF'
import json, os, shlex, sys
build, root, iters = sys.argv[1], sys.argv[2], sys.argv[3]
bench_dir = os.path.join(os.path.realpath(root), "bench") + os.sep
def load(name):
    try:
        return json.load(open(os.path.join(build, "meson-info", name)))
    except (OSError, ValueError):
        return []
cmds = []
for b in load("intro-benchmarks.json"):
    cmd = list(b.get("cmd") or [])
    if not cmd or not os.access(cmd[0], os.X_OK):
        continue
    # The registered arguments are the bench's own short run; only an
    # --iterations among them is made smaller (benches differ in options:
    # --seconds, --packets ...).
    if "--iterations" in cmd[1:-1]:
        cmd[cmd.index("--iterations", 1) + 1] = iters
    cmds.append(cmd)
if not cmds:
    for t in load("intro-targets.json"):
        where = os.path.realpath(t.get("defined_in", ""))
        if t.get("type") == "executable" and where.startswith(bench_dir):
            for f in t.get("filename", []):
                if os.path.isfile(f) and os.access(f, os.X_OK):
                    cmds.append([f, "--iterations", iters])
for c in cmds:
    print(shlex.join(c))
EOF
	)
	if [[ ${#benches[@]} -eq 0 ]]; then
		phase_end "no bench binaries"
		NOTES+=("bench: no bench binaries built yet, skipped")
	else
		nb_fail=0
		for line in "${benches[@]}"; do
			cmd=()
			eval "cmd=($line)"
			name=$(basename "${cmd[0]}")
			# A python bench (conference.py, scale.py): its script names the log.
			[[ $name == python* && ${#cmd[@]} -gt 1 ]] && name=$(basename "${cmd[1]}" .py)
			echo "--- ${cmd[*]}"
			(unset ASAN_OPTIONS UBSAN_OPTIONS
			 timeout --kill-after=10 300 "${cmd[@]}") \
				2>&1 | tee "$LOG_DIR/bench-$name.log"
			rc=${PIPESTATUS[0]}
			[[ $rc == 0 ]] || nb_fail=$((nb_fail + 1))
			echo "--- $name: exit $rc"
			COUNT_ARGS+=(--extra bench "$LOG_DIR/bench-$name.log" "$rc")
		done
		phase_end "${#benches[@]} run, $nb_fail failed"
	fi
fi

# ---------------------------------------------------------------- total
for n in "${NOTES[@]}"; do
	COUNT_ARGS+=(--note "$n")
done
print_timings
printf '  %-56s %6ds\n' "total" "$(($(date +%s) - T0))"
# count-results.py prints the table and, as the very last line of this
# script, "N passed, N failed"; its exit status is ours.
/usr/bin/python3 scripts/count-results.py "${COUNT_ARGS[@]}"
exit $?
