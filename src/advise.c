// SPDX-License-Identifier: GPL-2.0
/*
 * FADVISE. Advice that only sets readahead state runs inline; advice that
 * may start or wait for I/O goes to io-wq.
 */
#include <linux/fadvise.h>
#include <linux/fs.h>

#include "advise.h"
#include "core.h"
#include "opdef.h"

struct xr_fadvise {
	loff_t		off;
	loff_t		len;
	u32		advice;
};

int xr_fadvise_prep(struct xuring_req *req, const struct xuring_sqe *sqe)
{
	struct xr_fadvise *fa = xr_cmd(req, struct xr_fadvise);

	if (READ_ONCE(sqe->addr) || READ_ONCE(sqe->buf_index) ||
	    READ_ONCE(sqe->splice_fd_in) || READ_ONCE(sqe->addr3) ||
	    READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;
	fa->off = READ_ONCE(sqe->off);
	fa->len = READ_ONCE(sqe->len);
	fa->advice = READ_ONCE(sqe->fadvise_advice);
	return 0;
}

static bool xr_fadvise_may_block(u32 advice)
{
	switch (advice) {
	case POSIX_FADV_NORMAL:
	case POSIX_FADV_RANDOM:
	case POSIX_FADV_SEQUENTIAL:
		return false;
	}
	return true;
}

int xr_fadvise(struct xuring_req *req, unsigned int issue_flags)
{
	struct xr_fadvise *fa = xr_cmd(req, struct xr_fadvise);

	if ((issue_flags & XR_ISSUE_NONBLOCK) &&
	    xr_fadvise_may_block(fa->advice))
		return -EAGAIN;
	return vfs_fadvise(req->file, fa->off, fa->len, fa->advice);
}
