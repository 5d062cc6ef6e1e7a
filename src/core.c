// SPDX-License-Identifier: GPL-2.0
/*
 * The request lifecycle: SQE to request, issue, completion, CQE.
 *
 * Ring protocol. The application owns sq.tail and cq.head, the kernel owns
 * sq.head and cq.tail. Each side publishes its index with a store-release
 * after writing the entries it covers, and reads the other side's index
 * with a load-acquire before reading the entries: the application's SQE
 * writes are visible once we have acquired sq.tail, our CQE writes are
 * visible to it once it has acquired cq.tail. We read an SQE field by field
 * with READ_ONCE and never read a field twice: the memory is shared with a
 * process that may change it under us.
 *
 * Completions. A request completes in one of three places: in the
 * submitter's own context while it holds uring_lock (inline results, and
 * block drivers that complete during submission), in an io-wq worker, or
 * in interrupt context (O_DIRECT). The first kind is batched: the CQEs of a
 * whole submission are posted under one lock round trip and one tail
 * update. The others post directly under completion_lock, which is
 * therefore irq-safe. Nothing on the completion side needs the submitter's
 * task, so teardown never waits on a task that is itself tearing down.
 *
 * Links and drain. Link successors are issued when their predecessor
 * completes: inline if that happens in the submitter's context, otherwise
 * through io-wq. Drain counts requests, not CQEs: a drain request waits
 * until every request submitted before it has completed, and requests
 * after it wait until it has completed, as io_uring_enter(2) documents.
 */
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/nospec.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "core.h"
#include "opdef.h"
#include "policy.h"
#include "rsrc.h"
#include "sqpoll.h"
#include "stats.h"
#include <trace/events/xuring.h>

static struct kmem_cache *xr_req_cachep;

/* the block layer's cap on a plug's batch (block/blk.h, not public) */
#define XR_PLUG_MAX_IOS		32

/* requests allocated at once when the cache runs dry */
#define XR_REQ_ALLOC_BATCH	8

static void xr_queue_sqe(struct xuring_req *req);

/* Queue a completion in the submitter's batch, in completion order. */
static inline void xr_compl_add(struct xr_submit_state *state,
				struct xuring_req *req)
{
	req->batch_next = NULL;
	*state->compl_tail = req;
	state->compl_tail = &req->batch_next;
}

/* Push a free request on the cache. Under uring_lock. */
static inline void xr_req_cache_push(struct xuring_ring_ctx *ctx,
				     struct xuring_req *req)
{
	req->batch_next = ctx->req_cache;
	ctx->req_cache = req;
	ctx->nr_cached_reqs++;
}

/* Take back the requests that were freed outside uring_lock. */
static void xr_req_cache_take_remote(struct xuring_ring_ctx *ctx)
{
	struct llist_node *node = llist_del_all(&ctx->free_llist);

	while (node) {
		struct xuring_req *req = llist_entry(node, struct xuring_req,
						     llnode);

		node = node->next;
		xr_req_cache_push(ctx, req);
	}
}

static bool xr_refill_req_cache(struct xuring_ring_ctx *ctx)
{
	void *reqs[XR_REQ_ALLOC_BATCH];
	int i, nr;

	xr_req_cache_take_remote(ctx);
	if (ctx->req_cache)
		return true;

	nr = xr_kmem_cache_alloc_bulk(xr_req_cachep,
				      GFP_KERNEL_ACCOUNT | __GFP_NOWARN,
				      ARRAY_SIZE(reqs), reqs);
	if (unlikely(nr <= 0)) {
		reqs[0] = kmem_cache_alloc(xr_req_cachep, GFP_KERNEL_ACCOUNT);
		if (!reqs[0])
			return false;
		nr = 1;
	}
	atomic_long_add(nr, &xr_stats.requests);
	/* the ring reference each request holds as long as it exists */
	percpu_ref_get_many(&ctx->refs, nr);
	for (i = 0; i < nr; i++) {
		struct xuring_req *req = reqs[i];

		req->ctx = ctx;
		/* what a free request looks like (struct xuring_req) */
		req->file = NULL;
		req->link = NULL;
		req->creds = NULL;
		req->fixed_buf = NULL;
		req->async_data = NULL;
		/* every bit set is cleared again before the request is freed */
		req->atomic_flags = 0;
		xr_req_cache_push(ctx, req);
	}
	return true;
}

/*
 * Under uring_lock. Every request, cached or live, holds a reference on
 * ctx->refs from the slab allocation that made it until it goes back to
 * the slab, so taking one from the cache and putting it back cost no
 * reference counting: teardown drops the cached ones' references
 * (xr_drop_req_cache()), and a request freed on a dying ring goes
 * straight back to the slab with its own.
 */
static __always_inline struct xuring_req *
xr_alloc_req(struct xuring_ring_ctx *ctx)
{
	struct xuring_req *req;

	if (unlikely(!ctx->req_cache) && !xr_refill_req_cache(ctx))
		return NULL;
	req = ctx->req_cache;
	ctx->req_cache = req->batch_next;
	ctx->nr_cached_reqs--;
	return req;
}

/* Back to the slab, with the ring reference: may free the ring. */
static void xr_free_req_to_slab(struct xuring_req *req)
{
	struct xuring_ring_ctx *ctx = req->ctx;

	kmem_cache_free(xr_req_cachep, req);
	atomic_long_dec(&xr_stats.requests);
	percpu_ref_put(&ctx->refs);
}

static void xr_free_req(struct xuring_req *req)
{
	struct xuring_ring_ctx *ctx = req->ctx;

	/*
	 * Nobody may hold a reference to a request that is freed (checked
	 * where CONFIG_DEBUG_VM is, as in make check-debug's kernel: this is
	 * every request's path; refcount_t itself warns on underflow).
	 */
	VM_WARN_ON_ONCE(refcount_read(&req->refs) > 1);
	/* the next user of the request counts on no bit set (xr_init_req) */
	VM_WARN_ON_ONCE(req->atomic_flags);
	if (unlikely(READ_ONCE(ctx->dying)))
		xr_free_req_to_slab(req);
	else if (xr_in_submit_context(ctx))
		xr_req_cache_push(ctx, req);
	else
		llist_add(&req->llnode, &ctx->free_llist);
}

