#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# demo.sh - README command 1: install the dependencies, build the release
# build in build/, and run the main job.
#
# The main job today decodes and pretty-prints every MIKEY message in
# samples/ (*.bin raw, *.b64 base64, *.sdp SDP with a=key-mgmt:mikey) with
# `mikey-tool decode`, with a one-line summary per file and in the end. It
# fails if any sample does not decode. Then one key exchange per mode, and
# group SRTP media through srtpgroupenc/srtpgroupdec keyed by MIKEY
# messages (samples/gst: one receiver, a TESLA sender, two senders into one
# receiver, a rekey while PLAYING). It is meant to grow into the conference
# demo (a key server and members exchanging keys over SIP).
#
# Environment (all optional):
#   MIKEY_BUILD_DIR    release build dir (default build)
#   MIKEY_SAMPLES_DIR  where the samples are (default samples)
#   MIKEY_SKIP_DEPS=1  do not check/install Debian packages
set -uo pipefail

MIKEY_SCRIPT=demo.sh
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$MIKEY_ROOT" || exit 1

SAMPLES_DIR=${MIKEY_SAMPLES_DIR:-samples}
TOOL="$MIKEY_BUILD_DIR/tools/mikey-tool"

# summary_of FILE prints a short description of the message in FILE from
# `mikey-tool decode --json`: data type, CSB ID and the payload chain.
summary_of() {
	"$TOOL" decode --json "$1" 2>/dev/null | jq -r '
		select(.hdr != null) |
		"\(.hdr.data_type_name // .hdr.data_type) csb_id=\(.hdr.csb_id) "
		+ "\(.length) bytes: "
		+ ([.hdr | "HDR"] + [.payloads[]? | .type_name] | join(" "))
	' 2>/dev/null | head -n 1
}

