/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * receiver.c - TESLA authentication at the receiver (RFC 4082 §3.5, the
 * DoS precautions of §3.7, RFC 4383 §4.4.2).
 *
 * State: the last verified chain key K_v (initially the bootstrapped
 * commitment), a list of safe packets waiting for their key (arrival
 * order), a queue of verified packets waiting for the caller, and one
 * replay window per direction fed only by TESLA verification.
 *
 * Buffer policy: limits on packet count and bytes are fixed at creation;
 * a packet that does not fit is dropped on arrival (tail drop). Admitted
 * packets are never evicted: each resolves (accepted or forged) as soon as
 * any later key of the chain is verified, so honest packets already
 * buffered are not displaced by a flood. See docs/tesla.md.
 */
#include <string.h>

#include "crypto/crypto.h"
#include "mikey/mem.h"
#include "tesla/tesla_internal.h"

struct entry {
	struct entry *next;
	uint64_t index;
	size_t len;          /* stored bytes: packet without the extension */
	size_t mac_cover;    /* bytes of data covered by the TESLA MAC */
	size_t cost;         /* what the entry counts against max_bytes */
	uint32_t roc;
	uint32_t interval;
	bool rtcp;
	uint8_t mac[MIKEY_TESLA_MAX_MAC_LEN];
	uint8_t data[];
};

struct list {
	struct entry *head, *tail;
};

struct replay {
	uint64_t top;   /* highest verified index */
	bool any;       /* top is valid */
	uint32_t nbits;
	uint64_t *bits; /* ring: bit (index % nbits) */
};

struct mikey_tesla_receiver {
	mikey_tesla_params p;
	mikey_tesla_receiver_config cfg;
	size_t key_len, mac_len;
	uint32_t v;                          /* index of K_v */
	uint8_t k_v[MIKEY_TESLA_MAX_KEY_LEN]; /* last verified key */
	uint8_t *walk;                       /* (max_gap + 1) keys: K_v .. K_w */
	struct list pending;
	struct list ready;
	struct replay rp_rtp, rp_rtcp;
	mikey_tesla_counters ctr;
};

static void list_push(struct list *l, struct entry *e)
{
	e->next = NULL;
	if (l->tail != NULL)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
}

/* Keeps |l| ordered by interval; equal intervals stay in arrival order. */
static void list_insert_sorted(struct list *l, struct entry *e)
{
	struct entry **pp;

	if (l->tail == NULL || l->tail->interval <= e->interval) {
		list_push(l, e);
		return;
	}
	for (pp = &l->head; (*pp)->interval <= e->interval; pp = &(*pp)->next)
		;
	e->next = *pp;
	*pp = e;
}

static void entry_free(mikey_tesla_receiver *r, struct entry *e)
{
	r->ctr.held_packets--;
	r->ctr.held_bytes -= e->cost;
	mikey_wipe(e, e->cost);
	mikey_free(e);
}

static void list_free(mikey_tesla_receiver *r, struct list *l)
{
	struct entry *e, *n;

	for (e = l->head; e != NULL; e = n) {
		n = e->next;
		entry_free(r, e);
	}
	l->head = l->tail = NULL;
}

/* ---- replay list (RFC 3711 §3.3.2 sliding window, fed by TESLA) ---- */

static bool replay_seen(const struct replay *w, uint64_t index)
{
	if (!w->any || index > w->top)
		return false;
	if (w->top - index >= w->nbits)
		return true; /* older than the window: treated as replayed */
	return (w->bits[(index % w->nbits) / 64] >> (index % 64)) & 1u;
}

static void replay_add(struct replay *w, uint64_t index)
{
	uint64_t k;

	if (!w->any) {
		memset(w->bits, 0, w->nbits / 8);
		w->top = index;
		w->any = true;
	} else if (index > w->top) {
		if (index - w->top >= w->nbits) {
			memset(w->bits, 0, w->nbits / 8);
		} else {
			for (k = w->top + 1; k <= index; k++)
				w->bits[(k % w->nbits) / 64] &= ~((uint64_t)1 << (k % 64));
		}
		w->top = index;
	}
	w->bits[(index % w->nbits) / 64] |= (uint64_t)1 << (index % 64);
}

/* ---- creation ---- */

void mikey_tesla_receiver_config_default(mikey_tesla_receiver_config *cfg)
{
	if (cfg == NULL)
		return;
	cfg->max_packets = 256;
	cfg->max_bytes = 256 * 1024;
	cfg->max_gap = 64;
	cfg->replay_window = 1024;
}

