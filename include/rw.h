/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XURING_RW_H
#define XURING_RW_H

struct io_comp_batch;
struct xuring_req;
struct xuring_sqe;

int xr_prep_read(struct xuring_req *req, const struct xuring_sqe *sqe);
int xr_prep_write(struct xuring_req *req, const struct xuring_sqe *sqe);
int xr_prep_readv(struct xuring_req *req, const struct xuring_sqe *sqe);
int xr_prep_writev(struct xuring_req *req, const struct xuring_sqe *sqe);
int xr_prep_read_fixed(struct xuring_req *req, const struct xuring_sqe *sqe);
int xr_prep_write_fixed(struct xuring_req *req, const struct xuring_sqe *sqe);
int xr_read(struct xuring_req *req, unsigned int issue_flags);
int xr_write(struct xuring_req *req, unsigned int issue_flags);
void xr_rw_cleanup(struct xuring_req *req);
void xr_rw_reissue(struct xuring_req *req);
int xr_rw_iopoll(struct xuring_req *req, struct io_comp_batch *iob,
		 unsigned int poll_flags);
void xr_rw_iopoll_finish(struct xuring_req *req);

#endif
