/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtp_session.c - per-SSRC, multi-key SRTP sessions on libsrtp2; see
 * mikey/srtp_session.h and docs/srtp-sessions.md.
 *
 * One libsrtp2 srtp_t per SSRC, found through an open-addressing hash
 * table keyed by SSRC: libsrtp2 2.5 finds a stream inside an srtp_t by
 * walking a list, which bench/srtp_session measures at more than the 1.2x
 * we allow for 1,000 streams.
 *
 * Rekeying (a key added or retired) rebuilds the stream in libsrtp2 with
 * srtp_update_stream, which keeps the RTP index (ROC and s_l) and the
 * SRTCP replay database but starts the RTP replay bitmap afresh: so the
 * session keeps its own RTP replay window (RFC 3711 §3.3.2), checked
 * before libsrtp2's, which survives rebuilds.
 */
#include "mikey/srtp_session.h"

#include <limits.h>
#include <string.h>

#include "base/ssrc_table.h"
#include "mikey/mem.h"
#include "mikey/srtp_libsrtp.h"
#include "srtp/rcc.h"
#include "srtp/srtp_index.h"
#include "srtp/srtp_lib.h"

#define RTP_HDR_LEN 12  /* RFC 3550 §5.1 fixed header */
#define RTCP_HDR_LEN 8  /* RFC 3550 §6.4.1: V/P/RC, PT, length, SSRC */
#define SRTCP_IDX_LEN 4 /* RFC 3711 §3.4: E || SRTCP index */
#define WINDOW_DEFAULT 128 /* libsrtp2's default (window_size 0) */
#define KEY_MAX (32 + 14)  /* master key || master salt */

typedef struct skey {
	uint8_t mki[SRTP_MAX_MKI_LEN];
	/* Our copy of master key || salt: libsrtp2 needs every live key again
	 * whenever the stream is rebuilt. Wiped when the key is retired. */
	uint8_t key[KEY_MAX];
	/* RFC 4771 streams: the SRTP session auth key derived from it (RFC
	 * 3711 §4.3.1 label 0x01), for our RCC tags. Wiped with the key. */
	uint8_t rcc_auth[MIKEY_RCC_AUTH_KEY_LEN];
	uint64_t used[2]; /* packets, [0] SRTP, [1] SRTCP */
	bool soft[2];     /* soft-limit event reported */
	bool hard[2];     /* hard-limit event reported */
} skey;

typedef struct stream {
	mikey_srtp_sink sink; /* sink.srtp: this SSRC's libsrtp2 session */
	mikey_srtp_sess *owner;
	uint32_t ssrc;
	uint32_t roc0; /* initial ROC (RFC 3830 §6.1.1) */
	srtp_crypto_policy_t rtp, rtcp;
	mikey_srtp_policy mpol;
	size_t key_len, salt_len, mki_len, rtp_tag, rtcp_tag;
	/* RFC 4771: libsrtp2 runs SRTP with NULL auth, srtp/rcc.c tags. */
	bool is_rcc;
	mikey_rcc rcc;
	skey keys[MIKEY_SRTP_SESS_MAX_KEYS];
	size_t n_keys, cur;
	int flight_key; /* the key of the libsrtp2 call in progress */
	bool flight_rtcp;
	/* RTP replay window: highest index, and a ring of |nbits| bits. */
	bool rtp_any;
	uint64_t rtp_highest;
	size_t nbits;
	uint64_t bits[];
} stream;

struct mikey_srtp_sess {
	mikey_srtp_sess_dir dir;
	mikey_srtp_sess_config cfg;
	ssrc_table streams; /* SSRC -> stream (base/ssrc_table.h) */
};

int mikey_srtp_error_from_libsrtp(srtp_err_status_t st)
{
	switch (st) {
	case srtp_err_status_ok: return MIKEY_OK;
	case srtp_err_status_auth_fail: return MIKEY_ERR_AUTH;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
	case srtp_err_status_pkt_idx_old: return MIKEY_ERR_REPLAY;
	case srtp_err_status_no_ctx: return MIKEY_ERR_UNKNOWN_SSRC;
	case srtp_err_status_bad_mki: return MIKEY_ERR_UNKNOWN_MKI;
	case srtp_err_status_key_expired: return MIKEY_ERR_KEY_LIMIT;
	case srtp_err_status_parse_err: return MIKEY_ERR_TRUNCATED;
	case srtp_err_status_bad_param: return MIKEY_ERR_ARG;
	case srtp_err_status_alloc_fail: return MIKEY_ERR_NOMEM;
	default: return MIKEY_ERR_CRYPTO;
	}
}

