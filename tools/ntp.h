/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntp.h - NTP timestamps as UTC dates, for printing. */
#ifndef MIKEY_TOOL_NTP_H
#define MIKEY_TOOL_NTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ntp64_to_iso writes the 64-bit NTP timestamp |ntp| (32.32 fixed point,
 * seconds since 1900-01-01 UTC) as "YYYY-MM-DDTHH:MM:SS.ffffffZ" into
 * |buf|. Returns false when the date cannot be represented. */
bool ntp64_to_iso(uint64_t ntp, char *buf, size_t cap);

/* ntp32_to_iso does the same for whole NTP seconds (NTP-UTC-32,
 * RFC 6043 §6.3). */
bool ntp32_to_iso(uint32_t secs, char *buf, size_t cap);

#endif
