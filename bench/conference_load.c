/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/conference_load.c - N signalling members of a mikey-sip-agent
 * conference in one process, against a real key server (docs/bench.md,
 * "bench/conference"; bench/conference.py starts everything).
 *
 * sofia-sip nua instances (sip-agent/agent/sip_ua.c; one per
 * --members-per-ua members, each on its own port: see main) carry the
 * simulated members: one nua handle, one mikey_ctx, one PSK, one SSRC, one
 * bound (but never read) UDP media port and, with TESLA, one key-chain
 * commitment each. A
 * member joins exactly as sip-agent/agent/member.c does (PSK I_MESSAGE, V
 * flag, its one crypto session, its TESLA parameters) and answers each
 * push as member.c does (mikey_respond; the key server's identity, the CSB
 * ID it joined and an MKI that never moves back are checked; 200 OK with
 * the verification message, or 488 with a Warning). It records the MKI it
 * holds and when (CLOCK_MONOTONIC) it answered the push that brought it.
 *
 * Phases, each bounded in time (a clear message and exit status 1 when a
 * bound is passed, or as soon as the key server process is gone):
 *   join     one join every 1/--join-rate s; then wait until every member
 *            is admitted and holds the latest generation listing every
 *            member of its group (the load members and --config's
 *            extra-members, the real media members);
 *   cost     the key server's CPU time and VmRSS (/proc/<pid>) before the
 *            first join, once all are settled, and (VmRSS) after the
 *            leaves;
 *   baseline (a) a push of the same size done in this process: a
 *            generation like the key server's (ks_generation_make, the
 *            group's senders with their TESLA parameters), mikey_initiate +
 *            mikey_respond + mikey_exchange_finish, averaged over
 *            --mikey-runs; (b) an out-of-dialog OPTIONS to the key server
 *            and its answer, averaged over --options-runs;
 *   leave    the [load] leavers send BYE one at a time; for each, the time
 *            from the BYE to the moment the last remaining member of its
 *            group answered the push carrying the next MKI; the next BYE
 *            goes only when every one has.
 * Scale mode (bench/scale.py; [load] batches in the configuration): no
 * baselines; each [batch:NAME] in turn: its leavers send BYE at once, its
 * joiners join --join-window at a time (a 503 with Retry-After is called
 * again, as member.c does), and the batch ends when every group is settled
 * on the generation that lists exactly its present members. With --proxy
 * every request goes through the proxy (Kamailio), which record-routes.
 * Then the results go to --out as JSON and the process answers pushes
 * until SIGTERM (the driver stops the key server first, whose summary is
 * compared with the MKIs recorded here).
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <glib.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_tag.h>

#include <mikey/group.h>
#include <mikey/mem.h>
#include <mikey/rng.h>
#include <mikey/srtp.h>
#include <mikey/tesla.h>
#include <mikey/types.h>

#include "config.h"
#include "summary_file.h"
#include "ks_generation.h"
#include "mikey_setup.h"
#include "sdp_keymgmt.h"
#include "sip_ua.h"

/* TESLA as member.c sets it up: 20 ms intervals, keys disclosed 4 later. */
#define TESLA_T_INT_MS 20u
#define TESLA_DELAY 4u
#define TESLA_SEED_LEN 20u
#define MEDIA_ADDR "127.0.0.1"
#define POLL_MS 20u

typedef enum { PH_JOIN, PH_OPTIONS, PH_LEAVE, PH_BATCH, PH_DONE } phase;

/* Scale mode (bench/scale.py): [load] batches; each batch's leavers send
 * BYE at once and its joiners join at most --join-window at a time; the
 * batch ends when every group is settled on the generation listing
 * exactly its present members. */
typedef struct lbatch {
	char *name;
	GPtrArray *join;  /* lmember*, borrowed */
	GPtrArray *leave; /* lmember*, borrowed */
	unsigned next_join;
	guint first_leave; /* its records in L->leaves */
	gint64 t_start, t_admitted, t_settled;
	unsigned retries; /* joins sent again after 503 + Retry-After */
	bool slow_said;
} lbatch;

typedef struct load load;
typedef struct lgroup lgroup;

typedef struct lmember {
	load *L;
	lgroup *g;
	char *name;
	char *identity;
	agent_config cfg; /* identity and PSK, for agent_mikey_ctx_new */
	mikey_ctx *mctx;
	mikey_exchange *reg_ex;
	mikey_exchange *held; /* the last push taken */
	mikey_tesla_params tesla;
	uint32_t ssrc;
	mikey_cs_desc cs; /* our crypto session: the SSRC, ROC 0, policy 0 */
	sip_ua *ua;       /* the nua its dialog is on */
	int media_fd;
	uint16_t media_port;
	nua_handle_t *nh;
	uint64_t sdp_version;
	bool joined, leaving, removed, failed;
	bool active;      /* in the conference: joined or joining (scale: from its batch on) */
	bool retrying;    /* scale: a join refused with 503 + Retry-After, sent again soon */
	unsigned join_tries;
	gint64 t_push;    /* when we answered the last push */
	bool have_csb;
	uint32_t csb_id;
	bool have_mki;
	uint32_t mki;
	size_t n_cs;
	gint64 t_mki;     /* when we answered the first push carrying mki */
	unsigned pushes;  /* pushes answered */
	unsigned refused; /* pushes refused */
} lmember;

struct lgroup {
	char *name;
	char *uri;
	unsigned extra;      /* members of the group outside this process */
	char **extra_logs;   /* their logs (mikey-sip-agent members), or NULL */
	GPtrArray *members;  /* lmember*, borrowed */
	size_t mikey_len;    /* the largest push seen (bytes of MIKEY) */
};

typedef struct leave_rec {
	lmember *m;
	uint32_t old_mki;
	unsigned reach; /* members the rekey had to reach (load + extra) */
	gint64 t_bye;
	gint64 t_first; /* the first remaining member on the new key */
	gint64 t_half;  /* half of them */
	gint64 t_last;  /* the last one */
	int64_t bye_local_ms; /* the BYE, local time of day (ms) */
	double extra_ms;      /* the last real member on the new key, ms after the BYE */
	unsigned pushes_before; /* pushes answered in the group before the BYE */
	unsigned pushes_after;
	double mikey_ns; /* baseline (a) for this group */
} leave_rec;

struct load {
	GMainLoop *loop;
	GPtrArray *uas; /* sip_ua*: members round-robin, --members-per-ua each */
	char *ks_identity;
	char *ks_uri;
	mikey_srtp_policy policy;
	bool tesla;
	double tesla_seconds;
	mikey_tesla_params extra_tesla; /* the media members' in baseline (a) */
	double join_rate;
	pid_t ks_pid;
	GArray *ks_pids; /* pid_t: every key server (--ks-pids); liveness */
	const char *out_path;
	/* scale mode */
	GPtrArray *batches; /* lbatch*; empty: the bench/conference phases */
	unsigned batch_i;
	unsigned join_window, joins_out, join_retries;
	gint64 t_batch_gap;
	GPtrArray *groups;  /* lgroup* */
	GPtrArray *members; /* lmember*, joining order */
	GPtrArray *leavers; /* lmember*, borrowed */
	unsigned options_runs, mikey_runs;
	double timeout_scale;
	/* state */
	phase ph;
	int rc;
	bool stopping; /* finish() was called */
	guint t_join, t_poll, t_quit;
	unsigned next_join;
	gint64 t_phase;     /* when the current wait started */
	gint64 t_first_join, t_last_admit, t_settled;
	unsigned admitted;
	unsigned pushes_to_settle; /* pushes answered by all load members until then */
	uint64_t ks_ticks_before, ks_ticks_after; /* utime + stime, clock ticks */
	uint64_t ks_cpu_ns_before, ks_cpu_ns_after; /* its threads' schedstat */
	uint64_t ks_rss_before, ks_rss_after, ks_rss_end;
	/* baseline (b) */
	nua_handle_t *opt_nh;
	unsigned opt_done;
	gint64 t_opt;
	GArray *opt_ns;   /* double */
	double options_ns;
	GHashTable *mikey_ns; /* lgroup* -> double* (baseline (a) per group size) */
	/* leaves */
	GArray *leaves; /* leave_rec */
	unsigned leave_i;
	bool leave_out;
	gint64 t_gap;
	unsigned refused_pushes, removed, join_failures;
};

static void finish(load *L, int rc, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void say(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "conference_load: %s\n", s);
	fflush(stderr);
	g_free(s);
}

static gboolean do_quit(gpointer p)
{
	load *L = p;
	L->t_quit = 0;
	g_main_loop_quit(L->loop);
	return G_SOURCE_REMOVE;
}

/* finish: stop with |rc| (the first failure wins) after saying why. */
static void finish(load *L, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	say("%s%s", rc != 0 ? "FAILED: " : "", s);
	g_free(s);
	if (L->rc == 0)
		L->rc = rc;
	L->stopping = true;
	if (L->t_quit == 0)
		L->t_quit = g_idle_add(do_quit, L);
}

/* ---- the key server process (/proc) ---------------------------------------- */

/* proc_stat: the state letter and utime + stime (clock ticks) of |pid|;
 * false when the process is gone. */
