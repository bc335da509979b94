/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/mikey.h - everything libmikey offers, in one include: every public
 * header (tests/abi/check_exports.py checks that none is missing). The
 * libsrtp2 glue headers need <srtp2/srtp.h>: `pkg-config --cflags libmikey`
 * brings its include path.
 */
#ifndef MIKEY_MIKEY_H
#define MIKEY_MIKEY_H

#include "mikey/error.h"
#include "mikey/exchange.h"
#include "mikey/export.h"
#include "mikey/group.h"
#include "mikey/kdf.h"
#include "mikey/keystore.h"
#include "mikey/mem.h"
#include "mikey/msg.h"
#include "mikey/names.h"
#include "mikey/rng.h"
#include "mikey/srtp.h"
#include "mikey/srtp_libsrtp.h"
#include "mikey/srtp_session.h"
#include "mikey/srtp_tesla.h"
#include "mikey/srtp_tesla_group.h"
#include "mikey/tesla.h"
#include "mikey/tesla_mikey.h"
#include "mikey/text.h"
#include "mikey/types.h"

#endif
