/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XURING_SQPOLL_H
#define XURING_SQPOLL_H

#include <linux/types.h>

struct seq_file;
struct xuring_params;
struct xuring_ring_ctx;

struct file *xr_sqpoll_fget(struct xuring_ring_ctx *ctx, int fd);
int xr_sqpoll_create(struct xuring_ring_ctx *ctx, struct xuring_params *p);
void xr_sqpoll_kick(struct xuring_ring_ctx *ctx);
void xr_sqpoll_start(struct xuring_ring_ctx *ctx);
void xr_sqpoll_stop(struct xuring_ring_ctx *ctx);
int xr_sqpoll_enter(struct xuring_ring_ctx *ctx, u32 enter_flags);
void xr_sqpoll_show(struct xuring_ring_ctx *ctx, struct seq_file *m);

#endif
