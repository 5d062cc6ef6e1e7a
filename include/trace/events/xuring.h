/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xuring's tracepoints, event system "xuring". Each event has the name,
 * the fields and the meaning of the io_uring event of Linux 6.1
 * (include/trace/events/io_uring.h; where a later kernel changed a
 * field, that kernel's) with "io_uring" replaced by
 * "xuring", so that a perf or bpftrace script written for io_uring:*
 * runs on xuring once its prefixes are changed. Where xuring differs,
 * the comment of the event says how. Documentation/xuring.rst
 * ("Tracepoints") lists them.
 *
 * Disabled, each costs one patched-out jump (a static key), and those
 * that fire for every request (xuring_submit_req, xuring_link,
 * xuring_file_get, xuring_complete) nothing per request: enabling one switches the
 * submission and completion loops to their copies that fire them
 * (xr_observed() in stats.h).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM xuring

#if !defined(_TRACE_XURING_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_XURING_H

#include <linux/tracepoint.h>

#include "core.h"
#include "opdef.h"
#include "stats.h"

/* src/trace.c */
int xr_trace_file_fd(struct file *file);

/*
 * An event that fires for every request: probing it switches on
 * xr_observed() (stats.h), whose copies of the submission and completion
 * loops fire it.
 */
#ifndef XR_TP_EVENT
#define XR_TP_EVENT(name, proto, args, tstruct, assign, print)		\
	TRACE_EVENT_FN(name, PARAMS(proto), PARAMS(args), PARAMS(tstruct), \
		       PARAMS(assign), PARAMS(print), xr_observe_get,	\
		       xr_observe_put)
#endif

/*
 * op_str, the opcode's name, as io_uring's events carry it. The field is
 * what __string() makes (a __data_loc char[]); it is spelled out because
 * __assign_str() changed its arguments in Linux 6.10, and an opcode read
 * from an SQE must not be read twice (once for the size, once for the
 * copy): the events take it from the request, or from a copy of the SQE.
 */
#define XR_TP_OP_STR(opcode) \
	__dynamic_array(char, op_str, strlen(xr_op_name(opcode)) + 1)
#define XR_TP_ASSIGN_OP_STR(opcode) \
	memcpy(__get_dynamic_array(op_str), xr_op_name(opcode), \
	       __get_dynamic_array_len(op_str))

/**
 * xuring_create - a ring was set up
 *
 * @fd:		the lowest fd of the caller that refers to the ring's file
 *		(SETUP is an ioctl on an open /dev/xuring, not a system
 *		call that returns an fd), or -1
 * @ctx:	the ring context, which the other events name as "ring"
 * @sq_entries:	the SQ size
 * @cq_entries:	the CQ size
 * @flags:	XURING_SETUP_* flags
 */
TRACE_EVENT(xuring_create,
	    TP_PROTO(int fd, void *ctx, u32 sq_entries, u32 cq_entries, u32 flags),
	    TP_ARGS(fd, ctx, sq_entries, cq_entries, flags),
	    TP_STRUCT__entry(__field(int, fd)
			     __field(void *, ctx)
			     __field(u32, sq_entries)
			     __field(u32, cq_entries)
			     __field(u32, flags)),
	    TP_fast_assign(__entry->fd = fd;
			   __entry->ctx = ctx;
			   __entry->sq_entries = sq_entries;
			   __entry->cq_entries = cq_entries;
			   __entry->flags = flags;),
	    TP_printk("ring %p, fd %d sq size %d, cq size %d, flags 0x%x",
		      __entry->ctx, __entry->fd, __entry->sq_entries,
		      __entry->cq_entries, __entry->flags)
);

/**
 * xuring_register - XURING_IOC_REGISTER returned
 *
 * @ctx:	the ring
 * @opcode:	XURING_REGISTER_*
 * @nr_files:	registered file slots after the call
 * @nr_bufs:	registered buffers after the call
 * @ret:	what the call returned
 */
TRACE_EVENT(xuring_register,
	    TP_PROTO(void *ctx, unsigned int opcode, unsigned int nr_files,
		     unsigned int nr_bufs, long ret),
	    TP_ARGS(ctx, opcode, nr_files, nr_bufs, ret),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(unsigned int, opcode)
			     __field(unsigned int, nr_files)
			     __field(unsigned int, nr_bufs)
			     __field(long, ret)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->opcode = opcode;
			   __entry->nr_files = nr_files;
			   __entry->nr_bufs = nr_bufs;
			   __entry->ret = ret;),
	    TP_printk("ring %p, opcode %d, nr_user_files %d, nr_user_bufs %d, ret %ld",
		      __entry->ctx, __entry->opcode, __entry->nr_files,
		      __entry->nr_bufs, __entry->ret)
);

