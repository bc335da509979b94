/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/codec.c - libmikey's codec against GStreamer's GstMIKEYMessage.
 *
 * The corpus is the one kind of message both parsers understand (GStreamer
 * 1.22 loops forever on ID, V, SIGN, CERT, DH, ERR and GEN_EXT): a
 * pre-shared-key I_MESSAGE as RFC 3830 §5.3 describes it,
 *   HDR (SRTP-ID map, 1-4 CS), T (NTP-UTC), RAND (16 bytes),
 *   SP (SRTP, 5-13 parameters), KEMAC (NULL encryption, NULL MAC) holding
 *   1-3 Key data sub-payloads (TEK+SALT, KV SPI),
 * built deterministically with libmikey's public builder.
 *
 * Four operations, each timed over N messages per round, rounds alternating
 * the order in which the operations run so that drift (frequency scaling, a
 * noisy neighbour) hits both sides alike:
 *   (a) gst_mikey_message_new_from_data + gst_mikey_message_unref
 *   (b) mikey_msg_parse + mikey_msg_free
 *   (c) mikey_msg_build of a parsed message + mikey_buf_free
 *   (d) gst_mikey_message_to_bytes of a parsed message + g_bytes_unref
 * The ratios are GStreamer's time over ours within the same round, median
 * over rounds: the bench compares, it never asserts on absolute time.
 */
#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gst/gst.h>
#include <gst/sdp/gstmikey.h>

#include "mikey/mikey.h"

#include "alloc_count.h"

extern char **environ;

#define CORPUS_SIZE 64
#define DEFAULT_ITERATIONS 200000
#define DEFAULT_ROUNDS 15
#define TARGET_DECODE_RATIO 3.0

enum op { OP_GST_DECODE, OP_MIKEY_DECODE, OP_MIKEY_ENCODE, OP_GST_ENCODE, N_OPS };

static const char *const op_label[N_OPS] = {
	"(a) decode GStreamer new_from_data+unref",
	"(b) decode libmikey  mikey_msg_parse+free",
	"(c) encode libmikey  mikey_msg_build+buf_free",
	"(d) encode GStreamer to_bytes+g_bytes_unref",
};

static const char *const op_key[N_OPS] = {"gst_decode", "mikey_decode", "mikey_encode", "gst_encode"};

typedef struct corpus_item {
	uint8_t *buf; /* from mikey_msg_build */
	size_t len;
	mikey_msg *parsed;   /* input of (c) */
	GstMIKEYMessage *gst; /* input of (d) */
} corpus_item;

typedef struct corpus {
	corpus_item item[CORPUS_SIZE];
	size_t n;
	size_t min_len, max_len, total_len;
} corpus;

/* ---------------------------------------------------------------------- */
/* libmikey's allocator hook: counts calls, forwards to the C library.     */

typedef struct hook_count {
	size_t mallocs, reallocs, frees;
} hook_count;

static hook_count hook;

static void *hook_malloc(size_t size, void *user)
{
	(void)user;
	hook.mallocs++;
	return malloc(size);
}

static void *hook_realloc(void *ptr, size_t size, void *user)
{
	(void)user;
	hook.reallocs++;
	return realloc(ptr, size);
}

static void hook_free(void *ptr, void *user)
{
	(void)user;
	hook.frees++;
	free(ptr);
}

/* ---------------------------------------------------------------------- */
/* Deterministic corpus.                                                   */

/* splitmix64: a fixed seed gives the same corpus on every machine. */
static uint64_t rng_state = 0x4d494b4559ULL; /* "MIKEY" */

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng_next();
}

static void die(const char *what, int rc, const mikey_error *err)
{
	fprintf(stderr, "codec bench: %s: %s", what, mikey_strerror(rc));
	if (err != NULL && err->message[0] != '\0')
		fprintf(stderr, " (%s, offset %zu)", err->message, err->offset);
	fputc('\n', stderr);
	exit(2);
}

static void *msg_alloc_or_die(mikey_msg *msg, size_t n)
{
	void *p = mikey_msg_alloc(msg, n);
	if (p == NULL)
		die("mikey_msg_alloc", MIKEY_ERR_NOMEM, NULL);
	return p;
}

static mikey_payload *add_or_die(mikey_msg *msg, mikey_payload_list *list, uint8_t type)
{
	mikey_payload *p = mikey_msg_add_payload(msg, list, type);
	if (p == NULL)
		die("mikey_msg_add_payload", MIKEY_ERR_NOMEM, NULL);
	return p;
}

static void set_random_bytes(mikey_msg *msg, mikey_bytes *dst, size_t len)
{
	uint8_t tmp[64];
	int rc;

	rng_fill(tmp, len);
	rc = mikey_msg_set_bytes(msg, dst, tmp, len);
	if (rc != MIKEY_OK)
		die("mikey_msg_set_bytes", rc, NULL);
}

