#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# fetch-libsrtp2.sh - puts Debian's own libsrtp2 source package (2.5.x) at
# subprojects/libsrtp2, where meson builds it against OpenSSL
# (docs/libsrtp2-openssl.md). Debian's binary libsrtp2 is built on NSS and
# is about 5x slower.
#
# Idempotent: when subprojects/libsrtp2 holds a 2.5.x tree with our patches
# applied it does nothing. Otherwise it runs `apt-get source libsrtp2`
# (needs a deb-src entry, which scripts/install-deps.sh adds, and dpkg-dev)
# in subprojects/packagecache/, links the unpacked tree, and applies
# subprojects/packagefiles/libsrtp2-*.patch once each (a stamp file in the
# tree lists them). Fails loudly when it cannot.
#
# The patches fix what the RFC test vectors show wrong in 2.5, each with
# its test: libsrtp2-aes192-prf.patch (RFC 6188 §7.4, libsrtp #763;
# tests/unit/test_srtp_rfc_vectors.c).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sub="$root/subprojects"
cache="$sub/packagecache"
want='^2\.5\.'

log() { printf 'fetch-libsrtp2: %s\n' "$*" >&2; }

version_of() { # DIR: the version in its meson.build project() line
	sed -n "s/.*version *: *'\([0-9.]*\)'.*/\1/p" "$1/meson.build" 2>/dev/null | head -n 1
}

# apply_patches TREE: each patch of packagefiles/ not yet in TREE's stamp.
apply_patches() {
	local tree=$1 stamp="$1/.mikey-patches" p name
	for p in "$sub"/packagefiles/libsrtp2-*.patch; do
		[[ -e $p ]] || continue
		name=$(basename "$p")
		if grep -qxF "$name" "$stamp" 2>/dev/null; then
			continue
		fi
		if ! patch -d "$tree" -p1 --forward --quiet <"$p"; then
			log "ERROR: $name does not apply to $tree"
			exit 1
		fi
		printf '%s\n' "$name" >>"$stamp"
		log "applied $name"
	done
}

if [[ -f "$sub/libsrtp2/meson.build" ]] && [[ $(version_of "$sub/libsrtp2") =~ $want ]]; then
	apply_patches "$sub/libsrtp2"
	exit 0
fi
mkdir -p "$cache"
cd "$cache"
if ! compgen -G "libsrtp2-2.5.*/meson.build" >/dev/null; then
	log "apt-get source libsrtp2 (Debian's source package) into $cache"
	if ! apt-get source -q libsrtp2 >"$cache/apt-get-source.log" 2>&1; then
		tail -n 20 "$cache/apt-get-source.log" >&2
		log "ERROR: apt-get source libsrtp2 failed: a deb-src entry and dpkg-dev are needed" \
			"(scripts/install-deps.sh adds both), or build with -Dsystem_libsrtp2=true"
		exit 1
	fi
fi
tree=$(find . -maxdepth 1 -type d -name 'libsrtp2-2.5*' | sort | tail -n 1)
if [[ -z $tree || ! -f "$cache/$tree/meson.build" ]]; then
	log "ERROR: no libsrtp2-2.5.* source tree with a meson.build in $cache"
	exit 1
fi
ver=$(version_of "$cache/$tree")
if ! [[ $ver =~ $want ]]; then
	log "ERROR: $tree is libsrtp2 $ver; this project is checked against 2.5.x"
	exit 1
fi
rm -rf "$sub/libsrtp2"
ln -s "packagecache/${tree#./}" "$sub/libsrtp2"
apply_patches "$cache/${tree#./}"
log "libsrtp2 $ver source at subprojects/libsrtp2 -> packagecache/${tree#./}"
