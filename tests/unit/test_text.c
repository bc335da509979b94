/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_text.c - mikey/text.h: hex, base64, SDP and RTSP carriers, format
 * detection, and the exact error codes and offsets for malformed text.
 *
 * Independent data:
 * - RFC 4648 §10 base64 test vectors ("foobar" and its prefixes).
 * - The MIKEY messages of RFC 4567 §5.1 (Alice's offer, 132 bytes, and
 *   Bob's answer, 71 bytes). The RFC wraps their base64 over several lines
 *   for the page; here each is joined into one attribute value. The
 *   expected fields are read off RFC 3830 §6: byte 0 version 1, byte 1
 *   data type (0 = Pre-shared, 1 = PSK ver msg), byte 2 next payload
 *   5 (T), byte 3 0x80 (V=1, PRF MIKEY-1), bytes 4-7 the CSB ID; the
 *   offer's ID payload carries "donald@duck.com", the answer's
 *   "mickey@mouse.com".
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/error.h"
#include "mikey/mem.h"
#include "mikey/msg.h"
#include "mikey/text.h"

/* RFC 4567 §5.1, first a=key-mgmt line (three RFC lines joined). */
#define OFFER_B64                                                                                   \
	"AQAFgM0XflABAAAAAAAAAAAAAAsAyONQ6gAAAAAGEEoo2pee4hp2"                                          \
	"UaDX8ZE22YwKAAAPZG9uYWxkQGR1Y2suY29tAQAAAAAAAQAk0JKpgaVkDaawi9whVBtBt"                         \
	"0KZ14ymNuu62+Nv3ozPLygwK/GbAV9iemnGUIZ19fWQUOSrzKTAv9zV"
#define OFFER_LEN 132
/* RFC 4567 §5.1, Bob's answer (two RFC lines joined). */
#define ANSWER_B64                                                                                  \
	"AQEFgM0XflABAAAAAAAAAAAAAAYAyONQ6gAAAAAJAAAQbWlja2"                                            \
	"V5QG1vdXNlLmNvbQABn8HdGE5BMDXFIuGEga+62AgY5cc="
#define ANSWER_LEN 71

static const uint8_t hdr_offer[] = {0x01, 0x00, 0x05, 0x80, 0xcd, 0x17, 0x7e, 0x50};
static const uint8_t hdr_answer[] = {0x01, 0x01, 0x05, 0x80, 0xcd, 0x17, 0x7e, 0x50};

typedef struct result {
	int rc;
	uint8_t *out;
	size_t len;
	mikey_text_format detected;
	mikey_error err;
} result;

/* run decodes |len| bytes of |text| from a heap copy of exactly that size,
 * so that any read past the input shows up under ASan or valgrind. */
static result run_n(const void *text, size_t len, mikey_text_format fmt)
{
	result r;
	uint8_t *copy = malloc(len ? len : 1);

	cr_assert_not_null(copy);
	memcpy(copy, text, len);
	memset(&r, 0, sizeof(r));
	r.detected = (mikey_text_format)-1;
	r.rc = mikey_text_decode(copy, len, fmt, &r.out, &r.len, &r.detected, &r.err);
	free(copy);
	if (r.rc != MIKEY_OK) {
		cr_assert_null(r.out, "output must be NULL on failure");
		cr_assert_eq(r.err.code, r.rc, "err.code %d != rc %d", r.err.code, r.rc);
		cr_assert_eq(r.err.payload_index, -1);
		cr_assert_eq(r.err.payload_type, -1);
		cr_assert_gt(strlen(r.err.message), 0);
	}
	return r;
}

static result run(const char *text, mikey_text_format fmt)
{
	return run_n(text, strlen(text), fmt);
}

static void done(result *r)
{
	mikey_buf_free(r->out, r->len);
	r->out = NULL;
}

static void expect_bytes(result *r, const void *want, size_t n)
{
	cr_assert_eq(r->rc, MIKEY_OK, "rc %d (%s): %s", r->rc, mikey_error_name(r->rc), r->err.message);
	cr_assert_eq(r->len, n, "length %zu, expected %zu", r->len, n);
	cr_assert(memcmp(r->out, want, n) == 0, "bytes differ");
}

/* expect_offer checks the RFC 4567 §5.1 offer. */
static void expect_offer(result *r)
{
	cr_assert_eq(r->rc, MIKEY_OK, "rc %d (%s): %s", r->rc, mikey_error_name(r->rc), r->err.message);
	cr_assert_eq(r->len, OFFER_LEN);
	cr_assert(memcmp(r->out, hdr_offer, sizeof(hdr_offer)) == 0);
	/* ID payload at offset 47: next 10 (SP), type 0 (NAI), length 15 */
	cr_assert_eq(r->out[47], 10);
	cr_assert_eq(r->out[48], 0);
	cr_assert_eq(r->out[50], 15);
	cr_assert(memcmp(r->out + 51, "donald@duck.com", 15) == 0);
}

static void expect_answer(result *r)
{
	cr_assert_eq(r->rc, MIKEY_OK, "rc %d (%s): %s", r->rc, mikey_error_name(r->rc), r->err.message);
	cr_assert_eq(r->len, ANSWER_LEN);
	cr_assert(memcmp(r->out, hdr_answer, sizeof(hdr_answer)) == 0);
	cr_assert(memcmp(r->out + 33, "mickey@mouse.com", 16) == 0);
}

static void expect_error(result *r, int code, size_t offset, const char *needle)
{
	cr_assert_eq(r->rc, code, "rc %d (%s), expected %s; message: %s", r->rc, mikey_error_name(r->rc),
	             mikey_error_name(code), r->err.message);
	if (offset != (size_t)-1)
		cr_assert_eq(r->err.offset, offset, "offset %zu, expected %zu (%s)", r->err.offset, offset,
		             r->err.message);
	if (needle != NULL)
		cr_assert(strstr(r->err.message, needle) != NULL, "message \"%s\" lacks \"%s\"", r->err.message,
		          needle);
}

/* ---- format names ------------------------------------------------------- */

Test(text, format_names)
{
	static const char *const names[] = {"auto", "bin", "hex", "base64", "sdp", "rtsp"};
	static const mikey_text_format fmts[] = {MIKEY_FORMAT_AUTO,   MIKEY_FORMAT_BIN, MIKEY_FORMAT_HEX,
	                                         MIKEY_FORMAT_BASE64, MIKEY_FORMAT_SDP, MIKEY_FORMAT_RTSP};
	mikey_text_format f;

	for (size_t i = 0; i < 6; i++) {
		cr_assert_eq(mikey_text_format_from_name(names[i], &f), MIKEY_OK);
		cr_assert_eq(f, fmts[i]);
		cr_assert_str_eq(mikey_text_format_name(fmts[i]), names[i]);
	}
	cr_assert_eq(mikey_text_format_from_name("pem", &f), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_text_format_from_name("", &f), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_text_format_from_name(NULL, &f), MIKEY_ERR_ARG);
	cr_assert_not_null(mikey_text_format_name((mikey_text_format)99));
}

Test(text, bad_arguments)
{
	uint8_t *out = NULL;
	size_t len = 0;
	mikey_error err;

	cr_assert_eq(mikey_text_decode((const uint8_t *)"00", 2, MIKEY_FORMAT_HEX, NULL, &len, NULL, &err),
	             MIKEY_ERR_ARG);
	cr_assert_eq(mikey_text_decode((const uint8_t *)"00", 2, MIKEY_FORMAT_HEX, &out, NULL, NULL, &err),
	             MIKEY_ERR_ARG);
	cr_assert_eq(mikey_text_decode(NULL, 2, MIKEY_FORMAT_HEX, &out, &len, NULL, &err), MIKEY_ERR_ARG);
	cr_assert_eq(mikey_text_decode((const uint8_t *)"00", 2, (mikey_text_format)42, &out, &len, NULL, &err),
	             MIKEY_ERR_ARG);
	/* err may be NULL */
	cr_assert_eq(mikey_text_decode((const uint8_t *)"zz", 2, MIKEY_FORMAT_HEX, &out, &len, NULL, NULL),
	             MIKEY_ERR_FORMAT);
	cr_assert_null(out);
}

/* ---- hex ---------------------------------------------------------------- */

Test(text, hex_plain_and_separators)
{
	static const uint8_t want[] = {0x01, 0x00, 0x05, 0x80, 0xab, 0xcd};
	const char *inputs[] = {
		"01000580abcd", "01 00 05 80 ab cd", "01:00:05:80:AB:CD", "0x01000580abcd", "0X01000580ABcd",
		"  0x0100\n0580\r\n\tab:cd \n", "01000580abcd\n",
	};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		result r = run(inputs[i], MIKEY_FORMAT_HEX);
		expect_bytes(&r, want, sizeof(want));
		cr_assert_eq(r.detected, MIKEY_FORMAT_HEX);
		done(&r);
	}
}

