#!/usr/bin/env bash
# Regenerate the corpus into DIR with GEN, then round-trip every message.
set -euo pipefail
gen=$1 rt=$2 dir=$3
rm -rf "$dir" && mkdir -p "$dir"
"$gen" "$dir" >/dev/null
exec "$rt" "$dir"
