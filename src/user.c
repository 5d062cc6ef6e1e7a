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
 *
 * Beside those limits, the administrator's caps (policy.c) on a user's
 * rings, kthreads and pinned memory: counted here for every user all the
 * time, so that a cap set while rings exist weighs what they hold
 * already, and checked at each new charge. They hold for every user,
 * root and CAP_IPC_LOCK included: they bound the module, not a process.
 */
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/refcount.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>

#include "policy.h"
#include "user.h"

struct xr_user {
	struct hlist_node	node;
	struct user_struct	*user;
	refcount_t		refs;
	/* kthreads working for this user's rings */
	atomic_t		nr_threads;
	/* rings set up and not yet freed */
	atomic_long_t		nr_rings;
	/* pages registered buffers pin, whatever the RLIMIT exemptions */
	atomic_long_t		pinned_pages;
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
	atomic_long_set(&fresh->nr_rings, 0);
	atomic_long_set(&fresh->pinned_pages, 0);

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
	WARN_ON_ONCE(atomic_long_read(&u->nr_rings));
	WARN_ON_ONCE(atomic_long_read(&u->pinned_pages));
	free_uid(u->user);
	kfree(u);
}

/* Add @nr to @counter unless that would take it over @limit. */
static bool xr_charge_within(atomic_long_t *counter, unsigned long nr,
			     unsigned long limit)
{
	long cur = atomic_long_read(counter);

	do {
		if (nr > limit || cur > limit - nr)
			return false;
	} while (!atomic_long_try_cmpxchg(counter, &cur, cur + nr));
	return true;
}

/* One more ring set up by @u: -EMFILE over max_user_rings. */
int xr_user_charge_ring(struct xr_user *u)
{
	unsigned long max = xr_policy_max_user_rings() ?: ULONG_MAX;

	/* as inotify's max_user_instances and fanotify's max_user_groups */
	return xr_charge_within(&u->nr_rings, 1, max) ? 0 : -EMFILE;
}

void xr_user_uncharge_ring(struct xr_user *u)
{
	WARN_ON_ONCE(atomic_long_dec_return(&u->nr_rings) < 0);
}

/* The processes RLIMIT_NPROC counts for the user of @creds. */
static long xr_user_nr_processes(const struct cred *creds)
{
	return get_rlimit_value(creds->ucounts, UCOUNT_RLIMIT_NPROC);
}

/*
 * Charge one kthread to @u: -EAGAIN, as fork() would say, when the user's
 * processes and xuring threads would exceed @nproc_limit, or its xuring
 * threads max_user_threads.
 */
int xr_user_charge_thread(struct xr_user *u, const struct cred *creds,
			  unsigned long nproc_limit, bool exempt)
{
	unsigned int max = xr_policy_max_user_threads();
	long threads = atomic_inc_return(&u->nr_threads);

	if ((max && threads > max) ||
	    (!exempt && xr_user_nr_processes(creds) + threads > nproc_limit)) {
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
 * Charge @nr_pages pinned pages to @u: against max_user_pinned, and, unless
 * @rlimit_exempt (CAP_IPC_LOCK), to the user_struct's locked_vm against
 * the caller's RLIMIT_MEMLOCK. -ENOMEM over either, as RLIMIT_MEMLOCK's.
 */
int xr_user_charge_pinned(struct xr_user *u, unsigned long nr_pages,
			  bool rlimit_exempt)
{
	unsigned long long max_bytes = xr_policy_max_user_pinned();
	unsigned long max = max_bytes ? max_bytes >> PAGE_SHIFT : ULONG_MAX;

	if (!xr_charge_within(&u->pinned_pages, nr_pages, max))
		return -ENOMEM;
	if (!rlimit_exempt &&
	    !xr_charge_within(&u->user->locked_vm, nr_pages,
			      rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT)) {
		atomic_long_sub(nr_pages, &u->pinned_pages);
		return -ENOMEM;
	}
	return 0;
}

void xr_user_uncharge_pinned(struct xr_user *u, unsigned long nr_pages,
			     bool rlimit_exempt)
{
	if (!rlimit_exempt)
		atomic_long_sub(nr_pages, &u->user->locked_vm);
	WARN_ON_ONCE(atomic_long_sub_return(nr_pages, &u->pinned_pages) < 0);
}

/* Module unload: every ring is gone, so every record is too. */
void xr_users_exit(void)
{
	WARN_ON_ONCE(!hash_empty(xr_users));
}
