/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_alloc_fail.c - every allocation libmikey makes may fail, and every
 * failure is cleaned up (like nghttp2's failmalloc test).
 *
 * A counting allocator installed with mikey_mem_set() fails the n-th
 * allocation (once, or that one and all after it) and tracks the live
 * blocks. For n = 1, 2, ... until the operation succeeds without a failure
 * being injected, it must return MIKEY_ERR_NOMEM (or succeed), leave its
 * outputs unset, and free everything it allocated.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "mikey/mikey.h"

#include "../common/msgs.c"

/* ------------------------------------------------------------------------
 * The failing allocator
 * --------------------------------------------------------------------- */

typedef struct failmalloc {
	size_t calls;   /* malloc + realloc calls so far */
	size_t fail_at; /* 0 = never */
	bool sticky;    /* fail every call from fail_at on */
	size_t injected; /* failures handed out */
	size_t live;    /* blocks allocated and not yet freed */
	size_t peak_live;
} failmalloc;

static failmalloc fm;

static bool fm_should_fail(void)
{
	fm.calls++;
	if (fm.fail_at == 0)
		return false;
	if (fm.calls == fm.fail_at || (fm.sticky && fm.calls > fm.fail_at)) {
		fm.injected++;
		return true;
	}
	return false;
}

static void *fm_malloc(size_t size, void *user)
{
	void *p;

	(void)user;
	if (fm_should_fail())
		return NULL;
	p = malloc(size ? size : 1);
	if (p != NULL && ++fm.live > fm.peak_live)
		fm.peak_live = fm.live;
	return p;
}

static void *fm_realloc(void *ptr, size_t size, void *user)
{
	void *p;

	(void)user;
	if (fm_should_fail())
		return NULL; /* the old block stays valid, and live */
	p = realloc(ptr, size ? size : 1);
	if (p != NULL && ptr == NULL && ++fm.live > fm.peak_live)
		fm.peak_live = fm.live;
	return p;
}

static void fm_free(void *ptr, void *user)
{
	(void)user;
	if (ptr == NULL)
		return;
	cr_assert_gt(fm.live, 0, "free of a block this allocator did not hand out");
	fm.live--;
	free(ptr);
}

static const mikey_mem fm_mem = {fm_malloc, fm_realloc, fm_free, NULL};

/* Starts a run that fails allocation |n| (0: none). */
static void fm_arm(size_t n, bool sticky)
{
	cr_assert_eq(fm.live, 0, "%zu blocks still live before a new run", fm.live);
	memset(&fm, 0, sizeof(fm));
	fm.fail_at = n;
	fm.sticky = sticky;
	mikey_mem_set(&fm_mem);
}

static void fm_disarm(void)
{
	mikey_mem_set(NULL);
}

static void restore_allocator(void)
{
	mikey_mem_set(NULL);
}

TestSuite(alloc_fail, .fini = restore_allocator, .timeout = 120);

/* Iteration cap: no operation here needs anywhere near this many. */
#define MAX_N 100000

/* Builds sample |i| with the default allocator. */
static void reference(size_t i, uint8_t **buf, size_t *len)
{
	int rc;

	fm_disarm();
	rc = test_msgs_build(i, buf, len);
	cr_assert_eq(rc, MIKEY_OK, "sample %s: %s", test_msgs_get(i)->name, mikey_error_name(rc));
}

/* ------------------------------------------------------------------------
 * Sanity of the harness
 * --------------------------------------------------------------------- */

Test(alloc_fail, hook_is_used)
{
	uint8_t *buf;
	size_t len;
	mikey_msg *m = NULL;
	int rc;

	reference(0, &buf, &len);
	fm_arm(0, false);
	rc = mikey_msg_parse(buf, len, NULL, &m, NULL);
	cr_assert_eq(rc, MIKEY_OK);
	cr_assert_gt(fm.calls, 0, "parse allocated nothing through mikey_mem_set's allocator");
	cr_assert_gt(fm.live, 0);
	mikey_msg_free(m);
	cr_assert_eq(fm.live, 0, "%zu blocks live after mikey_msg_free", fm.live);
	cr_assert_eq(mikey_mem_get()->malloc, fm_malloc);
	fm_disarm();
	cr_assert_neq(mikey_mem_get()->malloc, fm_malloc);
	mikey_buf_free(buf, len);
}

/* ------------------------------------------------------------------------
 * Parse
 * --------------------------------------------------------------------- */

/* Runs parse of |buf| failing allocation 1, 2, ... Returns how many
 * allocations a successful parse made. */
static size_t parse_under_failures(const char *name, const uint8_t *buf, size_t len, const mikey_parse_opts *opts,
                                   bool sticky)
{
	for (size_t n = 1; n < MAX_N; n++) {
		mikey_msg *m = (mikey_msg *)(uintptr_t)1;
		mikey_error err;
		int rc;

		fm_arm(n, sticky);
		rc = mikey_msg_parse(buf, len, opts, &m, &err);
		if (rc == MIKEY_OK) {
			cr_assert_not_null(m);
			cr_assert_eq(fm.injected, 0, "%s: parse succeeded although allocation %zu failed", name, n);
			mikey_msg_free(m);
			cr_assert_eq(fm.live, 0, "%s: %zu blocks live after free", name, fm.live);
			fm_disarm();
			return n - 1;
		}
		cr_assert_eq(rc, MIKEY_ERR_NOMEM, "%s: allocation %zu failed, parse returned %s (%s)", name, n,
		             mikey_error_name(rc), err.message);
		cr_assert_eq(err.code, MIKEY_ERR_NOMEM, "%s: err.code %d", name, err.code);
		cr_assert_null(m, "%s: allocation %zu failed, *out not NULL", name, n);
		cr_assert_eq(fm.live, 0, "%s: allocation %zu failed, %zu blocks leaked", name, n, fm.live);
		cr_assert_gt(fm.injected, 0);
		fm_disarm();
	}
	cr_assert_fail("%s: parse never succeeded", name);
	return 0;
}

Test(alloc_fail, parse)
{
	for (int sticky = 0; sticky < 2; sticky++)
		for (size_t i = 0; i < test_msgs_count(); i++) {
			uint8_t *buf;
			size_t len;

			size_t allocs;

			reference(i, &buf, &len);
			allocs = parse_under_failures(test_msgs_get(i)->name, buf, len, NULL, sticky);
			/* the arena may serve a small message from one block, but
			 * never from none */
			cr_assert_gt(allocs, 0);
			if (!sticky)
				cr_log_info("parse %s (%zu bytes): %zu allocations, each failed once", test_msgs_get(i)->name,
				            len, allocs);
			mikey_buf_free(buf, len);
		}
}

/* Many payloads: whatever grows (payload lists, arrays) grows under failure. */
Test(alloc_fail, parse_long_chain)
{
	size_t n = 1000, len = 10 + 3 * n;
	uint8_t *b = malloc(len);
	mikey_parse_opts opts = {0};

	cr_assert_not_null(b);
	memcpy(b, "\x01\x00\x0b\x00\x01\x02\x03\x04\x00\x01", 10);
	for (size_t i = 0; i < n; i++) {
		b[10 + 3 * i] = i + 1 < n ? MIKEY_PT_RAND : MIKEY_PT_LAST;
		b[11 + 3 * i] = 1;
		b[12 + 3 * i] = (uint8_t)i;
	}
	opts.max_payloads = n;
	cr_log_info("parse 1000 RAND: %zu allocations", parse_under_failures("1000 RAND", b, len, &opts, false));
	free(b);
}

/* A parse that fails for a reason other than memory must clean up too,
 * including when it fails late (here: after many payloads were decoded). */
Test(alloc_fail, parse_error_paths_free_everything)
{
	for (size_t i = 0; i < test_msgs_count(); i++) {
		uint8_t *buf;
		size_t len;

		reference(i, &buf, &len);
		for (size_t cut = 0; cut < len; cut++) {
			mikey_msg *m = NULL;
			int rc;

			fm_arm(0, false);
			rc = mikey_msg_parse(buf, cut, NULL, &m, NULL);
			cr_assert_neq(rc, MIKEY_OK);
			cr_assert_null(m);
			cr_assert_eq(fm.live, 0, "%s cut at %zu: %s left %zu blocks", test_msgs_get(i)->name, cut,
			             mikey_error_name(rc), fm.live);
		}
		fm_disarm();
		mikey_buf_free(buf, len);
	}
}

/* ------------------------------------------------------------------------
 * Build
 * --------------------------------------------------------------------- */

Test(alloc_fail, build)
{
	for (int sticky = 0; sticky < 2; sticky++)
		for (size_t i = 0; i < test_msgs_count(); i++) {
			const char *name = test_msgs_get(i)->name;
			uint8_t *ref;
			size_t ref_len;
			mikey_msg *m = NULL;
			size_t n;

			reference(i, &ref, &ref_len);
			cr_assert_eq(mikey_msg_parse(ref, ref_len, NULL, &m, NULL), MIKEY_OK);
			for (n = 1; n < MAX_N; n++) {
				uint8_t *out = NULL;
				size_t out_len = 0;
				int rc;

				/* the message was allocated unhooked: count build alone */
				fm_arm(n, sticky);
				rc = mikey_msg_build(m, &out, &out_len, NULL);
				if (rc == MIKEY_OK) {
					cr_assert_eq(fm.injected, 0, "%s: build succeeded although allocation %zu failed",
					             name, n);
					cr_assert_eq(out_len, ref_len);
					cr_assert_arr_eq(out, ref, ref_len);
					mikey_buf_free(out, out_len);
					cr_assert_eq(fm.live, 0);
					fm_disarm();
					break;
				}
				cr_assert_eq(rc, MIKEY_ERR_NOMEM, "%s: allocation %zu failed, build returned %s", name, n,
				             mikey_error_name(rc));
				cr_assert_null(out, "%s: failed build set *out", name);
				cr_assert_eq(fm.live, 0, "%s: allocation %zu failed, build leaked %zu blocks", name, n,
				             fm.live);
				fm_disarm();
			}
			cr_assert_lt(n, MAX_N);
			fm_disarm();
			mikey_msg_free(m);
			mikey_buf_free(ref, ref_len);
		}
}

/* mikey_msg_new + add_payload + set_bytes + alloc (the fill functions of
 * msgs.c) and then build, all under the failing allocator. */
Test(alloc_fail, new_fill_build)
{
	for (int sticky = 0; sticky < 2; sticky++)
		for (size_t i = 0; i < test_msgs_count(); i++) {
			const test_msg_desc *d = test_msgs_get(i);
			uint8_t *ref;
			size_t ref_len;
			size_t n;

			reference(i, &ref, &ref_len);
			for (n = 1; n < MAX_N; n++) {
				uint8_t *out = NULL;
				size_t out_len = 0;
				mikey_msg *m;
				int rc;

				fm_arm(n, sticky);
				m = mikey_msg_new();
				if (m == NULL) {
					cr_assert_gt(fm.injected, 0, "%s: mikey_msg_new failed on its own", d->name);
					cr_assert_eq(fm.live, 0, "%s: mikey_msg_new failed and leaked", d->name);
					fm_disarm();
					continue;
				}
				rc = d->fill(m);
				if (rc == MIKEY_OK)
					rc = mikey_msg_build(m, &out, &out_len, NULL);
				mikey_msg_free(m);
				if (rc == MIKEY_OK) {
					cr_assert_eq(fm.injected, 0, "%s: succeeded although allocation %zu failed",
					             d->name, n);
					cr_assert_eq(out_len, ref_len);
					cr_assert_arr_eq(out, ref, ref_len);
					mikey_buf_free(out, out_len);
					cr_assert_eq(fm.live, 0);
					fm_disarm();
					break;
				}
				cr_assert_eq(rc, MIKEY_ERR_NOMEM, "%s: allocation %zu failed, got %s", d->name, n,
				             mikey_error_name(rc));
				cr_assert_null(out);
				cr_assert_eq(fm.live, 0, "%s: allocation %zu failed, %zu blocks leaked", d->name, n,
				             fm.live);
				fm_disarm();
			}
			cr_assert_lt(n, MAX_N);
			mikey_buf_free(ref, ref_len);
		}
}

/* set_bytes that fails leaves the destination as it was. The copy is
 * large so the arena has to ask the allocator for it. */
Test(alloc_fail, set_bytes_keeps_destination)
{
	static const uint8_t a[] = {1, 2, 3};
	size_t blen = 100000;
	uint8_t *b = malloc(blen);
	mikey_msg *m;
	mikey_bytes dst = {0};
	bool failed_once = false;

	cr_assert_not_null(b);
	memset(b, 0x77, blen);
	fm_arm(0, false);
	m = mikey_msg_new();
	cr_assert_not_null(m);
	cr_assert_eq(mikey_msg_set_bytes(m, &dst, a, sizeof(a)), MIKEY_OK);
	for (size_t n = 1; n < 1000; n++) {
		int rc;

		fm.fail_at = fm.calls + n;
		rc = mikey_msg_set_bytes(m, &dst, b, blen);
		fm.fail_at = 0;
		if (rc == MIKEY_OK) {
			cr_assert_eq(fm.injected, 0);
			cr_assert_eq(dst.len, blen);
			cr_assert_arr_eq(dst.data, b, blen);
			break;
		}
		failed_once = true;
		fm.injected = 0;
		cr_assert_eq(rc, MIKEY_ERR_NOMEM);
		cr_assert_eq(dst.len, sizeof(a), "failed set_bytes changed the length");
		cr_assert_arr_eq(dst.data, a, sizeof(a));
	}
	cr_assert(failed_once, "set_bytes of %zu bytes allocated nothing", blen);
	/* and mikey_msg_alloc: NULL, message still usable */
	fm.fail_at = fm.calls + 1;
	cr_assert_null(mikey_msg_alloc(m, blen));
	fm.fail_at = 0;
	cr_assert_not_null(mikey_msg_alloc(m, blen));
	mikey_msg_free(m);
	cr_assert_eq(fm.live, 0);
	fm_disarm();
	free(b);
}

/* mikey_msg_add_payload that fails leaves the list as it was. */
Test(alloc_fail, add_payload_keeps_list)
{
	mikey_msg *m;
	size_t failures = 0;

	fm_arm(0, false);
	m = mikey_msg_new();
	cr_assert_not_null(m);
	for (size_t i = 0; i < 2000; i++) {
		mikey_payload *p;
		size_t before = m->payloads.count;
		mikey_payload *last = m->payloads.last;

		/* fail every third call: the arena needs new chunks now and then */
		fm.fail_at = (i % 3 == 0) ? fm.calls + 1 : 0;
		p = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_RAND);
		fm.fail_at = 0;
		if (p == NULL) {
			failures++;
			cr_assert_eq(m->payloads.count, before);
			cr_assert_eq(m->payloads.last, last);
		} else {
			cr_assert_eq(m->payloads.count, before + 1);
			cr_assert_eq(m->payloads.last, p);
		}
	}
	cr_assert_gt(failures, 0, "add_payload never reached the allocator");
	mikey_msg_free(m);
	cr_assert_eq(fm.live, 0);
	fm_disarm();
}