/*
 * Free the cached requests; returns how many, whose ring references the
 * caller drops (or, once ctx->refs is gone, forgets). Under uring_lock,
 * or when nobody else can reach the ring.
 */
unsigned int xr_free_req_cache(struct xuring_ring_ctx *ctx)
{
	struct xuring_req *req;
	unsigned int nr = 0;

	xr_req_cache_take_remote(ctx);
	while ((req = ctx->req_cache)) {
		ctx->req_cache = req->batch_next;
		kmem_cache_free(xr_req_cachep, req);
		nr++;
	}
	atomic_long_sub(nr, &xr_stats.requests);
	ctx->nr_cached_reqs = 0;
	return nr;
}

/*
 * Teardown, once ctx->dying is set: give the cached requests back to the
 * slab and drop their references, so that ctx->refs falls to zero when
 * the last live request is freed. A request a completion pushed on the
 * cache just before it saw ctx->dying is found by the next call.
 */
void xr_drop_req_cache(struct xuring_ring_ctx *ctx)
{
	unsigned int nr;

	mutex_lock(&ctx->uring_lock);
	nr = xr_free_req_cache(ctx);
	mutex_unlock(&ctx->uring_lock);
	if (nr)
		percpu_ref_put_many(&ctx->refs, nr);
}

/*
 * Release what a request holds, before its CQE is posted, so that a file
 * the application closes after seeing the CQE is really closed. Safe in
 * any context: fput() defers the final release when it must.
 */
static noinline void xr_req_release_all(struct xuring_req *req)
{
	if (req->flags & XR_REQ_F_CLEANUP) {
		xr_op_defs[req->opcode].cleanup(req);
		req->flags &= ~XR_REQ_F_CLEANUP;
	}
	if (req->file) {
		fput(req->file);
		req->file = NULL;
	}
	if (req->fixed_buf) {
		xr_put_mapped_buf(req->fixed_buf);
		req->fixed_buf = NULL;
	}
	if (req->creds) {
		put_cred(req->creds);
		req->creds = NULL;
	}
}

/* The common case inline: at most a file to put. */
static __always_inline void xr_req_release_resources(struct xuring_req *req)
{
	if (unlikely((req->flags & XR_REQ_F_CLEANUP) || req->fixed_buf ||
		     req->creds)) {
		xr_req_release_all(req);
		return;
	}
	if (req->file) {
		fput(req->file);
		req->file = NULL;
	}
}

/*
 * The completion's reference is the only one: no issuer is inside a call
 * on the request and io-wq is done with it, so nobody else will touch it
 * or what it holds. Pairs with the fully ordered decrements of the other
 * holders, which are their last accesses.
 */
static __always_inline bool xr_req_sole(struct xuring_req *req)
{
	return atomic_read_acquire(&req->refs.refs) == 1;
}

/*
 * The last reference is gone: do what was left for it (issue the request
 * again, see XR_REQ_AF_REISSUE), or release what the request holds and
 * free it.
 */
void xr_req_last_put(struct xuring_req *req)
{
	if (unlikely(test_bit(XR_REQ_AF_REISSUE, &req->atomic_flags))) {
		clear_bit(XR_REQ_AF_REISSUE, &req->atomic_flags);
		/* a live request again: the completion's reference */
		refcount_set(&req->refs, 1);
		xr_op_defs[req->opcode].reissue(req);
		return;
	}
	xr_req_release_resources(req);
	xr_free_req(req);
}

/* The completion is done with @req: its CQE posted, or discarded. */
static void xr_req_put_completion(struct xuring_req *req)
{
	if (likely(xr_req_sole(req))) {
		xr_req_release_resources(req);
		xr_free_req(req);
		return;
	}
	xr_req_put(req);
}

/*
 * Statistics (stats.h). Each hook is a patched-out jump while they are
 * off. On, a submission batch and a round of completions read the clock
 * once each, and a request adds to a few counters: its ring's, under the
 * lock its caller holds, and its CPU's.
 */
static __always_inline void xr_stats_batch_start(struct xuring_ring_ctx *ctx)
{
	if (xr_stats_on())
		ctx->submit_stats.batch_ns = ktime_get_ns();
}

/* the batch is over: a later one counts only if it stamped its start */
static __always_inline void xr_stats_batch_end(struct xuring_ring_ctx *ctx)
{
	if (xr_stats_on())
		ctx->submit_stats.batch_ns = 0;
}

static __always_inline void xr_stats_submit(struct xuring_ring_ctx *ctx,
					    struct xuring_req *req)
{
	if (xr_stats_on() && ctx->submit_stats.batch_ns) {
		req->flags |= XR_REQ_F_STATS;
		req->submit_ns = ctx->submit_stats.batch_ns;
		ctx->submit_stats.submitted[req->opcode]++;
	}
}

/* Completions are about to be posted. Under completion_lock. */
static __always_inline void xr_stats_complete_start(struct xuring_ring_ctx *ctx)
{
	if (xr_stats_on())
		ctx->complete_stats.now_ns = ktime_get_ns();
}

/* The round is over: a later one counts only if it stamped its start. */
static __always_inline void xr_stats_complete_end(struct xuring_ring_ctx *ctx)
{
	if (xr_stats_on())
		ctx->complete_stats.now_ns = 0;
}

/*
 * A request submitted with statistics on completes: counted even if they
 * were switched off since, so that its ring's count in flight comes back
 * to zero. Under completion_lock, with interrupts off.
 */
static __always_inline void xr_stats_complete(struct xuring_ring_ctx *ctx,
					      struct xuring_req *req)
{
	struct xr_op_stats __percpu *op = &xr_cpu_stats->op[req->opcode];
	u64 now = ctx->complete_stats.now_ns ?: ktime_get_ns();

