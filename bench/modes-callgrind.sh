#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/modes-callgrind.sh - bench/modes counted in instructions: for every
# mode, N complete exchanges and N baseline sets (the raw OpenSSL operations
# of one exchange) under callgrind, counting only loop_exchange() and
# loop_baseline(). Unlike wall time the counts do not depend on the load of
# the machine (RSA blinding and random DH values make them vary by well
# under 1%), so compare library changes with them.
#
# usage: bench/modes-callgrind.sh [BUILDDIR] [MODES] [TOP]
#   BUILDDIR  meson build directory holding bench/modes (default build-bmodes)
#   MODES     space-separated list (default "psk pk dh dhhmac rsar")
#   TOP       hottest functions to list per exchange (default 15; 0: none)
# Environment: N_PSK (default 200) and N_PK (default 4) exchanges per run;
# OUT (default /tmp/mikey-callgrind-modes) keeps the profiles for
# callgrind_annotate / kcachegrind; BENCH_ARGS are passed on to bench/modes
# (e.g. BENCH_ARGS=--dh-full: baseline DH keys with libmikey's 1535-bit
# private values instead of OpenSSL's default).
set -eu

builddir=${1:-build-bmodes}
modes=${2:-psk pk dh dhhmac rsar}
top=${3:-15}
out=${OUT:-/tmp/mikey-callgrind-modes}
exe=$builddir/bench/modes

command -v valgrind >/dev/null || { echo "modes-callgrind.sh: valgrind not installed" >&2; exit 1; }
[ -x "$exe" ] || { echo "modes-callgrind.sh: $exe not built" >&2; exit 1; }
mkdir -p "$out"

# count MODE PART N: instructions of N iterations of PART; empty if the mode
# is missing (the bench then prints "missing" and the loop never runs).
count() {
	fn=loop_$2
	valgrind --tool=callgrind --callgrind-out-file="$out/$1-$2.out" --toggle-collect="$fn" \
		"$exe" --only "$1" --part "$2" --iterations "$3" --rounds 1 ${BENCH_ARGS:-} >"$out/$1-$2.txt" \
		2>"$out/$1-$2.log" || {
		echo "modes-callgrind.sh: $1 $2 failed, see $out/$1-$2.log" >&2
		return 1
	}
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/$1-$2.log"
}

target() { [ "$1" = psk ] && echo 2.0 || echo 1.1; }

printf '%-8s %6s %16s %16s %8s %7s %s\n' mode n instr/exchange instr/baseline ratio target met?
summary=""
for m in $modes; do
	if [ "$m" = psk ]; then n=${N_PSK:-200}; else n=${N_PK:-4}; fi
	ex=$(count "$m" exchange "$n") || continue
	if [ -z "$ex" ] || [ "$ex" = 0 ]; then
		printf '%-8s %6s %s\n' "$m" - "missing (not built, or the probe exchange failed: $out/$m-exchange.txt)"
		summary="$summary $m:missing"
		continue
	fi
	base=$(count "$m" baseline "$n") || continue
	awk -v m="$m" -v n="$n" -v ex="$ex" -v b="$base" -v t="$(target "$m")" 'BEGIN {
		r = ex / b
		printf "%-8s %6d %16.0f %16.0f %7.3fx %6.1fx %s\n", m, n, ex / n, b / n, r, t, (r <= t ? "yes" : "NO")
	}'
	summary="$summary $m"
done

[ "$top" -gt 0 ] || exit 0
for m in $summary; do
	case $m in *:missing) continue ;; esac
	for part in exchange baseline; do
		f=$out/$m-$part.out
		[ -s "$f" ] || continue
		echo
		echo "$m $part: inclusive instructions of the library's own functions and the OpenSSL calls they make"
		echo "(share of the whole $part loop; nested calls are counted in every caller):"
		callgrind_annotate --inclusive=yes "$f" 2>/dev/null |
			sed -n '/file:function/,$p' | sed '1,2d' |
			grep -E ':(mikey_|ex_|kemac_|mac_|vmsg_|sig_|env_|dhx_|psk_|pk_|dh_|dhhmac_|rsar_|derive_|keygen|b_|base_|BN_mod_exp|EVP_PKEY_(sign|verify|encrypt|decrypt|derive|keygen|public_check)|DH_|RSA_|X509_verify_cert|d2i_X509|EVP_MAC_|EVP_DigestSign|EVP_DigestVerify|EVP_PKEY_CTX_new|CRYPTO_zalloc|CRYPTO_free|malloc|free|OPENSSL_cleanse)' |
			head -n "$top" | sed -E 's|[^ ]*/([^/ ]+):|\1:|; s| \[[^]]*\]$||'
	done
done