/* One SRTP policy parameter with a value a real offer would carry
 * (RFC 3830 §6.10.1, RFC 3711 defaults: AES-CM, HMAC-SHA1-80). */
static void srtp_param(uint8_t type, bool aes256, uint8_t *val, uint8_t *len)
{
	static const uint8_t one_byte[13] = {
		MIKEY_SRTP_ENCR_AES_CM, 16, MIKEY_SRTP_AUTH_HMAC_SHA1, 20, 14, 0, 0, 1, 1, 0, 1, 10, 0,
	};

	*len = 1;
	val[0] = one_byte[type];
	if (type == MIKEY_SRTP_ENCR_KEY_LEN && aes256)
		val[0] = 32;
	if (type == MIKEY_SRTP_KEY_DERIV_RATE) {
		/* A 32-bit rate, as deployed encoders send it; 0 = derive once. */
		*len = 4;
		memset(val, 0, 4);
	}
}

static mikey_msg *corpus_message(size_t i)
{
	const size_t n_cs = 1 + i % 4;
	const size_t n_params = 5 + (i * 5) % 9; /* 5..13, decorrelated from n_cs */
	const size_t n_keys = 1 + (i / 4) % 3;
	const bool aes256 = i % 5 == 4;
	mikey_msg *msg = mikey_msg_new();
	mikey_payload *p, *kemac;

	if (msg == NULL)
		die("mikey_msg_new", MIKEY_ERR_NOMEM, NULL);

	/* RFC 3830 §6.1: HDR with an SRTP-ID map, one entry per SSRC. */
	msg->hdr.version = MIKEY_VERSION_1;
	msg->hdr.data_type = MIKEY_DT_PSK_INIT;
	msg->hdr.v = i % 3 == 0;
	msg->hdr.prf_func = MIKEY_PRF_MIKEY_1;
	msg->hdr.csb_id = (uint32_t)rng_next();
	msg->hdr.n_cs = (uint8_t)n_cs;
	msg->hdr.map_type = MIKEY_MAP_SRTP_ID;
	msg->hdr.srtp_cs = msg_alloc_or_die(msg, n_cs * sizeof(mikey_srtp_cs));
	for (size_t c = 0; c < n_cs; c++) {
		msg->hdr.srtp_cs[c].policy_no = 0;
		msg->hdr.srtp_cs[c].ssrc = (uint32_t)rng_next();
		msg->hdr.srtp_cs[c].roc = c == 0 ? 0 : (uint32_t)(rng_next() & 0xffff);
	}

	/* §6.6: T, NTP-UTC (64 bits). */
	p = add_or_die(msg, &msg->payloads, MIKEY_PT_T);
	p->u.ts.ts_type = MIKEY_TS_NTP_UTC;
	p->u.ts.value = (UINT64_C(3900000000) + i * 17) << 32 | (rng_next() & 0xffffffffu);

	/* §6.11: RAND, 16 bytes (the minimum §6.11 recommends). */
	p = add_or_die(msg, &msg->payloads, MIKEY_PT_RAND);
	set_random_bytes(msg, &p->u.rand.rand, 16);

	/* §6.10: SP for SRTP, parameters in type order. */
	p = add_or_die(msg, &msg->payloads, MIKEY_PT_SP);
	p->u.sp.policy_no = 0;
	p->u.sp.prot_type = MIKEY_PROT_SRTP;
	p->u.sp.n_params = n_params;
	p->u.sp.params = msg_alloc_or_die(msg, n_params * sizeof(mikey_sp_param));
	for (size_t k = 0; k < n_params; k++) {
		mikey_sp_param *sp = &p->u.sp.params[k];
		uint8_t val[4];

		sp->type = (uint8_t)k;
		srtp_param(sp->type, aes256, val, &sp->len);
		sp->value = msg_alloc_or_die(msg, sp->len);
		memcpy(sp->value, val, sp->len);
	}

	/* §6.2: KEMAC, NULL encryption and NULL MAC, so the Key data
	 * sub-payloads (§6.13) travel in the clear. */
	kemac = add_or_die(msg, &msg->payloads, MIKEY_PT_KEMAC);
	kemac->u.kemac.encr_alg = MIKEY_ENCR_NULL;
	kemac->u.kemac.mac_alg = MIKEY_MAC_NULL;
	for (size_t k = 0; k < n_keys; k++) {
		mikey_key_data *kd = &add_or_die(msg, &kemac->u.kemac.sub, MIKEY_PT_KEY_DATA)->u.key_data;
		uint8_t mki[4];
		size_t mki_len = 1 + (i + k) % 4;

		kd->key_type = MIKEY_KEY_TEK_SALT;
		set_random_bytes(msg, &kd->key, aes256 ? 32 : 16);
		set_random_bytes(msg, &kd->salt, 14);
		kd->kv.type = MIKEY_KV_SPI;
		memset(mki, 0, sizeof(mki));
		mki[mki_len - 1] = (uint8_t)(k + 1);
		if (mikey_msg_set_bytes(msg, &kd->kv.spi, mki, mki_len) != MIKEY_OK)
			die("mikey_msg_set_bytes", MIKEY_ERR_NOMEM, NULL);
	}
	return msg;
}

