// SPDX-License-Identifier: GPL-2.0
/*
 * xuring: the /dev/xuring misc device. Each open file becomes one ring
 * with XURING_IOC_SETUP; XURING_IOC_ENTER and XURING_IOC_REGISTER stand in
 * for io_uring_enter(2) and io_uring_register(2).
 */
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>

#include "core.h"
#include "fdinfo.h"
#include "ioctl.h"
#include "iopoll.h"
#include "policy.h"
#include "sqpoll.h"
#include "stats.h"
#include "user.h"

#define XR_ENTER_FLAGS	(XURING_ENTER_GETEVENTS | XURING_ENTER_SQ_WAKEUP | \
			 XURING_ENTER_SQ_WAIT | XURING_ENTER_EXT_ARG)

/*
 * User pointers in SQEs are read against the ring creator's address
 * space, so nobody else may submit: a forked child shares the fd but not
 * the mm. SINGLE_ISSUER narrows this to the creating task.
 */
static bool xr_may_submit(struct xuring_ring_ctx *ctx)
{
	if (unlikely(current->mm != ctx->owner.mm))
		return false;
	if (ctx->submitter_task && unlikely(ctx->submitter_task != current))
		return false;
	return true;
}

/*
 * GETEVENTS with nothing to wait for: no signal mask or timeout to take,
 * no polling to do, no overflowed CQEs to flush, and enough CQEs ready.
 * What xr_cq_wait() would find, without its call and argument parsing.
 */
static inline bool xr_cq_wait_needless(struct xuring_ring_ctx *ctx,
				       const struct xuring_enter_arg *arg)
{
	if (arg->arg || (arg->flags & XURING_ENTER_EXT_ARG) ||
	    (ctx->flags & XURING_SETUP_IOPOLL))
		return false;
	if (!list_empty_careful(&ctx->cq_overflow_list))
		return false;
	return xr_cq_ready(ctx) >= min(arg->min_complete, ctx->cq_entries);
}

/*
 * GETEVENTS on an IOPOLL ring (without SQPOLL) with no signal mask or
 * timeout to validate: xr_cq_wait() would go straight to polling.
 */
static inline bool xr_iopoll_now(struct xuring_ring_ctx *ctx,
				 const struct xuring_enter_arg *arg)
{
	return (arg->flags & XURING_ENTER_GETEVENTS) && !arg->arg &&
	       !(arg->flags & XURING_ENTER_EXT_ARG) &&
	       (ctx->flags & (XURING_SETUP_IOPOLL | XURING_SETUP_SQPOLL)) ==
	       XURING_SETUP_IOPOLL;
}

