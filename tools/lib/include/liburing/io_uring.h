/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The io_uring ABI of Linux 6.1 under io_uring's own names, as liburing 2.3
 * ships it in <liburing/io_uring.h>: the SQE, CQE, setup parameters, ring
 * offsets, opcodes, flags and register arguments.
 *
 * xuring speaks exactly this ABI through /dev/xuring. Its own description,
 * <linux/xuring.h>, is the one the module is built from; the assertions at
 * the end of this file hold the two byte for byte equal, so that a change to
 * either breaks the build instead of a running program.
 *
 * The include guard is the one of the kernel's <linux/io_uring.h>: a program
 * may include either header, or both, and get one set of definitions.
 */
#ifndef LINUX_IO_URING_H
#define LINUX_IO_URING_H

#include <linux/fs.h>		/* __kernel_rwf_t */
#include <linux/types.h>
#include <linux/time_types.h>	/* struct __kernel_timespec */
#include <linux/xuring.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Submission queue entry: 64 bytes, or 128 with IORING_SETUP_SQE128, where
 * the second half is command data for IORING_OP_URING_CMD.
 */
struct io_uring_sqe {
	__u8	opcode;		/* IORING_OP_* */
	__u8	flags;		/* IOSQE_* */
	__u16	ioprio;		/* I/O priority, or per-op flags (send, accept) */
	__s32	fd;		/* file descriptor, or fixed file index */
	union {
		__u64	off;	/* file offset; -1 for the file position */
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
		__kernel_rwf_t	rw_flags;	/* RWF_* */
		__u32		fsync_flags;	/* IORING_FSYNC_* */
		__u16		poll_events;	/* old 16-bit poll mask */
		__u32		poll32_events;	/* halfwords swapped on BE */
		__u32		sync_range_flags;
		__u32		msg_flags;
		__u32		timeout_flags;
		__u32		accept_flags;
		__u32		cancel_flags;
		__u32		open_flags;
		__u32		statx_flags;
		__u32		fadvise_advice;
		__u32		splice_flags;
		__u32		rename_flags;
		__u32		unlink_flags;
		__u32		hardlink_flags;
		__u32		xattr_flags;
		__u32		msg_ring_flags;
		__u32		uring_cmd_flags;
	};
	__u64	user_data;	/* handed back untouched in the CQE */
	/* packed: keeps the arm OABI from padding this union to 4 bytes */
	union {
		__u16	buf_index;	/* registered buffer index */
		__u16	buf_group;	/* provided buffer group */
	} __attribute__((packed));
	__u16	personality;	/* credentials id from REGISTER_PERSONALITY */
	union {
		__s32	splice_fd_in;
		__u32	file_index;	/* direct descriptor slot, plus one */
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
		/* with IORING_SETUP_SQE128: 80 bytes of command data */
		__u8	cmd[0];
	};
};

/*
 * In file_index of an op that creates a direct descriptor: let the kernel
 * pick a free slot and return it in cqe->res.
 */
#define IORING_FILE_INDEX_ALLOC		(~0U)

enum {
	IOSQE_FIXED_FILE_BIT,
	IOSQE_IO_DRAIN_BIT,
	IOSQE_IO_LINK_BIT,
	IOSQE_IO_HARDLINK_BIT,
	IOSQE_ASYNC_BIT,
	IOSQE_BUFFER_SELECT_BIT,
	IOSQE_CQE_SKIP_SUCCESS_BIT,
};

/* sqe->flags */
#define IOSQE_FIXED_FILE	(1U << IOSQE_FIXED_FILE_BIT)	/* fd is a fixed file index */
#define IOSQE_IO_DRAIN		(1U << IOSQE_IO_DRAIN_BIT)	/* wait for all earlier requests */
#define IOSQE_IO_LINK		(1U << IOSQE_IO_LINK_BIT)	/* next SQE runs if this succeeds */
#define IOSQE_IO_HARDLINK	(1U << IOSQE_IO_HARDLINK_BIT)	/* next SQE runs regardless */
#define IOSQE_ASYNC		(1U << IOSQE_ASYNC_BIT)		/* punt to a worker at once */
#define IOSQE_BUFFER_SELECT	(1U << IOSQE_BUFFER_SELECT_BIT)	/* pick from sqe->buf_group */
#define IOSQE_CQE_SKIP_SUCCESS	(1U << IOSQE_CQE_SKIP_SUCCESS_BIT) /* no CQE on success */

