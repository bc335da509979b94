/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * agent_log.h - the agent's log lines on stderr: one line per event,
 * prefixed with the time and the process's role name, so that the lines
 * of a key server and its members interleave readably.
 */
#ifndef AGENT_LOG_H
#define AGENT_LOG_H

#include <stdbool.h>

void agent_log_init(const char *name, bool debug);
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void agent_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void agent_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