void mikey_srtp_sess_config_default(mikey_srtp_sess_config *cfg)
{
	if (cfg == NULL)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->window = WINDOW_DEFAULT;
	cfg->srtp_limit = (uint64_t)1 << 48;  /* RFC 3711 §9.2 */
	cfg->srtcp_limit = (uint64_t)1 << 31; /* RFC 3711 §9.2 */
	cfg->soft_margin = (uint64_t)1 << 16; /* libsrtp2's soft limit */
}

/* ------------------------------------------------------------------ */
/* The SSRC table                                                      */

static stream *find(const mikey_srtp_sess *s, uint32_t ssrc)
{
	return ssrc_table_find(&s->streams, ssrc);
}

static void unlink_stream(mikey_srtp_sess *s, stream *st)
{
	(void)ssrc_table_remove(&s->streams, st->ssrc);
}

static void stream_free(stream *st)
{
	if (st == NULL)
		return;
	if (st->sink.srtp != NULL)
		srtp_dealloc(st->sink.srtp); /* destroys the derived session keys */
	mikey_wipe(st, sizeof(*st) + (st->nbits / 64) * sizeof(uint64_t));
	mikey_free(st);
}

/* ------------------------------------------------------------------ */
/* Session                                                             */

int mikey_srtp_sess_new(mikey_srtp_sess_dir dir, const mikey_srtp_sess_config *cfg, mikey_srtp_sess **out)
{
	mikey_srtp_sess *s;
	int rc;

	if (out == NULL)
		return MIKEY_ERR_ARG;
	*out = NULL;
	if (dir != MIKEY_SRTP_SESS_PROTECT && dir != MIKEY_SRTP_SESS_UNPROTECT)
		return MIKEY_ERR_ARG;
	if (cfg != NULL && cfg->window != 0 && (cfg->window < 64 || cfg->window > 0x7fff))
		return MIKEY_ERR_ARG;
	if ((rc = mikey_srtp_lib_init()) != MIKEY_OK)
		return rc;
	s = mikey_malloc(sizeof(*s));
	if (s == NULL)
		return MIKEY_ERR_NOMEM;
	memset(s, 0, sizeof(*s));
	s->dir = dir;
	mikey_srtp_sess_config_default(&s->cfg);
	if (cfg != NULL) {
		if (cfg->window != 0)
			s->cfg.window = cfg->window;
		if (cfg->srtp_limit != 0)
			s->cfg.srtp_limit = cfg->srtp_limit;
		if (cfg->srtcp_limit != 0)
			s->cfg.srtcp_limit = cfg->srtcp_limit;
		if (cfg->soft_margin != 0)
			s->cfg.soft_margin = cfg->soft_margin;
		s->cfg.on_event = cfg->on_event;
		s->cfg.user = cfg->user;
		s->cfg.rcc_trust_local_roc = cfg->rcc_trust_local_roc;
		s->cfg.allow_repeat_tx = cfg->allow_repeat_tx;
	}
	*out = s;
	return MIKEY_OK;
}

void mikey_srtp_sess_free(mikey_srtp_sess *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->streams.cap; i++)
		stream_free(s->streams.slots[i].item);
	ssrc_table_cleanup(&s->streams);
	mikey_wipe(s, sizeof(*s));
	mikey_free(s);
}

size_t mikey_srtp_sess_stream_count(const mikey_srtp_sess *s)
{
	return s == NULL ? 0 : s->streams.count;
}

/* ------------------------------------------------------------------ */
/* Events                                                              */