int mikey_tesla_receiver_new(const mikey_tesla_params *p, const mikey_tesla_receiver_config *cfg,
                             mikey_tesla_receiver **out)
{
	mikey_tesla_receiver *r;
	mikey_tesla_receiver_config c;
	int rc;

	if (p == NULL || out == NULL)
		return MIKEY_ERR_ARG;
	*out = NULL;
	rc = mikey_tesla_params_check(p);
	if (rc != MIKEY_OK)
		return rc;
	if (cfg != NULL)
		c = *cfg;
	else
		mikey_tesla_receiver_config_default(&c);
	/* Every buffer below is sized by |c| alone, never by n_c, which a
	 * peer chooses (RFC 4442 §4.2): see the bound in mikey/tesla.h. */
	if (c.max_packets == 0 || c.max_bytes == 0 || c.max_gap == 0 || c.max_gap > MIKEY_TESLA_MAX_GAP_LIMIT ||
	    c.replay_window == 0 || c.replay_window > (UINT32_MAX - 63))
		return MIKEY_ERR_ARG;
	if (c.max_gap > p->n_c)
		c.max_gap = p->n_c; /* no walk is ever longer than the chain */
	c.replay_window = (c.replay_window + 63) / 64 * 64;

	r = mikey_malloc(sizeof(*r));
	if (r == NULL)
		return MIKEY_ERR_NOMEM;
	memset(r, 0, sizeof(*r));
	r->p = *p;
	r->cfg = c;
	r->key_len = p->n_p / 8u;
	r->mac_len = p->n_m / 8u;
	r->v = p->commit_index;
	memcpy(r->k_v, p->commitment, r->key_len);
	r->ctr.verified_index = r->v;
	rc = MIKEY_ERR_NOMEM;
	r->walk = mikey_malloc(((size_t)c.max_gap + 1) * r->key_len);
	if (r->walk == NULL)
		goto fail;
	r->rp_rtp.nbits = r->rp_rtcp.nbits = c.replay_window;
	r->rp_rtp.bits = mikey_malloc(c.replay_window / 8);
	if (r->rp_rtp.bits == NULL)
		goto fail;
	r->rp_rtcp.bits = mikey_malloc(c.replay_window / 8);
	if (r->rp_rtcp.bits == NULL)
		goto fail;
	*out = r;
	return MIKEY_OK;
fail:
	mikey_tesla_receiver_free(r);
	return rc;
}

void mikey_tesla_receiver_free(mikey_tesla_receiver *r)
{
	if (r == NULL)
		return;
	list_free(r, &r->pending);
	list_free(r, &r->ready);
	mikey_free(r->rp_rtcp.bits);
	mikey_free(r->rp_rtp.bits);
	if (r->walk != NULL)
		mikey_wipe(r->walk, ((size_t)r->cfg.max_gap + 1) * r->key_len);
	mikey_free(r->walk);
	mikey_wipe(r, sizeof(*r));
	mikey_free(r);
}

/* ---- verification ---- */

/* verify_upto verifies every pending packet of intervals v+1 .. w with the
 * keys in r->walk (walk[k] = K_{v+k}), in interval order (RFC 4082 §3.5
 * step 4 and its last paragraph: lost disclosures are recomputed). */
static int verify_upto(mikey_tesla_receiver *r, uint32_t w)
{
	struct list todo = {NULL, NULL}, keep = {NULL, NULL};
	uint8_t mac_key[MIKEY_TESLA_MAX_KEY_LEN], mac[MIKEY_TESLA_MAX_MAC_LEN];
	mikey_hmac_key hk = {NULL, MIKEY_MD_SHA1}; /* keyed once per interval */
	int64_t have = -1;
	struct entry *e, *n;
	int rc = MIKEY_OK;

	for (e = r->pending.head; e != NULL; e = n) {
		n = e->next;
		if (e->interval <= w)
			list_insert_sorted(&todo, e);
		else
			list_push(&keep, e);
	}
	r->pending = keep;

	for (e = todo.head; e != NULL; e = n) {
		n = e->next;
		if (rc == MIKEY_OK && (int64_t)e->interval != have) {
			/* K'_i = F'(K_i) (RFC 4383 §6). */
			mikey_hmac_key_cleanup(&hk);
			rc = mikey_tesla_f_prime(&r->p, r->walk + (size_t)(e->interval - r->v) * r->key_len, mac_key);
			if (rc == MIKEY_OK)
				rc = tesla_mac_key(&r->p, mac_key, &hk);
			have = e->interval;
		}
		if (rc == MIKEY_OK)
			rc = tesla_mac(&r->p, &hk, !e->rtcp, e->roc, e->data, e->mac_cover, mac);
		if (rc != MIKEY_OK) {
			entry_free(r, e); /* crypto failure: cannot judge, drop */
			continue;
		}
		if (!mikey_crypto_memeq(mac, e->mac, r->mac_len)) {
			r->ctr.forged++;
			entry_free(r, e);
			continue;
		}
		/* RFC 4383 §4.4.2: the replay list holds TESLA-verified indices. */
		struct replay *w_rp = e->rtcp ? &r->rp_rtcp : &r->rp_rtp;
		if (replay_seen(w_rp, e->index)) {
			r->ctr.duplicate++;
			entry_free(r, e);
			continue;
		}
		replay_add(w_rp, e->index);
		r->ctr.accepted++;
		list_push(&r->ready, e);
	}
	mikey_hmac_key_cleanup(&hk);
	mikey_wipe(mac_key, sizeof(mac_key));
	return rc;
}

