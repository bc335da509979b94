/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tesla_text.h - a sender's TESLA parameters (RFC 4383 §4.3) as one line
 * of text, for the key server's store: "prf n_p n_f mac n_m t_0 t_int d
 * n_c commit_index commitment-hex". D_t is the receiver's (RFC 4442 §4.3)
 * and is not kept.
 */
#ifndef AGENT_TESLA_TEXT_H
#define AGENT_TESLA_TEXT_H

#include <stdbool.h>

#include <mikey/tesla.h>

/* tesla_text_print returns a g_malloc'ed line. */
char *tesla_text_print(const mikey_tesla_params *p);
/* tesla_text_parse reads a line tesla_text_print made; false when it does
 * not parse or the parameters do not check (mikey_tesla_params_check). */
bool tesla_text_parse(const char *s, mikey_tesla_params *p);

#endif
