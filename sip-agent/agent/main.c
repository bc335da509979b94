/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey-sip-agent - the SIP conference key agent: a group key server, or a
 * member of a group (docs/sip-agent.md, mikey-sip-agent(1)).
 */
#include <glib.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent_log.h"
#include "config.h"
#include "key_server.h"
#include "member.h"
#include "store_report.h"

int main(int argc, char **argv)
{
	char *config = NULL, *summary = NULL, *name = NULL, *report = NULL;
	gboolean debug = FALSE, version = FALSE;
	double duration = -1, leave_after = -1;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "The configuration file (GKeyFile)", "FILE"},
		{"summary", 's', 0, G_OPTION_ARG_FILENAME, &summary, "Write the JSON summary here at exit", "FILE"},
		{"name", 'n', 0, G_OPTION_ARG_STRING, &name, "Name on log lines (default: the role)", "NAME"},
		{"duration", 0, 0, G_OPTION_ARG_DOUBLE, &duration, "Member: seconds in the call, then BYE", "SECONDS"},
		{"leave-after", 0, 0, G_OPTION_ARG_DOUBLE, &leave_after, "Member: leave after this many seconds",
		 "SECONDS"},
		{"store-report", 0, 0, G_OPTION_ARG_FILENAME, &report,
		 "Key server: write what its store holds (generations with fingerprints, members) as JSON, and exit",
		 "FILE"},
		{"debug", 'd', 0, G_OPTION_ARG_NONE, &debug, "Log debug lines too", NULL},
		{"version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL}};
	GOptionContext *oc = g_option_context_new("- MIKEY group key server or member over SIP (RFC 4567)");
	GError *e = NULL;
	agent_config *c = NULL;
	int rc = 2;

	setlocale(LC_ALL, "");
	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &e)) {
		fprintf(stderr, "mikey-sip-agent: %s\n", e->message);
		goto out;
	}
	if (version) {
		printf("mikey-sip-agent %s\n", AGENT_VERSION);
		rc = 0;
		goto out;
	}
	if (config == NULL) {
		fprintf(stderr, "mikey-sip-agent: --config FILE is required (see mikey-sip-agent(1))\n");
		goto out;
	}
	if (!agent_config_load(config, &c, &e)) {
		fprintf(stderr, "mikey-sip-agent: %s\n", e->message);
		goto out;
	}
	if (summary != NULL) {
		g_free(c->summary);
		c->summary = g_strdup(summary);
	}
	if (duration >= 0)
		c->duration = duration;
	if (leave_after >= 0)
		c->leave_after = leave_after;
	agent_log_init(name != NULL ? name : c->role == AGENT_ROLE_KEY_SERVER ? "key-server" : "member", debug);
	if (report != NULL) {
		if (c->role != AGENT_ROLE_KEY_SERVER) {
			fprintf(stderr, "mikey-sip-agent: --store-report needs a key server's configuration\n");
		} else if (!store_report_write(c, report, &e)) {
			fprintf(stderr, "mikey-sip-agent: store report: %s\n", e->message);
		} else {
			rc = 0;
		}
		goto out;
	}
	rc = c->role == AGENT_ROLE_KEY_SERVER ? key_server_run(c) : member_run(c);
out:
	g_clear_error(&e);
	agent_config_free(c);
	g_option_context_free(oc);
	g_free(config);
	g_free(summary);
	g_free(report);
	g_free(name);
	return rc;
}