/* io_uring_setup() flags, io_uring_params.flags */
#define IORING_SETUP_IOPOLL		(1U << 0)	/* busy-poll for completions */
#define IORING_SETUP_SQPOLL		(1U << 1)	/* a kernel thread polls the SQ */
#define IORING_SETUP_SQ_AFF		(1U << 2)	/* sq_thread_cpu is valid */
#define IORING_SETUP_CQSIZE		(1U << 3)	/* cq_entries is valid */
#define IORING_SETUP_CLAMP		(1U << 4)	/* clamp ring sizes to the maxima */
#define IORING_SETUP_ATTACH_WQ		(1U << 5)	/* share the wq of wq_fd */
#define IORING_SETUP_R_DISABLED		(1U << 6)	/* start disabled */
#define IORING_SETUP_SUBMIT_ALL		(1U << 7)	/* keep submitting past an error */
/* run completion task work at the next kernel entry instead of by IPI */
#define IORING_SETUP_COOP_TASKRUN	(1U << 8)
/* with COOP_TASKRUN: raise IORING_SQ_TASKRUN when task work waits */
#define IORING_SETUP_TASKRUN_FLAG	(1U << 9)
#define IORING_SETUP_SQE128		(1U << 10)	/* 128-byte SQEs */
#define IORING_SETUP_CQE32		(1U << 11)	/* 32-byte CQEs */
#define IORING_SETUP_SINGLE_ISSUER	(1U << 12)	/* one task submits */
/* run task work only when the application waits for completions */
#define IORING_SETUP_DEFER_TASKRUN	(1U << 13)

enum io_uring_op {
	IORING_OP_NOP,
	IORING_OP_READV,
	IORING_OP_WRITEV,
	IORING_OP_FSYNC,
	IORING_OP_READ_FIXED,
	IORING_OP_WRITE_FIXED,
	IORING_OP_POLL_ADD,
	IORING_OP_POLL_REMOVE,
	IORING_OP_SYNC_FILE_RANGE,
	IORING_OP_SENDMSG,
	IORING_OP_RECVMSG,
	IORING_OP_TIMEOUT,
	IORING_OP_TIMEOUT_REMOVE,
	IORING_OP_ACCEPT,
	IORING_OP_ASYNC_CANCEL,
	IORING_OP_LINK_TIMEOUT,
	IORING_OP_CONNECT,
	IORING_OP_FALLOCATE,
	IORING_OP_OPENAT,
	IORING_OP_CLOSE,
	IORING_OP_FILES_UPDATE,
	IORING_OP_STATX,
	IORING_OP_READ,
	IORING_OP_WRITE,
	IORING_OP_FADVISE,
	IORING_OP_MADVISE,
	IORING_OP_SEND,
	IORING_OP_RECV,
	IORING_OP_OPENAT2,
	IORING_OP_EPOLL_CTL,
	IORING_OP_SPLICE,
	IORING_OP_PROVIDE_BUFFERS,
	IORING_OP_REMOVE_BUFFERS,
	IORING_OP_TEE,
	IORING_OP_SHUTDOWN,
	IORING_OP_RENAMEAT,
	IORING_OP_UNLINKAT,
	IORING_OP_MKDIRAT,
	IORING_OP_SYMLINKAT,
	IORING_OP_LINKAT,
	IORING_OP_MSG_RING,
	IORING_OP_FSETXATTR,
	IORING_OP_SETXATTR,
	IORING_OP_FGETXATTR,
	IORING_OP_GETXATTR,
	IORING_OP_SOCKET,
	IORING_OP_URING_CMD,
	IORING_OP_SEND_ZC,
	IORING_OP_SENDMSG_ZC,

	/* one past the last opcode */
	IORING_OP_LAST,
};

/* sqe->uring_cmd_flags: the command uses registered buffer sqe->buf_index */
#define IORING_URING_CMD_FIXED	(1U << 0)

/* sqe->fsync_flags */
#define IORING_FSYNC_DATASYNC	(1U << 0)

/* sqe->timeout_flags */
#define IORING_TIMEOUT_ABS		(1U << 0)
#define IORING_TIMEOUT_UPDATE		(1U << 1)
#define IORING_TIMEOUT_BOOTTIME		(1U << 2)
#define IORING_TIMEOUT_REALTIME		(1U << 3)
#define IORING_LINK_TIMEOUT_UPDATE	(1U << 4)
#define IORING_TIMEOUT_ETIME_SUCCESS	(1U << 5)
#define IORING_TIMEOUT_CLOCK_MASK	(IORING_TIMEOUT_BOOTTIME | IORING_TIMEOUT_REALTIME)
#define IORING_TIMEOUT_UPDATE_MASK	(IORING_TIMEOUT_UPDATE | IORING_LINK_TIMEOUT_UPDATE)

/* sqe->splice_flags, beyond splice(2)'s: splice_fd_in is a fixed file */
#define SPLICE_F_FD_IN_FIXED	(1U << 31)

/*
 * IORING_OP_POLL_ADD and POLL_REMOVE command flags. poll32_events holds the
 * event mask, so these travel in sqe->len.
 */
#define IORING_POLL_ADD_MULTI		(1U << 0)	/* multishot: CQE_F_MORE */
#define IORING_POLL_UPDATE_EVENTS	(1U << 1)	/* new mask for sqe->addr's poll */
#define IORING_POLL_UPDATE_USER_DATA	(1U << 2)	/* new user_data for it */
#define IORING_POLL_ADD_LEVEL		(1U << 3)	/* level triggered */

