/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmsg.c - the verification message of the pre-shared key and public-key
 * methods: R_MESSAGE = HDR, T, [IDr], V (RFC 3830 §3.1, §3.2).
 *
 * §5.2: V is a MAC over the whole response except the MAC field, followed
 * by Identity_i || Identity_r || Timestamp. We read "Identity" as the ID
 * data of the ID payloads (IDi from the I_MESSAGE; IDr from the R_MESSAGE
 * when it carries one, else from the I_MESSAGE; empty when absent) and
 * "Timestamp" as the T payload's TS value as sent (docs/interpretations.md).
 */
#include <string.h>

#include "mikey/mem.h"
#include "modes/modes.h"

static int vmac(const mikey_exchange *ex, const uint8_t *msg, size_t msg_len, uint8_t *tag_or_null,
                const uint8_t *expect, size_t expect_len, mikey_error *err)
{
	uint8_t tb[8];
	size_t tl = ex_ts_bytes(ex, tb);
	mikey_iov iov[4] = {{msg, msg_len}, {ex->id_i, ex->id_i_len}, {ex->id_r, ex->id_r_len}, {tb, tl}};
	if (tag_or_null != NULL)
		return mac_compute(ex, ex->mac_alg, iov, 4, tag_or_null, err);
	return mac_verify(ex, ex->mac_alg, iov, 4, expect, expect_len, err);
}

int vmsg_build(mikey_exchange *ex, uint8_t dt, uint8_t **out, size_t *out_len, mikey_error *err)
{
	mikey_msg *m = mikey_msg_new();
	int rc = MIKEY_ERR_NOMEM;
	int tag_len = mikey_mac_len(ex->mac_alg);

	*out = NULL;
	if (m == NULL || tag_len < 0)
		goto fail;
	if (ex_response_hdr(ex, m, dt, ex->csb_id, NULL) != MIKEY_OK || ex_echo_t(ex, m, NULL) != MIKEY_OK)
		goto fail;
	if (ex->ctx->id != NULL) {
		mikey_payload *id = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_ID);
		if (id == NULL || mikey_msg_set_bytes(m, &id->u.id.data, ex->ctx->id, ex->ctx->id_len) != MIKEY_OK)
			goto fail;
		id->u.id.type = ex->ctx->id_type;
		/* This IDr is the one the MAC covers. */
		uint8_t *copy;
		size_t copy_len;
		if (mikey_copy_bytes(&copy, &copy_len, ex->ctx->id, ex->ctx->id_len) != MIKEY_OK)
			goto fail;
		if (ex->id_r != NULL) {
			mikey_wipe(ex->id_r, ex->id_r_len);
			mikey_free(ex->id_r);
		}
		ex->id_r = copy;
		ex->id_r_len = copy_len;
	}
	mikey_payload *v = mikey_msg_add_payload(m, &m->payloads, MIKEY_PT_V);
	if (v == NULL)
		goto fail;
	v->u.v.auth_alg = ex->mac_alg;
	if (tag_len > 0) {
		v->u.v.ver_data.data = mikey_msg_alloc(m, (size_t)tag_len);
		if (v->u.v.ver_data.data == NULL)
			goto fail;
		v->u.v.ver_data.len = (size_t)tag_len;
	}
	if ((rc = mikey_msg_build(m, out, out_len, err)) != MIKEY_OK)
		goto fail;
	rc = vmac(ex, *out, *out_len - (size_t)tag_len, *out + *out_len - tag_len, NULL, 0, err);
	if (rc != MIKEY_OK)
		goto fail;
	mikey_msg_free(m);
	return MIKEY_OK;

fail:
	if (*out != NULL) {
		mikey_buf_free(*out, *out_len);
		*out = NULL;
	}
	mikey_msg_free(m);
	return rc == MIKEY_ERR_NOMEM ? mikey_fail(err, rc, "out of memory") : rc;
}

int vmsg_check(mikey_exchange *ex, const mikey_msg *m, const uint8_t *raw, size_t len, uint8_t dt,
               mikey_error *err)
{
	if (m->hdr.data_type != dt)
		return mikey_fail(err, MIKEY_ERR_DATA_TYPE, "expected a verification message (data type %u), got %u", dt,
		               m->hdr.data_type);
	const mikey_payload *t = mikey_msg_find(m, MIKEY_PT_T, 0);
	if (t == NULL || t->u.ts.ts_type != ex->ts_type || t->u.ts.value != ex->t)
		return mikey_fail(err, MIKEY_ERR_TIMESTAMP, "the response does not echo our timestamp (RFC 3830 §5.2)");
	const mikey_payload *v = m->payloads.last;
	if (v == NULL || v->type != MIKEY_PT_V)
		return mikey_fail(err, MIKEY_ERR_PLACEMENT, "a verification message ends with V (RFC 3830 §3.1)");
	if (v->u.v.auth_alg != ex->mac_alg)
		return mikey_fail(err, MIKEY_ERR_MAC_ALG, "V uses Auth alg %u, we offered %u", v->u.v.auth_alg, ex->mac_alg);
	const mikey_payload *idr = mikey_msg_find(m, MIKEY_PT_ID, 0);
	if (idr != NULL) {
		uint8_t *copy;
		size_t copy_len;
		if (mikey_copy_bytes(&copy, &copy_len, idr->u.id.data.data, idr->u.id.data.len) != MIKEY_OK)
			return mikey_fail(err, MIKEY_ERR_NOMEM, "out of memory");
		if (ex->id_r != NULL) {
			mikey_wipe(ex->id_r, ex->id_r_len);
			mikey_free(ex->id_r);
		}
		ex->id_r = copy;
		ex->id_r_len = copy_len;
		ex->id_r_type = idr->u.id.type;
	}
	size_t tag_len = v->u.v.ver_data.len;
	/* V is the last payload, so its Ver data ends the message. */
	return vmac(ex, raw, len - tag_len, NULL, raw + len - tag_len, tag_len, err);
}