static size_t gst_kemac_subs(const GstMIKEYMessage *g)
{
	const GstMIKEYPayload *k = gst_mikey_message_find_payload(g, GST_MIKEY_PT_KEMAC, 0);
	return k != NULL ? gst_mikey_payload_kemac_get_n_sub(k) : 0;
}

static size_t gst_sp_params(const GstMIKEYMessage *g)
{
	const GstMIKEYPayload *s = gst_mikey_message_find_payload(g, GST_MIKEY_PT_SP, 0);
	return s != NULL ? gst_mikey_payload_sp_get_n_params(s) : 0;
}

typedef struct verify_report {
	size_t mikey_roundtrip_same; /* build(parse(x)) == x */
	size_t gst_roundtrip_same;   /* to_bytes(new_from_data(x)) == x */
} verify_report;

/* corpus_build builds the corpus and checks that both parsers accept every
 * message and see the same structure; exits when they do not, since a
 * comparison of parsers that disagree measures nothing. */
static void corpus_build(corpus *c, verify_report *vr)
{
	memset(c, 0, sizeof(*c));
	memset(vr, 0, sizeof(*vr));
	c->min_len = SIZE_MAX;
	for (size_t i = 0; i < CORPUS_SIZE; i++) {
		corpus_item *it = &c->item[i];
		mikey_msg *built = corpus_message(i);
		mikey_error err;
		GError *gerr = NULL;
		uint8_t *re;
		size_t re_len;
		int rc;

		rc = mikey_msg_build(built, &it->buf, &it->len, &err);
		if (rc != MIKEY_OK)
			die("mikey_msg_build (corpus)", rc, &err);
		mikey_msg_free(built);

		rc = mikey_msg_parse(it->buf, it->len, NULL, &it->parsed, &err);
		if (rc != MIKEY_OK) {
			fprintf(stderr, "codec bench: corpus message %zu:\n", i);
			die("mikey_msg_parse rejects it", rc, &err);
		}
		it->gst = gst_mikey_message_new_from_data(it->buf, it->len, NULL, &gerr);
		if (it->gst == NULL) {
			fprintf(stderr, "codec bench: corpus message %zu: GStreamer rejects it: %s\n", i,
			        gerr != NULL ? gerr->message : "(no GError)");
			exit(2);
		}

		{
			const mikey_payload *k = mikey_msg_find(it->parsed, MIKEY_PT_KEMAC, 0);
			const mikey_payload *s = mikey_msg_find(it->parsed, MIKEY_PT_SP, 0);
			size_t ours_pl = it->parsed->payloads.count, gst_pl = gst_mikey_message_get_n_payloads(it->gst);
			size_t ours_cs = it->parsed->hdr.n_cs, gst_cs = gst_mikey_message_get_n_cs(it->gst);
			size_t ours_sub = k != NULL ? k->u.kemac.sub.count : 0, gst_sub = gst_kemac_subs(it->gst);
			size_t ours_par = s != NULL ? s->u.sp.n_params : 0, gst_par = gst_sp_params(it->gst);

			if (ours_pl != gst_pl || ours_cs != gst_cs || ours_sub != gst_sub || ours_par != gst_par) {
				fprintf(stderr,
				        "codec bench: corpus message %zu: parsers disagree: payloads %zu/%zu, "
				        "CS %zu/%zu, KEMAC subs %zu/%zu, SP params %zu/%zu (libmikey/GStreamer)\n",
				        i, ours_pl, gst_pl, ours_cs, gst_cs, ours_sub, gst_sub, ours_par, gst_par);
				exit(2);
			}
		}

		rc = mikey_msg_build(it->parsed, &re, &re_len, &err);
		if (rc != MIKEY_OK)
			die("mikey_msg_build (parsed corpus message)", rc, &err);
		if (re_len == it->len && memcmp(re, it->buf, re_len) == 0)
			vr->mikey_roundtrip_same++;
		mikey_buf_free(re, re_len);
		{
			GBytes *b = gst_mikey_message_to_bytes(it->gst, NULL, NULL);
			gsize n = 0;
			const void *d = b != NULL ? g_bytes_get_data(b, &n) : NULL;

			if (b == NULL) {
				fprintf(stderr, "codec bench: corpus message %zu: GStreamer cannot encode it\n", i);
				exit(2);
			}
			if (n == it->len && memcmp(d, it->buf, n) == 0)
				vr->gst_roundtrip_same++;
			g_bytes_unref(b);
		}

		c->total_len += it->len;
		if (it->len < c->min_len)
			c->min_len = it->len;
		if (it->len > c->max_len)
			c->max_len = it->len;
		c->n++;
	}
}

