/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * member.h - mikey-sip-agent's member role (member.c).
 */
#ifndef AGENT_MEMBER_H
#define AGENT_MEMBER_H

#include "config.h"

/* member_run joins |c|'s group, runs media until it leaves (leave-after,
 * duration, SIGTERM) or is removed, then writes the summary. Returns the
 * process exit code: 0 when it joined and nothing failed. */
int member_run(const agent_config *c);

#endif
