// SPDX-License-Identifier: GPL-2.0
/*
 * The xuring ABI is io_uring's: every structure in <linux/xuring.h> must be
 * laid out byte for byte like its twin in Linux 6.1's <linux/io_uring.h>,
 * and every constant must have io_uring's value. Checked field by field
 * against the system's io_uring header; needs no device.
 */
#include <stddef.h>

#include <linux/io_uring.h>
#include <linux/xuring.h>

#include "kselftest_harness.h"

#define FIELD_SIZE(type, field)	sizeof(((type *)0)->field)

/* Same offset and size of a field in struct xuring_<x> and io_uring_<x>. */
#define EXPECT_FIELD(xstruct, istruct, field) do {			\
	EXPECT_EQ(offsetof(struct istruct, field),			\
		  offsetof(struct xstruct, field))			\
		TH_LOG("offsetof(" #xstruct ", " #field ")");		\
	EXPECT_EQ(FIELD_SIZE(struct istruct, field),			\
		  FIELD_SIZE(struct xstruct, field))			\
		TH_LOG("sizeof(" #xstruct "." #field ")");		\
} while (0)

#define EXPECT_SIZE(xstruct, istruct)					\
	EXPECT_EQ(sizeof(struct istruct), sizeof(struct xstruct))	\
		TH_LOG("sizeof(struct " #xstruct ")")

#define EXPECT_ALIGN(xstruct, istruct)					\
	EXPECT_EQ(_Alignof(struct istruct), _Alignof(struct xstruct))	\
		TH_LOG("_Alignof(struct " #xstruct ")")

/* A constant of xuring equals its io_uring twin, whatever their types. */
#define EXPECT_CONST(xname, iname)					\
	EXPECT_EQ((long long)(iname), (long long)(xname))		\
		TH_LOG(#xname " != " #iname)

TEST(sqe_layout)
{
	EXPECT_EQ(64UL, sizeof(struct xuring_sqe));
	EXPECT_SIZE(xuring_sqe, io_uring_sqe);
	EXPECT_ALIGN(xuring_sqe, io_uring_sqe);

	EXPECT_FIELD(xuring_sqe, io_uring_sqe, opcode);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, ioprio);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, fd);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, off);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, addr2);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, cmd_op);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, __pad1);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, addr);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, splice_off_in);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, len);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, rw_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, fsync_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, poll_events);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, poll32_events);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, sync_range_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, msg_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, timeout_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, accept_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, cancel_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, open_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, statx_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, fadvise_advice);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, splice_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, rename_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, unlink_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, hardlink_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, xattr_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, msg_ring_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, uring_cmd_flags);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, user_data);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, buf_index);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, buf_group);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, personality);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, splice_fd_in);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, file_index);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, addr_len);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, __pad3);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, addr3);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, __pad2);
	EXPECT_FIELD(xuring_sqe, io_uring_sqe, cmd);
}

TEST(cqe_layout)
{
	EXPECT_EQ(16UL, sizeof(struct xuring_cqe));
	EXPECT_SIZE(xuring_cqe, io_uring_cqe);
	EXPECT_ALIGN(xuring_cqe, io_uring_cqe);
	EXPECT_FIELD(xuring_cqe, io_uring_cqe, user_data);
	EXPECT_FIELD(xuring_cqe, io_uring_cqe, res);
	EXPECT_FIELD(xuring_cqe, io_uring_cqe, flags);
}

TEST(params_layout)
{
	EXPECT_EQ(120UL, sizeof(struct xuring_params));
	EXPECT_SIZE(xuring_params, io_uring_params);
	EXPECT_ALIGN(xuring_params, io_uring_params);
	EXPECT_FIELD(xuring_params, io_uring_params, sq_entries);
	EXPECT_FIELD(xuring_params, io_uring_params, cq_entries);
	EXPECT_FIELD(xuring_params, io_uring_params, flags);
	EXPECT_FIELD(xuring_params, io_uring_params, sq_thread_cpu);
	EXPECT_FIELD(xuring_params, io_uring_params, sq_thread_idle);
	EXPECT_FIELD(xuring_params, io_uring_params, features);
	EXPECT_FIELD(xuring_params, io_uring_params, wq_fd);
	EXPECT_FIELD(xuring_params, io_uring_params, resv);
	EXPECT_FIELD(xuring_params, io_uring_params, sq_off);
	EXPECT_FIELD(xuring_params, io_uring_params, cq_off);
}

