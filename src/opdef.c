// SPDX-License-Identifier: GPL-2.0
/*
 * One row per opcode: its facts and its prep/issue/cleanup. The core never
 * names an op; adding one is a row here and a file of its own. Opcodes of
 * io_uring that xuring does not implement have no row and complete with
 * -EOPNOTSUPP. The rows' names are what the allowed_ops parameter
 * (policy.c) takes; XURING_REGISTER_PROBE reports the rows it allows.
 */
#include <linux/string.h>

#include "core.h"
#include "opdef.h"
#include "advise.h"
#include "nop.h"
#include "rw.h"
#include "sync.h"

const struct xr_op_def xr_op_defs[XURING_OP_LAST] = {
	[XURING_OP_NOP] = {
		.name			= "NOP",
		.iopoll			= 1,
		.prep			= xr_nop_prep,
		.issue			= xr_nop,
	},
	[XURING_OP_READV] = {
		.name			= "READV",
		.needs_file		= 1,
		.ioprio			= 1,
		.iopoll			= 1,
		.unbound_nonreg_file	= 1,
		.plug			= 1,
		.prep			= xr_prep_readv,
		.issue			= xr_read,
		.cleanup		= xr_rw_cleanup,
		.reissue		= xr_rw_reissue,
	},
	[XURING_OP_WRITEV] = {
		.name			= "WRITEV",
		.needs_file		= 1,
		.ioprio			= 1,
		.iopoll			= 1,
		.unbound_nonreg_file	= 1,
		.hash_reg_file		= 1,
		.plug			= 1,
		.prep			= xr_prep_writev,
		.issue			= xr_write,
		.cleanup		= xr_rw_cleanup,
		.reissue		= xr_rw_reissue,
	},
	[XURING_OP_FSYNC] = {
		.name			= "FSYNC",
		.needs_file		= 1,
		.prep			= xr_fsync_prep,
		.issue			= xr_fsync,
	},
	[XURING_OP_READ_FIXED] = {
		.name			= "READ_FIXED",
		.needs_file		= 1,
		.ioprio			= 1,
		.fixed_buf		= 1,
		.iopoll			= 1,
		.unbound_nonreg_file	= 1,
		.plug			= 1,
		.prep			= xr_prep_read_fixed,
		.issue			= xr_read,
		.cleanup		= xr_rw_cleanup,
		.reissue		= xr_rw_reissue,
	},
	[XURING_OP_WRITE_FIXED] = {
		.name			= "WRITE_FIXED",
		.needs_file		= 1,
		.ioprio			= 1,
		.fixed_buf		= 1,
		.iopoll			= 1,
		.unbound_nonreg_file	= 1,
		.hash_reg_file		= 1,
		.plug			= 1,
		.prep			= xr_prep_write_fixed,
		.issue			= xr_write,
		.cleanup		= xr_rw_cleanup,
		.reissue		= xr_rw_reissue,
	},
	[XURING_OP_SYNC_FILE_RANGE] = {
		.name			= "SYNC_FILE_RANGE",
		.needs_file		= 1,
		.prep			= xr_sync_file_range_prep,
		.issue			= xr_sync_file_range,
	},
	[XURING_OP_FALLOCATE] = {
		.name			= "FALLOCATE",
		.needs_file		= 1,
		.hash_reg_file		= 1,
		.prep			= xr_fallocate_prep,
		.issue			= xr_fallocate,
	},
	[XURING_OP_READ] = {
		.name			= "READ",
		.needs_file		= 1,
		.ioprio			= 1,
		.iopoll			= 1,
		.unbound_nonreg_file	= 1,
		.plug			= 1,
		.prep			= xr_prep_read,
		.issue			= xr_read,
		.cleanup		= xr_rw_cleanup,
		.reissue		= xr_rw_reissue,
	},
	[XURING_OP_WRITE] = {
		.name			= "WRITE",
		.needs_file		= 1,
		.ioprio			= 1,
		.iopoll			= 1,
		.unbound_nonreg_file	= 1,
		.hash_reg_file		= 1,
		.plug			= 1,
		.prep			= xr_prep_write,
		.issue			= xr_write,
		.cleanup		= xr_rw_cleanup,
		.reissue		= xr_rw_reissue,
	},
	[XURING_OP_FADVISE] = {
		.name			= "FADVISE",
		.needs_file		= 1,
		.prep			= xr_fadvise_prep,
		.issue			= xr_fadvise,
	},
};

bool xr_op_supported(unsigned int opcode)
{
	return opcode < XURING_OP_LAST && xr_op_defs[opcode].prep;
}

/* The opcode of the row named @name, in any case, or -ENOENT. */
int xr_op_by_name(const char *name)
{
	unsigned int op;

	for (op = 0; op < XURING_OP_LAST; op++) {
		if (xr_op_supported(op) && !strcasecmp(name, xr_op_defs[op].name))
			return op;
	}
	return -ENOENT;
}