	ctx->complete_stats.completed[req->opcode]++;
	this_cpu_inc(op->completed);
	if (req->res < 0)
		this_cpu_inc(op->failed);
	this_cpu_inc(op->lat[xr_lat_bucket(now - req->submit_ns)]);
}

/* Write one CQE if there is room. Under completion_lock. */
static inline bool xr_fill_cqe(struct xuring_ring_ctx *ctx, u64 user_data,
			       s32 res, u32 cflags)
{
	struct xr_rings *rings = ctx->rings;
	unsigned int tail = ctx->cached_cq_tail;
	struct xuring_cqe *cqe;

	/*
	 * The application frees a slot by moving cq.head after it has read
	 * the CQE; the control dependency on this load orders our store.
	 */
	if (tail - READ_ONCE(rings->cq.head) >= ctx->cq_entries)
		return false;
	cqe = &rings->cqes[tail & (ctx->cq_entries - 1)];
	WRITE_ONCE(cqe->user_data, user_data);
	WRITE_ONCE(cqe->res, res);
	WRITE_ONCE(cqe->flags, cflags);
	ctx->cached_cq_tail = tail + 1;
	return true;
}

static void xr_commit_cq(struct xuring_ring_ctx *ctx)
{
	/* publish the CQEs written so far; pairs with the app's acquire */
	smp_store_release(&ctx->rings->cq.tail, ctx->cached_cq_tail);
}

static void xr_cq_wake(struct xuring_ring_ctx *ctx)
{
	/* wq_has_sleeper() orders the tail store before the waiter check */
	if (wq_has_sleeper(&ctx->cq_wait))
		wake_up(&ctx->cq_wait);
}

/*
 * xr_post_req_locked()'s rarer cases, out of its way: a completion to
 * count, a CQE to skip. Returns true if the CQE is skipped.
 */
static noinline bool xr_post_req_unusual(struct xuring_ring_ctx *ctx,
					 struct xuring_req *req)
{
	if (req->flags & XR_REQ_F_STATS)
		xr_stats_complete(ctx, req);
	return req->flags & XR_REQ_F_CQE_SKIP;
}

/*
 * Post a completed request's CQE, or queue the request on the overflow
 * list when the CQ is full. Returns true if the request must stay alive
 * (it is on the overflow list). Under completion_lock.
 */
static __always_inline bool xr_post_req_locked(struct xuring_ring_ctx *ctx,
					       struct xuring_req *req,
					       const bool observed)
{
	ctx->nr_completed++;
	/* one test for both, on the common path */
	if (unlikely(req->flags & (XR_REQ_F_CQE_SKIP | XR_REQ_F_STATS)) &&
	    xr_post_req_unusual(ctx, req))
		return false;
	/* earlier overflowed CQEs go first, to keep completion order */
	if (likely(list_empty(&ctx->cq_overflow_list)) &&
	    xr_fill_cqe(ctx, req->user_data, req->res, req->cflags)) {
		if (observed)
			trace_xuring_complete(ctx, req);
		return false;
	}
	/* the request itself holds the CQE: xuring never drops one */
	trace_xuring_cqe_overflow(ctx, req);
	if (list_empty(&ctx->cq_overflow_list))
		atomic_or(XURING_SQ_CQ_OVERFLOW, &ctx->rings->sq_flags);
	/* the list keeps the completion's reference; submission sees the count */
	list_add_tail(&req->list, &ctx->cq_overflow_list);
	WRITE_ONCE(ctx->nr_overflow, ctx->nr_overflow + 1);
	return true;
}

/* xr_cq_overflow_flush() found overflowed CQEs */
bool __xr_cq_overflow_flush(struct xuring_ring_ctx *ctx)
{
	struct xuring_req *req, *tmp;
	LIST_HEAD(done);
	bool empty;

	spin_lock_irq(&ctx->completion_lock);
	list_for_each_entry_safe(req, tmp, &ctx->cq_overflow_list, list) {
		if (!xr_fill_cqe(ctx, req->user_data, req->res, req->cflags))
			break;
		list_move_tail(&req->list, &done);
		WRITE_ONCE(ctx->nr_overflow, ctx->nr_overflow - 1);
	}
	empty = list_empty(&ctx->cq_overflow_list);
	if (empty)
		atomic_andnot(XURING_SQ_CQ_OVERFLOW, &ctx->rings->sq_flags);
	xr_commit_cq(ctx);
	spin_unlock_irq(&ctx->completion_lock);

	if (!list_empty(&done)) {
		xr_cq_wake(ctx);
		list_for_each_entry_safe(req, tmp, &done, list) {
			list_del(&req->list);
			xr_req_put_completion(req);
		}
	}
	return empty;
}

/* Drop overflowed CQEs at teardown: nobody can read them any more. */
void xr_cq_overflow_discard(struct xuring_ring_ctx *ctx)
{
	struct xuring_req *req, *tmp;
	LIST_HEAD(done);

	spin_lock_irq(&ctx->completion_lock);
	list_splice_init(&ctx->cq_overflow_list, &done);
	WRITE_ONCE(ctx->nr_overflow, 0);
	atomic_andnot(XURING_SQ_CQ_OVERFLOW, &ctx->rings->sq_flags);
	spin_unlock_irq(&ctx->completion_lock);
	list_for_each_entry_safe(req, tmp, &done, list) {
		list_del(&req->list);
		xr_req_put_completion(req);
	}
}

/*
 * A request failed and was not hard-linked: the rest of its chain is
 * cancelled. Each link keeps its own error if its prep already failed.
 * Links of a failed CQE_SKIP_SUCCESS request post no CQEs.
 */
static struct xuring_req *xr_detach_failed_links(struct xuring_req *req)
{
	bool skip_cqes = req->flags & XR_REQ_F_SKIP_LINK_CQES;
	struct xuring_req *link, *first = req->link;