/* new_key runs RFC 4082 §3.5 steps 2-3 for the key K_w disclosed in a
 * packet: known index -> nothing to do; else walk F from K_w down to K_v.
 * Sets *verdict when the packet must be dropped. */
static int new_key(mikey_tesla_receiver *r, int64_t w, const uint8_t *key, mikey_tesla_verdict *verdict, bool *drop)
{
	uint32_t gap, k;
	int rc;

	*drop = false;
	if (w <= (int64_t)r->v)
		return MIKEY_OK; /* step 2: not new */
	/* RFC 4082 §3.7 reasonable misordering test: i - d - v <= g, so a
	 * packet costs at most max_gap F calls. */
	if ((uint64_t)(w - r->v) > r->cfg.max_gap) {
		r->ctr.too_far++;
		*verdict = MIKEY_TESLA_TOO_FAR;
		*drop = true;
		return MIKEY_OK;
	}
	gap = (uint32_t)(w - r->v);
	/* Step 3: K_v = F^{w-v}(K_w), keeping the keys in between. */
	memcpy(r->walk + (size_t)gap * r->key_len, key, r->key_len);
	for (k = gap; k > 0; k--) {
		rc = mikey_tesla_f(&r->p, r->walk + (size_t)k * r->key_len, r->walk + (size_t)(k - 1) * r->key_len);
		if (rc != MIKEY_OK)
			return rc;
	}
	if (!mikey_crypto_memeq(r->walk, r->k_v, r->key_len)) {
		r->ctr.bad_key++;
		*verdict = MIKEY_TESLA_BAD_KEY;
		*drop = true;
		return MIKEY_OK;
	}
	rc = verify_upto(r, (uint32_t)w);
	memcpy(r->k_v, key, r->key_len);
	r->v = (uint32_t)w;
	r->ctr.verified_index = r->v;
	return rc;
}

static bool pending_duplicate(const mikey_tesla_receiver *r, const struct entry *cand)
{
	const struct entry *e;

	for (e = r->pending.head; e != NULL; e = e->next) {
		if (e->index == cand->index && e->rtcp == cand->rtcp && e->interval == cand->interval &&
		    e->len == cand->len && e->roc == cand->roc && mikey_crypto_memeq(e->mac, cand->mac, r->mac_len) &&
		    memcmp(e->data, cand->data, e->len) == 0)
			return true;
	}
	return false;
}

