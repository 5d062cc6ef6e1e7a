// SPDX-License-Identifier: GPL-2.0
/*
 * The ring's owner, and how the ring's kthreads act for it.
 *
 * io_uring's workers are threads of the ring's process: they share its
 * mm, files, cgroups and limits because they were forked from it, and
 * they die with it. xuring's are kthreads (the io-thread API is not
 * exported), so everything a fork would give them is done here by hand:
 *
 * - The mm. A kthread uses the owner's mm only between xr_owner_enter()
 *   and xr_owner_leave(), holding an mm_users reference (mmget_not_zero())
 *   all that time, as an io-thread holds one: the address space cannot be
 *   torn down under it. It does not hold one while idle, so an exited
 *   owner's memory is not kept alive by an idle thread.
 * - Memory charges. Kthreads bypass kmem accounting, so between enter and
 *   leave the owner's memory cgroup is the active one.
 * - Cgroups and limits. Each kthread is attached to the owner's cgroups
 *   (cpu, pids, io, cpuset, memory; what vhost does for its kthreads)
 *   and charged to the owner's user against RLIMIT_NPROC (user.c) before
 *   it first runs.
 *
 * The owner is gone when its thread group has exited (its pid's
 * wait_pidfd wakes us, as a pidfd's poll is woken), or when no thread of
 * it runs in the address space it set the ring up in any more: an exec.
 * An exec is noticed when the old mm is torn down (an mmu_notifier's
 * release), when close-on-exec closes the ring (->flush from another mm),
 * when a CLONE_VM sibling enters or registers (xr_owner_gone_for_caller()),
 * when a kthread is about to act for the owner, and, while kthreads are
 * inside calls for it that may block for ever (holding the old mm), by a
 * watch that looks every XR_OWNER_WATCH_INTERVAL. Whichever comes first
 * runs ->gone once, from a work item: from then on nothing may be issued
 * for the owner (see teardown.c).
 */
#include <linux/cred.h>
#include <linux/kthread.h>
#include <linux/memcontrol.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>

#include "owner.h"
#include "user.h"

/* how often the watch looks for an exec while kthreads are busy */
#define XR_OWNER_WATCH_INTERVAL	(HZ / 10)

static void xr_owner_gone_work(struct work_struct *work)
{
	struct xr_owner *owner = container_of(work, struct xr_owner,
					      gone_work);

	owner->gone(owner);
}

/* Any context: run ->gone once, later, in process context. */
void xr_owner_mark_gone(struct xr_owner *owner)
{
	if (!test_and_set_bit(XR_OWNER_GONE_BIT, &owner->state))
		queue_work(system_dfl_wq, &owner->gone_work);
	/* after the bit: a caller that misses it takes the slow path */
	WRITE_ONCE(owner->live_tgid, NULL);
}

/*
 * Every thread of the group is dead: the leader is gone or a zombie with
 * no thread left (what a pidfd's poll reports; thread_group_exited() is
 * not exported everywhere).
 */
static bool xr_owner_exited(struct xr_owner *owner)
{
	struct task_struct *leader;
	bool exited;

	rcu_read_lock();
	leader = pid_task(owner->tgid, PIDTYPE_PID);
	exited = !leader || (READ_ONCE(leader->exit_state) &&
			     thread_group_empty(leader));
	rcu_read_unlock();
	return exited;
}

/*
 * A thread of the owner still runs in the mm the ring was set up in: the
 * program that set it up has not exec'ed (nor exited).
 */
static bool xr_owner_in_mm(struct xr_owner *owner)
{
	struct task_struct *leader, *t;
	bool in = false;

	rcu_read_lock();
	leader = pid_task(owner->tgid, PIDTYPE_PID);
	if (leader) {
		for_each_thread(leader, t) {
			/* compared, never dereferenced */
			if (READ_ONCE(t->mm) == owner->mm) {
				in = true;
				break;
			}
		}
	}
	rcu_read_unlock();
	return in;
}

/*
 * xr_owner_gone_for_caller()'s slow path. A caller of another thread
 * group in the ring's mm (a clone(CLONE_VM) sibling) can outlive the
 * owner's exec: the old mm lives on in it, so no release tells, and an fd
 * the exec kept open is never flushed. For such a caller look whether a
 * thread of the owner still runs in the mm.
 */
bool __xr_owner_gone_for_caller(struct xr_owner *owner)
{
	if (xr_owner_is_gone(owner))
		return true;
	if (likely(task_tgid(current) == owner->tgid))
		return false;
	if (xr_owner_in_mm(owner))
		return false;
	xr_owner_mark_gone(owner);
	return true;
}