/**
 * xuring_file_get - an SQE's file is about to be looked up
 *
 * @req:	the request
 * @fd:		the SQE's fd, or fixed file index with XURING_SQE_FIXED_FILE
 */
XR_TP_EVENT(xuring_file_get,
	    TP_PROTO(struct xuring_req *req, int fd),
	    TP_ARGS(req, fd),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(u64, user_data)
			     __field(int, fd)),
	    TP_fast_assign(__entry->ctx = req->ctx;
			   __entry->req = req;
			   __entry->user_data = req->user_data;
			   __entry->fd = fd;),
	    TP_printk("ring %p, req %p, user_data 0x%llx, fd %d",
		      __entry->ctx, __entry->req, __entry->user_data, __entry->fd)
);

/**
 * xuring_queue_async_work - a request goes to io-wq
 *
 * @req:	the request
 * @hashed:	whether its work is hashed (serialized per inode)
 *
 * Linux 6.19 renamed io_uring's field from "int rw" to "bool hashed";
 * xuring's follows the kernel it is built for (XR_TP_HASHED_FIELD).
 */
TRACE_EVENT(xuring_queue_async_work,
	    TP_PROTO(struct xuring_req *req, bool hashed),
	    TP_ARGS(req, hashed),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(u64, user_data)
			     __field(u8, opcode)
			     __field(unsigned int, flags)
			     __field(struct xr_work *, work)
			     XR_TP_HASHED_FIELD
			     XR_TP_OP_STR(req->opcode)),
	    TP_fast_assign(__entry->ctx = req->ctx;
			   __entry->req = req;
			   __entry->user_data = req->user_data;
			   __entry->flags = req->flags;
			   __entry->opcode = req->opcode;
			   __entry->work = &req->work;
			   XR_TP_HASHED = hashed;
			   XR_TP_ASSIGN_OP_STR(req->opcode);),
	    TP_printk("ring %p, request %p, user_data 0x%llx, opcode %s, flags 0x%x, %s queue, work %p",
		      __entry->ctx, __entry->req, __entry->user_data,
		      __get_str(op_str), __entry->flags,
		      XR_TP_HASHED ? "hashed" : "normal", __entry->work)
);

/**
 * xuring_defer - a request waits on the drain list
 *
 * @req:	the request
 */
TRACE_EVENT(xuring_defer,
	    TP_PROTO(struct xuring_req *req),
	    TP_ARGS(req),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(unsigned long long, data)
			     __field(u8, opcode)
			     XR_TP_OP_STR(req->opcode)),
	    TP_fast_assign(__entry->ctx = req->ctx;
			   __entry->req = req;
			   __entry->data = req->user_data;
			   __entry->opcode = req->opcode;
			   XR_TP_ASSIGN_OP_STR(req->opcode);),
	    TP_printk("ring %p, request %p, user_data 0x%llx, opcode %s",
		      __entry->ctx, __entry->req, __entry->data,
		      __get_str(op_str))
);

/**
 * xuring_link - a request joins a link chain
 *
 * @req:	the request
 * @target_req:	the head of the chain (as in io_uring, not the request
 *		right before it)
 */
XR_TP_EVENT(xuring_link,
	    TP_PROTO(struct xuring_req *req, struct xuring_req *target_req),
	    TP_ARGS(req, target_req),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(void *, target_req)),
	    TP_fast_assign(__entry->ctx = req->ctx;
			   __entry->req = req;
			   __entry->target_req = target_req;),
	    TP_printk("ring %p, request %p linked after %p",
		      __entry->ctx, __entry->req, __entry->target_req)
);

/**
 * xuring_cqring_wait - ENTER is about to wait for CQEs
 *
 * @ctx:	the ring
 * @min_events:	the CQEs it waits for
 */
TRACE_EVENT(xuring_cqring_wait,
	    TP_PROTO(void *ctx, int min_events),
	    TP_ARGS(ctx, min_events),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(int, min_events)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->min_events = min_events;),
	    TP_printk("ring %p, min_events %d", __entry->ctx, __entry->min_events)
);

/**
 * xuring_fail_link - a link of a failed request is cancelled
 *
 * @req:	the request that failed
 * @link:	the cancelled link
 */
TRACE_EVENT(xuring_fail_link,
	    TP_PROTO(struct xuring_req *req, struct xuring_req *link),
	    TP_ARGS(req, link),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(unsigned long long, user_data)
			     __field(u8, opcode)
			     __field(void *, link)
			     XR_TP_OP_STR(req->opcode)),
	    TP_fast_assign(__entry->ctx = req->ctx;
			   __entry->req = req;
			   __entry->user_data = req->user_data;
			   __entry->opcode = req->opcode;
			   __entry->link = link;
			   XR_TP_ASSIGN_OP_STR(req->opcode);),
	    TP_printk("ring %p, request %p, user_data 0x%llx, opcode %s, link %p",
		      __entry->ctx, __entry->req, __entry->user_data,
		      __get_str(op_str), __entry->link)
);

