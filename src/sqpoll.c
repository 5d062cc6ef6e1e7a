// SPDX-License-Identifier: GPL-2.0
/*
 * SQPOLL: a kernel thread consumes the SQ, so the application submits by
 * writing SQEs and moving the tail, without a system call.
 *
 * One thread serves one ring, or several rings of one process that were
 * created with XURING_SETUP_ATTACH_WQ; it takes at most a few SQEs from
 * each ring per pass when it serves several, so none starves the others.
 * After sq_thread_idle ms without work it sets XURING_SQ_NEED_WAKEUP in
 * every ring it serves and sleeps until XURING_ENTER_SQ_WAKEUP. It acts
 * for the ring's owner per pass (owner.c: its mm, with an mm_users
 * reference, and its memory cgroup), lives in the owner's cgroups, counts
 * against its user's RLIMIT_NPROC, and runs with the ring creator's
 * credentials and RLIMIT_FSIZE.
 *
 * Plain fds in SQEs are looked up in the file table of the owner process,
 * through a thread of it that still runs in the address space the ring
 * was set up in: an exec replaces the program, and the files a setuid
 * program opens after it are not the ring owner's. The thread does not
 * pin the table: a reference would be a cycle through the ring's own fd.
 */
#include <linux/cgroup.h>
#include <linux/cpumask.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/kthread.h>
#include <linux/nospec.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "core.h"
#include "ioctl.h"
#include "iopoll.h"
#include "sqpoll.h"
#include "stats.h"
#include "user.h"

/* SQEs taken from one ring per pass when a thread serves several */
#define XR_SQPOLL_FAIR_BATCH	8
#define XR_SQPOLL_IDLE_DEFAULT	1000	/* ms, as io_uring */

struct xr_sq_data {
	refcount_t		refs;
	/* the rings served; held by the thread while it works on them */
	struct mutex		lock;
	struct list_head	ctx_list;
	struct task_struct	*thread;
	/* for fdinfo, which looks at this structure under RCU only */
	pid_t			thread_pid;
	wait_queue_head_t	wait;
	/* the process whose rings may share this thread */
	struct pid		*tgid;
	/* the thread is charged to this user (RLIMIT_NPROC) */
	struct xr_user		*user;
	unsigned long		fsize_limit;
	unsigned int		idle_ms;
	int			cpu;
	bool			started;
	struct rcu_head		rcu;
};

/*
 * An fd of the owner process, looked up the way fget() does it for the
 * current task: under RCU, taking a reference only if the file is still
 * live, then checking that the slot was not reused meanwhile.
 */
static struct file *xr_fget_files(struct files_struct *files, unsigned int fd)
{
	struct file *file;

	rcu_read_lock();
	for (;;) {
		struct fdtable *fdt = rcu_dereference_raw(files->fdt);
		struct file __rcu **slot;

		file = NULL;
		if (fd >= fdt->max_fds)
			break;
		slot = fdt->fd + array_index_nospec(fd, fdt->max_fds);
		file = rcu_dereference_raw(*slot);
		/* O_PATH files do no I/O, as with fget() */
		if (!file || (file->f_mode & FMODE_PATH)) {
			file = NULL;
			break;
		}
		if (!xr_get_file_rcu(slot, file))
			continue;
		if (rcu_dereference_raw(files->fdt) == fdt &&
		    rcu_dereference_raw(*slot) == file)
			break;
		fput(file);
	}
	rcu_read_unlock();
	return file;
}

/*
 * Under uring_lock, in the SQ thread. Only a thread of the owner process
 * that still runs the program the ring was set up by (its mm) lends its
 * file table; after an exec there is none, and the lookup fails.
 */
struct file *xr_sqpoll_fget(struct xuring_ring_ctx *ctx, int fd)
{
	struct xr_owner *owner = &ctx->owner;
	struct task_struct *leader, *t;
	struct file *file = NULL;
	bool found = false;