static void xr_owner_watch_work(struct work_struct *work)
{
	struct xr_owner *owner = container_of(to_delayed_work(work),
					      struct xr_owner, watch_work);

	if (xr_owner_is_gone(owner))
		return;
	if (!xr_owner_in_mm(owner)) {
		xr_owner_mark_gone(owner);
		return;
	}
	if (!atomic_read(&owner->busy)) {
		clear_bit(XR_OWNER_WATCHING_BIT, &owner->state);
		/* a kthread that got busy meanwhile saw the bit still set */
		smp_mb__after_atomic();
		if (!atomic_read(&owner->busy) ||
		    test_and_set_bit(XR_OWNER_WATCHING_BIT, &owner->state))
			return;
	}
	queue_delayed_work(system_dfl_wq, &owner->watch_work,
			   XR_OWNER_WATCH_INTERVAL);
}

/*
 * A kthread is about to make a call for the owner that may block for
 * ever, holding its mm: until xr_owner_busy_end(), an exec that leaves
 * the mm to the kthread alone is looked for.
 */
void xr_owner_busy_begin(struct xr_owner *owner)
{
	atomic_inc(&owner->busy);
	/* pairs with the barrier in xr_owner_watch_work() */
	smp_mb__after_atomic();
	if (!xr_owner_is_gone(owner) &&
	    !test_and_set_bit(XR_OWNER_WATCHING_BIT, &owner->state))
		queue_delayed_work(system_dfl_wq, &owner->watch_work,
				   XR_OWNER_WATCH_INTERVAL);
}

void xr_owner_busy_end(struct xr_owner *owner)
{
	atomic_dec(&owner->busy);
}

/*
 * The owner's pid's wait_pidfd is woken when its thread group has exited
 * (and, for a ptraced leader, at other times too: check). Atomic context,
 * under the wait queue's lock.
 */
static int xr_owner_exit_wake(struct wait_queue_entry *wait, unsigned int mode,
			      int sync, void *key)
{
	struct xr_owner *owner = container_of(wait, struct xr_owner,
					      exit_wait);

	if (xr_owner_exited(owner))
		xr_owner_mark_gone(owner);
	return 0;
}

/* exit_mmap() of the owner's mm began: nobody can use it any more. */
static void xr_owner_mm_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	xr_owner_mark_gone(container_of(mn, struct xr_owner, mn));
}

static const struct mmu_notifier_ops xr_owner_mm_ops = {
	.release	= xr_owner_mm_release,
};

/*
 * A file of the ring was closed (->flush). A thread of the owner closing
 * it from another mm has exec'ed: close-on-exec is closing the ring, and
 * the owner's program is no longer the one the ring was set up for. (An
 * exiting thread has no mm any more; the exit itself is the pidfd wake's
 * business, once the whole group is gone.)
 */
void xr_owner_flush(struct xr_owner *owner)
{
	struct mm_struct *mm = current->mm;

	if (mm && mm != owner->mm && task_tgid(current) == owner->tgid)
		xr_owner_mark_gone(owner);
}

/* copy_process()'s exemptions from RLIMIT_NPROC. */
static bool xr_nproc_exempt(void)
{
	return uid_eq(current_cred()->user->uid, GLOBAL_ROOT_UID) ||
	       ns_capable_noaudit(&init_user_ns, CAP_SYS_RESOURCE) ||
	       ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
}

/* In the setup caller's context: it becomes the owner. */
int xr_owner_init(struct xr_owner *owner,
		  void (*gone)(struct xr_owner *owner))
{
	int ret;

	owner->gone = gone;
	INIT_WORK(&owner->gone_work, xr_owner_gone_work);
	INIT_DELAYED_WORK(&owner->watch_work, xr_owner_watch_work);
	owner->user = xr_user_get(current_user());
	if (!owner->user)
		return -ENOMEM;
	/* each ring counts for its creator's user while it exists */
	ret = xr_user_charge_ring(owner->user);
	if (ret) {
		xr_user_put(owner->user);
		owner->user = NULL;
		return ret;
	}
	owner->tgid = get_pid(task_tgid(current));
	owner->live_tgid = owner->tgid;
	mmgrab(current->mm);
	owner->mm = current->mm;
	owner->memcg = get_mem_cgroup_from_mm(current->mm);
	owner->creds = get_current_cred();
	owner->nproc_limit = rlimit(RLIMIT_NPROC);
	owner->nproc_exempt = xr_nproc_exempt();

	init_waitqueue_func_entry(&owner->exit_wait, xr_owner_exit_wake);
	add_wait_queue(&owner->tgid->wait_pidfd, &owner->exit_wait);
	owner->exit_wait_armed = true;

	owner->mn.ops = &xr_owner_mm_ops;
	ret = mmu_notifier_register(&owner->mn, owner->mm);
	if (ret)
		return ret;
	owner->mn_registered = true;
	return 0;
}

/*
 * The ring is being torn down: no trigger may fire any more, and ->gone
 * has run to its end if it ran at all. The ring's kthreads may still run
 * (the watch goes with xr_owner_release()). Safe on an owner that
 * xr_owner_init() left half set up.
 */
