// SPDX-License-Identifier: GPL-2.0
#include "core.h"
#include "nop.h"

/* The SQE's 64-bit word at @offset, in one load. */
static __always_inline u64 xr_sqe_word(const struct xuring_sqe *sqe,
				       size_t offset)
{
	return READ_ONCE(*(const u64 *)((const u8 *)sqe + offset));
}

int xr_nop_prep(struct xuring_req *req, const struct xuring_sqe *sqe)
{
	s32 fd = READ_ONCE(sqe->fd);

	/*
	 * Whole words: len with rw_flags, and buf_index with personality
	 * (already checked zero for every op) and file_index.
	 */
	BUILD_BUG_ON(offsetof(struct xuring_sqe, len) % 8 ||
		     offsetof(struct xuring_sqe, rw_flags) !=
		     offsetof(struct xuring_sqe, len) + 4);
	BUILD_BUG_ON(offsetof(struct xuring_sqe, buf_index) % 8 ||
		     offsetof(struct xuring_sqe, personality) !=
		     offsetof(struct xuring_sqe, buf_index) + 2 ||
		     offsetof(struct xuring_sqe, file_index) !=
		     offsetof(struct xuring_sqe, buf_index) + 4);

	/* liburing's io_uring_prep_nop() leaves fd at -1, a zeroed SQE at 0 */
	if (fd != -1 && fd != 0)
		return -EINVAL;
	/* one branch for all of them: NOPs are what ring overhead is timed by */
	if (READ_ONCE(sqe->off) | READ_ONCE(sqe->addr) |
	    xr_sqe_word(sqe, offsetof(struct xuring_sqe, len)) |
	    xr_sqe_word(sqe, offsetof(struct xuring_sqe, buf_index)) |
	    READ_ONCE(sqe->addr3) | READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;
	return 0;
}

int xr_nop(struct xuring_req *req, unsigned int issue_flags)
{
	return 0;
}