static void corpus_free(corpus *c)
{
	for (size_t i = 0; i < c->n; i++) {
		mikey_buf_free(c->item[i].buf, c->item[i].len);
		mikey_msg_free(c->item[i].parsed);
		gst_mikey_message_unref(c->item[i].gst);
	}
}

/* ---------------------------------------------------------------------- */
/* The four operations.                                                    */

/* Results flow into a volatile sink so no call can be dropped. */
static volatile uint64_t sink;

static void run_op(enum op op, const corpus *c, size_t iterations)
{
	uint64_t acc = 0;
	size_t j = 0;

	switch (op) {
	case OP_GST_DECODE:
		for (size_t i = 0; i < iterations; i++) {
			GstMIKEYMessage *m = gst_mikey_message_new_from_data(c->item[j].buf, c->item[j].len, NULL, NULL);
			acc += m != NULL;
			gst_mikey_message_unref(m);
			if (++j == c->n)
				j = 0;
		}
		break;
	case OP_MIKEY_DECODE:
		for (size_t i = 0; i < iterations; i++) {
			mikey_msg *m = NULL;
			int rc = mikey_msg_parse(c->item[j].buf, c->item[j].len, NULL, &m, NULL);
			acc += (uint64_t)(rc == MIKEY_OK);
			mikey_msg_free(m);
			if (++j == c->n)
				j = 0;
		}
		break;
	case OP_MIKEY_ENCODE:
		for (size_t i = 0; i < iterations; i++) {
			uint8_t *out = NULL;
			size_t out_len = 0;
			int rc = mikey_msg_build(c->item[j].parsed, &out, &out_len, NULL);
			acc += rc == MIKEY_OK ? out_len : 0;
			mikey_buf_free(out, out_len);
			if (++j == c->n)
				j = 0;
		}
		break;
	case OP_GST_ENCODE:
		for (size_t i = 0; i < iterations; i++) {
			GBytes *b = gst_mikey_message_to_bytes(c->item[j].gst, NULL, NULL);
			acc += g_bytes_get_size(b);
			g_bytes_unref(b);
			if (++j == c->n)
				j = 0;
		}
		break;
	default:
		abort();
	}
	sink += acc;
}

static double clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Wall time, the measure the ratios are reported in. */
static double now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* CPU time of this thread: unlike wall time it stops while the scheduler
 * runs someone else, so on a busy machine it shows what the wall-clock
 * figures would have been. Reported next to them, never instead. */
static double cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* Bytes the operation consumes (decode) or produces (encode) over
 * |iterations| messages, for MB/s. */
static double op_bytes(const corpus *c, size_t iterations)
{
	double full = (double)(iterations / c->n) * (double)c->total_len;
	for (size_t j = 0; j < iterations % c->n; j++)
		full += (double)c->item[j].len;
	return full;
}

/* ---------------------------------------------------------------------- */
/* Allocation counts.                                                      */

typedef struct alloc_result {
	double hook[N_OPS];  /* allocator calls per message (malloc+realloc) */
	bool proc_ok;        /* process-wide counts from the child */
	double proc[N_OPS];  /* malloc+calloc+realloc per message */
	char proc_why[256];  /* when !proc_ok */
} alloc_result;

/* One pass over the corpus per operation, counting with both counters.
 * Run in the child (G_SLICE=always-malloc) for process-wide numbers, and in
 * the parent for libmikey's hook numbers, which GSlice does not affect. */
static void count_allocs(const corpus *c, double hook_out[N_OPS], double proc_out[N_OPS])
{
	for (int op = 0; op < N_OPS; op++) {
		bench_alloc_stats s;

		run_op((enum op)op, c, c->n); /* warm: GLib caches its type data on first use */
		memset(&hook, 0, sizeof(hook));
		bench_alloc_start();
		run_op((enum op)op, c, c->n);
		s = bench_alloc_stop();
		hook_out[op] = (double)(hook.mallocs + hook.reallocs) / (double)c->n;
		proc_out[op] = (double)(s.mallocs + s.reallocs) / (double)c->n;
	}
}

