/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_srtpgroup_dec.c - srtpgroupdec's per-packet path (the keyed SRTP
 * state of gst-plugin/srtpgroup_streams.c on libmikey's multi-key sessions)
 * fed arbitrary key material, rekeys and packets; see
 * srtpgroup_fuzz_input.h for the input format. Any return code is fine;
 * a crash, leak, sanitizer report or an output longer than the input is a
 * finding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "srtpgroup_error.h"
#include "srtpgroup_fuzz_input.h"
#include "srtpgroup_streams.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* GStreamer's value types (the stats structure) need gst_init. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	gst_init(NULL, NULL);
	return 0;
}

static void install(SgStreams *s, const SgProfile *p, const uint8_t *key, size_t key_len, uint8_t mode_byte,
                    uint32_t gen, uint32_t ssrc, int64_t now)
{
	mikey_crypto_session cs;
	uint8_t mki[4], mki_len = (uint8_t)(mode_byte % 5);
	GError *err = NULL;

	sgf_mki(mki, mki_len, gen);
	if (key_len < sg_profile_key_len(p))
		return;
	if (!sg_profile_to_cs(p, key, sg_profile_key_len(p), mki, mki_len, ssrc, 0, &cs, &err)) {
		g_clear_error(&err);
		return;
	}
	sgf_rcc(mode_byte, &cs);
	if (!sg_streams_install(s, &cs, 1, now, &err))
		g_clear_error(&err);
	mikey_crypto_session_cleanup(&cs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	SgProfile prof;
	SgStreams *s;
	uint8_t mode_byte;
	uint32_t gen = 1;
	int64_t now = 1000000;
	size_t at = SGF_HEADER;

	if (size < SGF_HEADER)
		return 0;
	if ((s = sg_streams_new(FALSE, 128, NULL)) == NULL)
		abort();
	sgf_profile(data[0], &prof);
	sg_streams_set_grace(s, (data[0] & 0x80) ? 0 : 5000);
	mode_byte = data[1];
	install(s, &prof, data + 2, SGF_HEADER - 2, mode_byte, gen, 0, now);
	while (at + 3 <= size) {
		uint8_t type = data[at];
		size_t len = ((size_t)data[at + 1] << 8) | data[at + 2];
		uint8_t *pkt;
		gsize out_len = 0;
		guint32 ssrc;
		at += 3;
		if (len > size - at)
			len = size - at;
		now += (int64_t)(type / 4) * 1000;
		switch (type % 4) {
		case 0:
		case 1:
			/* A copy of exactly |len| bytes, so ASan sees any over-read. */
			pkt = malloc(len ? len : 1);
			memcpy(pkt, data + at, len);
			(void)sg_streams_unprotect(s, type % 4 == 1, pkt, len, &out_len, &ssrc, now);
			if (out_len > len)
				abort();
			free(pkt);
			break;
		case 2:
			install(s, &prof, data + at, len, mode_byte, ++gen, 0, now);
			break;
		default:
			if (len >= 4)
				install(s, &prof, data + at + 4, len - 4, mode_byte, ++gen,
				        ((uint32_t)data[at] << 24) | ((uint32_t)data[at + 1] << 16) |
				            ((uint32_t)data[at + 2] << 8) | data[at + 3],
				        now);
			break;
		}
		at += len;
		g_free(sg_streams_take_events(s, &out_len));
	}
	gst_structure_free(sg_streams_stats(s));
	sg_streams_free(s);
	return 0;
}
