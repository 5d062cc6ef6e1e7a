// SPDX-License-Identifier: GPL-2.0
/*
 * What rings make the module hold for a user, charged to that user.
 *
 * Kthreads: io_uring's workers and SQ threads are io-threads, forked from
 * the ring's user, so copy_process() counts them against RLIMIT_NPROC.
 * xuring's are kthreads, which nothing counts; a user could otherwise make
 * the module spawn threads without limit. Each ring's kthread is charged
 * to the ring creator's user here before it may run, and refused when the
 * user's processes plus xuring threads would exceed the creator's
 * RLIMIT_NPROC, with copy_process()'s exemptions. The user's own fork()
 * cannot see these threads: the counter it checks is not reachable from a
 * module.
 *
 * Pinned memory: registered buffers are charged to the user_struct's
 * locked_vm against RLIMIT_MEMLOCK, the budget io_uring, perf and BPF
 * share, so that the charge outlives any one process.
 */
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/refcount.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>

#include "user.h"

struct xr_user {
	struct hlist_node	node;
	struct user_struct	*user;
	refcount_t		refs;
	/* kthreads working for this user's rings */
	atomic_t		nr_threads;
};

#define XR_USER_HASH_BITS	6

static DEFINE_HASHTABLE(xr_users, XR_USER_HASH_BITS);
static DEFINE_SPINLOCK(xr_users_lock);

static struct xr_user *xr_user_find(struct user_struct *user)
{
	struct xr_user *u;

	lockdep_assert_held(&xr_users_lock);
	hash_for_each_possible(xr_users, u, node, (unsigned long)user) {
		if (u->user == user)
			return u;
	}
	return NULL;
}

/* The accounting record of @user, created on first use. */
struct xr_user *xr_user_get(struct user_struct *user)
{
	struct xr_user *u, *fresh;

	spin_lock(&xr_users_lock);
	u = xr_user_find(user);
	if (u)
		refcount_inc(&u->refs);
	spin_unlock(&xr_users_lock);
	if (u)
		return u;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh)
		return NULL;
	refcount_set(&fresh->refs, 1);
	atomic_set(&fresh->nr_threads, 0);

	spin_lock(&xr_users_lock);
	u = xr_user_find(user);
	if (u) {
		refcount_inc(&u->refs);
	} else {
		fresh->user = get_uid(user);
		hash_add(xr_users, &fresh->node, (unsigned long)user);
		u = fresh;
		fresh = NULL;
	}
	spin_unlock(&xr_users_lock);
	kfree(fresh);
	return u;
}

/* Another reference to a record one already holds. */
struct xr_user *xr_user_hold(struct xr_user *u)
{
	refcount_inc(&u->refs);
	return u;
}

void xr_user_put(struct xr_user *u)
{
	bool last;

	/* rare (a ring's or SQ thread's end): take the lock every time */
	spin_lock(&xr_users_lock);
	last = refcount_dec_and_test(&u->refs);
	if (last)
		hash_del(&u->node);
	spin_unlock(&xr_users_lock);
	if (!last)
		return;
	WARN_ON_ONCE(atomic_read(&u->nr_threads));
	free_uid(u->user);
	kfree(u);
}

/* The processes RLIMIT_NPROC counts for the user of @creds. */
static long xr_user_nr_processes(const struct cred *creds)
{
	return get_rlimit_value(creds->ucounts, UCOUNT_RLIMIT_NPROC);
}

/*
 * Charge one kthread to @u: -EAGAIN, as fork() would say, when the user's
 * processes and xuring threads would exceed @nproc_limit.
 */
int xr_user_charge_thread(struct xr_user *u, const struct cred *creds,
			  unsigned long nproc_limit, bool exempt)
{
	long threads = atomic_inc_return(&u->nr_threads);

	if (!exempt && xr_user_nr_processes(creds) + threads > nproc_limit) {
		atomic_dec(&u->nr_threads);
		return -EAGAIN;
	}
	return 0;
}

void xr_user_uncharge_thread(struct xr_user *u)
{
	WARN_ON_ONCE(atomic_dec_return(&u->nr_threads) < 0);
}

/*
 * Charge @nr_pages pinned pages to @user's locked_vm against the caller's
 * RLIMIT_MEMLOCK: -ENOMEM over it.
 */
int xr_user_charge_pinned(struct user_struct *user, unsigned long nr_pages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	unsigned long cur = atomic_long_read(&user->locked_vm);

	do {
		if (nr_pages > limit || cur > limit - nr_pages)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur,
					  cur + nr_pages));
	return 0;
}

void xr_user_uncharge_pinned(struct user_struct *user, unsigned long nr_pages)
{
	atomic_long_sub(nr_pages, &user->locked_vm);
}

/* Module unload: every ring is gone, so every record is too. */
void xr_users_exit(void)
{
	WARN_ON_ONCE(!hash_empty(xr_users));
}