static bool proc_stat(pid_t pid, char *state, uint64_t *ticks)
{
	char path[64], *text = NULL;
	g_snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return false;
	/* pid (comm) state ppid ...: comm may hold spaces; fields after it
	 * count from the last ')'. utime and stime are fields 14 and 15. */
	const char *p = strrchr(text, ')');
	bool ok = false;
	if (p != NULL) {
		char **f = g_strsplit(p + 2, " ", 0);
		if (g_strv_length(f) > 13) {
			*state = f[0][0];
			*ticks = g_ascii_strtoull(f[11], NULL, 10) + g_ascii_strtoull(f[12], NULL, 10);
			ok = true;
		}
		g_strfreev(f);
	}
	g_free(text);
	return ok;
}

/* proc_cpu_ns: the CPU time of |pid|'s live threads in ns (the first
 * field of /proc/<pid>/task/<tid>/schedstat): finer than the clock ticks
 * of /proc/<pid>/stat, which at 10 ms cannot tell a few joins apart. */
static uint64_t proc_cpu_ns(pid_t pid)
{
	char path[64];
	uint64_t ns = 0;
	g_snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	GDir *d = g_dir_open(path, 0, NULL);
	const char *tid;
	while (d != NULL && (tid = g_dir_read_name(d)) != NULL) {
		char *f = g_strdup_printf("%s/%s/schedstat", path, tid), *text = NULL;
		if (g_file_get_contents(f, &text, NULL, NULL))
			ns += g_ascii_strtoull(text, NULL, 10);
		g_free(text);
		g_free(f);
	}
	if (d != NULL)
		g_dir_close(d);
	return ns;
}

static uint64_t proc_rss_kib(pid_t pid)
{
	char path[64], *text = NULL;
	uint64_t kib = 0;
	g_snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	const char *p = strstr(text, "\nVmRSS:");
	if (p != NULL)
		kib = g_ascii_strtoull(p + 7, NULL, 10);
	g_free(text);
	return kib;
}

/* local_ms: the local time of day in ms, as agent_log stamps its lines. */
static int64_t local_ms(void)
{
	GDateTime *now = g_date_time_new_now_local();
	int64_t ms = ((int64_t)g_date_time_get_hour(now) * 3600 + g_date_time_get_minute(now) * 60 +
	              g_date_time_get_second(now)) * 1000 + g_date_time_get_microsecond(now) / 1000;
	g_date_time_unref(now);
	return ms;
}

static bool pid_alive(pid_t pid)
{
	char st = '?';
	uint64_t t;
	return proc_stat(pid, &st, &t) && st != 'Z' && st != 'X';
}

/* ks_gone: whether every key server we were told of still runs (the pid of the
 * first one gone, or 0). */
static pid_t ks_gone(load *L)
{
	for (guint i = 0; i < L->ks_pids->len; i++)
		if (!pid_alive(g_array_index(L->ks_pids, pid_t, i)))
			return g_array_index(L->ks_pids, pid_t, i);
	return 0;
}

/* ---- members: join ---------------------------------------------------------- */

static bool bind_media(lmember *m, GError **err)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int small = 4096;

	m->media_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Never read: the relay's fan-out to this member is real work for the
	 * key server; the kernel drops what a small buffer does not hold. */
	if (m->media_fd < 0 || setsockopt(m->media_fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) != 0 ||
	    bind(m->media_fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(m->media_fd, (struct sockaddr *)&a, &alen) != 0) {
		g_set_error(err, G_IO_ERROR, g_io_error_from_errno(errno), "%s: media port: %s", m->name,
		            g_strerror(errno));
		return false;
	}
	m->media_port = ntohs(a.sin_port);
	return true;
}

static void close_media(lmember *m)
{
	if (m->media_fd >= 0)
		close(m->media_fd);
	m->media_fd = -1;
}

/* make_tesla: a key chain for |seconds| as member.c makes one (interval 0
 * one interval back); only its parameters and commitment leave this
 * process. */
static bool make_tesla(mikey_tesla_params *out, double seconds, GError **err)
{
	mikey_tesla_params p;
	mikey_tesla_sender *s = NULL;
	uint8_t seed[TESLA_SEED_LEN];

	mikey_tesla_params_default(&p);
	p.t_0 = mikey_clock_system(NULL) - MIKEY_TESLA_NTP_FROM_MS(TESLA_T_INT_MS);
	p.t_int = TESLA_T_INT_MS;
	p.d = TESLA_DELAY;
	p.n_c = (uint32_t)(seconds * 1000.0 / TESLA_T_INT_MS) + TESLA_DELAY + 2;
	if (mikey_rng_bytes(NULL, seed, sizeof(seed)) != MIKEY_OK) {
		g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_CRYPTO, "the random number generator failed");
		return false;
	}
	int rc = mikey_tesla_sender_new(&p, seed, sizeof(seed), &s);
	mikey_wipe(seed, sizeof(seed));
	if (rc != MIKEY_OK)
		return agent_mikey_fail(err, rc, NULL, "TESLA key chain");
	*out = *mikey_tesla_sender_get0_params(s);
	mikey_tesla_sender_free(s);
	return true;
}

/* member_sdp: our SDP (our SSRC, the media port we bound) carrying the
 * MIKEY message |msg|. g_free it. */
static char *member_sdp(lmember *m, const uint8_t *msg, size_t len, GError **err)
{
	sdp_out so = {.user = "mikey-member", .session_id = m->ssrc, .version = ++m->sdp_version, .addr = MEDIA_ADDR,
	              .port = m->media_port, .ssrc = m->ssrc, .mikey = msg, .mikey_len = len};
	return sdp_build(&so, err);
}

/* join_offer: member.c's join (docs/sip-agent.md): PSK, V flag, our IDs,
 * our one crypto session under the group's policy, our TESLA parameters. */
static void join_offer(const lmember *m, mikey_offer *o)
{
	const load *L = m->L;
	mikey_offer_init(o, MIKEY_MODE_PSK);
	o->want_verify = o->send_ids = true;
	o->cs = &m->cs, o->n_cs = 1;
	o->policies = &L->policy, o->n_policies = 1;
	o->peer_id_type = MIKEY_ID_URI;
	o->peer_id = L->ks_identity, o->peer_id_len = strlen(L->ks_identity);
	o->tesla = L->tesla ? &m->tesla : NULL;
}

static bool send_join(lmember *m, GError **err)
{
	uint8_t *msg = NULL;
	size_t len = 0;
	mikey_offer o;
	mikey_error me;

	join_offer(m, &o);
	memset(&me, 0, sizeof(me));
	/* A join sent again (503 + Retry-After) is a new exchange. */
	mikey_exchange_free(m->reg_ex);
	m->reg_ex = NULL;
	m->join_tries++;
	int rc = mikey_initiate(m->mctx, &o, &m->reg_ex, &msg, &len, &me);
	if (rc != MIKEY_OK)
		return agent_mikey_fail(err, rc, &me, "join message");
	char *sdp = member_sdp(m, msg, len, err);
	mikey_buf_free(msg, len);
	if (sdp == NULL)
		return false;
	m->nh = nua_handle(m->ua->nua, m, SIPTAG_TO_STR(m->g->uri), SIPTAG_FROM_STR(m->identity), TAG_END());
	nua_invite(m->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp), TAG_END());
	g_free(sdp);
	return true;
}

/* finish_join: the key server's verification message in its 200 OK. */
static bool finish_join(lmember *m, const sip_t *sip, GError **err)
{
	size_t blen = 0;
	const char *body = sip_ua_sdp_body(sip, &blen);
	sdp_intake in;
	mikey_error me;

	if (!sdp_intake_parse(body, blen, true, true, &in, err))
		return false;
	memset(&me, 0, sizeof(me));
	int rc = mikey_exchange_finish(m->reg_ex, in.mikey, in.mikey_len, &me);
	sdp_intake_clear(&in);
	return rc == MIKEY_OK || agent_mikey_fail(err, rc, &me, "the key server's verification message");
}

static void join_failed(lmember *m, const char *why)
{
	say("%s: join: %s", m->name, why);
	m->failed = true;
	m->L->join_failures++;
}

static void pump_joins(load *L);

static gboolean retry_join(gpointer p)
{
	lmember *m = p;
	GError *e = NULL;
	m->retrying = false;
	if (m->L->stopping)
		return G_SOURCE_REMOVE;
	if (!send_join(m, &e)) {
		join_failed(m, e->message);
		g_error_free(e);
	}
	return G_SOURCE_REMOVE;
}

/* join_done: one join answered for good: its window slot is free. */
static void join_done(lmember *m)
{
	load *L = m->L;
	if (L->batches->len > 0 && L->joins_out > 0) {
		L->joins_out--;
		pump_joins(L);
	}
}

static void on_join_answer(lmember *m, int status, const char *phrase, const sip_t *sip)
{
	GError *e = NULL;

	if (status < 200 || m->joined || m->failed || m->retrying)
		return;
	unsigned after = sip != NULL && sip->sip_retry_after != NULL ? (unsigned)sip->sip_retry_after->af_delta : 0;
	if (status == 503 && after > 0 && m->L->batches->len > 0 && m->join_tries < 5) {
		/* As member.c does: a group handed between instances, or no
		 * instance free for it yet (the proxy's own 503): call again. */
		lbatch *b = g_ptr_array_index(m->L->batches, MIN(m->L->batch_i, m->L->batches->len - 1));
		m->retrying = true;
		m->L->join_retries++;
		b->retries++;
		g_timeout_add(MIN(after, 5u) * 1000, retry_join, m);
		return;
	}
	if (status >= 300) {
		const char *w = sip != NULL && sip->sip_warning != NULL ? sip->sip_warning->w_text : NULL;
		char *why = g_strdup_printf("refused: %d %s%s%s", status, phrase, w != NULL ? " - " : "", w != NULL ? w : "");
		join_failed(m, why);
		g_free(why);
	} else if (!finish_join(m, sip, &e)) {
		join_failed(m, e->message);
		g_error_free(e);
	} else {
		m->joined = true;
		m->L->admitted++;
		m->L->t_last_admit = g_get_monotonic_time();
	}
	join_done(m);
}

