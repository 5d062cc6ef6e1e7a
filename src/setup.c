// SPDX-License-Identifier: GPL-2.0
/*
 * Ring creation (XURING_IOC_SETUP), the shared ring memory and its mmap,
 * and teardown when the last reference to the ring file goes away.
 */
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "core.h"
#include "ioctl.h"
#include "iopoll.h"
#include "rsrc.h"
#include "sqpoll.h"
#include "stats.h"

#define XR_SETUP_FLAGS	(XURING_SETUP_IOPOLL | XURING_SETUP_SQPOLL | \
			 XURING_SETUP_SQ_AFF | XURING_SETUP_CQSIZE | \
			 XURING_SETUP_CLAMP | XURING_SETUP_ATTACH_WQ | \
			 XURING_SETUP_SUBMIT_ALL | XURING_SETUP_COOP_TASKRUN | \
			 XURING_SETUP_TASKRUN_FLAG | \
			 XURING_SETUP_SINGLE_ISSUER | \
			 XURING_SETUP_DEFER_TASKRUN)

#define XR_FEATURES	(XURING_FEAT_SINGLE_MMAP | XURING_FEAT_NODROP | \
			 XURING_FEAT_SUBMIT_STABLE | XURING_FEAT_RW_CUR_POS | \
			 XURING_FEAT_SQPOLL_NONFIXED | XURING_FEAT_EXT_ARG | \
			 XURING_FEAT_CQE_SKIP)

/* Sizes, after the rules of io_uring_setup(2). */
static int xr_setup_sizes(u32 entries, struct xuring_params *p)
{
	if (!entries)
		return -EINVAL;
	if (entries > XR_MAX_ENTRIES) {
		if (!(p->flags & XURING_SETUP_CLAMP))
			return -EINVAL;
		entries = XR_MAX_ENTRIES;
	}
	p->sq_entries = roundup_pow_of_two(entries);

	if (!(p->flags & XURING_SETUP_CQSIZE)) {
		/* room for more completions in flight than SQEs */
		p->cq_entries = 2 * p->sq_entries;
		return 0;
	}
	if (!p->cq_entries)
		return -EINVAL;
	if (p->cq_entries > XR_MAX_CQ_ENTRIES) {
		if (!(p->flags & XURING_SETUP_CLAMP))
			return -EINVAL;
		p->cq_entries = XR_MAX_CQ_ENTRIES;
	}
	p->cq_entries = roundup_pow_of_two(p->cq_entries);
	if (p->cq_entries < p->sq_entries)
		return -EINVAL;
	return 0;
}

static int xr_setup_check_flags(const struct xuring_params *p)
{
	u32 flags = p->flags;

	if (flags & ~XR_SETUP_FLAGS)
		return -EINVAL;
	if (flags & XURING_SETUP_SQPOLL) {
		/* these tune task-work notification, which SQPOLL replaces */
		if (flags & (XURING_SETUP_COOP_TASKRUN |
			     XURING_SETUP_TASKRUN_FLAG |
			     XURING_SETUP_DEFER_TASKRUN))
			return -EINVAL;
	} else {
		if (flags & XURING_SETUP_SQ_AFF)
			return -EINVAL;
		if ((flags & XURING_SETUP_TASKRUN_FLAG) &&
		    !(flags & (XURING_SETUP_COOP_TASKRUN |
			       XURING_SETUP_DEFER_TASKRUN)))
			return -EINVAL;
	}
	if ((flags & XURING_SETUP_DEFER_TASKRUN) &&
	    !(flags & XURING_SETUP_SINGLE_ISSUER))
		return -EINVAL;
	return 0;
}

static size_t xr_rings_size(unsigned int sq_entries, unsigned int cq_entries,
			    size_t *sq_array_offset)
{
	size_t off = struct_size((struct xr_rings *)NULL, cqes, cq_entries);

	off = ALIGN(off, SMP_CACHE_BYTES);
	*sq_array_offset = off;
	return off + sq_entries * sizeof(u32);
}

