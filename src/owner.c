// SPDX-License-Identifier: GPL-2.0
/*
 * Kthreads working for a ring switch to the owner's mm with
 * kthread_use_mm() but hold no mm_users reference: a reference would keep
 * an exited (or exec'ed) process's address space alive for as long as a
 * worker stays blocked, say on a pipe nobody will ever write, and the
 * mapping of the ring inside that address space would keep the ring alive
 * too. Instead an mmu_notifier tells us when the last user of the mm goes
 * away: its ->release runs at the start of exit_mmap(), before the page
 * tables are torn down. There we refuse new users, cancel what may block
 * forever, and wait for the current users to switch away. aio once solved
 * the same problem the same way, from __mmput().
 */
#include <linux/kthread.h>
#include <linux/sched/mm.h>

#include "owner.h"

static bool xr_owner_mm_idle(struct xr_owner_mm *omm)
{
	bool idle;

	spin_lock(&omm->lock);
	idle = !omm->users;
	spin_unlock(&omm->lock);
	return idle;
}

static void xr_owner_mm_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct xr_owner_mm *omm = container_of(mn, struct xr_owner_mm, mn);

	spin_lock(&omm->lock);
	omm->dead = true;
	spin_unlock(&omm->lock);
	omm->exiting(omm);
	wait_event(omm->wait, xr_owner_mm_idle(omm));
}

static const struct mmu_notifier_ops xr_owner_mm_ops = {
	.release	= xr_owner_mm_release,
};

int xr_owner_mm_init(struct xr_owner_mm *omm,
		     void (*exiting)(struct xr_owner_mm *omm))
{
	int ret;

	spin_lock_init(&omm->lock);
	init_waitqueue_head(&omm->wait);
	omm->exiting = exiting;
	omm->mn.ops = &xr_owner_mm_ops;
	ret = mmu_notifier_register(&omm->mn, current->mm);
	if (!ret)
		omm->registered = true;
	return ret;
}

/* Runs ->release first if the mm is still alive. */
void xr_owner_mm_exit(struct xr_owner_mm *omm)
{
	if (omm->registered)
		mmu_notifier_unregister(&omm->mn, omm->mn.mm);
	omm->registered = false;
}

/* Switch a kthread to the owner's mm; false once the owner is gone. */
bool xr_owner_mm_use(struct xr_owner_mm *omm)
{
	spin_lock(&omm->lock);
	if (omm->dead) {
		spin_unlock(&omm->lock);
		return false;
	}
	omm->users++;
	spin_unlock(&omm->lock);
	kthread_use_mm(omm->mn.mm);
	return true;
}

void xr_owner_mm_unuse(struct xr_owner_mm *omm)
{
	kthread_unuse_mm(omm->mn.mm);
	spin_lock(&omm->lock);
	if (!--omm->users)
		wake_up(&omm->wait);
	spin_unlock(&omm->lock);
}