	lockdep_assert_held(&ctx->uring_lock);
	if (fd < 0)
		return NULL;
	rcu_read_lock();
	leader = pid_task(owner->tgid, PIDTYPE_PID);
	if (leader) {
		for_each_thread(leader, t) {
			task_lock(t);
			if (t->mm == owner->mm && t->files) {
				file = xr_fget_files(t->files, fd);
				found = true;
			}
			task_unlock(t);
			if (found)
				break;
		}
	}
	rcu_read_unlock();
	return file;
}

/*
 * One pass over one ring: poll, then submit up to @cap SQEs. True if
 * there was work: SQEs, or polled requests in flight, which keep the
 * thread spinning (and NEED_WAKEUP clear) until they complete, as in
 * io_uring; only the thread can reap them.
 */
static bool xr_sqpoll_run_ctx(struct xuring_ring_ctx *ctx, unsigned int cap)
{
	unsigned int to_submit = min(xr_sq_ready(ctx), cap);
	bool poll = (ctx->flags & XURING_SETUP_IOPOLL) &&
		    READ_ONCE(ctx->nr_iopoll);
	struct xr_owner_scope scope;
	const struct cred *old;
	int submitted = 0;

	if (!to_submit && !poll)
		return false;
	if (!xr_owner_enter(&ctx->owner, &scope))
		return false;
	old = override_creds(ctx->creds);
	mutex_lock(&ctx->uring_lock);
	xr_submit_state_begin(ctx, true);
	if (poll)
		xr_iopoll_poll_once(ctx);
	/* a ring being taken away from the thread gets no more SQEs */
	if (to_submit && ctx->sq_data)
		submitted = xr_submit_sqes(ctx, to_submit);
	xr_submit_state_end(ctx);
	mutex_unlock(&ctx->uring_lock);
	revert_creds(old);
	xr_owner_leave(&ctx->owner, &scope);

	if (submitted > 0 && wq_has_sleeper(&ctx->sqo_sq_wait))
		wake_up(&ctx->sqo_sq_wait);
	return submitted > 0 || poll;
}

/* Is there anything for the thread to do? Under sqd->lock. */
static bool xr_sqpoll_has_work(struct xr_sq_data *sqd)
{
	struct xuring_ring_ctx *ctx;

	list_for_each_entry(ctx, &sqd->ctx_list, sqd_node) {
		/* a full overflow backlog holds the SQ back until reaped */
		if (xr_sq_ready(ctx) &&
		    (READ_ONCE(ctx->nr_overflow) < xr_cq_overflow_cap(ctx) ||
		     xr_cq_ready(ctx) < ctx->cq_entries))
			return true;
		if ((ctx->flags & XURING_SETUP_IOPOLL) &&
		    READ_ONCE(ctx->nr_iopoll))
			return true;
	}
	return false;
}

static void xr_sqpoll_set_wakeup_flag(struct xr_sq_data *sqd, bool set)
{
	struct xuring_ring_ctx *ctx;

	list_for_each_entry(ctx, &sqd->ctx_list, sqd_node) {
		if (set)
			atomic_or(XURING_SQ_NEED_WAKEUP, &ctx->rings->sq_flags);
		else
			atomic_andnot(XURING_SQ_NEED_WAKEUP,
				      &ctx->rings->sq_flags);
	}
}