/* IORING_OP_ASYNC_CANCEL flags (sqe->cancel_flags) */
#define IORING_ASYNC_CANCEL_ALL		(1U << 0)	/* every match, not the first */
#define IORING_ASYNC_CANCEL_FD		(1U << 1)	/* match on sqe->fd */
#define IORING_ASYNC_CANCEL_ANY		(1U << 2)	/* match any request */
#define IORING_ASYNC_CANCEL_FD_FIXED	(1U << 3)	/* sqe->fd is a fixed file */

/* send/recv flags, in sqe->ioprio */
#define IORING_RECVSEND_POLL_FIRST	(1U << 0)	/* arm poll before trying */
#define IORING_RECV_MULTISHOT		(1U << 1)	/* multishot recv */
#define IORING_RECVSEND_FIXED_BUF	(1U << 2)	/* sqe->buf_index is registered */

/* accept flags, in sqe->ioprio */
#define IORING_ACCEPT_MULTISHOT	(1U << 0)

/* IORING_OP_MSG_RING commands, in sqe->addr */
enum {
	IORING_MSG_DATA,	/* post a CQE: res = sqe->len, user_data = sqe->off */
	IORING_MSG_SEND_FD,	/* install a fixed file in the target ring */
};

/* IORING_OP_MSG_RING flags: post no CQE in the target ring */
#define IORING_MSG_RING_CQE_SKIP	(1U << 0)

/*
 * Completion queue entry: 16 bytes, or 32 with IORING_SETUP_CQE32.
 */
struct io_uring_cqe {
	__u64	user_data;	/* sqe->user_data */
	__s32	res;		/* result, or -errno */
	__u32	flags;		/* IORING_CQE_F_* */

	/* with IORING_SETUP_CQE32: 16 more bytes of op-specific data */
	__u64	big_cqe[];
};

/* cqe->flags */
#define IORING_CQE_F_BUFFER		(1U << 0)	/* upper 16 bits: buffer id */
#define IORING_CQE_F_MORE		(1U << 1)	/* the request posts more CQEs */
#define IORING_CQE_F_SOCK_NONEMPTY	(1U << 2)	/* socket has more data */
#define IORING_CQE_F_NOTIF		(1U << 3)	/* zero-copy notification */

enum {
	IORING_CQE_BUFFER_SHIFT		= 16,
};

/* mmap(2) offsets of the three regions of a ring */
#define IORING_OFF_SQ_RING		0ULL
#define IORING_OFF_CQ_RING		0x8000000ULL
#define IORING_OFF_SQES			0x10000000ULL

/* where the SQ ring's fields sit in its mapping; filled in by setup */
struct io_sqring_offsets {
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

/* the SQ ring's flags word */
#define IORING_SQ_NEED_WAKEUP	(1U << 0)	/* SQ thread sleeps: enter with SQ_WAKEUP */
#define IORING_SQ_CQ_OVERFLOW	(1U << 1)	/* CQEs wait in the overflow list */
#define IORING_SQ_TASKRUN	(1U << 2)	/* task work waits for a kernel entry */

/* where the CQ ring's fields sit in its mapping */
struct io_cqring_offsets {
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

/* the CQ ring's flags word: no eventfd notifications */
#define IORING_CQ_EVENTFD_DISABLED	(1U << 0)

/* io_uring_enter() flags */
#define IORING_ENTER_GETEVENTS		(1U << 0)
#define IORING_ENTER_SQ_WAKEUP		(1U << 1)
#define IORING_ENTER_SQ_WAIT		(1U << 2)
#define IORING_ENTER_EXT_ARG		(1U << 3)
#define IORING_ENTER_REGISTERED_RING	(1U << 4)

/* io_uring_setup() argument, updated in place on success */
struct io_uring_params {
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 flags;
	__u32 sq_thread_cpu;
	__u32 sq_thread_idle;
	__u32 features;
	__u32 wq_fd;
	__u32 resv[3];
	struct io_sqring_offsets sq_off;
	struct io_cqring_offsets cq_off;
};

/* io_uring_params.features */
#define IORING_FEAT_SINGLE_MMAP		(1U << 0)
#define IORING_FEAT_NODROP		(1U << 1)
#define IORING_FEAT_SUBMIT_STABLE	(1U << 2)
#define IORING_FEAT_RW_CUR_POS		(1U << 3)
#define IORING_FEAT_CUR_PERSONALITY	(1U << 4)
#define IORING_FEAT_FAST_POLL		(1U << 5)
#define IORING_FEAT_POLL_32BITS		(1U << 6)
#define IORING_FEAT_SQPOLL_NONFIXED	(1U << 7)
#define IORING_FEAT_EXT_ARG		(1U << 8)
#define IORING_FEAT_NATIVE_WORKERS	(1U << 9)
#define IORING_FEAT_RSRC_TAGS		(1U << 10)
#define IORING_FEAT_CQE_SKIP		(1U << 11)
#define IORING_FEAT_LINKED_FILE		(1U << 12)

/* io_uring_register() opcodes */
enum {
	IORING_REGISTER_BUFFERS			= 0,
	IORING_UNREGISTER_BUFFERS		= 1,
	IORING_REGISTER_FILES			= 2,
	IORING_UNREGISTER_FILES			= 3,
	IORING_REGISTER_EVENTFD			= 4,
	IORING_UNREGISTER_EVENTFD		= 5,
	IORING_REGISTER_FILES_UPDATE		= 6,
	IORING_REGISTER_EVENTFD_ASYNC		= 7,
	IORING_REGISTER_PROBE			= 8,
	IORING_REGISTER_PERSONALITY		= 9,
	IORING_UNREGISTER_PERSONALITY		= 10,
	IORING_REGISTER_RESTRICTIONS		= 11,
	IORING_REGISTER_ENABLE_RINGS		= 12,