	for (link = first; link; link = link->link) {
		trace_xuring_fail_link(req, link);
		if (!(link->flags & XR_REQ_F_FAIL))
			link->res = -ECANCELED;
		link->flags |= XR_REQ_F_FAIL;
		if (skip_cqes)
			link->flags |= XR_REQ_F_CQE_SKIP;
		else
			link->flags &= ~XR_REQ_F_CQE_SKIP;
	}
	req->link = NULL;
	return first;
}

/*
 * Requests released from the drain list because enough requests have
 * completed. Under completion_lock.
 */
static void xr_collect_ready_deferred(struct xuring_ring_ctx *ctx,
				      struct list_head *ready)
{
	while (!list_empty(&ctx->defer_list)) {
		struct xuring_req *req = list_first_entry(&ctx->defer_list,
							  struct xuring_req,
							  list);

		if ((s32)(ctx->nr_completed - req->drain_seq) < 0)
			break;
		req->flags &= ~XR_REQ_F_DEFERRED;
		list_move_tail(&req->list, ready);
	}
}

/*
 * Post one request's CQE, and push the request on the @to_free stack if
 * it can be freed: returns 1 then, 0 if the overflow list or a holding
 * issuer keeps it. Under completion_lock.
 */
static __always_inline unsigned int
xr_complete_one_locked(struct xuring_ring_ctx *ctx, struct xuring_req *req,
		       struct xuring_req **to_free, const bool observed)
{
	bool sole = xr_req_sole(req);

	/* release first, so that a file closed after the CQE is closed */
	if (likely(sole))
		xr_req_release_resources(req);
	if (xr_post_req_locked(ctx, req, observed))
		return 0;
	if (unlikely(!sole)) {
		/* another holder is still at it: the last one frees */
		if (!refcount_dec_and_test(&req->refs))
			return 0;
		xr_req_release_resources(req);
	}
	VM_WARN_ON_ONCE(req->atomic_flags);
	req->batch_next = *to_free;
	*to_free = req;
	return 1;
}

/*
 * Complete a request that heads the rest of a link chain and, if the chain
 * breaks, every request of that rest, in order. Under completion_lock.
 */
static noinline unsigned int
xr_complete_linked_locked(struct xuring_ring_ctx *ctx, struct xuring_req *req,
			  struct xuring_req **to_free, struct list_head *next,
			  bool observed)
{
	struct xuring_req *failed = NULL;
	unsigned int nr;

	if ((req->flags & XR_REQ_F_FAIL) && !(req->flags & XR_REQ_F_HARDLINK)) {
		failed = xr_detach_failed_links(req);
	} else if (unlikely(xr_ring_stopping(ctx))) {
		/* no new work once closed or the owner is gone: cancel */
		failed = xr_detach_failed_links(req);
	} else {
		list_add_tail(&req->link->list, next);
		req->link = NULL;
	}
	nr = xr_complete_one_locked(ctx, req, to_free, observed);

	while (failed) {
		struct xuring_req *link = failed;

		failed = link->link;
		link->link = NULL;
		nr += xr_complete_one_locked(ctx, link, to_free, observed);
	}
	return nr;
}

/*
 * Complete one request (and the rest of its chain, if it heads one).
 * Requests that can be freed are pushed on the @to_free stack (through
 * batch_next) and counted in the return value; the successor to issue (if
 * any) goes on @next. Under completion_lock.
 */
static __always_inline unsigned int
xr_complete_chain_locked(struct xuring_ring_ctx *ctx, struct xuring_req *req,
			 struct xuring_req **to_free, struct list_head *next,
			 const bool observed)
{
	if (unlikely(req->link))
		return xr_complete_linked_locked(ctx, req, to_free, next,
						 observed);
	return xr_complete_one_locked(ctx, req, to_free, observed);
}

/* Free a stack of requests (linked through batch_next), from any context. */
static void xr_free_req_stack(struct xuring_req *req)
{
	while (req) {
		struct xuring_req *next = req->batch_next;

		xr_free_req(req);
		req = next;
	}
}

/*
 * Put @nr completed requests, a stack from @first to @last, back in the
 * cache at once. In submit context only.
 */
static void xr_recycle_req_stack(struct xuring_ring_ctx *ctx,
				 struct xuring_req *first,
				 struct xuring_req *last, unsigned int nr)
{
	if (!nr)
		return;
	if (unlikely(READ_ONCE(ctx->dying))) {
		xr_free_req_stack(first);
		return;
	}
	last->batch_next = ctx->req_cache;
	ctx->req_cache = first;
	ctx->nr_cached_reqs += nr;
}

static void xr_punt_to_iowq(struct xuring_req *req);

/*
 * A link successor or a drained request that a completion in submit
 * context released. Only the owner's submitters issue it here; a closing
 * ring or a gone owner cancels it; any other context (teardown reaping
 * polled I/O) hands it to io-wq, which checks the owner before it runs
 * anything.
 */
static void xr_queue_released(struct xuring_req *req)
{
	struct xuring_ring_ctx *ctx = req->ctx;

	if (unlikely(xr_ring_stopping(ctx)))
		xr_req_complete(req, -ECANCELED);
	else if (likely(ctx->submit_state.can_issue))
		xr_queue_sqe(req);
	else
		xr_punt_to_iowq(req);
}

/*
 * Completion outside the submitter's batch: an io-wq worker, an interrupt,
 * or another task. Successors go to io-wq because this context may not
 * have the owner's mm, or may not sleep.
 */
static void xr_req_complete_remote(struct xuring_req *req)
{
	struct xuring_ring_ctx *ctx = req->ctx;
	struct xuring_req *nxt, *tmp, *to_free = NULL;
	LIST_HEAD(next);
	unsigned long flags;

	spin_lock_irqsave(&ctx->completion_lock, flags);
	if (xr_observed()) {
		xr_stats_complete_start(ctx);
		xr_complete_chain_locked(ctx, req, &to_free, &next, true);
		xr_stats_complete_end(ctx);
	} else {
		xr_complete_chain_locked(ctx, req, &to_free, &next, false);
	}
	xr_commit_cq(ctx);
	if (unlikely(!list_empty(&ctx->defer_list)))
		xr_collect_ready_deferred(ctx, &next);
	spin_unlock_irqrestore(&ctx->completion_lock, flags);

	xr_cq_wake(ctx);
	xr_free_req_stack(to_free);
	list_for_each_entry_safe(nxt, tmp, &next, list) {
		list_del(&nxt->list);
		xr_punt_to_iowq(nxt);
	}
}