static int xr_sq_thread(void *data)
{
	struct xr_sq_data *sqd = data;
	unsigned long timeout = 0;
	DEFINE_WAIT(wait);

	/* generic_write_checks() reads the limit from current */
	current->signal->rlim[RLIMIT_FSIZE].rlim_cur = sqd->fsize_limit;

	while (!kthread_should_stop()) {
		struct xuring_ring_ctx *ctx;
		unsigned int cap = UINT_MAX, nr = 0;
		bool did_work = false;

		mutex_lock(&sqd->lock);
		list_for_each_entry(ctx, &sqd->ctx_list, sqd_node)
			nr++;
		if (nr > 1)
			cap = XR_SQPOLL_FAIR_BATCH;
		list_for_each_entry(ctx, &sqd->ctx_list, sqd_node)
			did_work |= xr_sqpoll_run_ctx(ctx, cap);

		if (did_work || time_before(jiffies, timeout)) {
			if (did_work)
				timeout = jiffies + msecs_to_jiffies(sqd->idle_ms);
			mutex_unlock(&sqd->lock);
			cond_resched();
			continue;
		}

		/*
		 * Idle long enough: say so in every ring, then look once
		 * more, since the application checks the flag after moving
		 * the tail (the barriers pair).
		 */
		prepare_to_wait(&sqd->wait, &wait, TASK_INTERRUPTIBLE);
		xr_sqpoll_set_wakeup_flag(sqd, true);
		/* flag store before the tail loads; pairs with user space */
		smp_mb__after_atomic();
		if (xr_sqpoll_has_work(sqd) || kthread_should_stop()) {
			xr_sqpoll_set_wakeup_flag(sqd, false);
			mutex_unlock(&sqd->lock);
			finish_wait(&sqd->wait, &wait);
			continue;
		}
		mutex_unlock(&sqd->lock);
		schedule();
		finish_wait(&sqd->wait, &wait);

		mutex_lock(&sqd->lock);
		xr_sqpoll_set_wakeup_flag(sqd, false);
		timeout = jiffies + msecs_to_jiffies(sqd->idle_ms);
		mutex_unlock(&sqd->lock);
	}
	return 0;
}

/*
 * The thread waits as long as the most patient of its rings: recomputed
 * whenever a ring comes or goes. Under sqd->lock.
 */
static void xr_sqd_update_idle(struct xr_sq_data *sqd)
{
	struct xuring_ring_ctx *ctx;
	unsigned int idle_ms = 0;

	list_for_each_entry(ctx, &sqd->ctx_list, sqd_node)
		idle_ms = max(idle_ms, ctx->sq_thread_idle_ms);
	/* fdinfo reads it without the lock */
	WRITE_ONCE(sqd->idle_ms, idle_ms);
}

static void xr_sq_data_put(struct xr_sq_data *sqd)
{
	if (!refcount_dec_and_test(&sqd->refs))
		return;
	if (sqd->thread) {
		/* the thread has run, or kthread_stop() keeps it from running */
		kthread_stop(sqd->thread);
		put_task_struct(sqd->thread);
		atomic_long_dec(&xr_stats.workers);
		xr_user_uncharge_thread(sqd->user);
	}
	xr_user_put(sqd->user);
	put_pid(sqd->tgid);
	/* fdinfo and xr_sq_data_attach() may still be reading it */
	kfree_rcu(sqd, rcu);
}

/*
 * XURING_SETUP_ATTACH_WQ: share the SQ thread of the ring at p->wq_fd.
 * NULL when that ring belongs to another process.
 */
static struct xr_sq_data *xr_sq_data_attach(struct xuring_params *p)
{
	struct xuring_ring_ctx *other;
	struct xr_sq_data *sqd;
	struct fd f;

	f = fdget(p->wq_fd);
	if (!fd_file(f))
		return ERR_PTR(-ENXIO);
	if (fd_file(f)->f_op != &xuring_fops) {
		fdput(f);
		return ERR_PTR(-EINVAL);
	}
	other = xr_file_ctx(fd_file(f));
	/*
	 * The other ring's owner may be stopping its thread right now: its
	 * sq_data is freed an RCU grace period after its last reference.
	 */
	rcu_read_lock();
	sqd = other ? READ_ONCE(other->sq_data) : NULL;
	if (sqd && !refcount_inc_not_zero(&sqd->refs))
		sqd = NULL;
	rcu_read_unlock();
	fdput(f);
	if (!sqd)
		return ERR_PTR(-EINVAL);
	/*
	 * Only the rings of one process share a thread. Asking for another
	 * process's gets a thread of one's own, as in io_uring.
	 */
	if (sqd->tgid != task_tgid(current)) {
		xr_sq_data_put(sqd);
		return NULL;
	}
	return sqd;
}

/*
 * SQ_AFF: the CPU must be one the owner's cpuset allows, as io_uring
 * checks with cpuset_cpus_allowed(), which modules cannot call. The new
 * thread has just been moved into the owner's cgroups: if that moved it
 * to another cpuset, cpuset_attach() gave it that cpuset's CPUs.
 */
