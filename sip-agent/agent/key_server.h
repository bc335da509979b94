/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * key_server.h - mikey-sip-agent's key-server role (key_server.c).
 */
#ifndef AGENT_KEY_SERVER_H
#define AGENT_KEY_SERVER_H

#include "config.h"

/* key_server_run serves |c|'s groups until SIGTERM or SIGINT, then writes
 * the summary. Returns the process exit code. */
int key_server_run(const agent_config *c);

#endif
