/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XURING_OPDEF_H
#define XURING_OPDEF_H

#include <linux/cache.h>
#include <linux/types.h>
#include <linux/xuring.h>

struct xuring_req;
struct xuring_sqe;

/* issue_flags */
enum {
	/* inline in the submitter: must not block, may return -EAGAIN */
	XR_ISSUE_NONBLOCK	= 1U << 0,
	/* running in an io-wq worker */
	XR_ISSUE_IOWQ		= 1U << 1,
};

/*
 * ->issue returns the result to post, or XR_ISSUE_SKIP_COMPLETE when the op
 * completes the request itself (now or later, e.g. from ki_complete). With
 * XR_ISSUE_NONBLOCK, -EAGAIN means "retry in io-wq".
 */
#define XR_ISSUE_SKIP_COMPLETE	(-EIOCBQUEUED)

/*
 * One cache line per op: xr_op_defs[] is indexed on every submission,
 * issue and cleanup, and a power-of-two stride makes the index a shift.
 */
struct xr_op_def {
	const char	*name;
	/* sqe->fd names a file (or fixed slot) resolved at prep time */
	unsigned	needs_file : 1;
	/* sqe->ioprio has a meaning for this op */
	unsigned	ioprio : 1;
	/* sqe->buf_index names a fixed buffer */
	unsigned	fixed_buf : 1;
	/* allowed on an IOPOLL ring */
	unsigned	iopoll : 1;
	/* on non-regular files the op may wait forever: unbounded io-wq */
	unsigned	unbound_nonreg_file : 1;
	/* serialize in io-wq per inode on regular files (buffered writes) */
	unsigned	hash_reg_file : 1;
	/* batching block I/O behind a plug helps */
	unsigned	plug : 1;
	int	(*prep)(struct xuring_req *req, const struct xuring_sqe *sqe);
	int	(*issue)(struct xuring_req *req, unsigned int issue_flags);
	/* release what prep took; called once, in any context */
	void	(*cleanup)(struct xuring_req *req);
	/*
	 * make the request ready to be issued again and hand it to io-wq,
	 * for ops whose completions may call xr_req_reissue(); any context
	 */
	void	(*reissue)(struct xuring_req *req);
} ____cacheline_aligned;

extern const struct xr_op_def xr_op_defs[XURING_OP_LAST];

bool xr_op_supported(unsigned int opcode);
int xr_op_by_name(const char *name);

#endif /* XURING_OPDEF_H */