/* Child mode: print process-wide counts on one line for the parent. */
static int child_count_allocs(const corpus *c)
{
	double h[N_OPS], p[N_OPS];
	const char *slice = getenv("G_SLICE");

	if (!bench_alloc_available()) {
		printf("unavailable this executable has no malloc interposer (use codec-allocs)\n");
		return 0;
	}
	if (slice == NULL || strstr(slice, "always-malloc") == NULL) {
		printf("unavailable G_SLICE=always-malloc not set\n");
		return 0;
	}
	count_allocs(c, h, p);
	printf("allocs %.4f %.4f %.4f %.4f\n", p[0], p[1], p[2], p[3]);
	return 0;
}

/* Runs the sibling executable codec-allocs (this file built with the malloc
 * interposer, see meson.build) with G_SLICE=always-malloc, so that GSlice
 * blocks are malloc calls too, and reads its counts. The timing executable
 * carries no interposer, so neither side pays for counting while timed. */
static void spawn_alloc_child(alloc_result *ar)
{
	int fds[2];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	char self[4096];
	char *argv[] = {self, (char *)"--count-allocs", NULL};
	char **envp;
	size_t n_env = 0, k = 0;
	char line[256] = "";
	char *slash;
	ssize_t n;
	FILE *f;
	int status, rc;

	ar->proc_ok = false;
	snprintf(ar->proc_why, sizeof(ar->proc_why), "could not run the counting child codec-allocs");
#ifndef BENCH_HAVE_ALLOC_CHILD
	snprintf(ar->proc_why, sizeof(ar->proc_why), "codec-allocs not built (its malloc interposer needs glibc)");
	return;
#endif
	n = readlink("/proc/self/exe", self, sizeof(self) - 32);
	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash == NULL)
		return;
	strcpy(slash + 1, "codec-allocs");
	if (access(self, X_OK) != 0) {
		snprintf(ar->proc_why, sizeof(ar->proc_why), "%.200s not found", self);
		return;
	}
	while (environ[n_env] != NULL)
		n_env++;
	envp = calloc(n_env + 2, sizeof(*envp));
	if (envp == NULL || pipe(fds) != 0) {
		free(envp);
		return;
	}
	for (size_t i = 0; i < n_env; i++)
		if (strncmp(environ[i], "G_SLICE=", 8) != 0)
			envp[k++] = environ[i];
	envp[k++] = (char *)"G_SLICE=always-malloc";
	envp[k] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	rc = posix_spawn(&pid, self, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return;
	}
	f = fdopen(fds[0], "r");
	if (f != NULL) {
		if (fgets(line, sizeof(line), f) == NULL)
			line[0] = '\0';
		fclose(f);
	} else {
		close(fds[0]);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (sscanf(line, "allocs %lf %lf %lf %lf", &ar->proc[0], &ar->proc[1], &ar->proc[2], &ar->proc[3]) == 4) {
		ar->proc_ok = true;
	} else if (strncmp(line, "unavailable ", 12) == 0) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(ar->proc_why, sizeof(ar->proc_why), "%.200s", line + 12);
	}
}

/* ---------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(const double *v, size_t n)
{
	double *tmp = malloc(n * sizeof(double));
	double m;

	if (tmp == NULL)
		abort();
	memcpy(tmp, v, n * sizeof(double));
	qsort(tmp, n, sizeof(double), cmp_double);
	m = n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
	free(tmp);
	return m;
}

static double min_of(const double *v, size_t n)
{
	double m = v[0];
	for (size_t i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double max_of(const double *v, size_t n)
{
	double m = v[0];
	for (size_t i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

/* ---------------------------------------------------------------------- */
/* Timing.                                                                 */

typedef struct op_stats {
	double med, lo, hi; /* wall ns per message over rounds */
	double cpu_med;     /* thread-CPU ns per message, median over rounds */
} op_stats;

typedef struct results {
	size_t iterations, rounds;
	double *wall, *cpu;   /* ns per message, [round * N_OPS + op] */
	double *dec, *enc;    /* per-round ratios GStreamer/libmikey, wall */
	double *dec_cpu, *enc_cpu;
	op_stats op[N_OPS];
	double dec_ratio, enc_ratio;         /* medians, wall */
	double dec_ratio_cpu, enc_ratio_cpu; /* medians, CPU */
	double bytes_per_msg; /* of the timed loops, for MB/s */
	double wall_s, cpu_s; /* whole timing phase */
} results;

static void results_free(results *res)
{
	free(res->wall);
	free(res->cpu);
	free(res->dec);
	free(res->enc);
	free(res->dec_cpu);
	free(res->enc_cpu);
}