static int input(mikey_tesla_receiver *r, const uint8_t *pkt, size_t len, bool rtcp, uint32_t roc, uint64_t index,
                 uint64_t now, mikey_tesla_verdict *verdict)
{
	mikey_tesla_ext ext;
	struct entry *e = NULL;
	size_t stored, cost;
	int64_t x, i, w;
	bool drop;
	int rc;

	if (r == NULL || pkt == NULL || verdict == NULL)
		return MIKEY_ERR_ARG;
	rc = mikey_tesla_ext_parse(&r->p, pkt, len, rtcp, &ext);
	if (rc != MIKEY_OK) {
		r->ctr.malformed++;
		return rc;
	}
	i = ext.i;

	/* RFC 4383 §4.4.2: replay check first, against TESLA-verified indices. */
	if (replay_seen(rtcp ? &r->rp_rtcp : &r->rp_rtp, index)) {
		r->ctr.duplicate++;
		*verdict = MIKEY_TESLA_DUPLICATE;
		return MIKEY_OK;
	}

	/* RFC 4082 §3.5 step 1, safe packet test: x = highest interval the
	 * sender can be in; safe iff x < i + d. A genuine packet also has
	 * i <= x (the sender was in interval i before the packet arrived), so
	 * i > x can only be forged or mean the D_t bound is wrong. */
	x = tesla_upper_interval(&r->p, now);
	if (i > x || i > (int64_t)r->p.n_c) {
		r->ctr.future++;
		*verdict = MIKEY_TESLA_FUTURE;
		return MIKEY_OK;
	}
	if (x >= i + (int64_t)r->p.d) {
		r->ctr.unsafe++;
		*verdict = MIKEY_TESLA_UNSAFE;
		return MIKEY_OK;
	}
	/* Its key is already known (disclosed and verified): anyone could
	 * have made this MAC. */
	if (i <= (int64_t)r->v) {
		r->ctr.late++;
		*verdict = MIKEY_TESLA_LATE;
		return MIKEY_OK;
	}

	/* Steps 2-4 for the disclosed key K_{i-d}. */
	w = i - (int64_t)r->p.d;
	rc = new_key(r, w, ext.key, verdict, &drop);
	if (rc != MIKEY_OK || drop)
		return rc;

	/* Step 1, second half: buffer (i, M, MAC) until K_i is known. The
	 * stored bytes are the packet without the extension (§4.4.2). */
	stored = ext.ext_offset;
	cost = sizeof(*e) + stored;
	if (r->ctr.held_packets >= r->cfg.max_packets || cost > r->cfg.max_bytes ||
	    r->ctr.held_bytes > r->cfg.max_bytes - cost) {
		r->ctr.overflow++;
		*verdict = MIKEY_TESLA_OVERFLOW;
		return MIKEY_OK;
	}
	e = mikey_malloc(cost);
	if (e == NULL)
		return MIKEY_ERR_NOMEM;
	memset(e, 0, sizeof(*e));
	e->index = index;
	e->len = stored;
	e->mac_cover = ext.portion_len;
	e->cost = cost;
	e->roc = rtcp ? 0 : roc;
	e->interval = (uint32_t)i;
	e->rtcp = rtcp;
	memcpy(e->mac, ext.mac, r->mac_len);
	memcpy(e->data, pkt, stored);
	if (pending_duplicate(r, e)) {
		mikey_wipe(e, cost);
		mikey_free(e);
		r->ctr.duplicate++;
		*verdict = MIKEY_TESLA_DUPLICATE;
		return MIKEY_OK;
	}
	list_push(&r->pending, e);
	r->ctr.held_packets++;
	r->ctr.held_bytes += cost;
	if (r->ctr.held_bytes > r->ctr.peak_bytes)
		r->ctr.peak_bytes = r->ctr.held_bytes;
	*verdict = MIKEY_TESLA_BUFFERED;
	return MIKEY_OK;
}

int mikey_tesla_receiver_input_rtp(mikey_tesla_receiver *r, const uint8_t *pkt, size_t len, uint32_t roc,
                                   uint64_t index, uint64_t now, mikey_tesla_verdict *verdict)
{
	return input(r, pkt, len, false, roc, index, now, verdict);
}

int mikey_tesla_receiver_input_rtcp(mikey_tesla_receiver *r, const uint8_t *pkt, size_t len, uint64_t index,
                                    uint64_t now, mikey_tesla_verdict *verdict)
{
	return input(r, pkt, len, true, 0, index, now, verdict);
}

int mikey_tesla_receiver_next(mikey_tesla_receiver *r, uint8_t *out, size_t cap, mikey_tesla_released *info)
{
	struct entry *e;

	if (r == NULL || info == NULL || (out == NULL && cap > 0))
		return MIKEY_ERR_ARG;
	e = r->ready.head;
	if (e == NULL)
		return MIKEY_ERR_NOT_FOUND;
	info->len = e->len;
	info->index = e->index;
	info->roc = e->roc;
	info->interval = e->interval;
	info->rtcp = e->rtcp;
	if (cap < e->len)
		return MIKEY_ERR_LENGTH;
	memcpy(out, e->data, e->len);
	r->ready.head = e->next;
	if (r->ready.head == NULL)
		r->ready.tail = NULL;
	entry_free(r, e);
	return MIKEY_OK;
}

bool mikey_tesla_receiver_seen(const mikey_tesla_receiver *r, bool rtcp, uint64_t index)
{
	if (r == NULL)
		return false;
	return replay_seen(rtcp ? &r->rp_rtcp : &r->rp_rtp, index);
}

int mikey_tesla_receiver_set_anchor(mikey_tesla_receiver *r, const uint8_t *key, uint32_t index)
{
	struct list keep = {NULL, NULL};
	struct entry *e, *n;

	if (r == NULL || key == NULL || index <= r->v || index > r->p.n_c)
		return MIKEY_ERR_ARG;
	for (e = r->pending.head; e != NULL; e = n) {
		n = e->next;
		if (e->interval <= index) {
			r->ctr.late++;
			entry_free(r, e);
		} else {
			list_push(&keep, e);
		}
	}
	r->pending = keep;
	memcpy(r->k_v, key, r->key_len);
	r->v = index;
	r->ctr.verified_index = index;
	return MIKEY_OK;
}

void mikey_tesla_receiver_get_counters(const mikey_tesla_receiver *r, mikey_tesla_counters *c)
{
	if (r != NULL && c != NULL)
		*c = r->ctr;
}
