/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* keys_out.c - see keys_out.h. */
#include "keys_out.h"

#include <stdlib.h>

#include "json.h"

static void policy_json(json_writer *w, const mikey_srtp_policy *p)
{
	json_begin_object(w);
	json_kv_uint(w, "encr_alg", p->encr_alg);
	json_kv_uint(w, "encr_key_len", p->encr_key_len);
	json_kv_uint(w, "auth_alg", p->auth_alg);
	json_kv_uint(w, "auth_key_len", p->auth_key_len);
	json_kv_uint(w, "salt_key_len", p->salt_key_len);
	json_kv_uint(w, "prf", p->prf);
	json_kv_uint(w, "kdr", p->kdr);
	json_kv_bool(w, "srtp_encr", p->srtp_encr);
	json_kv_bool(w, "srtcp_encr", p->srtcp_encr);
	json_kv_uint(w, "fec_order", p->fec_order);
	json_kv_bool(w, "srtp_auth", p->srtp_auth);
	json_kv_uint(w, "auth_tag_len", p->auth_tag_len);
	json_kv_uint(w, "prefix_len", p->prefix_len);
	json_kv_uint(w, "aead_tag_len", p->aead_tag_len);
	json_kv_uint(w, "roc_tx_rate", p->roc_tx_rate);
	json_kv_uint(w, "quirks", p->quirks);
	json_end_object(w);
}

/* RFC 4442 §4.2 parameters as received, with the commitment (§4.4). */
static void tesla_json(json_writer *w, const mikey_tesla_params *t)
{
	json_begin_object(w);
	json_kv_uint(w, "prf", t->prf);
	json_kv_uint(w, "n_p", t->n_p);
	json_kv_uint(w, "n_f", t->n_f);
	json_kv_uint(w, "mac", t->mac);
	json_kv_uint(w, "n_m", t->n_m);
	json_kv_uint(w, "t_0", t->t_0);
	json_kv_uint(w, "t_int_ms", t->t_int);
	json_kv_uint(w, "d", t->d);
	json_kv_uint(w, "n_c", t->n_c);
	json_kv_uint(w, "commit_index", t->commit_index);
	json_kv_hex(w, "commitment", t->commitment, t->n_p / 8u);
	json_end_object(w);
}

static void hex_line(FILE *f, const char *label, const uint8_t *p, size_t n)
{
	fprintf(f, "  %-12s ", label);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fprintf(f, "%s\n", n == 0 ? "(none)" : "");
}

static const char *or_number(const char *name, unsigned v, char *buf, size_t cap)
{
	if (name != NULL)
		return name;
	snprintf(buf, cap, "%u", v);
	return buf;
}

static void policy_text(FILE *f, const mikey_srtp_policy *p)
{
	char a[16], b[16];
	fprintf(f, "  %-12s %s %u-byte key, %s %u-byte key, %u-byte salt, tag %u", "SRTP policy",
	        or_number(mikey_srtp_encr_name(p->encr_alg), p->encr_alg, a, sizeof(a)), p->encr_key_len,
	        or_number(mikey_srtp_auth_name(p->auth_alg), p->auth_alg, b, sizeof(b)), p->auth_key_len,
	        p->salt_key_len, p->auth_tag_len);
	if (p->aead_tag_len != 0 && p->encr_alg == MIKEY_SRTP_ENCR_AES_GCM)
		fprintf(f, ", AEAD tag %u", p->aead_tag_len);
	fprintf(f, ", KDR %llu, SRTP encr %s, SRTCP encr %s, SRTP auth %s", (unsigned long long)p->kdr,
	        p->srtp_encr ? "on" : "off", p->srtcp_encr ? "on" : "off", p->srtp_auth ? "on" : "off");
	if (mikey_srtp_policy_is_rcc(p)) {
		/* RFC 4771: what SRTP and SRTCP each run (types 14-19 over 2, 3, 11). */
		mikey_srtp_integrity rtp, rtcp;
		(void)mikey_srtp_policy_integrity(p, false, &rtp);
		(void)mikey_srtp_policy_integrity(p, true, &rtcp);
		fprintf(f, "; SRTP %s R %u tag %u (ROC included), SRTCP %s tag %u",
		        or_number(mikey_srtp_auth_name(rtp.alg), rtp.alg, a, sizeof(a)), rtp.rate, rtp.tag_len,
		        or_number(mikey_srtp_auth_name(rtcp.alg), rtcp.alg, b, sizeof(b)), rtcp.tag_len);
	}
	fputc('\n', f);
}

