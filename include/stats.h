/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-wide counts of what xuring holds, shown in
 * /sys/class/misc/xuring/: operators see what a module they may want to
 * unload is holding, and the tests check that a killed process leaves
 * nothing behind. Two counters only grow, from load on: rings set up and
 * SQEs consumed, which show that a program really ran on xuring (the
 * drop-in liburing.so.2 checks).
 */
#ifndef XURING_STATS_H
#define XURING_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>

struct attribute_group;

struct xr_stats {
	atomic_long_t	rings;		/* set-up rings not yet freed */
	atomic_long_t	requests;	/* requests allocated, cached or live */
	atomic_long_t	workers;	/* io-wq and SQPOLL kthreads */
	atomic_long_t	pinned_pages;	/* pages pinned by fixed buffers */
	atomic_long_t	rings_setup;	/* rings ever set up */
};

extern struct xr_stats xr_stats;
extern const struct attribute_group *xr_stats_groups[];

/* per CPU: every submission batch adds to it, from any CPU */
DECLARE_PER_CPU(unsigned long, xr_sqes_submitted);

/* Count @nr consumed SQEs: once per batch, no shared cache line. */
static inline void xr_stats_sqes_submitted(unsigned int nr)
{
	this_cpu_add(xr_sqes_submitted, nr);
}

#endif
