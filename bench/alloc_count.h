/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/alloc_count.h - count every heap allocation the process makes,
 * whichever library makes it.
 *
 * GLib ignores g_mem_set_vtable() since 2.46, so GStreamer's allocations
 * cannot be hooked through GLib. Instead, when BENCH_COUNT_MALLOC is set
 * (glibc only), the bench executable itself defines malloc/calloc/realloc/
 * free and forwards them to glibc's __libc_* entry points: symbol lookup
 * finds the executable's definitions first, so calls from libglib,
 * libgstsdp and libmikey all land here, without LD_PRELOAD.
 *
 * Only the codec-allocs executable carries the interposer (meson.build);
 * the timing executable `codec` starts it as a child. GSlice (GLib < 2.76)
 * serves small blocks from its own magazines and would hide them, so the
 * child runs with G_SLICE=always-malloc.
 */
#ifndef BENCH_ALLOC_COUNT_H
#define BENCH_ALLOC_COUNT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct bench_alloc_stats {
	size_t mallocs;  /* malloc + calloc */
	size_t reallocs; /* realloc (any pointer) */
	size_t frees;    /* free of a non-NULL pointer */
} bench_alloc_stats;

/* bench_alloc_available says whether the interposer was compiled in. */
bool bench_alloc_available(void);

/* bench_alloc_start zeroes the counters and starts counting. */
void bench_alloc_start(void);

/* bench_alloc_stop stops counting and returns what was counted. */
bench_alloc_stats bench_alloc_stop(void);

#endif
