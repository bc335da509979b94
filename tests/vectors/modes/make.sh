#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make.sh - regenerate the known-answer vectors of every key exchange mode
# with mikey-tool's deterministic RNG (--seed) and fixed clock (--now).
#
# Usage: tests/vectors/modes/make.sh MIKEY_TOOL [OUTDIR]
#   MIKEY_TOOL  the mikey-tool binary (e.g. build/tools/mikey-tool)
#   OUTDIR      where to write NAME.txt (default: this directory)
# Runs from the repository root (certificates are named relative to it).
# Modes this libmikey lacks are skipped with a note on stderr.
# tests/tool/test_exchange_cli.py runs this and compares byte for byte.
set -eu

TOOL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${2:-$HERE}
OUT=$(mkdir -p "$OUT" && cd "$OUT" && pwd)
cd "$HERE/../../.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

NOW=2023-06-01T12:00:00Z
PSK=000102030405060708090a0b0c0d0e0f10111213
C=tests/certs
ALICE="--id sip:alice@example.com --peer-id sip:bob@example.com"
BOB="--id sip:bob@example.com --peer-id sip:alice@example.com"
I_PK="--cert $C/alice.pem --key $C/alice.key --ca $C/ca.pem --peer-cert $C/bob.pem"
R_PK="--cert $C/bob.pem --key $C/bob.key --ca $C/ca.pem --peer-cert $C/alice.pem"

# vector NAME "CREATE OPTIONS" "RESPOND OPTIONS" [DESCRIPTION]
vector() {
	name=$1 create=$2 respond=$3 what=${4:-}
	# shellcheck disable=SC2086
	if ! "$TOOL" create $create --now $NOW --seed 1 --state "$TMP/st" --out "$TMP/i" 2>"$TMP/err"; then
		if grep -q "mode not available" "$TMP/err"; then
			echo "make.sh: $name skipped: $(cat "$TMP/err")" >&2
			return 0
		fi
		cat "$TMP/err" >&2
		exit 1
	fi
	# shellcheck disable=SC2086
	"$TOOL" respond $respond --now $NOW --seed 2 --out "$TMP/r" "$TMP/i"
	# shellcheck disable=SC2086
	"$TOOL" derive --json $respond --now $NOW --seed 2 "$TMP/i" >"$TMP/keys_r"
	if [ -s "$TMP/r" ]; then
		"$TOOL" derive --json --state "$TMP/st" --now $NOW "$TMP/r" >"$TMP/keys_i"
	else
		"$TOOL" derive --json --state "$TMP/st" --now $NOW >"$TMP/keys_i"
	fi
	if ! cmp -s "$TMP/keys_r" "$TMP/keys_i"; then
		echo "make.sh: $name: initiator and responder derive different keys" >&2
		exit 1
	fi
	{
		echo "# mikey-tool known-answer vector $name: $what"
		echo "# Regenerate: tests/vectors/modes/make.sh MIKEY_TOOL (README.md)"
		echo "Name = $name"
		echo "Now = $NOW"
		echo "Seed-Initiator = 1"
		echo "Seed-Responder = 2"
		echo "Create = create $create --now $NOW --seed 1"
		echo "Respond = respond $respond --now $NOW --seed 2"
		echo "I_MESSAGE = $(cat "$TMP/i")"
		echo "R_MESSAGE = $(cat "$TMP/r" 2>/dev/null || true)"
		python3 -c '
import json, sys
for cs in json.load(open(sys.argv[1]))["crypto_sessions"]:
    n = cs["cs_id"]
    print("CS%d.SSRC = %d" % (n, cs["ssrc"]))
    print("CS%d.ROC = %d" % (n, cs["roc"]))
    print("CS%d.MasterKey = %s" % (n, cs["master_key"]))
    print("CS%d.MasterSalt = %s" % (n, cs["master_salt"]))
    print("CS%d.MKI = %s" % (n, cs["mki"] or ""))
' "$TMP/keys_r"
		echo "Keys = $(cat "$TMP/keys_r")"
	} >"$OUT/$name.txt"
	rm -f "$TMP/i" "$TMP/r" "$TMP/st"
}

CS2="--ssrc 0x11111111,0x22222222 --roc 0,5"

# Pre-shared key (RFC 3830 §3.1): every KEMAC algorithm choice.
vector psk-aes-cm-128-hmac-sha1 "--mode psk --psk $PSK $ALICE $CS2 --verify" "--psk $PSK $BOB" \
	"PSK, KEMAC AES-CM-128 + HMAC-SHA-1-160, TGK, two crypto sessions, V flag"
