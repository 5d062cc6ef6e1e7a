// SPDX-License-Identifier: GPL-2.0
/*
 * io-wq: the worker threads that run requests which may block.
 *
 * Each ring has one pool with two classes of work, as io_uring has:
 * bounded (regular files and block devices: the wait is bounded by the
 * device) and unbounded (pipes, sockets, ttys: the wait may be forever),
 * each with its own worker limit. Work hashed by inode is serialized: a
 * worker holding a hash bucket runs that bucket's work in order, one item
 * after the other, and nobody else takes work of that bucket meanwhile,
 * so buffered writes to one file do not pile up on its inode lock.
 *
 * Progress. io_uring creates a worker when one blocks (a scheduler hook);
 * kthreads get no such hook, so every item queued gets a free worker of
 * its own, up to the class's limit: an idle worker taken off the idle
 * list as it is woken, or a new one. An item may therefore wait for a
 * worker only while its class is at its limit, never behind an item that
 * blocks forever on a worker that could have been another. The exception
 * is hashed work whose bucket is held: its holder runs it next, and that
 * work is bounded (regular files), so it needs no worker of its own.
 *
 * Workers are kthreads that act for the ring's owner (owner.c): they
 * borrow its mm with an mm_users reference while they have work, and give
 * it back when idle; they live in its cgroups and are charged to its user
 * against RLIMIT_NPROC before they first run. Each work item runs with
 * the credentials the ops hand back. Once the owner is gone, queued work
 * is cancelled instead of run.
 *
 * Cancelling a running item sends its worker a signal that is not fatal
 * (io_uring sets TIF_NOTIFY_SIGNAL, which modules cannot reach): it ends
 * interruptible waits, the ones that may last forever, while regular-file
 * I/O, which stops only for fatal signals, runs to its end, as with
 * io_uring. The worker flushes the signal before its next item.
 *
 * Workers are created from a work item, because work is queued from
 * contexts that cannot sleep (link successors completed in interrupt
 * context). Idle workers exit after XR_IOWQ_IDLE_TIMEOUT. Each worker holds
 * a module reference and drops it with module_put_and_kthread_exit(), so
 * no module text runs after the last reference is gone.
 */
#include <linux/hash.h>
#include <linux/kthread.h>
#include <linux/memcontrol.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "io-wq.h"
#include "owner.h"
#include "stats.h"

#define XR_IOWQ_IDLE_TIMEOUT	(5 * HZ)
/* what cancellation sends a worker; not fatal, see above */
#define XR_IOWQ_CANCEL_SIGNAL	SIGUSR1

enum {
	XR_WQ_ACCT_BOUND,
	XR_WQ_ACCT_UNBOUND,
	XR_WQ_ACCT_NR,
};

struct xr_iowq_acct {
	struct list_head	work_list;
	/* idle workers of this class, most recently idle first */
	struct list_head	idle_list;
	unsigned int		nr_workers;	/* running or being created */
	unsigned int		max_workers;
	unsigned int		nr_to_create;
};

struct xr_worker {
	struct list_head	node;		/* wq->workers */
	/* on acct->idle_list while idle; empty once woken for work */
	struct list_head	idle_node;
	struct task_struct	*task;
	struct xr_iowq		*wq;
	struct xr_iowq_acct	*acct;
	/* the item being run; the pool's reference keeps it alive */
	struct xr_work		*cur_work;
	/* acting for the owner (xr_owner_enter()) */
	bool			entered;
	struct xr_owner_scope	scope;
};

struct xr_iowq {
	/* protects the accounts' work lists, worker lists and counts */
	spinlock_t		lock;
	struct xr_iowq_acct	acct[XR_WQ_ACCT_NR];
	const struct xr_iowq_ops *ops;
	struct xr_owner		*owner;
	pid_t			owner_tgid;
	struct list_head	workers;
	unsigned int		nr_alive;
	wait_queue_head_t	exit_wait;
	DECLARE_BITMAP(hash_busy, 1U << XR_WQ_HASH_BITS);
	struct work_struct	create_work;
	bool			exiting;
};