static op_stats stats_of(const double *per_round_op, const double *cpu_round_op, size_t rounds, int op)
{
	double *col = malloc(rounds * sizeof(double));
	double *ccol = malloc(rounds * sizeof(double));
	op_stats st;

	if (col == NULL || ccol == NULL)
		abort();
	for (size_t r = 0; r < rounds; r++) {
		col[r] = per_round_op[r * N_OPS + op];
		ccol[r] = cpu_round_op[r * N_OPS + op];
	}
	st.med = median(col, rounds);
	st.lo = min_of(col, rounds);
	st.hi = max_of(col, rounds);
	st.cpu_med = median(ccol, rounds);
	free(col);
	free(ccol);
	return st;
}

/* measure runs a discarded warm-up round, then |rounds| rounds in which
 * every operation handles |iterations| messages; the order is a,b,c,d on
 * even rounds and b,a,d,c on odd ones, so neither side of a comparison
 * always runs first. */
static void measure(const corpus *c, size_t iterations, size_t rounds, results *res)
{
	static const enum op order[2][N_OPS] = {
		{OP_GST_DECODE, OP_MIKEY_DECODE, OP_MIKEY_ENCODE, OP_GST_ENCODE},
		{OP_MIKEY_DECODE, OP_GST_DECODE, OP_GST_ENCODE, OP_MIKEY_ENCODE},
	};
	double w0, c0;

	memset(res, 0, sizeof(*res));
	res->iterations = iterations;
	res->rounds = rounds;
	res->wall = calloc(rounds * N_OPS, sizeof(double));
	res->cpu = calloc(rounds * N_OPS, sizeof(double));
	res->dec = calloc(rounds, sizeof(double));
	res->enc = calloc(rounds, sizeof(double));
	res->dec_cpu = calloc(rounds, sizeof(double));
	res->enc_cpu = calloc(rounds, sizeof(double));
	if (res->wall == NULL || res->cpu == NULL || res->dec == NULL || res->enc == NULL || res->dec_cpu == NULL ||
	    res->enc_cpu == NULL)
		abort();
	res->bytes_per_msg = op_bytes(c, iterations) / (double)iterations;

	w0 = now_ns();
	c0 = cpu_ns();
	for (int op = 0; op < N_OPS; op++)
		run_op((enum op)op, c, iterations / 10 + c->n);
	for (size_t r = 0; r < rounds; r++) {
		double *wall = &res->wall[r * N_OPS], *cpu = &res->cpu[r * N_OPS];

		for (int k = 0; k < N_OPS; k++) {
			enum op op = order[r % 2][k];
			double t0 = now_ns(), u0 = cpu_ns();

			run_op(op, c, iterations);
			cpu[op] = (cpu_ns() - u0) / (double)iterations;
			wall[op] = (now_ns() - t0) / (double)iterations;
		}
		res->dec[r] = wall[OP_GST_DECODE] / wall[OP_MIKEY_DECODE];
		res->enc[r] = wall[OP_GST_ENCODE] / wall[OP_MIKEY_ENCODE];
		res->dec_cpu[r] = cpu[OP_GST_DECODE] / cpu[OP_MIKEY_DECODE];
		res->enc_cpu[r] = cpu[OP_GST_ENCODE] / cpu[OP_MIKEY_ENCODE];
	}
	res->wall_s = (now_ns() - w0) / 1e9;
	res->cpu_s = (cpu_ns() - c0) / 1e9;
	for (int op = 0; op < N_OPS; op++)
		res->op[op] = stats_of(res->wall, res->cpu, rounds, op);
	res->dec_ratio = median(res->dec, rounds);
	res->enc_ratio = median(res->enc, rounds);
	res->dec_ratio_cpu = median(res->dec_cpu, rounds);
	res->enc_ratio_cpu = median(res->enc_cpu, rounds);
}

/* A busy machine (other jobs on these cores) stretches wall time; say so
 * rather than let a reader trust noisy ratios. */
static bool machine_busy(const results *res)
{
	return res->cpu_s < 0.9 * res->wall_s;
}