	/* files and buffers with tags */
	IORING_REGISTER_FILES2			= 13,
	IORING_REGISTER_FILES_UPDATE2		= 14,
	IORING_REGISTER_BUFFERS2		= 15,
	IORING_REGISTER_BUFFERS_UPDATE		= 16,

	/* io-wq worker CPU affinity */
	IORING_REGISTER_IOWQ_AFF		= 17,
	IORING_UNREGISTER_IOWQ_AFF		= 18,

	/* io-wq worker limits, read and set */
	IORING_REGISTER_IOWQ_MAX_WORKERS	= 19,

	/* the ring's own fd, for IORING_ENTER_REGISTERED_RING */
	IORING_REGISTER_RING_FDS		= 20,
	IORING_UNREGISTER_RING_FDS		= 21,

	/* ring-mapped provided buffer groups */
	IORING_REGISTER_PBUF_RING		= 22,
	IORING_UNREGISTER_PBUF_RING		= 23,

	/* synchronous cancelation */
	IORING_REGISTER_SYNC_CANCEL		= 24,

	/* the fixed file slots the kernel may allocate from */
	IORING_REGISTER_FILE_ALLOC_RANGE	= 25,

	/* one past the last opcode */
	IORING_REGISTER_LAST
};

/* io-wq worker classes: indexes of the IOWQ_MAX_WORKERS array */
enum {
	IO_WQ_BOUND,
	IO_WQ_UNBOUND,
};

/* IORING_REGISTER_FILES_UPDATE argument; superseded by io_uring_rsrc_update */
struct io_uring_files_update {
	__u32 offset;
	__u32 resv;
	__aligned_u64 /* __s32 * */ fds;
};

/* register nr empty slots instead of an array of -1 */
#define IORING_RSRC_REGISTER_SPARSE	(1U << 0)

/* IORING_REGISTER_FILES2 / BUFFERS2 argument */
struct io_uring_rsrc_register {
	__u32 nr;
	__u32 flags;
	__u64 resv2;
	__aligned_u64 data;
	__aligned_u64 tags;
};

struct io_uring_rsrc_update {
	__u32 offset;
	__u32 resv;
	__aligned_u64 data;
};

/* IORING_REGISTER_FILES_UPDATE2 / BUFFERS_UPDATE argument */
struct io_uring_rsrc_update2 {
	__u32 offset;
	__u32 resv;
	__aligned_u64 data;
	__aligned_u64 tags;
	__u32 nr;
	__u32 resv2;
};

struct io_uring_notification_slot {
	__u64 tag;
	__u64 resv[3];
};

struct io_uring_notification_register {
	__u32 nr_slots;
	__u32 resv;
	__u64 resv2;
	__u64 data;
	__u64 resv3;
};

/* in a files update: leave this slot as it is */
#define IORING_REGISTER_FILES_SKIP	(-2)

#define IO_URING_OP_SUPPORTED	(1U << 0)

struct io_uring_probe_op {
	__u8 op;
	__u8 resv;
	__u16 flags;	/* IO_URING_OP_* */
	__u32 resv2;
};

struct io_uring_probe {
	__u8 last_op;	/* highest opcode the kernel knows */
	__u8 ops_len;	/* entries of ops[] filled in */
	__u16 resv;
	__u32 resv2[3];
	struct io_uring_probe_op ops[];
};

struct io_uring_restriction {
	__u16 opcode;	/* IORING_RESTRICTION_* */
	union {
		__u8 register_op;	/* IORING_RESTRICTION_REGISTER_OP */
		__u8 sqe_op;		/* IORING_RESTRICTION_SQE_OP */
		__u8 sqe_flags;		/* IORING_RESTRICTION_SQE_FLAGS_* */
	};
	__u8 resv;
	__u32 resv2[3];
};

/* one provided buffer of a ring-mapped buffer group */
struct io_uring_buf {
	__u64	addr;
	__u32	len;
	__u16	bid;
	__u16	resv;
};

struct io_uring_buf_ring {
	union {
		/*
		 * The tail shares the first entry's resv field, so that a
		 * ring of 2^n buffers fits in exactly 2^n entries.
		 */
		struct {
			__u64	resv1;
			__u32	resv2;
			__u16	resv3;
			__u16	tail;
		};
		struct io_uring_buf	bufs[0];
	};
};

/* IORING_REGISTER_PBUF_RING / UNREGISTER_PBUF_RING argument */
struct io_uring_buf_reg {
	__u64	ring_addr;
	__u32	ring_entries;
	__u16	bgid;
	__u16	pad;
	__u64	resv[3];
};

/* io_uring_restriction.opcode */
enum {
	IORING_RESTRICTION_REGISTER_OP		= 0,	/* allow a register opcode */
	IORING_RESTRICTION_SQE_OP		= 1,	/* allow an SQE opcode */
	IORING_RESTRICTION_SQE_FLAGS_ALLOWED	= 2,	/* allow these sqe->flags */
	IORING_RESTRICTION_SQE_FLAGS_REQUIRED	= 3,	/* require these sqe->flags */