# decode_samples decodes every sample; returns non-zero if any fails or
# there is none.
decode_samples() {
	local files=() f out rc ok=0 bad=0 summary
	local -a lines=()
	shopt -s nullglob
	files=("$SAMPLES_DIR"/*.bin "$SAMPLES_DIR"/*.b64 "$SAMPLES_DIR"/*.sdp)
	shopt -u nullglob
	if [[ ${#files[@]} -eq 0 ]]; then
		log "no samples (*.bin, *.b64, *.sdp) in $SAMPLES_DIR/"
		return 1
	fi
	mapfile -t files < <(printf '%s\n' "${files[@]}" | LC_ALL=C sort)

	for f in "${files[@]}"; do
		printf '\n----- %s\n' "$f"
		out=$("$TOOL" decode "$f" 2>&1)
		rc=$?
		printf '%s\n' "$out"
		if [[ $rc -eq 0 ]]; then
			ok=$((ok + 1))
			summary=$(summary_of "$f")
			lines+=("$(printf 'OK    %-40s %s' "$f" "${summary:-}")")
		else
			bad=$((bad + 1))
			lines+=("$(printf 'FAIL  %-40s exit %d: %s' "$f" "$rc" \
				"$(printf '%s\n' "$out" | tail -n 1)")")
		fi
		printf '%s\n' "${lines[-1]}"
	done

	printf '\n===== samples decoded with %s\n' "$TOOL"
	printf '%s\n' "${lines[@]}"
	printf '%d of %d samples decoded, %d failed\n' "$ok" "${#files[@]}" "$bad"
	[[ $bad -eq 0 ]]
}

# main_job is what the demo shows. Later steps (key exchange between a focus
# and participants, media through the GStreamer elements) go here.
# One key exchange per mode through mikey-tool, as two parties would run it:
# alice creates the I_MESSAGE, bob responds, both derive the SRTP keys of
# each crypto session, and the keys must agree. PSK also bootstraps TESLA
# (RFC 4442). Both sides use the same clock reading and their own seeds so
# that `derive` can replay each side's exchange.
exchange_every_mode() {
	local dir now psk mode n=0 ok=0 seed_i seed_r
	local -a ic rc extra lines=()
	local C=tests/certs
	dir=$(mktemp -d) || return 1
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	psk=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
	for mode in psk pk dh dhhmac rsar; do
		n=$((n + 1))
		seed_i=$((RANDOM * 32768 + RANDOM))
		seed_r=$((RANDOM * 32768 + RANDOM))
		case $mode in
		psk | dhhmac)
			ic=(--psk "$psk")
			rc=(--psk "$psk")
			;;
		pk)
			ic=(--cert $C/alice.pem --key $C/alice.key --ca $C/ca.pem --peer-cert $C/bob.pem)
			rc=(--cert $C/bob.pem --key $C/bob.key --ca $C/ca.pem)
			;;
		*)
			ic=(--cert $C/alice.pem --key $C/alice.key --ca $C/ca.pem)
			rc=(--cert $C/bob.pem --key $C/bob.key --ca $C/ca.pem)
			;;
		esac
		extra=()
		[[ $mode == psk ]] && extra=(--tesla-t0 "$now" --tesla-interval 20 --tesla-delay 2 --tesla-chain 1000)
		printf '\n----- %s: alice -> bob\n' "$mode"
		if ! "$TOOL" create --mode "$mode" "${ic[@]}" --id sip:alice@example.com --peer-id sip:bob@example.com \
			--ssrc 0x11111111,0x22222222 --verify --now "$now" --seed "$seed_i" --state "$dir/$mode.st" \
			--out "$dir/$mode.i.hex" "${extra[@]}" ||
			! "$TOOL" respond --mode "$mode" "${rc[@]}" --id sip:bob@example.com --peer-id sip:alice@example.com \
				--now "$now" --seed "$seed_r" --out "$dir/$mode.r.hex" "$dir/$mode.i.hex" ||
			! "$TOOL" derive --json --mode "$mode" "${rc[@]}" --id sip:bob@example.com \
				--peer-id sip:alice@example.com --now "$now" --seed "$seed_r" "$dir/$mode.i.hex" >"$dir/$mode.bob.json" ||
			! "$TOOL" derive --json --state "$dir/$mode.st" --now "$now" "$dir/$mode.r.hex" >"$dir/$mode.alice.json"; then
			lines+=("$(printf 'FAIL  %-7s exchange failed' "$mode")")
			continue
		fi
		printf 'I_MESSAGE: %s\n' "$("$TOOL" decode --json "$dir/$mode.i.hex" | jq -r '
			"\(.hdr.data_type_name) \(.length) bytes: " + ([.payloads[].type_name] | join(" "))')"
		printf 'R_MESSAGE: %s\n' "$("$TOOL" decode --json "$dir/$mode.r.hex" | jq -r '
			"\(.hdr.data_type_name) \(.length) bytes: " + ([.payloads[].type_name] | join(" "))')"
		local keys_a keys_b tesla
		keys_a=$(jq -c '[.crypto_sessions[] | {ssrc, master_key, master_salt, tesla}]' "$dir/$mode.alice.json")
		keys_b=$(jq -c '[.crypto_sessions[] | {ssrc, master_key, master_salt, tesla}]' "$dir/$mode.bob.json")
		tesla=$(jq -r 'if .crypto_sessions[0].tesla then " + TESLA (n_c \(.crypto_sessions[0].tesla.n_c), '\
'T_int \(.crypto_sessions[0].tesla.t_int_ms) ms)" else "" end' "$dir/$mode.alice.json")
		jq -r '.crypto_sessions[] | "  CS \(.cs_id) SSRC \(.ssrc): master key \(.master_key) salt \(.master_salt)"' \
			"$dir/$mode.alice.json"
		if [[ -n $keys_a && $keys_a == "$keys_b" ]]; then
			ok=$((ok + 1))
			lines+=("$(printf 'OK    %-7s alice and bob derived the same keys for %d crypto sessions%s' "$mode" \
				"$(jq '.crypto_sessions | length' "$dir/$mode.alice.json")" "$tesla")")
		else
			lines+=("$(printf 'FAIL  %-7s the two sides derived different keys' "$mode")")
		fi
	done
	rm -rf "$dir"
	printf '\n===== key exchanges with %s\n' "$TOOL"
	printf '%s\n' "${lines[@]}"
	printf '%d of %d modes exchanged keys\n' "$ok" "$n"
	[[ $ok -eq $n ]]
}

main_job() {
	phase_begin "decode samples/"
	if decode_samples; then
		phase_end ok
	else
		phase_end FAILED
		return 1
	fi
	phase_begin "key exchange in every mode"
	if exchange_every_mode; then
		phase_end ok
	else
		phase_end FAILED
		return 1
	fi
	phase_begin "group SRTP media keyed by MIKEY (samples/gst)"
	printf '\n===== srtpgroupenc / srtpgroupdec (GST_PLUGIN_PATH=%s/gst-plugin)\n' "$MIKEY_BUILD_DIR"
	if bash samples/gst/run-samples.sh "$MIKEY_BUILD_DIR"; then
		phase_end ok
	else
		phase_end FAILED
		return 1
	fi
	# The job the project exists for ends the demo: a key server and four
	# members over SIP/MIKEY, group SRTP with TESLA, a leave and its rekey.
	phase_begin "loopback conference (mikey-sip-agent, docs/sip-agent.md)"
	printf '\n===== loopback conference: key server + 4 members over SIP/MIKEY\n'
	if /usr/bin/python3 scripts/conference.py --build "$MIKEY_BUILD_DIR" --members 4 --duration 12; then
		phase_end ok
	else
		phase_end FAILED
		return 1
	fi
}

phase_begin "install dependencies"
if ! bash scripts/install-deps.sh; then
	phase_end FAILED
	exit 1
fi
phase_end ok

phase_begin "fetch libsrtp2 source (Debian package, built on OpenSSL)"
if ! bash scripts/fetch-libsrtp2.sh; then
	phase_end FAILED
	exit 1
fi
phase_end ok

phase_begin "configure + build $MIKEY_BUILD_DIR (release)"
if ! build_release; then
	phase_end FAILED
	exit 1
fi
phase_end ok
if [[ ! -x "$TOOL" ]]; then
	log "$TOOL was not built"
	exit 1
fi

main_job
rc=$?
print_timings
if [[ $rc -eq 0 ]]; then
	echo "demo: OK"
else
	echo "demo: FAILED"
fi
exit "$rc"
