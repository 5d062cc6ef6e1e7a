// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/<pid>/fdinfo/<ring fd>: the state of a ring, for people debugging
 * an application and for the selftests.
 */
#include <linux/seq_file.h>

#include "core.h"
#include "fdinfo.h"
#include "policy.h"
#include "sqpoll.h"

void xr_show_fdinfo(struct xuring_ring_ctx *ctx, struct seq_file *m)
{
	struct xr_rings *r = ctx->rings;
	unsigned int overflowed = 0, deferred = 0;
	struct list_head *pos;

	seq_printf(m, "SqEntries:\t%u\n", ctx->sq_entries);
	seq_printf(m, "CqEntries:\t%u\n", ctx->cq_entries);
	seq_printf(m, "SqHead:\t%u\n", READ_ONCE(r->sq.head));
	seq_printf(m, "SqTail:\t%u\n", READ_ONCE(r->sq.tail));
	seq_printf(m, "CqHead:\t%u\n", READ_ONCE(r->cq.head));
	seq_printf(m, "CqTail:\t%u\n", READ_ONCE(r->cq.tail));
	seq_printf(m, "SqFlags:\t0x%x\n", atomic_read(&r->sq_flags));

	spin_lock_irq(&ctx->completion_lock);
	list_for_each(pos, &ctx->cq_overflow_list)
		overflowed++;
	list_for_each(pos, &ctx->defer_list)
		deferred++;
	spin_unlock_irq(&ctx->completion_lock);
	seq_printf(m, "CqOverflowList:\t%u\n", overflowed);
	seq_printf(m, "DrainDeferred:\t%u\n", deferred);
	seq_printf(m, "CachedRequests:\t%u\n", READ_ONCE(ctx->nr_cached_reqs));
	if (ctx->iowq)
		xr_iowq_show(ctx->iowq, m);
	xr_sqpoll_show(ctx, m);
	xr_policy_show_fdinfo(m);
}