static int xr_enter(struct xuring_ring_ctx *ctx,
		    const struct xuring_enter_arg *arg)
{
	int ret = 0, ret2;

	if (unlikely(arg->flags & ~XR_ENTER_FLAGS))
		return -EINVAL;
	if (unlikely(arg->resv))
		return -EINVAL;
	if (unlikely(!xr_may_submit(ctx)))
		return -EEXIST;

	if (ctx->flags & XURING_SETUP_SQPOLL) {
		/*
		 * The owner exited or exec'ed: its SQ thread is stopping, and
		 * ENTER says so from the moment that is known, as io_uring's
		 * does once its SQ thread is gone.
		 */
		if (unlikely(xr_owner_gone_for_caller(&ctx->owner)))
			return -EOWNERDEAD;
		/* the SQ thread submits; we only wake it or wait for room */
		xr_cq_overflow_flush(ctx);
		ret = xr_sqpoll_enter(ctx, arg->flags);
		if (ret)
			return ret;
		/*
		 * io_uring reports to_submit as submitted; an ioctl's int
		 * return value must not turn a huge count into an errno.
		 */
		ret = min_t(u32, arg->to_submit, INT_MAX);
	} else if (arg->to_submit) {
		/* the owner exited or exec'ed: the ring takes no new work */
		if (unlikely(xr_owner_gone_for_caller(&ctx->owner)))
			return -EOWNERDEAD;
		mutex_lock(&ctx->uring_lock);
		xr_submit_state_begin(ctx, true);
		ret = xr_submit_sqes(ctx, arg->to_submit);
		/*
		 * Polling right after submitting: keep the lock, as io_uring,
		 * and the submit context.
		 */
		if (ret == arg->to_submit && xr_iopoll_now(ctx, arg)) {
			xr_submit_state_flush(ctx);
			/* as below: the count submitted is the result */
			xr_iopoll_wait_in_submit(ctx, min(arg->min_complete,
							  ctx->cq_entries));
			xr_submit_state_end(ctx);
			mutex_unlock(&ctx->uring_lock);
			return ret;
		}
		xr_submit_state_end(ctx);
		mutex_unlock(&ctx->uring_lock);
		/* like io_uring: a short submission does not wait */
		if (ret != arg->to_submit)
			return ret;
	}

	if (arg->flags & XURING_ENTER_GETEVENTS) {
		if (xr_cq_wait_needless(ctx, arg))
			return ret;
		/* no wait arguments to read: poll without xr_cq_wait() */
		if (xr_iopoll_now(ctx, arg))
			ret2 = xr_iopoll_wait(ctx, min(arg->min_complete,
						       ctx->cq_entries));
		else
			ret2 = xr_cq_wait(ctx, arg->min_complete, arg->flags,
					  u64_to_user_ptr(arg->arg),
					  arg->argsz);
		if (!ret)
			ret = ret2;
	}
	return ret;
}

/*
 * The ENTER argument of the size this module knows, read field by field in
 * one user access window: every submission comes through here, and this
 * is cheaper than copy_from_user(). Other sizes take the general path.
 */
static int xr_get_enter_arg(struct xuring_enter_arg *arg,
			    const struct xuring_enter_arg __user *uarg,
			    unsigned int size)
{
	if (unlikely(size != sizeof(*arg)))
		return xr_copy_ioctl_arg(arg, sizeof(*arg), uarg, size);
	if (!user_access_begin(uarg, sizeof(*uarg)))
		return -EFAULT;
	unsafe_get_user(arg->to_submit, &uarg->to_submit, efault);
	unsafe_get_user(arg->min_complete, &uarg->min_complete, efault);
	unsafe_get_user(arg->flags, &uarg->flags, efault);
	unsafe_get_user(arg->resv, &uarg->resv, efault);
	unsafe_get_user(arg->arg, &uarg->arg, efault);
	unsafe_get_user(arg->argsz, &uarg->argsz, efault);
	user_access_end();
	return 0;
efault:
	user_access_end();
	return -EFAULT;
}

static long xr_ioctl_enter(struct xuring_ring_ctx *ctx, void __user *argp,
			   unsigned int size)
{
	struct xuring_enter_arg arg;
	int ret;

	ret = xr_get_enter_arg(&arg, argp, size);
	if (unlikely(ret))
		return ret;
	return xr_enter(ctx, &arg);
}

static long xr_ioctl_register(struct xuring_ring_ctx *ctx, void __user *argp,
			      unsigned int size)
{
	struct xuring_register_arg arg;
	int ret;

	ret = xr_copy_ioctl_arg(&arg, sizeof(arg), argp, size);
	if (ret)
		return ret;
	return xr_register(ctx, arg.opcode, u64_to_user_ptr(arg.arg),
			   arg.nr_args);
}

static long xuring_ioctl(struct file *file, unsigned int cmd,
			 unsigned long uarg)
{
	void __user *argp = (void __user *)uarg;
	unsigned int size = _IOC_SIZE(cmd);
	struct xuring_ring_ctx *ctx;

	if (_IOC_TYPE(cmd) != XURING_IOC_MAGIC || _IOC_DIR(cmd) != _IOC_WRITE)
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(XURING_IOC_SETUP):
		return xr_setup((struct xuring_ring_ctx **)&file->private_data,
				file, argp, size);
	case _IOC_NR(XURING_IOC_ENTER):
		ctx = xr_file_ctx(file);
		if (unlikely(!ctx))
			return -EBADFD;
		return xr_ioctl_enter(ctx, argp, size);
	case _IOC_NR(XURING_IOC_REGISTER):
		ctx = xr_file_ctx(file);
		if (!ctx)
			return -EBADFD;
		return xr_ioctl_register(ctx, argp, size);
	}
	return -ENOTTY;
}

