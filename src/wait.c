// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting for completions: XURING_IOC_ENTER with XURING_ENTER_GETEVENTS.
 * Sleeps interruptibly until min_complete CQEs are ready, the optional
 * timeout expires (-ETIME) or a signal arrives (-EINTR), with the optional
 * signal mask installed for the duration, like pselect(2).
 */
#include <linux/hrtimer.h>
#include <linux/sched/signal.h>
#include <linux/time64.h>
#include <linux/uaccess.h>

#include "core.h"
#include "iopoll.h"
#include <trace/events/xuring.h>

struct xr_wait_queue {
	struct wait_queue_entry	wq;
	struct xuring_ring_ctx	*ctx;
	/* wake once the CQ tail reaches this */
	unsigned int		cq_tail;
};

static bool xr_should_wake(struct xr_wait_queue *iowq)
{
	struct xuring_ring_ctx *ctx = iowq->ctx;
	int dist = READ_ONCE(ctx->rings->cq.tail) - (int)iowq->cq_tail;

	return dist >= 0 ||
	       (atomic_read(&ctx->rings->sq_flags) & XURING_SQ_CQ_OVERFLOW);
}

/*
 * Wake only waiters whose target has been reached, so a batch of single
 * completions does not bounce a task that wants many of them.
 */
static int xr_wake_function(struct wait_queue_entry *curr, unsigned int mode,
			    int wake_flags, void *key)
{
	struct xr_wait_queue *iowq = container_of(curr, struct xr_wait_queue,
						  wq);

	if (!xr_should_wake(iowq))
		return 0;
	return autoremove_wake_function(curr, mode, wake_flags, key);
}

struct xr_wait_args {
	const sigset_t __user	*sig;
	size_t			sigsz;
	const struct __kernel_timespec __user *ts;
};

static int xr_get_wait_args(u32 flags, const void __user *argp, size_t argsz,
			    struct xr_wait_args *args)
{
	struct xuring_getevents_arg ext;

	if (!(flags & XURING_ENTER_EXT_ARG)) {
		/* plain form: argp is the signal mask itself */
		args->sig = argp;
		args->sigsz = argsz;
		args->ts = NULL;
		return 0;
	}
	if (argsz != sizeof(ext))
		return -EINVAL;
	if (copy_from_user(&ext, argp, sizeof(ext)))
		return -EFAULT;
	if (ext.pad)
		return -EINVAL;
	args->sig = u64_to_user_ptr(ext.sigmask);
	args->sigsz = ext.sigmask_sz;
	args->ts = u64_to_user_ptr(ext.ts);
	return 0;
}

/*
 * Install the caller's temporary signal mask. set_user_sigmask() is not
 * exported, so do what it does with sigprocmask(), which is.
 */
static int xr_set_wait_sigmask(const sigset_t __user *usig, size_t sigsz,
			       sigset_t *saved)
{
	sigset_t kmask;

	if (sigsz != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&kmask, usig, sizeof(kmask)))
		return -EFAULT;
	sigdelsetmask(&kmask, sigmask(SIGKILL) | sigmask(SIGSTOP));
	*saved = current->blocked;
	return sigprocmask(SIG_SETMASK, &kmask, NULL);
}

/*
 * Put the original mask back. When the wait was interrupted, leave the
 * temporary mask in place until the signal has been delivered on the way
 * out, as restore_saved_sigmask_unless() does: otherwise a signal only
 * the temporary mask unblocks would interrupt us and then stay pending.
 */
static void xr_restore_wait_sigmask(sigset_t *saved, bool interrupted)
{
	if (interrupted) {
		current->saved_sigmask = *saved;
		set_restore_sigmask();
	} else {
		sigprocmask(SIG_SETMASK, saved, NULL);
	}
}

int xr_cq_wait(struct xuring_ring_ctx *ctx, unsigned int min_events,
	       u32 flags, const void __user *argp, size_t argsz)
{
	struct xr_wait_queue iowq;
	struct xr_wait_args args;
	ktime_t timeout = KTIME_MAX;
	bool has_timeout = false;
	sigset_t saved_mask;
	int ret;

	ret = xr_get_wait_args(flags, argp, argsz, &args);
	if (ret)
		return ret;

	/* the CQ cannot hold more than this many */
	min_events = min(min_events, ctx->cq_entries);

	if (ctx->flags & XURING_SETUP_IOPOLL &&
	    !(ctx->flags & XURING_SETUP_SQPOLL))
		return xr_iopoll_wait(ctx, min_events);

	xr_cq_overflow_flush(ctx);
	if (xr_cq_ready(ctx) >= min_events)
		return 0;

	if (args.ts) {
		struct timespec64 ts;

		if (get_timespec64(&ts, args.ts))
			return -EFAULT;
		if (!timespec64_valid(&ts))
			return -EINVAL;
		timeout = ktime_add(ktime_get(), timespec64_to_ktime(ts));
		has_timeout = true;
	}
	if (args.sig) {
		ret = xr_set_wait_sigmask(args.sig, args.sigsz, &saved_mask);
		if (ret)
			return ret;
	}

	init_waitqueue_func_entry(&iowq.wq, xr_wake_function);
	iowq.wq.private = current;
	INIT_LIST_HEAD(&iowq.wq.entry);
	iowq.ctx = ctx;
	iowq.cq_tail = READ_ONCE(ctx->rings->cq.head) + min_events;

	trace_xuring_cqring_wait(ctx, min_events);
	for (;;) {
		prepare_to_wait_exclusive(&ctx->cq_wait, &iowq.wq,
					  TASK_INTERRUPTIBLE);
		/* completions may have overflowed while the CQ was full */
		xr_cq_overflow_flush(ctx);
		if (xr_cq_ready(ctx) >= min_events) {
			ret = 0;
			break;
		}
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (has_timeout) {
			if (!schedule_hrtimeout(&timeout, HRTIMER_MODE_ABS)) {
				ret = -ETIME;
				break;
			}
		} else {
			schedule();
		}
		/* the wait target moves with the head the app consumes */
		iowq.cq_tail = READ_ONCE(ctx->rings->cq.head) + min_events;
	}
	finish_wait(&ctx->cq_wait, &iowq.wq);
	if (args.sig)
		xr_restore_wait_sigmask(&saved_mask, ret == -EINTR);

	/* like io_uring: CQEs to reap make the wait a success */
	return xr_cq_ready(ctx) ? 0 : ret;
}