	IORING_RESTRICTION_LAST
};

/* io_uring_enter() argument with IORING_ENTER_EXT_ARG */
struct io_uring_getevents_arg {
	__u64	sigmask;
	__u32	sigmask_sz;
	__u32	pad;
	__u64	ts;
};

/* IORING_REGISTER_SYNC_CANCEL argument */
struct io_uring_sync_cancel_reg {
	__u64				addr;
	__s32				fd;
	__u32				flags;
	struct __kernel_timespec	timeout;
	__u64				pad[4];
};

/* IORING_REGISTER_FILE_ALLOC_RANGE argument: slots [off, off + len) */
struct io_uring_file_index_range {
	__u32	off;
	__u32	len;
	__u64	resv;
};

/* header a multishot recvmsg writes at the start of each buffer */
struct io_uring_recvmsg_out {
	__u32 namelen;
	__u32 controllen;
	__u32 payloadlen;
	__u32 flags;
};

/*
 * io_uring and xuring must agree byte for byte; nothing of what follows
 * generates code. Values are compared as long long, since the two sides'
 * enumerators have different enum types.
 */
#define __XURING_ABI_EQ(a, b)	((long long)(a) == (long long)(b))
#if defined(__cplusplus) && __cplusplus >= 201103L
#define __XURING_ABI_SAME(a, b)	static_assert(__XURING_ABI_EQ(a, b), #a " != " #b)
#elif !defined(__cplusplus)
#define __XURING_ABI_SAME(a, b)	\
	__extension__ _Static_assert(__XURING_ABI_EQ(a, b), #a " != " #b)
#else
#define __XURING_ABI_SAME(a, b)
#endif
#define __XURING_ABI_SIZE(io, xr)	__XURING_ABI_SAME(sizeof(io), sizeof(xr))
#define __XURING_ABI_FIELD(io, xr, f)	\
	__XURING_ABI_SAME(__builtin_offsetof(io, f), __builtin_offsetof(xr, f))

__XURING_ABI_SIZE(struct io_uring_sqe, struct xuring_sqe);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, opcode);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, flags);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, ioprio);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, fd);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, off);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, addr2);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, cmd_op);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, addr);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, splice_off_in);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, len);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, rw_flags);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, fsync_flags);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, poll32_events);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, sync_range_flags);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, fadvise_advice);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, user_data);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, buf_index);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, buf_group);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, personality);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, splice_fd_in);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, file_index);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, addr_len);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, addr3);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, __pad2);
__XURING_ABI_FIELD(struct io_uring_sqe, struct xuring_sqe, cmd);

__XURING_ABI_SIZE(struct io_uring_cqe, struct xuring_cqe);
__XURING_ABI_FIELD(struct io_uring_cqe, struct xuring_cqe, user_data);
__XURING_ABI_FIELD(struct io_uring_cqe, struct xuring_cqe, res);
__XURING_ABI_FIELD(struct io_uring_cqe, struct xuring_cqe, flags);

__XURING_ABI_SIZE(struct io_sqring_offsets, struct xuring_sqring_offsets);
__XURING_ABI_FIELD(struct io_sqring_offsets, struct xuring_sqring_offsets, head);
__XURING_ABI_FIELD(struct io_sqring_offsets, struct xuring_sqring_offsets, tail);
__XURING_ABI_FIELD(struct io_sqring_offsets, struct xuring_sqring_offsets, ring_mask);
__XURING_ABI_FIELD(struct io_sqring_offsets, struct xuring_sqring_offsets, ring_entries);
__XURING_ABI_FIELD(struct io_sqring_offsets, struct xuring_sqring_offsets, flags);
__XURING_ABI_FIELD(struct io_sqring_offsets, struct xuring_sqring_offsets, dropped);
__XURING_ABI_FIELD(struct io_sqring_offsets, struct xuring_sqring_offsets, array);
__XURING_ABI_FIELD(struct io_sqring_offsets, struct xuring_sqring_offsets, resv2);

