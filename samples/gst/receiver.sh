#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# receiver.sh DIR MSG PORT [BUFFERS] [SINK] - SRTP from UDP PORT,
# decrypted (and, for TESLA messages, source-authenticated) by
# srtpgroupdec keyed with DIR/MSG; ends after BUFFERS decoded buffers.
# SINK defaults to fakesink (autoaudiosink to listen).
set -euo pipefail
dir=$1 msg=$2 port=$3 buffers=${4:-200} sink=${5:-fakesink}
exec gst-launch-1.0 -q udpsrc port="$port" \
	caps="application/x-srtp,media=audio,clock-rate=8000,encoding-name=PCMU,payload=0" \
	! srtpgroupdec mikey="@$dir/$msg" mikey-psk="@$dir/psk.hex" \
	! rtppcmudepay ! mulawdec ! "$sink" num-buffers="$buffers"
