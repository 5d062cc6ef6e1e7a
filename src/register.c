// SPDX-License-Identifier: GPL-2.0
/*
 * XURING_IOC_REGISTER: io_uring_register(2)'s opcodes that xuring
 * implements. Everything runs under uring_lock, so submission never sees a
 * table half changed.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "core.h"
#include "opdef.h"
#include "policy.h"
#include "rsrc.h"
#include <trace/events/xuring.h>

/* ops_len is a u8: no probe can describe more opcodes than this */
#define XR_PROBE_MAX_OPS	256

static int xr_register_probe(void __user *arg, unsigned int nr_args)
{
	struct xuring_probe *p;
	size_t size;
	unsigned int i;
	int ret;

	if (nr_args > XR_PROBE_MAX_OPS)
		return -EINVAL;
	size = struct_size(p, ops, nr_args);
	p = kzalloc(size, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(p, arg, size))
		goto out;
	/* the buffer must come in zeroed, as with io_uring */
	ret = -EINVAL;
	if (memchr_inv(p, 0, size))
		goto out;

	p->last_op = XURING_OP_LAST - 1;
	nr_args = min_t(unsigned int, nr_args, XURING_OP_LAST);
	for (i = 0; i < nr_args; i++) {
		p->ops[i].op = i;
		/* what the administrator allows (policy.c), not every row */
		if (xr_op_supported(i) && xr_op_allowed(i))
			p->ops[i].flags = XURING_OP_SUPPORTED;
	}
	p->ops_len = nr_args;
	ret = copy_to_user(arg, p, size) ? -EFAULT : 0;
out:
	kfree(p);
	return ret;
}

static int xr_register_iowq_max_workers(struct xuring_ring_ctx *ctx,
					void __user *arg, unsigned int nr_args)
{
	unsigned int counts[2];
	unsigned long limit = rlimit(RLIMIT_NPROC);
	int i;

	if (nr_args != ARRAY_SIZE(counts))
		return -EINVAL;
	if (copy_from_user(counts, arg, sizeof(counts)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		if (counts[i] > INT_MAX)
			return -EINVAL;
		/* workers are kthreads: hold them to the caller's limit */
		counts[i] = min_t(unsigned long, counts[i], limit);
	}
	xr_iowq_max_workers(ctx->iowq, counts);
	return copy_to_user(arg, counts, sizeof(counts)) ? -EFAULT : 0;
}

static int xr_register_locked(struct xuring_ring_ctx *ctx, unsigned int opcode,
			      void __user *arg, unsigned int nr_args)
{
	switch (opcode) {
	case XURING_REGISTER_BUFFERS:
		return xr_register_buffers(ctx, arg, nr_args);
	case XURING_UNREGISTER_BUFFERS:
		if (arg || nr_args)
			return -EINVAL;
		return xr_unregister_buffers(ctx);
	case XURING_REGISTER_FILES:
		return xr_register_files(ctx, arg, nr_args);
	case XURING_UNREGISTER_FILES:
		if (arg || nr_args)
			return -EINVAL;
		return xr_unregister_files(ctx);
	case XURING_REGISTER_FILES_UPDATE:
		return xr_register_files_update(ctx, arg, nr_args);
	case XURING_REGISTER_FILES2:
		return xr_register_files2(ctx, arg, nr_args);
	case XURING_REGISTER_FILES_UPDATE2:
		return xr_register_files_update2(ctx, arg, nr_args);
	case XURING_REGISTER_BUFFERS2:
		return xr_register_buffers2(ctx, arg, nr_args);
	case XURING_REGISTER_IOWQ_MAX_WORKERS:
		return xr_register_iowq_max_workers(ctx, arg, nr_args);
	}
	return -EINVAL;
}

static int __xr_register(struct xuring_ring_ctx *ctx, unsigned int opcode,
			 void __user *arg, unsigned int nr_args)
{
	int ret;

	if (opcode == XURING_REGISTER_PROBE)
		return xr_register_probe(arg, nr_args);
	/* buffers are pinned from, and files looked up in, the caller */
	if (current->mm != ctx->owner.mm)
		return -EEXIST;
	/* nothing new once the owner exited or exec'ed (teardown.c) */
	if (xr_owner_gone_for_caller(&ctx->owner))
		return -EOWNERDEAD;

	mutex_lock(&ctx->uring_lock);
	ret = xr_register_locked(ctx, opcode, arg, nr_args);
	mutex_unlock(&ctx->uring_lock);
	return ret;
}

int xr_register(struct xuring_ring_ctx *ctx, unsigned int opcode,
		void __user *arg, unsigned int nr_args)
{
	int ret = __xr_register(ctx, opcode, arg, nr_args);

	if (trace_xuring_register_enabled()) {
		/* the tables the counts come from may change without it */
		mutex_lock(&ctx->uring_lock);
		trace_xuring_register(ctx, opcode, xr_nr_fixed_files(ctx),
				      xr_nr_fixed_bufs(ctx), ret);
		mutex_unlock(&ctx->uring_lock);
	}
	return ret;
}
