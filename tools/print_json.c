/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * print_json.c - a parsed MIKEY message as JSON, field for field as
 * docs/decode-json.md specifies: C field names, byte strings as lowercase
 * hex, every registry value X followed by X_name (null when unregistered),
 * every payload with type, type_name, offset and length.
 */
#include "json.h"
#include "ntp.h"
#include "print.h"

#define HEX(w, key, b) json_kv_hex((w), (key), (b).data, (b).len)

static void kv_object(json_writer *w, const char *key, const mikey_kv *kv)
{
	json_key(w, key);
	json_begin_object(w);
	json_kv_uint(w, "type", kv->type);
	json_kv_string(w, "type_name", mikey_kv_type_name(kv->type));
	if (kv->type == MIKEY_KV_SPI) {
		HEX(w, "spi", kv->spi);
	} else if (kv->type == MIKEY_KV_INTERVAL) {
		HEX(w, "valid_from", kv->valid_from);
		HEX(w, "valid_to", kv->valid_to);
	}
	json_end_object(w);
}

static void hdr_object(json_writer *w, const mikey_msg *msg)
{
	const mikey_hdr *h = &msg->hdr;

	json_key(w, "hdr");
	json_begin_object(w);
	json_kv_uint(w, "version", h->version);
	json_kv_named(w, "data_type", h->data_type, mikey_data_type_name(h->data_type));
	json_kv_bool(w, "v", h->v);
	json_kv_named(w, "prf_func", h->prf_func, mikey_prf_name(h->prf_func));
	json_kv_uint(w, "csb_id", h->csb_id);
	json_kv_uint(w, "n_cs", h->n_cs);
	json_kv_named(w, "map_type", h->map_type, mikey_map_type_name(h->map_type));
	if (h->map_type == MIKEY_MAP_SRTP_ID && h->srtp_cs != NULL) {
		json_key(w, "srtp_cs");
		json_begin_array(w);
		for (unsigned i = 0; i < h->n_cs; i++) {
			json_begin_object(w);
			json_kv_uint(w, "policy_no", h->srtp_cs[i].policy_no);
			json_kv_uint(w, "ssrc", h->srtp_cs[i].ssrc);
			json_kv_uint(w, "roc", h->srtp_cs[i].roc);
			json_end_object(w);
		}
		json_end_array(w);
	} else if (h->map_type == MIKEY_MAP_SRTP_ID) {
		json_key(w, "srtp_cs");
		json_begin_array(w);
		json_end_array(w);
	} else if (h->map_type == MIKEY_MAP_GENERIC_ID) {
		json_key(w, "generic_cs");
		json_begin_array(w);
		for (unsigned i = 0; h->generic_cs != NULL && i < h->n_cs; i++) {
			const mikey_generic_cs *g = &h->generic_cs[i];
			json_begin_object(w);
			json_kv_uint(w, "cs_id", g->cs_id);
			json_kv_named(w, "prot_type", g->prot_type, mikey_prot_type_name(g->prot_type));
			json_kv_bool(w, "s_flag", g->s_flag);
			json_kv_uint(w, "n_policies", g->n_policies);
			json_key(w, "policies");
			json_begin_array(w);
			for (unsigned j = 0; g->policies != NULL && j < g->n_policies; j++)
				json_uint(w, g->policies[j]);
			json_end_array(w);
			HEX(w, "session_data", g->session_data);
			HEX(w, "spi", g->spi);
			json_end_object(w);
		}
		json_end_array(w);
	}
	json_kv_uint(w, "offset", 0);
	json_kv_uint(w, "length", msg->hdr_length);
	json_end_object(w);
}

static void ts_fields(json_writer *w, const mikey_ts *ts)
{
	char date[64];
	bool have_date = false;

	json_kv_named(w, "ts_type", ts->ts_type, mikey_ts_type_name(ts->ts_type));
	json_kv_uint(w, "value", ts->value);
	/* RFC 3830 Table 6.6, RFC 6043 Table 6.8: NTP-UTC and NTP are 64-bit
	 * NTP timestamps, NTP-UTC-32 is whole seconds; COUNTER is no time. */
	if (ts->ts_type == MIKEY_TS_NTP_UTC || ts->ts_type == MIKEY_TS_NTP)
		have_date = ntp64_to_iso(ts->value, date, sizeof(date));
	else if (ts->ts_type == MIKEY_TS_NTP_UTC_32)
		have_date = ntp32_to_iso((uint32_t)ts->value, date, sizeof(date));
	if (have_date)
		json_kv_string(w, "time", date);
}

