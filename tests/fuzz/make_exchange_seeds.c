/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * make_exchange_seeds DIR: genuine I_MESSAGEs of every mode (prefixed 0x00
 * for the responder role) and genuine responses to alice's waiting
 * exchanges (prefixed 0x01, mode index), the starting corpus of
 * fuzz_exchange.
 */
#include "exchange_fixture.h"

static void put(const char *dir, const char *name, uint8_t r0, uint8_t r1, const uint8_t *m, size_t n)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		exit(1);
	fputc(r0, f);
	if (r0 & 1)
		fputc(r1, f);
	fwrite(m, 1, n, f);
	fclose(f);
}

int main(int argc, char **argv)
{
	static const char *names[5] = {"psk", "pk", "dh", "dhhmac", "rsar"};
	uint32_t bob_rng = 1000, alice_rng = 1;
	if (argc != 2)
		return 2;
	mikey_ctx *bob = fix_responder(&bob_rng), *alice = fix_initiator(&alice_rng);
	/* The same order of initiations as fuzz_exchange, so alice's RNG
	 * stream, and so her waiting exchanges, are the same. */
	uint8_t *imsg[5];
	size_t ilen[5];
	mikey_exchange *ex[5];
	for (int k = 0; k < 5; k++) {
		mikey_offer o;
		fix_offer(&o, fix_modes[k]);
		mikey_error err;
		if (mikey_initiate(alice, &o, &ex[k], &imsg[k], &ilen[k], &err) != MIKEY_OK) {
			fprintf(stderr, "make_exchange_seeds: initiate %s: %s\n", names[k], err.message);
			return 1;
		}
	}
	for (int k = 0; k < 5; k++) {
		char name[64];
		mikey_exchange *er;
		uint8_t *resp;
		size_t rlen;
		snprintf(name, sizeof(name), "i-%s", names[k]);
		put(argv[1], name, 0, 0, imsg[k], ilen[k]);
		mikey_error err;
		if (mikey_respond(bob, imsg[k], ilen[k], &er, &resp, &rlen, &err) != MIKEY_OK) {
			fprintf(stderr, "make_exchange_seeds: respond %s: %s\n", names[k], err.message);
			return 1;
		}
		if (resp != NULL) {
			snprintf(name, sizeof(name), "r-%s", names[k]);
			put(argv[1], name, 1, (uint8_t)k, resp, rlen);
		}
		mikey_buf_free(resp, rlen);
		mikey_exchange_free(er);
		mikey_buf_free(imsg[k], ilen[k]);
		mikey_exchange_free(ex[k]);
	}
	mikey_ctx_free(bob);
	mikey_ctx_free(alice);
	return 0;
}
