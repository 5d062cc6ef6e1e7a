/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xuring core types: the ring context, the request, and the request
 * lifecycle entry points every op file uses.
 */
#ifndef XURING_CORE_H
#define XURING_CORE_H

#include <linux/blkdev.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/percpu-refcount.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xuring.h>

#include "io-wq.h"
#include "owner.h"
#include "stats.h"

#define XR_MAX_ENTRIES		32768
#define XR_MAX_CQ_ENTRIES	(2 * XR_MAX_ENTRIES)
/*
 * default limit of unbounded io-wq workers per ring (kthreads are cheap
 * to ask for and not charged to the user, so keep the default modest)
 */
#define XR_IOWQ_UNBOUNDED_DEFAULT	128

/* SQE flags xuring accepts; BUFFER_SELECT is io_uring's but not ours */
#define XR_SQE_VALID_FLAGS	(XURING_SQE_FIXED_FILE | XURING_SQE_IO_DRAIN | \
				 XURING_SQE_IO_LINK | XURING_SQE_IO_HARDLINK | \
				 XURING_SQE_ASYNC | XURING_SQE_CQE_SKIP_SUCCESS)

/*
 * The memory shared with user space at XURING_OFF_SQ_RING/CQ_RING. Heads
 * and tails sit on their own cache lines because each has one writer: the
 * kernel owns sq.head and cq.tail, the application sq.tail and cq.head.
 */
struct xr_ring_indexes {
	u32 head ____cacheline_aligned_in_smp;
	u32 tail ____cacheline_aligned_in_smp;
};

struct xr_rings {
	struct xr_ring_indexes	sq, cq;
	u32			sq_ring_mask, cq_ring_mask;
	u32			sq_ring_entries, cq_ring_entries;
	/* SQ array entries that were out of range and skipped */
	u32			sq_dropped;
	/* XURING_SQ_*: written by the kernel, read by the application */
	atomic_t		sq_flags;
	/* XURING_CQ_*: written by the application */
	u32			cq_flags;
	/* CQEs lost; xuring never drops, so this stays 0 */
	u32			cq_overflow;
	struct xuring_cqe	cqes[] ____cacheline_aligned_in_smp;
};

/*
 * Memory shared with user space: pages charged to the ring creator's
 * memory cgroup, mapped contiguously in the kernel with vmap().
 */
struct xr_region {
	struct page		**pages;
	unsigned int		nr_pages;
	void			*ptr;
};

/* Internal request flags. The low bits mirror the SQE flags one to one. */
enum {
	XR_REQ_F_FIXED_FILE_BIT	= XURING_SQE_FIXED_FILE_BIT,
	XR_REQ_F_IO_DRAIN_BIT	= XURING_SQE_IO_DRAIN_BIT,
	XR_REQ_F_LINK_BIT	= XURING_SQE_IO_LINK_BIT,
	XR_REQ_F_HARDLINK_BIT	= XURING_SQE_IO_HARDLINK_BIT,
	XR_REQ_F_FORCE_ASYNC_BIT = XURING_SQE_ASYNC_BIT,
	XR_REQ_F_BUFFER_SELECT_BIT = XURING_SQE_BUFFER_SELECT_BIT,
	XR_REQ_F_CQE_SKIP_BIT	= XURING_SQE_CQE_SKIP_SUCCESS_BIT,
	/*
	 * The one bit of the low byte no SQE flag takes: every completion
	 * tests it with CQE_SKIP, and one byte makes that one instruction.
	 * (A new SQE flag would move it.)
	 */
	XR_REQ_F_STATS_BIT	= 7,

	XR_REQ_F_FAIL_BIT	= 8,
	XR_REQ_F_SKIP_LINK_CQES_BIT,
	XR_REQ_F_CLEANUP_BIT,
	XR_REQ_F_ISREG_BIT,
	XR_REQ_F_CUR_POS_BIT,
	XR_REQ_F_NOWAIT_ISSUE_BIT,
	XR_REQ_F_REISSUED_BIT,
	XR_REQ_F_IOPOLL_BIT,
	XR_REQ_F_IOPOLL_DONE_BIT,
	XR_REQ_F_DEFERRED_BIT,
	XR_REQ_F_NOWAIT_BIT,
	XR_REQ_F_SUPPORT_NOWAIT_BIT,
};

