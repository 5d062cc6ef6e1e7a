/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XURING_ADVISE_H
#define XURING_ADVISE_H

struct xuring_req;
struct xuring_sqe;

int xr_fadvise_prep(struct xuring_req *req, const struct xuring_sqe *sqe);
int xr_fadvise(struct xuring_req *req, unsigned int issue_flags);

#endif
