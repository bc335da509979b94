#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libsrtp2_compare.sh BUILD_DIR [ITERATIONS] - runs libsrtp2_raw against the
# libsrtp2 built here on OpenSSL and against Debian's (NSS), one after the
# other on this machine, and prints each rate and the ratio OpenSSL / NSS.
set -euo pipefail
b=${1:?usage: libsrtp2_compare.sh BUILD_DIR [ITERATIONS]}
n=${2:-50000}
ossl=$("$b/bench/libsrtp2_raw" --iterations "$n" --rounds 5)
nss=$("$b/bench/libsrtp2_raw_system" --iterations "$n" --rounds 5)
echo "== built here on OpenSSL"; echo "$ossl"
echo "== Debian's libsrtp2 (NSS)"; echo "$nss"
echo "== ratio OpenSSL / NSS"
paste <(echo "$ossl" | tail -n +2) <(echo "$nss" | tail -n +2) |
	awk '{ printf "%-24s %-18s %6.2fx\n", $1, $2, $3 / $7 }'