__XURING_ABI_SIZE(struct io_cqring_offsets, struct xuring_cqring_offsets);
__XURING_ABI_FIELD(struct io_cqring_offsets, struct xuring_cqring_offsets, head);
__XURING_ABI_FIELD(struct io_cqring_offsets, struct xuring_cqring_offsets, tail);
__XURING_ABI_FIELD(struct io_cqring_offsets, struct xuring_cqring_offsets, ring_mask);
__XURING_ABI_FIELD(struct io_cqring_offsets, struct xuring_cqring_offsets, ring_entries);
__XURING_ABI_FIELD(struct io_cqring_offsets, struct xuring_cqring_offsets, overflow);
__XURING_ABI_FIELD(struct io_cqring_offsets, struct xuring_cqring_offsets, cqes);
__XURING_ABI_FIELD(struct io_cqring_offsets, struct xuring_cqring_offsets, flags);
__XURING_ABI_FIELD(struct io_cqring_offsets, struct xuring_cqring_offsets, resv2);

__XURING_ABI_SIZE(struct io_uring_params, struct xuring_params);
__XURING_ABI_FIELD(struct io_uring_params, struct xuring_params, sq_entries);
__XURING_ABI_FIELD(struct io_uring_params, struct xuring_params, cq_entries);
__XURING_ABI_FIELD(struct io_uring_params, struct xuring_params, flags);
__XURING_ABI_FIELD(struct io_uring_params, struct xuring_params, sq_thread_cpu);
__XURING_ABI_FIELD(struct io_uring_params, struct xuring_params, sq_thread_idle);
__XURING_ABI_FIELD(struct io_uring_params, struct xuring_params, features);
__XURING_ABI_FIELD(struct io_uring_params, struct xuring_params, wq_fd);
__XURING_ABI_FIELD(struct io_uring_params, struct xuring_params, resv);
__XURING_ABI_FIELD(struct io_uring_params, struct xuring_params, sq_off);
__XURING_ABI_FIELD(struct io_uring_params, struct xuring_params, cq_off);

__XURING_ABI_SIZE(struct io_uring_files_update, struct xuring_files_update);
__XURING_ABI_FIELD(struct io_uring_files_update, struct xuring_files_update, offset);
__XURING_ABI_FIELD(struct io_uring_files_update, struct xuring_files_update, fds);

__XURING_ABI_SIZE(struct io_uring_rsrc_register, struct xuring_rsrc_register);
__XURING_ABI_FIELD(struct io_uring_rsrc_register, struct xuring_rsrc_register, nr);
__XURING_ABI_FIELD(struct io_uring_rsrc_register, struct xuring_rsrc_register, flags);
__XURING_ABI_FIELD(struct io_uring_rsrc_register, struct xuring_rsrc_register, data);
__XURING_ABI_FIELD(struct io_uring_rsrc_register, struct xuring_rsrc_register, tags);

__XURING_ABI_SIZE(struct io_uring_rsrc_update, struct xuring_rsrc_update);
__XURING_ABI_FIELD(struct io_uring_rsrc_update, struct xuring_rsrc_update, offset);
__XURING_ABI_FIELD(struct io_uring_rsrc_update, struct xuring_rsrc_update, data);

__XURING_ABI_SIZE(struct io_uring_rsrc_update2, struct xuring_rsrc_update2);
__XURING_ABI_FIELD(struct io_uring_rsrc_update2, struct xuring_rsrc_update2, offset);
__XURING_ABI_FIELD(struct io_uring_rsrc_update2, struct xuring_rsrc_update2, data);
__XURING_ABI_FIELD(struct io_uring_rsrc_update2, struct xuring_rsrc_update2, tags);
__XURING_ABI_FIELD(struct io_uring_rsrc_update2, struct xuring_rsrc_update2, nr);

__XURING_ABI_SIZE(struct io_uring_probe_op, struct xuring_probe_op);
__XURING_ABI_FIELD(struct io_uring_probe_op, struct xuring_probe_op, op);
__XURING_ABI_FIELD(struct io_uring_probe_op, struct xuring_probe_op, flags);
__XURING_ABI_SIZE(struct io_uring_probe, struct xuring_probe);
__XURING_ABI_FIELD(struct io_uring_probe, struct xuring_probe, last_op);
__XURING_ABI_FIELD(struct io_uring_probe, struct xuring_probe, ops_len);
__XURING_ABI_FIELD(struct io_uring_probe, struct xuring_probe, ops);

__XURING_ABI_SIZE(struct io_uring_getevents_arg, struct xuring_getevents_arg);
__XURING_ABI_FIELD(struct io_uring_getevents_arg, struct xuring_getevents_arg, sigmask);
__XURING_ABI_FIELD(struct io_uring_getevents_arg, struct xuring_getevents_arg, sigmask_sz);
__XURING_ABI_FIELD(struct io_uring_getevents_arg, struct xuring_getevents_arg, ts);

