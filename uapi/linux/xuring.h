/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * xuring: an io_uring-style asynchronous I/O interface provided by a
 * loadable module through /dev/xuring.
 *
 * Every structure below is laid out byte for byte like its io_uring
 * counterpart in Linux 6.1 (<linux/io_uring.h>), and every opcode, flag,
 * feature bit and register opcode xuring implements has io_uring's value.
 * That identity lets liburing programs run on xuring; the selftests check
 * it field by field. The system calls io_uring_setup/enter/register are
 * replaced by the three ioctls at the end of this file.
 */
#ifndef _UAPI_LINUX_XURING_H
#define _UAPI_LINUX_XURING_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/time_types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XURING_DEVICE_PATH	"/dev/xuring"

/*
 * Submission queue entry (64 bytes, as struct io_uring_sqe).
 */
struct xuring_sqe {
	__u8	opcode;		/* XURING_OP_* */
	__u8	flags;		/* XURING_SQE_* */
	__u16	ioprio;		/* I/O priority (see ioprio_set(2)) */
	__s32	fd;		/* file descriptor, or fixed file index */
	union {
		__u64	off;	/* file offset; -1 means the file position */
		__u64	addr2;
		struct {
			__u32	cmd_op;
			__u32	__pad1;
		};
	};
	union {
		__u64	addr;	/* buffer or iovec array */
		__u64	splice_off_in;
	};
	__u32	len;		/* buffer length or number of iovecs */
	union {
		__u32		rw_flags;	/* RWF_* */
		__u32		fsync_flags;	/* XURING_FSYNC_* */
		__u16		poll_events;
		__u32		poll32_events;
		__u32		sync_range_flags; /* SYNC_FILE_RANGE_* */
		__u32		msg_flags;
		__u32		timeout_flags;
		__u32		accept_flags;
		__u32		cancel_flags;
		__u32		open_flags;
		__u32		statx_flags;
		__u32		fadvise_advice;	/* POSIX_FADV_* */
		__u32		splice_flags;
		__u32		rename_flags;
		__u32		unlink_flags;
		__u32		hardlink_flags;
		__u32		xattr_flags;
		__u32		msg_ring_flags;
		__u32		uring_cmd_flags;
	};
	__u64	user_data;	/* returned untouched in the CQE */
	union {
		__u16	buf_index;	/* fixed buffer index */
		__u16	buf_group;
	} __attribute__((packed));
	__u16	personality;	/* must be 0: personalities are not supported */
	union {
		__s32	splice_fd_in;
		__u32	file_index;
		struct {
			__u16	addr_len;
			__u16	__pad3[1];
		};
	};
	union {
		struct {
			__u64	addr3;
			__u64	__pad2[1];
		};
		__u8	cmd[0];
	};
};

/* sqe->flags bits */
enum {
	XURING_SQE_FIXED_FILE_BIT,
	XURING_SQE_IO_DRAIN_BIT,
	XURING_SQE_IO_LINK_BIT,
	XURING_SQE_IO_HARDLINK_BIT,
	XURING_SQE_ASYNC_BIT,
	XURING_SQE_BUFFER_SELECT_BIT,
	XURING_SQE_CQE_SKIP_SUCCESS_BIT,
};

/* sqe->fd is an index into the registered file table */
#define XURING_SQE_FIXED_FILE		(1U << XURING_SQE_FIXED_FILE_BIT)
/* start only after every earlier request completed, and hold back later ones */
#define XURING_SQE_IO_DRAIN		(1U << XURING_SQE_IO_DRAIN_BIT)
/* the next SQE starts when this one succeeds */
#define XURING_SQE_IO_LINK		(1U << XURING_SQE_IO_LINK_BIT)
/* the next SQE starts when this one completes, whatever its result */
#define XURING_SQE_IO_HARDLINK		(1U << XURING_SQE_IO_HARDLINK_BIT)
/* never try inline: go straight to an io-wq worker */
#define XURING_SQE_ASYNC		(1U << XURING_SQE_ASYNC_BIT)
/* io_uring's provided-buffer selection; not supported by xuring */
#define XURING_SQE_BUFFER_SELECT	(1U << XURING_SQE_BUFFER_SELECT_BIT)
/* post no CQE when the request succeeds */
#define XURING_SQE_CQE_SKIP_SUCCESS	(1U << XURING_SQE_CQE_SKIP_SUCCESS_BIT)

