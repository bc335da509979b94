/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * generation.h - the inside of a group key generation (mikey/group.h), for
 * the modes that send one (modes/) and the code that makes it (group/).
 */
#ifndef MIKEY_SRC_GROUP_GENERATION_H
#define MIKEY_SRC_GROUP_GENERATION_H

#include "mikey/group.h"

/* Open addressing over SSRCs: twice the most senders, a power of two, so a
 * lookup ends after a few probes. Slots hold sender index + 1 (0: empty). */
#define GROUP_INDEX_SLOTS 512 /* 2^9: slot_of in generation.c */

typedef struct group_sender {
	uint32_t ssrc;
	uint32_t roc;
	uint8_t policy_no;
	bool has_tesla;
	mikey_tesla_params tesla;
} group_sender;

struct mikey_group_gen {
	uint32_t csb_id;
	uint32_t epoch;
	uint8_t prf_func;
	mikey_srtp_policy *policies; /* n_policies; none: SRTP's defaults */
	size_t n_policies;
	group_sender senders[MIKEY_GROUP_MAX_SENDERS];
	size_t n_senders;
	uint16_t index[GROUP_INDEX_SLOTS];
	uint8_t key_type;
	uint8_t key[64];
	size_t key_len;
	uint8_t salt[14];
	size_t salt_len; /* 0 unless the key type carries a salt */
	uint8_t rand[255];
	size_t rand_len;
	uint8_t mki[MIKEY_GROUP_MAX_MKI];
	size_t mki_len;
};

/* The policy of |policy_no| (SRTP's defaults when the generation has
 * none), or NULL when there is no such policy. */
const mikey_srtp_policy *group_policy(const mikey_group_gen *g, uint8_t policy_no, mikey_srtp_policy *def);

#endif