TEST(sqring_offsets_layout)
{
	EXPECT_EQ(40UL, sizeof(struct xuring_sqring_offsets));
	EXPECT_SIZE(xuring_sqring_offsets, io_sqring_offsets);
	EXPECT_ALIGN(xuring_sqring_offsets, io_sqring_offsets);
	EXPECT_FIELD(xuring_sqring_offsets, io_sqring_offsets, head);
	EXPECT_FIELD(xuring_sqring_offsets, io_sqring_offsets, tail);
	EXPECT_FIELD(xuring_sqring_offsets, io_sqring_offsets, ring_mask);
	EXPECT_FIELD(xuring_sqring_offsets, io_sqring_offsets, ring_entries);
	EXPECT_FIELD(xuring_sqring_offsets, io_sqring_offsets, flags);
	EXPECT_FIELD(xuring_sqring_offsets, io_sqring_offsets, dropped);
	EXPECT_FIELD(xuring_sqring_offsets, io_sqring_offsets, array);
	EXPECT_FIELD(xuring_sqring_offsets, io_sqring_offsets, resv1);
	EXPECT_FIELD(xuring_sqring_offsets, io_sqring_offsets, resv2);
}

TEST(cqring_offsets_layout)
{
	EXPECT_EQ(40UL, sizeof(struct xuring_cqring_offsets));
	EXPECT_SIZE(xuring_cqring_offsets, io_cqring_offsets);
	EXPECT_ALIGN(xuring_cqring_offsets, io_cqring_offsets);
	EXPECT_FIELD(xuring_cqring_offsets, io_cqring_offsets, head);
	EXPECT_FIELD(xuring_cqring_offsets, io_cqring_offsets, tail);
	EXPECT_FIELD(xuring_cqring_offsets, io_cqring_offsets, ring_mask);
	EXPECT_FIELD(xuring_cqring_offsets, io_cqring_offsets, ring_entries);
	EXPECT_FIELD(xuring_cqring_offsets, io_cqring_offsets, overflow);
	EXPECT_FIELD(xuring_cqring_offsets, io_cqring_offsets, cqes);
	EXPECT_FIELD(xuring_cqring_offsets, io_cqring_offsets, flags);
	EXPECT_FIELD(xuring_cqring_offsets, io_cqring_offsets, resv1);
	EXPECT_FIELD(xuring_cqring_offsets, io_cqring_offsets, resv2);
}

TEST(probe_layout)
{
	EXPECT_EQ(16UL, sizeof(struct xuring_probe));
	EXPECT_SIZE(xuring_probe, io_uring_probe);
	EXPECT_ALIGN(xuring_probe, io_uring_probe);
	EXPECT_FIELD(xuring_probe, io_uring_probe, last_op);
	EXPECT_FIELD(xuring_probe, io_uring_probe, ops_len);
	EXPECT_FIELD(xuring_probe, io_uring_probe, resv);
	EXPECT_FIELD(xuring_probe, io_uring_probe, resv2);
	EXPECT_EQ(offsetof(struct io_uring_probe, ops),
		  offsetof(struct xuring_probe, ops));

	EXPECT_EQ(8UL, sizeof(struct xuring_probe_op));
	EXPECT_SIZE(xuring_probe_op, io_uring_probe_op);
	EXPECT_ALIGN(xuring_probe_op, io_uring_probe_op);
	EXPECT_FIELD(xuring_probe_op, io_uring_probe_op, op);
	EXPECT_FIELD(xuring_probe_op, io_uring_probe_op, resv);
	EXPECT_FIELD(xuring_probe_op, io_uring_probe_op, flags);
	EXPECT_FIELD(xuring_probe_op, io_uring_probe_op, resv2);
}

