/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.c - the GKeyFile configuration (docs/sip-agent.md).
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include <mikey/mem.h>

G_DEFINE_QUARK(agent-config-error-quark, agent_config_error)

static bool bad(GError **err, const char *group, const char *key, const char *why)
{
	g_set_error(err, AGENT_CONFIG_ERROR, AGENT_CONFIG_ERR_VALUE, "[%s] %s: %s", group, key, why);
	return false;
}

/* str: a string key, |def| when absent (copied; NULL stays NULL). */
static char *str(GKeyFile *kf, const char *group, const char *key, const char *def)
{
	char *v = g_key_file_get_string(kf, group, key, NULL);
	if (v != NULL)
		return g_strstrip(v);
	return g_strdup(def);
}

static bool boolean(GKeyFile *kf, const char *group, const char *key, bool def, bool *out, GError **err)
{
	GError *e = NULL;
	*out = def;
	if (!g_key_file_has_key(kf, group, key, NULL))
		return true;
	gboolean v = g_key_file_get_boolean(kf, group, key, &e);
	if (e != NULL) {
		g_error_free(e);
		return bad(err, group, key, "expected true or false");
	}
	*out = v;
	return true;
}

static bool number(GKeyFile *kf, const char *group, const char *key, double def, double min, double max,
                   double *out, GError **err)
{
	*out = def;
	char *v = g_key_file_get_string(kf, group, key, NULL);
	if (v == NULL)
		return true;
	char *end = NULL;
	double d = g_ascii_strtod(g_strstrip(v), &end);
	bool ok = end != v && *end == '\0' && d >= min && d <= max;
	g_free(v);
	if (!ok) {
		char why[96];
		g_snprintf(why, sizeof(why), "expected a number from %g to %g", min, max);
		return bad(err, group, key, why);
	}
	*out = d;
	return true;
}

static bool unsigned_key(GKeyFile *kf, const char *group, const char *key, unsigned def, unsigned max,
                         unsigned *out, GError **err)
{
	double d;
	if (!number(kf, group, key, def, 0, max, &d, err))
		return false;
	if (d != (double)(unsigned)d)
		return bad(err, group, key, "expected a whole number");
	*out = (unsigned)d;
	return true;
}

/* rekey-packets: at most 2^48 (RFC 3711 §9.2: no master key protects more
 * than 2^48 SRTP packets). */
static bool packets_key(GKeyFile *kf, const char *group, uint64_t *out, GError **err)
{
	double d;
	if (!number(kf, group, "rekey-packets", 0, 0, 281474976710656.0, &d, err))
		return false;
	if (d != (double)(uint64_t)d)
		return bad(err, group, "rekey-packets", "expected a whole number");
	*out = (uint64_t)d;
	return true;
}

static bool read_file(const char *group, const char *key, const char *path, char **out, size_t *len, GError **err)
{
	gsize n = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, out, &n, &e)) {
		g_set_error(err, AGENT_CONFIG_ERROR, AGENT_CONFIG_ERR_FILE, "[%s] %s: %s", group, key, e->message);
		g_error_free(e);
		return false;
	}
	*len = n;
	return true;
}

static bool psk_from_hex(const char *group, const char *key, const char *hex, agent_creds *c, GError **err)
{
	size_t n = strlen(hex);
	if (n == 0 || n % 2 != 0 || n / 2 > AGENT_PSK_MAX)
		return bad(err, group, key, "expected 2 to 128 hex digits, an even number");
	for (size_t i = 0; i < n / 2; i++) {
		int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			mikey_wipe(c->psk, sizeof(c->psk));
			return bad(err, group, key, "not hex");
		}
		c->psk[i] = (uint8_t)(hi << 4 | lo);
	}
	c->psk_len = n / 2;
	return true;
}