static void payload_list(json_writer *w, const char *key, const mikey_payload_list *list);

static void sp_fields(json_writer *w, const mikey_sp *sp)
{
	json_kv_uint(w, "policy_no", sp->policy_no);
	json_kv_named(w, "prot_type", sp->prot_type, mikey_prot_type_name(sp->prot_type));
	json_key(w, "params");
	json_begin_array(w);
	for (size_t i = 0; i < sp->n_params; i++) {
		const mikey_sp_param *p = &sp->params[i];
		int has_registry;
		const char *vname = sp_value_name(sp->prot_type, p, &has_registry);

		json_begin_object(w);
		json_kv_uint(w, "type", p->type);
		json_kv_string(w, "type_name", mikey_sp_param_name(sp->prot_type, p->type));
		json_kv_uint(w, "len", p->len);
		json_kv_hex(w, "value", p->value, p->len);
		if (p->len <= 8)
			json_kv_uint(w, "int", be_uint(p->value, p->len));
		if (has_registry)
			json_kv_string(w, "value_name", vname);
		json_end_object(w);
	}
	json_end_array(w);
}

static void payload_object(json_writer *w, const mikey_payload *p)
{
	const char *s;

	json_begin_object(w);
	json_kv_uint(w, "type", p->type);
	json_kv_string(w, "type_name", mikey_payload_type_name(p->type));
	json_kv_uint(w, "offset", p->offset);
	json_kv_uint(w, "length", p->length);

	switch (p->type) {
	case MIKEY_PT_KEMAC: {
		const mikey_kemac *k = &p->u.kemac;
		json_kv_named(w, "encr_alg", k->encr_alg, mikey_encr_alg_name(k->encr_alg));
		HEX(w, "encr_data", k->encr_data);
		payload_list(w, "sub", &k->sub);
		json_kv_named(w, "mac_alg", k->mac_alg, mikey_mac_alg_name(k->mac_alg));
		HEX(w, "mac", k->mac);
		break;
	}
	case MIKEY_PT_PKE:
		json_kv_named(w, "cache", p->u.pke.cache, mikey_pke_cache_name(p->u.pke.cache));
		HEX(w, "data", p->u.pke.data);
		break;
	case MIKEY_PT_DH:
		json_kv_named(w, "group", p->u.dh.group, mikey_dh_group_name(p->u.dh.group));
		HEX(w, "value", p->u.dh.value);
		json_kv_uint(w, "reserved", p->u.dh.reserved);
		kv_object(w, "kv", &p->u.dh.kv);
		break;
	case MIKEY_PT_SIGN:
		json_kv_named(w, "s_type", p->u.sign.s_type, mikey_sign_type_name(p->u.sign.s_type));
		HEX(w, "sig", p->u.sign.sig);
		break;
	case MIKEY_PT_T:
		ts_fields(w, &p->u.ts);
		break;
	case MIKEY_PT_TR:
		json_kv_named(w, "role", p->u.ts.role, mikey_ts_role_name(p->u.ts.role));
		ts_fields(w, &p->u.ts);
		break;
	case MIKEY_PT_ID:
	case MIKEY_PT_IDR:
	case MIKEY_PT_CERT: {
		const mikey_id *id = &p->u.id;
		if (p->type == MIKEY_PT_IDR)
			json_kv_named(w, "role", id->role, mikey_id_role_name(id->role));
		if (p->type == MIKEY_PT_CERT)
			json_kv_named(w, "cert_type", id->type, mikey_cert_type_name(id->type));
		else
			json_kv_named(w, "id_type", id->type, mikey_id_type_name(id->type));
		HEX(w, "data", id->data);
		if (is_printable(id->data.data, id->data.len)) {
			json_key(w, "text");
			json_string_n(w, id->data.data, id->data.len);
		}
		break;
	}
	case MIKEY_PT_CHASH:
		json_kv_named(w, "hash_func", p->u.chash.hash_func, mikey_hash_func_name(p->u.chash.hash_func));
		HEX(w, "hash", p->u.chash.hash);
		break;
	case MIKEY_PT_V:
		/* RFC 3830 §6.9: Auth alg takes the KEMAC MAC alg values */
		json_kv_named(w, "auth_alg", p->u.v.auth_alg, mikey_mac_alg_name(p->u.v.auth_alg));
		HEX(w, "ver_data", p->u.v.ver_data);
		break;
	case MIKEY_PT_SP:
		sp_fields(w, &p->u.sp);
		break;
	case MIKEY_PT_RANDR:
		json_kv_named(w, "role", p->u.rand.role, mikey_rand_role_name(p->u.rand.role));
		/* fall through */
	case MIKEY_PT_RAND:
		HEX(w, "rand", p->u.rand.rand);
		break;
	case MIKEY_PT_ERR:
		json_kv_named(w, "err_no", p->u.err.err_no, mikey_err_no_name(p->u.err.err_no));
		json_kv_uint(w, "reserved", p->u.err.reserved);
		break;
	case MIKEY_PT_KEY_DATA: {
		const mikey_key_data *kd = &p->u.key_data;
		json_kv_named(w, "key_type", kd->key_type, mikey_key_type_name(kd->key_type));
		HEX(w, "key", kd->key);
		HEX(w, "salt", kd->salt);
		kv_object(w, "kv", &kd->kv);
		break;
	}
	case MIKEY_PT_GEN_EXT: {
		const mikey_gen_ext *g = &p->u.gen_ext;
		json_kv_named(w, "ext_type", g->ext_type, mikey_gen_ext_type_name(g->ext_type));
		HEX(w, "data", g->data);
		if (g->ext_type == MIKEY_GEN_KEY_ID) {
			json_key(w, "key_ids");
			json_begin_array(w);
			for (size_t i = 0; i < g->n_key_ids; i++) {
				json_begin_object(w);
				json_kv_uint(w, "type", g->key_ids[i].type);
				json_kv_string(w, "type_name", mikey_key_id_type_name(g->key_ids[i].type));
				HEX(w, "id", g->key_ids[i].id);
				json_end_object(w);
			}
			json_end_array(w);
		}
		break;
	}
	case MIKEY_PT_TP:
	case MIKEY_PT_TICKET: {
		const mikey_ticket *t = &p->u.ticket;
		json_kv_named(w, "ticket_type", t->ticket_type, mikey_ticket_type_name(t->ticket_type));
		json_kv_uint(w, "subtype", t->subtype);
		json_kv_uint(w, "version", t->version);
		json_kv_named(w, "prf_func", t->prf_func, mikey_prf_name(t->prf_func));
		json_kv_uint(w, "flags", t->flags);
		json_kv_uint(w, "reserved", t->reserved);
		HEX(w, "tp_data", t->tp_data);
		if (p->type == MIKEY_PT_TICKET) {
			HEX(w, "ticket_data", t->ticket_data);
			HEX(w, "initiator_data", t->initiator_data);
		}
		break;
	}
	case MIKEY_PT_SAKKE:
		s = mikey_sakke_params_name(p->u.sakke.params);
		json_kv_named(w, "params", p->u.sakke.params, s);
		json_kv_named(w, "id_scheme", p->u.sakke.id_scheme, mikey_sakke_id_scheme_name(p->u.sakke.id_scheme));
		HEX(w, "data", p->u.sakke.data);
		break;
	default:
		break;
	}
	json_end_object(w);
}