TEST(getevents_arg_layout)
{
	EXPECT_EQ(24UL, sizeof(struct xuring_getevents_arg));
	EXPECT_SIZE(xuring_getevents_arg, io_uring_getevents_arg);
	EXPECT_ALIGN(xuring_getevents_arg, io_uring_getevents_arg);
	EXPECT_FIELD(xuring_getevents_arg, io_uring_getevents_arg, sigmask);
	EXPECT_FIELD(xuring_getevents_arg, io_uring_getevents_arg, sigmask_sz);
	EXPECT_FIELD(xuring_getevents_arg, io_uring_getevents_arg, pad);
	EXPECT_FIELD(xuring_getevents_arg, io_uring_getevents_arg, ts);
}

TEST(rsrc_structs_layout)
{
	EXPECT_SIZE(xuring_files_update, io_uring_files_update);
	EXPECT_ALIGN(xuring_files_update, io_uring_files_update);
	EXPECT_FIELD(xuring_files_update, io_uring_files_update, offset);
	EXPECT_FIELD(xuring_files_update, io_uring_files_update, resv);
	EXPECT_FIELD(xuring_files_update, io_uring_files_update, fds);

	EXPECT_SIZE(xuring_rsrc_register, io_uring_rsrc_register);
	EXPECT_ALIGN(xuring_rsrc_register, io_uring_rsrc_register);
	EXPECT_FIELD(xuring_rsrc_register, io_uring_rsrc_register, nr);
	EXPECT_FIELD(xuring_rsrc_register, io_uring_rsrc_register, flags);
	EXPECT_FIELD(xuring_rsrc_register, io_uring_rsrc_register, resv2);
	EXPECT_FIELD(xuring_rsrc_register, io_uring_rsrc_register, data);
	EXPECT_FIELD(xuring_rsrc_register, io_uring_rsrc_register, tags);

	EXPECT_SIZE(xuring_rsrc_update, io_uring_rsrc_update);
	EXPECT_ALIGN(xuring_rsrc_update, io_uring_rsrc_update);
	EXPECT_FIELD(xuring_rsrc_update, io_uring_rsrc_update, offset);
	EXPECT_FIELD(xuring_rsrc_update, io_uring_rsrc_update, resv);
	EXPECT_FIELD(xuring_rsrc_update, io_uring_rsrc_update, data);

	EXPECT_SIZE(xuring_rsrc_update2, io_uring_rsrc_update2);
	EXPECT_ALIGN(xuring_rsrc_update2, io_uring_rsrc_update2);
	EXPECT_FIELD(xuring_rsrc_update2, io_uring_rsrc_update2, offset);
	EXPECT_FIELD(xuring_rsrc_update2, io_uring_rsrc_update2, resv);
	EXPECT_FIELD(xuring_rsrc_update2, io_uring_rsrc_update2, data);
	EXPECT_FIELD(xuring_rsrc_update2, io_uring_rsrc_update2, tags);
	EXPECT_FIELD(xuring_rsrc_update2, io_uring_rsrc_update2, nr);
	EXPECT_FIELD(xuring_rsrc_update2, io_uring_rsrc_update2, resv2);
}

TEST(opcodes)
{
	EXPECT_CONST(XURING_OP_NOP, IORING_OP_NOP);
	EXPECT_CONST(XURING_OP_READV, IORING_OP_READV);
	EXPECT_CONST(XURING_OP_WRITEV, IORING_OP_WRITEV);
	EXPECT_CONST(XURING_OP_FSYNC, IORING_OP_FSYNC);
	EXPECT_CONST(XURING_OP_READ_FIXED, IORING_OP_READ_FIXED);
	EXPECT_CONST(XURING_OP_WRITE_FIXED, IORING_OP_WRITE_FIXED);
	EXPECT_CONST(XURING_OP_SYNC_FILE_RANGE, IORING_OP_SYNC_FILE_RANGE);
	EXPECT_CONST(XURING_OP_FALLOCATE, IORING_OP_FALLOCATE);
	EXPECT_CONST(XURING_OP_READ, IORING_OP_READ);
	EXPECT_CONST(XURING_OP_WRITE, IORING_OP_WRITE);
	EXPECT_CONST(XURING_OP_FADVISE, IORING_OP_FADVISE);
	EXPECT_CONST(XURING_OP_LAST, IORING_OP_LAST);
	EXPECT_CONST(XURING_FSYNC_DATASYNC, IORING_FSYNC_DATASYNC);
}