vector psk-aes-kw-128-hmac-sha1 "--mode psk --psk $PSK $ALICE $CS2 --encr aes-kw-128 --verify" "--psk $PSK $BOB" \
	"PSK, KEMAC AES-KW-128 (RFC 6043) + HMAC-SHA-1-160"
vector psk-aes-cm-256-hmac-sha256 "--mode psk --psk $PSK $ALICE $CS2 --encr aes-cm-256 --mac hmac-sha256 --policy aes256-sha1-80 --verify" \
	"--psk $PSK $BOB" "PSK, KEMAC AES-CM-256 + HMAC-SHA-256-256 (RFC 6043), AES-256 SRTP"
vector psk-null-null "--mode psk --psk $PSK $ALICE $CS2 --encr null --mac null" "--psk $PSK $BOB --allow-null-kemac" \
	"PSK, NULL KEMAC encryption and MAC (restricted use, RFC 3830 §4.2.3), no V flag"
vector psk-tek-salt-mki "--mode psk --psk $PSK $ALICE --ssrc 0xcafe --tek 0102030405060708090a0b0c0d0e0f10 --salt a1a2a3a4a5a6a7a8a9aaabacadae --mki 0001" \
	"--psk $PSK $BOB" "PSK, TEK+SALT carried as is, MKI 0001, no V flag"
vector psk-aes-gcm-128 "--mode psk --psk $PSK $ALICE --ssrc 7 --policy aes-gcm-128 --tgk 00112233445566778899aabbccddeeff --verify" \
	"--psk $PSK $BOB" "PSK, given TGK, AES-GCM-128 SRTP (RFC 7714: 12-byte salt)"

# Public-key envelope (RFC 3830 §3.2), SIGN RSA PKCS#1 v1.5 (deterministic).
vector pk-aes-cm-128-hmac-sha1 "--mode pk $I_PK $ALICE $CS2 --verify" "$R_PK $BOB" \
	"PK, KEMAC AES-CM-128 + HMAC-SHA-1-160, PKCS#1 v1.5 envelope and signature, V flag"
vector pk-aes-kw-128-hmac-sha1 "--mode pk $I_PK $ALICE $CS2 --encr aes-kw-128" "$R_PK $BOB" \
	"PK, KEMAC AES-KW-128 + HMAC-SHA-1-160, no V flag"
vector pk-aes-cm-256-hmac-sha256 "--mode pk $I_PK $ALICE $CS2 --encr aes-cm-256 --mac hmac-sha256 --policy aes256-sha1-80 --verify" \
	"$R_PK $BOB" "PK, KEMAC AES-CM-256 + HMAC-SHA-256-256"

# DH signed (RFC 3830 §3.3): no KEMAC; OAKLEY 5 from the seeded RNG.
vector dh-oakley5 "--mode dh $I_PK $ALICE $CS2" "$R_PK $BOB" "DH-signed, OAKLEY 5, PKCS#1 v1.5 signatures"

# DH-HMAC (RFC 4650): the KEMAC MAC algorithm choices (no encryption).
vector dhhmac-hmac-sha1 "--mode dhhmac --psk $PSK $ALICE $CS2" "--psk $PSK $BOB" "DH-HMAC, OAKLEY 5, HMAC-SHA-1-160"
vector dhhmac-hmac-sha256 "--mode dhhmac --psk $PSK $ALICE $CS2 --mac hmac-sha256" "--psk $PSK $BOB" \
	"DH-HMAC, OAKLEY 5, HMAC-SHA-256-256"

# RSA-R (RFC 4738): the responder chooses the TGK; its KEMAC algorithms.
vector rsar-aes-cm-128-hmac-sha1 "--mode rsar $I_PK $ALICE $CS2" "$R_PK $BOB" \
	"RSA-R, responder KEMAC AES-CM-128 + HMAC-SHA-1-160, CS map echoed"
vector rsar-aes-kw-128-hmac-sha1 "--mode rsar $I_PK $ALICE $CS2" "$R_PK $BOB --encr aes-kw-128" \
	"RSA-R, responder KEMAC AES-KW-128 + HMAC-SHA-1-160"
vector rsar-aes-cm-256-hmac-sha256 "--mode rsar $I_PK $ALICE $CS2 --policy aes256-sha1-80" \
	"$R_PK $BOB --encr aes-cm-256 --mac hmac-sha256 --policy aes256-sha1-80" \
	"RSA-R, responder KEMAC AES-CM-256 + HMAC-SHA-256-256, AES-256 SRTP chosen by the responder"