#define XR_REQ_F_FIXED_FILE	BIT(XR_REQ_F_FIXED_FILE_BIT)
#define XR_REQ_F_IO_DRAIN	BIT(XR_REQ_F_IO_DRAIN_BIT)
#define XR_REQ_F_LINK		BIT(XR_REQ_F_LINK_BIT)
#define XR_REQ_F_HARDLINK	BIT(XR_REQ_F_HARDLINK_BIT)
#define XR_REQ_F_FORCE_ASYNC	BIT(XR_REQ_F_FORCE_ASYNC_BIT)
#define XR_REQ_F_CQE_SKIP	BIT(XR_REQ_F_CQE_SKIP_BIT)
/* the request failed: break a (soft) link and post its CQE even if skipped */
#define XR_REQ_F_FAIL		BIT(XR_REQ_F_FAIL_BIT)
/* a CQE_SKIP_SUCCESS request failed: its cancelled links post no CQEs */
#define XR_REQ_F_SKIP_LINK_CQES	BIT(XR_REQ_F_SKIP_LINK_CQES_BIT)
/* the op holds resources that its ->cleanup releases */
#define XR_REQ_F_CLEANUP	BIT(XR_REQ_F_CLEANUP_BIT)
/* the file is a regular file (position and hashing rules differ) */
#define XR_REQ_F_ISREG		BIT(XR_REQ_F_ISREG_BIT)
/* offset -1: use and advance the file position */
#define XR_REQ_F_CUR_POS	BIT(XR_REQ_F_CUR_POS_BIT)
/* issued inline with IOCB_NOWAIT: an -EAGAIN completion may be retried */
#define XR_REQ_F_NOWAIT_ISSUE	BIT(XR_REQ_F_NOWAIT_ISSUE_BIT)
/* already retried once from io-wq after an -EAGAIN completion */
#define XR_REQ_F_REISSUED	BIT(XR_REQ_F_REISSUED_BIT)
/* on the ring's IOPOLL list, completed by polling */
#define XR_REQ_F_IOPOLL		BIT(XR_REQ_F_IOPOLL_BIT)
/* polled request whose ki_complete ran; reaped by the poll loop */
#define XR_REQ_F_IOPOLL_DONE	BIT(XR_REQ_F_IOPOLL_DONE_BIT)
/* waiting on the drain list */
#define XR_REQ_F_DEFERRED	BIT(XR_REQ_F_DEFERRED_BIT)
/* RWF_NOWAIT or O_NONBLOCK: -EAGAIN is the result, not a reason to retry */
#define XR_REQ_F_NOWAIT		BIT(XR_REQ_F_NOWAIT_BIT)
/* the file honours IOCB_NOWAIT, so an inline attempt is worth it */
#define XR_REQ_F_SUPPORT_NOWAIT	BIT(XR_REQ_F_SUPPORT_NOWAIT_BIT)
/* submitted with statistics on: its completion is counted (stats.h) */
#define XR_REQ_F_STATS		BIT(XR_REQ_F_STATS_BIT)
static_assert(!(XR_REQ_F_STATS & XR_SQE_VALID_FLAGS));

#define XR_REQ_LINK_FLAGS	(XR_REQ_F_LINK | XR_REQ_F_HARDLINK)

/* Bits of req->atomic_flags. */
enum {
	/*
	 * The request must be issued again from io-wq (an -EAGAIN that came
	 * back while an issuer was still inside the call); whoever drops
	 * the last reference does it.
	 */
	XR_REQ_AF_REISSUE,
};

struct xr_file_table;
struct xr_buf_table;
struct xr_mapped_buf;
struct xr_sq_data;

/* per-op command data lives inside the request; ops check it fits */
#define XR_CMD_SIZE		184

/*
 * One SQE in flight. A free request (in the ring's cache) has file, link,
 * creds, fixed_buf and async_data NULL: the release path leaves it so,
 * and xr_init_req() relies on it. Its lifetime, and who holds which
 * reference when, is in Documentation/xuring.rst ("Request lifetime").
 */