/* creds: psk (hex) or psk-file (hex inside), cert, key, ca (PEM files). */
static bool creds(GKeyFile *kf, const char *group, agent_creds *c, GError **err)
{
	char *v = str(kf, group, "psk", NULL);
	bool ok = true;
	if (v != NULL) {
		ok = psk_from_hex(group, "psk", v, c, err);
		mikey_wipe(v, strlen(v));
		g_free(v);
		if (!ok)
			return false;
	}
	v = str(kf, group, "psk-file", NULL);
	if (v != NULL) {
		char *text = NULL;
		size_t n = 0;
		ok = read_file(group, "psk-file", v, &text, &n, err);
		if (ok)
			ok = psk_from_hex(group, "psk-file", g_strstrip(text), c, err);
		if (text != NULL) {
			mikey_wipe(text, n);
			g_free(text);
		}
		g_free(v);
		if (!ok)
			return false;
	}
	static const char *const pem_keys[] = {"cert", "key", "ca"};
	char **dst[] = {&c->cert_pem, &c->key_pem, &c->ca_pem};
	size_t *dlen[] = {&c->cert_len, &c->key_len, &c->ca_len};
	for (size_t i = 0; i < G_N_ELEMENTS(pem_keys); i++) {
		v = str(kf, group, pem_keys[i], NULL);
		if (v == NULL)
			continue;
		ok = read_file(group, pem_keys[i], v, dst[i], dlen[i], err);
		g_free(v);
		if (!ok)
			return false;
	}
	return true;
}

static void creds_clear(agent_creds *c)
{
	mikey_wipe(c->psk, sizeof(c->psk));
	if (c->key_pem != NULL)
		mikey_wipe(c->key_pem, c->key_len);
	g_free(c->cert_pem);
	g_free(c->key_pem);
	g_free(c->ca_pem);
	memset(c, 0, sizeof(*c));
}

static bool mode_key(GKeyFile *kf, const char *group, mikey_mode *out, GError **err)
{
	char *v = str(kf, group, "mode", "psk");
	bool ok = true;
	if (g_ascii_strcasecmp(v, "psk") == 0)
		*out = MIKEY_MODE_PSK;
	else if (g_ascii_strcasecmp(v, "pk") == 0)
		*out = MIKEY_MODE_PK;
	else if (g_ascii_strcasecmp(v, "rsa-r") == 0)
		*out = MIKEY_MODE_RSAR;
	else
		ok = bad(err, group, "mode", "expected psk, pk or rsa-r");
	g_free(v);
	return ok;
}

static bool policy_key(GKeyFile *kf, const char *group, char **name, mikey_srtp_policy *p, GError **err)
{
	*name = str(kf, group, "policy", "aes128-sha1-80");
	if (mikey_srtp_policy_from_name(*name, p) != MIKEY_OK)
		return bad(err, group, "policy", "not a policy name (aes128-sha1-80, aes128-sha1-32, aes256-sha1-80, ...)");
	return true;
}

static void member_conf_free(gpointer p)
{
	agent_member_conf *m = p;
	g_free(m->name);
	g_free(m->identity);
	creds_clear(&m->creds);
	g_free(m);
}

static void group_conf_free(gpointer p)
{
	agent_group_conf *g = p;
	g_free(g->name);
	g_free(g->user);
	g_free(g->policy_name);
	g_free(g->mcast_addr);
	if (g->members != NULL)
		g_ptr_array_free(g->members, TRUE);
	g_free(g);
}