/* setup flags (xuring_params.flags) */
#define XURING_SETUP_IOPOLL		(1U << 0)	/* busy-poll for completions */
#define XURING_SETUP_SQPOLL		(1U << 1)	/* kernel thread consumes the SQ */
#define XURING_SETUP_SQ_AFF		(1U << 2)	/* sq_thread_cpu is valid */
#define XURING_SETUP_CQSIZE		(1U << 3)	/* cq_entries is valid */
#define XURING_SETUP_CLAMP		(1U << 4)	/* clamp sizes to the maxima */
#define XURING_SETUP_ATTACH_WQ		(1U << 5)	/* share wq_fd's SQ thread */
#define XURING_SETUP_R_DISABLED		(1U << 6)	/* reserved */
#define XURING_SETUP_SUBMIT_ALL		(1U << 7)	/* keep submitting after an error */
#define XURING_SETUP_COOP_TASKRUN	(1U << 8)	/* accepted; xuring never IPIs */
#define XURING_SETUP_TASKRUN_FLAG	(1U << 9)	/* accepted; never set */
#define XURING_SETUP_SQE128		(1U << 10)	/* reserved */
#define XURING_SETUP_CQE32		(1U << 11)	/* reserved */
#define XURING_SETUP_SINGLE_ISSUER	(1U << 12)	/* only the creating task submits */
#define XURING_SETUP_DEFER_TASKRUN	(1U << 13)	/* accepted with SINGLE_ISSUER */

/* Opcodes: io_uring's numbers for every operation xuring implements. */
enum xuring_op {
	XURING_OP_NOP			= 0,
	XURING_OP_READV			= 1,
	XURING_OP_WRITEV		= 2,
	XURING_OP_FSYNC			= 3,
	XURING_OP_READ_FIXED		= 4,
	XURING_OP_WRITE_FIXED		= 5,
	XURING_OP_SYNC_FILE_RANGE	= 8,
	XURING_OP_FALLOCATE		= 17,
	XURING_OP_READ			= 22,
	XURING_OP_WRITE			= 23,
	XURING_OP_FADVISE		= 24,

	/*
	 * One past the last opcode of io_uring 6.1. Opcodes below this that
	 * xuring does not implement complete with -EOPNOTSUPP; opcodes at or
	 * above it with -EINVAL.
	 */
	XURING_OP_LAST			= 49,
};

/* sqe->fsync_flags */
#define XURING_FSYNC_DATASYNC		(1U << 0)

/*
 * Completion queue entry (16 bytes, as struct io_uring_cqe).
 */
struct xuring_cqe {
	__u64	user_data;	/* sqe->user_data */
	__s32	res;		/* result, or -errno */
	__u32	flags;		/* XURING_CQE_F_* */
};

#define XURING_CQE_F_BUFFER		(1U << 0)
#define XURING_CQE_F_MORE		(1U << 1)
#define XURING_CQE_F_SOCK_NONEMPTY	(1U << 2)
#define XURING_CQE_F_NOTIF		(1U << 3)

/* mmap(2) offsets of the three regions of a ring */
#define XURING_OFF_SQ_RING		0ULL
#define XURING_OFF_CQ_RING		0x8000000ULL
#define XURING_OFF_SQES			0x10000000ULL
#define XURING_OFF_MMAP_MASK		0xf8000000ULL

/* Offsets within the SQ ring mapping, filled in by XURING_IOC_SETUP */
struct xuring_sqring_offsets {
	__u32 head;
	__u32 tail;
	__u32 ring_mask;
	__u32 ring_entries;
	__u32 flags;
	__u32 dropped;
	__u32 array;
	__u32 resv1;
	__u64 resv2;
};

/* SQ ring flags word */
#define XURING_SQ_NEED_WAKEUP		(1U << 0)	/* SQ thread sleeps: ENTER with SQ_WAKEUP */
#define XURING_SQ_CQ_OVERFLOW		(1U << 1)	/* CQEs wait in the overflow list */
#define XURING_SQ_TASKRUN		(1U << 2)	/* never set by xuring */

/* Offsets within the CQ ring mapping */
struct xuring_cqring_offsets {
	__u32 head;
	__u32 tail;
	__u32 ring_mask;
	__u32 ring_entries;
	__u32 overflow;
	__u32 cqes;
	__u32 flags;
	__u32 resv1;
	__u64 resv2;
};

#define XURING_CQ_EVENTFD_DISABLED	(1U << 0)

/* XURING_IOC_ENTER flags */
#define XURING_ENTER_GETEVENTS		(1U << 0)
#define XURING_ENTER_SQ_WAKEUP		(1U << 1)
#define XURING_ENTER_SQ_WAIT		(1U << 2)
#define XURING_ENTER_EXT_ARG		(1U << 3)
#define XURING_ENTER_REGISTERED_RING	(1U << 4)	/* not supported */

/* Ring parameters, as struct io_uring_params */
struct xuring_params {
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 flags;
	__u32 sq_thread_cpu;
	__u32 sq_thread_idle;
	__u32 features;
	__u32 wq_fd;
	__u32 resv[3];
	struct xuring_sqring_offsets sq_off;
	struct xuring_cqring_offsets cq_off;
};

/* xuring_params.features */
#define XURING_FEAT_SINGLE_MMAP		(1U << 0)
#define XURING_FEAT_NODROP		(1U << 1)
#define XURING_FEAT_SUBMIT_STABLE	(1U << 2)
#define XURING_FEAT_RW_CUR_POS		(1U << 3)
#define XURING_FEAT_CUR_PERSONALITY	(1U << 4)
#define XURING_FEAT_FAST_POLL		(1U << 5)
#define XURING_FEAT_POLL_32BITS		(1U << 6)
#define XURING_FEAT_SQPOLL_NONFIXED	(1U << 7)
#define XURING_FEAT_EXT_ARG		(1U << 8)
#define XURING_FEAT_NATIVE_WORKERS	(1U << 9)
#define XURING_FEAT_RSRC_TAGS		(1U << 10)
#define XURING_FEAT_CQE_SKIP		(1U << 11)
#define XURING_FEAT_LINKED_FILE		(1U << 12)