static void print_json(const corpus *c, const verify_report *vr, const alloc_result *ar, const results *res)
{
	const size_t rounds = res->rounds;

	printf("{\n  \"gstreamer_version\": \"%s\",\n", gst_version_string());
	printf("  \"corpus\": {\"messages\": %zu, \"min_bytes\": %zu, \"max_bytes\": %zu, \"avg_bytes\": %.1f, "
	       "\"mikey_roundtrip_identical\": %zu, \"gst_roundtrip_identical\": %zu},\n",
	       c->n, c->min_len, c->max_len, (double)c->total_len / (double)c->n, vr->mikey_roundtrip_same,
	       vr->gst_roundtrip_same);
	printf("  \"iterations\": %zu,\n  \"rounds\": %zu,\n  \"operations\": [\n", res->iterations, rounds);
	for (int op = 0; op < N_OPS; op++) {
		const op_stats *st = &res->op[op];

		printf("    {\"name\": \"%s\", \"ns_per_msg_median\": %.1f, \"ns_per_msg_min\": %.1f, "
		       "\"ns_per_msg_max\": %.1f, \"cpu_ns_per_msg_median\": %.1f, \"msgs_per_s\": %.0f, "
		       "\"mb_per_s\": %.1f, ",
		       op_key[op], st->med, st->lo, st->hi, st->cpu_med, 1e9 / st->med, res->bytes_per_msg * 1e3 / st->med);
		if (op == OP_MIKEY_DECODE || op == OP_MIKEY_ENCODE)
			printf("\"mikey_allocs_per_msg\": %.2f, ", ar->hook[op]);
		if (ar->proc_ok)
			printf("\"process_allocs_per_msg\": %.2f}", ar->proc[op]);
		else
			printf("\"process_allocs_per_msg\": null}");
		printf("%s\n", op + 1 < N_OPS ? "," : "");
	}
	printf("  ],\n");
	printf("  \"decode_ratio\": %.2f,\n  \"encode_ratio\": %.2f,\n", res->dec_ratio, res->enc_ratio);
	printf("  \"decode_ratio_min\": %.2f,\n  \"decode_ratio_max\": %.2f,\n", min_of(res->dec, rounds),
	       max_of(res->dec, rounds));
	printf("  \"encode_ratio_min\": %.2f,\n  \"encode_ratio_max\": %.2f,\n", min_of(res->enc, rounds),
	       max_of(res->enc, rounds));
	printf("  \"decode_ratio_cpu\": %.2f,\n  \"encode_ratio_cpu\": %.2f,\n", res->dec_ratio_cpu,
	       res->enc_ratio_cpu);
	printf("  \"target_decode_ratio\": %.1f,\n  \"target_met\": %s,\n", TARGET_DECODE_RATIO,
	       res->dec_ratio >= TARGET_DECODE_RATIO ? "true" : "false");
	printf("  \"allocs_per_msg\": %.2f,\n", ar->hook[OP_MIKEY_DECODE]);
	printf("  \"timing_wall_s\": %.2f,\n  \"timing_cpu_s\": %.2f,\n  \"machine_busy\": %s\n}\n", res->wall_s,
	       res->cpu_s, machine_busy(res) ? "true" : "false");
}

static void print_text(const corpus *c, const verify_report *vr, const alloc_result *ar, const results *res)
{
	const size_t rounds = res->rounds;

	printf("libmikey codec vs %s GstMIKEYMessage\n", gst_version_string());
	printf("corpus: %zu PSK messages (HDR SRTP-ID 1-4 CS, T NTP-UTC, RAND 16, SP SRTP 5-13 params,\n"
	       "        KEMAC NULL/NULL with 1-3 Key data TEK+SALT/SPI), %zu..%zu bytes, avg %.1f\n",
	       c->n, c->min_len, c->max_len, (double)c->total_len / (double)c->n);
	printf("checked: both parsers accept all %zu, same payload/CS/sub-payload/SP-param counts;\n"
	       "         re-encoded byte-identically: libmikey %zu/%zu, GStreamer %zu/%zu\n",
	       c->n, vr->mikey_roundtrip_same, c->n, vr->gst_roundtrip_same, c->n);
	printf("timing: %zu rounds x %zu messages per operation; wall ns/msg median [min..max] over rounds,\n"
	       "        cpu = thread CPU time, median\n\n",
	       rounds, res->iterations);
	printf("%-46s %8s %15s %8s %10s %8s %10s\n", "operation", "ns/msg", "[min..max]", "cpu", "msgs/s", "MB/s",
	       "allocs/msg");
	for (int op = 0; op < N_OPS; op++) {
		const op_stats *st = &res->op[op];
		char range[48], allocs[32];

		snprintf(range, sizeof(range), "[%.0f..%.0f]", st->lo, st->hi);
		if (op == OP_MIKEY_DECODE || op == OP_MIKEY_ENCODE)
			snprintf(allocs, sizeof(allocs), "%.2f", ar->hook[op]);
		else if (ar->proc_ok)
			snprintf(allocs, sizeof(allocs), "%.2f", ar->proc[op]);
		else
			snprintf(allocs, sizeof(allocs), "n/a");
		printf("%-46s %8.1f %15s %8.1f %10.0f %8.1f %10s\n", op_label[op], st->med, range, st->cpu_med,
		       1e9 / st->med, res->bytes_per_msg * 1e3 / st->med, allocs);
	}
	printf("\nallocs/msg: libmikey counted through mikey_mem_set (malloc+realloc calls);\n");
	if (ar->proc_ok)
		printf("  GStreamer counted process-wide (malloc+calloc+realloc) by codec-allocs with\n"
		       "  G_SLICE=always-malloc; the same count for libmikey: decode %.2f, encode %.2f\n",
		       ar->proc[OP_MIKEY_DECODE], ar->proc[OP_MIKEY_ENCODE]);
	else
		printf("  GStreamer not counted: %s\n", ar->proc_why);
	printf("ratio per round (wall): decode [%.2f..%.2f], encode [%.2f..%.2f]\n", min_of(res->dec, rounds),
	       max_of(res->dec, rounds), min_of(res->enc, rounds), max_of(res->enc, rounds));
	printf("ratio from thread CPU time: decode %.2fx, encode %.2fx\n", res->dec_ratio_cpu, res->enc_ratio_cpu);
	if (machine_busy(res))
		printf("warning: machine busy, this process ran %.0f%% of the wall time (%.1f of %.1f s); "
		       "wall figures are noisy\n",
		       100.0 * res->cpu_s / res->wall_s, res->cpu_s, res->wall_s);
	printf("target decode ratio >= %.1fx: %s\n", TARGET_DECODE_RATIO,
	       res->dec_ratio >= TARGET_DECODE_RATIO ? "met" : "NOT met");
	printf("decode ratio (libmikey/GStreamer): %.1fx  encode ratio: %.1fx  allocs/msg: %.3g\n", res->dec_ratio,
	       res->enc_ratio, ar->hook[OP_MIKEY_DECODE]);
}

