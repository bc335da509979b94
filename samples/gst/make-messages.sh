#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# make-messages.sh DIR - the MIKEY messages the sample pipelines are keyed
# with, made by `mikey-tool create` (PSK mode, RFC 3830 §3.1) into DIR:
#   group.b64     one key for SSRCs 1111 and 2222 (two senders, one group)
#   tesla.b64     SSRC 1111 with TESLA (RFC 4442): the receiver verifies
#                 the sender with its chain commitment; the chain seed
#                 (tesla.seed) stays with the sender
#   rekey-1.b64   generation 1 (MKI 01) and generation 2 (MKI 02) of one
#   rekey-2.b64   crypto session bundle: a rekey under the same CSB ID
#                 (RFC 3830 §4.5)
#   psk.hex       the pre-shared key
# Environment: MIKEY_TOOL (default: mikey-tool on PATH).
set -euo pipefail
dir=${1:?usage: make-messages.sh DIR}
tool=${MIKEY_TOOL:-mikey-tool}
mkdir -p "$dir"
psk=$(openssl rand -hex 16)
seed=$(openssl rand -hex 20)
printf '%s\n' "$psk" >"$dir/psk.hex"
printf '%s\n' "$seed" >"$dir/tesla.seed"
csb=$((RANDOM * 32768 + RANDOM + 1))

"$tool" create -m psk --psk "$psk" --ssrc 1111,2222 --mki 01 -f base64 -o "$dir/group.b64"
# TESLA: interval 0 starts one second ago; 100 ms intervals, keys
# disclosed 2 intervals later, a chain for 10,000 s.
"$tool" create -m psk --psk "$psk" --ssrc 1111 --mki 01 --tesla-seed "$seed" \
	--tesla-t0 "$(date -u -d '-1 sec' +%Y-%m-%dT%H:%M:%SZ)" --tesla-interval 100 \
	--tesla-delay 2 --tesla-chain 100000 -f base64 -o "$dir/tesla.b64"
"$tool" create -m psk --psk "$psk" --ssrc 1111 --csb-id "$csb" --mki 01 -f base64 -o "$dir/rekey-1.b64"
"$tool" create -m psk --psk "$psk" --ssrc 1111 --csb-id "$csb" --mki 02 -f base64 -o "$dir/rekey-2.b64"