/*
 * Post one round of completions, from @req on through batch_next: the
 * freed requests go on the @to_free stack, whose bottom is *@last_free.
 * Returns how many were freed. Under completion_lock.
 */
static __always_inline unsigned int
xr_complete_batch_locked(struct xuring_ring_ctx *ctx, struct xuring_req *req,
			 struct xuring_req **to_free,
			 struct xuring_req **last_free, struct list_head *next,
			 const bool observed)
{
	unsigned int nr_free = 0;

	do {
		struct xuring_req *batch_next = req->batch_next;

		nr_free += xr_complete_chain_locked(ctx, req, to_free, next,
						    observed);
		/* the first request freed is the bottom of the stack */
		if (!*last_free && *to_free) {
			*last_free = *to_free;
			while ((*last_free)->batch_next)
				*last_free = (*last_free)->batch_next;
		}
		req = batch_next;
	} while (req);
	return nr_free;
}

/*
 * Post the completions collected during a submission or a poll round, then
 * issue the link successors and drained requests they release. Issuing
 * may complete more requests inline, so loop until nothing is left.
 */
void __xr_flush_completions(struct xuring_ring_ctx *ctx)
{
	struct xr_submit_state *state = &ctx->submit_state;

	while (state->compl_first) {
		struct xuring_req *req = state->compl_first, *tmp;
		struct xuring_req *to_free = NULL, *last_free = NULL;
		unsigned int nr_free;
		LIST_HEAD(next);

		state->compl_first = NULL;
		state->compl_tail = &state->compl_first;
		spin_lock_irq(&ctx->completion_lock);
		if (xr_observed()) {
			xr_stats_complete_start(ctx);
			nr_free = xr_complete_batch_locked(ctx, req, &to_free,
							   &last_free, &next,
							   true);
			xr_stats_complete_end(ctx);
		} else {
			nr_free = xr_complete_batch_locked(ctx, req, &to_free,
							   &last_free, &next,
							   false);
		}
		xr_commit_cq(ctx);
		if (unlikely(!list_empty(&ctx->defer_list)))
			xr_collect_ready_deferred(ctx, &next);
		spin_unlock_irq(&ctx->completion_lock);

		xr_cq_wake(ctx);
		xr_recycle_req_stack(ctx, to_free, last_free, nr_free);
		list_for_each_entry_safe(req, tmp, &next, list) {
			list_del(&req->list);
			xr_queue_released(req);
		}
	}
}

/* Complete a request in the submitter's own context: join its batch. */
static inline void xr_req_complete_inline(struct xuring_req *req, s32 res)
{
	req->res = res;
	if (res < 0)
		req_set_fail(req);
	xr_compl_add(&req->ctx->submit_state, req);
}

/*
 * The one completion entry point for ops, from any context. A negative
 * result fails the request (and breaks its link); ops that treat a short
 * transfer as failure call req_set_fail() themselves.
 */
void xr_req_complete(struct xuring_req *req, s32 res)
{
	if (xr_in_submit_context(req->ctx)) {
		xr_req_complete_inline(req, res);
		return;
	}
	req->res = res;
	if (res < 0)
		req_set_fail(req);
	xr_req_complete_remote(req);
}

/* Run the op, non-blocking when inline. */
static int xr_issue(struct xuring_req *req, unsigned int issue_flags)
{
	return xr_op_defs[req->opcode].issue(req, issue_flags);
}

static void xr_prep_async_work(struct xuring_req *req)
{
	const struct xr_op_def *def = &xr_op_defs[req->opcode];
	struct xr_work *work = &req->work;

	work->flags &= XR_WORK_CANCEL;
	if (!req->file)
		return;
	if (req->flags & XR_REQ_F_ISREG) {
		if (def->hash_reg_file)
			xr_iowq_hash_work(work, file_inode(req->file));
	} else if (def->unbound_nonreg_file &&
		   !S_ISBLK(file_inode(req->file)->i_mode)) {
		work->flags |= XR_WORK_UNBOUND;
	}
}

/* To io-wq, which holds a reference until it is done with the request. */
static void xr_punt_to_iowq(struct xuring_req *req)
{
	xr_prep_async_work(req);
	trace_xuring_queue_async_work(req,
				      !!(req->work.flags & XR_WORK_HASHED));
	refcount_inc(&req->refs);
	xr_iowq_enqueue(req->ctx->iowq, &req->work);
}

/*
 * Only the owner's submitters issue inline: they hold uring_lock and
 * run in the owner's mm, which user pointers in SQEs refer to.
 */
static __always_inline void xr_assert_can_issue(struct xuring_ring_ctx *ctx)
{
	lockdep_assert_held(&ctx->uring_lock);
	/*
	 * The gates before it (the owner check of ENTER, the SQ thread's
	 * use of the owner's mm) make this hold; checked where
	 * CONFIG_DEBUG_VM is (make check-debug, make fuzz), as it runs
	 * once per ENTER.
	 */
	VM_WARN_ON_ONCE(!ctx->submit_state.can_issue ||
			current->mm != ctx->owner.mm);
}

/*
 * Issue inline, in the submitter's context (a submission, or the flush of
 * its completions); on -EAGAIN hand the request to io-wq.
 */
