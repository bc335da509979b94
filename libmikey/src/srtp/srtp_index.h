/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * srtp_index.h - the SRTP packet index a receiver guesses from the highest
 * index so far and a packet's sequence number (RFC 3711 §3.3.1, Appendix
 * A), computed as libsrtp2's rdbx does it so both agree on the ROC: while
 * the highest index is at most 2^15 the ROC is taken as 0. Shared by the
 * SRTP sessions and the TESLA-SRTP glue. Internal to src/srtp/.
 */
#ifndef MIKEY_SRTP_INDEX_H
#define MIKEY_SRTP_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#define MIKEY_SRTP_SEQ_MEDIAN 32768u

/* mikey_srtp_estimate_index sets *index; false when the guess would need
 * ROC - 1 below 0 (a packet from before the stream started). */
static inline bool mikey_srtp_estimate_index(uint64_t highest, uint16_t seq, uint64_t *index)
{
	uint32_t roc = (uint32_t)(highest >> 16);
	uint16_t s_l = (uint16_t)highest;

	if (highest <= MIKEY_SRTP_SEQ_MEDIAN) {
		*index = seq;
		return true;
	}
	if (s_l < MIKEY_SRTP_SEQ_MEDIAN) {
		if ((uint32_t)seq - s_l > MIKEY_SRTP_SEQ_MEDIAN) {
			if (roc == 0)
				return false;
			roc--;
		}
	} else if ((uint32_t)s_l - MIKEY_SRTP_SEQ_MEDIAN > seq) {
		roc++;
	}
	*index = (uint64_t)roc << 16 | seq;
	return true;
}

#endif
