/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_exchange: hostile bytes into both sides of every key exchange mode.
 * Input byte 0 picks the role: even -> mikey_respond(bob, rest) (an
 * I_MESSAGE of any mode); odd -> mikey_exchange_finish on alice's waiting
 * exchange of mode (byte 1 % 5) with the rest as the response. Nothing may
 * crash or leak; a rejection must leave no exchange behind; a waiting
 * initiator stays waiting on failure.
 */
#include "exchange_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mikey_ctx *bob, *alice;
static mikey_exchange *waiting[5];
static uint32_t bob_rng = 1000, alice_rng = 1;

static void make_waiting(size_t k)
{
	mikey_offer o;
	uint8_t *msg;
	size_t len;
	fix_offer(&o, fix_modes[k]);
	mikey_exchange_free(waiting[k]);
	waiting[k] = NULL;
	if (mikey_initiate(alice, &o, &waiting[k], &msg, &len, NULL) != MIKEY_OK)
		abort();
	mikey_buf_free(msg, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (bob == NULL) {
		bob = fix_responder(&bob_rng);
		alice = fix_initiator(&alice_rng);
		for (size_t k = 0; k < 5; k++)
			make_waiting(k);
	}
	if (size < 2)
		return 0;
	if ((data[0] & 1) == 0) {
		mikey_exchange *ex = (mikey_exchange *)1;
		uint8_t *resp = (uint8_t *)1;
		size_t rlen = 0;
		mikey_error err;
		int rc = mikey_respond(bob, data + 1, size - 1, &ex, &resp, &rlen, &err);
		if (rc != MIKEY_OK && (ex != NULL || err.code != rc))
			abort();
		if (rc == MIKEY_OK) {
			for (size_t i = 0; i < mikey_exchange_cs_count(ex); i++) {
				mikey_crypto_session s;
				if (mikey_exchange_get_cs(ex, i, &s, NULL) == MIKEY_OK)
					mikey_crypto_session_cleanup(&s);
			}
		}
		mikey_buf_free(resp, rlen);
		mikey_exchange_free(ex);
		return 0;
	}
	size_t k = data[1] % 5;
	mikey_error err;
	int rc = mikey_exchange_finish(waiting[k], data + 2, size - 2, &err);
	if (rc == MIKEY_OK) {
		if (!mikey_exchange_is_complete(waiting[k]))
			abort();
		make_waiting(k); /* a genuine response: start over */
	} else if (rc == MIKEY_ERR_PEER_ERROR || rc == MIKEY_ERR_STATE) {
		make_waiting(k); /* an error message ends the exchange */
	} else if (mikey_exchange_is_complete(waiting[k])) {
		abort();
	}
	return 0;
}
