/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XURING_IOPOLL_H
#define XURING_IOPOLL_H

struct xuring_req;
struct xuring_ring_ctx;

void xr_iopoll_add(struct xuring_req *req);
int xr_iopoll_poll_once(struct xuring_ring_ctx *ctx);
int xr_iopoll_wait(struct xuring_ring_ctx *ctx, unsigned int min_events);
int xr_iopoll_wait_in_submit(struct xuring_ring_ctx *ctx,
			     unsigned int min_events);
void xr_iopoll_reap_all(struct xuring_ring_ctx *ctx);

#endif
