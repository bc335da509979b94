/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ks_state.h - the key server's state, shared by its three files:
 * ks_join.c (admitting members: the INVITE), ks_keys.c (generations, the
 * pushes that carry them, members leaving) and key_server.c (SIP events,
 * start from the store, summary). Internal to mikey-sip-agent.
 */
#ifndef AGENT_KS_STATE_H
#define AGENT_KS_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>

#include <mikey/exchange.h>
#include <mikey/group.h>

#include "../media/relay.h"
#include "../store/store.h"
#include "config.h"
#include "sdp_keymgmt.h"
#include "sip_ua.h"

/* Pushes after joins wait this long to serve every join in it at once. */
#define KS_JOIN_PUSH_DELAY_MS 100
/* A push answered 500 or 503 is tried again this many times. */
#define KS_PUSH_RETRIES 3
/* The most senders a group admits: #CS is one byte (RFC 3830 §6.1); with
 * TESLA each sender adds an SP and an I-Key extension to the push, and a
 * receiver reads at most 256 payloads a chain (libmikey's parse limit). */
#define KS_MAX_SENDERS 255
#define KS_MAX_TESLA_SENDERS 120

typedef struct ks ks;
typedef struct ks_group ks_group;

/* A departure to record once the store is back. */
typedef struct ks_pending_leave {
	char *member_id;
	uint32_t epoch;
} ks_pending_leave;

typedef struct ks_member {
	ks_group *group;
	char *id;
	nua_handle_t *nh;
	uint32_t ssrc;
	bool has_tesla;
	mikey_tesla_params tesla;
	char *media_addr;
	uint16_t media_port;
	bool admitted;           /* the join's ACK came: a sender, recorded, pushed to */
	mikey_exchange *push_ex; /* the push in flight */
	uint32_t push_epoch;
	bool push_again;         /* the generation changed while a push was out */
	bool rejoined;           /* replaced by a new join of the same identity */
	bool in_gen;             /* a sender of the generation already (RSA-R first join) */
	unsigned push_retries;   /* 500/503 answers to the current push */
	bool confirmed;
	uint32_t confirmed_epoch;
	guint retry;
	uint64_t sdp_version;
	bool options_out;
	bool moved;              /* serves elsewhere now: leaves no trace in the store */
	bool ending;             /* its BYE came: no more requests in this dialog */
	bool push_waiting;       /* in the key server's FIFO for a place in the push window */
	bool push_granted;       /* its turn came: ks_push sends without asking the window */
} ks_member;

struct ks_group {
	ks *k;
	const agent_group_conf *conf;
	uint32_t csb_id;
	uint32_t epoch;        /* of the last generation issued (0: none) */
	mikey_group_gen *gen;  /* NULL while no member holds a key */
	bool restored;         /* gen came from the store at start */
	GPtrArray *members;    /* ks_member*, joining order */
	ks_relay *relay;       /* NULL: the group's media is multicast */
	guint rekey_timer;
	unsigned joins, leaves, removed, rekeys, pushes, push_failures, refused;
	GArray *epochs;        /* uint32_t: every epoch issued in this run */
	GPtrArray *subs;       /* nua_handle_t*: conference event subscribers (RFC 4575) */
	unsigned conf_version; /* of the conference-info document */
	guint push_timer;      /* pushes after joins, coalesced */
	guint usage_timer;     /* checks the relayed packets under the current key */
	uint64_t usage_base;   /* relay packets received when the current key was issued */
	/* Several key servers on one store (ks_lease.c): */
	bool leased;           /* this instance serves the group: it holds the store's lease */
	unsigned lease_serial; /* the store connection that holds it */
	unsigned lease_lost;   /* times the lease went to another instance */
	int adopt_error;       /* KsStoreError of the last generation not recorded, -1: none */
	bool rekey_pending;    /* a rekey waits for the store to come back */
	GPtrArray *pending_leaves; /* ks_pending_leave*: departures the store has not taken yet */
	char *rekey_why;
	unsigned deferred_rekeys;
	unsigned notes;        /* notifications from other instances about this group */
	uint32_t seen_epoch;   /* the highest epoch any instance issued, as heard */
	unsigned refused_elsewhere, refused_unavailable;
};