static int xr_alloc_rings(struct xuring_ring_ctx *ctx, struct xuring_params *p)
{
	size_t sq_array_offset;
	struct xr_rings *rings;

	ctx->rings_size = xr_rings_size(p->sq_entries, p->cq_entries,
					&sq_array_offset);
	/* zeroed, and marked so remap_vmalloc_range() may map it */
	rings = vmalloc_user(ctx->rings_size);
	if (!rings)
		return -ENOMEM;
	ctx->rings = rings;
	ctx->sq_array = (u32 *)((char *)rings + sq_array_offset);

	ctx->sqes_size = array_size(sizeof(struct xuring_sqe), p->sq_entries);
	ctx->sq_sqes = vmalloc_user(ctx->sqes_size);
	if (!ctx->sq_sqes)
		return -ENOMEM;

	rings->sq_ring_mask = p->sq_entries - 1;
	rings->cq_ring_mask = p->cq_entries - 1;
	rings->sq_ring_entries = p->sq_entries;
	rings->cq_ring_entries = p->cq_entries;

	memset(&p->sq_off, 0, sizeof(p->sq_off));
	p->sq_off.head = offsetof(struct xr_rings, sq.head);
	p->sq_off.tail = offsetof(struct xr_rings, sq.tail);
	p->sq_off.ring_mask = offsetof(struct xr_rings, sq_ring_mask);
	p->sq_off.ring_entries = offsetof(struct xr_rings, sq_ring_entries);
	p->sq_off.flags = offsetof(struct xr_rings, sq_flags);
	p->sq_off.dropped = offsetof(struct xr_rings, sq_dropped);
	p->sq_off.array = sq_array_offset;

	memset(&p->cq_off, 0, sizeof(p->cq_off));
	p->cq_off.head = offsetof(struct xr_rings, cq.head);
	p->cq_off.tail = offsetof(struct xr_rings, cq.tail);
	p->cq_off.ring_mask = offsetof(struct xr_rings, cq_ring_mask);
	p->cq_off.ring_entries = offsetof(struct xr_rings, cq_ring_entries);
	p->cq_off.overflow = offsetof(struct xr_rings, cq_overflow);
	p->cq_off.cqes = offsetof(struct xr_rings, cqes);
	p->cq_off.flags = offsetof(struct xr_rings, cq_flags);
	return 0;
}

static void xr_refs_release(struct percpu_ref *ref)
{
	struct xuring_ring_ctx *ctx = container_of(ref, struct xuring_ring_ctx,
						   refs);

	complete(&ctx->refs_done);
}

/*
 * The rest of the owner's exit, from a work item: the mmu_notifier's
 * ->release runs inside exit_mmap(), under whatever locks its caller
 * holds (exec holds the exec_update_lock), and uring_lock nests outside
 * anything a read issued under it may take (seq_file's lock, and under
 * it /proc's exec_update_lock), so ->release must not take uring_lock.
 */
static void xr_ring_owner_exit_work(struct work_struct *work)
{
	struct xuring_ring_ctx *ctx = container_of(work, struct xuring_ring_ctx,
						   owner_exit_work);

	xr_sqpoll_stop(ctx);
	xr_iopoll_reap_all(ctx);

	/*
	 * Nobody can submit any more, so the registered files are only a
	 * liability: a unix socket among them holding the ring's own fd in
	 * flight would keep both alive for ever. io_uring breaks such
	 * cycles through the unix garbage collector, which a module cannot
	 * reach; dropping the table when the owner goes breaks them here.
	 */
	mutex_lock(&ctx->uring_lock);
	if (ctx->file_table)
		xr_unregister_files(ctx);
	mutex_unlock(&ctx->uring_lock);
}

/*
 * The owner's address space is being torn down (exit or exec) while the
 * ring lives on (a child inherited it, or the ring's own mapping was the
 * last user): cancel what may block forever, as io_uring does for an
 * exiting task, and leave the rest to xr_ring_owner_exit_work(). The SQ
 * thread cannot borrow the mm any more, so it submits nothing meanwhile.
 * Called from the mmu_notifier's ->release.
 */