/**
 * xuring_complete - a request's CQE is written into the CQ
 *
 * @ctx:	the ring
 * @req:	the request, whose user_data, res and cflags the CQE has
 *
 * The fields are io_uring's: ctx, req, user_data, res, cflags, and extra1
 * and extra2, 0 here (xuring has no 32-byte CQEs). Unlike io_uring's, the
 * event takes the request and reads the CQE's values from it only when
 * it is on: passed as arguments, they were loaded for every CQE.
 *
 * As in io_uring, a CQE that does not fit fires xuring_cqe_overflow
 * instead, and a CQE_SKIP_SUCCESS request that succeeds fires neither.
 */
XR_TP_EVENT(xuring_complete,
	    TP_PROTO(struct xuring_ring_ctx *ctx, struct xuring_req *req),
	    TP_ARGS(ctx, req),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(u64, user_data)
			     __field(int, res)
			     __field(unsigned int, cflags)
			     __field(u64, extra1)
			     __field(u64, extra2)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->req = req;
			   __entry->user_data = req->user_data;
			   __entry->res = req->res;
			   __entry->cflags = req->cflags;
			   __entry->extra1 = 0;
			   __entry->extra2 = 0;),
	    TP_printk("ring %p, req %p, user_data 0x%llx, result %d, cflags 0x%x extra1 %llu extra2 %llu ",
		      __entry->ctx, __entry->req, __entry->user_data,
		      __entry->res, __entry->cflags,
		      (unsigned long long)__entry->extra1,
		      (unsigned long long)__entry->extra2)
);

/**
 * xuring_submit_req - an SQE became a request, about to be issued or
 *	queued (io_uring 6.1 calls this io_uring_submit_sqe, with one more
 *	field, force_nonblock, always 1; 6.2 renamed it and dropped that)
 *
 * @req:	the request
 */
XR_TP_EVENT(xuring_submit_req,
	    TP_PROTO(struct xuring_req *req),
	    TP_ARGS(req),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(unsigned long long, user_data)
			     __field(u8, opcode)
			     __field(u32, flags)
			     __field(bool, sq_thread)
			     XR_TP_OP_STR(req->opcode)),
	    TP_fast_assign(__entry->ctx = req->ctx;
			   __entry->req = req;
			   __entry->user_data = req->user_data;
			   __entry->opcode = req->opcode;
			   __entry->flags = req->flags;
			   __entry->sq_thread = req->ctx->flags & XURING_SETUP_SQPOLL;
			   XR_TP_ASSIGN_OP_STR(req->opcode);),
	    TP_printk("ring %p, req %p, user_data 0x%llx, opcode %s, flags 0x%x, sq_thread %d",
		      __entry->ctx, __entry->req, __entry->user_data,
		      __get_str(op_str), __entry->flags, __entry->sq_thread)
);

/**
 * xuring_poll_arm - a request armed a poll wait on its file
 *
 * @req:	the request
 * @mask:	the events already ready when it armed
 * @events:	the events it waits for
 *
 * xuring has no poll op yet, so nothing fires this. The poll op (and a
 * read or write that waits for readiness instead of taking an io-wq
 * worker, io_uring's "fast poll") fires it once its wait queue entry is
 * added, as io_uring does.
 */
TRACE_EVENT(xuring_poll_arm,
	    TP_PROTO(struct xuring_req *req, int mask, int events),
	    TP_ARGS(req, mask, events),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(unsigned long long, user_data)
			     __field(u8, opcode)
			     __field(int, mask)
			     __field(int, events)
			     XR_TP_OP_STR(req->opcode)),
	    TP_fast_assign(__entry->ctx = req->ctx;
			   __entry->req = req;
			   __entry->user_data = req->user_data;
			   __entry->opcode = req->opcode;
			   __entry->mask = mask;
			   __entry->events = events;
			   XR_TP_ASSIGN_OP_STR(req->opcode);),
	    TP_printk("ring %p, req %p, user_data 0x%llx, opcode %s, mask 0x%x, events 0x%x",
		      __entry->ctx, __entry->req, __entry->user_data,
		      __get_str(op_str), __entry->mask, __entry->events)
);

/**
 * xuring_task_add - a poll wake-up handed its request on
 *
 * @req:	the request
 * @mask:	the events the wake-up reported
 *
 * io_uring fires this when a poll wake-up queues task work for the
 * request. xuring has no task work (a module cannot cancel it) and no
 * poll op yet, so nothing fires this: the poll op fires it where its
 * wake-up passes the request on to be completed or issued again (to the
 * submitter's batch or to io-wq), the step task work takes in io_uring.
 */