struct ks {
	const agent_config *c;
	sip_ua *ua;
	mikey_ctx *mctx;
	ks_store *store;
	GPtrArray *groups;
	GMainLoop *loop;
	guint keepalive;
	guint trim_timer; /* gives freed heap back to the system (key_server.c) */
	unsigned refused; /* INVITEs refused before a group was known */
	char *host;       /* our address, for Warning headers and SDP */
	char *instance;   /* our name on the store (PostgreSQL application_name) */
	guint lease_timer;
	guint notes_src;  /* watches the store's notification socket */
	int notes_fd;
	bool store_down;  /* the last store call found the database away */
	bool stopping;    /* shutting down: no new generation, no push (nua is going) */
	unsigned orphans; /* handles bound to ks_orphan_handle, waiting for a push's answer */
	/* The push window (ks_window.c): */
	unsigned pushes_out;     /* re-INVITEs sent whose final answer has not come */
	unsigned pushes_out_max; /* the most ever out at once */
	unsigned pushes_waited;  /* pushes that waited in the FIFO */
	GQueue push_wait;        /* ks_member*: waiting for a place, oldest first */
	guint drain_src;
	unsigned store_outages, notes_heard, notes_skipped;
};

/* ks_keys.c */
/* The handle magic of a call that ended while a push was in flight: the
 * handle goes when that push's answer comes (sofia-sip 1.12 leaks the
 * request of a handle destroyed under it). */
extern char ks_orphan_handle;
void ks_member_free(ks_member *m);
ks_member *ks_find_member(ks_group *g, const char *id);
const agent_member_conf *ks_member_conf(const ks_group *g, const uint8_t *id, size_t len);
char *ks_member_attrs(const ks_member *m);
mikey_group_sender *ks_senders_of(ks_group *g, size_t *n);
bool ks_adopt_generation(ks_group *g, mikey_group_gen *gen, const ks_generation *rec, const char *why);
bool ks_new_generation(ks_group *g, const char *why);
void ks_push_all(ks_group *g);
void ks_push_all_soon(ks_group *g);
void ks_rekey(ks_group *g, const char *why);
gboolean ks_periodic_rekey(gpointer p);
gboolean ks_usage_check(gpointer p);
void ks_push(ks_member *m);
void ks_on_push_answer(ks_member *m, int status, const sip_t *sip);
void ks_member_remove(ks_member *m, const char *why, bool send_bye);
void ks_admit(ks_member *m);
/* ks_media_sdp: where the group's media goes, into |so|: the group's
 * multicast address and port when it has one, else the relay's. */
void ks_media_sdp(const ks_group *g, sdp_out *so);

/* key_server.c: tell the conference event subscribers (RFC 4575). */
void ks_announce(ks_group *g, const ks_member *m, bool left);

/* key_server.c: the group's last generation and members from the store. */
bool ks_restore_group(ks_group *g, GError **err);

/* ks_lease.c: one key server at a time serves a group (store.h, leases). */
/* ks_serve_group: true when this instance serves |g| now (taking its
 * lease when free, reloading the group when another instance may have
 * changed it); else false with *why (g_free) for the 503's Warning. */
bool ks_serve_group(ks_group *g, bool *unavailable, char **why);
/* ks_lose_group: another instance serves |g| now: end our dialogs with
 * its members (they rejoin through the proxy) and forget its keys,
 * without touching its records or rekeying (those are the holder's). */
void ks_lose_group(ks_group *g, const char *why);
/* ks_lease_start / _stop: the periodic check of held leases, deferred
 * rekeys and the notification watch. */
void ks_lease_start(ks *k);
/* ks_record_leave: the store marks |member_id| gone, now or (store away)
 * once it is back. */
void ks_record_leave(ks_group *g, const char *member_id, uint32_t epoch);
void ks_pending_leave_free(gpointer p);
void ks_lease_stop(ks *k);

/* ks_window.c: at most [key-server] push-window pushes out at once (0: no
 * bound); the rest wait in a FIFO, outside any SIP transaction. */
/* ks_window_enter: true when |m|'s push may go out now (|granted|: its
 * turn came); else |m| waits (once, however often it is asked) and
 * ks_push(m) runs at its turn. */
bool ks_window_enter(ks_member *m, bool granted);
/* ks_window_sent / _done: a push went out / its final answer came (or
 * will never be seen: the member went). */
void ks_window_sent(ks *k);
void ks_window_done(ks *k);
/* ks_window_forget: |m| goes: it leaves the FIFO. */
void ks_window_forget(ks_member *m);
void ks_window_stop(ks *k);

/* ks_join.c */
void ks_on_invite(ks *k, nua_handle_t *nh, const sip_t *sip);
/* The group a request's Request-URI names (its user part), or NULL. */
ks_group *ks_group_for(ks *k, const sip_t *sip);

#endif