/* ------------------------------------------------------------------------
 * KEMAC plaintext and payload lists
 * --------------------------------------------------------------------- */

/* mikey_payloads_build of a KEMAC's sub list, and
 * mikey_kemac_parse_plaintext of the result into an encrypted KEMAC,
 * under failures: on failure the sub list is empty and everything is freed
 * with the message. */
Test(alloc_fail, kemac_plaintext)
{
	uint8_t *ref, *plain = NULL;
	size_t ref_len, plain_len = 0;
	mikey_msg *src = NULL;
	mikey_payload *k;
	size_t n;

	/* psk_init: KEMAC with two Key data */
	cr_assert_neq(test_msgs_find("psk_init"), (size_t)-1);
	reference(test_msgs_find("psk_init"), &ref, &ref_len);
	cr_assert_eq(mikey_msg_parse(ref, ref_len, NULL, &src, NULL), MIKEY_OK);
	k = mikey_msg_find(src, MIKEY_PT_KEMAC, 0);
	cr_assert_not_null(k);
	cr_assert_eq(k->u.kemac.sub.count, 2);

	for (n = 1; n < MAX_N; n++) {
		uint8_t *out = NULL;
		size_t out_len = 0;
		int rc;

		fm_arm(n, false);
		rc = mikey_payloads_build(&k->u.kemac.sub, &out, &out_len, NULL);
		if (rc == MIKEY_OK) {
			cr_assert_eq(fm.injected, 0);
			plain = malloc(out_len);
			cr_assert_not_null(plain);
			memcpy(plain, out, out_len);
			plain_len = out_len;
			mikey_buf_free(out, out_len);
			cr_assert_eq(fm.live, 0);
			fm_disarm();
			break;
		}
		cr_assert_eq(rc, MIKEY_ERR_NOMEM, "payloads_build: %s", mikey_error_name(rc));
		cr_assert_null(out);
		cr_assert_eq(fm.live, 0);
		fm_disarm();
	}
	cr_assert_lt(n, MAX_N);
	/* RFC 3830 §6.2: the plaintext is the sub-payloads exactly as they
	 * sit in the NULL-encrypted KEMAC */
	cr_assert_eq(plain_len, (size_t)(ref[k->offset + 2] << 8 | ref[k->offset + 3]));
	cr_assert_arr_eq(plain, ref + k->offset + 4, plain_len);

	for (n = 1; n < MAX_N; n++) {
		mikey_msg *m = NULL;
		mikey_payload *e;
		uint8_t *enc;
		size_t enc_len;
		int rc;

		/* pk_init_enc has an AES-CM KEMAC with empty sub */
		cr_assert_neq(test_msgs_find("pk_init_enc"), (size_t)-1);
		reference(test_msgs_find("pk_init_enc"), &enc, &enc_len);
		/* parse hooked but unfailing, so the live count covers the
		 * message; then fail the n-th allocation of parse_plaintext */
		fm_arm(0, false);
		cr_assert_eq(mikey_msg_parse(enc, enc_len, NULL, &m, NULL), MIKEY_OK);
		e = mikey_msg_find(m, MIKEY_PT_KEMAC, 0);
		cr_assert_not_null(e);
		cr_assert_neq(e->u.kemac.encr_alg, MIKEY_ENCR_NULL);
		cr_assert_eq(e->u.kemac.sub.count, 0);
		fm.fail_at = fm.calls + n;
		rc = mikey_kemac_parse_plaintext(m, &e->u.kemac, plain, plain_len, MIKEY_PT_KEY_DATA, NULL);
		fm.fail_at = 0;
		if (rc == MIKEY_OK) {
			cr_assert_eq(fm.injected, 0);
			cr_assert_eq(e->u.kemac.sub.count, 2);
			cr_assert_eq(e->u.kemac.sub.first->type, MIKEY_PT_KEY_DATA);
		} else {
			cr_assert_eq(rc, MIKEY_ERR_NOMEM, "parse_plaintext: %s", mikey_error_name(rc));
			cr_assert_eq(e->u.kemac.sub.count, 0, "failed parse_plaintext left %zu subs",
			             e->u.kemac.sub.count);
			cr_assert_null(e->u.kemac.sub.first);
		}
		mikey_msg_free(m);
		cr_assert_eq(fm.live, 0, "parse_plaintext failing at %zu: %zu blocks live after msg free", n, fm.live);
		fm_disarm();
		mikey_buf_free(enc, enc_len);
		if (rc == MIKEY_OK)
			break;
	}
	cr_assert_lt(n, MAX_N);
	free(plain);
	mikey_msg_free(src);
	mikey_buf_free(ref, ref_len);
}