struct xuring_req {
	struct xuring_ring_ctx	*ctx;
	struct file		*file;
	u8			opcode;
	/* IOPOLL: ki_complete ran (store-release), the poller may reap */
	u8			iopoll_done;
	u16			buf_index;
	unsigned int		flags;		/* XR_REQ_F_* */
	u64			user_data;
	s32			res;		/* CQE res */
	u32			cflags;		/* CQE flags */
	/* XR_REQ_F_STATS: when its submission batch started */
	u64			submit_ns;
	/*
	 * References: the completion's (from init until the CQE is posted),
	 * an issuer's inside a call that may complete the request elsewhere
	 * (xr_req_hold()), io-wq's while the request is queued or running
	 * there. The last one out releases what the request holds, unless
	 * the completion did, and frees it.
	 */
	refcount_t		refs;
	/*
	 * XR_REQ_AF_*: set from any context, so atomic bit operations;
	 * each is cleared again before the request is freed
	 */
	unsigned long		atomic_flags;
	/* the next request of a link chain */
	struct xuring_req	*link;
	/* overflow list, drain list, link successors */
	struct list_head	list;
	/*
	 * The next request of the submitter's completion batch, of the
	 * request cache, or of the IOPOLL list (a polled request joins the
	 * batch only after it left that list): singly linked, so the
	 * per-request path pays for no list debugging (CONFIG_DEBUG_LIST)
	 * and no back pointers.
	 */
	struct xuring_req	*batch_next;
	struct llist_node	llnode;
	/* drain: how many earlier requests must complete before this one */
	u32			drain_seq;
	/* set when the submitter's credentials differ from the ring's */
	const struct cred	*creds;
	/* pinned fixed buffer this request reads or writes */
	struct xr_mapped_buf	*fixed_buf;
	struct xr_work		work;
	void			*async_data;
	u8			cmd[XR_CMD_SIZE] __aligned(8);
};

#define xr_cmd(req, type) ({						\
	BUILD_BUG_ON(sizeof(type) > XR_CMD_SIZE);			\
	(type *)(req)->cmd;						\
})

/* Submission state, valid while the submitter holds uring_lock */
struct xr_submit_state {
	/* who is submitting: completions from it are batched */
	struct task_struct	*owner;
	/* completions collected during this submission or poll round, FIFO */
	struct xuring_req	*compl_first;
	struct xuring_req	**compl_tail;
	/* link chain being assembled */
	struct xuring_req	*link_head, *link_last;
	/*
	 * The owner's submitter (ENTER, the SQ thread): requests released by
	 * completions (link successors, drained requests) are issued here.
	 * Elsewhere (teardown, the owner's exit) they are cancelled or go to
	 * io-wq, which checks the owner first.
	 */
	bool			can_issue;
	struct blk_plug		plug;
	bool			plug_started;
	bool			need_plug;
	/* SQEs this submission consumes at most: the plug's request count */
	unsigned int		submit_nr;
};

struct xuring_ring_ctx {
	/* Fixed after setup */
	struct {
		unsigned int		flags;		/* XURING_SETUP_* */
		unsigned int		sq_entries, cq_entries;
		/* xr_cq_overflow_cap(), worked out once at setup */
		unsigned int		cq_overflow_cap;
		struct xr_rings		*rings;
		u32			*sq_array;
		struct xuring_sqe	*sq_sqes;
		size_t			rings_size, sqes_size;
		/* the pages behind rings and sq_sqes */
		struct xr_region	rings_region, sqes_region;
		/* the creating process: its mm is what SQE pointers mean */
		struct xr_owner		owner;
		/* the ring creator's credentials, used by workers */
		const struct cred	*creds;
		/* SINGLE_ISSUER: the only task allowed to submit */
		struct task_struct	*submitter_task;
		/* CAP_IPC_LOCK at setup: pins are not held to RLIMIT_MEMLOCK */
		bool			pin_unlimited;
	} ____cacheline_aligned_in_smp;

	/* Submission side, under uring_lock */
	struct {
		/* serializes submission, registration and teardown */
		struct mutex		uring_lock;
		unsigned int		cached_sq_head;
		struct xr_submit_state	submit_state;
		/* free requests, reused before allocating: a stack */
		struct xuring_req	*req_cache;
		unsigned int		nr_cached_reqs;
		/* requests submitted so far; drain sequence numbers */
		u32			nr_submitted;
		/* drain: sequence the next non-drain request waits for */
		u32			drain_barrier;
		bool			drain_active;
		struct xr_file_table	*file_table;
		struct xr_buf_table	*buf_table;
		/* IOPOLL requests issued and not yet reaped, oldest first */
		struct xuring_req	*iopoll_first;
		struct xuring_req	**iopoll_tail;
		unsigned int		nr_iopoll;
	} ____cacheline_aligned_in_smp;

