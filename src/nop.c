// SPDX-License-Identifier: GPL-2.0
#include "core.h"
#include "nop.h"

int xr_nop_prep(struct xuring_req *req, const struct xuring_sqe *sqe)
{
	s32 fd = READ_ONCE(sqe->fd);

	/* liburing's io_uring_prep_nop() leaves fd at -1, a zeroed SQE at 0 */
	if (fd != -1 && fd != 0)
		return -EINVAL;
	/* one branch for all of them: NOPs are what ring overhead is timed by */
	if (READ_ONCE(sqe->off) | READ_ONCE(sqe->addr) |
	    READ_ONCE(sqe->len) | READ_ONCE(sqe->rw_flags) |
	    READ_ONCE(sqe->buf_index) | READ_ONCE(sqe->file_index) |
	    READ_ONCE(sqe->addr3) | READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;
	return 0;
}

int xr_nop(struct xuring_req *req, unsigned int issue_flags)
{
	return 0;
}