/* ---- members: pushes -------------------------------------------------------- */

static void refuse_push(lmember *m, nua_handle_t *nh, const char *why)
{
	char *w = sip_ua_warning(399, MEDIA_ADDR, why);
	m->refused++;
	m->L->refused_pushes++;
	say("%s: group key refused: %s", m->name, why);
	nua_respond(nh, SIP_488_NOT_ACCEPTABLE, SIPTAG_WARNING_STR(w), TAG_END());
	g_free(w);
}

/* our_mki: the MKI keying our SSRC in |ex|, read as the key server's
 * big-endian counter (1 to 4 bytes). */
static bool our_mki(const lmember *m, const mikey_exchange *ex, uint32_t *mki, GError **err)
{
	mikey_crypto_session cs;
	mikey_error me;

	memset(&me, 0, sizeof(me));
	int rc = mikey_exchange_find_cs(ex, m->ssrc, 0, &cs, &me);
	if (rc != MIKEY_OK)
		return agent_mikey_fail(err, rc, &me, "our SSRC");
	size_t n = cs.mki_len;
	*mki = 0;
	for (size_t i = 0; n <= 4 && i < n; i++)
		*mki = *mki << 8 | cs.mki[i];
	mikey_crypto_session_cleanup(&cs);
	if (n < 1 || n > 4)
		g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_STATE, "an MKI of %zu bytes, not a 1..4 byte counter", n);
	return n >= 1 && n <= 4;
}

/* check_push: member.c's checks (the key server's identity, the CSB ID
 * we joined, never an older generation, our SSRC keyed) and the MKI as a
 * counter that never goes back. */
static bool check_push(const lmember *m, const mikey_exchange *ex, uint32_t *mki, GError **err)
{
	const char *ks = m->L->ks_identity;
	size_t id_len = 0;
	const uint8_t *id = mikey_exchange_get0_peer_id(ex, &id_len);
	uint32_t csb = mikey_exchange_csb_id(ex);
	char *why = NULL;

	if (id == NULL || id_len != strlen(ks) || memcmp(id, ks, id_len) != 0)
		why = g_strdup_printf("not from the key server %s", ks);
	else if (m->have_csb && csb != m->csb_id)
		why = g_strdup_printf("CSB ID %" PRIu32 ", the group's is %" PRIu32, csb, m->csb_id);
	else if (m->held != NULL && mikey_exchange_compare_generation(ex, m->held) == MIKEY_GEN_OLDER)
		why = g_strdup("an older generation than the one held");
	else if (!our_mki(m, ex, mki, err))
		return false;
	else if (m->have_mki && *mki < m->mki)
		why = g_strdup_printf("MKI %08" PRIx32 " after %08" PRIx32, *mki, m->mki);
	if (why == NULL)
		return true;
	g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_STATE, "%s", why);
	g_free(why);
	return false;
}

/* take_push: our answer to the push in |sip| (the verification message
 * in our SDP) with the generation taken (*fresh: a new MKI), or NULL with
 * |err| set and nothing taken. */
static char *take_push(lmember *m, const sip_t *sip, bool *fresh, GError **err)
{
	size_t blen = 0, resp_len = 0;
	const char *body = sip_ua_sdp_body(sip, &blen);
	sdp_intake in;
	mikey_exchange *ex = NULL;
	uint8_t *resp = NULL;
	mikey_error me;
	uint32_t mki = 0;
	char *answer = NULL;

	memset(&me, 0, sizeof(me));
	if (!sdp_intake_parse(body, blen, true, false, &in, err))
		return NULL;
	int rc = mikey_respond(m->mctx, in.mikey, in.mikey_len, &ex, &resp, &resp_len, &me);
	if (rc != MIKEY_OK)
		agent_mikey_fail(err, rc, &me, "group key");
	else if (check_push(m, ex, &mki, err))
		answer = member_sdp(m, resp, resp_len, err);
	if (answer != NULL) {
		*fresh = !m->have_mki || mki != m->mki;
		m->have_csb = m->have_mki = true;
		m->csb_id = mikey_exchange_csb_id(ex);
		m->n_cs = mikey_exchange_cs_count(ex);
		m->mki = mki;
		m->g->mikey_len = MAX(m->g->mikey_len, in.mikey_len);
		mikey_exchange_free(m->held);
		m->held = g_steal_pointer(&ex);
	}
	sdp_intake_clear(&in);
	if (resp != NULL)
		mikey_buf_free(resp, resp_len);
	mikey_exchange_free(ex);
	return answer;
}

static void on_push(lmember *m, nua_handle_t *nh, const sip_t *sip)
{
	GError *e = NULL;
	bool fresh = false;
	char *answer = take_push(m, sip, &fresh, &e);

	if (answer == NULL) {
		refuse_push(m, nh, e->message);
		g_error_free(e);
		return;
	}
	m->pushes++;
	nua_respond(nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(answer), TAG_END());
	m->t_push = g_get_monotonic_time();
	if (fresh)
		m->t_mki = m->t_push;
	g_free(answer);
}

/* ---- the OPTIONS baseline (b) ----------------------------------------------- */

static void send_options(load *L)
{
	sip_ua *ua = g_ptr_array_index(L->uas, 0);
	L->opt_nh = nua_handle(ua->nua, L, SIPTAG_TO_STR(L->ks_uri), TAG_END());
	L->t_opt = g_get_monotonic_time();
	nua_options(L->opt_nh, TAG_END());
}

static void start_leaves(load *L);
static bool mikey_baseline(load *L, GError **err);

static void on_options(load *L, int status)
{
	gint64 now = g_get_monotonic_time();
	if (status < 200 || L->ph != PH_OPTIONS)
		return;
	nua_handle_destroy(L->opt_nh);
	L->opt_nh = NULL;
	if (status >= 300) {
		finish(L, 1, "OPTIONS to %s: %d", L->ks_uri, status);
		return;
	}
	double ns = (double)(now - L->t_opt) * 1000.0;
	g_array_append_val(L->opt_ns, ns);
	if (++L->opt_done < L->options_runs) {
		send_options(L);
		return;
	}
	double sum = 0;
	for (guint i = 0; i < L->opt_ns->len; i++)
		sum += g_array_index(L->opt_ns, double, i);
	L->options_ns = sum / L->opt_ns->len;
	say("baseline (b): OPTIONS round trip %.3f ms (mean of %u)", L->options_ns / 1e6, L->opt_ns->len);
	GError *e = NULL;
	if (!mikey_baseline(L, &e)) {
		finish(L, 1, "baseline (a): %s", e->message);
		g_error_free(e);
		return;
	}
	start_leaves(L);
}

/* ---- nua events ------------------------------------------------------------- */

static bool call_terminated(tagi_t tags[])
{
	int state = nua_callstate_init;
	tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
	return state == nua_callstate_terminated;
}

/* on_call_end: a dialog is over (our BYE, the key server's, or a join
 * that failed): its handle goes; a stranger's (m NULL) too. */
static void on_call_end(lmember *m, nua_handle_t *nh)
{
	nua_handle_destroy(nh);
	if (m == NULL)
		return;
	if (m->nh == nh)
		m->nh = NULL;
	if (m->retrying || m->nh != NULL)
		return; /* a refused join, to be (or already) sent again */
	if (!m->joined && !m->failed && m->L->ph != PH_DONE)
		join_failed(m, "the call ended before it was answered");
	close_media(m);
}

static void on_event(nua_event_t event, int status, char const *phrase, nua_t *nua, nua_magic_t *magic,
                     nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip, tagi_t tags[])
{
	load *L = (load *)magic;
	lmember *m = (hmagic != NULL && (void *)hmagic != (void *)L) ? (lmember *)hmagic : NULL;

	switch (event) {
	case nua_r_invite:
		if (m != NULL)
			on_join_answer(m, status, phrase, sip);
		break;
	case nua_i_invite:
		if (m == NULL || !m->joined)
			nua_respond(nh, 403, "Not A Key Server Dialog", TAG_END());
		else
			on_push(m, nh, sip);
		break;
	case nua_r_options:
		if ((void *)hmagic == (void *)L)
			on_options(L, status);
		break;
	case nua_i_bye:
		if (m != NULL && !m->leaving) {
			m->removed = true;
			if (L->ph != PH_DONE) {
				L->removed++;
				say("%s: the key server ended our membership (BYE)", m->name);
			}
		}
		break;
	case nua_i_state:
		if (call_terminated(tags) && (void *)hmagic != (void *)L) {
			/* Neither our BYE nor the key server's: say what nua said. */
			if (m != NULL && m->joined && !m->leaving && !m->removed && L->ph != PH_DONE)
				say("%s: the call ended (%d %s)", m->name, status, phrase != NULL ? phrase : "");
			on_call_end(m, nh);
		}
		break;
	case nua_r_shutdown:
		for (guint i = 0; status >= 200 && i < L->uas->len; i++) {
			sip_ua *ua = g_ptr_array_index(L->uas, i);
			if (ua->nua == nua)
				ua->shut_down = true;
		}
		break;
	default:
		break;
	}
}

/* ---- baseline (a): one push of the group's size, in this process ------------- */