/* XURING_IOC_REGISTER opcodes (io_uring_register(2) values) */
enum {
	XURING_REGISTER_BUFFERS			= 0,
	XURING_UNREGISTER_BUFFERS		= 1,
	XURING_REGISTER_FILES			= 2,
	XURING_UNREGISTER_FILES			= 3,
	XURING_REGISTER_FILES_UPDATE		= 6,
	XURING_REGISTER_PROBE			= 8,
	XURING_REGISTER_FILES2			= 13,
	XURING_REGISTER_FILES_UPDATE2		= 14,
	XURING_REGISTER_BUFFERS2		= 15,
	XURING_REGISTER_IOWQ_MAX_WORKERS	= 19,

	XURING_REGISTER_LAST			= 26,
};

/* io-wq worker classes, indexes of the XURING_REGISTER_IOWQ_MAX_WORKERS array */
enum {
	XURING_WQ_BOUND,
	XURING_WQ_UNBOUND,
};

/* XURING_REGISTER_FILES_UPDATE argument (as struct io_uring_files_update) */
struct xuring_files_update {
	__u32 offset;
	__u32 resv;
	__aligned_u64 fds;		/* __s32 * */
};

/* register a table of nr empty slots instead of passing an array of -1 */
#define XURING_RSRC_REGISTER_SPARSE	(1U << 0)

/* XURING_REGISTER_FILES2 / BUFFERS2 argument (as io_uring_rsrc_register) */
struct xuring_rsrc_register {
	__u32 nr;
	__u32 flags;
	__u64 resv2;
	__aligned_u64 data;
	__aligned_u64 tags;		/* must be 0: tags are not supported */
};

/* as struct io_uring_rsrc_update */
struct xuring_rsrc_update {
	__u32 offset;
	__u32 resv;
	__aligned_u64 data;
};

/* XURING_REGISTER_FILES_UPDATE2 argument (as io_uring_rsrc_update2) */
struct xuring_rsrc_update2 {
	__u32 offset;
	__u32 resv;
	__aligned_u64 data;
	__aligned_u64 tags;
	__u32 nr;
	__u32 resv2;
};

/* leave this slot alone in a files update */
#define XURING_REGISTER_FILES_SKIP	(-2)

#define XURING_OP_SUPPORTED		(1U << 0)

struct xuring_probe_op {
	__u8 op;
	__u8 resv;
	__u16 flags;	/* XURING_OP_SUPPORTED */
	__u32 resv2;
};

struct xuring_probe {
	__u8 last_op;	/* highest opcode the probe describes */
	__u8 ops_len;	/* number of ops[] entries filled in */
	__u16 resv;
	__u32 resv2[3];
	struct xuring_probe_op ops[];
};

/* XURING_ENTER_EXT_ARG argument (as struct io_uring_getevents_arg) */
struct xuring_getevents_arg {
	__u64	sigmask;	/* sigset_t *, or 0 */
	__u32	sigmask_sz;
	__u32	pad;
	__u64	ts;		/* struct __kernel_timespec *, relative; or 0 */
};

/*
 * The ioctls that stand in for io_uring's system calls. Each argument
 * structure is versioned by its size, which the ioctl number encodes: the
 * module accepts any size at least as large as the first version, provided
 * the bytes it does not know about are zero.
 */
#define XURING_IOC_MAGIC	0xB9

/* io_uring_setup(2): turn this open /dev/xuring file into a ring; returns 0 */
struct xuring_setup_arg {
	__u32	entries;
	__u32	resv;			/* must be 0 */
	__aligned_u64 params;		/* struct xuring_params *, in and out */
};

/* io_uring_enter(2): returns the number of SQEs consumed */
struct xuring_enter_arg {
	__u32	to_submit;
	__u32	min_complete;
	__u32	flags;			/* XURING_ENTER_* */
	__u32	resv;			/* must be 0 */
	__aligned_u64 arg;		/* sigset_t *, or xuring_getevents_arg * with EXT_ARG */
	__aligned_u64 argsz;		/* size of what arg points to */
};

/* io_uring_register(2): returns what the register opcode documents */
struct xuring_register_arg {
	__u32	opcode;			/* XURING_REGISTER_* */
	__u32	nr_args;
	__aligned_u64 arg;
};

#define XURING_IOC_SETUP	_IOW(XURING_IOC_MAGIC, 0x00, struct xuring_setup_arg)
#define XURING_IOC_ENTER	_IOW(XURING_IOC_MAGIC, 0x01, struct xuring_enter_arg)
#define XURING_IOC_REGISTER	_IOW(XURING_IOC_MAGIC, 0x02, struct xuring_register_arg)

#ifdef __cplusplus
}
#endif

#endif /* _UAPI_LINUX_XURING_H */
