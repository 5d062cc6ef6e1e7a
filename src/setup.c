// SPDX-License-Identifier: GPL-2.0
/*
 * Ring creation (XURING_IOC_SETUP), the shared ring memory and its mmap.
 * The ring's end is in teardown.c.
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
#include "policy.h"
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

/*
 * Zeroed pages for a region of @size bytes, charged to the caller's
 * memory cgroup (what io_uring's GFP_KERNEL_ACCOUNT ring memory is), and
 * a kernel mapping of them.
 */
static int xr_region_alloc(struct xr_region *region, size_t size)
{
	unsigned int i, nr = DIV_ROUND_UP(size, PAGE_SIZE);

	region->pages = kvcalloc(nr, sizeof(*region->pages),
				 GFP_KERNEL_ACCOUNT);
	if (!region->pages)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		region->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!region->pages[i])
			return -ENOMEM;
		region->nr_pages = i + 1;
	}
	region->ptr = vmap(region->pages, nr, VM_MAP, PAGE_KERNEL);
	return region->ptr ? 0 : -ENOMEM;
}

static void xr_region_free(struct xr_region *region)
{
	unsigned int i;

	if (region->ptr)
		vunmap(region->ptr);
	for (i = 0; i < region->nr_pages; i++)
		__free_page(region->pages[i]);
	kvfree(region->pages);
}

static int xr_alloc_rings(struct xuring_ring_ctx *ctx, struct xuring_params *p)
{
	size_t sq_array_offset;
	struct xr_rings *rings;
	int ret;

	ctx->rings_size = xr_rings_size(p->sq_entries, p->cq_entries,
					&sq_array_offset);
	ret = xr_region_alloc(&ctx->rings_region, ctx->rings_size);
	if (ret)
		return ret;
	rings = ctx->rings_region.ptr;
	ctx->rings = rings;
	ctx->sq_array = (u32 *)((char *)rings + sq_array_offset);

	ctx->sqes_size = array_size(sizeof(struct xuring_sqe), p->sq_entries);
	ret = xr_region_alloc(&ctx->sqes_region, ctx->sqes_size);
	if (ret)
		return ret;
	ctx->sq_sqes = ctx->sqes_region.ptr;

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

static struct xuring_ring_ctx *xr_ctx_alloc(const struct xuring_params *p)
{
	struct xuring_ring_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return NULL;
	if (percpu_ref_init(&ctx->refs, xr_refs_release, 0,
			    GFP_KERNEL_ACCOUNT)) {
		kfree(ctx);
		return NULL;
	}
	init_completion(&ctx->refs_done);
	ctx->flags = p->flags;
	ctx->sq_entries = p->sq_entries;
	ctx->cq_entries = p->cq_entries;
	ctx->cq_overflow_cap = max(2 * ctx->cq_entries, XR_CQ_OVERFLOW_MIN_CAP);
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
	return ctx;
}

/*
 * The end of a ring that no request, thread or work item uses any more
 * (teardown.c), or that setup never published.
 */
void xr_ctx_free(struct xuring_ring_ctx *ctx)
{
	/* no owner trigger fires after this, and ->gone has finished */
	xr_owner_disarm(&ctx->owner);
	if (ctx->iowq)
		xr_iowq_destroy(ctx->iowq);
	xr_rsrc_free(ctx);
	xr_free_req_cache(ctx);
	xr_region_free(&ctx->rings_region);
	xr_region_free(&ctx->sqes_region);
	if (ctx->creds)
		put_cred(ctx->creds);
	if (ctx->submitter_task)
		put_task_struct(ctx->submitter_task);
	/* the kthreads that acted for the owner have all exited */
	xr_owner_release(&ctx->owner);
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
	/* and its own cap on the unbounded class, beside RLIMIT_NPROC */
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
	/* like io_uring_setup() under io_uring_disabled: before anything */
	ret = xr_policy_check_setup();
	if (ret)
		return ret;
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
	if (p.flags & XURING_SETUP_SQPOLL) {
		ret = xr_policy_check_sqpoll();
		if (ret)
			return ret;
	}
	ret = xr_setup_sizes(arg.entries, &p);
	if (ret)
		return ret;

	ctx = xr_ctx_alloc(&p);
	if (!ctx)
		return -ENOMEM;
	ctx->file = file;
	ret = xr_owner_init(&ctx->owner, xr_ring_owner_gone);
	if (ret)
		goto err;
	ctx->creds = get_current_cred();
	ctx->pin_unlimited = ns_capable_noaudit(&init_user_ns, CAP_IPC_LOCK);
	if (p.flags & XURING_SETUP_SINGLE_ISSUER)
		ctx->submitter_task = get_task_struct(current);

	ret = xr_alloc_rings(ctx, &p);
	if (ret)
		goto err;
	xr_default_worker_limits(ctx, &bounded, &unbounded);
	ctx->iowq = xr_iowq_create(&xr_req_wq_ops, &ctx->owner, bounded,
				   unbounded);
	if (IS_ERR(ctx->iowq)) {
		ret = PTR_ERR(ctx->iowq);
		ctx->iowq = NULL;
		goto err;
	}
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

int xr_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct xuring_ring_ctx *ctx = xr_file_ctx(file);
	size_t size = vma->vm_end - vma->vm_start;
	loff_t offset = (loff_t)vma->vm_pgoff << PAGE_SHIFT;
	struct xr_region *region;

	if (!ctx)
		return -EBADFD;
	switch (offset) {
	case XURING_OFF_SQ_RING:
	case XURING_OFF_CQ_RING:
		/* both rings live in one region: FEAT_SINGLE_MMAP */
		region = &ctx->rings_region;
		break;
	case XURING_OFF_SQES:
		region = &ctx->sqes_region;
		break;
	default:
		return -EINVAL;
	}
	if (size > (size_t)region->nr_pages << PAGE_SHIFT)
		return -EINVAL;
	/*
	 * mremap() may not grow it past the region, as with io_uring's
	 * rings: nothing would back the rest.
	 */
	xr_vm_flags_set(vma, VM_DONTEXPAND);
	return vm_map_pages_zero(vma, region->pages, region->nr_pages);
}
