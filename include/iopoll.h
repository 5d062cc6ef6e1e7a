/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XURING_IOPOLL_H
#define XURING_IOPOLL_H

struct kiocb;
struct xuring_req;
struct xuring_ring_ctx;

int xr_iopoll_prep_kiocb(struct xuring_req *req, struct kiocb *kiocb);
void xr_iopoll_add(struct xuring_req *req);
int xr_iopoll_wait(struct xuring_ring_ctx *ctx, unsigned int min_events);
void xr_iopoll_reap_all(struct xuring_ring_ctx *ctx);

#endif