static bool load_member(GKeyFile *kf, const char *gname, const char *name, agent_group_conf *g, GError **err)
{
	char *section = g_strdup_printf("member:%s", name);
	agent_member_conf *m = g_new0(agent_member_conf, 1);
	bool ok = false;
	g_ptr_array_add(g->members, m);
	m->name = g_strdup(name);
	if (!g_key_file_has_group(kf, section)) {
		g_set_error(err, AGENT_CONFIG_ERROR, AGENT_CONFIG_ERR_MISSING, "[group:%s] members: no section [%s]", gname,
		            section);
		goto out;
	}
	m->identity = str(kf, section, "identity", NULL);
	if (m->identity == NULL) {
		g_set_error(err, AGENT_CONFIG_ERROR, AGENT_CONFIG_ERR_MISSING, "[%s] identity is required", section);
		goto out;
	}
	if (!creds(kf, section, &m->creds, err))
		goto out;
	if (g->mode == MIKEY_MODE_PSK && m->creds.psk_len == 0) {
		g_set_error(err, AGENT_CONFIG_ERROR, AGENT_CONFIG_ERR_MISSING, "[%s] psk or psk-file is required (mode psk)",
		            section);
		goto out;
	}
	if (g->mode != MIKEY_MODE_PSK && m->creds.cert_pem == NULL) {
		g_set_error(err, AGENT_CONFIG_ERROR, AGENT_CONFIG_ERR_MISSING, "[%s] cert is required (modes pk, rsa-r)",
		            section);
		goto out;
	}
	ok = true;
out:
	g_free(section);
	return ok;
}

/* multicast = GROUP:PORT, an IPv4 multicast address (RFC 4566 §5.7 gives
 * IPv4 groups a TTL in c=). */
static bool multicast_key(GKeyFile *kf, const char *section, agent_group_conf *g, GError **err)
{
	char *v = str(kf, section, "multicast", NULL);
	if (v == NULL)
		return true;
	char *colon = strrchr(v, ':');
	guint64 port = colon != NULL ? g_ascii_strtoull(colon + 1, NULL, 10) : 0;
	GInetAddress *ia = NULL;
	if (colon != NULL) {
		g->mcast_addr = g_strndup(v, (gsize)(colon - v));
		ia = g_inet_address_new_from_string(g->mcast_addr);
	}
	bool ok = ia != NULL && g_inet_address_get_family(ia) == G_SOCKET_FAMILY_IPV4 &&
	          g_inet_address_get_is_multicast(ia) && port > 0 && port <= 65535;
	g_free(v);
	if (ia != NULL)
		g_object_unref(ia);
	if (!ok)
		return bad(err, section, "multicast", "expected GROUP:PORT, GROUP an IPv4 multicast address");
	g->mcast_port = (uint16_t)port;
	if (!unsigned_key(kf, section, "multicast-ttl", 1, 255, &g->mcast_ttl, err))
		return false;
	return g->mcast_ttl > 0 || bad(err, section, "multicast-ttl", "expected 1 to 255");
}

static bool load_group(GKeyFile *kf, const char *section, agent_config *c, GError **err)
{
	agent_group_conf *g = g_new0(agent_group_conf, 1);
	g_ptr_array_add(c->groups, g);
	g->name = g_strdup(section + strlen("group:"));
	g->user = str(kf, section, "user", g->name);
	g->members = g_ptr_array_new_with_free_func(member_conf_free);
	if (!mode_key(kf, section, &g->mode, err) || !policy_key(kf, section, &g->policy_name, &g->policy, err) ||
	    !boolean(kf, section, "tesla", true, &g->tesla, err) ||
	    !boolean(kf, section, "rekey-on-join", false, &g->rekey_on_join, err) ||
	    !unsigned_key(kf, section, "rekey-interval", 0, 86400 * 365, &g->rekey_interval, err) ||
	    !packets_key(kf, section, &g->rekey_packets, err) ||
	    !multicast_key(kf, section, g, err))
		return false;
	gsize n = 0;
	gchar **names = g_key_file_get_string_list(kf, section, "members", &n, NULL);
	bool ok = true;
	for (gsize i = 0; ok && names != NULL && i < n; i++)
		ok = load_member(kf, g->name, g_strstrip(names[i]), g, err);
	g_strfreev(names);
	return ok;
}

