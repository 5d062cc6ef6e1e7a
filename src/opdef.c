// SPDX-License-Identifier: GPL-2.0
/*
 * One row per opcode: its facts and its prep/issue/cleanup. The core never
 * names an op; adding one is a row here and a file of its own. Opcodes of
 * io_uring that xuring does not implement have no row and complete with
 * -EOPNOTSUPP; XURING_REGISTER_PROBE reports exactly the rows below.
 */
#include "core.h"
#include "opdef.h"
#include "nop.h"

const struct xr_op_def xr_op_defs[XURING_OP_LAST] = {
	[XURING_OP_NOP] = {
		.name			= "NOP",
		.iopoll			= 1,
		.prep			= xr_nop_prep,
		.issue			= xr_nop,
	},
};

bool xr_op_supported(unsigned int opcode)
{
	return opcode < XURING_OP_LAST && xr_op_defs[opcode].prep;
}