static void payload_list(json_writer *w, const char *key, const mikey_payload_list *list)
{
	json_key(w, key);
	json_begin_array(w);
	for (const mikey_payload *p = list->first; p != NULL; p = p->next)
		payload_object(w, p);
	json_end_array(w);
}

void print_json(FILE *f, const mikey_msg *msg, const print_input *in)
{
	json_writer w;

	json_init(&w, f, true);
	json_begin_object(&w);
	json_kv_uint(&w, "length", in->length);
	hdr_object(&w, msg);
	payload_list(&w, "payloads", &msg->payloads);
	json_end_object(&w);
	json_finish(&w);
}

void print_json_error(FILE *f, const mikey_error *err)
{
	json_writer w;

	json_init(&w, f, true);
	json_begin_object(&w);
	json_key(&w, "error");
	json_begin_object(&w);
	json_kv_string(&w, "code", mikey_error_name(err->code));
	json_kv_string(&w, "message", err->message[0] != '\0' ? err->message : mikey_strerror(err->code));
	json_kv_int(&w, "payload_index", err->payload_index);
	json_kv_int(&w, "payload_type", err->payload_type);
	json_kv_uint(&w, "offset", err->offset);
	json_end_object(&w);
	json_end_object(&w);
	json_finish(&w);
}
