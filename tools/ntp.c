/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntp.c - see ntp.h. */
#include "ntp.h"

#include <stdio.h>
#include <time.h>

/* Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch). */
#define NTP_UNIX_OFFSET 2208988800LL

bool ntp64_to_iso(uint64_t ntp, char *buf, size_t cap)
{
	uint32_t secs = (uint32_t)(ntp >> 32);
	uint32_t frac = (uint32_t)ntp;
	long long unix_secs = (long long)secs - NTP_UNIX_OFFSET;
	unsigned usec = (unsigned)(((uint64_t)frac * 1000000u) >> 32);
	struct tm tm;

	/* RFC 4330 §3 (made mandatory for MIKEY by RFC 6043 §6.3): with the
	 * most significant bit clear the time lies in era 1, 2036-2104. */
	if ((secs & 0x80000000u) == 0)
		unix_secs += 1LL << 32;
	time_t t = (time_t)unix_secs;
	if ((long long)t != unix_secs || gmtime_r(&t, &tm) == NULL)
		return false;
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	         tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
	return true;
}

bool ntp32_to_iso(uint32_t secs, char *buf, size_t cap)
{
	return ntp64_to_iso((uint64_t)secs << 32, buf, cap);
}
