#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# install_pkgconfig.sh BUILD_DIR SOURCE_DIR [CC] [SANITIZE]
#
# Installs the build into a temporary staging root (meson install
# --destdir), then, as a user of the installed library would:
#   - finds it with `pkg-config --cflags --libs libmikey` (through
#     PKG_CONFIG_SYSROOT_DIR, so the .pc file is the one that installs);
#   - builds and runs a small program against it (decode a sample message,
#     a PSK exchange between two contexts, a libsrtp2 session from its keys);
#   - checks the installed headers, the mikey-tool binary and its man page,
#     and the installed library's exports (check_exports.py).
# Prints `N passed, N failed` last; exits 1 on any failure.
set -uo pipefail
BUILD=$1
SRC=$2
CC=${3:-cc}
SANITIZE=${4:-none}

pass=0
fail=0
ok() { printf 'ok: %s\n' "$*"; pass=$((pass + 1)); }
bad() { printf 'FAIL: %s\n' "$*"; fail=$((fail + 1)); }

stage=$(mktemp -d /tmp/mikey-install.XXXXXX)
trap 'rm -rf "$stage"' EXIT

if meson install -C "$BUILD" --no-rebuild --destdir "$stage" >"$stage.log" 2>&1; then
	ok "meson install into a staging root"
else
	bad "meson install failed: $(tail -5 "$stage.log")"
	echo "$pass passed, $fail failed"
	rm -f "$stage.log"
	exit 1
fi
rm -f "$stage.log"

pc=$(find "$stage" -name libmikey.pc -path '*pkgconfig*' | head -1)
if [[ -n $pc ]]; then ok "libmikey.pc installed (${pc#"$stage"})"; else bad "no libmikey.pc installed"; fi
export PKG_CONFIG_SYSROOT_DIR=$stage
export PKG_CONFIG_PATH=$(dirname "${pc:-/nonexistent}")
flags=$(pkg-config --cflags --libs libmikey 2>&1) && ok "pkg-config --cflags --libs libmikey: $flags" ||
	bad "pkg-config: $flags"

libso=$(find "$stage" -name 'libmikey.so.*.*' | head -1)
incdir=$(find "$stage" -type d -path '*/include/mikey' | head -1)
for h in "$SRC"/libmikey/include/mikey/*.h; do
	[[ -f $incdir/$(basename "$h") ]] || bad "header $(basename "$h") not installed"
done
[[ -n $incdir ]] && ok "headers installed in ${incdir#"$stage"}"
tool=$(find "$stage" -type f -name mikey-tool -perm -u+x | head -1)
if [[ -n $tool ]]; then ok "mikey-tool installed"; else bad "mikey-tool not installed"; fi
man=$(find "$stage" -type f -path '*man1*' -name 'mikey-tool.1*' | head -1)
if [[ -n $man ]]; then
	if man -l "$man" 2>/dev/null | grep -q 'mikey-tool'; then ok "mikey-tool(1) renders"; else bad "mikey-tool(1) does not render"; fi
else
	bad "no mikey-tool(1) man page installed"
fi
if [[ -n $libso ]] && /usr/bin/python3 "$SRC/tests/abi/check_exports.py" "$libso" "$incdir" >"$stage/exports.log" 2>&1; then
	ok "installed library exports only documented mikey_ functions ($(grep -o '[0-9]* exported' "$stage/exports.log"))"
else
	bad "installed library exports: $(grep -v passed "$stage/exports.log" 2>/dev/null | head -5)"
fi

san=()
[[ $SANITIZE != none && -n $SANITIZE ]] && san=(-fsanitize="$SANITIZE")
cat >"$stage/user.c" <<'PROG'
/* A program that only knows the installed library. */
#include <stdio.h>
#include <string.h>
#include <mikey/mikey.h>