static void xr_iowq_create_workers(struct work_struct *work);

struct xr_iowq *xr_iowq_create(const struct xr_iowq_ops *ops,
			       struct xr_owner *owner, unsigned int bounded_max,
			       unsigned int unbounded_max)
{
	struct xr_iowq *wq;
	int i;

	wq = kzalloc(sizeof(*wq), GFP_KERNEL_ACCOUNT);
	if (!wq)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&wq->lock);
	for (i = 0; i < XR_WQ_ACCT_NR; i++) {
		INIT_LIST_HEAD(&wq->acct[i].work_list);
		INIT_LIST_HEAD(&wq->acct[i].idle_list);
	}
	wq->acct[XR_WQ_ACCT_BOUND].max_workers = max(bounded_max, 1U);
	wq->acct[XR_WQ_ACCT_UNBOUND].max_workers = max(unbounded_max, 1U);
	wq->ops = ops;
	wq->owner = owner;
	wq->owner_tgid = current->tgid;
	INIT_LIST_HEAD(&wq->workers);
	init_waitqueue_head(&wq->exit_wait);
	INIT_WORK(&wq->create_work, xr_iowq_create_workers);
	return wq;
}

static struct xr_iowq_acct *xr_work_acct(struct xr_iowq *wq,
					 struct xr_work *work)
{
	if (work->flags & XR_WORK_UNBOUND)
		return &wq->acct[XR_WQ_ACCT_UNBOUND];
	return &wq->acct[XR_WQ_ACCT_BOUND];
}

void xr_iowq_hash_work(struct xr_work *work, void *key)
{
	work->flags |= XR_WORK_HASHED;
	work->hash = hash_ptr(key, XR_WQ_HASH_BITS);
}

/*
 * A new item is queued on @acct: give it a free worker of its own. Wake
 * an idle one, taking it off the idle list so that the next item does
 * not count on it too, or ask for a new one. Returns true if the caller
 * must queue the creation work. Under wq->lock.
 */
static bool xr_iowq_activate(struct xr_iowq *wq, struct xr_iowq_acct *acct,
			     struct xr_work *work)
{
	struct xr_worker *worker;

	lockdep_assert_held(&wq->lock);
	/* the bucket's holder runs it when it is done with the one before */
	if ((work->flags & XR_WORK_HASHED) && test_bit(work->hash, wq->hash_busy))
		return false;
	worker = list_first_entry_or_null(&acct->idle_list, struct xr_worker,
					  idle_node);
	if (worker) {
		list_del_init(&worker->idle_node);
		wake_up_process(worker->task);
		return false;
	}
	if (acct->nr_workers >= acct->max_workers)
		return false;
	acct->nr_workers++;
	acct->nr_to_create++;
	return true;
}

static void xr_iowq_finish(struct xr_iowq *wq, struct xr_work *work,
			   bool run)
{
	if (run)
		wq->ops->run(work);
	else
		wq->ops->cancel(work);
}

void xr_iowq_enqueue(struct xr_iowq *wq, struct xr_work *work)
{
	struct xr_iowq_acct *acct = xr_work_acct(wq, work);
	unsigned long flags;
	bool create;

	spin_lock_irqsave(&wq->lock, flags);
	if (unlikely(wq->exiting)) {
		spin_unlock_irqrestore(&wq->lock, flags);
		xr_iowq_finish(wq, work, false);
		wq->ops->done(work);
		return;
	}
	list_add_tail(&work->node, &acct->work_list);
	create = xr_iowq_activate(wq, acct, work);
	spin_unlock_irqrestore(&wq->lock, flags);
	if (create)
		queue_work(system_dfl_wq, &wq->create_work);
}

/*
 * The next item of the hash bucket this worker holds, keeping the bucket
 * held; or, with none left, release the bucket. Under wq->lock.
 */