static bool load_key_server(GKeyFile *kf, agent_config *c, GError **err)
{
	const char *s = "key-server";
	unsigned port = 0;
	c->store = str(kf, s, "store", "sqlite:mikey-ks.db");
	c->master_key_file = str(kf, s, "master-key-file", "mikey-ks.key");
	c->relay_tap = str(kf, s, "relay-tap", NULL);
	c->instance = str(kf, s, "instance", NULL);
	if (!unsigned_key(kf, s, "relay-port", 0, 65535, &port, err) ||
	    !unsigned_key(kf, s, "lease-check-ms", 1000, 60000, &c->lease_check_ms, err) ||
	    !unsigned_key(kf, s, "keepalive", 0, 3600, &c->keepalive, err) ||
	    !unsigned_key(kf, s, "sip-timeout-ms", 0, 600000, &c->sip_timeout_ms, err) ||
	    !unsigned_key(kf, s, "push-window", AGENT_PUSH_WINDOW, 100000, &c->push_window, err))
		return false;
	c->relay_port = (uint16_t)port;
	if (c->lease_check_ms < 100)
		c->lease_check_ms = 100; /* a busy loop against the database helps no one */
	gsize n = 0;
	gchar **groups = g_key_file_get_groups(kf, &n);
	bool ok = true;
	for (gsize i = 0; ok && i < n; i++)
		if (g_str_has_prefix(groups[i], "group:"))
			ok = load_group(kf, groups[i], c, err);
	g_strfreev(groups);
	if (ok && c->groups->len == 0) {
		g_set_error(err, AGENT_CONFIG_ERROR, AGENT_CONFIG_ERR_MISSING, "a key server needs at least one [group:NAME]");
		ok = false;
	}
	return ok;
}

static bool load_member_role(GKeyFile *kf, agent_config *c, GError **err)
{
	const char *s = "member";
	double ssrc = 0;
	c->group_uri = str(kf, s, "group-uri", NULL);
	c->ks_identity = str(kf, s, "key-server", NULL);
	c->proxy = str(kf, s, "proxy", NULL);
	c->eavesdrop = str(kf, s, "eavesdrop", NULL);
	char *kc = str(kf, s, "key-server-cert", NULL);
	if (kc != NULL) {
		bool ok = read_file(s, "key-server-cert", kc, &c->ks_cert_pem, &c->ks_cert_len, err);
		g_free(kc);
		if (!ok)
			return false;
	}
	if (c->group_uri == NULL || c->ks_identity == NULL) {
		g_set_error(err, AGENT_CONFIG_ERROR, AGENT_CONFIG_ERR_MISSING, "[member] group-uri and key-server are required");
		return false;
	}
	if (!mode_key(kf, s, &c->mode, err) || !policy_key(kf, s, &c->policy_name, &c->policy, err) ||
	    !boolean(kf, s, "tesla", true, &c->tesla, err) || !boolean(kf, s, "subscribe", true, &c->subscribe, err) ||
	    !number(kf, s, "ssrc", 0, 0, UINT32_MAX, &ssrc, err) ||
	    !number(kf, s, "duration", 0, 0, 86400, &c->duration, err) ||
	    !number(kf, s, "leave-after", 0, 0, 86400, &c->leave_after, err) ||
	    !number(kf, s, "eavesdrop-delay", 1.5, 0, 3600, &c->eavesdrop_delay, err) ||
	    !number(kf, s, "eavesdrop-for", 3, 0, 3600, &c->eavesdrop_for, err) ||
	    !unsigned_key(kf, s, "forge", 0, 100000, &c->forge, err) ||
	    !number(kf, s, "forge-after", 2, 0, 86400, &c->forge_after, err) ||
	    !unsigned_key(kf, s, "switch-delay-ms", 500, 60000, &c->switch_delay_ms, err) ||
	    !unsigned_key(kf, s, "grace-ms", 5000, 600000, &c->grace_ms, err) ||
	    !unsigned_key(kf, s, "ks-keepalive", 2000, 3600000, &c->ks_keepalive_ms, err) ||
	    !unsigned_key(kf, s, "rejoin-timeout", 30000, 3600000, &c->rejoin_timeout_ms, err) ||
	    !unsigned_key(kf, s, "sip-timeout-ms", 0, 600000, &c->sip_timeout_ms, err))
		return false;
	/* Below 100 ms the OPTIONS would be most of the signalling; a rejoin
	 * needs at least one attempt's worth of time (member.c's backoff). */
	if (c->ks_keepalive_ms != 0 && c->ks_keepalive_ms < 100)
		return bad(err, s, "ks-keepalive", "expected 0 (off) or at least 100 (milliseconds)");
	if (c->rejoin_timeout_ms < 200)
		return bad(err, s, "rejoin-timeout", "expected at least 200 (milliseconds)");
	c->ssrc = (uint32_t)ssrc;
	if (c->mode != MIKEY_MODE_PSK && (c->ks_cert_pem == NULL || c->creds.key_pem == NULL)) {
		g_set_error(err, AGENT_CONFIG_ERROR, AGENT_CONFIG_ERR_MISSING,
		            "modes pk and rsa-r need [member] key-server-cert and [agent] cert, key and ca");
		return false;
	}
	if (c->mode == MIKEY_MODE_PSK && c->creds.psk_len == 0) {
		g_set_error(err, AGENT_CONFIG_ERROR, AGENT_CONFIG_ERR_MISSING, "[agent] psk or psk-file is required (mode psk)");
		return false;
	}
	return true;
}

