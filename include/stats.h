/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What xuring holds and does, for operators and tests.
 *
 * Module-wide counts in /sys/class/misc/xuring/: what a module they may
 * want to unload is holding, and (only growing, from load on) rings set up
 * and SQEs consumed, which show that a program really ran on xuring (the
 * drop-in liburing.so.2 checks).
 *
 * Statistics in debugfs (xuring/ops, xuring/rings; Documentation/xuring.rst
 * "Statistics"), read by tools/top/xuring-top: per opcode, completions,
 * failures and a log2 histogram of the time from submission to
 * completion, in per-CPU counters; per ring, requests in flight by
 * opcode, counted under the locks submission and completion hold anyway.
 * The hot path takes no lock and touches no shared cache line for them,
 * and with the stats parameter off (a static key) it skips them at the
 * cost of a patched-out jump.
 */
#ifndef XURING_STATS_H
#define XURING_STATS_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/xuring.h>

struct attribute_group;
struct xuring_ring_ctx;

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

/* the stats parameter: per-op counters, histograms, requests in flight */
DECLARE_STATIC_KEY_FALSE(xr_stats_key);

static __always_inline bool xr_stats_on(void)
{
	return static_branch_unlikely(&xr_stats_key);
}

/*
 * On while anything watches requests one by one: the statistics, or a
 * probe on the xuring_submit_req, xuring_link, xuring_file_get or
 * xuring_complete tracepoint (their registration takes a reference). Submission and
 * completion test it once per batch, and while it is off run a copy of
 * their loops without those hooks: off, they cost nothing per request.
 */
DECLARE_STATIC_KEY_FALSE(xr_observe_key);

static __always_inline bool xr_observed(void)
{
	return static_branch_unlikely(&xr_observe_key);
}

int xr_observe_get(void);
void xr_observe_put(void);

/*
 * Latency buckets: bucket 0 counts 0 ns, bucket i (1 <= i < last) counts
 * [2^(i-1), 2^i) ns, the last one everything from 2^(XR_LAT_BUCKETS - 2)
 * ns (about 0.5 s) on.
 */
#define XR_LAT_BUCKETS		32

/* One opcode's counters on one CPU. */
struct xr_op_stats {
	u64	completed;
	/* completed with a negative result */
	u64	failed;
	u64	lat[XR_LAT_BUCKETS];
};

struct xr_cpu_stats {
	struct xr_op_stats	op[XURING_OP_LAST];
};

extern struct xr_cpu_stats __percpu *xr_cpu_stats;

/*
 * A ring's requests by opcode, counted only for requests submitted with
 * statistics on (XR_REQ_F_STATS), so that switching them on or off never
 * leaves a count behind. Each half has one writer at a time: the
 * submitter under uring_lock, completions under completion_lock; the
 * debugfs reader subtracts one from the other. u32 counts wrap, and the
 * difference is right across a wrap.
 */
struct xr_ring_submit_stats {
	/* the current submission batch's start, 0 if it is not counted */
	u64	batch_ns;
	u32	submitted[XURING_OP_LAST];
};

struct xr_ring_complete_stats {
	/* when the completions posted under the lock now were taken */
	u64	now_ns;
	u32	completed[XURING_OP_LAST];
};

int xr_stats_init(void);
void xr_stats_exit(void);
void xr_stats_ring_add(struct xuring_ring_ctx *ctx);
void xr_stats_ring_del(struct xuring_ring_ctx *ctx);

/* the bucket of a latency of @ns nanoseconds */
static __always_inline unsigned int xr_lat_bucket(s64 ns)
{
	unsigned int bucket = ns > 0 ? fls64(ns) : 0;

	return min(bucket, XR_LAT_BUCKETS - 1U);
}

#endif