__XURING_ABI_SAME(IOSQE_FIXED_FILE, XURING_SQE_FIXED_FILE);
__XURING_ABI_SAME(IOSQE_IO_DRAIN, XURING_SQE_IO_DRAIN);
__XURING_ABI_SAME(IOSQE_IO_LINK, XURING_SQE_IO_LINK);
__XURING_ABI_SAME(IOSQE_IO_HARDLINK, XURING_SQE_IO_HARDLINK);
__XURING_ABI_SAME(IOSQE_ASYNC, XURING_SQE_ASYNC);
__XURING_ABI_SAME(IOSQE_BUFFER_SELECT, XURING_SQE_BUFFER_SELECT);
__XURING_ABI_SAME(IOSQE_CQE_SKIP_SUCCESS, XURING_SQE_CQE_SKIP_SUCCESS);

__XURING_ABI_SAME(IORING_SETUP_IOPOLL, XURING_SETUP_IOPOLL);
__XURING_ABI_SAME(IORING_SETUP_SQPOLL, XURING_SETUP_SQPOLL);
__XURING_ABI_SAME(IORING_SETUP_SQ_AFF, XURING_SETUP_SQ_AFF);
__XURING_ABI_SAME(IORING_SETUP_CQSIZE, XURING_SETUP_CQSIZE);
__XURING_ABI_SAME(IORING_SETUP_CLAMP, XURING_SETUP_CLAMP);
__XURING_ABI_SAME(IORING_SETUP_ATTACH_WQ, XURING_SETUP_ATTACH_WQ);
__XURING_ABI_SAME(IORING_SETUP_R_DISABLED, XURING_SETUP_R_DISABLED);
__XURING_ABI_SAME(IORING_SETUP_SUBMIT_ALL, XURING_SETUP_SUBMIT_ALL);
__XURING_ABI_SAME(IORING_SETUP_COOP_TASKRUN, XURING_SETUP_COOP_TASKRUN);
__XURING_ABI_SAME(IORING_SETUP_TASKRUN_FLAG, XURING_SETUP_TASKRUN_FLAG);
__XURING_ABI_SAME(IORING_SETUP_SQE128, XURING_SETUP_SQE128);
__XURING_ABI_SAME(IORING_SETUP_CQE32, XURING_SETUP_CQE32);
__XURING_ABI_SAME(IORING_SETUP_SINGLE_ISSUER, XURING_SETUP_SINGLE_ISSUER);
__XURING_ABI_SAME(IORING_SETUP_DEFER_TASKRUN, XURING_SETUP_DEFER_TASKRUN);

__XURING_ABI_SAME(IORING_OP_NOP, XURING_OP_NOP);
__XURING_ABI_SAME(IORING_OP_READV, XURING_OP_READV);
__XURING_ABI_SAME(IORING_OP_WRITEV, XURING_OP_WRITEV);
__XURING_ABI_SAME(IORING_OP_FSYNC, XURING_OP_FSYNC);
__XURING_ABI_SAME(IORING_OP_READ_FIXED, XURING_OP_READ_FIXED);
__XURING_ABI_SAME(IORING_OP_WRITE_FIXED, XURING_OP_WRITE_FIXED);
__XURING_ABI_SAME(IORING_OP_SYNC_FILE_RANGE, XURING_OP_SYNC_FILE_RANGE);
__XURING_ABI_SAME(IORING_OP_FALLOCATE, XURING_OP_FALLOCATE);
__XURING_ABI_SAME(IORING_OP_READ, XURING_OP_READ);
__XURING_ABI_SAME(IORING_OP_WRITE, XURING_OP_WRITE);
__XURING_ABI_SAME(IORING_OP_FADVISE, XURING_OP_FADVISE);
__XURING_ABI_SAME(IORING_OP_LAST, XURING_OP_LAST);
__XURING_ABI_SAME(IORING_FSYNC_DATASYNC, XURING_FSYNC_DATASYNC);

__XURING_ABI_SAME(IORING_CQE_F_BUFFER, XURING_CQE_F_BUFFER);
__XURING_ABI_SAME(IORING_CQE_F_MORE, XURING_CQE_F_MORE);
__XURING_ABI_SAME(IORING_CQE_F_SOCK_NONEMPTY, XURING_CQE_F_SOCK_NONEMPTY);
__XURING_ABI_SAME(IORING_CQE_F_NOTIF, XURING_CQE_F_NOTIF);

__XURING_ABI_SAME(IORING_OFF_SQ_RING, XURING_OFF_SQ_RING);
__XURING_ABI_SAME(IORING_OFF_CQ_RING, XURING_OFF_CQ_RING);
__XURING_ABI_SAME(IORING_OFF_SQES, XURING_OFF_SQES);
__XURING_ABI_SAME(IORING_SQ_NEED_WAKEUP, XURING_SQ_NEED_WAKEUP);
__XURING_ABI_SAME(IORING_SQ_CQ_OVERFLOW, XURING_SQ_CQ_OVERFLOW);
__XURING_ABI_SAME(IORING_SQ_TASKRUN, XURING_SQ_TASKRUN);
__XURING_ABI_SAME(IORING_CQ_EVENTFD_DISABLED, XURING_CQ_EVENTFD_DISABLED);