static bool xr_sq_cpu_allowed(struct task_struct *task, int cpu,
			      struct cgroup_subsys_state *cpuset_before)
{
#ifdef CONFIG_CPUSETS
	bool moved;

	rcu_read_lock();
	moved = task_css(task, cpuset_cgrp_id) != cpuset_before;
	rcu_read_unlock();
	if (moved)
		return cpumask_test_cpu(cpu, task->cpus_ptr);
#endif
	return true;
}

static struct cgroup_subsys_state *xr_task_cpuset(struct task_struct *task)
{
	struct cgroup_subsys_state *css = NULL;

#ifdef CONFIG_CPUSETS
	/* compared, never dereferenced */
	rcu_read_lock();
	css = task_css(task, cpuset_cgrp_id);
	rcu_read_unlock();
#endif
	return css;
}

static void xr_sq_data_free(struct xr_sq_data *sqd)
{
	xr_user_put(sqd->user);
	put_pid(sqd->tgid);
	kfree(sqd);
}

static struct xr_sq_data *xr_sq_data_create(struct xuring_ring_ctx *ctx,
					    struct xuring_params *p)
{
	struct cgroup_subsys_state *cpuset;
	struct xr_sq_data *sqd;
	struct task_struct *task;
	int cpu = -1, ret;

	if (p->flags & XURING_SETUP_SQ_AFF) {
		cpu = p->sq_thread_cpu;
		if (cpu >= nr_cpu_ids || !cpu_online(cpu))
			return ERR_PTR(-EINVAL);
	}
	sqd = kzalloc(sizeof(*sqd), GFP_KERNEL_ACCOUNT);
	if (!sqd)
		return ERR_PTR(-ENOMEM);
	refcount_set(&sqd->refs, 1);
	mutex_init(&sqd->lock);
	INIT_LIST_HEAD(&sqd->ctx_list);
	init_waitqueue_head(&sqd->wait);
	sqd->tgid = get_pid(ctx->owner.tgid);
	sqd->user = xr_user_hold(ctx->owner.user);
	sqd->fsize_limit = rlimit(RLIMIT_FSIZE);
	sqd->cpu = cpu;

	task = kthread_create(xr_sq_thread, sqd, "xuring-sq/%d",
			      task_tgid_nr(current));
	if (IS_ERR(task)) {
		xr_sq_data_free(sqd);
		return ERR_CAST(task);
	}
	cpuset = xr_task_cpuset(task);
	ret = xr_owner_adopt_thread(&ctx->owner, task);
	if (ret)
		goto err_stop;
	if (cpu >= 0) {
		if (!xr_sq_cpu_allowed(task, cpu, cpuset)) {
			xr_user_uncharge_thread(sqd->user);
			ret = -EINVAL;
			goto err_stop;
		}
		kthread_bind(task, cpu);
	}
	get_task_struct(task);
	sqd->thread = task;
	sqd->thread_pid = task_pid_nr(task);
	atomic_long_inc(&xr_stats.workers);
	return sqd;
err_stop:
	/* it never ran xr_sq_thread(): stopping it is all it takes */
	kthread_stop(task);
	xr_sq_data_free(sqd);
	return ERR_PTR(ret);
}

int xr_sqpoll_create(struct xuring_ring_ctx *ctx, struct xuring_params *p)
{
	struct xr_sq_data *sqd;

	if (!(ctx->flags & XURING_SETUP_SQPOLL)) {
		/*
		 * Without SQPOLL, io_uring attaches to the other ring's io-wq;
		 * xuring keeps a pool per ring, so only check the fd is one.
		 */
		if (ctx->flags & XURING_SETUP_ATTACH_WQ) {
			struct fd f = fdget(p->wq_fd);
			int ret = 0;

			if (!fd_file(f))
				return -ENXIO;
			if (fd_file(f)->f_op != &xuring_fops ||
			    !xr_file_ctx(fd_file(f)))
				ret = -EINVAL;
			fdput(f);
			return ret;
		}
		return 0;
	}

	sqd = NULL;
	if (ctx->flags & XURING_SETUP_ATTACH_WQ)
		sqd = xr_sq_data_attach(p);
	if (!sqd)
		sqd = xr_sq_data_create(ctx, p);
	if (IS_ERR(sqd))
		return PTR_ERR(sqd);
	ctx->sq_data = sqd;
	ctx->sq_thread_idle_ms = p->sq_thread_idle ?: XR_SQPOLL_IDLE_DEFAULT;
	return 0;
}

