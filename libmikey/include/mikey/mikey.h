/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mikey/mikey.h - everything libmikey offers, in one include. */
#ifndef MIKEY_MIKEY_H
#define MIKEY_MIKEY_H

#include "mikey/error.h"
#include "mikey/mem.h"
#include "mikey/msg.h"
#include "mikey/names.h"
#include "mikey/text.h"
#include "mikey/types.h"

#endif