TRACE_EVENT(xuring_task_add,
	    TP_PROTO(struct xuring_req *req, int mask),
	    TP_ARGS(req, mask),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(unsigned long long, user_data)
			     __field(u8, opcode)
			     __field(int, mask)
			     XR_TP_OP_STR(req->opcode)),
	    TP_fast_assign(__entry->ctx = req->ctx;
			   __entry->req = req;
			   __entry->user_data = req->user_data;
			   __entry->opcode = req->opcode;
			   __entry->mask = mask;
			   XR_TP_ASSIGN_OP_STR(req->opcode);),
	    TP_printk("ring %p, req %p, user_data 0x%llx, opcode %s, mask %x",
		      __entry->ctx, __entry->req, __entry->user_data,
		      __get_str(op_str), __entry->mask)
);

/**
 * xuring_req_failed - an SQE failed before it could be issued
 *
 * @sqe:	a copy of the SQE, taken once (the ring is shared memory
 *		that the application may change)
 * @req:	the request
 * @error:	the error its CQE carries
 */
TRACE_EVENT(xuring_req_failed,
	    TP_PROTO(const struct xuring_sqe *sqe, struct xuring_req *req,
		     int error),
	    TP_ARGS(sqe, req, error),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(void *, req)
			     __field(unsigned long long, user_data)
			     __field(u8, opcode)
			     __field(u8, flags)
			     __field(u8, ioprio)
			     __field(u64, off)
			     __field(u64, addr)
			     __field(u32, len)
			     __field(u32, op_flags)
			     __field(u16, buf_index)
			     __field(u16, personality)
			     __field(u32, file_index)
			     __field(u64, pad1)
			     __field(u64, addr3)
			     __field(int, error)
			     XR_TP_OP_STR(sqe->opcode)),
	    TP_fast_assign(__entry->ctx = req->ctx;
			   __entry->req = req;
			   __entry->user_data = sqe->user_data;
			   __entry->opcode = sqe->opcode;
			   __entry->flags = sqe->flags;
			   __entry->ioprio = sqe->ioprio;
			   __entry->off = sqe->off;
			   __entry->addr = sqe->addr;
			   __entry->len = sqe->len;
			   __entry->op_flags = sqe->poll32_events;
			   __entry->buf_index = sqe->buf_index;
			   __entry->personality = sqe->personality;
			   __entry->file_index = sqe->file_index;
			   __entry->pad1 = sqe->__pad2[0];
			   __entry->addr3 = sqe->addr3;
			   __entry->error = error;
			   XR_TP_ASSIGN_OP_STR(sqe->opcode);),
	    TP_printk("ring %p, req %p, user_data 0x%llx, opcode %s, flags 0x%x, prio=%d, off=%llu, addr=%llu, len=%u, rw_flags=0x%x, buf_index=%d, personality=%d, file_index=%d, pad=0x%llx, addr3=%llx, error=%d",
		      __entry->ctx, __entry->req, __entry->user_data,
		      __get_str(op_str), __entry->flags, __entry->ioprio,
		      (unsigned long long)__entry->off,
		      (unsigned long long)__entry->addr, __entry->len,
		      __entry->op_flags, __entry->buf_index,
		      __entry->personality, __entry->file_index,
		      (unsigned long long)__entry->pad1,
		      (unsigned long long)__entry->addr3, __entry->error)
);

/**
 * xuring_cqe_overflow - a CQE did not fit in the CQ
 *
 * @ctx:	the ring
 * @req:	the request, whose user_data, res and cflags the CQE has
 *
 * The fields are io_uring's: ctx, user_data, res, cflags, and ocqe, what
 * holds the overflowed CQE: in xuring the request itself, on the overflow
 * list (io_uring allocates an entry, and passes NULL when that fails and
 * the CQE is dropped; xuring never drops one, so this is never NULL).
 */
TRACE_EVENT(xuring_cqe_overflow,
	    TP_PROTO(struct xuring_ring_ctx *ctx, struct xuring_req *req),
	    TP_ARGS(ctx, req),
	    TP_STRUCT__entry(__field(void *, ctx)
			     __field(unsigned long long, user_data)
			     __field(s32, res)
			     __field(u32, cflags)
			     __field(void *, ocqe)),
	    TP_fast_assign(__entry->ctx = ctx;
			   __entry->user_data = req->user_data;
			   __entry->res = req->res;
			   __entry->cflags = req->cflags;
			   __entry->ocqe = req;),
	    TP_printk("ring %p, user_data 0x%llx, res %d, cflags 0x%x, overflow_cqe %p",
		      __entry->ctx, __entry->user_data, __entry->res,
		      __entry->cflags, __entry->ocqe)
);

#endif /* _TRACE_XURING_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
