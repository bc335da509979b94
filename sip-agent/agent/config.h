/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.h - mikey-sip-agent's configuration: a GKeyFile
 * (docs/sip-agent.md, "Configuration"), overridden by the command line.
 *
 * Ownership: agent_config_load returns a config freed with
 * agent_config_free, which wipes the pre-shared keys.
 */
#ifndef AGENT_CONFIG_H
#define AGENT_CONFIG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include <mikey/exchange.h>
#include <mikey/srtp.h>

#define AGENT_CONFIG_ERROR (agent_config_error_quark())
GQuark agent_config_error_quark(void);

typedef enum {
	AGENT_CONFIG_ERR_FILE,  /* cannot read the file / a file it names */
	AGENT_CONFIG_ERR_VALUE, /* a key with a bad value */
	AGENT_CONFIG_ERR_MISSING /* a required key is absent */
} AgentConfigError;

typedef enum { AGENT_ROLE_KEY_SERVER, AGENT_ROLE_MEMBER } agent_role;

#define AGENT_PSK_MAX 64
/* [key-server] push-window: enough to keep a proxy's connection busy
 * (pushes answer in milliseconds), few enough that a rekey of every
 * group at once neither overflows the connection nor times members out. */
#define AGENT_PUSH_WINDOW 32

/* Credentials of one side: a PSK, or certificate + key + CA (PK mode). */
typedef struct agent_creds {
	uint8_t psk[AGENT_PSK_MAX];
	size_t psk_len;
	char *cert_pem, *key_pem, *ca_pem; /* file contents, NULL when unset */
	size_t cert_len, key_len, ca_len;
} agent_creds;

/* A member as the key server knows it ([member:NAME]). */
typedef struct agent_member_conf {
	char *name;
	char *identity; /* its MIKEY ID (URI), e.g. sip:alice@example.org */
	agent_creds creds; /* psk, or cert (its certificate, for PK envelopes) */
} agent_member_conf;

/* A group the key server owns ([group:NAME]). */
typedef struct agent_group_conf {
	char *name;
	char *user;        /* Request-URI user part that names the group */
	mikey_mode mode;   /* MIKEY_MODE_PSK or MIKEY_MODE_PK */
	char *policy_name;
	mikey_srtp_policy policy;
	bool tesla;
	bool rekey_on_join; /* backward secrecy */
	unsigned rekey_interval; /* seconds, 0: none */
	uint64_t rekey_packets;  /* relayed packets under one key before a rekey (RFC 3711 §9.2), 0: none */
	char *mcast_addr;   /* IPv4 multicast group for the media (NULL: the relay) */
	uint16_t mcast_port;
	unsigned mcast_ttl; /* c=IN IP4 GROUP/TTL (RFC 4566 §5.7), default 1 */
	GPtrArray *members; /* agent_member_conf* (owned) */
} agent_group_conf;

typedef struct agent_config {
	agent_role role;
	char *identity;   /* our MIKEY ID (URI) and SIP From */
	char *bind;       /* NUTAG_URL, e.g. sip:127.0.0.1:5070 */
	char *summary;    /* write the JSON summary here at exit (NULL: none) */
	char *media_addr; /* address media binds to */
	char *plugin_path;
	agent_creds creds; /* our own credentials */
	unsigned max_skew; /* seconds (RFC 3830 §5.4), default 300 */
	/* key server */
	char *store;
	char *master_key_file;
	uint16_t relay_port;
	char *relay_tap; /* addr:port or NULL */
	unsigned keepalive; /* in-dialog OPTIONS every N s (0: off) */
	unsigned sip_timeout_ms; /* transaction timeout, 64*T1 (0: 32 s); both roles */
	unsigned push_window; /* pushes (re-INVITEs) out at once, the rest wait (0: no bound) */
	char *instance;   /* this key server's name among several on one store */
	unsigned lease_check_ms; /* how often held leases and the store are checked */
	GPtrArray *groups; /* agent_group_conf* */
	/* member */
	char *group_uri;  /* the group's SIP URI to call */
	char *ks_identity; /* the key server's MIKEY ID */
	char *ks_cert_pem; /* its certificate (PK mode: the envelope's key) */
	size_t ks_cert_len;
	char *proxy;      /* outbound proxy, NULL: direct */
	mikey_mode mode;
	char *policy_name;
	mikey_srtp_policy policy;
	bool tesla;
	uint32_t ssrc;    /* 0: drawn */
	double duration;  /* seconds in the call, then BYE (0: until signalled) */
	double leave_after; /* leave (BYE) after this many seconds (0: at the end) */
	char *eavesdrop;  /* after leaving, listen at addr:port (the relay's tap) */
	double eavesdrop_delay; /* ... starting this long after the BYE */
	double eavesdrop_for;   /* ... for this long */
	unsigned forge;   /* insider forgeries to send */
	double forge_after;
	unsigned switch_delay_ms;
	unsigned grace_ms;
	bool subscribe; /* to the conference event package (RFC 4575) */
	unsigned ks_keepalive_ms;   /* in-dialog OPTIONS to the key server every N ms (0: off) */
	unsigned rejoin_timeout_ms; /* give up rejoining after a lost key server this long */
} agent_config;

bool agent_config_load(const char *path, agent_config **out, GError **err);
void agent_config_free(agent_config *c);

#endif