__XURING_ABI_SAME(IORING_ENTER_GETEVENTS, XURING_ENTER_GETEVENTS);
__XURING_ABI_SAME(IORING_ENTER_SQ_WAKEUP, XURING_ENTER_SQ_WAKEUP);
__XURING_ABI_SAME(IORING_ENTER_SQ_WAIT, XURING_ENTER_SQ_WAIT);
__XURING_ABI_SAME(IORING_ENTER_EXT_ARG, XURING_ENTER_EXT_ARG);
__XURING_ABI_SAME(IORING_ENTER_REGISTERED_RING, XURING_ENTER_REGISTERED_RING);

__XURING_ABI_SAME(IORING_FEAT_SINGLE_MMAP, XURING_FEAT_SINGLE_MMAP);
__XURING_ABI_SAME(IORING_FEAT_NODROP, XURING_FEAT_NODROP);
__XURING_ABI_SAME(IORING_FEAT_SUBMIT_STABLE, XURING_FEAT_SUBMIT_STABLE);
__XURING_ABI_SAME(IORING_FEAT_RW_CUR_POS, XURING_FEAT_RW_CUR_POS);
__XURING_ABI_SAME(IORING_FEAT_CUR_PERSONALITY, XURING_FEAT_CUR_PERSONALITY);
__XURING_ABI_SAME(IORING_FEAT_FAST_POLL, XURING_FEAT_FAST_POLL);
__XURING_ABI_SAME(IORING_FEAT_POLL_32BITS, XURING_FEAT_POLL_32BITS);
__XURING_ABI_SAME(IORING_FEAT_SQPOLL_NONFIXED, XURING_FEAT_SQPOLL_NONFIXED);
__XURING_ABI_SAME(IORING_FEAT_EXT_ARG, XURING_FEAT_EXT_ARG);
__XURING_ABI_SAME(IORING_FEAT_NATIVE_WORKERS, XURING_FEAT_NATIVE_WORKERS);
__XURING_ABI_SAME(IORING_FEAT_RSRC_TAGS, XURING_FEAT_RSRC_TAGS);
__XURING_ABI_SAME(IORING_FEAT_CQE_SKIP, XURING_FEAT_CQE_SKIP);
__XURING_ABI_SAME(IORING_FEAT_LINKED_FILE, XURING_FEAT_LINKED_FILE);

__XURING_ABI_SAME(IORING_REGISTER_BUFFERS, XURING_REGISTER_BUFFERS);
__XURING_ABI_SAME(IORING_UNREGISTER_BUFFERS, XURING_UNREGISTER_BUFFERS);
__XURING_ABI_SAME(IORING_REGISTER_FILES, XURING_REGISTER_FILES);
__XURING_ABI_SAME(IORING_UNREGISTER_FILES, XURING_UNREGISTER_FILES);
__XURING_ABI_SAME(IORING_REGISTER_FILES_UPDATE, XURING_REGISTER_FILES_UPDATE);
__XURING_ABI_SAME(IORING_REGISTER_PROBE, XURING_REGISTER_PROBE);
__XURING_ABI_SAME(IORING_REGISTER_FILES2, XURING_REGISTER_FILES2);
__XURING_ABI_SAME(IORING_REGISTER_FILES_UPDATE2, XURING_REGISTER_FILES_UPDATE2);
__XURING_ABI_SAME(IORING_REGISTER_BUFFERS2, XURING_REGISTER_BUFFERS2);
__XURING_ABI_SAME(IORING_REGISTER_IOWQ_MAX_WORKERS, XURING_REGISTER_IOWQ_MAX_WORKERS);
__XURING_ABI_SAME(IORING_REGISTER_LAST, XURING_REGISTER_LAST);
__XURING_ABI_SAME(IO_WQ_BOUND, XURING_WQ_BOUND);
__XURING_ABI_SAME(IO_WQ_UNBOUND, XURING_WQ_UNBOUND);

__XURING_ABI_SAME(IORING_RSRC_REGISTER_SPARSE, XURING_RSRC_REGISTER_SPARSE);
__XURING_ABI_SAME(IORING_REGISTER_FILES_SKIP, XURING_REGISTER_FILES_SKIP);
__XURING_ABI_SAME(IO_URING_OP_SUPPORTED, XURING_OP_SUPPORTED);

#undef __XURING_ABI_FIELD
#undef __XURING_ABI_SIZE
#undef __XURING_ABI_SAME
#undef __XURING_ABI_EQ

#ifdef __cplusplus
}
#endif

#endif /* LINUX_IO_URING_H */