static void xr_ring_owner_exit(struct xr_owner_mm *omm)
{
	struct xuring_ring_ctx *ctx = container_of(omm, struct xuring_ring_ctx,
						   owner_mm);

	xr_cancel_deferred(ctx);
	xr_iowq_cancel_all(ctx->iowq);
	queue_work(system_dfl_wq, &ctx->owner_exit_work);
}

static struct xuring_ring_ctx *xr_ctx_alloc(const struct xuring_params *p)
{
	struct xuring_ring_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return NULL;
	if (percpu_ref_init(&ctx->refs, xr_refs_release, 0, GFP_KERNEL)) {
		kfree(ctx);
		return NULL;
	}
	init_completion(&ctx->refs_done);
	ctx->flags = p->flags;
	ctx->sq_entries = p->sq_entries;
	ctx->cq_entries = p->cq_entries;
	mutex_init(&ctx->uring_lock);
	ctx->submit_state.compl_tail = &ctx->submit_state.compl_first;
	ctx->iopoll_tail = &ctx->iopoll_first;
	spin_lock_init(&ctx->completion_lock);
	INIT_LIST_HEAD(&ctx->cq_overflow_list);
	INIT_LIST_HEAD(&ctx->defer_list);
	init_waitqueue_head(&ctx->cq_wait);
	init_llist_head(&ctx->free_llist);
	init_waitqueue_head(&ctx->sqo_sq_wait);
	INIT_LIST_HEAD(&ctx->sqd_node);
	INIT_WORK(&ctx->owner_exit_work, xr_ring_owner_exit_work);
	return ctx;
}

static void xr_ctx_free(struct xuring_ring_ctx *ctx)
{
	/* workers may still be switched to the mm until this returns */
	xr_owner_mm_exit(&ctx->owner_mm);
	/* ->release (just now, or long ago) may have left work behind */
	flush_work(&ctx->owner_exit_work);
	if (ctx->iowq)
		xr_iowq_destroy(ctx->iowq);
	xr_rsrc_free(ctx);
	xr_free_req_cache(ctx);
	vfree(ctx->rings);
	vfree(ctx->sq_sqes);
	if (ctx->creds)
		put_cred(ctx->creds);
	if (ctx->submitter_task)
		put_task_struct(ctx->submitter_task);
	if (ctx->mm)
		mmdrop(ctx->mm);
	percpu_ref_exit(&ctx->refs);
	kfree(ctx);
}

static void xr_default_worker_limits(struct xuring_ring_ctx *ctx,
				     unsigned int *bounded,
				     unsigned int *unbounded)
{
	unsigned long nproc = rlimit(RLIMIT_NPROC);

	/* io_uring's bounded default: enough to keep the CPUs busy */
	*bounded = min(ctx->sq_entries, 4 * num_online_cpus());
	/* kthreads are not charged to the user, so cap the unbounded class */
	*unbounded = min_t(unsigned long, nproc, XR_IOWQ_UNBOUNDED_DEFAULT);
	*unbounded = max(*unbounded, 1U);
}