/* Wake the SQ thread of @ctx, if it has one and sleeps. */
void xr_sqpoll_kick(struct xuring_ring_ctx *ctx)
{
	struct xr_sq_data *sqd;

	mutex_lock(&ctx->uring_lock);
	sqd = ctx->sq_data;
	if (sqd)
		wake_up(&sqd->wait);
	mutex_unlock(&ctx->uring_lock);
}

/* The ring is published: hand it to the thread. */
void xr_sqpoll_start(struct xuring_ring_ctx *ctx)
{
	struct xr_sq_data *sqd = ctx->sq_data;

	if (!sqd)
		return;
	mutex_lock(&sqd->lock);
	list_add_tail(&ctx->sqd_node, &sqd->ctx_list);
	xr_sqd_update_idle(sqd);
	if (!sqd->started) {
		sqd->started = true;
		wake_up_process(sqd->thread);
	}
	mutex_unlock(&sqd->lock);
	wake_up(&sqd->wait);
}

/*
 * Take the ring away from its thread, and stop the thread when it serves
 * no ring any more. Idempotent: the owner's exit and the ring's teardown
 * both call this.
 */
void xr_sqpoll_stop(struct xuring_ring_ctx *ctx)
{
	struct xr_sq_data *sqd;

	mutex_lock(&ctx->uring_lock);
	sqd = ctx->sq_data;
	WRITE_ONCE(ctx->sq_data, NULL);
	mutex_unlock(&ctx->uring_lock);
	if (!sqd)
		return;

	mutex_lock(&sqd->lock);
	if (!list_empty(&ctx->sqd_node)) {
		list_del_init(&ctx->sqd_node);
		xr_sqd_update_idle(sqd);
	}
	mutex_unlock(&sqd->lock);
	/* ENTER(SQ_WAIT) waiters must not wait for a thread that is gone */
	wake_up_all(&ctx->sqo_sq_wait);
	xr_sq_data_put(sqd);
}

static bool xr_sq_full(struct xuring_ring_ctx *ctx)
{
	return !xr_sq_space(ctx);
}

/* ENTER on an SQPOLL ring: wake the thread, or wait for SQ room. */
int xr_sqpoll_enter(struct xuring_ring_ctx *ctx, u32 enter_flags)
{
	struct xr_sq_data *sqd = READ_ONCE(ctx->sq_data);

	/* the owner's exit stopped the thread */
	if (!sqd)
		return -EOWNERDEAD;
	if (enter_flags & XURING_ENTER_SQ_WAKEUP)
		wake_up(&sqd->wait);
	/*
	 * A signal ends the wait without an error, as in io_uring: the
	 * caller finds the SQ still full, and the signal is delivered on
	 * the way out.
	 */
	if (enter_flags & XURING_ENTER_SQ_WAIT)
		wait_event_interruptible(ctx->sqo_sq_wait,
					 !xr_sq_full(ctx) ||
					 !READ_ONCE(ctx->sq_data));
	return 0;
}

/*
 * fdinfo. Not under uring_lock: a read of this very fdinfo submitted
 * through the ring would already hold it (and seq_file's lock nests the
 * other way round). xr_sq_data is freed only an RCU grace period after
 * the ring let go of it.
 */
void xr_sqpoll_show(struct xuring_ring_ctx *ctx, struct seq_file *m)
{
	struct xr_sq_data *sqd;

	rcu_read_lock();
	sqd = READ_ONCE(ctx->sq_data);
	if (sqd)
		seq_printf(m, "SqThread:\t%d\nSqThreadCpu:\t%d\nSqIdleMs:\t%u\n",
			   sqd->thread_pid, sqd->cpu, READ_ONCE(sqd->idle_ms));
	rcu_read_unlock();
}