static struct xr_work *xr_iowq_next_hashed(struct xr_iowq *wq,
					   struct xr_iowq_acct *acct,
					   unsigned int hash)
{
	struct xr_work *work;

	lockdep_assert_held(&wq->lock);
	list_for_each_entry(work, &acct->work_list, node) {
		if ((work->flags & XR_WORK_HASHED) && work->hash == hash) {
			list_del_init(&work->node);
			return work;
		}
	}
	__clear_bit(hash, wq->hash_busy);
	return NULL;
}

/*
 * The first work item of @acct this worker may run: unhashed, or hashed
 * to a bucket no other worker holds. Under wq->lock.
 */
static struct xr_work *xr_iowq_next_work(struct xr_iowq *wq,
					 struct xr_iowq_acct *acct)
{
	struct xr_work *work;

	lockdep_assert_held(&wq->lock);
	list_for_each_entry(work, &acct->work_list, node) {
		if (work->flags & XR_WORK_HASHED) {
			if (test_bit(work->hash, wq->hash_busy))
				continue;
			__set_bit(work->hash, wq->hash_busy);
		}
		list_del_init(&work->node);
		return work;
	}
	return NULL;
}

/* Act for the owner, if not already; false once the owner is gone. */
static bool xr_worker_enter(struct xr_worker *worker)
{
	if (worker->entered)
		return true;
	worker->entered = xr_owner_enter(worker->wq->owner, &worker->scope);
	return worker->entered;
}

static void xr_worker_leave(struct xr_worker *worker)
{
	if (!worker->entered)
		return;
	xr_owner_leave(worker->wq->owner, &worker->scope);
	worker->entered = false;
}

/* Run (or, the owner being gone, cancel) one item. Not under wq->lock. */
static void xr_worker_run(struct xr_worker *worker, struct xr_work *work)
{
	struct xr_iowq *wq = worker->wq;
	const struct cred *old;

	if (!xr_worker_enter(worker)) {
		xr_iowq_finish(wq, work, false);
		return;
	}
	old = override_creds(wq->ops->creds(work));
	/* it holds the owner's mm, maybe for ever: watch for an exec */
	xr_owner_busy_begin(wq->owner);
	xr_iowq_finish(wq, work, true);
	xr_owner_busy_end(wq->owner);
	revert_creds(old);
	/* the owner went: give its mm back now rather than when idle */
	if (xr_owner_is_gone(wq->owner))
		xr_worker_leave(worker);
}

static int xr_worker_fn(void *data)
{
	struct xr_worker *worker = data;
	struct xr_iowq *wq = worker->wq;
	struct xr_iowq_acct *acct = worker->acct;
	struct xr_work *work;
	long left = 1;

	/* cancellation interrupts what a work item waits on */
	allow_signal(XR_IOWQ_CANCEL_SIGNAL);

	spin_lock_irq(&wq->lock);
	work = NULL;
	for (;;) {
		if (!work)
			work = xr_iowq_next_work(wq, acct);
		if (work) {
			bool hashed = work->flags & XR_WORK_HASHED;
			unsigned int hash = work->hash;

			worker->cur_work = work;
			spin_unlock_irq(&wq->lock);

			xr_worker_run(worker, work);

			spin_lock_irq(&wq->lock);
			worker->cur_work = NULL;
			/* a cancel that raced with the end of the work */
			flush_signals(current);
			spin_unlock_irq(&wq->lock);
			/* nobody can reach the item through us any more */
			wq->ops->done(work);
			spin_lock_irq(&wq->lock);
			/* the bucket's next item, or the bucket goes */
			work = hashed ? xr_iowq_next_hashed(wq, acct, hash) : NULL;
			/* the limit was lowered: let this one go */
			if (acct->nr_workers > acct->max_workers) {
				if (work) {
					/* back where it was, for the others */
					list_add(&work->node, &acct->work_list);
					__clear_bit(hash, wq->hash_busy);
					xr_iowq_activate(wq, acct, work);
				}
				break;
			}
			left = 1;
			continue;
		}
		/* pool closing, idle too long, or over a lowered limit */
		if (wq->exiting || !left ||
		    acct->nr_workers > acct->max_workers)
			break;

		/* idle: give the mm back first, so idling pins nothing */
		if (worker->entered) {
			spin_unlock_irq(&wq->lock);
			xr_worker_leave(worker);
			spin_lock_irq(&wq->lock);
			continue;
		}
		list_add(&worker->idle_node, &acct->idle_list);
		__set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock_irq(&wq->lock);
		left = schedule_timeout(XR_IOWQ_IDLE_TIMEOUT);
		spin_lock_irq(&wq->lock);
		/* still listed: nobody woke us for work (timeout, destroy) */
		list_del_init(&worker->idle_node);
	}
	spin_unlock_irq(&wq->lock);

	xr_worker_leave(worker);
	xr_owner_release_thread(wq->owner);

	spin_lock_irq(&wq->lock);
	acct->nr_workers--;
	list_del(&worker->node);
	wq->nr_alive--;
	wake_up(&wq->exit_wait);
	/* after this unlock the pool may be freed: touch nothing of it */
	spin_unlock_irq(&wq->lock);

	kfree(worker);
	atomic_long_dec(&xr_stats.workers);
	module_put_and_kthread_exit(0);
}