	/* Completion side, under completion_lock (irq-safe) */
	struct {
		/* the CQ ring's tail and the overflow list; irq-safe */
		spinlock_t		completion_lock;
		unsigned int		cached_cq_tail;
		/* requests whose CQE did not fit, in completion order */
		struct list_head	cq_overflow_list;
		/* requests completed so far, for drain */
		u32			nr_completed;
		/* requests held back by a drain, in submission order */
		struct list_head	defer_list;
		wait_queue_head_t	cq_wait;
		/* requests freed outside uring_lock, for the cache */
		struct llist_head	free_llist;
		/* requests on cq_overflow_list */
		unsigned int		nr_overflow;
	} ____cacheline_aligned_in_smp;

	/* one reference per live request, plus the ring's own */
	struct percpu_ref	refs;
	struct completion	refs_done;
	/* the last file reference is gone: teardown.c */
	bool			dying;

	struct xr_iowq		*iowq;
	struct xr_sq_data	*sq_data;
	struct list_head	sqd_node;
	unsigned int		sq_thread_idle_ms;
	/* SQPOLL: wakes a task waiting in ENTER(SQ_WAIT) for SQ space */
	wait_queue_head_t	sqo_sq_wait;
	struct file		*file;

	/* pages of registered buffers charged as pinned */
	atomic_long_t		pinned_pages;
	/* statistics (stats.h): the submitter's and the completions' halves */
	struct xr_ring_submit_stats	submit_stats ____cacheline_aligned_in_smp;
	struct xr_ring_complete_stats	complete_stats ____cacheline_aligned_in_smp;
	/* on the debugfs list of rings, with a number, from setup to free */
	struct list_head	stats_node;
	u64			stats_id;
};

/* setup.c */
extern const struct file_operations xuring_fops;
int xr_setup(struct xuring_ring_ctx **ctxp, struct file *file,
	     void __user *argp, unsigned int argsz);
int xr_mmap(struct file *file, struct vm_area_struct *vma);
void xr_ctx_free(struct xuring_ring_ctx *ctx);

/* teardown.c */
void xr_ring_owner_gone(struct xr_owner *owner);
void xr_ring_teardown(struct xuring_ring_ctx *ctx);

/* core.c */
int xr_submit_sqes(struct xuring_ring_ctx *ctx, unsigned int nr);
void xr_req_complete(struct xuring_req *req, s32 res);
void xr_req_issue_from_wq(struct xuring_req *req);
void xr_req_reissue(struct xuring_req *req);
void __xr_submit_state_end(struct xuring_ring_ctx *ctx);
void __xr_flush_completions(struct xuring_ring_ctx *ctx);
bool __xr_cq_overflow_flush(struct xuring_ring_ctx *ctx);
void xr_cq_overflow_discard(struct xuring_ring_ctx *ctx);
unsigned int xr_free_req_cache(struct xuring_ring_ctx *ctx);
void xr_drop_req_cache(struct xuring_ring_ctx *ctx);
unsigned long xr_set_fsize_limit(unsigned long limit);
extern const struct xr_iowq_ops xr_req_wq_ops;
void xr_cancel_deferred(struct xuring_ring_ctx *ctx);
void xr_req_last_put(struct xuring_req *req);

/*
 * Drop a reference (an issuer's hold, io-wq's, a completion's). Inline:
 * an issuer drops its hold on every request it issues, and is rarely
 * the last.
 */
static inline void xr_req_put(struct xuring_req *req)
{
	if (refcount_dec_and_test(&req->refs))
		xr_req_last_put(req);
}

int xr_core_init(void);
void xr_core_exit(void);

/*
 * Keep @req, and the file and buffers it holds, alive across a call that
 * may complete it elsewhere (ki_complete in an interrupt, the poller):
 * file systems touch the file after queueing the I/O (ext4 updates the
 * atime after a direct read is submitted), and the issuer reads the
 * request after the call returns. The CQE may be posted meanwhile; what
 * the request holds is released by the last reference then.
 */
static inline void xr_req_hold(struct xuring_req *req)
{
	refcount_inc(&req->refs);
	/* the completion side must see the hold: order it before the I/O */
	smp_mb__after_atomic();
}

static inline void xr_req_unhold(struct xuring_req *req)
{
	xr_req_put(req);
}

/* wait.c */
int xr_cq_wait(struct xuring_ring_ctx *ctx, unsigned int min_events,
	       u32 flags, const void __user *argp, size_t argsz);

/* register.c */
int xr_register(struct xuring_ring_ctx *ctx, unsigned int opcode,
		void __user *arg, unsigned int nr_args);

/*
 * Under uring_lock: completions in this task's context are batched, and,
 * with @can_issue (the owner's submitters), what they release is issued.
 */
