/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bounded reader and the writer: the only places bounds are checked. */
#include <criterion/criterion.h>
#include <string.h>

#include "codec/reader.h"
#include "codec/writer.h"
#include "mikey/error.h"
#include "mikey/msg.h"

Test(reader, reads_big_endian_and_stops_at_end)
{
	const uint8_t b[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
	mikey_reader r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	rd_init(&r, b, sizeof(b), 100);
	cr_assert(rd_u8(&r, &u8));
	cr_assert_eq(u8, 0x01);
	cr_assert(rd_u16(&r, &u16));
	cr_assert_eq(u16, 0x0203);
	cr_assert(rd_u32(&r, &u32));
	cr_assert_eq(u32, 0x04050607);
	cr_assert_eq(rd_off(&r), 107);
	cr_assert_not(rd_u64(&r, &u64), "only 2 bytes are left");
	cr_assert_eq(rd_left(&r), 2, "a failed read consumes nothing");
	cr_assert(rd_u16(&r, &u16));
	cr_assert_eq(u16, 0x0809);
	cr_assert_not(rd_u8(&r, &u8));
}

Test(reader, sub_reader_is_bounded_and_keeps_offsets)
{
	const uint8_t b[] = {1, 2, 3, 4, 5};
	mikey_reader r, sub;
	const uint8_t *p;

	rd_init(&r, b, sizeof(b), 0);
	cr_assert_not(rd_sub(&r, 6, &sub));
	cr_assert(rd_take(&r, 1, &p));
	cr_assert(rd_sub(&r, 3, &sub));
	cr_assert_eq(rd_off(&sub), 1);
	cr_assert_eq(rd_left(&sub), 3);
	cr_assert_not(rd_take(&sub, 4, &p));
	cr_assert(rd_take(&sub, 3, &p));
	cr_assert_eq(p[0], 2);
	cr_assert_eq(rd_left(&r), 1);
}

Test(reader, huge_length_does_not_wrap)
{
	const uint8_t b[] = {1, 2};
	mikey_reader r;
	const uint8_t *p;

	rd_init(&r, b, sizeof(b), 0);
	cr_assert(rd_take(&r, 1, &p));
	cr_assert_not(rd_take(&r, SIZE_MAX, &p));
	cr_assert_eq(rd_left(&r), 1);
}

Test(writer, grows_and_patches_lengths)
{
	mikey_writer w;
	uint8_t *out;
	size_t len;
	uint8_t big[1000];

	memset(big, 0xab, sizeof(big));
	wr_init(&w, 4);
	wr_u8(&w, 0x11);
	size_t at = wr_reserve(&w, 2);
	wr_bytes(&w, big, sizeof(big));
	wr_patch_u16(&w, at, 1000);
	wr_u32(&w, 0xdeadbeef);
	cr_assert_eq(wr_finish(&w, &out, &len), MIKEY_OK);
	cr_assert_eq(len, 1 + 2 + 1000 + 4);
	cr_assert_eq(out[0], 0x11);
	cr_assert_eq(out[1], 0x03);
	cr_assert_eq(out[2], 0xe8);
	cr_assert_eq(out[3], 0xab);
	cr_assert_eq(out[1003], 0xde);
	cr_assert_eq(out[1006], 0xef);
	mikey_buf_free(out, len);
}
