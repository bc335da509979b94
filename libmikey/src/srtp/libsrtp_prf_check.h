/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsrtp_prf_check.h - does the libsrtp2 in this process derive AES-192
 * session keys as RFC 6188 §5.3 says? libsrtp2 2.5 as released does not
 * (libsrtp issue 763: it keys the AES-256 PRF with the 24-byte master key
 * plus 8 salt bytes); the copy this project builds carries a fix
 * (subprojects/packagefiles/libsrtp2-aes192-prf.patch), a system library
 * may not (-Dsystem_libsrtp2=true). Internal to src/srtp/.
 */
#ifndef MIKEY_LIBSRTP_PRF_CHECK_H
#define MIKEY_LIBSRTP_PRF_CHECK_H

#include <stdbool.h>

/* mikey_libsrtp_aes192_ok protects one packet with libsrtp2's AES-192
 * profile under the RFC 6188 §7.4 master key and compares it with the
 * packet libmikey's own PRF (mikey_srtp_kdf, checked against §7.4 in
 * tests/unit/test_srtp_rfc_vectors.c), AES-CM and HMAC give. Runs once
 * per process (pthread_once); false when they differ or libsrtp2 fails. */
bool mikey_libsrtp_aes192_ok(void);

#endif