int keys_print(FILE *f, const mikey_exchange *ex, bool json, mikey_error *err)
{
	size_t n = mikey_exchange_cs_count(ex), nk = mikey_exchange_key_count(ex);
	bool multi = nk > 1;
	if (nk == 0)
		nk = 1; /* modes that transport no key: the sessions once */
	if (n > 255 || nk > 255)
		return MIKEY_ERR_ARG; /* #CS and Key data sub-payloads are bounded by the format */
	size_t total = n * nk;
	mikey_crypto_session *cs = calloc(total ? total : 1, sizeof(*cs));
	int rc = MIKEY_OK;
	size_t got = 0;

	if (cs == NULL)
		return MIKEY_ERR_NOMEM;
	/* Take every session under every key out first: nothing is printed
	 * unless all are good. Order: key 0's sessions, then key 1's, ... */
	for (; got < total; got++)
		if ((rc = mikey_exchange_get_cs_key(ex, got % n, got / n, &cs[got], err)) != MIKEY_OK)
			goto out;
	/* Issue: tolerate GStreamer's SP slip, but say so (docs/interpretations.md). */
	for (size_t i = 0; i < n; i++) {
		if (cs[i].policy.quirks & MIKEY_SRTP_QUIRK_TAG_IN_AUTH_KEY_LEN)
			fprintf(stderr,
			        "mikey-tool: warning: crypto session %u: SP parameter 3 (Session Auth. key length) held the "
			        "authentication tag length (%u bytes), as GStreamer writes it; read as the tag length, with a "
			        "20-byte HMAC-SHA-1 key (RFC 3830 Table 6.10.1.a puts the tag length in parameter 11)\n",
			        cs[i].cs_id, cs[i].policy.auth_tag_len);
	}
	if (json) {
		json_writer w;
		json_init(&w, f, false);
		json_begin_object(&w);
		json_key(&w, "crypto_sessions");
		json_begin_array(&w);
		for (size_t i = 0; i < total; i++) {
			json_begin_object(&w);
			json_kv_uint(&w, "cs_id", cs[i].cs_id);
			json_kv_uint(&w, "ssrc", cs[i].ssrc);
			json_kv_uint(&w, "roc", cs[i].roc);
			if (multi)
				json_kv_uint(&w, "key_index", cs[i].key_index);
			json_kv_hex(&w, "master_key", cs[i].master_key, cs[i].master_key_len);
			json_kv_hex(&w, "master_salt", cs[i].master_salt, cs[i].master_salt_len);
			json_key(&w, "mki");
			if (cs[i].mki_len > 0)
				json_hex(&w, cs[i].mki, cs[i].mki_len);
			else
				json_null(&w);
			if (cs[i].has_interval) {
				json_key(&w, "interval");
				json_begin_object(&w);
				json_kv_uint(&w, "valid_from", cs[i].valid_from);
				json_kv_uint(&w, "valid_to", cs[i].valid_to);
				json_end_object(&w);
			}
			if (cs[i].has_tesla) {
				json_key(&w, "tesla");
				tesla_json(&w, &cs[i].tesla);
			}
			json_key(&w, "srtp_policy");
			policy_json(&w, &cs[i].policy);
			json_end_object(&w);
		}
		json_end_array(&w);
		json_end_object(&w);
		json_finish(&w);
	} else {
		for (size_t i = 0; i < total; i++) {
			fprintf(f, "Crypto session %u: SSRC 0x%08x (%u), ROC %u, policy %u", cs[i].cs_id, cs[i].ssrc,
			        cs[i].ssrc, cs[i].roc, cs[i].policy_no);
			if (multi)
				fprintf(f, ", key %u", cs[i].key_index);
			fprintf(f, "\n");
			hex_line(f, "master key", cs[i].master_key, cs[i].master_key_len);
			hex_line(f, "master salt", cs[i].master_salt, cs[i].master_salt_len);
			hex_line(f, "MKI", cs[i].mki, cs[i].mki_len);
			if (cs[i].has_interval)
				fprintf(f, "  %-12s SRTP index %llu to %llu\n", "valid", (unsigned long long)cs[i].valid_from,
				        (unsigned long long)cs[i].valid_to);
			policy_text(f, &cs[i].policy);
			if (cs[i].has_tesla) {
				const mikey_tesla_params *t = &cs[i].tesla;
				fprintf(f, "  TESLA (RFC 4442): T_0 0x%016llx, interval %u ms, disclosure delay %u, "
				           "chain length %u, MAC %u bits, key %u bits\n",
				        (unsigned long long)t->t_0, t->t_int, t->d, t->n_c, t->n_m, t->n_p);
				hex_line(f, "TESLA commitment", t->commitment, t->n_p / 8u);
			}
		}
	}
out:
	for (size_t i = 0; i < got; i++)
		mikey_crypto_session_cleanup(&cs[i]);
	free(cs);
	return rc;
}