void xr_owner_disarm(struct xr_owner *owner)
{
	/* from now on nobody queues ->gone */
	set_bit(XR_OWNER_GONE_BIT, &owner->state);
	WRITE_ONCE(owner->live_tgid, NULL);
	if (owner->exit_wait_armed)
		remove_wait_queue(&owner->tgid->wait_pidfd, &owner->exit_wait);
	owner->exit_wait_armed = false;
	/* runs ->release if the mm is still alive: it queues nothing now */
	if (owner->mn_registered)
		mmu_notifier_unregister(&owner->mn, owner->mm);
	owner->mn_registered = false;
	if (owner->gone)
		cancel_work_sync(&owner->gone_work);
}

/*
 * Drop what the owner holds, once no kthread acts for it any more: none
 * can start the watch again, and the watch stops at the GONE bit.
 */
void xr_owner_release(struct xr_owner *owner)
{
	if (owner->gone)
		cancel_delayed_work_sync(&owner->watch_work);
	if (owner->creds)
		put_cred(owner->creds);
	if (owner->memcg)
		mem_cgroup_put(owner->memcg);
	if (owner->mm)
		mmdrop(owner->mm);
	if (owner->tgid)
		put_pid(owner->tgid);
	if (owner->user) {
		xr_user_uncharge_ring(owner->user);
		xr_user_put(owner->user);
	}
}

/*
 * A kthread starts acting for the owner: false if the owner is gone, or
 * has left its address space, or that is gone (then the owner is marked
 * gone).
 */
bool xr_owner_enter(struct xr_owner *owner, struct xr_owner_scope *scope)
{
	if (unlikely(xr_owner_is_gone(owner)))
		return false;
	if (unlikely(!xr_owner_in_mm(owner) || !mmget_not_zero(owner->mm))) {
		xr_owner_mark_gone(owner);
		return false;
	}
	kthread_use_mm(owner->mm);
	scope->old_memcg = set_active_memcg(owner->memcg);
	return true;
}

void xr_owner_leave(struct xr_owner *owner, struct xr_owner_scope *scope)
{
	set_active_memcg(scope->old_memcg);
	kthread_unuse_mm(owner->mm);
	/* the last user's __mmput() would run exit_mmap() in this thread */
	mmput_async(owner->mm);
}

struct xr_attach {
	struct work_struct	work;
	struct task_struct	*from, *task;
	int			ret;
};

static void xr_attach_work(struct work_struct *work)
{
	struct xr_attach *attach = container_of(work, struct xr_attach, work);

	attach->ret = cgroup_attach_task_all(attach->from, attach->task);
}

/*
 * Move @task into @from's cgroups from a kernel thread, as vhost does:
 * cpuset asks whether the mover may change the scheduling of the task
 * moved, a kthread with root's credentials, which an unprivileged owner
 * may not, though the move only confines the kthread to the owner's
 * limits.
 */
static int xr_attach_cgroups_as_kthread(struct task_struct *from,
					struct task_struct *task)
{
	struct xr_attach attach = { .from = from, .task = task };

	if (current->flags & PF_KTHREAD)
		return cgroup_attach_task_all(from, task);
	INIT_WORK_ONSTACK(&attach.work, xr_attach_work);
	queue_work(system_dfl_wq, &attach.work);
	flush_work(&attach.work);
	destroy_work_on_stack(&attach.work);
	return attach.ret;
}

/*
 * Put a kthread that will work for the owner (created, not yet woken) in
 * the owner's cgroups. A kthread starts in kthreadd's, the root ones;
 * moving it costs an RCU grace period, so skip that when the owner lives
 * there too.
 */
static int xr_owner_attach_cgroups(struct xr_owner *owner,
				   struct task_struct *task)
{
	struct task_struct *leader;
	bool same;
	int ret = 0;

	leader = get_pid_task(owner->tgid, PIDTYPE_PID);
	if (!leader)
		return -ESRCH;
	rcu_read_lock();
	same = task_css_set(leader) == task_css_set(task);
	rcu_read_unlock();
	if (!same)
		ret = xr_attach_cgroups_as_kthread(leader, task);
	put_task_struct(leader);
	return ret;
}

/*
 * Before a new kthread of the ring first runs: charge it to the owner's
 * user (-EAGAIN over RLIMIT_NPROC) and move it into the owner's cgroups.
 * xr_owner_release_thread() undoes the charge when the thread is done.
 */
int xr_owner_adopt_thread(struct xr_owner *owner, struct task_struct *task)
{
	int ret;

	ret = xr_user_charge_thread(owner->user, owner->creds,
				    owner->nproc_limit, owner->nproc_exempt);
	if (ret)
		return ret;
	ret = xr_owner_attach_cgroups(owner, task);
	if (ret)
		xr_user_uncharge_thread(owner->user);
	return ret;
}

void xr_owner_release_thread(struct xr_owner *owner)
{
	xr_user_uncharge_thread(owner->user);
}
