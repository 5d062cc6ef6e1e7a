/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XURING_SYNC_H
#define XURING_SYNC_H

struct xuring_req;
struct xuring_sqe;

int xr_fsync_prep(struct xuring_req *req, const struct xuring_sqe *sqe);
int xr_fsync(struct xuring_req *req, unsigned int issue_flags);
int xr_sync_file_range_prep(struct xuring_req *req,
			    const struct xuring_sqe *sqe);
int xr_sync_file_range(struct xuring_req *req, unsigned int issue_flags);
int xr_fallocate_prep(struct xuring_req *req, const struct xuring_sqe *sqe);
int xr_fallocate(struct xuring_req *req, unsigned int issue_flags);

#endif
