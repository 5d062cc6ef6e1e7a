// SPDX-License-Identifier: GPL-2.0
/*
 * SQPOLL: not implemented yet; rings that ask for it are refused.
 */
#include "core.h"
#include "sqpoll.h"

int xr_sqpoll_create(struct xuring_ring_ctx *ctx, struct xuring_params *p)
{
	if (p->flags & (XURING_SETUP_SQPOLL | XURING_SETUP_ATTACH_WQ))
		return -EINVAL;
	return 0;
}

void xr_sqpoll_start(struct xuring_ring_ctx *ctx)
{
}

void xr_sqpoll_stop(struct xuring_ring_ctx *ctx)
{
}

int xr_sqpoll_enter(struct xuring_ring_ctx *ctx, u32 enter_flags)
{
	return -EINVAL;
}

void xr_sqpoll_show(struct xuring_ring_ctx *ctx, struct seq_file *m)
{
}