static agent_config *fake_config(const char *identity, const uint8_t *psk, size_t psk_len)
{
	agent_config *c = g_new0(agent_config, 1);
	c->identity = g_strdup(identity);
	c->max_skew = 300;
	memcpy(c->creds.psk, psk, psk_len);
	c->creds.psk_len = psk_len;
	return c;
}

static void fake_config_free(agent_config *c)
{
	g_free(c->identity);
	mikey_wipe(c->creds.psk, sizeof(c->creds.psk));
	g_free(c);
}

/* push_cost: the mean time of |runs| pushes of a generation with |g|'s
 * senders (its load members, and its extra members with TESLA parameters
 * as the media members send them; none without TESLA: a generation's
 * senders all have them or none does): key-server side mikey_initiate,
 * member side mikey_respond, key server mikey_exchange_finish of the
 * verification message. */
static bool push_cost(load *L, lgroup *g, unsigned runs, double *mean_ns, size_t *msg_len, GError **err)
{
	static const char ks_id[] = "sip:ks@example.org";
	static const char mem_id[] = "sip:baseline@example.org";
	uint8_t psk[16];
	agent_config *kc = NULL, *mc = NULL;
	mikey_ctx *kctx = NULL, *mctx = NULL;
	mikey_group_gen *gen = NULL;
	size_t n = g->members->len + g->extra;
	mikey_group_sender *s = g_new0(mikey_group_sender, n + 1);
	bool ok = false;

	if (mikey_rng_bytes(NULL, psk, sizeof(psk)) != MIKEY_OK) {
		g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_CRYPTO, "the random number generator failed");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const lmember *m = g_ptr_array_index(g->members, i < g->members->len ? i : 0);
		s[i].ssrc = i < g->members->len ? m->ssrc : 0x7f000000u + (uint32_t)i;
		s[i].tesla = !L->tesla ? NULL : i >= g->members->len ? &L->extra_tesla : &m->tesla;
	}
	kc = fake_config(ks_id, psk, sizeof(psk));
	mc = fake_config(mem_id, psk, sizeof(psk));
	if (!agent_mikey_ctx_new(kc, mem_id, &kctx, err) || !agent_mikey_ctx_new(mc, ks_id, &mctx, err) ||
	    !ks_generation_make(&L->policy, 0x12345678u, 7, s, n, NULL, &gen, NULL, err))
		goto out;
	double total = 0;
	for (unsigned r = 0; r < runs; r++) {
		mikey_offer o;
		mikey_exchange *kex = NULL, *mex = NULL;
		uint8_t *msg = NULL, *resp = NULL;
		size_t len = 0, resp_len = 0;
		mikey_error me;

		memset(&me, 0, sizeof(me));
		mikey_offer_init(&o, MIKEY_MODE_PSK);
		o.group = gen;
		o.want_verify = true;
		o.peer_id_type = MIKEY_ID_URI;
		o.peer_id = mem_id;
		o.peer_id_len = strlen(mem_id);
		o.send_ids = true;
		gint64 t0 = g_get_monotonic_time();
		int rc = mikey_initiate(kctx, &o, &kex, &msg, &len, &me);
		if (rc == MIKEY_OK)
			rc = mikey_respond(mctx, msg, len, &mex, &resp, &resp_len, &me);
		if (rc == MIKEY_OK)
			rc = mikey_exchange_finish(kex, resp, resp_len, &me);
		gint64 t1 = g_get_monotonic_time();
		*msg_len = len;
		if (msg != NULL)
			mikey_buf_free(msg, len);
		if (resp != NULL)
			mikey_buf_free(resp, resp_len);
		mikey_exchange_free(kex);
		mikey_exchange_free(mex);
		if (rc != MIKEY_OK) {
			agent_mikey_fail(err, rc, &me, "push exchange");
			goto out;
		}
		total += (double)(t1 - t0) * 1000.0;
	}
	*mean_ns = total / runs;
	ok = true;
out:
	mikey_wipe(psk, sizeof(psk));
	mikey_group_gen_free(gen);
	mikey_ctx_free(kctx);
	mikey_ctx_free(mctx);
	if (kc != NULL)
		fake_config_free(kc);
	if (mc != NULL)
		fake_config_free(mc);
	g_free(s);
	return ok;
}

static bool mikey_baseline(load *L, GError **err)
{
	for (guint i = 0; i < L->groups->len; i++) {
		lgroup *g = g_ptr_array_index(L->groups, i);
		double *ns = g_new0(double, 1);
		size_t len = 0;
		g_hash_table_insert(L->mikey_ns, g, ns);
		if (!push_cost(L, g, L->mikey_runs, ns, &len, err))
			return false;
		say("baseline (a): group %s, %u senders, push of %zu bytes: initiate + respond + finish %.3f ms (mean of %u)",
		    g->name, g->members->len + g->extra, len, *ns / 1e6, L->mikey_runs);
	}
	return true;
}

/* ---- phases ------------------------------------------------------------------ */

static double timeout_s(load *L, double base, double per_member, unsigned n)
{
	return (base + per_member * n) * L->timeout_scale;
}

static bool waited_too_long(load *L, double seconds)
{
	return (double)(g_get_monotonic_time() - L->t_phase) / 1e6 > seconds;
}

static unsigned group_present(const lgroup *g)
{
	unsigned k = 0;
	for (guint i = 0; i < g->members->len; i++) {
		const lmember *m = g_ptr_array_index(g->members, i);
		k += m->active && !m->leaving;
	}
	return k;
}

/* group_state: whether every present member of |g| joined and holds the
 * newest MKI any of them holds, with |n_cs| senders when n_cs > 0. */
static bool group_settled(lgroup *g, size_t n_cs, uint32_t *mki, GString *why)
{
	uint32_t top = 0;
	bool any = false;
	for (guint i = 0; i < g->members->len; i++) {
		const lmember *m = g_ptr_array_index(g->members, i);
		if (m->active && !m->leaving && m->have_mki && (!any || m->mki > top)) {
			top = m->mki;
			any = true;
		}
	}
	unsigned behind = 0, unjoined = 0, short_map = 0;
	for (guint i = 0; i < g->members->len; i++) {
		const lmember *m = g_ptr_array_index(g->members, i);
		if (m->leaving || !m->active)
			continue;
		if (!m->joined || !m->have_mki)
			unjoined++;
		else if (m->mki != top)
			behind++;
		else if (n_cs > 0 && m->n_cs != n_cs)
			short_map++;
	}
	*mki = top;
	if (why != NULL && (unjoined || behind || short_map))
		g_string_append_printf(why, " group %s: %u without a key, %u on an older MKI than %08" PRIx32
		                            ", %u with fewer than %zu senders;",
		                       g->name, unjoined, behind, top, short_map, n_cs);
	/* A group nobody is in (yet) is settled. */
	return (any || group_present(g) == 0) && unjoined == 0 && behind == 0 && short_map == 0;
}

static unsigned group_pushes(const lgroup *g)
{
	unsigned k = 0;
	for (guint i = 0; i < g->members->len; i++)
		k += ((const lmember *)g_ptr_array_index(g->members, i))->pushes;
	return k;
}

static void start_options(load *L)
{
	L->ph = PH_OPTIONS;
	L->t_phase = g_get_monotonic_time();
	send_options(L);
}

static void poll_join(load *L)
{
	unsigned n = L->members->len;
	if (L->join_failures > 0 || L->removed > 0 || L->refused_pushes > 0) {
		finish(L, 1, "%u join(s) failed, %u member(s) removed by the key server, %u push(es) refused",
		       L->join_failures, L->removed, L->refused_pushes);
		return;
	}
	if (L->next_join < n)
		return;
	bool all = true;
	for (guint i = 0; i < L->groups->len && all; i++) {
		lgroup *g = g_ptr_array_index(L->groups, i);
		uint32_t mki;
		all = group_settled(g, group_present(g) + g->extra, &mki, NULL);
	}
	if (all) {
		L->t_settled = g_get_monotonic_time();
		char st;
		L->ks_cpu_ns_after = proc_cpu_ns(L->ks_pid);
		if (!proc_stat(L->ks_pid, &st, &L->ks_ticks_after)) {
			finish(L, 1, "the key server (pid %d) is gone", (int)L->ks_pid);
			return;
		}
		L->ks_rss_after = proc_rss_kib(L->ks_pid);
		for (guint i = 0; i < L->groups->len; i++)
			L->pushes_to_settle += group_pushes(g_ptr_array_index(L->groups, i));
		say("all %u admitted (%.1f joins/s); every member holds the full generation %.2f s after the first join",
		    n, n / ((double)(L->t_last_admit - L->t_first_join) / 1e6),
		    (double)(L->t_settled - L->t_first_join) / 1e6);
		start_options(L);
		return;
	}
	double limit = timeout_s(L, 30, 0.4, n);
	if (waited_too_long(L, limit)) {
		GString *why = g_string_new(NULL);
		for (guint i = 0; i < L->groups->len; i++) {
			lgroup *g = g_ptr_array_index(L->groups, i);
			uint32_t mki;
			group_settled(g, group_present(g) + g->extra, &mki, why);
		}
		finish(L, 1, "joins: not settled %.0f s after the last join (%u of %u admitted):%s", limit, L->admitted, n,
		       why->str);
		g_string_free(why, TRUE);
	}
}