int xr_setup(struct xuring_ring_ctx **ctxp, struct file *file,
	     void __user *argp, unsigned int argsz)
{
	struct xuring_params __user *uparams;
	unsigned int bounded, unbounded;
	struct xuring_ring_ctx *ctx;
	struct xuring_setup_arg arg;
	struct xuring_params p;
	int ret, i;

	if (READ_ONCE(*ctxp))
		return -EBUSY;
	ret = xr_copy_ioctl_arg(&arg, sizeof(arg), argp, argsz);
	if (ret)
		return ret;
	if (arg.resv)
		return -EINVAL;
	uparams = u64_to_user_ptr(arg.params);
	if (copy_from_user(&p, uparams, sizeof(p)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(p.resv); i++) {
		if (p.resv[i])
			return -EINVAL;
	}
	ret = xr_setup_check_flags(&p);
	if (ret)
		return ret;
	ret = xr_setup_sizes(arg.entries, &p);
	if (ret)
		return ret;

	ctx = xr_ctx_alloc(&p);
	if (!ctx)
		return -ENOMEM;
	ctx->file = file;
	mmgrab(current->mm);
	ctx->mm = current->mm;
	ctx->creds = get_current_cred();
	if (p.flags & XURING_SETUP_SINGLE_ISSUER)
		ctx->submitter_task = get_task_struct(current);

	ret = xr_alloc_rings(ctx, &p);
	if (ret)
		goto err;
	xr_default_worker_limits(ctx, &bounded, &unbounded);
	ctx->iowq = xr_iowq_create(&xr_req_wq_ops, &ctx->owner_mm, bounded,
				   unbounded);
	if (IS_ERR(ctx->iowq)) {
		ret = PTR_ERR(ctx->iowq);
		ctx->iowq = NULL;
		goto err;
	}
	ret = xr_owner_mm_init(&ctx->owner_mm, xr_ring_owner_exit);
	if (ret)
		goto err;
	ret = xr_sqpoll_create(ctx, &p);
	if (ret)
		goto err;

	p.features = XR_FEATURES;
	if (copy_to_user(uparams, &p, sizeof(p))) {
		ret = -EFAULT;
		goto err_sq;
	}
	/* pairs with the load-acquire in xr_file_ctx() */
	if (cmpxchg_release(ctxp, NULL, ctx)) {
		ret = -EBUSY;
		goto err_sq;
	}
	atomic_long_inc(&xr_stats.rings);
	atomic_long_inc(&xr_stats.rings_setup);
	xr_sqpoll_start(ctx);
	return 0;
err_sq:
	xr_sqpoll_stop(ctx);
err:
	percpu_ref_kill(&ctx->refs);
	wait_for_completion(&ctx->refs_done);
	xr_ctx_free(ctx);
	return ret;
}

/*
 * Cancel what may wait forever so the live requests can drain: queued and
 * running io-wq work, requests held back by a drain, polled I/O.
 */
static void xr_cancel_all(struct xuring_ring_ctx *ctx)
{
	xr_cancel_deferred(ctx);
	xr_iowq_cancel_all(ctx->iowq);
	xr_iopoll_reap_all(ctx);
	xr_cq_overflow_discard(ctx);
}

void xr_ring_teardown(struct xuring_ring_ctx *ctx)
{
	/* the SQ thread is the only submitter left: stop it first */
	xr_sqpoll_stop(ctx);

	spin_lock_irq(&ctx->completion_lock);
	ctx->dying = true;
	spin_unlock_irq(&ctx->completion_lock);

	xr_cancel_all(ctx);
	percpu_ref_kill(&ctx->refs);
	xr_drop_req_cache(ctx);
	/*
	 * Requests that are running keep their references until they
	 * complete; keep cancelling, in case one was picked up by a worker
	 * between two passes.
	 */
	while (!wait_for_completion_timeout(&ctx->refs_done, HZ / 20)) {
		xr_cancel_all(ctx);
		xr_drop_req_cache(ctx);
	}
	xr_ctx_free(ctx);
	atomic_long_dec(&xr_stats.rings);
}

int xr_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct xuring_ring_ctx *ctx = xr_file_ctx(file);
	size_t size = vma->vm_end - vma->vm_start;
	loff_t offset = (loff_t)vma->vm_pgoff << PAGE_SHIFT;
	void *region;
	size_t region_size;

	if (!ctx)
		return -EBADFD;
	switch (offset) {
	case XURING_OFF_SQ_RING:
	case XURING_OFF_CQ_RING:
		/* both rings live in one region: FEAT_SINGLE_MMAP */
		region = ctx->rings;
		region_size = ctx->rings_size;
		break;
	case XURING_OFF_SQES:
		region = ctx->sq_sqes;
		region_size = ctx->sqes_size;
		break;
	default:
		return -EINVAL;
	}
	if (size > PAGE_ALIGN(region_size))
		return -EINVAL;
	return remap_vmalloc_range(vma, region, 0);
}
