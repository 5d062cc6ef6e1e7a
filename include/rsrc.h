/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Registered ("fixed") files and buffers.
 */
#ifndef XURING_RSRC_H
#define XURING_RSRC_H

#include <linux/bvec.h>
#include <linux/uio.h>

struct xuring_ring_ctx;
struct xr_buf_table;

/* io_uring's limits: 1 Mi file slots, 16 Ki buffers */
#define XR_MAX_FIXED_FILES	1048576U
#define XR_MAX_FIXED_BUFS	16384U
#define XR_MAX_FIXED_BUF_SIZE	SZ_1G

/* A pinned user buffer, described by page-sized bvecs (or one folio). */
struct xr_mapped_buf {
	struct xr_buf_table	*table;
	u64			ubuf;
	u64			ubuf_end;
	unsigned long		acct_pages;
	/* one pin per bvec: a coalesced folio keeps a single pin */
	unsigned int		nr_bvecs;
	struct bio_vec		bvec[];
};

struct file *xr_fixed_file_get(struct xuring_ring_ctx *ctx, int index);
struct xr_mapped_buf *xr_fixed_buf_get(struct xuring_ring_ctx *ctx,
				       unsigned int index);
void xr_put_mapped_buf(struct xr_mapped_buf *buf);
int xr_import_fixed(struct xr_mapped_buf *buf, int rw, u64 addr, size_t len,
		    struct iov_iter *iter);

int xr_register_files(struct xuring_ring_ctx *ctx, void __user *arg,
		      unsigned int nr_args);
int xr_register_files2(struct xuring_ring_ctx *ctx, void __user *arg,
		       unsigned int size);
int xr_unregister_files(struct xuring_ring_ctx *ctx);
int xr_register_files_update(struct xuring_ring_ctx *ctx, void __user *arg,
			     unsigned int nr_args);
int xr_register_files_update2(struct xuring_ring_ctx *ctx, void __user *arg,
			      unsigned int size);
int xr_register_buffers(struct xuring_ring_ctx *ctx, void __user *arg,
			unsigned int nr_args);
int xr_register_buffers2(struct xuring_ring_ctx *ctx, void __user *arg,
			 unsigned int size);
int xr_unregister_buffers(struct xuring_ring_ctx *ctx);
void xr_rsrc_free(struct xuring_ring_ctx *ctx);
unsigned int xr_nr_fixed_files(struct xuring_ring_ctx *ctx);
unsigned int xr_nr_fixed_bufs(struct xuring_ring_ctx *ctx);

#endif /* XURING_RSRC_H */
