/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The administrator's controls (module parameters, policy.c): who may set
 * up rings and SQPOLL rings, which ops rings may run, and what one user's
 * rings may make the module hold. Every control is read where it applies,
 * each time it applies, so a change through sysfs takes effect at the next
 * decision it governs.
 */
#ifndef XURING_POLICY_H
#define XURING_POLICY_H

#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/xuring.h>

struct seq_file;

/*
 * The ops rings may run, one bit per opcode: only ops that have a row in
 * the opcode table (opdef.c) are ever set. Read once per SQE, where the
 * core used to test for the op's row: one instruction more per SQE.
 */
extern unsigned long xr_ops_allowed[BITS_TO_LONGS(XURING_OP_LAST)];

static inline bool xr_op_allowed(unsigned int opcode)
{
	return test_bit(opcode, xr_ops_allowed);
}

/* Per-user caps beside the RLIMIT-based ones; 0 is no cap. */
extern unsigned int xr_max_user_rings;
extern unsigned int xr_max_user_threads;
extern unsigned long long xr_max_user_pinned;	/* bytes */

static inline unsigned int xr_policy_max_user_rings(void)
{
	return READ_ONCE(xr_max_user_rings);
}

static inline unsigned int xr_policy_max_user_threads(void)
{
	return READ_ONCE(xr_max_user_threads);
}

static inline unsigned long long xr_policy_max_user_pinned(void)
{
	return READ_ONCE(xr_max_user_pinned);
}

int xr_policy_check_setup(void);
int xr_policy_check_sqpoll(void);
void xr_policy_show_fdinfo(struct seq_file *m);
void xr_policy_init(void);

#endif /* XURING_POLICY_H */
