/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io-wq: per-ring pools of kernel worker threads that run requests which
 * may block. Workers are kthreads (the kernel's io-thread API is not
 * exported) that act for the ring's owner (owner.h) and never touch an fd
 * table.
 */
#ifndef XURING_IO_WQ_H
#define XURING_IO_WQ_H

#include <linux/list.h>
#include <linux/types.h>

struct xr_iowq;
struct xr_owner;
struct cred;
struct seq_file;

enum {
	/* may wait forever (pipes, sockets, ttys): the unbounded class */
	XR_WORK_UNBOUND		= 1U << 0,
	/* serialized with other work of the same hash (one inode's writes) */
	XR_WORK_HASHED		= 1U << 1,
	/* cancellation asked for this work */
	XR_WORK_CANCEL		= 1U << 2,
};

#define XR_WQ_HASH_BITS		6

struct xr_work {
	struct list_head	node;
	unsigned int		flags;
	unsigned int		hash;
};

/*
 * The pool holds the reference the enqueuer took on a work item until it
 * calls ->done: across ->run or ->cancel, and across every moment a
 * worker's cur_work points at it.
 */
struct xr_iowq_ops {
	/* run one work item; blocking allowed */
	void (*run)(struct xr_work *work);
	/* complete a work item that will never run */
	void (*cancel)(struct xr_work *work);
	/* the pool is done with the item: drop the enqueuer's reference */
	void (*done)(struct xr_work *work);
	/* the credentials to run a work item with */
	const struct cred *(*creds)(struct xr_work *work);
};

struct xr_iowq *xr_iowq_create(const struct xr_iowq_ops *ops,
			       struct xr_owner *owner, unsigned int bounded_max,
			       unsigned int unbounded_max);
void xr_iowq_enqueue(struct xr_iowq *wq, struct xr_work *work);
void xr_iowq_hash_work(struct xr_work *work, void *key);
/* cancel everything queued and interrupt everything running */
void xr_iowq_cancel_all(struct xr_iowq *wq);
/* stop all workers and free the pool; nothing may be queued any more */
void xr_iowq_destroy(struct xr_iowq *wq);
int xr_iowq_max_workers(struct xr_iowq *wq, unsigned int *new_count);
void xr_iowq_show(struct xr_iowq *wq, struct seq_file *m);

#endif /* XURING_IO_WQ_H */
