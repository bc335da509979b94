/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tesla_group.c - one TESLA-SRTP verifier per sender (mikey/
 * srtp_tesla_group.h): the SSRC table of base/ssrc_table.h, so a packet
 * finds its verifier in constant time however many senders there are, and
 * a list of the receivers that may have packets to hand out, so
 * _next never walks the senders that have none.
 */
#include <string.h>

#include "base/ssrc_table.h"
#include "mikey/mem.h"
#include "mikey/srtp_tesla_group.h"

typedef struct sender {
	uint32_t ssrc;
	mikey_srtp_tesla_rx *rx;
	struct sender *next_ready; /* in the ready list while |ready| */
	bool ready;
} sender;

struct mikey_srtp_tesla_group {
	mikey_srtp_tesla_config cfg;
	mikey_tesla_receiver_config rcfg;
	bool have_cfg, have_rcfg;
	ssrc_table senders; /* SSRC -> sender (base/ssrc_table.h) */
	sender *ready;      /* receivers that got input since they last ran dry */
	uint64_t dropped;
};

int mikey_srtp_tesla_group_new(const mikey_srtp_tesla_config *cfg, const mikey_tesla_receiver_config *rcfg,
                               mikey_srtp_tesla_group **out)
{
	if (out == NULL)
		return MIKEY_ERR_ARG;
	*out = NULL;
	mikey_srtp_tesla_group *g = mikey_malloc(sizeof(*g));
	if (g == NULL)
		return MIKEY_ERR_NOMEM;
	memset(g, 0, sizeof(*g));
	if (cfg != NULL) {
		g->cfg = *cfg;
		g->have_cfg = true;
	}
	if (rcfg != NULL) {
		g->rcfg = *rcfg;
		g->have_rcfg = true;
	}
	*out = g;
	return MIKEY_OK;
}

void mikey_srtp_tesla_group_free(mikey_srtp_tesla_group *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->senders.cap; i++) {
		sender *s = g->senders.slots[i].item;
		if (s != NULL) {
			mikey_srtp_tesla_rx_free(s->rx);
			mikey_free(s);
		}
	}
	ssrc_table_cleanup(&g->senders);
	mikey_wipe(g, sizeof(*g));
	mikey_free(g);
}

int mikey_srtp_tesla_group_add_sender(mikey_srtp_tesla_group *g, const mikey_crypto_session *cs)
{
	if (g == NULL || cs == NULL || !cs->has_tesla)
		return MIKEY_ERR_ARG;
	sender *old = ssrc_table_find(&g->senders, cs->ssrc);
	if (old != NULL)
		return mikey_srtp_tesla_rx_rekey(old->rx, cs);
	int rc = ssrc_table_reserve(&g->senders);
	if (rc != MIKEY_OK)
		return rc;
	sender *s = mikey_malloc(sizeof(*s));
	if (s == NULL)
		return MIKEY_ERR_NOMEM;
	memset(s, 0, sizeof(*s));
	s->ssrc = cs->ssrc;
	rc = mikey_srtp_tesla_rx_new(cs, g->have_cfg ? &g->cfg : NULL, &cs->tesla, g->have_rcfg ? &g->rcfg : NULL,
	                                 &s->rx);
	if (rc != MIKEY_OK) {
		mikey_free(s);
		return rc;
	}
	ssrc_table_insert(&g->senders, s->ssrc, s);
	return MIKEY_OK;
}

int mikey_srtp_tesla_group_remove_sender(mikey_srtp_tesla_group *g, uint32_t ssrc)
{
	if (g == NULL)
		return MIKEY_ERR_ARG;
	sender *s = ssrc_table_remove(&g->senders, ssrc);
	if (s == NULL)
		return MIKEY_ERR_UNKNOWN_SSRC;
	for (sender **pp = &g->ready; *pp != NULL; pp = &(*pp)->next_ready) {
		if (*pp == s) {
			*pp = s->next_ready;
			break;
		}
	}
	mikey_srtp_tesla_rx_free(s->rx);
	mikey_free(s);
	return MIKEY_OK;
}

