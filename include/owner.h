/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring owner's address space, as the kthreads that work for the ring
 * (io-wq workers, the SQ thread) borrow it.
 */
#ifndef XURING_OWNER_H
#define XURING_OWNER_H

#include <linux/mmu_notifier.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

struct xr_owner_mm {
	struct mmu_notifier	mn;
	/* protects users and dead */
	spinlock_t		lock;
	/* kthreads switched to the mm right now */
	unsigned int		users;
	/* exit_mmap() has begun: nobody may switch to the mm any more */
	bool			dead;
	bool			registered;
	wait_queue_head_t	wait;
	/* cancel whatever may keep a user attached forever */
	void			(*exiting)(struct xr_owner_mm *omm);
};

int xr_owner_mm_init(struct xr_owner_mm *omm,
		     void (*exiting)(struct xr_owner_mm *omm));
void xr_owner_mm_exit(struct xr_owner_mm *omm);
bool xr_owner_mm_use(struct xr_owner_mm *omm);
void xr_owner_mm_unuse(struct xr_owner_mm *omm);

#endif