/* Queued work of @acct with no worker to run it: cancel it. */
static void xr_iowq_cancel_orphans(struct xr_iowq *wq,
				   struct xr_iowq_acct *acct)
{
	struct xr_work *work, *tmp;
	LIST_HEAD(list);

	spin_lock_irq(&wq->lock);
	if (!acct->nr_workers)
		list_splice_init(&acct->work_list, &list);
	spin_unlock_irq(&wq->lock);
	list_for_each_entry_safe(work, tmp, &list, node) {
		list_del_init(&work->node);
		xr_iowq_finish(wq, work, false);
		wq->ops->done(work);
	}
}

static int xr_iowq_create_worker(struct xr_iowq *wq,
				 struct xr_iowq_acct *acct)
{
	struct xr_worker *worker;
	struct task_struct *task;
	struct mem_cgroup *old;
	int ret;

	/* what the worker costs is the owner's, as an io-thread's would be */
	old = set_active_memcg(wq->owner->memcg);
	worker = kzalloc(sizeof(*worker), GFP_KERNEL_ACCOUNT);
	set_active_memcg(old);
	if (!worker)
		return -ENOMEM;
	worker->wq = wq;
	worker->acct = acct;
	INIT_LIST_HEAD(&worker->idle_node);
	task = kthread_create(xr_worker_fn, worker, "xuring-wq/%d",
			      wq->owner_tgid);
	if (IS_ERR(task)) {
		kfree(worker);
		return PTR_ERR(task);
	}
	ret = xr_owner_adopt_thread(wq->owner, task);
	if (ret) {
		/* it never ran xr_worker_fn(): stopping it is all it takes */
		kthread_stop(task);
		kfree(worker);
		return ret;
	}
	worker->task = task;
	/* dropped by module_put_and_kthread_exit() in the worker */
	__module_get(THIS_MODULE);
	atomic_long_inc(&xr_stats.workers);

	spin_lock_irq(&wq->lock);
	list_add(&worker->node, &wq->workers);
	wq->nr_alive++;
	spin_unlock_irq(&wq->lock);
	wake_up_process(task);
	return 0;
}

static void xr_iowq_create_workers(struct work_struct *work)
{
	struct xr_iowq *wq = container_of(work, struct xr_iowq, create_work);
	int i;

	for (i = 0; i < XR_WQ_ACCT_NR; i++) {
		struct xr_iowq_acct *acct = &wq->acct[i];

		for (;;) {
			bool failed;

			spin_lock_irq(&wq->lock);
			if (!acct->nr_to_create || wq->exiting) {
				acct->nr_workers -= acct->nr_to_create;
				acct->nr_to_create = 0;
				spin_unlock_irq(&wq->lock);
				break;
			}
			acct->nr_to_create--;
			spin_unlock_irq(&wq->lock);

			failed = xr_iowq_create_worker(wq, acct) != 0;
			if (failed) {
				spin_lock_irq(&wq->lock);
				acct->nr_workers--;
				spin_unlock_irq(&wq->lock);
				xr_iowq_cancel_orphans(wq, acct);
			}
		}
	}
}