static __always_inline void xr_issue_inline(struct xuring_req *req)
{
	int ret;

	/*
	 * The rest of xr_assert_can_issue() is checked by the callers: once
	 * per submission batch (xr_submit_sqes()), or per request on the
	 * slower paths (xr_queue_sqe()).
	 */
	lockdep_assert_held(&req->ctx->uring_lock);
	ret = xr_issue(req, XR_ISSUE_NONBLOCK);

	if (likely(ret == XR_ISSUE_SKIP_COMPLETE))
		return;
	if (ret == -EAGAIN) {
		xr_punt_to_iowq(req);
		return;
	}
	xr_req_complete_inline(req, ret);
}

/*
 * A worker completes a request whose issue returned a result: no I/O of
 * it is pending and no issuer is inside a call, so what it holds can go
 * before its CQE, though io-wq's reference keeps the request itself.
 */
static void xr_wq_complete(struct xuring_req *req, s32 res)
{
	xr_req_release_resources(req);
	xr_req_complete(req, res);
}

/* io-wq's entry point: issue with blocking allowed. */
static void xr_wq_run(struct xr_work *work)
{
	struct xuring_req *req = container_of(work, struct xuring_req, work);
	int ret;

	if (READ_ONCE(work->flags) & XR_WORK_CANCEL) {
		xr_wq_complete(req, -ECANCELED);
		return;
	}
	ret = xr_issue(req, XR_ISSUE_IOWQ);
	if (ret == XR_ISSUE_SKIP_COMPLETE)
		return;
	ret = xr_fixup_restart(ret);
	if (ret == -EINTR && (READ_ONCE(work->flags) & XR_WORK_CANCEL))
		ret = -ECANCELED;
	xr_wq_complete(req, ret);
}

static void xr_wq_cancel(struct xr_work *work)
{
	xr_wq_complete(container_of(work, struct xuring_req, work),
		       -ECANCELED);
}

/* io-wq is done with the request: its reference goes. */
static void xr_wq_done(struct xr_work *work)
{
	xr_req_put(container_of(work, struct xuring_req, work));
}

static const struct cred *xr_wq_creds(struct xr_work *work)
{
	struct xuring_req *req = container_of(work, struct xuring_req, work);

	return req->creds ?: req->ctx->creds;
}

const struct xr_iowq_ops xr_req_wq_ops = {
	.run	= xr_wq_run,
	.cancel	= xr_wq_cancel,
	.done	= xr_wq_done,
	.creds	= xr_wq_creds,
};

/*
 * Hold a chain head back while a drain is pending. Returns true if the
 * request went on the drain list. Under uring_lock.
 */
static bool xr_drain_defer(struct xuring_req *req)
{
	struct xuring_ring_ctx *ctx = req->ctx;
	bool defer;

	/*
	 * A drain request waits for everything submitted before its chain
	 * (its own sequence number); what comes after it waits for the
	 * whole drain chain too.
	 */
	if (req->flags & XR_REQ_F_IO_DRAIN)
		ctx->drain_barrier = ctx->nr_submitted;
	else
		req->drain_seq = ctx->drain_barrier;

	spin_lock_irq(&ctx->completion_lock);
	defer = !list_empty(&ctx->defer_list) ||
		(s32)(ctx->nr_completed - req->drain_seq) < 0;
	if (defer) {
		trace_xuring_defer(req);
		req->flags |= XR_REQ_F_DEFERRED;
		list_add_tail(&req->list, &ctx->defer_list);
	} else if (!(req->flags & XR_REQ_F_IO_DRAIN)) {
		/* the last drain completed and nothing waits: fast path again */
		ctx->drain_active = false;
	}
	spin_unlock_irq(&ctx->completion_lock);
	return defer;
}

/*
 * Queue a request whose chain is complete (or a link successor whose
 * predecessor completed). Runs in the submitter's context.
 */
static void xr_queue_sqe(struct xuring_req *req)
{
	if (unlikely(req->flags & XR_REQ_F_FAIL)) {
		/* a failed prep cancels the whole chain, hard links included */
		req->flags &= ~XR_REQ_F_HARDLINK;
		xr_req_complete(req, req->res);
		return;
	}
	if (unlikely(req->flags & XR_REQ_F_FORCE_ASYNC)) {
		xr_punt_to_iowq(req);
		return;
	}
	xr_assert_can_issue(req->ctx);
	xr_issue_inline(req);
}

/* A chain head is ready: apply drain, then queue. */
static void xr_queue_chain(struct xuring_req *req)
{
	struct xuring_ring_ctx *ctx = req->ctx;

	if (unlikely(ctx->drain_active) && !(req->flags & XR_REQ_F_FAIL) &&
	    xr_drain_defer(req))
		return;
	xr_queue_sqe(req);
}

/* The rest of the ring is going away: fail what the drain held back. */
void xr_cancel_deferred(struct xuring_ring_ctx *ctx)
{
	struct xuring_req *req, *tmp;
	LIST_HEAD(list);

	spin_lock_irq(&ctx->completion_lock);
	list_splice_init(&ctx->defer_list, &list);
	spin_unlock_irq(&ctx->completion_lock);
	list_for_each_entry_safe(req, tmp, &list, list) {
		list_del(&req->list);
		req->flags &= ~XR_REQ_F_DEFERRED;
		xr_req_complete(req, -ECANCELED);
	}
}

/* A request to be issued (again) from io-wq, from any context. */
void xr_req_issue_from_wq(struct xuring_req *req)
{
	xr_punt_to_iowq(req);
}

/*
 * A completion that wants @req issued again (an -EAGAIN an issuer could
 * not see coming) hands over its reference: whoever drops the last one,
 * itself now or an issuer still inside the call, calls the op's
 * ->reissue. Any context.
 */
void xr_req_reissue(struct xuring_req *req)
{
	set_bit(XR_REQ_AF_REISSUE, &req->atomic_flags);
	xr_req_put(req);
}

