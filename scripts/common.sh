# shellcheck shell=bash disable=SC2034
# SPDX-License-Identifier: LGPL-2.1-or-later
# common.sh - helpers shared by scripts/demo.sh and scripts/test.sh.
# Source it; it defines functions and variables and runs nothing.

# The repository root, whatever the caller's working directory.
MIKEY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Build directories. The defaults are what README.md promises; a developer
# who already uses build/ for something else can point these elsewhere.
MIKEY_BUILD_DIR=${MIKEY_BUILD_DIR:-build}            # release build
MIKEY_ASAN_BUILD_DIR=${MIKEY_ASAN_BUILD_DIR:-build-asan}  # clang ASan+UBSan+fuzz

# Options of the release build, the same for the demo and the tests so that
# both share one build/.
MIKEY_RELEASE_OPTS=(--buildtype=release -Db_sanitize=none -Dfuzz=false)

# Options of the sanitizer build (compiled with clang).
# shellcheck disable=SC2054
MIKEY_ASAN_OPTS=(--buildtype=debugoptimized -Db_sanitize=address,undefined
	-Db_lundef=false -Dfuzz=true -Dbench=false)

log() { printf '%s: %s\n' "${MIKEY_SCRIPT:-mikey}" "$*" >&2; }

# Phases with wall-clock timing: phase_begin NAME ... phase_end STATUS.
# Each finished phase adds a line to MIKEY_TIMINGS.
MIKEY_TIMINGS=()
phase_begin() {
	MIKEY_PHASE=$1
	MIKEY_PHASE_START=$(date +%s)
	printf '\n=== [%s] %s\n' "$(date +%H:%M:%S)" "$MIKEY_PHASE"
}
phase_end() {
	local status=${1:-ok}
	local secs=$(($(date +%s) - MIKEY_PHASE_START))
	MIKEY_TIMINGS+=("$(printf '  %-56s %6ds  %s' "$MIKEY_PHASE" "$secs" "$status")")
	printf '=== %s: %s in %ds\n' "$MIKEY_PHASE" "$status" "$secs"
}
print_timings() {
	local t
	printf '\nTiming per phase:\n'
	for t in "${MIKEY_TIMINGS[@]}"; do
		printf '%s\n' "$t"
	done
}

# compiler_id DIR prints the C compiler id ("gcc", "clang") a configured
# build directory uses, or "unknown".
compiler_id() {
	/usr/bin/python3 - "$1/meson-info/intro-compilers.json" <<'EOF' 2>/dev/null || echo unknown
import json, sys
print(json.load(open(sys.argv[1]))["host"]["c"]["id"])
EOF
}

# meson_configure DIR WANT_CC OPTIONS... sets up DIR, or reconfigures it
# with OPTIONS when it already exists, so repeated runs build incrementally.
# WANT_CC is the compiler id the directory must use ("clang", or "any");
# a directory configured with another compiler is started afresh (meson
# cannot switch compilers on reconfigure).
meson_configure() {
	local dir=$1 want=$2
	shift 2
	if [[ -f "$dir/meson-private/coredata.dat" ]]; then
		local have
		have=$(compiler_id "$dir")
		if [[ "$want" != any && "$have" != "$want" ]]; then
			log "$dir uses compiler '$have', want '$want': configuring it afresh"
			meson setup --wipe "$dir" "$@"
			return
		fi
		if meson setup --reconfigure "$dir" "$@"; then
			return 0
		fi
		log "reconfiguring $dir failed: configuring it afresh"
		meson setup --wipe "$dir" "$@"
		return
	fi
	meson setup "$dir" "$@"
}

# build_release configures and builds the release build directory.
build_release() {
	meson_configure "$MIKEY_BUILD_DIR" any "${MIKEY_RELEASE_OPTS[@]}" &&
		meson compile -C "$MIKEY_BUILD_DIR"
}
