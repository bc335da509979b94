/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * print_text.c - a parsed MIKEY message for people: every field with its
 * RFC name, its value and what the value means (registry names, NTP times
 * as UTC dates, SP parameters decoded, flags spelled out). It shows at
 * least what tshark -V shows for MIKEY, and the fields tshark skips.
 */
#include <stdarg.h>
#include <string.h>

#include "ntp.h"
#include "print.h"

typedef struct out {
	FILE *f;
	int indent;
} out;

static void line(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line(out *o, const char *fmt, ...)
{
	va_list ap;

	for (int i = 0; i < o->indent; i++)
		fputs("    ", o->f);
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
	fputc('\n', o->f);
}

/* named prints "Label: Name (value)", or "unknown" for unregistered values. */
static void named(out *o, const char *label, unsigned value, const char *name)
{
	line(o, "%s: %s (%u)", label, name != NULL ? name : "unknown", value);
}

/* hexdump prints "Label (n bytes): 0011..." wrapped at 32 bytes a line. */
static void hexdump(out *o, const char *label, const uint8_t *p, size_t n)
{
	const size_t per_line = 32;

	if (n == 0) {
		line(o, "%s (0 bytes): (empty)", label);
		return;
	}
	for (int i = 0; i < o->indent; i++)
		fputs("    ", o->f);
	fprintf(o->f, "%s (%zu bytes):%s", label, n, n > per_line ? "\n" : " ");
	for (size_t i = 0; i < n; i++) {
		if (n > per_line && i % per_line == 0) {
			for (int k = 0; k <= o->indent; k++)
				fputs("    ", o->f);
		}
		fprintf(o->f, "%02x", (unsigned)p[i]);
		if (n > per_line && (i % per_line == per_line - 1) && i + 1 < n)
			fputc('\n', o->f);
	}
	fputc('\n', o->f);
}

static void bytes_field(out *o, const char *label, mikey_bytes b)
{
	hexdump(o, label, b.data, b.len);
}

static void next_payload(out *o, const mikey_payload *p)
{
	/* The next-payload field is not stored: it is the type of the next
	 * payload in the list, or Last payload (RFC 3830 §6.1). */
	unsigned next = p->next != NULL ? p->next->type : MIKEY_PT_LAST;
	named(o, "Next payload", next, mikey_payload_type_name((uint8_t)next));
}

static void ntp64_line(out *o, const char *label, uint64_t v)
{
	char date[64];

	if (ntp64_to_iso(v, date, sizeof(date)))
		line(o, "%s: %s (NTP 0x%016llx)", label, date, (unsigned long long)v);
	else
		line(o, "%s: 0x%016llx (not a representable date)", label, (unsigned long long)v);
}

static void kv_lines(out *o, const mikey_kv *kv)
{
	named(o, "KV (key validity type)", kv->type, mikey_kv_type_name(kv->type));
	o->indent++;
	if (kv->type == MIKEY_KV_SPI) {
		/* RFC 3830 §6.14: SPI Length, SPI (an MKI for SRTP) */
		line(o, "SPI length: %zu", kv->spi.len);
		bytes_field(o, "SPI/MKI", kv->spi);
	} else if (kv->type == MIKEY_KV_INTERVAL) {
		/* RFC 3830 §6.14: VF/VT; for SRTP 6-byte packet indexes */
		line(o, "VF length: %zu", kv->valid_from.len);
		bytes_field(o, "Valid From", kv->valid_from);
		if (kv->valid_from.len > 0 && kv->valid_from.len <= 8)
			line(o, "Valid From as integer: %llu", be_uint(kv->valid_from.data, kv->valid_from.len));
		line(o, "VT length: %zu", kv->valid_to.len);
		bytes_field(o, "Valid To (expires)", kv->valid_to);
		if (kv->valid_to.len > 0 && kv->valid_to.len <= 8)
			line(o, "Valid To as integer: %llu", be_uint(kv->valid_to.data, kv->valid_to.len));
	} else if (kv->type == MIKEY_KV_NULL) {
		line(o, "(no KV data: the key has no specific lifetime)");
	}
	o->indent--;
}

static void hdr_lines(out *o, const mikey_msg *msg)
{
	const mikey_hdr *h = &msg->hdr;
	unsigned next = msg->payloads.first != NULL ? msg->payloads.first->type : MIKEY_PT_LAST;

	line(o, "Common Header (HDR), offset 0, length %zu", msg->hdr_length);
	o->indent++;
	line(o, "Version: %u%s", h->version, h->version == MIKEY_VERSION_1 ? " (RFC 3830)" : "");
	named(o, "Data type", h->data_type, mikey_data_type_name(h->data_type));
	named(o, "Next payload", next, mikey_payload_type_name((uint8_t)next));
	line(o, "V: %d (%s)", h->v ? 1 : 0, h->v ? "response expected" : "no response expected");
	named(o, "PRF func", h->prf_func, mikey_prf_name(h->prf_func));
	line(o, "CSB ID: 0x%08x (%u)", (unsigned)h->csb_id, (unsigned)h->csb_id);
	line(o, "#CS: %u", h->n_cs);
	named(o, "CS ID map type", h->map_type, mikey_map_type_name(h->map_type));
	if (h->map_type == MIKEY_MAP_SRTP_ID && h->srtp_cs != NULL) {
		/* RFC 3830 §6.1.1: the i-th entry is crypto session i */
		for (unsigned i = 0; i < h->n_cs; i++) {
			const mikey_srtp_cs *cs = &h->srtp_cs[i];
			line(o, "CS #%u (SRTP-ID): Policy no %u, SSRC 0x%08x (%u), ROC %u", i + 1, cs->policy_no,
			     (unsigned)cs->ssrc, (unsigned)cs->ssrc, (unsigned)cs->roc);
		}
	} else if (h->map_type == MIKEY_MAP_GENERIC_ID && h->generic_cs != NULL) {
		for (unsigned i = 0; i < h->n_cs; i++) {
			const mikey_generic_cs *g = &h->generic_cs[i];
			/* RFC 6043 §6.1.1 */
			line(o, "CS block #%u (GENERIC-ID):", i + 1);
			o->indent++;
			line(o, "CS ID: %u", g->cs_id);
			named(o, "Prot type", g->prot_type, mikey_prot_type_name(g->prot_type));
			line(o, "S flag: %d%s", g->s_flag ? 1 : 0,
			     g->prot_type == MIKEY_PROT_SRTP ? (g->s_flag ? " (ROC and SEQ present)" : " (ROC and SEQ omitted)")
			                                     : "");
			line(o, "#P: %u", g->n_policies);
			for (unsigned j = 0; g->policies != NULL && j < g->n_policies; j++)
				line(o, "Policy_no_%u: %u", j + 1, g->policies[j]);
			line(o, "Session data length: %zu", g->session_data.len);
			bytes_field(o, "Session data", g->session_data);
			const uint8_t *sd = g->session_data.data;
			if (g->prot_type == MIKEY_PROT_SRTP && g->session_data.len >= 4) {
				o->indent++;
				line(o, "SSRC: 0x%08llx", be_uint(sd, 4));
				if (g->session_data.len >= 10) {
					line(o, "ROC: %llu", be_uint(sd + 4, 4));
					line(o, "SEQ: %llu", be_uint(sd + 8, 2));
				}
				o->indent--;
			}
			line(o, "SPI length: %zu", g->spi.len);
			bytes_field(o, "SPI", g->spi);
			o->indent--;
		}
	} else if (h->map_type == MIKEY_MAP_EMPTY) {
		line(o, "CS ID map info: none (policy conveyed outside MIKEY, RFC 4563 §5)");
	}
	o->indent--;
}

/* sp_param_value formats the decoded value of one SP parameter into |buf|:
 * registry names for algorithm choices, units for lengths, dates for the
 * TESLA NTP-UTC times (RFC 3830 §6.10.1, RFC 4442 §4.2). */
static void sp_param_value(char *buf, size_t cap, uint8_t prot, const mikey_sp_param *p)
{
	int has_registry;
	const char *vname = sp_value_name(prot, p, &has_registry);
	unsigned long long v = p->len <= 8 ? be_uint(p->value, p->len) : 0;
	char date[64];

	if (p->len > 8 || p->len == 0) {
		snprintf(buf, cap, "%u bytes (see below)", p->len);
		return;
	}
	if (has_registry) {
		snprintf(buf, cap, "%s (%llu)", vname != NULL ? vname : "unknown", v);
	} else if (prot == MIKEY_PROT_SRTP) {
		switch (p->type) {
		case MIKEY_SRTP_ENCR_KEY_LEN:
		case MIKEY_SRTP_AUTH_KEY_LEN:
		case MIKEY_SRTP_SALT_KEY_LEN:
		case MIKEY_SRTP_SRTP_AUTH_KEY_LEN: /* RFC 4771 §4 Table 3 */
		case MIKEY_SRTP_SRTCP_AUTH_KEY_LEN:
			snprintf(buf, cap, "%llu bytes (%llu bits)", v, v * 8);
			break;
		case MIKEY_SRTP_KEY_DERIV_RATE:
			/* RFC 3711 §4.3.1: 0 means session keys are derived once */
			snprintf(buf, cap, "%llu%s", v, v == 0 ? " (derive session keys once)" : "");
			break;
		case MIKEY_SRTP_SRTP_ENCR:
		case MIKEY_SRTP_SRTCP_ENCR:
		case MIKEY_SRTP_SRTP_AUTH:
			snprintf(buf, cap, "%s (%llu)", v == 0 ? "off" : v == 1 ? "on" : "invalid", v);
			break;
		case MIKEY_SRTP_AUTH_TAG_LEN:
		case MIKEY_SRTP_PREFIX_LEN:
		case MIKEY_SRTP_SRTP_AUTH_TAG_LEN: /* RFC 4771 §4 Table 3 */
		case MIKEY_SRTP_SRTCP_AUTH_TAG_LEN:
		case MIKEY_SRTP_AEAD_TAG_LEN: /* RFC 7714 §14.3 */
			snprintf(buf, cap, "%llu bytes", v);
			break;
		case MIKEY_SRTP_ROC_TX_RATE: /* RFC 4771 §4 Table 2 */
			snprintf(buf, cap, "%llu (the ROC travels in every %llu-th packet)", v, v);
			break;
		default:
			snprintf(buf, cap, "%llu", v);
			break;
		}
	} else if (prot == MIKEY_PROT_TESLA) {
		switch (p->type) {
		case MIKEY_TESLA_PRF_OUT_LEN:
		case MIKEY_TESLA_MAC_LEN:
			snprintf(buf, cap, "%llu bits", v);
			break;
		case MIKEY_TESLA_START:
		case MIKEY_TESLA_RECEIVER_TS:
			/* "SHALL be transported in NTP-UTC format" (RFC 4442 §4.2) */
			if (p->len == 8 && ntp64_to_iso(v, date, sizeof(date)))
				snprintf(buf, cap, "%s (NTP-UTC 0x%016llx)", date, v);
			else if (p->len == 4 && ntp32_to_iso((uint32_t)v, date, sizeof(date)))
				snprintf(buf, cap, "%s (NTP-UTC seconds 0x%08llx)", date, v);
			else
				snprintf(buf, cap, "%llu (not an NTP-UTC time of 4 or 8 bytes)", v);
			break;
		case MIKEY_TESLA_INTERVAL:
			snprintf(buf, cap, "%llu ms", v);
			break;
		case MIKEY_TESLA_DELAY:
		case MIKEY_TESLA_CHAIN_LEN:
			snprintf(buf, cap, "%llu intervals", v);
			break;
		default:
			snprintf(buf, cap, "%llu", v);
			break;
		}
	} else {
		snprintf(buf, cap, "%llu", v);
	}
}

static void payload_lines(out *o, const mikey_payload *p, unsigned index, const char *what);

static void list_lines(out *o, const mikey_payload_list *list, const char *what)
{
	unsigned i = 1;

	for (const mikey_payload *p = list->first; p != NULL; p = p->next)
		payload_lines(o, p, i++, what);
}

static void payload_lines(out *o, const mikey_payload *p, unsigned index, const char *what)
{
	const char *short_name = mikey_payload_type_name(p->type);

	const char *title = payload_title(p->type);

	if (short_name != NULL && strcmp(title, short_name) != 0)
		line(o, "%s %u: %s (%s), type %u, offset %zu, length %zu", what, index, title, short_name, p->type,
		     p->offset, p->length);
	else
		line(o, "%s %u: %s, type %u, offset %zu, length %zu", what, index, title, p->type, p->offset,
		     p->length);
	o->indent++;
	if (p->type != MIKEY_PT_SIGN) /* RFC 3830 §6.5: SIGN has no next payload */
		next_payload(o, p);

	switch (p->type) {
	case MIKEY_PT_KEMAC: {
		const mikey_kemac *k = &p->u.kemac;
		named(o, "Encr alg", k->encr_alg, mikey_encr_alg_name(k->encr_alg));
		if (k->encr_alg == MIKEY_ENCR_NULL) {
			size_t n = 0;
			for (const mikey_payload *s = k->sub.first; s != NULL; s = s->next)
				n += s->length;
			line(o, "Encr data len: %zu (NULL encryption: sub-payloads in clear)", n);
		} else {
			line(o, "Encr data len: %zu", k->encr_data.len);
			bytes_field(o, "Encr data", k->encr_data);
			if (k->sub.first == NULL)
				line(o, "(encrypted: the Key data sub-payloads need the key to read)");
		}
		list_lines(o, &k->sub, "Sub-payload");
		named(o, "MAC alg", k->mac_alg, mikey_mac_alg_name(k->mac_alg));
		bytes_field(o, "MAC", k->mac);
		if (k->mac.len > 0)
			line(o, "(MAC not verified: decode has no key)");
		break;
	}
	case MIKEY_PT_PKE:
		named(o, "C (envelope key cache)", p->u.pke.cache, mikey_pke_cache_name(p->u.pke.cache));
		line(o, "Data len: %zu", p->u.pke.data.len);
		bytes_field(o, "Data (encrypted envelope key)", p->u.pke.data);
		break;
	case MIKEY_PT_DH:
		named(o, "DH-Group", p->u.dh.group, mikey_dh_group_name(p->u.dh.group));
		bytes_field(o, "DH-value", p->u.dh.value);
		line(o, "Reserved: %u", p->u.dh.reserved);
		kv_lines(o, &p->u.dh.kv);
		break;
	case MIKEY_PT_SIGN:
		named(o, "S type", p->u.sign.s_type, mikey_sign_type_name(p->u.sign.s_type));
		line(o, "Signature len: %zu", p->u.sign.sig.len);
		bytes_field(o, "Signature", p->u.sign.sig);
		line(o, "(signature not verified: decode has no certificate)");
		break;
	case MIKEY_PT_TR:
		named(o, "TS role", p->u.ts.role, mikey_ts_role_name(p->u.ts.role));
		/* fall through */
	case MIKEY_PT_T: {
		const mikey_ts *ts = &p->u.ts;
		char date[64];
		named(o, "TS type", ts->ts_type, mikey_ts_type_name(ts->ts_type));
		if (ts->ts_type == MIKEY_TS_NTP_UTC || ts->ts_type == MIKEY_TS_NTP)
			ntp64_line(o, "TS value", ts->value);
		else if (ts->ts_type == MIKEY_TS_NTP_UTC_32 && ntp32_to_iso((uint32_t)ts->value, date, sizeof(date)))
			line(o, "TS value: %s (NTP seconds 0x%08x)", date, (unsigned)ts->value);
		else if (ts->ts_type == MIKEY_TS_COUNTER)
			line(o, "TS value: counter %u (0x%08x)", (unsigned)ts->value, (unsigned)ts->value);
		else
			line(o, "TS value: 0x%llx", (unsigned long long)ts->value);
		break;
	}
	case MIKEY_PT_IDR:
		named(o, "ID role", p->u.id.role, mikey_id_role_name(p->u.id.role));
		/* fall through */
	case MIKEY_PT_ID:
	case MIKEY_PT_CERT: {
		const mikey_id *id = &p->u.id;
		if (p->type == MIKEY_PT_CERT)
			named(o, "Cert type", id->type, mikey_cert_type_name(id->type));
		else
			named(o, "ID type", id->type, mikey_id_type_name(id->type));
		line(o, "%s len: %zu", p->type == MIKEY_PT_CERT ? "Cert" : "ID", id->data.len);
		if (is_printable(id->data.data, id->data.len))
			line(o, "%s: %.*s", p->type == MIKEY_PT_CERT ? "Certificate" : "ID", (int)id->data.len,
			     (const char *)id->data.data);
		bytes_field(o, p->type == MIKEY_PT_CERT ? "Certificate data" : "ID data", id->data);
		break;
	}
	case MIKEY_PT_CHASH:
		named(o, "Hash func", p->u.chash.hash_func, mikey_hash_func_name(p->u.chash.hash_func));
		bytes_field(o, "Hash", p->u.chash.hash);
		break;
	case MIKEY_PT_V:
		named(o, "Auth alg", p->u.v.auth_alg, mikey_mac_alg_name(p->u.v.auth_alg));
		bytes_field(o, "Ver data", p->u.v.ver_data);
		break;
	case MIKEY_PT_SP: {
		const mikey_sp *sp = &p->u.sp;
		size_t plen = 0;
		for (size_t i = 0; i < sp->n_params; i++)
			plen += 2 + (size_t)sp->params[i].len;
		line(o, "Policy no: %u", sp->policy_no);
		named(o, "Prot type", sp->prot_type, mikey_prot_type_name(sp->prot_type));
		line(o, "Policy param length: %zu", plen);
		for (size_t i = 0; i < sp->n_params; i++) {
			const mikey_sp_param *pp = &sp->params[i];
			const char *pname = mikey_sp_param_name(sp->prot_type, pp->type);
			char value[160];
			sp_param_value(value, sizeof(value), sp->prot_type, pp);
			line(o, "%s: %s", pname != NULL ? pname : "Unknown parameter", value);
			o->indent++;
			line(o, "Type %u, length %u", pp->type, pp->len);
			hexdump(o, "Value", pp->value, pp->len);
			o->indent--;
		}
		break;
	}
	case MIKEY_PT_RANDR:
		named(o, "RAND role", p->u.rand.role, mikey_rand_role_name(p->u.rand.role));
		/* fall through */
	case MIKEY_PT_RAND:
		line(o, "RAND len: %zu", p->u.rand.rand.len);
		bytes_field(o, "RAND", p->u.rand.rand);
		break;
	case MIKEY_PT_ERR: {
		const char *desc = mikey_err_no_description(p->u.err.err_no);
		named(o, "Error no", p->u.err.err_no, mikey_err_no_name(p->u.err.err_no));
		if (desc != NULL)
			line(o, "Meaning: %s", desc);
		line(o, "Reserved: 0x%04x", p->u.err.reserved);
		break;
	}
	case MIKEY_PT_KEY_DATA: {
		const mikey_key_data *kd = &p->u.key_data;
		named(o, "Type", kd->key_type, mikey_key_type_name(kd->key_type));
		line(o, "Key data len: %zu", kd->key.len);
		bytes_field(o, "Key data", kd->key);
		/* RFC 3830 §6.13, RFC 6043 Table 6.7: salt only with a +SALT type */
		if (kd->key_type == MIKEY_KEY_TGK_SALT || kd->key_type == MIKEY_KEY_TEK_SALT ||
		    kd->key_type == MIKEY_KEY_GTGK_SALT) {
			line(o, "Salt len: %zu", kd->salt.len);
			bytes_field(o, "Salt data", kd->salt);
		}
		kv_lines(o, &kd->kv);
		break;
	}
	case MIKEY_PT_GEN_EXT: {
		const mikey_gen_ext *g = &p->u.gen_ext;
		named(o, "Type", g->ext_type, mikey_gen_ext_type_name(g->ext_type));
		if (g->ext_type == MIKEY_GEN_KEY_ID) {
			/* RFC 4563 §4 */
			size_t n = 0;
			for (size_t i = 0; i < g->n_key_ids; i++)
				n += 2 + g->key_ids[i].id.len;
			line(o, "Length: %zu", n);
			for (size_t i = 0; i < g->n_key_ids; i++) {
				const mikey_key_id *k = &g->key_ids[i];
				line(o, "Key ID sub-payload %zu:", i + 1);
				o->indent++;
				named(o, "Key ID type", k->type, mikey_key_id_type_name(k->type));
				line(o, "Key ID length: %zu", k->id.len);
				bytes_field(o, "Key ID", k->id);
				if (k->id.len > 0 && k->id.len <= 8)
					line(o, "Key ID as integer: %llu", be_uint(k->id.data, k->id.len));
				o->indent--;
			}
		} else {
			line(o, "Length: %zu", g->data.len);
			if (g->ext_type == MIKEY_GEN_SDP_IDS && is_printable(g->data.data, g->data.len))
				line(o, "SDP IDs: %.*s", (int)g->data.len, (const char *)g->data.data);
			if (g->ext_type == MIKEY_GEN_CSB_ID && g->data.len == 4)
				line(o, "Responder's CSB ID: 0x%08llx", be_uint(g->data.data, 4));
			bytes_field(o, "Data", g->data);
		}
		break;
	}
	case MIKEY_PT_TP:
	case MIKEY_PT_TICKET: {
		/* RFC 6043 §6.10 */
		static const char letters[] = "DEFGHIJKLMNO";
		static const char *const meaning[] = {
			"ticket generated by the KMS", "Ticket Resolve mandatory", "TRANSFER_RESP shall be sent",
			"Responder generates RANDRr", "RANDRi used for key derivation", "key forking",
			"ticket may be reused", "KMS changed the desired policy or KEMAC",
			"Initiator may supply session keys", "Responder may supply session keys",
			"Initiator can initiate TRANSFER_INIT", "Responder can process TRANSFER_INIT",
		};
		const mikey_ticket *t = &p->u.ticket;
		named(o, "Ticket type", t->ticket_type, mikey_ticket_type_name(t->ticket_type));
		line(o, "Subtype: %u", t->subtype);
		line(o, "Version: %u", t->version);
		named(o, "PRF func", t->prf_func, mikey_prf_name(t->prf_func));
		line(o, "Flags: 0x%03x", t->flags);
		o->indent++;
		for (int i = 0; i < 12; i++) {
			int set = (t->flags >> (11 - i)) & 1;
			line(o, "%c = %d (%s%s)", letters[i], set, set ? "" : "not: ", meaning[i]);
		}
		o->indent--;
		line(o, "Reserved: %u", t->reserved);
		line(o, "TP data length: %zu", t->tp_data.len);
		bytes_field(o, "TP data", t->tp_data);
		if (p->type == MIKEY_PT_TICKET) {
			line(o, "Ticket data length: %zu", t->ticket_data.len);
			bytes_field(o, "Ticket data", t->ticket_data);
			line(o, "Initiator data length: %zu", t->initiator_data.len);
			bytes_field(o, "Initiator data", t->initiator_data);
		}
		break;
	}
	case MIKEY_PT_SAKKE:
		/* RFC 6509 §4.2 */
		named(o, "SAKKE params", p->u.sakke.params, mikey_sakke_params_name(p->u.sakke.params));
		named(o, "ID scheme", p->u.sakke.id_scheme, mikey_sakke_id_scheme_name(p->u.sakke.id_scheme));
		line(o, "SAKKE data length: %zu", p->u.sakke.data.len);
		bytes_field(o, "SAKKE data", p->u.sakke.data);
		break;
	default:
		break;
	}
	o->indent--;
}

void print_text(FILE *f, const mikey_msg *msg, const print_input *in)
{
	out o = {f, 0};

	line(&o, "MIKEY message from %s: %zu bytes (%s), %zu payloads after the header", in->source, in->length,
	     mikey_text_format_name(in->format), msg->payloads.count);
	hdr_lines(&o, msg);
	list_lines(&o, &msg->payloads, "Payload");
}

void print_text_error(FILE *f, const mikey_error *err, const print_input *in)
{
	const char *pname = NULL;

	if (err->payload_type == MIKEY_PT_HDR)
		pname = "HDR";
	else if (err->payload_type >= 0 && err->payload_type <= 255)
		pname = mikey_payload_type_name((uint8_t)err->payload_type);
	fprintf(f, "mikey-tool: %s: %s (%s): %s\n", in->source, mikey_error_name(err->code),
	        mikey_strerror(err->code), err->message[0] != '\0' ? err->message : "-");
	if (err->payload_index >= 0)
		fprintf(f, "mikey-tool: at payload #%d (%s, type %d), offset %zu\n", err->payload_index,
		        pname != NULL ? pname : "unknown", err->payload_type, err->offset);
	else
		fprintf(f, "mikey-tool: at input offset %zu\n", err->offset);
}
