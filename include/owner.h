/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring's owner: the process that set the ring up, in the address
 * space it had then. The kthreads that work for a ring (io-wq workers,
 * the SQ thread) act on the owner's behalf: they borrow its mm, charge its
 * memory cgroup, live in its cgroups, count against its user's limits and
 * see only its file table.
 */
#ifndef XURING_OWNER_H
#define XURING_OWNER_H

#include <linux/bitops.h>
#include <linux/mmu_notifier.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

struct cred;
struct mem_cgroup;
struct pid;
struct task_struct;
struct xr_user;

/* Bits of xr_owner.state. */
enum {
	/* ->gone was queued (or the ring is being torn down) */
	XR_OWNER_GONE_BIT,
	/* the watch is queued or running */
	XR_OWNER_WATCHING_BIT,
};

struct xr_owner {
	/* the owner's thread group: it is gone once that group has exited */
	struct pid		*tgid;
	/*
	 * ->tgid while the ring takes work, NULL from when the owner is
	 * gone: ENTER's fast path answers "is the owner there, and is the
	 * caller of its thread group?" with one comparison.
	 */
	struct pid		*live_tgid;
	/* what SQE pointers refer to: held with mmgrab(), used with mm_users */
	struct mm_struct	*mm;
	/* charged for what the ring's kthreads allocate */
	struct mem_cgroup	*memcg;
	/* the user whose limits the ring's kthreads count against */
	struct xr_user		*user;
	/* the setup caller's credentials (ucounts for RLIMIT_NPROC) */
	const struct cred	*creds;
	/* RLIMIT_NPROC at setup, and whether the caller was exempt from it */
	unsigned long		nproc_limit;
	bool			nproc_exempt;

	/* the triggers of ->gone: process exit, mm teardown, an exec */
	struct wait_queue_entry	exit_wait;
	bool			exit_wait_armed;
	struct mmu_notifier	mn;
	bool			mn_registered;
	/* kthreads inside calls for the owner that may block for ever */
	atomic_t		busy;
	/* looks for an exec while they are (owner.c) */
	struct delayed_work	watch_work;
	/* runs ->gone once, in process context, with no lock held */
	struct work_struct	gone_work;
	unsigned long		state;
	void			(*gone)(struct xr_owner *owner);
};

/*
 * What a kthread saves while it acts for the owner (xr_owner_enter() to
 * xr_owner_leave()).
 */
struct xr_owner_scope {
	struct mem_cgroup	*old_memcg;
};

int xr_owner_init(struct xr_owner *owner,
		  void (*gone)(struct xr_owner *owner));
void xr_owner_disarm(struct xr_owner *owner);
void xr_owner_release(struct xr_owner *owner);

void xr_owner_mark_gone(struct xr_owner *owner);
bool __xr_owner_gone_for_caller(struct xr_owner *owner);

/* The ring takes no new work: its owner exited or exec'ed. */
static inline bool xr_owner_is_gone(const struct xr_owner *owner)
{
	return test_bit(XR_OWNER_GONE_BIT, &owner->state);
}

/*
 * Before a caller submits or registers: is the owner gone? Inline for
 * the owner's own threads, whose being in the ring's mm (which the caller
 * checked) is the answer; a caller of another thread group (a CLONE_VM
 * sibling) takes the slow path.
 */
static inline bool xr_owner_gone_for_caller(struct xr_owner *owner)
{
	if (likely(task_tgid(current) == READ_ONCE(owner->live_tgid)))
		return false;
	return __xr_owner_gone_for_caller(owner);
}

void xr_owner_flush(struct xr_owner *owner);

bool xr_owner_enter(struct xr_owner *owner, struct xr_owner_scope *scope);
void xr_owner_leave(struct xr_owner *owner, struct xr_owner_scope *scope);
void xr_owner_busy_begin(struct xr_owner *owner);
void xr_owner_busy_end(struct xr_owner *owner);

int xr_owner_adopt_thread(struct xr_owner *owner, struct task_struct *task);
void xr_owner_release_thread(struct xr_owner *owner);

#endif
