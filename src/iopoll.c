// SPDX-License-Identifier: GPL-2.0
/*
 * IOPOLL: not implemented yet; rings that ask for it are refused at setup.
 */
#include "core.h"
#include "iopoll.h"

int xr_iopoll_wait(struct xuring_ring_ctx *ctx, unsigned int min_events)
{
	return -EOPNOTSUPP;
}

void xr_iopoll_reap_all(struct xuring_ring_ctx *ctx)
{
}

int xr_iopoll_prep_kiocb(struct xuring_req *req, struct kiocb *kiocb)
{
	return -EOPNOTSUPP;
}

void xr_iopoll_add(struct xuring_req *req)
{
}