bool agent_config_load(const char *path, agent_config **out, GError **err)
{
	GKeyFile *kf = g_key_file_new();
	agent_config *c = g_new0(agent_config, 1);
	GError *e = NULL;
	bool ok = false;
	const char *a = "agent";

	c->groups = g_ptr_array_new_with_free_func(group_conf_free);
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &e)) {
		g_set_error(err, AGENT_CONFIG_ERROR, AGENT_CONFIG_ERR_FILE, "%s: %s", path, e->message);
		g_error_free(e);
		goto out;
	}
	char *role = str(kf, a, "role", NULL);
	if (role != NULL && strcmp(role, "key-server") == 0)
		c->role = AGENT_ROLE_KEY_SERVER;
	else if (role != NULL && strcmp(role, "member") == 0)
		c->role = AGENT_ROLE_MEMBER;
	else {
		g_free(role);
		bad(err, a, "role", "expected key-server or member");
		goto out;
	}
	g_free(role);
	c->identity = str(kf, a, "identity", NULL);
	c->bind = str(kf, a, "bind", "sip:127.0.0.1:*");
	c->summary = str(kf, a, "summary", NULL);
	c->media_addr = str(kf, a, "media-addr", "127.0.0.1");
	c->plugin_path = str(kf, a, "plugin-path", NULL);
	if (c->identity == NULL) {
		g_set_error(err, AGENT_CONFIG_ERROR, AGENT_CONFIG_ERR_MISSING, "[agent] identity is required (a SIP URI)");
		goto out;
	}
	if (!unsigned_key(kf, a, "max-skew", 300, 86400, &c->max_skew, err) || !creds(kf, a, &c->creds, err))
		goto out;
	ok = c->role == AGENT_ROLE_KEY_SERVER ? load_key_server(kf, c, err) : load_member_role(kf, c, err);
out:
	if (!ok) {
		g_prefix_error(err, "%s: ", path);
		agent_config_free(c);
		c = NULL;
	}
	g_key_file_free(kf);
	*out = c;
	return ok;
}

void agent_config_free(agent_config *c)
{
	if (c == NULL)
		return;
	creds_clear(&c->creds);
	g_free(c->identity);
	g_free(c->bind);
	g_free(c->summary);
	g_free(c->media_addr);
	g_free(c->plugin_path);
	g_free(c->store);
	g_free(c->instance);
	g_free(c->master_key_file);
	g_free(c->relay_tap);
	g_ptr_array_free(c->groups, TRUE);
	g_free(c->group_uri);
	g_free(c->ks_identity);
	g_free(c->ks_cert_pem);
	g_free(c->proxy);
	g_free(c->policy_name);
	g_free(c->eavesdrop);
	g_free(c);
}
