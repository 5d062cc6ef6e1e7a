/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XURING_NOP_H
#define XURING_NOP_H

int xr_nop_prep(struct xuring_req *req, const struct xuring_sqe *sqe);
int xr_nop(struct xuring_req *req, unsigned int issue_flags);

#endif
