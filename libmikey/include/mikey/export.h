/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mikey/export.h - MIKEY_API marks the functions libmikey exports.
 *
 * The library is compiled with hidden visibility: only functions declared
 * with MIKEY_API in these headers are in its dynamic symbol table, so its
 * internal helpers cannot clash with, or be interposed by, the program or
 * plugin that loads it. tests/abi/check_exports.py keeps it so.
 */
#ifndef MIKEY_EXPORT_H
#define MIKEY_EXPORT_H

#if defined(MIKEY_BUILDING_LIBRARY) && (defined(__GNUC__) || defined(__clang__))
#define MIKEY_API __attribute__((visibility("default")))
#else
#define MIKEY_API
#endif

#endif