static void usage(FILE *f, const char *argv0)
{
	fprintf(f,
	        "usage: %s [--iterations N] [--rounds N] [--json] [--only OP]\n"
	        "  --iterations N  messages per operation per round (default %d)\n"
	        "  --rounds N      timed rounds, operation order alternating (default %d)\n"
	        "  --json          print the results as one JSON object\n"
	        "  --only OP       run only OP (gst_decode, mikey_decode, mikey_encode, gst_encode)\n"
	        "                  N x rounds times, for callgrind or perf; no ratios\n",
	        argv0, DEFAULT_ITERATIONS, DEFAULT_ROUNDS);
}

static bool parse_count(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 1000000000ULL)
		return false;
	*out = (size_t)v;
	return true;
}

int main(int argc, char **argv)
{
	const mikey_mem counting = {hook_malloc, hook_realloc, hook_free, NULL};
	size_t iterations = DEFAULT_ITERATIONS, rounds = DEFAULT_ROUNDS;
	bool json = false, child = false;
	int only = -1;
	corpus *c;
	verify_report vr;
	alloc_result ar;
	results res;
	double proc_parent[N_OPS];

	/* mem.h: install the allocator before any other libmikey call. */
	mikey_mem_set(&counting);

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
			if (!parse_count(argv[++i], &iterations)) {
				fprintf(stderr, "codec bench: --iterations wants a positive integer\n");
				return 1;
			}
		} else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			if (!parse_count(argv[++i], &rounds) || rounds > 1000) {
				fprintf(stderr, "codec bench: --rounds wants an integer in 1..1000\n");
				return 1;
			}
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			i++;
			for (int op = 0; op < N_OPS; op++)
				if (strcmp(argv[i], op_key[op]) == 0)
					only = op;
			if (only < 0) {
				usage(stderr, argv[0]);
				return 1;
			}
		} else if (strcmp(argv[i], "--count-allocs") == 0) {
			child = true; /* internal: see spawn_alloc_child() */
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout, argv[0]);
			return 0;
		} else {
			usage(stderr, argv[0]);
			return 1;
		}
	}

	c = malloc(sizeof(*c));
	if (c == NULL)
		return 2;
	corpus_build(c, &vr);

	if (child) {
		int rc = child_count_allocs(c);
		corpus_free(c);
		free(c);
		return rc;
	}

	if (only >= 0) {
		double t0 = now_ns();

		for (size_t r = 0; r < rounds; r++)
			run_op((enum op)only, c, iterations);
		printf("%s: %.1f ns/msg over %zu messages\n", op_key[only], (now_ns() - t0) / (double)(rounds * iterations),
		       rounds * iterations);
		corpus_free(c);
		free(c);
		return 0;
	}

	/* Allocation counts first (they also warm caches and GLib's type data). */
	memset(&ar, 0, sizeof(ar));
	count_allocs(c, ar.hook, proc_parent);
	spawn_alloc_child(&ar);

	measure(c, iterations, rounds, &res);
	if (json)
		print_json(c, &vr, &ar, &res);
	else
		print_text(c, &vr, &ar, &res);
	results_free(&res);

	corpus_free(c);
	free(c);
	return 0;
}
