#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# install-deps.sh - install every Debian 12 package the project needs to
# build, test, fuzz and benchmark.
#
# Idempotent: when every package is already installed it does nothing (no
# apt-get update), so scripts/demo.sh and scripts/test.sh can call it each
# time. Otherwise it runs apt-get update + install as root (or through sudo)
# and fails loudly if that does not work.
#
# Environment:
#   MIKEY_SKIP_DEPS=1   do nothing (for machines managed by hand)
#
# To add a dependency, add it to PACKAGES below, one per line, with the
# reason.
set -euo pipefail

PACKAGES=(
	# build
	build-essential
	meson
	ninja-build
	pkg-config
	clang
	libclang-rt-14-dev          # libFuzzer + ASan/UBSan runtimes for clang 14
	libssl-dev                  # OpenSSL 3: the only crypto backend
	dpkg-dev                    # dpkg-source: apt-get source libsrtp2 (scripts/fetch-libsrtp2.sh)
	libglib2.0-dev
	# unit tests
	libcriterion-dev
	# GStreamer elements (planned) and interop tests
	libgstreamer1.0-dev
	libgstreamer-plugins-base1.0-dev
	libgstreamer-plugins-bad1.0-dev
	gstreamer1.0-tools
	gstreamer1.0-plugins-base
	gstreamer1.0-plugins-good
	gstreamer1.0-plugins-bad    # srtpenc / srtpdec
	gir1.2-gstreamer-1.0
	gir1.2-gst-plugins-base-1.0 # GstSdp.MIKEYMessage from python
	gir1.2-gst-rtsp-server-1.0  # gst-rtsp-server interop test (tests/interop/rtsp)
	python3
	python3-gi
	python3-cryptography        # agent_tests: RFC 5649 unwrap of the store, independently of ours
	libsrtp2-dev                # headers; -Dsystem_libsrtp2=true links it (NSS)
	# SIP conference agent (sip-agent/)
	libsofia-sip-ua-dev
	libsofia-sip-ua-glib-dev
	sip-tester                  # SIPp
	kamailio                    # the SIP proxy in front of key servers (tests/sip)
	libsqlite3-dev              # the key server's store
	sqlite3                     # tests read the store
	libpq-dev                   # the store's PostgreSQL back end
	postgresql                  # throwaway clusters for its tests (tests/sip/pgcluster.py)
	# interop and checks
	tshark
	valgrind
	openssl                     # CLI: independent checks in tests/tool and tests/certs
	jq
	man-db                      # man -l: the install test renders mikey-tool(1)
	xxd
)

log() { printf 'install-deps: %s\n' "$*" >&2; }

if [[ "${MIKEY_SKIP_DEPS:-0}" == "1" ]]; then
	log "MIKEY_SKIP_DEPS=1: not checking packages"
	exit 0
fi

# libsrtp2 is built from Debian's own source package on OpenSSL
# (scripts/fetch-libsrtp2.sh): apt needs a deb-src entry for it.
DEBSRC=/etc/apt/sources.list.d/mikey-debsrc.sources
need_debsrc=0
if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	need_debsrc=1
fi

missing=()
for p in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	if [[ "$status" != ii* ]]; then
		missing+=("$p")
	fi
done

if [[ ${#missing[@]} -eq 0 && $need_debsrc == 0 ]]; then
	log "all ${#PACKAGES[@]} packages already installed, deb-src entry present"
	exit 0
fi

[[ ${#missing[@]} -gt 0 ]] && log "missing: ${missing[*]}"

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=(sudo)
	else
		log "ERROR: not root and no sudo; install as root: apt-get install ${missing[*]}"
		exit 1
	fi
fi

export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer before it asks.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	"${SUDO[@]}" debconf-set-selections

APT_OPTS=(-y -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600)

if [[ $need_debsrc == 1 ]]; then
	log "adding $DEBSRC (deb-src for Debian's libsrtp2 source package)"
	printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
		'Suites: bookworm bookworm-updates' 'Components: main' \
		'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
		"${SUDO[@]}" tee "$DEBSRC" >/dev/null
fi

if ! "${SUDO[@]}" apt-get "${APT_OPTS[@]}" update; then
	log "ERROR: apt-get update failed"
	exit 1
fi
if [[ ${#missing[@]} -gt 0 ]] && ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get "${APT_OPTS[@]}" install "${missing[@]}"; then
	log "ERROR: apt-get install failed for: ${missing[*]}"
	exit 1
fi

# Check again: a package name that apt silently resolved to something else
# must not pass unnoticed.
still=()
for p in "${missing[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ "$status" == ii* ]] || still+=("$p")
done
if [[ ${#still[@]} -ne 0 ]]; then
	log "ERROR: still not installed after apt-get: ${still[*]}"
	exit 1
fi
[[ ${#missing[@]} -gt 0 ]] && log "installed: ${missing[*]}"
exit 0
