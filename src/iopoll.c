// SPDX-License-Identifier: GPL-2.0
/*
 * IOPOLL: O_DIRECT requests on a ring set up with XURING_SETUP_IOPOLL are
 * issued with IOCB_HIPRI and complete by busy-polling the file's ->iopoll
 * (the block layer's bio_poll() for block devices and most file systems)
 * instead of by interrupt. ki_complete only marks a polled request done;
 * whoever polls, under uring_lock, posts it: ENTER(GETEVENTS), or the SQ
 * thread when the ring also has SQPOLL.
 */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/sched/signal.h>

#include "core.h"
#include "iopoll.h"
#include "rw.h"
#include "sqpoll.h"

/* An issued polled request joins the list its completions are reaped from. */
void xr_iopoll_add(struct xuring_req *req)
{
	struct xuring_ring_ctx *ctx = req->ctx;
	bool locked = xr_in_submit_context(ctx);

	/* an io-wq worker reissuing a polled request does not hold the lock */
	if (!locked)
		mutex_lock(&ctx->uring_lock);
	req->batch_next = NULL;
	*ctx->iopoll_tail = req;
	ctx->iopoll_tail = &req->batch_next;
	WRITE_ONCE(ctx->nr_iopoll, ctx->nr_iopoll + 1);
	if (!locked) {
		mutex_unlock(&ctx->uring_lock);
		/*
		 * Nobody polls a ring whose owner is gone: ENTER is refused
		 * and the SQ thread has stopped. The owner's ->gone reaped
		 * what was on the list then; a request a worker was still
		 * issuing joins it later, so the worker reaps it. If our
		 * section came after ->gone's reap, the bit it set before
		 * that reap is seen here (the mutex orders the two).
		 */
		if (unlikely(xr_owner_is_gone(&ctx->owner)))
			xr_iopoll_reap_all(ctx);
		else
			/* the SQ thread may be asleep with nothing else to do */
			xr_sqpoll_kick(ctx);
	}
}

/*
 * Poll once over the issued requests and complete those that are done.
 * Returns how many completed, or an error from ->iopoll. Under uring_lock,
 * in submit context (so the completions are batched).
 */
int xr_iopoll_poll_once(struct xuring_ring_ctx *ctx)
{
	unsigned int poll_flags = BLK_POLL_NOSLEEP;
	struct xuring_req *req, **prev;
	DEFINE_IO_COMP_BATCH(iob);
	int ret, nr = 0;

	for (req = ctx->iopoll_first; req; req = req->batch_next) {
		if (READ_ONCE(req->iopoll_done))
			break;
		ret = xr_rw_iopoll(req, &iob, poll_flags);
		if (unlikely(ret < 0))
			return ret;
		/* found something: poll the others without spinning */
		if (ret)
			poll_flags |= BLK_POLL_ONESHOT;
		if (!xr_rq_list_empty(iob.req_list) ||
		    READ_ONCE(req->iopoll_done))
			break;
	}
	if (!xr_rq_list_empty(iob.req_list))
		iob.complete(&iob);

	prev = &ctx->iopoll_first;
	while ((req = *prev)) {
		/* pairs with the store-release in the polled ki_complete */
		if (!smp_load_acquire(&req->iopoll_done)) {
			prev = &req->batch_next;
			continue;
		}
		/* unlink first: completing it reuses batch_next */
		*prev = req->batch_next;
		if (ctx->iopoll_tail == &req->batch_next)
			ctx->iopoll_tail = prev;
		WRITE_ONCE(ctx->nr_iopoll, ctx->nr_iopoll - 1);
		xr_rw_iopoll_finish(req);
		nr++;
	}
	return nr;
}

/*
 * ENTER(GETEVENTS) on an IOPOLL ring without SQPOLL: poll until
 * @min_events CQEs are ready (at least once), nothing is left to poll,
 * or a signal arrives. Under uring_lock, which it may drop for a moment,
 * in the caller's submit context (xr_submit_state_begin(ctx, true)), so
 * that ENTER polls in the context it submitted in.
 */
int xr_iopoll_wait_in_submit(struct xuring_ring_ctx *ctx,
			     unsigned int min_events)
{
	lockdep_assert_held(&ctx->uring_lock);
	VM_WARN_ON_ONCE(!xr_in_submit_context(ctx));
	for (;;) {
		if (ctx->iopoll_first) {
			int ret = xr_iopoll_poll_once(ctx);

			if (ret < 0)
				return ret;
		}
		xr_flush_completions(ctx);
		xr_cq_overflow_flush(ctx);
		if (xr_cq_ready(ctx) >= min_events || !ctx->iopoll_first)
			return 0;
		if (signal_pending(current))
			return -EINTR;
		if (need_resched()) {
			/* let a worker in that wants to add a request */
			xr_submit_state_end(ctx);
			mutex_unlock(&ctx->uring_lock);
			cond_resched();
			mutex_lock(&ctx->uring_lock);
			xr_submit_state_begin(ctx, true);
		}
	}
}

int xr_iopoll_wait(struct xuring_ring_ctx *ctx, unsigned int min_events)
{
	int ret;

	mutex_lock(&ctx->uring_lock);
	xr_submit_state_begin(ctx, true);
	ret = xr_iopoll_wait_in_submit(ctx, min_events);
	xr_submit_state_end(ctx);
	mutex_unlock(&ctx->uring_lock);
	return ret;
}

/*
 * Teardown, or the owner's exit: polled requests complete only if
 * somebody polls them. Not an issuing context: what the completions
 * release is cancelled (the ring is stopping), never issued here.
 */
void xr_iopoll_reap_all(struct xuring_ring_ctx *ctx)
{
	if (!(ctx->flags & XURING_SETUP_IOPOLL))
		return;
	mutex_lock(&ctx->uring_lock);
	xr_submit_state_begin(ctx, false);
	while (ctx->iopoll_first) {
		if (xr_iopoll_poll_once(ctx) < 0)
			break;
		xr_flush_completions(ctx);
		cond_resched();
	}
	xr_submit_state_end(ctx);
	mutex_unlock(&ctx->uring_lock);
}
