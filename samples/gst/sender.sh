#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sender.sh DIR MSG SSRC PORT [BUFFERS] [EXTRA...] - a test tone as PCMU
# over SRTP to 127.0.0.1:PORT, keyed by the MIKEY message DIR/MSG; EXTRA
# are more srtpgroupenc properties (e.g. tesla-seed=...).
set -euo pipefail
dir=$1 msg=$2 ssrc=$3 port=$4 buffers=${5:-250}
shift 5 || shift $#
exec gst-launch-1.0 -q audiotestsrc num-buffers="$buffers" samplesperbuffer=160 \
	! mulawenc ! rtppcmupay ssrc="$ssrc" \
	! srtpgroupenc mikey="@$dir/$msg" mikey-psk="@$dir/psk.hex" "$@" \
	! udpsink host=127.0.0.1 port="$port"
