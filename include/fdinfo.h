/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XURING_FDINFO_H
#define XURING_FDINFO_H

struct seq_file;
struct xuring_ring_ctx;

void xr_show_fdinfo(struct xuring_ring_ctx *ctx, struct seq_file *m);

#endif