size_t mikey_srtp_tesla_group_count(const mikey_srtp_tesla_group *g)
{
	return g != NULL ? g->senders.count : 0;
}

static int input(mikey_srtp_tesla_group *g, const uint8_t *pkt, size_t len, uint64_t now,
                 mikey_srtp_tesla_result *res, bool rtcp)
{
	if (g == NULL || pkt == NULL || res == NULL)
		return MIKEY_ERR_ARG;
	memset(res, 0, sizeof(*res));
	/* The SSRC: RTP bytes 8-11 (RFC 3550 §5.1), RTCP bytes 4-7 (§6.4). */
	size_t at = rtcp ? 4 : 8;
	if (len < at + 4) {
		res->status = MIKEY_SRTP_TESLA_MALFORMED;
		g->dropped++;
		return MIKEY_OK;
	}
	uint32_t ssrc = (uint32_t)pkt[at] << 24 | (uint32_t)pkt[at + 1] << 16 | (uint32_t)pkt[at + 2] << 8 | pkt[at + 3];
	sender *s = ssrc_table_find(&g->senders, ssrc);
	if (s == NULL) {
		res->status = MIKEY_SRTP_TESLA_OTHER_SSRC;
		g->dropped++;
		return MIKEY_OK;
	}
	int rc = rtcp ? mikey_srtp_tesla_rx_input_rtcp(s->rx, pkt, len, now, res)
	              : mikey_srtp_tesla_rx_input_rtp(s->rx, pkt, len, now, res);
	if (rc == MIKEY_OK && !s->ready) {
		s->ready = true;
		s->next_ready = g->ready;
		g->ready = s;
	}
	return rc;
}

int mikey_srtp_tesla_group_input_rtp(mikey_srtp_tesla_group *g, const uint8_t *pkt, size_t len, uint64_t now,
                                     mikey_srtp_tesla_result *res)
{
	return input(g, pkt, len, now, res, false);
}

int mikey_srtp_tesla_group_input_rtcp(mikey_srtp_tesla_group *g, const uint8_t *pkt, size_t len, uint64_t now,
                                      mikey_srtp_tesla_result *res)
{
	return input(g, pkt, len, now, res, true);
}

int mikey_srtp_tesla_group_next(mikey_srtp_tesla_group *g, uint8_t *out, size_t cap, size_t *out_len, bool *rtcp,
                                uint32_t *ssrc)
{
	if (g == NULL || out == NULL || out_len == NULL || rtcp == NULL)
		return MIKEY_ERR_ARG;
	/* TESLA releases a sender's packets only when that sender's later
	 * packets disclose their key, so only receivers that got input since
	 * they last ran dry can have any. */
	while (g->ready != NULL) {
		sender *s = g->ready;
		int rc = mikey_srtp_tesla_rx_next(s->rx, out, cap, out_len, rtcp);
		if (rc != MIKEY_ERR_NOT_FOUND) {
			if (rc == MIKEY_OK && ssrc != NULL)
				*ssrc = s->ssrc;
			return rc;
		}
		g->ready = s->next_ready;
		s->next_ready = NULL;
		s->ready = false;
	}
	return MIKEY_ERR_NOT_FOUND;
}

int mikey_srtp_tesla_group_get_counters(const mikey_srtp_tesla_group *g, uint32_t ssrc,
                                        mikey_srtp_tesla_rx_counters *c)
{
	if (g == NULL || c == NULL)
		return MIKEY_ERR_ARG;
	const sender *s = ssrc_table_find(&g->senders, ssrc);
	if (s == NULL)
		return MIKEY_ERR_UNKNOWN_SSRC;
	mikey_srtp_tesla_rx_get_counters(s->rx, c);
	return MIKEY_OK;
}

uint64_t mikey_srtp_tesla_group_dropped(const mikey_srtp_tesla_group *g)
{
	return g != NULL ? g->dropped : 0;
}
