// SPDX-License-Identifier: GPL-2.0
/*
 * The end of a ring: its owner going away, and its teardown.
 *
 * A ring is LIVE from setup until one of two things happens:
 *
 * - OWNER_GONE: the process that set it up exited, or exec'ed (owner.c
 *   says how that is noticed), while the ring lives on in a child that
 *   inherited it, in a unix socket, or in its own mapping. Nobody can
 *   submit any more (ENTER is -EOWNERDEAD, the SQ thread stops), so what
 *   could wait forever is cancelled, nothing released by a completion is
 *   issued, and the registered files go, since a unix socket among them
 *   holding the ring's own fd would keep both alive for ever.
 *
 * - DYING: the last reference to the ring file went (the last fd and the
 *   last mapping): everything is cancelled, teardown waits until the
 *   requests still running (block I/O in flight, a worker finishing a
 *   write) complete, and frees the ring.
 *
 * OWNER_GONE is followed by DYING when the last reference goes; DYING
 * may come first, and then OWNER_GONE never does. Both stop the ring the
 * same way, with xr_ring_quiesce(), which may run twice and concurrently
 * with itself. Who may move the ring on: the owner's triggers (a work
 * item, in process context, holding no lock) to OWNER_GONE; the ring
 * file's ->release to DYING.
 */
#include <linux/sched/signal.h>

#include "core.h"
#include "iopoll.h"
#include "rsrc.h"
#include "sqpoll.h"
#include "stats.h"

/*
 * Stop the ring from taking or keeping work: no more SQ thread, cancel
 * what may wait forever (requests held back by a drain, io-wq work:
 * queued work is cancelled, running work is interrupted where it waits
 * for something that may never come), and reap polled I/O, which
 * completes only if somebody polls it (a polled request that a worker
 * issues after this reap is reaped by that worker: xr_iopoll_add()).
 */
static void xr_ring_quiesce(struct xuring_ring_ctx *ctx)
{
	xr_sqpoll_stop(ctx);
	xr_cancel_deferred(ctx);
	xr_iowq_cancel_all(ctx->iowq);
	xr_iopoll_reap_all(ctx);
}

/* LIVE -> OWNER_GONE: the owner's ->gone, from a work item. */
void xr_ring_owner_gone(struct xr_owner *owner)
{
	struct xuring_ring_ctx *ctx = container_of(owner,
						   struct xuring_ring_ctx,
						   owner);

	xr_ring_quiesce(ctx);
	mutex_lock(&ctx->uring_lock);
	if (ctx->file_table)
		xr_unregister_files(ctx);
	mutex_unlock(&ctx->uring_lock);
	/* somebody waiting for CQEs should look again */
	wake_up_all(&ctx->cq_wait);
}

/* -> DYING -> freed: the ring file's last reference is gone. */
void xr_ring_teardown(struct xuring_ring_ctx *ctx)
{
	spin_lock_irq(&ctx->completion_lock);
	WRITE_ONCE(ctx->dying, true);
	spin_unlock_irq(&ctx->completion_lock);

	xr_ring_quiesce(ctx);
	/* nobody can read them any more */
	xr_cq_overflow_discard(ctx);
	percpu_ref_kill(&ctx->refs);
	xr_drop_req_cache(ctx);
	/*
	 * Requests that are running keep their references until they
	 * complete; keep cancelling, in case one was picked up by a worker
	 * between two passes. The wait is short and repeated, so a slow
	 * completion does not look like a hung task.
	 */
	while (!wait_for_completion_timeout(&ctx->refs_done, HZ / 20)) {
		xr_ring_quiesce(ctx);
		xr_cq_overflow_discard(ctx);
		xr_drop_req_cache(ctx);
	}
	xr_ctx_free(ctx);
	atomic_long_dec(&xr_stats.rings);
}