TEST(sqe_flags)
{
	EXPECT_CONST(XURING_SQE_FIXED_FILE_BIT, IOSQE_FIXED_FILE_BIT);
	EXPECT_CONST(XURING_SQE_IO_DRAIN_BIT, IOSQE_IO_DRAIN_BIT);
	EXPECT_CONST(XURING_SQE_IO_LINK_BIT, IOSQE_IO_LINK_BIT);
	EXPECT_CONST(XURING_SQE_IO_HARDLINK_BIT, IOSQE_IO_HARDLINK_BIT);
	EXPECT_CONST(XURING_SQE_ASYNC_BIT, IOSQE_ASYNC_BIT);
	EXPECT_CONST(XURING_SQE_BUFFER_SELECT_BIT, IOSQE_BUFFER_SELECT_BIT);
	EXPECT_CONST(XURING_SQE_CQE_SKIP_SUCCESS_BIT,
		     IOSQE_CQE_SKIP_SUCCESS_BIT);

	EXPECT_CONST(XURING_SQE_FIXED_FILE, IOSQE_FIXED_FILE);
	EXPECT_CONST(XURING_SQE_IO_DRAIN, IOSQE_IO_DRAIN);
	EXPECT_CONST(XURING_SQE_IO_LINK, IOSQE_IO_LINK);
	EXPECT_CONST(XURING_SQE_IO_HARDLINK, IOSQE_IO_HARDLINK);
	EXPECT_CONST(XURING_SQE_ASYNC, IOSQE_ASYNC);
	EXPECT_CONST(XURING_SQE_BUFFER_SELECT, IOSQE_BUFFER_SELECT);
	EXPECT_CONST(XURING_SQE_CQE_SKIP_SUCCESS, IOSQE_CQE_SKIP_SUCCESS);
}

TEST(setup_flags)
{
	EXPECT_CONST(XURING_SETUP_IOPOLL, IORING_SETUP_IOPOLL);
	EXPECT_CONST(XURING_SETUP_SQPOLL, IORING_SETUP_SQPOLL);
	EXPECT_CONST(XURING_SETUP_SQ_AFF, IORING_SETUP_SQ_AFF);
	EXPECT_CONST(XURING_SETUP_CQSIZE, IORING_SETUP_CQSIZE);
	EXPECT_CONST(XURING_SETUP_CLAMP, IORING_SETUP_CLAMP);
	EXPECT_CONST(XURING_SETUP_ATTACH_WQ, IORING_SETUP_ATTACH_WQ);
	EXPECT_CONST(XURING_SETUP_R_DISABLED, IORING_SETUP_R_DISABLED);
	EXPECT_CONST(XURING_SETUP_SUBMIT_ALL, IORING_SETUP_SUBMIT_ALL);
	EXPECT_CONST(XURING_SETUP_COOP_TASKRUN, IORING_SETUP_COOP_TASKRUN);
	EXPECT_CONST(XURING_SETUP_TASKRUN_FLAG, IORING_SETUP_TASKRUN_FLAG);
	EXPECT_CONST(XURING_SETUP_SQE128, IORING_SETUP_SQE128);
	EXPECT_CONST(XURING_SETUP_CQE32, IORING_SETUP_CQE32);
	EXPECT_CONST(XURING_SETUP_SINGLE_ISSUER, IORING_SETUP_SINGLE_ISSUER);
	EXPECT_CONST(XURING_SETUP_DEFER_TASKRUN, IORING_SETUP_DEFER_TASKRUN);
}

TEST(enter_flags)
{
	EXPECT_CONST(XURING_ENTER_GETEVENTS, IORING_ENTER_GETEVENTS);
	EXPECT_CONST(XURING_ENTER_SQ_WAKEUP, IORING_ENTER_SQ_WAKEUP);
	EXPECT_CONST(XURING_ENTER_SQ_WAIT, IORING_ENTER_SQ_WAIT);
	EXPECT_CONST(XURING_ENTER_EXT_ARG, IORING_ENTER_EXT_ARG);
	EXPECT_CONST(XURING_ENTER_REGISTERED_RING,
		     IORING_ENTER_REGISTERED_RING);
}