void xr_iowq_cancel_all(struct xr_iowq *wq)
{
	struct xr_work *work, *tmp;
	struct xr_worker *worker;
	LIST_HEAD(list);
	int i;

	spin_lock_irq(&wq->lock);
	for (i = 0; i < XR_WQ_ACCT_NR; i++)
		list_splice_tail_init(&wq->acct[i].work_list, &list);
	list_for_each_entry(worker, &wq->workers, node) {
		if (!worker->cur_work)
			continue;
		/* the pool's reference keeps cur_work alive while listed */
		worker->cur_work->flags |= XR_WORK_CANCEL;
		send_sig(XR_IOWQ_CANCEL_SIGNAL, worker->task, 1);
	}
	spin_unlock_irq(&wq->lock);

	list_for_each_entry_safe(work, tmp, &list, node) {
		list_del_init(&work->node);
		xr_iowq_finish(wq, work, false);
		wq->ops->done(work);
	}
}

static bool xr_iowq_all_exited(struct xr_iowq *wq)
{
	bool done;

	spin_lock_irq(&wq->lock);
	done = !wq->nr_alive;
	spin_unlock_irq(&wq->lock);
	return done;
}

void xr_iowq_destroy(struct xr_iowq *wq)
{
	struct xr_worker *worker;
	int i;

	spin_lock_irq(&wq->lock);
	wq->exiting = true;
	spin_unlock_irq(&wq->lock);
	/* no worker gets created after this */
	cancel_work_sync(&wq->create_work);

	spin_lock_irq(&wq->lock);
	for (i = 0; i < XR_WQ_ACCT_NR; i++)
		WARN_ON_ONCE(!list_empty(&wq->acct[i].work_list));
	list_for_each_entry(worker, &wq->workers, node)
		wake_up_process(worker->task);
	spin_unlock_irq(&wq->lock);

	wait_event(wq->exit_wait, xr_iowq_all_exited(wq));
	kfree(wq);
}

int xr_iowq_max_workers(struct xr_iowq *wq, unsigned int *new_count)
{
	unsigned int prev[XR_WQ_ACCT_NR];
	int i;

	spin_lock_irq(&wq->lock);
	for (i = 0; i < XR_WQ_ACCT_NR; i++) {
		prev[i] = wq->acct[i].max_workers;
		if (new_count[i])
			wq->acct[i].max_workers = new_count[i];
	}
	/* idle workers over the new limit exit at once */
	for (i = 0; i < XR_WQ_ACCT_NR; i++) {
		struct xr_worker *worker;

		list_for_each_entry(worker, &wq->acct[i].idle_list, idle_node)
			wake_up_process(worker->task);
	}
	spin_unlock_irq(&wq->lock);

	for (i = 0; i < XR_WQ_ACCT_NR; i++)
		new_count[i] = prev[i];
	return 0;
}

void xr_iowq_show(struct xr_iowq *wq, struct seq_file *m)
{
	static const char * const names[] = { "bound", "unbound" };
	int i;

	spin_lock_irq(&wq->lock);
	for (i = 0; i < XR_WQ_ACCT_NR; i++) {
		struct xr_iowq_acct *acct = &wq->acct[i];
		unsigned int queued = 0, idle = 0;
		struct list_head *pos;

		list_for_each(pos, &acct->work_list)
			queued++;
		list_for_each(pos, &acct->idle_list)
			idle++;
		seq_printf(m, "IoWq%s:\tworkers=%u idle=%u max=%u queued=%u\n",
			   names[i], acct->nr_workers, idle,
			   acct->max_workers, queued);
	}
	spin_unlock_irq(&wq->lock);
}