static __always_inline const struct xuring_sqe *
xr_get_sqe(struct xuring_ring_ctx *ctx)
{
	unsigned int mask = ctx->sq_entries - 1;
	unsigned int idx = ctx->cached_sq_head++ & mask;
	u32 head = READ_ONCE(ctx->sq_array[idx]);

	if (likely(head < ctx->sq_entries))
		return &ctx->sq_sqes[array_index_nospec(head, ctx->sq_entries)];

	/* an out-of-range index: skip the entry and count it */
	WRITE_ONCE(ctx->rings->sq_dropped,
		   READ_ONCE(ctx->rings->sq_dropped) + 1);
	return NULL;
}

static __always_inline struct file *
xr_get_file(struct xuring_req *req, int fd, const bool observed)
{
	struct xuring_ring_ctx *ctx = req->ctx;
	struct file *file;

	if (observed)
		trace_xuring_file_get(req, fd);
	if (req->flags & XR_REQ_F_FIXED_FILE)
		return xr_fixed_file_get(ctx, fd);
	/* the SQ thread is a kthread: look in the owner's file table */
	if (ctx->flags & XURING_SETUP_SQPOLL)
		file = xr_sqpoll_fget(ctx, fd);
	else
		file = fget(fd);
	/* a ring inside a ring could keep itself alive */
	if (file && unlikely(file->f_op == &xuring_fops)) {
		fput(file);
		return NULL;
	}
	return file;
}

/*
 * Plug the block layer for the rest of the submission, and tell it how
 * many requests to expect so that it allocates their tags and requests in
 * one go: what blk_start_plug_nr_ios() does, which modules cannot call.
 */
static void xr_start_plug(struct xr_submit_state *state)
{
	state->need_plug = false;
	state->plug_started = true;
	blk_start_plug(&state->plug);
	/* a plug of the caller's own, if any, stays in charge */
	if (current->plug == &state->plug)
		state->plug.nr_ios = min_t(unsigned int, state->submit_nr,
					   XR_PLUG_MAX_IOS);
}

/* Every field the core owns; the op's prep checks the rest. */
static __always_inline int xr_init_req(struct xuring_ring_ctx *ctx,
				       struct xuring_req *req,
				       const struct xuring_sqe *sqe,
				       const bool observed)
{
	const struct xr_op_def *def;
	unsigned int sqe_flags;
	u8 opcode;

	opcode = READ_ONCE(sqe->opcode);
	sqe_flags = READ_ONCE(sqe->flags);
	req->opcode = opcode;
	req->flags = sqe_flags;
	req->user_data = READ_ONCE(sqe->user_data);
	/* file, link, creds, fixed_buf, async_data, atomic_flags are as freed */
	refcount_set(&req->refs, 1);
	req->res = 0;
	req->cflags = 0;
	req->work.flags = 0;
	req->drain_seq = ctx->nr_submitted++;

	if (unlikely(opcode >= XURING_OP_LAST)) {
		req->opcode = XURING_OP_NOP;
		return -EINVAL;
	}
	opcode = array_index_nospec(opcode, XURING_OP_LAST);
	req->opcode = opcode;
	def = &xr_op_defs[opcode];

	if (unlikely(sqe_flags & ~XR_SQE_VALID_FLAGS)) {
		/* clear what the failure path must not act on */
		req->flags &= XR_SQE_VALID_FLAGS;
		return -EINVAL;
	}
	/* the administrator's allowlist holds only ops with a row */
	if (unlikely(!xr_op_allowed(opcode)))
		return def->prep ? -EACCES : -EOPNOTSUPP;
	if (unlikely(sqe_flags & XURING_SQE_IO_DRAIN)) {
		struct xuring_req *head = ctx->submit_state.link_head;

		ctx->drain_active = true;
		if (head) {
			/* drain in a chain applies to the whole chain */
			req->flags &= ~XR_REQ_F_IO_DRAIN;
			head->flags |= XR_REQ_F_IO_DRAIN;
		}
	}
	if (unlikely(READ_ONCE(sqe->personality)))
		return -EINVAL;
	if (unlikely(!def->ioprio && READ_ONCE(sqe->ioprio)))
		return -EINVAL;
	if (unlikely((ctx->flags & XURING_SETUP_IOPOLL) && !def->iopoll))
		return -EINVAL;

	if (def->needs_file) {
		struct xr_submit_state *state = &ctx->submit_state;

		req->file = xr_get_file(req, READ_ONCE(sqe->fd), observed);
		if (unlikely(!req->file))
			return -EBADF;
		if (S_ISREG(file_inode(req->file)->i_mode))
			req->flags |= XR_REQ_F_ISREG;
		if (state->need_plug && def->plug)
			xr_start_plug(state);
	} else if (unlikely(sqe_flags & XURING_SQE_FIXED_FILE)) {
		return -EINVAL;
	}

	/* workers run with the ring's creds unless the submitter's differ */
	if (unlikely(current_cred() != ctx->creds))
		req->creds = get_current_cred();

	return def->prep(req, sqe);
}

/*
 * A request whose init failed still takes its place in a chain: the chain
 * is assembled to its end and then failed as a whole, so that a bad SQE
 * in the middle of a link does not leave the rest of it running.
 */
static int xr_submit_fail_init(struct xuring_req *req,
			       const struct xuring_sqe *sqe, int ret)
{
	struct xr_submit_state *state = &req->ctx->submit_state;
	struct xuring_req *head = state->link_head;

	if (trace_xuring_req_failed_enabled()) {
		/* the application may change the SQE: trace one copy */
		struct xuring_sqe copy;

		memcpy(&copy, sqe, sizeof(copy));
		trace_xuring_req_failed(&copy, req, ret);
	}
	req->res = ret;
	req_set_fail(req);
	if (head && !(head->flags & XR_REQ_F_FAIL)) {
		head->res = -ECANCELED;
		req_set_fail(head);
	}

	if (!(req->flags & XR_REQ_LINK_FLAGS)) {
		if (head) {
			state->link_last->link = req;
			state->link_head = NULL;
			req = head;
		}
		xr_queue_sqe(req);
		return ret;
	}

	if (head)
		state->link_last->link = req;
	else
		state->link_head = req;
	state->link_last = req;
	return 0;
}