static void report(stream *st, mikey_srtp_sess_event_kind kind, int key, bool rtcp, bool from_libsrtp)
{
	mikey_srtp_sess *s = st->owner;
	mikey_srtp_sess_event ev;

	if (s->cfg.on_event == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.ssrc = st->ssrc;
	if (key >= 0 && (size_t)key < st->n_keys) {
		ev.mki = st->mki_len != 0 ? st->keys[key].mki : NULL;
		ev.mki_len = st->mki_len;
		ev.used = st->keys[key].used[rtcp];
	}
	ev.rtcp = rtcp;
	ev.from_libsrtp = from_libsrtp;
	s->cfg.on_event(s, &ev, s->cfg.user);
}

/* libsrtp2's event, via the one dispatcher (srtp/srtp_lib.c). */
static void on_libsrtp_event(mikey_srtp_sink *sink, srtp_event_t e)
{
	stream *st = (stream *)sink; /* sink is the first member */
	mikey_srtp_sess_event_kind kind;

	switch (e) {
	case event_key_soft_limit: kind = MIKEY_SRTP_EVENT_KEY_SOFT_LIMIT; break;
	case event_key_hard_limit: kind = MIKEY_SRTP_EVENT_KEY_HARD_LIMIT; break;
	case event_ssrc_collision: kind = MIKEY_SRTP_EVENT_SSRC_COLLISION; break;
	default: kind = MIKEY_SRTP_EVENT_INDEX_LIMIT; break;
	}
	report(st, kind, st->flight_key, st->flight_rtcp, true);
}

static uint64_t limit_of(const mikey_srtp_sess *s, bool rtcp)
{
	return rtcp ? s->cfg.srtcp_limit : s->cfg.srtp_limit;
}

/* RFC 3711 §9.2: refuse a key that is used up. */
static int check_limit(stream *st, size_t key, bool rtcp)
{
	return st->keys[key].used[rtcp] >= limit_of(st->owner, rtcp) ? MIKEY_ERR_KEY_LIMIT : MIKEY_OK;
}

/* Count one packet done with |key|; report the soft limit once, and the
 * hard limit once, when the last allowed packet has gone. */
static void count_use(stream *st, size_t key, bool rtcp)
{
	skey *k = &st->keys[key];
	uint64_t limit = limit_of(st->owner, rtcp), left;

	k->used[rtcp]++;
	left = limit - k->used[rtcp];
	if (!k->soft[rtcp] && left <= st->owner->cfg.soft_margin) {
		k->soft[rtcp] = true;
		report(st, MIKEY_SRTP_EVENT_KEY_SOFT_LIMIT, (int)key, rtcp, false);
	}
	if (!k->hard[rtcp] && left == 0) {
		k->hard[rtcp] = true;
		report(st, MIKEY_SRTP_EVENT_KEY_HARD_LIMIT, (int)key, rtcp, false);
	}
}

/* ------------------------------------------------------------------ */
/* libsrtp2 stream (re)building                                        */

typedef struct policy_buf {
	srtp_policy_t p;
	srtp_master_key_t mk[MIKEY_SRTP_SESS_MAX_KEYS];
	srtp_master_key_t *mkp[MIKEY_SRTP_SESS_MAX_KEYS];
} policy_buf;

/* The stream's policy with every key but |skip| (-1: all). The keys stay
 * in the stream: the policy points at them, libsrtp2 derives from them. */
static void stream_policy(const stream *st, int skip, policy_buf *pb)
{
	size_t n = 0;

	memset(pb, 0, sizeof(*pb));
	pb->p.rtp = st->rtp;
	pb->p.rtcp = st->rtcp;
	pb->p.ssrc.type = ssrc_specific;
	pb->p.ssrc.value = st->ssrc;
	pb->p.window_size = st->owner->cfg.window;
	/* A sender's repeated index is refused or let through by protect()
	 * (repeat_allowed), before libsrtp2 sees it: libsrtp2 lets it through
	 * always, so the choice can change while the stream runs. */
	pb->p.allow_repeat_tx = st->owner->dir == MIKEY_SRTP_SESS_PROTECT;
	for (size_t i = 0; i < st->n_keys; i++) {
		if ((int)i == skip)
			continue;
		if (st->mki_len == 0) {
			pb->p.key = (unsigned char *)st->keys[i].key;
			return;
		}
		pb->mk[n].key = (unsigned char *)st->keys[i].key;
		pb->mk[n].mki_id = (unsigned char *)st->keys[i].mki;
		pb->mk[n].mki_size = (unsigned int)st->mki_len;
		pb->mkp[n] = &pb->mk[n];
		n++;
	}
	pb->p.keys = pb->mkp;
	pb->p.num_master_keys = (unsigned long)n;
}

/* Rebuild the stream in libsrtp2 with every key but |skip|. libsrtp2's
 * srtp_update_stream removes the stream before it adds the new one, and
 * cannot put it back if adding fails: so first try the policy on a
 * throwaway srtp_t. Returns MIKEY_OK; or an error with the stream intact
 * (*lost false) or gone from its srtp_t (*lost true). */
static int stream_rebuild(stream *st, int skip, bool *lost)
{
	policy_buf pb;
	srtp_t probe = NULL;
	srtp_err_status_t e;
	int rc;

	*lost = false;
	stream_policy(st, skip, &pb);
	e = srtp_create(&probe, &pb.p);
	if (e != srtp_err_status_ok) {
		rc = e == srtp_err_status_alloc_fail ? MIKEY_ERR_NOMEM : MIKEY_ERR_CRYPTO;
		goto out;
	}
	srtp_dealloc(probe);
	e = srtp_update_stream(st->sink.srtp, &pb.p);
	if (e != srtp_err_status_ok) {
		*lost = true;
		rc = e == srtp_err_status_alloc_fail ? MIKEY_ERR_NOMEM : MIKEY_ERR_CRYPTO;
		goto out;
	}
	/* srtp_update_stream keeps the index but not a ROC set with
	 * srtp_set_stream_roc and not yet used by a packet. */
	if (!st->rtp_any && st->roc0 != 0 &&
	    srtp_set_stream_roc(st->sink.srtp, st->ssrc, st->roc0) != srtp_err_status_ok) {
		*lost = true;
		rc = MIKEY_ERR_CRYPTO;
		goto out;
	}
	rc = MIKEY_OK;
out:
	mikey_wipe(&pb, sizeof(pb));
	return rc;
}

/* The RCC tag key of |k| (RFC 4771 streams only). */
static int rcc_key(const stream *st, skey *k)
{
	/* libsrtp2 and RFC 3711 §4.3.3 / RFC 6188 §5.3 key their PRF with
	 * the master key: AES-CM-128, -192 or -256. */
	if (st->key_len != 16 && st->key_len != 24 && st->key_len != 32)
		return MIKEY_ERR_POLICY;
	return mikey_rcc_auth_key(k->key, st->key_len, k->key + st->key_len, k->rcc_auth) == MIKEY_OK ? MIKEY_OK
	                                                                                    : MIKEY_ERR_CRYPTO;
}

int mikey_srtp_sess_set_allow_repeat_tx(mikey_srtp_sess *s, bool allow)
{
	if (s == NULL)
		return MIKEY_ERR_ARG;
	if (s->dir != MIKEY_SRTP_SESS_PROTECT)
		return MIKEY_ERR_STATE;
	s->cfg.allow_repeat_tx = allow;
	return MIKEY_OK;
}

int mikey_srtp_sess_add_stream(mikey_srtp_sess *s, const mikey_crypto_session *cs)
{
	srtp_policy_t pol;
	mikey_srtp_key_buf kb;
	policy_buf pb;
	stream *st = NULL;
	size_t words;
	int rc;

	if (s == NULL || cs == NULL)
		return MIKEY_ERR_ARG;
	if (find(s, cs->ssrc) != NULL)
		return MIKEY_ERR_STATE;
	if ((rc = mikey_srtp_fill_policy_ex(cs, MIKEY_SRTP_SSRC_SPECIFIC, true, &pol, &kb)) != MIKEY_OK)
		return rc;
	if ((rc = ssrc_table_reserve(&s->streams)) != MIKEY_OK)
		goto out;
	words = (s->cfg.window + 63) / 64;
	rc = MIKEY_ERR_NOMEM;
	st = mikey_malloc(sizeof(*st) + words * sizeof(uint64_t));
	if (st == NULL)
		goto out;
	memset(st, 0, sizeof(*st) + words * sizeof(uint64_t));
	st->nbits = words * 64;
	st->owner = s;
	st->sink.on_event = on_libsrtp_event;
	st->ssrc = cs->ssrc;
	st->roc0 = cs->roc;
	st->rtp = pol.rtp;
	st->rtcp = pol.rtcp;
	st->mpol = cs->policy;
	st->key_len = cs->master_key_len;
	st->salt_len = cs->master_salt_len;
	st->mki_len = cs->mki_len;
	/* For AEAD the tag is the cipher's: auth_tag_len holds it too. */
	st->rtp_tag = (size_t)pol.rtp.auth_tag_len;
	st->rtcp_tag = (size_t)pol.rtcp.auth_tag_len;
	memcpy(st->keys[0].key, kb.key, st->key_len + st->salt_len);
	memcpy(st->keys[0].mki, cs->mki, cs->mki_len);
	st->n_keys = 1;
	if (mikey_srtp_policy_is_rcc(&cs->policy)) {
		st->is_rcc = true;
		if ((rc = mikey_rcc_init(&st->rcc, &cs->policy)) != MIKEY_OK ||
		    (rc = rcc_key(st, &st->keys[0])) != MIKEY_OK)
			goto out;
		st->rtp_tag = st->rcc.tag_len; /* the most a packet gets */
	}
	st->flight_key = -1;
	stream_policy(st, -1, &pb);
	rc = mikey_srtp_error_from_libsrtp(srtp_create(&st->sink.srtp, &pb.p));
	mikey_wipe(&pb, sizeof(pb));
	if (rc != MIKEY_OK) {
		st->sink.srtp = NULL;
		if (rc != MIKEY_ERR_NOMEM)
			rc = MIKEY_ERR_CRYPTO;
		goto out;
	}
	srtp_set_user_data(st->sink.srtp, st);
	/* RFC 3830 §6.1.1: the ROC of the SRTP-ID map starts the stream. */
	if (cs->roc != 0 && srtp_set_stream_roc(st->sink.srtp, cs->ssrc, cs->roc) != srtp_err_status_ok) {
		rc = MIKEY_ERR_CRYPTO;
		goto out;
	}
	ssrc_table_insert(&s->streams, st->ssrc, st);
	st = NULL;
	rc = MIKEY_OK;
out:
	stream_free(st);
	mikey_srtp_key_buf_wipe(&kb);
	mikey_wipe(&pol, sizeof(pol));
	return rc;
}

int mikey_srtp_sess_remove_stream(mikey_srtp_sess *s, uint32_t ssrc)
{
	stream *st;

	if (s == NULL)
		return MIKEY_ERR_ARG;
	if ((st = find(s, ssrc)) == NULL)
		return MIKEY_ERR_UNKNOWN_SSRC;
	unlink_stream(s, st);
	stream_free(st);
	return MIKEY_OK;
}

static int find_key(const stream *st, const uint8_t *mki, size_t mki_len)
{
	if (mki_len != st->mki_len)
		return -1;
	for (size_t i = 0; i < st->n_keys; i++)
		if (memcmp(st->keys[i].mki, mki, mki_len) == 0)
			return (int)i;
	return -1;
}

/* After a failed rebuild that lost the stream inside libsrtp2. */
static int drop_lost(mikey_srtp_sess *s, stream *st, int rc)
{
	unlink_stream(s, st);
	stream_free(st);
	return rc;
}

int mikey_srtp_sess_add_key(mikey_srtp_sess *s, const mikey_crypto_session *cs)
{
	stream *st;
	skey *k;
	bool lost;
	int rc;

	if (s == NULL || cs == NULL || cs->mki_len == 0 || cs->mki_len > SRTP_MAX_MKI_LEN)
		return MIKEY_ERR_ARG;
	if ((st = find(s, cs->ssrc)) == NULL)
		return MIKEY_ERR_UNKNOWN_SSRC;
	if (cs->mki_len != st->mki_len || find_key(st, cs->mki, cs->mki_len) >= 0)
		return MIKEY_ERR_ARG;
	if (st->n_keys >= MIKEY_SRTP_SESS_MAX_KEYS)
		return MIKEY_ERR_TOO_MANY;
	if (!mikey_srtp_policy_equal(&cs->policy, &st->mpol) || cs->master_key_len != st->key_len ||
	    cs->master_salt_len != st->salt_len)
		return MIKEY_ERR_POLICY;
	k = &st->keys[st->n_keys];
	memset(k, 0, sizeof(*k));
	memcpy(k->key, cs->master_key, st->key_len);
	memcpy(k->key + st->key_len, cs->master_salt, st->salt_len);
	memcpy(k->mki, cs->mki, cs->mki_len);
	if (st->is_rcc && (rc = rcc_key(st, k)) != MIKEY_OK) {
		mikey_wipe(k, sizeof(*k));
		return rc;
	}
	st->n_keys++;
	rc = stream_rebuild(st, -1, &lost);
	if (rc == MIKEY_OK)
		return MIKEY_OK;
	if (lost)
		return drop_lost(s, st, rc);
	st->n_keys--;
	mikey_wipe(k, sizeof(*k));
	return rc;
}

int mikey_srtp_sess_use_key(mikey_srtp_sess *s, uint32_t ssrc, const uint8_t *mki, size_t mki_len)
{
	stream *st;
	int k;

	if (s == NULL || (mki == NULL && mki_len != 0))
		return MIKEY_ERR_ARG;
	if (s->dir != MIKEY_SRTP_SESS_PROTECT)
		return MIKEY_ERR_STATE;
	if ((st = find(s, ssrc)) == NULL)
		return MIKEY_ERR_UNKNOWN_SSRC;
	if ((k = find_key(st, mki, mki_len)) < 0)
		return MIKEY_ERR_UNKNOWN_MKI;
	st->cur = (size_t)k; /* RFC 3711 §8.1: the switch is at a packet boundary */
	return MIKEY_OK;
}

int mikey_srtp_sess_retire_key(mikey_srtp_sess *s, uint32_t ssrc, const uint8_t *mki, size_t mki_len)
{
	stream *st;
	bool lost;
	int k, rc;

	if (s == NULL || (mki == NULL && mki_len != 0))
		return MIKEY_ERR_ARG;
	if ((st = find(s, ssrc)) == NULL)
		return MIKEY_ERR_UNKNOWN_SSRC;
	if ((k = find_key(st, mki, mki_len)) < 0)
		return MIKEY_ERR_UNKNOWN_MKI;
	if (st->n_keys == 1 || (s->dir == MIKEY_SRTP_SESS_PROTECT && (size_t)k == st->cur))
		return MIKEY_ERR_STATE;
	rc = stream_rebuild(st, k, &lost);
	if (rc != MIKEY_OK)
		return lost ? drop_lost(s, st, rc) : rc;
	/* libsrtp2 has destroyed the old stream (its cipher and HMAC contexts
	 * for this key are wiped and freed); now our copy. */
	mikey_wipe(&st->keys[k], sizeof(st->keys[k]));
	memmove(&st->keys[k], &st->keys[k + 1], (st->n_keys - (size_t)k - 1) * sizeof(st->keys[0]));
	st->n_keys--;
	mikey_wipe(&st->keys[st->n_keys], sizeof(st->keys[0]));
	if (st->cur > (size_t)k)
		st->cur--;
	return MIKEY_OK;
}

int mikey_srtp_sess_get_roc(const mikey_srtp_sess *s, uint32_t ssrc, uint32_t *roc)
{
	const stream *st;

	if (s == NULL || roc == NULL)
		return MIKEY_ERR_ARG;
	if ((st = find(s, ssrc)) == NULL)
		return MIKEY_ERR_UNKNOWN_SSRC;
	*roc = st->rtp_any ? (uint32_t)(st->rtp_highest >> 16) : st->roc0;
	return MIKEY_OK;
}

/* ------------------------------------------------------------------ */
/* RTP index and replay window                                          */

static uint32_t get32(const uint8_t *b)
{
	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

/* RFC 3711 §3.3.1 / Appendix A, as libsrtp2's rdbx does it; before the
 * first packet libsrtp2 takes ROC || SEQ with the ROC given. Returns false
 * for a packet from before the stream's start. */
static bool estimate_index(const stream *st, uint16_t seq, uint64_t *index)
{
	if (!st->rtp_any) {
		*index = (uint64_t)st->roc0 << 16 | seq;
		return true;
	}
	return mikey_srtp_estimate_index(st->rtp_highest, seq, index);
}

static bool bit_get(const stream *st, uint64_t i)
{
	uint64_t b = i % st->nbits;
	return (st->bits[b / 64] >> (b % 64)) & 1u;
}

static void bit_put(stream *st, uint64_t i, bool v)
{
	uint64_t b = i % st->nbits;
	if (v)
		st->bits[b / 64] |= (uint64_t)1 << (b % 64);
	else
		st->bits[b / 64] &= ~((uint64_t)1 << (b % 64));
}

/* RFC 3711 §3.3.2: seen already, or older than the window. */
static bool replayed(const stream *st, uint64_t index)
{
	if (!st->rtp_any || index > st->rtp_highest)
		return false;
	if (st->rtp_highest - index >= st->owner->cfg.window)
		return true;
	return bit_get(st, index);
}

/* A sender's repeat of an index still in the window, when the session
 * allows it (mikey_srtp_sess_config.allow_repeat_tx), as libsrtp2's
 * allow_repeat_tx would (replay_fail passes, replay_old does not). */
static bool repeat_allowed(const stream *st, uint64_t index)
{
	return st->owner->cfg.allow_repeat_tx && st->rtp_any && index <= st->rtp_highest &&
	       st->rtp_highest - index < st->owner->cfg.window;
}

static void window_add(stream *st, uint64_t index)
{
	if (!st->rtp_any || index > st->rtp_highest) {
		uint64_t from = st->rtp_any ? st->rtp_highest + 1 : index;
		if (!st->rtp_any || index - from >= st->nbits)
			memset(st->bits, 0, st->nbits / 8);
		else
			for (uint64_t i = from; i < index; i++)
				bit_put(st, i, false);
		st->rtp_highest = index;
		st->rtp_any = true;
	}
	bit_put(st, index, true);
}

/* ------------------------------------------------------------------ */
/* Packets                                                             */

/* Length of the RTP header with CSRCs and extension (RFC 3550 §5.1,
 * §5.3.1), or 0 when |len| is too short for it. */
static size_t rtp_header_len(const uint8_t *b, size_t len)
{
	size_t h = RTP_HDR_LEN + 4 * (size_t)(b[0] & 0x0f);

	if (len < h)
		return 0;
	if (b[0] & 0x10) {
		if (len < h + 4)
			return 0;
		h += 4 + 4 * (size_t)((b[h + 2] << 8) | b[h + 3]);
		if (len < h)
			return 0;
	}
	return h;
}

static int call_libsrtp(stream *st, int key, bool rtcp, bool protect, uint8_t *buf, int *ilen)
{
	mikey_srtp_sink *prev;
	srtp_err_status_t e;
	unsigned use_mki = st->mki_len != 0;

	st->flight_key = key;
	st->flight_rtcp = rtcp;
	prev = mikey_srtp_sink_enter(&st->sink);
	if (protect)
		e = rtcp ? srtp_protect_rtcp_mki(st->sink.srtp, buf, ilen, use_mki, (unsigned)key)
		         : srtp_protect_mki(st->sink.srtp, buf, ilen, use_mki, (unsigned)key);
	else
		e = rtcp ? srtp_unprotect_rtcp_mki(st->sink.srtp, buf, ilen, use_mki)
		         : srtp_unprotect_mki(st->sink.srtp, buf, ilen, use_mki);
	mikey_srtp_sink_leave(prev);
	st->flight_key = -1;
	return mikey_srtp_error_from_libsrtp(e);
}

static uint16_t rtp_seq(const uint8_t *b)
{
	return (uint16_t)(b[2] << 8 | b[3]);
}

static int protect(mikey_srtp_sess *s, bool rtcp, uint8_t *buf, size_t len, size_t cap, size_t *out_len)
{
	stream *st;
	uint64_t index = 0;
	size_t extra, rcc_tag = 0;
	int ilen, rc;

	if (s == NULL || buf == NULL || out_len == NULL || s->dir != MIKEY_SRTP_SESS_PROTECT)
		return MIKEY_ERR_ARG;
	if (len < (rtcp ? RTCP_HDR_LEN : RTP_HDR_LEN))
		return MIKEY_ERR_TRUNCATED;
	if ((buf[0] >> 6) != 2)
		return MIKEY_ERR_FORMAT;
	if (!rtcp && rtp_header_len(buf, len) == 0)
		return MIKEY_ERR_TRUNCATED;
	if ((st = find(s, get32(buf + (rtcp ? 4 : 8)))) == NULL)
		return MIKEY_ERR_UNKNOWN_SSRC;
	if (!rtcp && st->is_rcc)
		rcc_tag = mikey_rcc_trailer_len(&st->rcc, rtp_seq(buf)); /* libsrtp2 adds no tag */
	extra = st->mki_len + (rtcp ? SRTCP_IDX_LEN + st->rtcp_tag : st->is_rcc ? rcc_tag : st->rtp_tag);
	if (len > (size_t)INT_MAX - extra)
		return MIKEY_ERR_ARG; /* libsrtp2 counts in int */
	if (cap < len || cap - len < extra)
		return MIKEY_ERR_LENGTH;
	if (!rtcp) {
		if (!estimate_index(st, rtp_seq(buf), &index) || (replayed(st, index) && !repeat_allowed(st, index)))
			return MIKEY_ERR_REPLAY; /* RFC 3711 §3.3.2: never reuse an index */
	}
	if ((rc = check_limit(st, st->cur, rtcp)) != MIKEY_OK)
		return rc;
	ilen = (int)len;
	if ((rc = call_libsrtp(st, (int)st->cur, rtcp, true, buf, &ilen)) != MIKEY_OK)
		return rc;
	if (!rtcp && st->is_rcc) {
		/* RFC 4771 §2 over the Authenticated Portion (RFC 3711 §3.1:
		 * header and encrypted portion, not the MKI libsrtp2 put after
		 * it), with the ROC of the index libsrtp2 just encrypted at. */
		rc = mikey_rcc_put_tag(&st->rcc, st->keys[st->cur].rcc_auth, buf, len, rtp_seq(buf),
		                       (uint32_t)(index >> 16), buf + ilen);
		if (rc != MIKEY_OK)
			return rc; /* libsrtp2 has counted the index: it is not reused */
		ilen += (int)rcc_tag;
	}
	if (!rtcp)
		window_add(st, index);
	count_use(st, st->cur, rtcp);
	*out_len = (size_t)ilen;
	return MIKEY_OK;
}

/* RFC 4771 receiver: check the RCC tag (srtp/rcc.c), learn the ROC the
 * packet is processed with, and have libsrtp2 (NULL SRTP auth) decrypt at
 * that index. libsrtp2 2.5 lets a caller move a stream's index only
 * forward: srtp_set_stream_roc sets a "pending ROC" used for the next
 * packet's index, and the stream jumps there when that is more than 2^15
 * ahead (srtp.c srtp_estimate_index, pkt_idx_adv); an index far behind is
 * pkt_idx_old, and srtp_rdbx_set_roc refuses to go back. Our replay check
 * (RFC 3711 §3.3.2) refuses every index that would need that: a ROC from
 * the packet moves the local ROC forward any distance, and back only
 * within the replay window (docs/interpretations.md). */
static int unprotect_rcc(stream *st, uint8_t *buf, size_t len, size_t hdr, size_t *out_len)
{
	uint16_t seq = rtp_seq(buf);
	size_t tl = mikey_rcc_trailer_len(&st->rcc, seq), covered;
	uint64_t est = 0, index;
	uint32_t roc;
	bool est_ok, from_packet, steer;
	int key = 0, ilen, rc;

	if (len - hdr < st->mki_len + tl)
		return MIKEY_ERR_TRUNCATED;
	covered = len - tl - st->mki_len;
	if (st->mki_len != 0 && (key = find_key(st, buf + covered, st->mki_len)) < 0)
		return MIKEY_ERR_UNKNOWN_MKI;
	est_ok = estimate_index(st, seq, &est);
	rc = mikey_rcc_check_tag(&st->rcc, st->keys[key].rcc_auth, buf, covered, seq, buf + len - tl,
	                         (uint32_t)(est >> 16), st->owner->cfg.rcc_trust_local_roc, &roc, &from_packet);
	if (rc != MIKEY_OK)
		return rc; /* nothing has changed: the local ROC stays */
	if (!est_ok && !from_packet)
		return MIKEY_ERR_REPLAY;
	index = (uint64_t)roc << 16 | seq;
	if (replayed(st, index))
		return MIKEY_ERR_REPLAY;
	if ((rc = check_limit(st, (size_t)key, false)) != MIKEY_OK)
		return rc;
	/* libsrtp2's own estimate is ours (est); only a different index
	 * needs the pending ROC, cleared again right after the call so a
	 * stale one never steers a later packet. */
	steer = !est_ok || index != est;
	if (steer && srtp_set_stream_roc(st->sink.srtp, st->ssrc, roc) != srtp_err_status_ok)
		return MIKEY_ERR_CRYPTO;
	ilen = (int)(covered + st->mki_len);
	rc = call_libsrtp(st, key, false, false, buf, &ilen);
	if (steer && srtp_set_stream_roc(st->sink.srtp, st->ssrc, rc == MIKEY_OK || st->rtp_any ? 0 : st->roc0) !=
	                 srtp_err_status_ok)
		rc = MIKEY_ERR_CRYPTO;
	if (rc != MIKEY_OK)
		return rc;
	window_add(st, index);
	count_use(st, (size_t)key, false);
	*out_len = (size_t)ilen;
	return MIKEY_OK;
}

static int unprotect(mikey_srtp_sess *s, bool rtcp, uint8_t *buf, size_t len, size_t *out_len)
{
	stream *st;
	uint64_t index = 0;
	size_t trailer, hdr;
	int key = 0, ilen, rc;

	if (s == NULL || buf == NULL || out_len == NULL || s->dir != MIKEY_SRTP_SESS_UNPROTECT)
		return MIKEY_ERR_ARG;
	if (len < (rtcp ? RTCP_HDR_LEN : RTP_HDR_LEN))
		return MIKEY_ERR_TRUNCATED;
	if ((buf[0] >> 6) != 2)
		return MIKEY_ERR_FORMAT;
	if ((st = find(s, get32(buf + (rtcp ? 4 : 8)))) == NULL)
		return MIKEY_ERR_UNKNOWN_SSRC;
	if (len > INT_MAX)
		return MIKEY_ERR_ARG;
	hdr = rtcp ? RTCP_HDR_LEN : rtp_header_len(buf, len);
	if (hdr == 0)
		return MIKEY_ERR_TRUNCATED;
	if (!rtcp && st->is_rcc)
		return unprotect_rcc(st, buf, len, hdr, out_len);
	trailer = st->mki_len + (rtcp ? SRTCP_IDX_LEN + st->rtcp_tag : st->rtp_tag);
	if (len - hdr < trailer)
		return MIKEY_ERR_TRUNCATED;
	if (st->mki_len != 0) {
		/* RFC 3711 §3.1 / §3.4: the MKI sits right before the tag; with
		 * AEAD (RFC 7714 §9.1, §17) the tag is part of the ciphertext and
		 * the MKI comes last. */
		size_t tag = st->mpol.encr_alg == MIKEY_SRTP_ENCR_AES_GCM ? 0 : (rtcp ? st->rtcp_tag : st->rtp_tag);
		key = find_key(st, buf + len - tag - st->mki_len, st->mki_len);
		if (key < 0)
			return MIKEY_ERR_UNKNOWN_MKI;
	}
	if (!rtcp) {
		if (!estimate_index(st, rtp_seq(buf), &index) || replayed(st, index))
			return MIKEY_ERR_REPLAY;
	}
	if ((rc = check_limit(st, (size_t)key, rtcp)) != MIKEY_OK)
		return rc;
	ilen = (int)len;
	if ((rc = call_libsrtp(st, key, rtcp, false, buf, &ilen)) != MIKEY_OK)
		return rc;
	if (!rtcp)
		window_add(st, index);
	count_use(st, (size_t)key, rtcp);
	*out_len = (size_t)ilen;
	return MIKEY_OK;
}

int mikey_srtp_sess_protect_rtp(mikey_srtp_sess *s, uint8_t *buf, size_t len, size_t cap, size_t *out_len)
{
	return protect(s, false, buf, len, cap, out_len);
}

int mikey_srtp_sess_protect_rtcp(mikey_srtp_sess *s, uint8_t *buf, size_t len, size_t cap, size_t *out_len)
{
	return protect(s, true, buf, len, cap, out_len);
}

int mikey_srtp_sess_unprotect_rtp(mikey_srtp_sess *s, uint8_t *buf, size_t len, size_t *out_len)
{
	return unprotect(s, false, buf, len, out_len);
}

int mikey_srtp_sess_unprotect_rtcp(mikey_srtp_sess *s, uint8_t *buf, size_t len, size_t *out_len)
{
	return unprotect(s, true, buf, len, out_len);
}