static gboolean join_tick(gpointer p)
{
	load *L = p;
	GError *e = NULL;
	if (L->next_join >= L->members->len || L->stopping) {
		L->t_join = 0;
		L->t_phase = g_get_monotonic_time();
		return G_SOURCE_REMOVE;
	}
	lmember *m = g_ptr_array_index(L->members, L->next_join++);
	if (L->t_first_join == 0)
		L->t_first_join = g_get_monotonic_time();
	if (!send_join(m, &e)) {
		finish(L, 1, "%s: %s", m->name, e->message);
		g_error_free(e);
		L->t_join = 0;
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static void write_results(load *L);

static void next_leave(load *L)
{
	if (L->leave_i >= L->leavers->len) {
		L->ks_rss_end = proc_rss_kib(L->ks_pid);
		L->ph = PH_DONE;
		L->t_phase = g_get_monotonic_time();
		write_results(L);
		say("measured: results in %s; answering pushes until SIGTERM", L->out_path);
		return;
	}
	lmember *m = g_ptr_array_index(L->leavers, L->leave_i);
	leave_rec r;
	memset(&r, 0, sizeof(r));
	r.m = m;
	r.old_mki = m->mki;
	r.reach = group_present(m->g) - 1 + m->g->extra;
	r.pushes_before = group_pushes(m->g);
	double *mns = g_hash_table_lookup(L->mikey_ns, m->g);
	r.mikey_ns = mns != NULL ? *mns : 0;
	m->leaving = true;
	L->leave_out = true;
	L->t_phase = g_get_monotonic_time();
	r.t_bye = g_get_monotonic_time();
	r.bye_local_ms = local_ms();
	g_array_append_val(L->leaves, r);
	nua_bye(m->nh, TAG_END());
}

static void start_leaves(load *L)
{
	L->ph = PH_LEAVE;
	L->leave_i = 0;
	if (L->leavers->len == 0)
		say("no leavers configured");
	next_leave(L);
}

static gint cmp_time(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
	return x < y ? -1 : x > y;
}

/* extra_answer_ms: when the member logging to |path| (mikey-sip-agent
 * member, "HH:MM:SS.mmm NAME: group key: CSB ID C, MKI M, ..." just
 * before its 200 OK) took |mki|, in ms after |since| (local_ms); -1 while
 * it has not. */
static int64_t extra_answer_ms(const char *path, uint32_t mki, int64_t since)
{
	char *text = NULL, want[32];
	int64_t at = -1;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -1;
	g_snprintf(want, sizeof(want), ", MKI %08" PRIx32 ",", mki);
	const char *hit = strstr(text, want);
	const char *line = hit;
	while (line != NULL && line > text && line[-1] != '\n')
		line--;
	unsigned h, m, sec, ms;
	if (line != NULL && sscanf(line, "%2u:%2u:%2u.%3u", &h, &m, &sec, &ms) == 4) {
		at = ((int64_t)(h * 3600 + m * 60 + sec)) * 1000 + ms - since;
		if (at < -43200000) /* past midnight */
			at += 86400000;
	}
	g_free(text);
	return at;
}

/* load_settled_on: every present load member of |g| holds |want|; then
 * the first, middle and last answer times go to |r|. */
static bool load_settled_on(lgroup *g, uint32_t want, leave_rec *r, unsigned *waiting)
{
	GArray *ts = g_array_new(FALSE, FALSE, sizeof(gint64));
	*waiting = 0;
	for (guint i = 0; i < g->members->len; i++) {
		const lmember *m = g_ptr_array_index(g->members, i);
		if (m->leaving || !m->active)
			continue;
		if (!m->have_mki || m->mki < want)
			(*waiting)++;
		else
			g_array_append_val(ts, m->t_mki);
	}
	if (*waiting == 0 && ts->len > 0) {
		g_array_sort(ts, cmp_time);
		r->t_first = g_array_index(ts, gint64, 0);
		r->t_half = g_array_index(ts, gint64, ts->len / 2);
		r->t_last = g_array_index(ts, gint64, ts->len - 1);
	}
	g_array_free(ts, TRUE);
	return *waiting == 0;
}

static void poll_leave(load *L)
{
	if (L->removed > 0 || L->refused_pushes > 0) {
		finish(L, 1, "%u member(s) removed by the key server, %u push(es) refused", L->removed, L->refused_pushes);
		return;
	}
	if (!L->leave_out) {
		/* A short gap, so that the key server has finished with the last
		 * ACKs before the next BYE. */
		if (g_get_monotonic_time() - L->t_gap >= 100000)
			next_leave(L);
		return;
	}
	leave_rec *r = &g_array_index(L->leaves, leave_rec, L->leave_i);
	lgroup *g = r->m->g;
	uint32_t want = r->old_mki + 1;
	unsigned waiting = 0;
	if (r->t_last == 0 && !load_settled_on(g, want, r, &waiting)) {
		double limit = timeout_s(L, 20, 0.1, r->reach);
		if (waited_too_long(L, limit))
			finish(L, 1, "leave of %s: %u of %u members of group %s still without MKI %08" PRIx32 " after %.0f s",
			       r->m->name, waiting, r->reach, g->name, want, limit);
		return;
	}
	/* The real members of the group: their logs say when they took it. */
	r->extra_ms = 0;
	for (char **log = g->extra_logs; log != NULL && *log != NULL; log++) {
		int64_t at = extra_answer_ms(*log, want, r->bye_local_ms);
		if (at < 0) {
			double limit = timeout_s(L, 20, 0.1, r->reach);
			if (waited_too_long(L, limit))
				finish(L, 1, "leave of %s: the member logging to %s has no MKI %08" PRIx32 " after %.0f s",
				       r->m->name, *log, want, limit);
			return;
		}
		r->extra_ms = MAX(r->extra_ms, (double)at);
	}
	r->pushes_after = group_pushes(g);
	double ms = (double)(r->t_last - r->t_bye) / 1e3;
	double per = (r->mikey_ns + L->options_ns) / 1e6;
	say("leave %u/%u: %s (group %s, MKI %08" PRIx32 " -> %08" PRIx32 "): last of %u members on the new key after "
	    "%.2f ms = %.2f x %u x %.3f ms; the real members after %.0f ms",
	    L->leave_i + 1, L->leavers->len, r->m->name, g->name, r->old_mki, want, r->reach, ms, ms / (r->reach * per),
	    r->reach, per, r->extra_ms);
	L->leave_out = false;
	L->leave_i++;
	L->t_gap = g_get_monotonic_time();
}

/* ---- scale mode: batches ------------------------------------------------------ */

/* pump_joins: the current batch's next joins, while fewer than
 * --join-window are unanswered: as fast as the key servers serve them. */
static void pump_joins(load *L)
{
	if (L->ph != PH_BATCH || L->stopping || L->batch_i >= L->batches->len)
		return;
	lbatch *b = g_ptr_array_index(L->batches, L->batch_i);
	while (L->joins_out < L->join_window && b->next_join < b->join->len) {
		lmember *m = g_ptr_array_index(b->join, b->next_join++);
		GError *e = NULL;
		if (L->t_first_join == 0)
			L->t_first_join = g_get_monotonic_time();
		m->active = true;
		L->joins_out++;
		if (!send_join(m, &e)) {
			finish(L, 1, "%s: %s", m->name, e->message);
			g_error_free(e);
			return;
		}
	}
}

static void start_batch(load *L)
{
	lbatch *b = g_ptr_array_index(L->batches, L->batch_i);
	/* The driver reads CPU times when it sees this line. */
	say("batch %u/%u %s: starting", L->batch_i + 1, L->batches->len, b->name);
	b->t_start = g_get_monotonic_time();
	L->t_phase = b->t_start;
	b->first_leave = L->leaves->len;
	/* Every leaver is out before the reach is counted. */
	for (guint i = 0; i < b->leave->len; i++)
		((lmember *)g_ptr_array_index(b->leave, i))->leaving = true;
	for (guint i = 0; i < b->leave->len; i++) {
		lmember *m = g_ptr_array_index(b->leave, i);
		leave_rec r;
		memset(&r, 0, sizeof(r));
		r.m = m;
		r.old_mki = m->mki;
		r.reach = group_present(m->g) + m->g->extra;
		r.pushes_before = group_pushes(m->g);
		r.t_bye = g_get_monotonic_time();
		r.bye_local_ms = local_ms();
		g_array_append_val(L->leaves, r);
		if (m->nh == NULL || !m->joined) {
			finish(L, 1, "batch %s: %s cannot leave, it is not in a call", b->name, m->name);
			return;
		}
		nua_bye(m->nh, TAG_END());
	}
	pump_joins(L);
}

/* poll_batch: the batch ends when every join was answered and every
 * group is settled on the generation listing exactly its present members
 * (and, for a group a member left, on a newer MKI than it held). */
static void poll_batch(load *L)
{
	if (L->join_failures > 0 || L->removed > 0 || L->refused_pushes > 0) {
		finish(L, 1, "%u join(s) failed, %u member(s) removed by the key server, %u push(es) refused",
		       L->join_failures, L->removed, L->refused_pushes);
		return;
	}
	if (L->batch_i >= L->batches->len) {
		L->ph = PH_DONE;
		L->t_phase = g_get_monotonic_time();
		L->ks_rss_end = proc_rss_kib(L->ks_pid);
		write_results(L);
		say("measured: results in %s; answering pushes until SIGTERM", L->out_path);
		return;
	}
	lbatch *b = g_ptr_array_index(L->batches, L->batch_i);
	if (b->t_start == 0) {
		/* A short gap after the last batch, as between the leaves of
		 * bench/conference: the last ACKs are through. */
		if (g_get_monotonic_time() - L->t_batch_gap >= 100000)
			start_batch(L);
		return;
	}
	pump_joins(L);
	bool done = b->next_join >= b->join->len && L->joins_out == 0;
	for (guint i = b->first_leave; done && i < L->leaves->len; i++) {
		leave_rec *r = &g_array_index(L->leaves, leave_rec, i);
		unsigned waiting = 0;
		done = load_settled_on(r->m->g, r->old_mki + 1, r, &waiting);
	}
	for (guint i = 0; done && i < L->groups->len; i++) {
		lgroup *g = g_ptr_array_index(L->groups, i);
		uint32_t mki;
		done = group_settled(g, group_present(g) + g->extra, &mki, NULL);
	}
	if (!done) {
		unsigned n = b->join->len + b->leave->len;
		double limit = timeout_s(L, 30, 0.05, n);
		if (!b->slow_said && waited_too_long(L, 2)) {
			/* Not an error: a lost datagram costs a SIP retransmission
			 * (0.5 s, 1 s, 2 s ...); say who waits, once. */
			GString *why = g_string_new(NULL);
			for (guint i = 0; i < L->groups->len; i++) {
				lgroup *g = g_ptr_array_index(L->groups, i);
				uint32_t mki;
				group_settled(g, group_present(g) + g->extra, &mki, why);
			}
			if (why->len > 600)
				g_string_truncate(why, 600), g_string_append(why, " ...");
			say("batch %s: not settled after 2 s (%u joins unanswered):%s", b->name,
			    L->joins_out + (b->join->len - b->next_join), why->str);
			g_string_free(why, TRUE);
			b->slow_said = true;
		}
		if (waited_too_long(L, limit)) {
			GString *why = g_string_new(NULL);
			for (guint i = 0; i < L->groups->len; i++) {
				lgroup *g = g_ptr_array_index(L->groups, i);
				uint32_t mki;
				group_settled(g, group_present(g) + g->extra, &mki, why);
			}
			finish(L, 1, "batch %s (%u joins, %u leaves): not settled after %.0f s (%u joins unanswered):%s",
			       b->name, b->join->len, b->leave->len, limit,
			       L->joins_out + (b->join->len - b->next_join), why->str);
			g_string_free(why, TRUE);
		}
		return;
	}
	/* Settled: the end is the last answer that got it there (a poll
	 * finds it up to POLL_MS late). */
	gint64 end = b->t_start;
	if (b->join->len > 0)
		b->t_admitted = L->t_last_admit;
	for (guint i = b->first_leave; i < L->leaves->len; i++) {
		leave_rec *r = &g_array_index(L->leaves, leave_rec, i);
		r->pushes_after = group_pushes(r->m->g);
		end = MAX(end, r->t_last);
	}
	for (guint i = 0; i < L->members->len; i++) {
		const lmember *m = g_ptr_array_index(L->members, i);
		if (m->active && !m->leaving)
			end = MAX(end, m->t_push);
	}
	b->t_settled = end;
	if (L->t_settled == 0 && b->join->len > 0)
		L->t_settled = end;
	say("batch %u/%u %s: %u joins (%u sent again), %u leaves: settled %.3f s after its start", L->batch_i + 1,
	    L->batches->len, b->name, b->join->len, b->retries, b->leave->len, (double)(end - b->t_start) / 1e6);
	L->batch_i++;
	L->t_batch_gap = g_get_monotonic_time();
	L->t_phase = L->t_batch_gap;
}

static gboolean poll_tick(gpointer p)
{
	load *L = p;
	if (L->stopping)
		return G_SOURCE_CONTINUE;
	pid_t gone = L->ph != PH_DONE ? ks_gone(L) : 0;
	if (gone != 0) {
		finish(L, 1, "the key server (pid %d) is gone", (int)gone);
		L->t_poll = 0;
		return G_SOURCE_REMOVE;
	}
	switch (L->ph) {
	case PH_JOIN:
		poll_join(L);
		break;
	case PH_OPTIONS:
		if (waited_too_long(L, timeout_s(L, 30, 0, 0)))
			finish(L, 1, "OPTIONS baseline: %u of %u answered after 30 s", L->opt_done, L->options_runs);
		break;
	case PH_LEAVE:
		poll_leave(L);
		break;
	case PH_BATCH:
		poll_batch(L);
		break;
	case PH_DONE:
		/* Bounded even when nobody sends SIGTERM. */
		if (waited_too_long(L, timeout_s(L, 600, 0, 0)))
			finish(L, 0, "no SIGTERM 600 s after the measurement: stopping");
		break;
	}
	return G_SOURCE_CONTINUE;
}

/* ---- results ----------------------------------------------------------------- */

/* top_n_cs: the senders in the generation the group's present members hold. */
static size_t top_n_cs(const lgroup *g)
{
	size_t n = 0;
	for (guint i = 0; i < g->members->len; i++) {
		const lmember *m = g_ptr_array_index(g->members, i);
		if (m->active && !m->leaving && m->have_mki)
			n = MAX(n, m->n_cs);
	}
	return n;
}

static void write_results(load *L)
{
	summary s;
	json_writer *j = summary_open(&s);
	json_begin_object(j);
	json_kv_uint(j, "members", L->members->len);
	json_kv_uint(j, "join_rate_x1000", (uint64_t)(L->join_rate * 1000));
	json_kv_uint(j, "first_join_to_last_admit_us", (uint64_t)(L->t_last_admit - L->t_first_join));
	json_kv_uint(j, "first_join_to_settled_us", (uint64_t)(L->t_settled - L->t_first_join));
	json_kv_uint(j, "clk_tck", (uint64_t)sysconf(_SC_CLK_TCK));
	json_kv_uint(j, "ks_ticks_before", L->ks_ticks_before);
	json_kv_uint(j, "ks_ticks_after", L->ks_ticks_after);
	json_kv_uint(j, "ks_cpu_ns_before", L->ks_cpu_ns_before);
	json_kv_uint(j, "ks_cpu_ns_after", L->ks_cpu_ns_after);
	json_kv_uint(j, "ks_rss_kib_before", L->ks_rss_before);
	json_kv_uint(j, "ks_rss_kib_after", L->ks_rss_after);
	json_kv_uint(j, "pushes_to_settle", L->pushes_to_settle);
	json_kv_uint(j, "ks_rss_kib_end", L->ks_rss_end);
	json_kv_uint(j, "options_runs", L->opt_ns->len);
	json_kv_uint(j, "options_mean_ns", (uint64_t)L->options_ns);
	json_kv_uint(j, "mikey_runs", L->mikey_runs);
	json_kv_uint(j, "refused_pushes", L->refused_pushes);
	json_kv_uint(j, "removed", L->removed);
	json_kv_uint(j, "join_failures", L->join_failures);
	json_kv_uint(j, "join_retries", L->join_retries);
	json_kv_uint(j, "join_window", L->join_window);
	json_key(j, "batches");
	json_begin_array(j);
	for (guint i = 0; i < L->batches->len; i++) {
		const lbatch *b = g_ptr_array_index(L->batches, i);
		json_begin_object(j);
		json_kv_string(j, "name", b->name);
		json_kv_uint(j, "joins", b->join->len);
		json_kv_uint(j, "leaves", b->leave->len);
		json_kv_uint(j, "retries", b->retries);
		json_kv_uint(j, "start_to_admitted_us", b->t_admitted > b->t_start ? (uint64_t)(b->t_admitted - b->t_start) : 0);
		json_kv_uint(j, "start_to_settled_us", b->t_settled > b->t_start ? (uint64_t)(b->t_settled - b->t_start) : 0);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "groups");
	json_begin_array(j);
	unsigned stale = 0;
	for (guint i = 0; i < L->groups->len; i++) {
		lgroup *g = g_ptr_array_index(L->groups, i);
		uint32_t top = 0;
		bool settled = group_settled(g, 0, &top, NULL);
		double *ns = g_hash_table_lookup(L->mikey_ns, g);
		char mki[16];
		g_snprintf(mki, sizeof(mki), "%08" PRIx32, top);
		json_begin_object(j);
		json_kv_string(j, "name", g->name);
		json_kv_uint(j, "load_members", g->members->len);
		json_kv_uint(j, "n_cs", top_n_cs(g));
		json_kv_uint(j, "extra_members", g->extra);
		json_kv_uint(j, "present", group_present(g));
		json_kv_string(j, "mki", mki);
		json_kv_bool(j, "settled", settled);
		json_kv_uint(j, "mikey_mean_ns", ns != NULL ? (uint64_t)*ns : 0);
		json_kv_uint(j, "push_bytes", g->mikey_len);
		json_end_object(j);
		for (guint k = 0; k < g->members->len; k++) {
			const lmember *m = g_ptr_array_index(g->members, k);
			stale += m->active && !m->leaving && (!m->have_mki || m->mki != top);
		}
	}
	json_end_array(j);
	json_kv_uint(j, "stale", stale);
	json_key(j, "leaves");
	json_begin_array(j);
	for (guint i = 0; i < L->leaves->len; i++) {
		const leave_rec *r = &g_array_index(L->leaves, leave_rec, i);
		if (r->t_last == 0)
			continue;
		json_begin_object(j);
		json_kv_string(j, "member", r->m->name);
		json_kv_string(j, "group", r->m->g->name);
		json_kv_uint(j, "old_mki", r->old_mki);
		json_kv_uint(j, "reach", r->reach);
		json_kv_uint(j, "bye_to_first_us", (uint64_t)(r->t_first - r->t_bye));
		json_kv_uint(j, "bye_to_half_us", (uint64_t)(r->t_half - r->t_bye));
		json_kv_uint(j, "bye_to_last_us", (uint64_t)(r->t_last - r->t_bye));
		json_kv_uint(j, "bye_to_last_real_ms", (uint64_t)r->extra_ms);
		json_kv_uint(j, "real_members", r->m->g->extra_logs != NULL ? g_strv_length(r->m->g->extra_logs) : 0);
		json_kv_uint(j, "pushes", r->pushes_after - r->pushes_before);
		json_kv_uint(j, "mikey_mean_ns", (uint64_t)r->mikey_ns);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "load_members");
	json_begin_array(j);
	for (guint i = 0; i < L->members->len; i++) {
		const lmember *m = g_ptr_array_index(L->members, i);
		char mki[16];
		g_snprintf(mki, sizeof(mki), "%08" PRIx32, m->mki);
		json_begin_object(j);
		json_kv_string(j, "name", m->name);
		json_kv_string(j, "identity", m->identity);
		json_kv_string(j, "group", m->g->name);
		json_kv_bool(j, "left", m->leaving);
		json_kv_bool(j, "active", m->active);
		json_kv_string(j, "mki", m->have_mki ? mki : "");
		json_kv_uint(j, "pushes", m->pushes);
		json_kv_uint(j, "refused", m->refused);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
	summary_close(&s, L->out_path);
}

/* ---- configuration ----------------------------------------------------------- */

static char *need_str(GKeyFile *kf, const char *sec, const char *key, GError **err)
{
	char *v = g_key_file_get_string(kf, sec, key, err);
	if (v != NULL && *v == '\0') {
		g_free(v);
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "[%s] %s is empty", sec, key);
		return NULL;
	}
	return v;
}

static bool hex_psk(const char *hex, uint8_t *out, size_t *len)
{
	size_t n = strlen(hex);
	if (n == 0 || n % 2 != 0 || n / 2 > AGENT_PSK_MAX)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return true;
}

static lmember *member_new(load *L, lgroup *g, GKeyFile *kf, const char *name, GError **err)
{
	char *sec = g_strdup_printf("member:%s", name);
	lmember *m = g_new0(lmember, 1);
	char *psk = NULL;
	bool ok = false;

	m->L = L;
	m->g = g;
	m->name = g_strdup(name);
	m->media_fd = -1;
	g_ptr_array_add(L->members, m);
	g_ptr_array_add(g->members, m);
	if ((m->identity = need_str(kf, sec, "identity", err)) == NULL || (psk = need_str(kf, sec, "psk", err)) == NULL)
		goto out;
	if (!hex_psk(psk, m->cfg.creds.psk, &m->cfg.creds.psk_len)) {
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "[%s] psk: expected hex", sec);
		goto out;
	}
	m->cfg.identity = m->identity;
	m->cfg.max_skew = 300;
	if (!agent_mikey_ctx_new(&m->cfg, L->ks_identity, &m->mctx, err))
		goto out;
	while (m->ssrc == 0)
		if (mikey_rng_bytes(NULL, (uint8_t *)&m->ssrc, sizeof(m->ssrc)) != MIKEY_OK) {
			g_set_error(err, AGENT_MIKEY_ERROR, MIKEY_ERR_CRYPTO, "the random number generator failed");
			goto out;
		}
	m->cs.ssrc = m->ssrc;
	if (!bind_media(m, err) || (L->tesla && !make_tesla(&m->tesla, L->tesla_seconds, err)))
		goto out;
	ok = true;
out:
	if (psk != NULL) {
		mikey_wipe(psk, strlen(psk));
		g_free(psk);
	}
	g_free(sec);
	return ok ? m : NULL;
}

static void member_free(lmember *m)
{
	close_media(m);
	mikey_exchange_free(m->reg_ex);
	mikey_exchange_free(m->held);
	mikey_ctx_free(m->mctx);
	mikey_wipe(m->cfg.creds.psk, sizeof(m->cfg.creds.psk));
	g_free(m->identity);
	g_free(m->name);
	g_free(m);
}

static void group_free(lgroup *g)
{
	g_strfreev(g->extra_logs);
	g_free(g->name);
	g_free(g->uri);
	g_ptr_array_free(g->members, TRUE);
	g_free(g);
}

static lmember *find_member(load *L, const char *name)
{
	for (guint i = 0; i < L->members->len; i++) {
		lmember *m = g_ptr_array_index(L->members, i);
		if (strcmp(m->name, name) == 0)
			return m;
	}
	return NULL;
}

static void batch_free(lbatch *b)
{
	g_ptr_array_free(b->join, TRUE);
	g_ptr_array_free(b->leave, TRUE);
	g_free(b->name);
	g_free(b);
}

/* load_batches: [load] batches (scale mode) and their [batch:NAME] join
 * and leave lists. Without it every member is in from the start. */
static bool load_batches(load *L, GKeyFile *kf, GError **err)
{
	char **names = g_key_file_get_string_list(kf, "load", "batches", NULL, NULL);
	bool ok = false;
	if (names == NULL) {
		for (guint i = 0; i < L->members->len; i++)
			((lmember *)g_ptr_array_index(L->members, i))->active = true;
		return true;
	}
	for (char **bn = names; *bn != NULL; bn++) {
		char *sec = g_strdup_printf("batch:%s", *bn);
		lbatch *b = g_new0(lbatch, 1);
		b->name = g_strdup(*bn);
		b->join = g_ptr_array_new();
		b->leave = g_ptr_array_new();
		g_ptr_array_add(L->batches, b);
		static const char *const keys[] = {"join", "leave"};
		for (unsigned k = 0; k < 2; k++) {
			char **ms = g_key_file_get_string_list(kf, sec, keys[k], NULL, NULL);
			for (char **mn = ms; mn != NULL && *mn != NULL; mn++) {
				lmember *m = find_member(L, *mn);
				if (m == NULL) {
					g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "[%s] %s: no member %s",
					            sec, keys[k], *mn);
					g_strfreev(ms);
					g_free(sec);
					goto out;
				}
				g_ptr_array_add(k == 0 ? b->join : b->leave, m);
			}
			g_strfreev(ms);
		}
		g_free(sec);
	}
	ok = true;
out:
	g_strfreev(names);
	return ok;
}