Test(text, hex_errors)
{
	/* 'g' is the 18th character: offset 17 */
	result r = run("01000580abcd00112g", MIKEY_FORMAT_HEX);
	expect_error(&r, MIKEY_ERR_FORMAT, 17, "invalid hex digit 'g' at input offset 17");

	r = run("010", MIKEY_FORMAT_HEX);
	expect_error(&r, MIKEY_ERR_FORMAT, 2, "odd number of hex digits");

	r = run("   \n", MIKEY_FORMAT_HEX);
	expect_error(&r, MIKEY_ERR_FORMAT, (size_t)-1, "no hex digits");

	r = run("", MIKEY_FORMAT_HEX);
	expect_error(&r, MIKEY_ERR_FORMAT, (size_t)-1, NULL);

	/* "0x" only at the start */
	r = run("01 0x02", MIKEY_FORMAT_HEX);
	expect_error(&r, MIKEY_ERR_FORMAT, 4, "'x'");

	/* a NUL byte is reported as a byte, not as a character */
	r = run_n("01\0002", 4, MIKEY_FORMAT_HEX);
	expect_error(&r, MIKEY_ERR_FORMAT, 2, "byte 0x00");
}

/* ---- base64 ------------------------------------------------------------- */

Test(text, base64_rfc4648_vectors)
{
	/* RFC 4648 §10 */
	static const char *const enc[] = {"Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const dec[] = {"f", "fo", "foo", "foob", "fooba", "foobar"};

	for (size_t i = 0; i < 6; i++) {
		result r = run(enc[i], MIKEY_FORMAT_BASE64);
		expect_bytes(&r, dec[i], strlen(dec[i]));
		done(&r);
		char *e = mikey_base64_encode((const uint8_t *)dec[i], strlen(dec[i]));
		cr_assert_not_null(e);
		cr_assert_str_eq(e, enc[i]);
		mikey_free(e);
	}
	char *e = mikey_base64_encode(NULL, 0);
	cr_assert_not_null(e);
	cr_assert_str_eq(e, "");
	mikey_free(e);
}

Test(text, base64_rfc4567_messages)
{
	result r = run(OFFER_B64, MIKEY_FORMAT_BASE64);
	expect_offer(&r);
	done(&r);
	/* wrapped the way the RFC prints it, with indentation and CRLF */
	r = run("   AQAFgM0XflABAAAAAAAAAAAAAAsAyONQ6gAAAAAGEEoo2pee4hp2\r\n"
	        "   UaDX8ZE22YwKAAAPZG9uYWxkQGR1Y2suY29tAQAAAAAAAQAk0JKpgaVkDaawi9whVBtBt\r\n"
	        "   0KZ14ymNuu62+Nv3ozPLygwK/GbAV9iemnGUIZ19fWQUOSrzKTAv9zV\r\n",
	        MIKEY_FORMAT_BASE64);
	expect_offer(&r);
	done(&r);
	r = run(ANSWER_B64, MIKEY_FORMAT_BASE64);
	expect_answer(&r);
	done(&r);
}

Test(text, base64_errors)
{
	result r = run("Zm9v!mFy", MIKEY_FORMAT_BASE64);
	expect_error(&r, MIKEY_ERR_FORMAT, 4, "invalid base64 character '!' at input offset 4");

	r = run("Zm9vYmF", MIKEY_FORMAT_BASE64);
	expect_error(&r, MIKEY_ERR_FORMAT, (size_t)-1, "not a multiple of 4");

	r = run("Zg=a", MIKEY_FORMAT_BASE64);
	expect_error(&r, MIKEY_ERR_FORMAT, 3, "follows the '=' padding at offset 2");

	r = run("Z===", MIKEY_FORMAT_BASE64);
	expect_error(&r, MIKEY_ERR_FORMAT, 3, "too much base64 padding");

	r = run("Zm9v-_", MIKEY_FORMAT_BASE64); /* base64url is not base64 */
	expect_error(&r, MIKEY_ERR_FORMAT, 4, "'-'");

	r = run(" \n ", MIKEY_FORMAT_BASE64);
	expect_error(&r, MIKEY_ERR_FORMAT, (size_t)-1, "no base64 data");

	r = run("====", MIKEY_FORMAT_BASE64);
	expect_error(&r, MIKEY_ERR_FORMAT, (size_t)-1, NULL);
}

/* ---- SDP ---------------------------------------------------------------- */

/* RFC 4567 §5.1 offer, session level. */
static const char sdp_session[] = "v=0\r\n"
                                  "o=alice 2891092738 2891092738 IN IP4 w-land.example.com\r\n"
                                  "s=Cool stuff\r\n"
                                  "e=alice@w-land.example.com\r\n"
                                  "t=0 0\r\n"
                                  "c=IN IP4 w-land.example.com\r\n"
                                  "a=key-mgmt:mikey " OFFER_B64 "\r\n"
                                  "m=audio 49000 RTP/SAVP 98\r\n"
                                  "a=rtpmap:98 AMR/8000\r\n"
                                  "m=video 52230 RTP/SAVP 31\r\n"
                                  "a=rtpmap:31 H261/90000\r\n";

Test(text, sdp_session_level_rfc4567_example1)
{
	result r = run(sdp_session, MIKEY_FORMAT_SDP);
	expect_offer(&r);
	cr_assert_eq(r.detected, MIKEY_FORMAT_SDP);
	done(&r);
	r = run(sdp_session, MIKEY_FORMAT_AUTO);
	expect_offer(&r);
	cr_assert_eq(r.detected, MIKEY_FORMAT_SDP);
	done(&r);
}

Test(text, sdp_media_level_rfc4567_example2)
{
	/* §5.2: the attribute at media level for the audio stream only */
	const char *sdp = "v=0\n"
	                  "o=alice 2891092738 2891092738 IN IP4 w-land.example.com\n"
	                  "s=Cool stuff\n"
	                  "t=0 0\n"
	                  "m=audio 49000 RTP/SAVP 98\n"
	                  "a=rtpmap:98 AMR/8000\n"
	                  "a=key-mgmt:mikey " ANSWER_B64 "\n"
	                  "m=video 52230 RTP/AVP 31\n"
	                  "a=rtpmap:31 H261/90000\n";
	result r = run(sdp, MIKEY_FORMAT_SDP);
	expect_answer(&r);
	done(&r);
}

Test(text, sdp_session_level_wins_over_media_level)
{
	const char *sdp = "v=0\r\n"
	                  "s=-\r\n"
	                  "a=key-mgmt:mikey " OFFER_B64 "\r\n"
	                  "m=audio 49000 RTP/SAVP 98\r\n"
	                  "a=key-mgmt:mikey " ANSWER_B64 "\r\n";
	result r = run(sdp, MIKEY_FORMAT_SDP);
	expect_offer(&r);
	done(&r);

	/* two media-level entries: the first media section's */
	const char *media = "v=0\r\n"
	                    "m=audio 49000 RTP/SAVP 98\r\n"
	                    "a=key-mgmt:mikey " ANSWER_B64 "\r\n"
	                    "m=video 49002 RTP/SAVP 31\r\n"
	                    "a=key-mgmt:mikey " OFFER_B64 "\r\n";
	r = run(media, MIKEY_FORMAT_SDP);
	expect_answer(&r);
	done(&r);
}

Test(text, sdp_grammar_variants)
{
	/* a single attribute line, without line end */
	result r = run("a=key-mgmt:mikey " OFFER_B64, MIKEY_FORMAT_SDP);
	expect_offer(&r);
	done(&r);
	/* 0*1SP before prtcl-id */
	r = run("a=key-mgmt: mikey " OFFER_B64 "\n", MIKEY_FORMAT_SDP);
	expect_offer(&r);
	done(&r);
	/* other protocols first are skipped, as is a prtcl-id that only starts with "mikey" */
	r = run("v=0\na=key-mgmt:kerberos AAAA\na=key-mgmt:mikeyv2 AAAA\na=key-mgmt:mikey " ANSWER_B64 "\n",
	        MIKEY_FORMAT_SDP);
	expect_answer(&r);
	done(&r);
	/* trailing blanks after the data */
	r = run("a=key-mgmt:mikey " ANSWER_B64 "  \t\r\n", MIKEY_FORMAT_SDP);
	expect_answer(&r);
	done(&r);
}

Test(text, sdp_not_found_and_malformed)
{
	/* no key-mgmt at all */
	result r = run("v=0\r\ns=-\r\nm=audio 1 RTP/SAVP 0\r\n", MIKEY_FORMAT_SDP);
	expect_error(&r, MIKEY_ERR_NOT_FOUND, (size_t)-1, NULL);
	/* KMPID is case sensitive (RFC 4567 §3) */
	r = run("a=key-mgmt:MIKEY " OFFER_B64 "\r\n", MIKEY_FORMAT_SDP);
	expect_error(&r, MIKEY_ERR_NOT_FOUND, (size_t)-1, NULL);
	/* only another protocol */
	r = run("a=key-mgmt:kerberos AAAA\r\n", MIKEY_FORMAT_SDP);
	expect_error(&r, MIKEY_ERR_NOT_FOUND, (size_t)-1, NULL);
	/* mikey without data */
	r = run("v=0\r\na=key-mgmt:mikey\r\n", MIKEY_FORMAT_SDP);
	expect_error(&r, MIKEY_ERR_FORMAT, (size_t)-1, "no key management data");
	r = run("v=0\r\na=key-mgmt:mikey   \r\n", MIKEY_FORMAT_SDP);
	expect_error(&r, MIKEY_ERR_FORMAT, (size_t)-1, "no key management data");
	/* keymgmt-data is a single base64 token */
	r = run("a=key-mgmt:mikey " ANSWER_B64 " extra\r\n", MIKEY_FORMAT_SDP);
	expect_error(&r, MIKEY_ERR_FORMAT, 17 + sizeof(ANSWER_B64), "unexpected text after");
	/* bad base64: the offset counts from the start of the whole input */
	r = run("v=0\r\na=key-mgmt:mikey AQAF*M0X\r\n", MIKEY_FORMAT_SDP);
	/* "v=0\r\n" is 5 bytes, "a=key-mgmt:mikey " 17, "AQAF" 4: '*' at 26 */
	expect_error(&r, MIKEY_ERR_FORMAT, 26, "invalid base64 character '*' at input offset 26");
}

Test(text, sdp_attribute_roundtrip)
{
	static const uint8_t msg[] = {0x01, 0x00, 0x05, 0x80, 0xcd, 0x17, 0x7e, 0x50, 0xff};
	char *line = mikey_sdp_attribute(msg, sizeof(msg));

	cr_assert_not_null(line);
	cr_assert_str_eq(line, "a=key-mgmt:mikey AQAFgM0XflD/");
	result r = run(line, MIKEY_FORMAT_AUTO);
	cr_assert_eq(r.detected, MIKEY_FORMAT_SDP);
	expect_bytes(&r, msg, sizeof(msg));
	done(&r);
	mikey_free(line);
}

/* ---- RTSP --------------------------------------------------------------- */

Test(text, rtsp_rfc4567_example3_setup)
{
	/* §5.3 SETUP: lower-case header name, value folded over two lines */
	const char *msg = "SETUP rtsp://movie.example.com/action/audio RTSP/1.0\r\n"
	                  "CSeq: 313\r\n"
	                  "Transport: RTP/SAVP/UDP;unicast;client_port=3056-3057\r\n"
	                  "keymgmt: prot=mikey; uri=\"rtsp://movie.example.com/action\";\r\n"
	                  "         data=\"" ANSWER_B64 "\"\r\n"
	                  "\r\n";
	result r = run(msg, MIKEY_FORMAT_RTSP);
	expect_answer(&r);
	done(&r);
	r = run(msg, MIKEY_FORMAT_AUTO);
	expect_answer(&r);
	cr_assert_eq(r.detected, MIKEY_FORMAT_RTSP);
	done(&r);
}

Test(text, rtsp_header_variants)
{
	const char *ok[] = {
		"KeyMgmt: prot=mikey; data=\"" OFFER_B64 "\"",
		"KEYMGMT : prot=mikey;data=\"" OFFER_B64 "\"\r\n",
		/* any parameter order, unquoted data, trailing ';' */
		"KeyMgmt: data=" OFFER_B64 "; uri=\"rtsp://a.example.com/x\"; prot=mikey;\n",
		/* another protocol first, a comma inside the quoted uri */
		"KeyMgmt: prot=other; data=\"AAAA\", prot=mikey; uri=\"rtsp://a/b,c;d\"; data=\"" OFFER_B64 "\"\n",
		/* other headers around it, not first in the message */
		"RTSP/1.0 200 OK\r\nCSeq: 1\r\nKeymgmt: prot=mikey; data=\"" OFFER_B64 "\"\r\nSession: 1\r\n\r\n",
		/* the base64 itself folded */
		"KeyMgmt: prot=mikey; data=\"AQAFgM0XflABAAAAAAAAAAAAAAsAyONQ6gAAAAAGEEoo2pee4hp2\r\n"
		" UaDX8ZE22YwKAAAPZG9uYWxkQGR1Y2suY29tAQAAAAAAAQAk0JKpgaVkDaawi9whVBtBt\r\n"
		" 0KZ14ymNuu62+Nv3ozPLygwK/GbAV9iemnGUIZ19fWQUOSrzKTAv9zV\"\r\n",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		result r = run(ok[i], MIKEY_FORMAT_RTSP);
		cr_assert_eq(r.rc, MIKEY_OK, "variant %zu: %s", i, r.err.message);
		expect_offer(&r);
		done(&r);
		r = run(ok[i], MIKEY_FORMAT_AUTO);
		cr_assert_eq(r.detected, MIKEY_FORMAT_RTSP, "variant %zu", i);
		expect_offer(&r);
		done(&r);
	}
}

Test(text, rtsp_describe_response_with_sdp_body)
{
	/* §5.3: the DESCRIBE response carries MIKEY in its SDP body */
	const char *msg = "RTSP/1.0 200 OK\r\n"
	                  "CSeq: 312\r\n"
	                  "Content-Type: application/sdp\r\n"
	                  "\r\n"
	                  "v=0\r\n"
	                  "a=control:rtsp://movie.example.com/action\r\n"
	                  "a=key-mgmt:mikey " OFFER_B64 "\r\n"
	                  "m=audio 0 RTP/SAVP 98\r\n";
	result r = run(msg, MIKEY_FORMAT_RTSP);
	expect_offer(&r);
	done(&r);
	r = run(msg, MIKEY_FORMAT_AUTO); /* no KeyMgmt header: looks like SDP */
	cr_assert_eq(r.detected, MIKEY_FORMAT_SDP);
	expect_offer(&r);
	done(&r);
}

Test(text, rtsp_errors)
{
	/* no KeyMgmt header */
	result r = run("SETUP rtsp://a/b RTSP/1.0\r\nCSeq: 1\r\n\r\n", MIKEY_FORMAT_RTSP);
	expect_error(&r, MIKEY_ERR_NOT_FOUND, (size_t)-1, NULL);
	/* only another protocol; "mikey" in a uri does not count */
	r = run("KeyMgmt: prot=other; uri=\"mikey\"; data=\"AAAA\"\r\n", MIKEY_FORMAT_RTSP);
	expect_error(&r, MIKEY_ERR_NOT_FOUND, (size_t)-1, NULL);
	/* a header that merely starts with KeyMgmt */
	r = run("KeyMgmtX: prot=mikey; data=\"AAAA\"\r\n", MIKEY_FORMAT_RTSP);
	expect_error(&r, MIKEY_ERR_NOT_FOUND, (size_t)-1, NULL);
	/* prot=mikey without data */
	r = run("KeyMgmt: prot=mikey; uri=\"rtsp://a/b\"\r\n", MIKEY_FORMAT_RTSP);
	expect_error(&r, MIKEY_ERR_FORMAT, 9, "no data parameter");
	/* unterminated quote: the opening '"' is at offset 26 */
	r = run("KeyMgmt: prot=mikey; data=\"AQAF", MIKEY_FORMAT_RTSP);
	expect_error(&r, MIKEY_ERR_FORMAT, 26, "not closed");
	/* parameter without '=' */
	r = run("KeyMgmt: prot=mikey; data\r\n", MIKEY_FORMAT_RTSP);
	expect_error(&r, MIKEY_ERR_FORMAT, 25, "expected '='");
	/* bad base64 inside the quotes: '!' at offset 31 */
	r = run("KeyMgmt: prot=mikey; data=\"AQAF!M0X\"\r\n", MIKEY_FORMAT_RTSP);
	expect_error(&r, MIKEY_ERR_FORMAT, 31, "'!' at input offset 31");
}

/* ---- detection ---------------------------------------------------------- */

Test(text, auto_detection)
{
	static const uint8_t bin[] = {0x01, 0x00, 0x05, 0x80, 'a', '=', 'k', 'e', 'y', '-', 'm', 'g', 'm', 't', ':'};
	result r = run_n(bin, sizeof(bin), MIKEY_FORMAT_AUTO);
	cr_assert_eq(r.detected, MIKEY_FORMAT_BIN, "version-1 binary wins over the SDP text inside it");
	expect_bytes(&r, bin, sizeof(bin));
	done(&r);

	/* "KeyMgmt:" inside binary does not make it RTSP either */
	static const uint8_t bin2[] = {0x01, '\n', 'K', 'e', 'y', 'M', 'g', 'm', 't', ':', ' ', 'x'};
	r = run_n(bin2, sizeof(bin2), MIKEY_FORMAT_AUTO);
	cr_assert_eq(r.detected, MIKEY_FORMAT_BIN);
	done(&r);

	static const uint8_t junk[] = {0x02, 0xff, 0x00, 0x10};
	r = run_n(junk, sizeof(junk), MIKEY_FORMAT_AUTO);
	cr_assert_eq(r.detected, MIKEY_FORMAT_BIN);
	expect_bytes(&r, junk, sizeof(junk));
	done(&r);

	/* "deadbeef" is valid hex and valid base64: hex comes first */
	r = run("deadbeef\n", MIKEY_FORMAT_AUTO);
	cr_assert_eq(r.detected, MIKEY_FORMAT_HEX);
	expect_bytes(&r, "\xde\xad\xbe\xef", 4);
	done(&r);

	r = run("0x0100 0580", MIKEY_FORMAT_AUTO);
	cr_assert_eq(r.detected, MIKEY_FORMAT_HEX);
	done(&r);

	r = run("01:00:05:80", MIKEY_FORMAT_AUTO);
	cr_assert_eq(r.detected, MIKEY_FORMAT_HEX);
	done(&r);

	r = run(OFFER_B64 "\n", MIKEY_FORMAT_AUTO);
	cr_assert_eq(r.detected, MIKEY_FORMAT_BASE64);
	expect_offer(&r);
	done(&r);

	/* a line starting with KeyMgmt: makes it RTSP even with SDP in it */
	r = run("a=key-mgmt:mikey " ANSWER_B64 "\nkeymgmt: prot=mikey; data=\"" OFFER_B64 "\"\n", MIKEY_FORMAT_AUTO);
	cr_assert_eq(r.detected, MIKEY_FORMAT_RTSP);
	expect_offer(&r);
	done(&r);

	/* printable text that is none of the carriers: taken as binary */
	r = run("hello, world", MIKEY_FORMAT_AUTO);
	cr_assert_eq(r.detected, MIKEY_FORMAT_BIN);
	done(&r);

	/* empty input */
	r = run("", MIKEY_FORMAT_AUTO);
	cr_assert_eq(r.rc, MIKEY_ERR_FORMAT);
	r = run("", MIKEY_FORMAT_BIN);
	cr_assert_eq(r.rc, MIKEY_ERR_FORMAT);
}

/* The decoded message of the carriers parses as MIKEY (needs the codec). */
Test(text, carriers_yield_parseable_mikey)
{
	result r = run(sdp_session, MIKEY_FORMAT_AUTO);
	mikey_msg *msg = NULL;
	mikey_error err;

	expect_offer(&r);
	cr_assert_eq(mikey_msg_parse(r.out, r.len, NULL, &msg, &err), MIKEY_OK, "%s", err.message);
	cr_assert_eq(msg->hdr.data_type, MIKEY_DT_PSK_INIT);
	cr_assert_eq(msg->hdr.csb_id, 0xcd177e50u);
	cr_assert_eq(msg->payloads.count, 5);
	mikey_msg_free(msg);
	done(&r);
}
