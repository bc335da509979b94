/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * agent_log.c - log lines on stderr.
 */
#include "agent_log.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>

static char log_name[64] = "agent";
static bool log_debug;

void agent_log_init(const char *name, bool debug)
{
	g_strlcpy(log_name, name != NULL ? name : "agent", sizeof(log_name));
	log_debug = debug;
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	GDateTime *now = g_date_time_new_now_local();
	char *ts = g_date_time_format(now, "%H:%M:%S.%f");
	char *msg = g_strdup_vprintf(fmt, ap);
	/* %f gives microseconds: keep milliseconds. */
	fprintf(stderr, "%.12s %s: %s%s\n", ts, log_name, level, msg);
	fflush(stderr);
	g_free(msg);
	g_free(ts);
	g_date_time_unref(now);
}

void agent_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void agent_log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("error: ", fmt, ap);
	va_end(ap);
}

void agent_log_debug(const char *fmt, ...)
{
	if (!log_debug)
		return;
	va_list ap;
	va_start(ap, fmt);
	emit("debug: ", fmt, ap);
	va_end(ap);
}
