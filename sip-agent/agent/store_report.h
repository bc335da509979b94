/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * store_report.h - what a key server's store holds, as JSON, for audits
 * and tests (`mikey-sip-agent --config KS.conf --store-report FILE`).
 *
 * For every configured group: its CSB ID, every generation issued (epoch,
 * MKI, issue time and the key material's fingerprint, key_fingerprint.h,
 * never the key material) and the current members. Several key servers
 * on one store give the same report: it is read from the store only.
 */
#ifndef AGENT_STORE_REPORT_H
#define AGENT_STORE_REPORT_H

#include <glib.h>
#include <stdbool.h>

#include "config.h"

/* store_report_write opens the store |c| names (its master key file must
 * exist) and writes the report to the file |path|. */
bool store_report_write(const agent_config *c, const char *path, GError **err);

#endif
