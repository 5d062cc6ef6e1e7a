/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-wide counts of what xuring holds, shown in
 * /sys/class/misc/xuring/: operators see what a module they may want to
 * unload is holding, and the tests check that a killed process leaves
 * nothing behind.
 */
#ifndef XURING_STATS_H
#define XURING_STATS_H

#include <linux/atomic.h>

struct attribute_group;

struct xr_stats {
	atomic_long_t	rings;		/* set-up rings not yet freed */
	atomic_long_t	requests;	/* requests allocated, cached or live */
	atomic_long_t	workers;	/* io-wq and SQPOLL kthreads */
	atomic_long_t	pinned_pages;	/* pages pinned by fixed buffers */
};

extern struct xr_stats xr_stats;
extern const struct attribute_group *xr_stats_groups[];

#endif