TEST(feature_flags)
{
	EXPECT_CONST(XURING_FEAT_SINGLE_MMAP, IORING_FEAT_SINGLE_MMAP);
	EXPECT_CONST(XURING_FEAT_NODROP, IORING_FEAT_NODROP);
	EXPECT_CONST(XURING_FEAT_SUBMIT_STABLE, IORING_FEAT_SUBMIT_STABLE);
	EXPECT_CONST(XURING_FEAT_RW_CUR_POS, IORING_FEAT_RW_CUR_POS);
	EXPECT_CONST(XURING_FEAT_CUR_PERSONALITY,
		     IORING_FEAT_CUR_PERSONALITY);
	EXPECT_CONST(XURING_FEAT_FAST_POLL, IORING_FEAT_FAST_POLL);
	EXPECT_CONST(XURING_FEAT_POLL_32BITS, IORING_FEAT_POLL_32BITS);
	EXPECT_CONST(XURING_FEAT_SQPOLL_NONFIXED,
		     IORING_FEAT_SQPOLL_NONFIXED);
	EXPECT_CONST(XURING_FEAT_EXT_ARG, IORING_FEAT_EXT_ARG);
	EXPECT_CONST(XURING_FEAT_NATIVE_WORKERS, IORING_FEAT_NATIVE_WORKERS);
	EXPECT_CONST(XURING_FEAT_RSRC_TAGS, IORING_FEAT_RSRC_TAGS);
	EXPECT_CONST(XURING_FEAT_CQE_SKIP, IORING_FEAT_CQE_SKIP);
	EXPECT_CONST(XURING_FEAT_LINKED_FILE, IORING_FEAT_LINKED_FILE);
}

TEST(register_opcodes)
{
	EXPECT_CONST(XURING_REGISTER_BUFFERS, IORING_REGISTER_BUFFERS);
	EXPECT_CONST(XURING_UNREGISTER_BUFFERS, IORING_UNREGISTER_BUFFERS);
	EXPECT_CONST(XURING_REGISTER_FILES, IORING_REGISTER_FILES);
	EXPECT_CONST(XURING_UNREGISTER_FILES, IORING_UNREGISTER_FILES);
	EXPECT_CONST(XURING_REGISTER_FILES_UPDATE,
		     IORING_REGISTER_FILES_UPDATE);
	EXPECT_CONST(XURING_REGISTER_PROBE, IORING_REGISTER_PROBE);
	EXPECT_CONST(XURING_REGISTER_FILES2, IORING_REGISTER_FILES2);
	EXPECT_CONST(XURING_REGISTER_FILES_UPDATE2,
		     IORING_REGISTER_FILES_UPDATE2);
	EXPECT_CONST(XURING_REGISTER_BUFFERS2, IORING_REGISTER_BUFFERS2);
	EXPECT_CONST(XURING_REGISTER_IOWQ_MAX_WORKERS,
		     IORING_REGISTER_IOWQ_MAX_WORKERS);
	EXPECT_CONST(XURING_REGISTER_LAST, IORING_REGISTER_LAST);

	EXPECT_CONST(XURING_WQ_BOUND, IO_WQ_BOUND);
	EXPECT_CONST(XURING_WQ_UNBOUND, IO_WQ_UNBOUND);
	EXPECT_CONST(XURING_RSRC_REGISTER_SPARSE, IORING_RSRC_REGISTER_SPARSE);
	EXPECT_CONST(XURING_REGISTER_FILES_SKIP, IORING_REGISTER_FILES_SKIP);
	EXPECT_CONST(XURING_OP_SUPPORTED, IO_URING_OP_SUPPORTED);
}