static __always_inline int xr_submit_sqe(struct xuring_ring_ctx *ctx,
					 struct xuring_req *req,
					 const struct xuring_sqe *sqe,
					 const bool observed)
{
	struct xr_submit_state *state = &ctx->submit_state;
	int ret;

	ret = xr_init_req(ctx, req, sqe, observed);
	if (observed)
		xr_stats_submit(ctx, req);
	if (unlikely(ret))
		return xr_submit_fail_init(req, sqe, ret);
	if (observed)
		trace_xuring_submit_req(req);

	if (unlikely(state->link_head)) {
		if (observed)
			trace_xuring_link(req, state->link_head);
		state->link_last->link = req;
		state->link_last = req;
		if (req->flags & XR_REQ_LINK_FLAGS)
			return 0;
		/* the chain is complete: queue it from its head */
		req = state->link_head;
		state->link_head = NULL;
	} else if (unlikely(req->flags & XR_REQ_LINK_FLAGS)) {
		state->link_head = req;
		state->link_last = req;
		return 0;
	}
	/* nothing to defer, fail or punt: issue it here, without calls */
	if (likely(!ctx->drain_active &&
		   !(req->flags & (XR_REQ_F_FAIL | XR_REQ_F_FORCE_ASYNC)))) {
		xr_issue_inline(req);
		return 0;
	}
	xr_queue_chain(req);
	return 0;
}

/* xr_submit_state_end(): a chain to queue or a plug to finish */
void __xr_submit_state_end(struct xuring_ring_ctx *ctx)
{
	struct xr_submit_state *state = &ctx->submit_state;

	/* an unterminated chain at the end of a submission runs as is */
	if (unlikely(state->link_head)) {
		struct xuring_req *head = state->link_head;

		state->link_head = NULL;
		xr_queue_chain(head);
	}
	/* unplugging dispatches, and dispatch may complete inline */
	if (state->plug_started) {
		state->plug_started = false;
		blk_finish_plug(&state->plug);
	}
}

/* Turn up to @left SQEs into requests and issue or queue them. */
static __always_inline int xr_submit_batch(struct xuring_ring_ctx *ctx,
					   unsigned int left,
					   const bool observed)
{
	int submitted = 0;

	do {
		const struct xuring_sqe *sqe;
		struct xuring_req *req;

		req = xr_alloc_req(ctx);
		if (unlikely(!req)) {
			if (!submitted)
				submitted = -EAGAIN;
			break;
		}
		sqe = xr_get_sqe(ctx);
		if (unlikely(!sqe)) {
			/*
			 * Never initialised (its refs may be slab poison):
			 * straight back to the cache, not through
			 * xr_free_req()'s checks.
			 */
			xr_req_cache_push(ctx, req);
			break;
		}
		submitted++;
		if (unlikely(xr_submit_sqe(ctx, req, sqe, observed)) &&
		    !(ctx->flags & XURING_SETUP_SUBMIT_ALL))
			break;
	} while (--left);
	return submitted;
}

/*
 * Consume up to @nr SQEs. Returns how many were consumed, or -EAGAIN if
 * none could be because no request could be allocated. Under uring_lock,
 * between xr_submit_state_begin() and xr_submit_state_end().
 */
int xr_submit_sqes(struct xuring_ring_ctx *ctx, unsigned int nr)
{
	unsigned int entries = xr_sq_ready(ctx);
	unsigned int left;
	int submitted;

	left = min3(nr, ctx->sq_entries, entries);
	if (unlikely(!left))
		return 0;
	/* what every request of the batch is issued under, checked once */
	xr_assert_can_issue(ctx);
	/*
	 * A full CQ overflow backlog holds submission back until the CQ is
	 * reaped: what a ring may make the module keep is bounded, and no
	 * CQE is ever dropped.
	 */
	if (unlikely(READ_ONCE(ctx->nr_overflow) >= xr_cq_overflow_cap(ctx))) {
		xr_cq_overflow_flush(ctx);
		if (READ_ONCE(ctx->nr_overflow) >= xr_cq_overflow_cap(ctx))
			return -EBUSY;
	}
	/* plug when the batch is big enough for merging to pay off */
	ctx->submit_state.need_plug = left > 2;
	ctx->submit_state.submit_nr = left;
	if (xr_observed()) {
		xr_stats_batch_start(ctx);
		submitted = xr_submit_batch(ctx, left, true);
		xr_stats_batch_end(ctx);
	} else {
		submitted = xr_submit_batch(ctx, left, false);
	}
	ctx->submit_state.need_plug = false;
	/* all loads from the consumed SQEs are done: hand them back */
	smp_store_release(&ctx->rings->sq.head, ctx->cached_sq_head);
	if (submitted > 0)
		xr_stats_sqes_submitted(submitted);
	return submitted;
}

/*
 * A worker writes or allocates on the submitter's behalf: hold it to the
 * submitter's RLIMIT_FSIZE, which generic_write_checks() and
 * inode_newsize_ok() read from current. Workers are kthreads with a
 * signal_struct of their own. Returns the limit it replaced.
 */
unsigned long xr_set_fsize_limit(unsigned long limit)
{
	struct rlimit *rlim = &current->signal->rlim[RLIMIT_FSIZE];
	unsigned long old = READ_ONCE(rlim->rlim_cur);

	WRITE_ONCE(rlim->rlim_cur, limit);
	return old;
}

int xr_core_init(void)
{
	/*
	 * Ops copy user data (a readv's iovec) straight into their command
	 * area: whitelist it for hardened usercopy, and nothing else.
	 */
	xr_req_cachep =
		kmem_cache_create_usercopy("xuring_req",
					   sizeof(struct xuring_req), 0,
					   SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT,
					   offsetof(struct xuring_req, cmd),
					   sizeof_field(struct xuring_req, cmd),
					   NULL);
	return xr_req_cachep ? 0 : -ENOMEM;
}

void xr_core_exit(void)
{
	kmem_cache_destroy(xr_req_cachep);
}