static inline void xr_submit_state_begin(struct xuring_ring_ctx *ctx,
					 bool can_issue)
{
	lockdep_assert_held(&ctx->uring_lock);
	ctx->submit_state.can_issue = can_issue;
	WRITE_ONCE(ctx->submit_state.owner, current);
}

/*
 * Completion in the submitter's context: the task that set
 * submit_state.owner under uring_lock, and clears it before unlocking.
 */
static inline bool xr_in_submit_context(struct xuring_ring_ctx *ctx)
{
	if (!in_task() || READ_ONCE(ctx->submit_state.owner) != current)
		return false;
	lockdep_assert_held(&ctx->uring_lock);
	return true;
}

/* The ring takes no new work: closed, or its owner is gone. */
static inline bool xr_ring_stopping(struct xuring_ring_ctx *ctx)
{
	return READ_ONCE(ctx->dying) || xr_owner_is_gone(&ctx->owner);
}

/* overflowed CQEs a ring may hold, however small its CQ */
#define XR_CQ_OVERFLOW_MIN_CAP	1024

/*
 * Twice as many overflowed CQEs as the CQ holds, and at least
 * XR_CQ_OVERFLOW_MIN_CAP: then submission waits until the CQ is reaped.
 */
static inline unsigned int xr_cq_overflow_cap(struct xuring_ring_ctx *ctx)
{
	return ctx->cq_overflow_cap;
}

/*
 * The helpers below run several times per ENTER, and usually find
 * nothing to do: they check inline and call out only for the work.
 */

/*
 * Post the completions batched in submit context, and issue what they
 * release (link successors, drained requests). Under uring_lock.
 */
static inline void xr_flush_completions(struct xuring_ring_ctx *ctx)
{
	if (ctx->submit_state.compl_first)
		__xr_flush_completions(ctx);
}

/*
 * Queue what a submission left pending and unplug, staying in submit
 * context: ENTER polls right after it submits.
 */
static inline void xr_submit_state_flush(struct xuring_ring_ctx *ctx)
{
	struct xr_submit_state *state = &ctx->submit_state;

	if (unlikely(state->link_head || state->plug_started))
		__xr_submit_state_end(ctx);
}

/* End a submission: queue what is pending, unplug, post completions. */
static inline void xr_submit_state_end(struct xuring_ring_ctx *ctx)
{
	xr_submit_state_flush(ctx);
	xr_flush_completions(ctx);
	WRITE_ONCE(ctx->submit_state.owner, NULL);
}

/*
 * Move overflowed CQEs into the CQ as far as there is room. Returns true
 * when nothing is left on the overflow list.
 */
static inline bool xr_cq_overflow_flush(struct xuring_ring_ctx *ctx)
{
	if (likely(list_empty_careful(&ctx->cq_overflow_list)))
		return true;
	return __xr_cq_overflow_flush(ctx);
}

/* CQEs the application has not consumed yet */
static inline unsigned int xr_cq_ready(struct xuring_ring_ctx *ctx)
{
	struct xr_rings *r = ctx->rings;

	/* pairs with the application's store-release of cq.head */
	return READ_ONCE(r->cq.tail) - smp_load_acquire(&r->cq.head);
}

/* free SQ slots, as the application sees them */
static inline unsigned int xr_sq_space(struct xuring_ring_ctx *ctx)
{
	return ctx->sq_entries -
	       (READ_ONCE(ctx->rings->sq.tail) - READ_ONCE(ctx->rings->sq.head));
}

/* SQEs the application has queued that the kernel has not consumed */
static inline unsigned int xr_sq_ready(struct xuring_ring_ctx *ctx)
{
	/* pairs with the application's store-release of sq.tail */
	return smp_load_acquire(&ctx->rings->sq.tail) - ctx->cached_sq_head;
}

static inline void req_set_fail(struct xuring_req *req)
{
	req->flags |= XR_REQ_F_FAIL;
	if (req->flags & XR_REQ_F_CQE_SKIP) {
		req->flags &= ~XR_REQ_F_CQE_SKIP;
		req->flags |= XR_REQ_F_SKIP_LINK_CQES;
	}
}

/* map the restart codes a signalled worker may see to what users expect */
static inline s32 xr_fixup_restart(s32 res)
{
	if (res == -ERESTARTSYS || res == -ERESTARTNOINTR ||
	    res == -ERESTARTNOHAND || res == -ERESTART_RESTARTBLOCK)
		return -EINTR;
	return res;
}

#endif /* XURING_CORE_H */