TEST(ring_constants)
{
	EXPECT_CONST(XURING_OFF_SQ_RING, IORING_OFF_SQ_RING);
	EXPECT_CONST(XURING_OFF_CQ_RING, IORING_OFF_CQ_RING);
	EXPECT_CONST(XURING_OFF_SQES, IORING_OFF_SQES);
	EXPECT_CONST(XURING_OFF_MMAP_MASK, IORING_OFF_MMAP_MASK);

	EXPECT_CONST(XURING_SQ_NEED_WAKEUP, IORING_SQ_NEED_WAKEUP);
	EXPECT_CONST(XURING_SQ_CQ_OVERFLOW, IORING_SQ_CQ_OVERFLOW);
	EXPECT_CONST(XURING_SQ_TASKRUN, IORING_SQ_TASKRUN);
	EXPECT_CONST(XURING_CQ_EVENTFD_DISABLED, IORING_CQ_EVENTFD_DISABLED);

	EXPECT_CONST(XURING_CQE_F_BUFFER, IORING_CQE_F_BUFFER);
	EXPECT_CONST(XURING_CQE_F_MORE, IORING_CQE_F_MORE);
	EXPECT_CONST(XURING_CQE_F_SOCK_NONEMPTY, IORING_CQE_F_SOCK_NONEMPTY);
	EXPECT_CONST(XURING_CQE_F_NOTIF, IORING_CQE_F_NOTIF);
}

/* The ioctl argument structures are xuring's own: pin their layout. */
TEST(ioctl_arg_layout)
{
	EXPECT_EQ(16UL, sizeof(struct xuring_setup_arg));
	EXPECT_EQ(0UL, offsetof(struct xuring_setup_arg, entries));
	EXPECT_EQ(4UL, offsetof(struct xuring_setup_arg, resv));
	EXPECT_EQ(8UL, offsetof(struct xuring_setup_arg, params));

	EXPECT_EQ(32UL, sizeof(struct xuring_enter_arg));
	EXPECT_EQ(0UL, offsetof(struct xuring_enter_arg, to_submit));
	EXPECT_EQ(4UL, offsetof(struct xuring_enter_arg, min_complete));
	EXPECT_EQ(8UL, offsetof(struct xuring_enter_arg, flags));
	EXPECT_EQ(12UL, offsetof(struct xuring_enter_arg, resv));
	EXPECT_EQ(16UL, offsetof(struct xuring_enter_arg, arg));
	EXPECT_EQ(24UL, offsetof(struct xuring_enter_arg, argsz));

	EXPECT_EQ(16UL, sizeof(struct xuring_register_arg));
	EXPECT_EQ(0UL, offsetof(struct xuring_register_arg, opcode));
	EXPECT_EQ(4UL, offsetof(struct xuring_register_arg, nr_args));
	EXPECT_EQ(8UL, offsetof(struct xuring_register_arg, arg));
}

TEST(ioctl_numbers)
{
	EXPECT_EQ(0xB9, XURING_IOC_MAGIC);

	EXPECT_EQ((unsigned int)_IOC_WRITE, _IOC_DIR(XURING_IOC_SETUP));
	EXPECT_EQ(0xB9U, _IOC_TYPE(XURING_IOC_SETUP));
	EXPECT_EQ(0U, _IOC_NR(XURING_IOC_SETUP));
	EXPECT_EQ(16U, _IOC_SIZE(XURING_IOC_SETUP));

	EXPECT_EQ((unsigned int)_IOC_WRITE, _IOC_DIR(XURING_IOC_ENTER));
	EXPECT_EQ(0xB9U, _IOC_TYPE(XURING_IOC_ENTER));
	EXPECT_EQ(1U, _IOC_NR(XURING_IOC_ENTER));
	EXPECT_EQ(32U, _IOC_SIZE(XURING_IOC_ENTER));

	EXPECT_EQ((unsigned int)_IOC_WRITE, _IOC_DIR(XURING_IOC_REGISTER));
	EXPECT_EQ(0xB9U, _IOC_TYPE(XURING_IOC_REGISTER));
	EXPECT_EQ(2U, _IOC_NR(XURING_IOC_REGISTER));
	EXPECT_EQ(16U, _IOC_SIZE(XURING_IOC_REGISTER));
}

TEST_HARNESS_MAIN