static bool load_config(load *L, const char *path, char **bind, GError **err)
{
	GKeyFile *kf = g_key_file_new();
	char *policy = NULL, **groups = NULL, **leavers = NULL;
	bool ok = false;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, err))
		goto out;
	if ((*bind = need_str(kf, "load", "bind", err)) == NULL ||
	    (L->ks_identity = need_str(kf, "load", "key-server", err)) == NULL ||
	    (L->ks_uri = need_str(kf, "load", "key-server-uri", err)) == NULL ||
	    (policy = need_str(kf, "load", "policy", err)) == NULL)
		goto out;
	if (mikey_srtp_policy_from_name(policy, &L->policy) != MIKEY_OK) {
		g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "[load] policy %s unknown", policy);
		goto out;
	}
	L->tesla = !g_key_file_has_key(kf, "load", "tesla", NULL) || g_key_file_get_boolean(kf, "load", "tesla", NULL);
	groups = g_key_file_get_string_list(kf, "load", "groups", NULL, err);
	if (groups == NULL)
		goto out;
	for (char **gn = groups; *gn != NULL; gn++) {
		char *sec = g_strdup_printf("group:%s", *gn);
		lgroup *g = g_new0(lgroup, 1);
		g->name = g_strdup(*gn);
		g->members = g_ptr_array_new();
		g_ptr_array_add(L->groups, g);
		g->uri = need_str(kf, sec, "uri", err);
		g->extra = (unsigned)g_key_file_get_integer(kf, sec, "extra-members", NULL);
		g->extra_logs = g_key_file_get_string_list(kf, sec, "extra-logs", NULL, NULL);
		char **ms = g->uri != NULL ? g_key_file_get_string_list(kf, sec, "members", NULL, err) : NULL;
		g_free(sec);
		if (ms == NULL)
			goto out;
		bool each = true;
		for (char **mn = ms; *mn != NULL && each; mn++)
			each = member_new(L, g, kf, *mn, err) != NULL;
		g_strfreev(ms);
		if (!each)
			goto out;
	}
	/* Joins go round the groups, so that each fills at the same pace. */
	g_ptr_array_set_size(L->members, 0);
	for (guint k = 0, added = 1; added; k++) {
		added = 0;
		for (guint i = 0; i < L->groups->len; i++) {
			lgroup *g = g_ptr_array_index(L->groups, i);
			if (k < g->members->len) {
				g_ptr_array_add(L->members, g_ptr_array_index(g->members, k));
				added = 1;
			}
		}
	}
	if (!load_batches(L, kf, err))
		goto out;
	leavers = g_key_file_get_string_list(kf, "load", "leavers", NULL, NULL);
	for (char **ln = leavers; ln != NULL && *ln != NULL; ln++) {
		lmember *found = NULL;
		for (guint i = 0; i < L->members->len && found == NULL; i++) {
			lmember *m = g_ptr_array_index(L->members, i);
			if (strcmp(m->name, *ln) == 0)
				found = m;
		}
		if (found == NULL) {
			g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "[load] leavers: no member %s", *ln);
			goto out;
		}
		g_ptr_array_add(L->leavers, found);
	}
	ok = true;