static int xuring_open(struct inode *inode, struct file *file)
{
	/* misc_open() stored the miscdevice here; the ring replaces it */
	file->private_data = NULL;
	return nonseekable_open(inode, file);
}

/*
 * Every close of a ring fd, including close-on-exec: tells the owner
 * tracking about an exec (owner.c).
 */
static int xuring_flush(struct file *file, fl_owner_t id)
{
	struct xuring_ring_ctx *ctx = xr_file_ctx(file);

	if (ctx)
		xr_owner_flush(&ctx->owner);
	return 0;
}

static int xuring_release(struct inode *inode, struct file *file)
{
	struct xuring_ring_ctx *ctx = file->private_data;

	if (ctx)
		xr_ring_teardown(ctx);
	return 0;
}

static __poll_t xuring_poll(struct file *file, poll_table *wait)
{
	struct xuring_ring_ctx *ctx = xr_file_ctx(file);
	__poll_t mask = 0;

	if (!ctx)
		return EPOLLERR;
	poll_wait(file, &ctx->cq_wait, wait);
	/* make sure the waitqueue is armed before the ring is read */
	smp_mb();
	if (xr_sq_space(ctx))
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (xr_cq_ready(ctx) ||
	    (atomic_read(&ctx->rings->sq_flags) & XURING_SQ_CQ_OVERFLOW))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static void xuring_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct xuring_ring_ctx *ctx = xr_file_ctx(file);

	if (ctx)
		xr_show_fdinfo(ctx, m);
}

/*
 * 32-bit callers are refused: SQEs and registered iovec arrays would be
 * read with the native layout, and a ring set up by a 64-bit process is
 * read natively by its SQ thread whoever writes its SQEs. io_uring
 * records the caller's ABI at setup instead; xuring supports 64-bit user
 * space only.
 */
static long xuring_compat_ioctl(struct file *file, unsigned int cmd,
				unsigned long uarg)
{
	return -EOPNOTSUPP;
}

const struct file_operations xuring_fops = {
	.owner		= THIS_MODULE,
	.open		= xuring_open,
	.flush		= xuring_flush,
	.release	= xuring_release,
	.mmap		= xr_mmap,
	.poll		= xuring_poll,
	.unlocked_ioctl	= xuring_ioctl,
	.compat_ioctl	= xuring_compat_ioctl,
	.show_fdinfo	= xuring_show_fdinfo,
};

static struct miscdevice xuring_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "xuring",
	.fops	= &xuring_fops,
	/*
	 * root only, unless the administrator grants a group access (the
	 * packaged udev rule gives it to the xuring group): loading the
	 * module must not hand every local user, container and sandbox an
	 * io_uring-class interface the administrator may have turned off
	 */
	.mode	= 0660,
	.groups	= xr_stats_groups,
};

static int __init xuring_init(void)
{
	int ret;

	xr_policy_init();
	ret = xr_core_init();
	if (ret)
		return ret;
	ret = xr_stats_init();
	if (ret)
		goto err_core;
	ret = misc_register(&xuring_miscdev);
	if (ret)
		goto err_stats;
	return 0;
err_stats:
	xr_stats_exit();
err_core:
	xr_core_exit();
	return ret;
}

static void __exit xuring_exit(void)
{
	misc_deregister(&xuring_miscdev);
	xr_users_exit();
	xr_stats_exit();
	xr_core_exit();
}

module_init(xuring_init);
module_exit(xuring_exit);

MODULE_DESCRIPTION("xuring: io_uring-style asynchronous I/O through /dev/xuring");
MODULE_LICENSE("GPL");
