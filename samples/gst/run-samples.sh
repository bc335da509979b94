#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-samples.sh BUILD_DIR - runs every sample of samples/gst for a bounded
# number of buffers, with the plugin and mikey-tool of BUILD_DIR, over UDP
# on 127.0.0.1: one receiver, one TESLA sender, two senders into one
# receiver, a rekey while PLAYING. Each receiver must get its buffers
# before `timeout` ends it. Last line: "N passed, N failed".
set -uo pipefail
build=$(cd "${1:?usage: run-samples.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GST_PLUGIN_PATH="$build/gst-plugin${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
export MIKEY_TOOL="$build/tools/mikey-tool"
# A sanitizer runtime the plugin needs in programs not built with it
# (gst-launch-1.0, python3), never in our own sanitized programs.
gst=(env)
# Leak checks stay off there: those programs keep memory until exit by
# design (tests/gst/test_srtpgroup checks the plugin's own leaks).
[[ -n ${MIKEY_SAMPLES_PRELOAD:-} ]] &&
	gst=(env "LD_PRELOAD=$MIKEY_SAMPLES_PRELOAD" "ASAN_OPTIONS=detect_leaks=0:halt_on_error=1")
work=$(mktemp -d "${TMPDIR:-/tmp}/mikey-samples.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

check() { # NAME RC
	if [[ $2 == 0 ]]; then
		echo "PASS $1"
		pass=$((pass + 1))
	else
		echo "FAIL $1 (exit $2; log below)"
		sed 's/^/    /' "$work/$1.log" | tail -n 20
		fail=$((fail + 1))
	fi
}

port() { echo $((20000 + RANDOM % 20000)); }

if ! bash "$here/make-messages.sh" "$work/keys" >"$work/make.log" 2>&1; then
	cat "$work/make.log"
	echo "0 passed, 1 failed"
	exit 1
fi

# NAME RECEIVER_ARGS -- SENDER_ARGS [-- SENDER_ARGS]: the receiver first,
# then the senders; the receiver's exit status counts.
run_pair() {
	local name=$1 p rx rc
	shift
	p=$(port)
	local -a rargs=() sargs=()
	while [[ $# -gt 0 && $1 != -- ]]; do rargs+=("$1"); shift; done
	( timeout 30 "${gst[@]}" bash "$here/receiver.sh" "$work/keys" "${rargs[0]}" "$p" "${rargs[@]:1}" ) \
		>"$work/$name.log" 2>&1 &
	rx=$!
	sleep 0.5
	while [[ $# -gt 0 ]]; do
		shift # --
		sargs=()
		while [[ $# -gt 0 && $1 != -- ]]; do sargs+=("$1"); shift; done
		timeout 30 "${gst[@]}" bash "$here/sender.sh" "$work/keys" "${sargs[0]}" "${sargs[1]}" "$p" \
			"${sargs[@]:2}" >>"$work/$name.log" 2>&1 &
	done
	wait "$rx"
	rc=$?
	wait
	check "$name" "$rc"
}

# 250 tone buffers of 20 ms sent; the receiver must decode 200.
run_pair receiver group.b64 200 -- group.b64 1111 250
# TESLA: the last d = 2 intervals stay held (their keys are never
# disclosed), so the receiver asks for fewer than were sent.
run_pair sender-tesla tesla.b64 150 -- tesla.b64 1111 250 "tesla-seed=@$work/keys/tesla.seed"
run_pair two-senders group.b64 380 -- group.b64 1111 250 -- group.b64 2222 250
timeout 60 "${gst[@]}" /usr/bin/python3 "$here/rekey.py" "$work/keys" 300 >"$work/rekey.log" 2>&1
check rekey $?
cat "$work/rekey.log"
echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