out:
	g_strfreev(groups);
	g_strfreev(leavers);
	g_free(policy);
	g_key_file_free(kf);
	return ok;
}

static gboolean on_sigterm(gpointer p)
{
	load *L = p;
	if (L->stopping)
		return G_SOURCE_CONTINUE;
	if (L->ph == PH_DONE)
		finish(L, 0, "SIGTERM: stopping");
	else
		finish(L, 1, "SIGTERM before the measurement was complete");
	return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
	char *config = NULL, *out = NULL, *bind = NULL, *proxy = NULL, *ks_pids = NULL;
	gint join_window = 64, start_delay_ms = 0;
	gint ks_pid = 0, options_runs = 200, mikey_runs = 200, members_per_ua = 40;
	double join_rate = 50, tesla_seconds = 900, timeout_scale = 1;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "Load configuration (written by bench/conference.py)",
		 "FILE"},
		{"ks-pid", 'p', 0, G_OPTION_ARG_INT, &ks_pid, "The key server's process id (CPU, memory, liveness)", "PID"},
		{"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write the results here (JSON)", "FILE"},
		{"join-rate", 0, 0, G_OPTION_ARG_DOUBLE, &join_rate, "Joins per second (default 50)", "N"},
		{"ks-pids", 0, 0, G_OPTION_ARG_STRING, &ks_pids,
		 "Every key server's process id, comma-separated (liveness; the first one's CPU and memory)", "PID,PID"},
		{"proxy", 0, 0, G_OPTION_ARG_STRING, &proxy,
		 "Outbound proxy of every member (Kamailio in front of the key servers)", "URI"},
		{"join-window", 0, 0, G_OPTION_ARG_INT, &join_window,
		 "Scale mode ([load] batches): most joins unanswered at once (default 64)", "N"},
		{"start-delay-ms", 0, 0, G_OPTION_ARG_INT, &start_delay_ms,
		 "Scale mode: wait this long after set-up before the first batch (the driver reads CPU times then)",
		 "MS"},
		{"members-per-ua", 0, 0, G_OPTION_ARG_INT, &members_per_ua,
		 "Members sharing one nua (one SIP port and connection; default 40)", "N"},
		{"options-runs", 0, 0, G_OPTION_ARG_INT, &options_runs, "OPTIONS round trips averaged (default 200)", "N"},
		{"mikey-runs", 0, 0, G_OPTION_ARG_INT, &mikey_runs, "In-process push exchanges averaged (default 200)", "N"},
		{"tesla-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &tesla_seconds,
		 "Seconds each member's TESLA chain covers (default 900)", "S"},
		{"timeout-scale", 0, 0, G_OPTION_ARG_DOUBLE, &timeout_scale, "Multiply every phase's time bound (default 1)",
		 "X"},
		{NULL, 0, 0, 0, NULL, NULL, NULL}};
	GOptionContext *oc = g_option_context_new("- N simulated members of a mikey-sip-agent conference");
	GError *e = NULL;
	load L;
	int rc = 2;

	memset(&L, 0, sizeof(L));
	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &e)) {
		fprintf(stderr, "conference_load: %s\n", e->message);
		goto early;
	}
	L.ks_pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
	if (ks_pid > 0) {
		pid_t p = (pid_t)ks_pid;
		g_array_append_val(L.ks_pids, p);
	}
	if (ks_pids != NULL) {
		char **ps = g_strsplit(ks_pids, ",", 0);
		for (char **q = ps; *q != NULL; q++) {
			pid_t p = (pid_t)g_ascii_strtoll(*q, NULL, 10);
			if (p > 0)
				g_array_append_val(L.ks_pids, p);
		}
		g_strfreev(ps);
	}
	if (L.ks_pids->len > 0)
		ks_pid = g_array_index(L.ks_pids, pid_t, 0);
	if (config == NULL || out == NULL || ks_pid <= 0 || join_rate <= 0 || join_window < 1 || options_runs < 1 || mikey_runs < 1 ||
	    members_per_ua < 1 || tesla_seconds < 1 || timeout_scale <= 0) {
		fprintf(stderr, "conference_load: --config, --out and --ks-pid (or --ks-pids) are required; rates, runs, "
		                "windows and scales must be positive\n");
		goto early;
	}
	L.loop = g_main_loop_new(NULL, FALSE);
	L.uas = g_ptr_array_new();
	L.groups = g_ptr_array_new_with_free_func((GDestroyNotify)group_free);
	L.members = g_ptr_array_new();
	L.leavers = g_ptr_array_new();
	L.opt_ns = g_array_new(FALSE, FALSE, sizeof(double));
	L.mikey_ns = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	L.leaves = g_array_new(FALSE, TRUE, sizeof(leave_rec));
	L.batches = g_ptr_array_new_with_free_func((GDestroyNotify)batch_free);
	L.join_window = (unsigned)join_window;
	L.ks_pid = (pid_t)ks_pid;
	L.out_path = out;
	L.join_rate = join_rate;
	L.tesla_seconds = tesla_seconds;
	L.options_runs = (unsigned)options_runs;
	L.mikey_runs = (unsigned)mikey_runs;
	L.timeout_scale = timeout_scale;
	rc = 1;
	/* Until the very end: a SIGTERM while the nua shut down must not kill
	 * the process before it says why it stopped. */
	guint s1 = g_unix_signal_add(SIGTERM, on_sigterm, &L), s2 = g_unix_signal_add(SIGINT, on_sigterm, &L);
	gint64 t0 = g_get_monotonic_time();
	if (!make_tesla(&L.extra_tesla, tesla_seconds, &e) || !load_config(&L, config, &bind, &e))
		goto out;
	say("%u members in %u group(s), TESLA %s%s%s; set up in %.2f s", L.members->len, L.groups->len,
	    L.tesla ? "on" : "off", proxy != NULL ? ", through " : "", proxy != NULL ? proxy : "",
	    (double)(g_get_monotonic_time() - t0) / 1e6);
	/* Several nua, each on its own port: the key server pushes to every
	 * member of a group at once, and sofia-sip queues at most 64 messages
	 * per connection (TPORT_QUEUESIZE); past that its own nua answers the
	 * push with a local 503 and the key server removes the member. Real
	 * members have a connection each. */
	for (guint i = 0; i < L.members->len; i += (guint)members_per_ua) {
		sip_ua *ua = NULL;
		if (!sip_ua_new(bind, "sip:load@example.org", proxy, 0, on_event, &L, &ua, &e))
			goto out;
		g_ptr_array_add(L.uas, ua);
	}
	for (guint i = 0; i < L.members->len; i++)
		((lmember *)g_ptr_array_index(L.members, i))->ua = g_ptr_array_index(L.uas, i % L.uas->len);
	say("%u nua instance(s) on %s", L.uas->len, bind);
	char st;
	L.ks_cpu_ns_before = proc_cpu_ns(L.ks_pid);
	if (!proc_stat(L.ks_pid, &st, &L.ks_ticks_before) || st == 'Z') {
		g_set_error(&e, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no key server process %d", ks_pid);
		goto out;
	}
	L.ks_rss_before = proc_rss_kib(L.ks_pid);
	L.t_phase = g_get_monotonic_time();
	if (L.batches->len > 0) {
		/* Scale mode: the batches, then the results; no baselines. The
		 * first batch starts --start-delay-ms from now (poll_batch waits
		 * 100 ms after t_batch_gap). */
		L.ph = PH_BATCH;
		L.t_batch_gap = g_get_monotonic_time() + (gint64)MAX(0, start_delay_ms) * 1000 - 100000;
	} else {
		L.ph = PH_JOIN;
		L.t_join = g_timeout_add(MAX(1u, (guint)(1000.0 / join_rate)), join_tick, &L);
	}
	L.t_poll = g_timeout_add(POLL_MS, poll_tick, &L);
	g_main_loop_run(L.loop);
	rc = L.rc;
out:
	if (e != NULL) {
		say("FAILED: %s", e->message);
		g_error_free(e);
	}
	if (L.t_join != 0)
		g_source_remove(L.t_join);
	if (L.t_poll != 0)
		g_source_remove(L.t_poll);
	if (L.t_quit != 0)
		g_source_remove(L.t_quit);
	if (L.opt_nh != NULL)
		nua_handle_destroy(L.opt_nh);
	/* Each leaves L.uas only once shut down: on_event looks for it there. */
	while (L.uas != NULL && L.uas->len > 0) {
		sip_ua_free(g_ptr_array_index(L.uas, L.uas->len - 1));
		g_ptr_array_remove_index(L.uas, L.uas->len - 1);
	}
	if (L.uas != NULL)
		g_ptr_array_free(L.uas, TRUE);
	for (guint i = 0; i < L.members->len; i++)
		member_free(g_ptr_array_index(L.members, i));
	g_ptr_array_free(L.members, TRUE);
	g_ptr_array_free(L.leavers, TRUE);
	g_ptr_array_free(L.batches, TRUE);
	g_ptr_array_free(L.groups, TRUE);
	g_array_free(L.opt_ns, TRUE);
	g_array_free(L.leaves, TRUE);
	g_hash_table_destroy(L.mikey_ns);
	g_source_remove(s1);
	g_source_remove(s2);
	g_main_loop_unref(L.loop);
	g_free(L.ks_identity);
	g_free(L.ks_uri);
	g_free(bind);
early:
	g_option_context_free(oc);
	if (L.ks_pids != NULL)
		g_array_free(L.ks_pids, TRUE);
	g_free(config);
	g_free(out);
	g_free(proxy);
	g_free(ks_pids);
	return rc;
}