static const uint8_t psk[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

int main(void)
{
	mikey_ctx *a = mikey_ctx_new(), *b = mikey_ctx_new();
	mikey_exchange *ea = NULL, *eb = NULL;
	uint8_t *msg = NULL, *resp = NULL;
	size_t len = 0, resp_len = 0;
	mikey_error err;
	mikey_offer o;
	int rc = 1;
	mikey_crypto_session ka, kb;
	memset(&ka, 0, sizeof(ka));
	memset(&kb, 0, sizeof(kb));
	uint32_t ssrc = 0x11223344;
	mikey_cs_desc cs = {.ssrc = ssrc};

	if (a == NULL || b == NULL || mikey_ctx_add_psk(a, NULL, 0, psk, sizeof(psk)) != MIKEY_OK ||
	    mikey_ctx_add_psk(b, NULL, 0, psk, sizeof(psk)) != MIKEY_OK)
		goto out;
	mikey_ctx_set_clock(a, mikey_clock_system, NULL);
	mikey_ctx_set_clock(b, mikey_clock_system, NULL);
	mikey_srtp_policy pol;
	mikey_srtp_policy_default(&pol);
	mikey_offer_init(&o, MIKEY_MODE_PSK);
	o.cs = &cs;
	o.n_cs = 1;
	o.policies = &pol;
	o.n_policies = 1;
	if (mikey_initiate(a, &o, &ea, &msg, &len, &err) != MIKEY_OK) {
		fprintf(stderr, "initiate: %s\n", err.message);
		goto out;
	}
	mikey_msg *m = NULL;
	if (mikey_msg_parse(msg, len, NULL, &m, &err) != MIKEY_OK) {
		fprintf(stderr, "parse: %s\n", err.message);
		goto out;
	}
	mikey_msg_free(m);
	if (mikey_respond(b, msg, len, &eb, &resp, &resp_len, &err) != MIKEY_OK) {
		fprintf(stderr, "respond: %s\n", err.message);
		goto out;
	}
	if (mikey_exchange_get_cs(ea, 0, &ka, &err) != MIKEY_OK || mikey_exchange_get_cs(eb, 0, &kb, &err) != MIKEY_OK ||
	    ka.master_key_len == 0 || memcmp(ka.master_key, kb.master_key, ka.master_key_len) != 0) {
		fprintf(stderr, "keys differ\n");
		goto out;
	}
	srtp_t s = NULL;
	if (mikey_srtp_session_new(&kb, MIKEY_SRTP_SSRC_ANY_INBOUND, &s) != MIKEY_OK) {
		fprintf(stderr, "libsrtp2 session failed\n");
		goto out;
	}
	srtp_dealloc(s);
	printf("installed libmikey: %zu-byte SRTP key agreed, libsrtp2 session made\n", ka.master_key_len);
	rc = 0;
out:
	mikey_crypto_session_cleanup(&ka);
	mikey_crypto_session_cleanup(&kb);
	mikey_buf_free(msg, len);
	mikey_buf_free(resp, resp_len);
	mikey_exchange_free(ea);
	mikey_exchange_free(eb);
	mikey_ctx_free(a);
	mikey_ctx_free(b);
	return rc;
}
PROG
# shellcheck disable=SC2086
if "$CC" "${san[@]}" -std=c11 -Wall -Werror -o "$stage/user" "$stage/user.c" $flags >"$stage/cc.log" 2>&1; then
	ok "a program builds against the installed library through pkg-config"
	libdir=$(dirname "$libso")
	if out=$(LD_LIBRARY_PATH=$libdir "$stage/user" 2>&1); then
		ok "it runs: $out"
		# Not "ldd | grep -q": with pipefail, grep quitting early can
		# make ldd die of SIGPIPE and the pipeline fail.
		deps=$(LD_LIBRARY_PATH=$libdir ldd "$stage/user" 2>&1)
		if [[ $deps == *"$libdir/libmikey.so"* ]]; then
			ok "it loads the installed libmikey.so"
		else
			bad "it does not load the installed libmikey.so"
		fi
	else
		bad "it fails: $out"
	fi
else
	bad "building against the installed library failed: $(head -20 "$stage/cc.log")"
fi
echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
