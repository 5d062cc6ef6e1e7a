/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-user accounting of what rings make the module hold for a user:
 * rings, kthreads (against RLIMIT_NPROC) and pinned memory (against
 * RLIMIT_MEMLOCK, in the user_struct's locked_vm as io_uring does), and
 * against the administrator's caps on each (policy.c).
 */
#ifndef XURING_USER_H
#define XURING_USER_H

#include <linux/types.h>

struct cred;
struct user_struct;

struct xr_user;

struct xr_user *xr_user_get(struct user_struct *user);
struct xr_user *xr_user_hold(struct xr_user *u);
void xr_user_put(struct xr_user *u);

int xr_user_charge_ring(struct xr_user *u);
void xr_user_uncharge_ring(struct xr_user *u);

int xr_user_charge_thread(struct xr_user *u, const struct cred *creds,
			  unsigned long nproc_limit, bool exempt);
void xr_user_uncharge_thread(struct xr_user *u);

int xr_user_charge_pinned(struct xr_user *u, unsigned long nr_pages,
			  bool rlimit_exempt);
void xr_user_uncharge_pinned(struct xr_user *u, unsigned long nr_pages,
			     bool rlimit_exempt);

void xr_users_exit(void);

#endif
