// SPDX-License-Identifier: GPL-2.0
/*
 * xuring: an external fio ioengine on /dev/xuring.
 *
 *	fio --ioengine=external:build/fio/xuring.so ...
 *
 * It drives the ring through the raw ABI of <linux/xuring.h>, as fio's
 * io_uring engine drives io_uring through its system calls, and takes the
 * same options with the same meanings (hipri, fixedbufs, registerfiles,
 * sqthread_poll, sqthread_poll_cpu, nonvectored, nowait, force_async,
 * cmdprio*). Options for io_uring features xuring does not have fail the
 * job at init, naming the option.
 *
 * One SQE per io_u, at the io_u's index, prepared by ->prep; ->queue only
 * publishes its index in the SQ array, ->commit submits the batch (fio
 * calls it every iodepth_batch), ->getevents reaps CQEs in place and
 * ->event turns one into its io_u.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fio.h"
#include "optgroup.h"
#include "engines/cmdprio.h"
#include "lib/roundup.h"

#include <linux/xuring.h>

/* The ring's shared indexes: the other side is the kernel. */
#define ring_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ring_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* RWF_UNCACHED and IORING_OP_URING_CMD: io_uring features xuring lacks */
enum xuring_cmd_type {
	XURING_CMD_NONE,
	XURING_CMD_NVME,
};

struct xuring_sq {
	unsigned int *head;
	unsigned int *tail;
	unsigned int *flags;
	unsigned int *array;
	unsigned int mask;
};

struct xuring_cq {
	unsigned int *head;
	unsigned int *tail;
	struct xuring_cqe *cqes;
	unsigned int mask;
};

struct xuring_data {
	int ring_fd;
	unsigned int features;
	struct xuring_sq sq;
	struct xuring_cq cq;
	struct xuring_sqe *sqes;

	void *rings;		/* SQ and CQ rings: one mapping, or two */
	size_t rings_len;
	void *cq_rings;
	size_t cq_rings_len;
	size_t sqes_len;

	/* io_u by index; the SQE and iovec of an io_u sit at its index */
	struct io_u **io_u_index;
	struct iovec *iovecs;

	int *fds;		/* the registered files, by f->engine_pos */
	unsigned int nr_fds;

	unsigned int iodepth;	/* the job's iodepth, before rounding */
	unsigned int queued;	/* in the SQ, not yet submitted */
	unsigned int cq_ring_off; /* CQ head when getevents started */
	unsigned int prepped;	/* counts up to force_async */

	struct cmdprio cmdprio;
};

struct xuring_options {
	struct thread_data *td;	/* no option may sit at offset 0 */
	unsigned int hipri;
	struct cmdprio_options cmdprio_options;
	unsigned int fixedbufs;
	unsigned int registerfiles;
	unsigned int sqpoll_thread;
	unsigned int sqpoll_set;
	unsigned int sqpoll_cpu;
	int nonvectored;	/* -1: READ/WRITE if the probe lists them */
	unsigned int uncached;
	unsigned int nowait;
	unsigned int force_async;
	unsigned int cmd_type;
};

static int xuring_sqpoll_cpu_cb(void *data, unsigned long long *val)
{
	struct xuring_options *o = data;

	o->sqpoll_cpu = *val;
	o->sqpoll_set = 1;
	return 0;
}

#define XURING_OPT(...)	{ __VA_ARGS__, .category = FIO_OPT_C_ENGINE, \
			  .group = FIO_OPT_G_IOURING }

static struct fio_option options[] = {
	XURING_OPT(.name = "hipri", .lname = "High Priority",
		   .type = FIO_OPT_STR_SET,
		   .off1 = offsetof(struct xuring_options, hipri),
		   .help = "Use polled IO completions (IOPOLL ring, needs direct=1)"),
	XURING_OPT(.name = "cmdprio_percentage",
		   .lname = "high priority percentage",
		   .type = FIO_OPT_INT,
		   .off1 = offsetof(struct xuring_options,
				    cmdprio_options.percentage[DDIR_READ]),
		   .off2 = offsetof(struct xuring_options,
				    cmdprio_options.percentage[DDIR_WRITE]),
		   .minval = 0, .maxval = 100,
		   .help = "Send high priority I/O this percentage of the time"),
	XURING_OPT(.name = "cmdprio_class",
		   .lname = "Asynchronous I/O priority class",
		   .type = FIO_OPT_INT,
		   .off1 = offsetof(struct xuring_options,
				    cmdprio_options.class[DDIR_READ]),
		   .off2 = offsetof(struct xuring_options,
				    cmdprio_options.class[DDIR_WRITE]),
		   .minval = IOPRIO_MIN_PRIO_CLASS + 1,
		   .maxval = IOPRIO_MAX_PRIO_CLASS, .interval = 1,
		   .help = "Set asynchronous IO priority class"),
	XURING_OPT(.name = "cmdprio",
		   .lname = "Asynchronous I/O priority level",
		   .type = FIO_OPT_INT,
		   .off1 = offsetof(struct xuring_options,
				    cmdprio_options.level[DDIR_READ]),
		   .off2 = offsetof(struct xuring_options,
				    cmdprio_options.level[DDIR_WRITE]),
		   .minval = IOPRIO_MIN_PRIO, .maxval = IOPRIO_MAX_PRIO,
		   .interval = 1,
		   .help = "Set asynchronous IO priority level"),
	XURING_OPT(.name = "cmdprio_bssplit",
		   .lname = "Priority percentage block size split",
		   .type = FIO_OPT_STR_STORE,
		   .off1 = offsetof(struct xuring_options,
				    cmdprio_options.bssplit_str),
		   .help = "Set priority percentages for different block sizes"),
	XURING_OPT(.name = "fixedbufs", .lname = "Fixed (pre-mapped) IO buffers",
		   .type = FIO_OPT_STR_SET,
		   .off1 = offsetof(struct xuring_options, fixedbufs),
		   .help = "Pre map IO buffers (REGISTER_BUFFERS, READ/WRITE_FIXED)"),
	XURING_OPT(.name = "registerfiles", .lname = "Register file set",
		   .type = FIO_OPT_STR_SET,
		   .off1 = offsetof(struct xuring_options, registerfiles),
		   .help = "Pre-open/register files (REGISTER_FILES)"),
	XURING_OPT(.name = "sqthread_poll", .lname = "Kernel SQ thread polling",
		   .type = FIO_OPT_STR_SET,
		   .off1 = offsetof(struct xuring_options, sqpoll_thread),
		   .help = "Offload submission/completion to kernel thread"),
	XURING_OPT(.name = "sqthread_poll_cpu", .lname = "SQ Thread Poll CPU",
		   .type = FIO_OPT_INT, .cb = xuring_sqpoll_cpu_cb,
		   .help = "What CPU to run SQ thread polling on"),
	XURING_OPT(.name = "nonvectored", .lname = "Non-vectored",
		   .type = FIO_OPT_INT,
		   .off1 = offsetof(struct xuring_options, nonvectored),
		   .def = "-1",
		   .help = "Use non-vectored read/write commands"),
	XURING_OPT(.name = "uncached", .lname = "Uncached",
		   .type = FIO_OPT_INT,
		   .off1 = offsetof(struct xuring_options, uncached),
		   .help = "Use RWF_UNCACHED for buffered read/writes (not supported)"),
	XURING_OPT(.name = "nowait", .lname = "RWF_NOWAIT",
		   .type = FIO_OPT_BOOL,
		   .off1 = offsetof(struct xuring_options, nowait),
		   .help = "Use RWF_NOWAIT for reads/writes"),
	XURING_OPT(.name = "force_async", .lname = "Force async",
		   .type = FIO_OPT_INT,
		   .off1 = offsetof(struct xuring_options, force_async),
		   .help = "Set IOSQE_ASYNC every N requests"),
	XURING_OPT(.name = "cmd_type", .lname = "Uring cmd type",
		   .type = FIO_OPT_STR,
		   .off1 = offsetof(struct xuring_options, cmd_type),
		   .help = "Specify uring-cmd type (not supported: no URING_CMD)",
		   .posval = {
			   { .ival = "nvme", .oval = XURING_CMD_NVME,
			     .help = "Issue nvme-uring-cmd" },
		   }),
	{ .name = NULL },
};

static int xuring_enter(struct xuring_data *ld, unsigned int to_submit,
			unsigned int min_complete, unsigned int flags)
{
	struct xuring_enter_arg arg = {
		.to_submit	= to_submit,
		.min_complete	= min_complete,
		.flags		= flags,
	};

	return ioctl(ld->ring_fd, XURING_IOC_ENTER, &arg);
}

static int xuring_register(struct xuring_data *ld, unsigned int opcode,
			   void *data, unsigned int nr)
{
	struct xuring_register_arg arg = {
		.opcode		= opcode,
		.nr_args	= nr,
		.arg		= (uintptr_t)data,
	};

	return ioctl(ld->ring_fd, XURING_IOC_REGISTER, &arg);
}

static const uint8_t ddir_to_op[2][2] = {	/* [ddir][nonvectored] */
	[DDIR_READ]	= { XURING_OP_READV, XURING_OP_READ },
	[DDIR_WRITE]	= { XURING_OP_WRITEV, XURING_OP_WRITE },
};

static const uint8_t fixed_ddir_to_op[2] = {
	[DDIR_READ]	= XURING_OP_READ_FIXED,
	[DDIR_WRITE]	= XURING_OP_WRITE_FIXED,
};

static int fio_xuring_prep(struct thread_data *td, struct io_u *io_u)
{
	struct xuring_data *ld = td->io_ops_data;
	struct xuring_options *o = td->eo;
	struct fio_file *f = io_u->file;
	struct xuring_sqe *sqe = &ld->sqes[io_u->index];

	/* an SQE is reused: leave nothing of the last request in it */
	memset(sqe, 0, sizeof(*sqe));
	if (o->registerfiles) {
		sqe->fd = f->engine_pos;
		sqe->flags = XURING_SQE_FIXED_FILE;
	} else {
		sqe->fd = f->fd;
	}

	if (ddir_rw(io_u->ddir)) {
		if (o->fixedbufs) {
			sqe->opcode = fixed_ddir_to_op[io_u->ddir];
			sqe->addr = (uintptr_t)io_u->xfer_buf;
			sqe->len = io_u->xfer_buflen;
			sqe->buf_index = io_u->index;
		} else if (o->nonvectored) {
			sqe->opcode = ddir_to_op[io_u->ddir][1];
			sqe->addr = (uintptr_t)io_u->xfer_buf;
			sqe->len = io_u->xfer_buflen;
		} else {
			struct iovec *iov = &ld->iovecs[io_u->index];

			/* a requeue may have moved xfer_buf on */
			iov->iov_base = io_u->xfer_buf;
			iov->iov_len = io_u->xfer_buflen;
			sqe->opcode = ddir_to_op[io_u->ddir][0];
			sqe->addr = (uintptr_t)iov;
			sqe->len = 1;
		}
		if (o->nowait)
			sqe->rw_flags |= RWF_NOWAIT;
		/*
		 * The SQ thread does not inherit ioprio_set(): carry the job's
		 * priority in every SQE (cmdprio may override it at queue).
		 */
		sqe->ioprio = td->ioprio;
		sqe->off = io_u->offset;
	} else if (io_u->ddir == DDIR_SYNC_FILE_RANGE) {
		sqe->opcode = XURING_OP_SYNC_FILE_RANGE;
		sqe->off = f->first_write;
		sqe->len = f->last_write - f->first_write;
		sqe->sync_range_flags = td->o.sync_file_range;
	} else if (ddir_sync(io_u->ddir)) {
		sqe->opcode = XURING_OP_FSYNC;
		if (io_u->ddir == DDIR_DATASYNC)
			sqe->fsync_flags = XURING_FSYNC_DATASYNC;
	} else {
		/* trim: refused at init; nothing else reaches an engine */
		log_err("fio: xuring: cannot issue %s\n",
			io_ddir_name(io_u->ddir));
		return EOPNOTSUPP;
	}

	if (o->force_async && ++ld->prepped == o->force_async) {
		ld->prepped = 0;
		sqe->flags |= XURING_SQE_ASYNC;
	}
	sqe->user_data = (uintptr_t)io_u;
	return 0;
}

/*
 * A CQE says more was done than the request asked for: fail the I/O, as
 * fio would otherwise count it complete and verify only what it asked for.
 */
static void xuring_bad_result(struct io_u *io_u, int res,
			      unsigned long long asked)
{
	log_err("fio: xuring: %s of %llu bytes at offset %llu completed with %d\n",
		io_ddir_name(io_u->ddir), asked, io_u->offset, res);
	io_u->error = EIO;
}

static struct io_u *fio_xuring_event(struct thread_data *td, int event)
{
	struct xuring_data *ld = td->io_ops_data;
	struct xuring_cqe *cqe;
	struct io_u *io_u;

	cqe = &ld->cq.cqes[(ld->cq_ring_off + event) & ld->cq.mask];
	io_u = (struct io_u *)(uintptr_t)cqe->user_data;

	io_u->error = 0;
	if (cqe->res < 0) {
		io_u->error = -cqe->res;
	} else if (!ddir_rw(io_u->ddir)) {
		/* FSYNC and SYNC_FILE_RANGE complete with 0 */
		if (cqe->res)
			xuring_bad_result(io_u, cqe->res, 0);
	} else if ((unsigned long long)cqe->res > io_u->xfer_buflen) {
		/* more than asked: bytes went where nobody wanted them */
		xuring_bad_result(io_u, cqe->res, io_u->xfer_buflen);
	} else if ((unsigned long long)cqe->res < io_u->xfer_buflen) {
		io_u->resid = io_u->xfer_buflen - cqe->res;	/* short */
	}
	return io_u;
}

/* Count CQEs that arrived, up to @max in all, and hand them to fio. */
static unsigned int xuring_cq_reap(struct xuring_data *ld, unsigned int events,
				   unsigned int max)
{
	unsigned int head = *ld->cq.head, tail, ready;

	tail = ring_load_acquire(ld->cq.tail);
	ready = tail - head;
	if (ready > max - events)
		ready = max - events;
	/*
	 * The slots stay ours until ->event has read them: fio calls ->event
	 * for all of them before the next ->getevents, and the kernel never
	 * has more requests than CQ slots (cq_entries >= iodepth).
	 */
	if (ready)
		ring_store_release(ld->cq.head, head + ready);
	return ready;
}

static bool xuring_sq_needs_wakeup(struct xuring_data *ld)
{
	/* the tail store must be visible before we read the thread's flag */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(ld->sq.flags, __ATOMIC_RELAXED) &
		XURING_SQ_NEED_WAKEUP;
}

/* With SQPOLL: the thread sleeps, or CQEs wait in the overflow list. */
static bool xuring_sq_needs_enter(struct xuring_data *ld)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(ld->sq.flags, __ATOMIC_RELAXED) &
		(XURING_SQ_NEED_WAKEUP | XURING_SQ_CQ_OVERFLOW);
}

static int fio_xuring_getevents(struct thread_data *td, unsigned int min,
				unsigned int max, const struct timespec *t)
{
	struct xuring_data *ld = td->io_ops_data;
	struct xuring_options *o = td->eo;
	unsigned int actual_min = td->o.iodepth_batch_complete_min ? min : 0;
	unsigned int events = 0, r, flags;
	int ret = 0;

	ld->cq_ring_off = *ld->cq.head;
	do {
		r = xuring_cq_reap(ld, events, max);
		if (r) {
			events += r;
			actual_min = actual_min > r ? actual_min - r : 0;
			continue;
		}
		if (o->sqpoll_thread) {
			/*
			 * As fio's io_uring engine: with an SQ thread, spin
			 * on the CQ. Enter only to wake the thread if it went
			 * idle with our SQEs still in the ring (or we would
			 * spin forever), or to flush overflowed CQEs.
			 */
			if (!xuring_sq_needs_enter(ld))
				continue;
			flags = XURING_ENTER_SQ_WAKEUP;
			if (__atomic_load_n(ld->sq.flags, __ATOMIC_RELAXED) &
			    XURING_SQ_CQ_OVERFLOW)
				flags |= XURING_ENTER_GETEVENTS;
			ret = xuring_enter(ld, 0, 0, flags);
		} else {
			/* sleep (or, on an IOPOLL ring, poll) in the kernel */
			ret = xuring_enter(ld, 0, actual_min,
					   XURING_ENTER_GETEVENTS);
		}
		if (ret < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				ret = 0;
				continue;
			}
			ret = -errno;
			td_verror(td, errno, "xuring enter getevents");
			break;
		}
	} while (events < min);

	return ret < 0 ? ret : (int)events;
}

static enum fio_q_status fio_xuring_queue(struct thread_data *td,
					  struct io_u *io_u)
{
	struct xuring_data *ld = td->io_ops_data;
	struct xuring_sq *sq = &ld->sq;
	unsigned int tail;

	fio_ro_check(td, io_u);

	if (ld->queued == ld->iodepth)
		return FIO_Q_BUSY;

	if (io_u->ddir == DDIR_TRIM) {	/* refused at init, but be sure */
		io_u->error = EOPNOTSUPP;
		return FIO_Q_COMPLETED;
	}

	tail = *sq->tail;
	/* a full SQ: the SQ thread has not caught up yet */
	if (tail - ring_load_acquire(sq->head) > sq->mask)
		return FIO_Q_BUSY;

	if (ld->cmdprio.mode != CMDPRIO_MODE_NONE &&
	    fio_cmdprio_set_ioprio(td, &ld->cmdprio, io_u))
		ld->sqes[io_u->index].ioprio = io_u->ioprio;

	sq->array[tail & sq->mask] = io_u->index;
	ring_store_release(sq->tail, tail + 1);
	ld->queued++;
	return FIO_Q_QUEUED;
}

/* @nr SQEs from SQ position @start went to the kernel: stamp them. */
static void xuring_mark_issued(struct thread_data *td, unsigned int start,
			       unsigned int nr)
{
	struct xuring_data *ld = td->io_ops_data;
	struct timespec now;

	io_u_mark_submit(td, nr);
	if (!fio_fill_issue_time(td))
		return;

	fio_gettime(&now, NULL);
	while (nr--) {
		unsigned int index = ld->sq.array[start++ & ld->sq.mask];
		struct io_u *io_u = ld->io_u_index[index];

		io_u->issue_time = now;
		io_u_queued(td, io_u);
	}
	if (td->o.read_iolog_file)	/* only for iolog replay */
		td->last_issue = now;
}

static int fio_xuring_commit(struct thread_data *td)
{
	struct xuring_data *ld = td->io_ops_data;
	struct xuring_options *o = td->eo;
	int ret;

	if (!ld->queued)
		return 0;

	/*
	 * The SQ thread submits what the tail shows; enter the kernel only
	 * if it went to sleep after being idle for sq_thread_idle.
	 */
	if (o->sqpoll_thread) {
		xuring_mark_issued(td, *ld->sq.tail - ld->queued, ld->queued);
		if (xuring_sq_needs_wakeup(ld) &&
		    xuring_enter(ld, ld->queued, 0, XURING_ENTER_SQ_WAKEUP) < 0) {
			td_verror(td, errno, "xuring enter sq wakeup");
			return -errno;
		}
		ld->queued = 0;
		return 0;
	}

	do {
		unsigned int start = *ld->sq.head;

		ret = xuring_enter(ld, ld->queued, 0, XURING_ENTER_GETEVENTS);
		if (ret > 0) {
			xuring_mark_issued(td, start, ret);
			ld->queued -= ret;
		} else if (ret == 0 || errno == EAGAIN || errno == EINTR ||
			   errno == EBUSY) {
			/* nothing taken this time: transient, try again */
			usleep(1);
		} else {
			ret = -errno;
			td_verror(td, errno, "xuring enter submit");
			return ret;
		}
	} while (ld->queued);

	return 0;
}

static void fio_xuring_unmap(struct xuring_data *ld)
{
	if (ld->rings)
		munmap(ld->rings, ld->rings_len);
	if (ld->cq_rings)
		munmap(ld->cq_rings, ld->cq_rings_len);
	if (ld->sqes)
		munmap(ld->sqes, ld->sqes_len);
	if (ld->ring_fd >= 0)
		close(ld->ring_fd);
	ld->ring_fd = -1;
}

static void fio_xuring_cleanup(struct thread_data *td)
{
	struct xuring_data *ld = td->io_ops_data;
	unsigned int i;

	if (!ld)
		return;
	if (!(td->flags & TD_F_CHILD)) {
		fio_xuring_unmap(ld);
		for (i = 0; ld->fds && i < ld->nr_fds; i++)
			if (ld->fds[i] >= 0)
				close(ld->fds[i]);
	}
	fio_cmdprio_cleanup(&ld->cmdprio);
	free(ld->io_u_index);
	free(ld->iovecs);
	free(ld->fds);
	free(ld);
	td->io_ops_data = NULL;
}

static void *xuring_mmap(struct xuring_data *ld, size_t len, off_t off)
{
	void *ptr = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, ld->ring_fd, off);

	return ptr == MAP_FAILED ? NULL : ptr;
}

static int xuring_map_rings(struct xuring_data *ld,
			    const struct xuring_params *p)
{
	size_t sq_len = p->sq_off.array + p->sq_entries * sizeof(__u32);
	size_t cq_len = p->cq_off.cqes +
			p->cq_entries * sizeof(struct xuring_cqe);
	void *sq_ptr, *cq_ptr;

	if (p->features & XURING_FEAT_SINGLE_MMAP) {
		ld->rings_len = sq_len > cq_len ? sq_len : cq_len;
		ld->rings = sq_ptr = cq_ptr =
			xuring_mmap(ld, ld->rings_len, XURING_OFF_SQ_RING);
		if (!sq_ptr)
			return -errno;
	} else {
		ld->rings_len = sq_len;
		ld->rings = sq_ptr = xuring_mmap(ld, sq_len, XURING_OFF_SQ_RING);
		if (!sq_ptr)
			return -errno;
		ld->cq_rings_len = cq_len;
		ld->cq_rings = cq_ptr = xuring_mmap(ld, cq_len,
						    XURING_OFF_CQ_RING);
		if (!cq_ptr)
			return -errno;
	}
	ld->sqes_len = p->sq_entries * sizeof(struct xuring_sqe);
	ld->sqes = xuring_mmap(ld, ld->sqes_len, XURING_OFF_SQES);
	if (!ld->sqes)
		return -errno;

	ld->sq.head = sq_ptr + p->sq_off.head;
	ld->sq.tail = sq_ptr + p->sq_off.tail;
	ld->sq.flags = sq_ptr + p->sq_off.flags;
	ld->sq.array = sq_ptr + p->sq_off.array;
	ld->sq.mask = *(unsigned int *)(sq_ptr + p->sq_off.ring_mask);
	ld->cq.head = cq_ptr + p->cq_off.head;
	ld->cq.tail = cq_ptr + p->cq_off.tail;
	ld->cq.cqes = cq_ptr + p->cq_off.cqes;
	ld->cq.mask = *(unsigned int *)(cq_ptr + p->cq_off.ring_mask);
	return 0;
}

/* nonvectored=-1 (the default): READ/WRITE when the ring has them. */
static void xuring_probe(struct thread_data *td)
{
	struct xuring_data *ld = td->io_ops_data;
	struct xuring_options *o = td->eo;
	struct xuring_probe *p;
	size_t len = sizeof(*p) + 256 * sizeof(struct xuring_probe_op);

	if (o->nonvectored != -1)
		return;
	o->nonvectored = 0;	/* the safe choice if the probe fails */
	p = calloc(1, len);
	if (!p)
		return;
	if (xuring_register(ld, XURING_REGISTER_PROBE, p, 256) >= 0 &&
	    p->ops_len > XURING_OP_WRITE &&
	    (p->ops[XURING_OP_READ].flags & XURING_OP_SUPPORTED) &&
	    (p->ops[XURING_OP_WRITE].flags & XURING_OP_SUPPORTED))
		o->nonvectored = 1;
	free(p);
}

static int xuring_queue_init(struct thread_data *td)
{
	struct xuring_data *ld = td->io_ops_data;
	struct xuring_options *o = td->eo;
	unsigned int depth = td->o.iodepth;
	struct xuring_params p;
	struct xuring_setup_arg arg;
	int ret;

	ld->ring_fd = open(XURING_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (ld->ring_fd < 0) {
		ret = errno;
		log_err("fio: xuring: cannot open %s: %s%s\n",
			XURING_DEVICE_PATH, strerror(ret),
			ret == ENOENT ? " (is xuring.ko loaded?)" : "");
		return -ret;
	}

	memset(&p, 0, sizeof(p));
	if (o->hipri)
		p.flags |= XURING_SETUP_IOPOLL;
	if (o->sqpoll_thread) {
		p.flags |= XURING_SETUP_SQPOLL;
		if (o->sqpoll_set) {
			p.flags |= XURING_SETUP_SQ_AFF;
			p.sq_thread_cpu = o->sqpoll_cpu;
		}
	} else {
		/*
		 * Nothing needs to interrupt us for completions, and only
		 * this thread submits (SQPOLL rings take neither flag).
		 */
		p.flags |= XURING_SETUP_COOP_TASKRUN |
			   XURING_SETUP_SINGLE_ISSUER |
			   XURING_SETUP_DEFER_TASKRUN;
	}
	/* never more than iodepth in flight: a CQ that size is enough */
	p.flags |= XURING_SETUP_CQSIZE;
	p.cq_entries = depth;

	for (;;) {
		memset(&arg, 0, sizeof(arg));
		arg.entries = depth;
		arg.params = (uintptr_t)&p;
		if (!ioctl(ld->ring_fd, XURING_IOC_SETUP, &arg))
			break;
		ret = errno;
		if (ret != EINVAL) {
			log_err("fio: xuring: ring setup: %s\n", strerror(ret));
			return -ret;
		}
		/* drop the optional flags, as io_uring engines do */
		if (p.flags & XURING_SETUP_DEFER_TASKRUN) {
			p.flags &= ~(XURING_SETUP_DEFER_TASKRUN |
				     XURING_SETUP_SINGLE_ISSUER);
		} else if (p.flags & XURING_SETUP_COOP_TASKRUN) {
			p.flags &= ~XURING_SETUP_COOP_TASKRUN;
		} else if (p.flags & XURING_SETUP_CQSIZE) {
			p.flags &= ~XURING_SETUP_CQSIZE;
			p.cq_entries = 0;
		} else {
			log_err("fio: xuring: ring setup (flags 0x%x, %u entries): %s\n",
				p.flags, depth, strerror(ret));
			return -ret;
		}
	}
	ld->features = p.features;

	ret = xuring_map_rings(ld, &p);
	if (ret) {
		log_err("fio: xuring: mmap of the rings: %s\n", strerror(-ret));
		return ret;
	}

	xuring_probe(td);

	if (o->fixedbufs &&
	    xuring_register(ld, XURING_REGISTER_BUFFERS, ld->iovecs, depth) < 0) {
		ret = errno;
		log_err("fio: xuring: fixedbufs: REGISTER_BUFFERS of %u buffers of %llu bytes: %s\n",
			depth, td_max_bs(td), strerror(ret));
		return -ret;
	}
	return 0;
}

/*
 * Open every file now and hand the set to the ring; fio's later opens and
 * closes only switch f->fd between the registered descriptor and -1.
 */
static int xuring_register_files(struct thread_data *td)
{
	struct xuring_data *ld = td->io_ops_data;
	struct fio_file *f;
	unsigned int i;
	int ret = 0;

	ld->fds = calloc(td->o.nr_files, sizeof(int));
	if (!ld->fds)
		return -ENOMEM;
	for (i = 0; i < td->o.nr_files; i++)
		ld->fds[i] = -1;
	ld->nr_fds = td->o.nr_files;

	for_each_file(td, f, i) {
		ret = generic_open_file(td, f);
		if (ret)
			break;
		ld->fds[i] = f->fd;
		f->engine_pos = i;
	}
	if (!ret && xuring_register(ld, XURING_REGISTER_FILES, ld->fds,
				    ld->nr_fds) < 0) {
		ret = -errno;
		log_err("fio: xuring: registerfiles: REGISTER_FILES: %s\n",
			strerror(errno));
	}

	/* the files look closed to fio; the descriptors live in ld->fds */
	for_each_file(td, f, i)
		f->fd = -1;
	return ret;
}

static int fio_xuring_post_init(struct thread_data *td)
{
	struct xuring_data *ld = td->io_ops_data;
	struct xuring_options *o = td->eo;
	unsigned int i;
	int ret;

	/* fixedbufs registers these: each io_u's whole buffer */
	for (i = 0; i < td->o.iodepth; i++) {
		ld->iovecs[i].iov_base = ld->io_u_index[i]->buf;
		ld->iovecs[i].iov_len = td_max_bs(td);
	}

	ret = xuring_queue_init(td);
	if (ret) {
		td_verror(td, -ret, "xuring_queue_init");
		return 1;
	}

	if (o->registerfiles) {
		ret = xuring_register_files(td);
		if (ret) {
			td_verror(td, -ret, "xuring_register_files");
			return 1;
		}
	}
	return 0;
}

static bool xuring_refuse(const char *what, const char *why)
{
	log_err("fio: xuring: %s is not supported: %s\n", what, why);
	return true;
}

/* Options and workloads xuring cannot serve: say so, never ignore them. */
static bool xuring_unsupported(struct thread_data *td)
{
	struct xuring_options *o = td->eo;
	bool bad = false;

	if (o->uncached)
		bad = xuring_refuse("uncached",
			"xuring, like Linux 6.1 io_uring, has no RWF_UNCACHED");
	if (o->cmd_type)
		bad = xuring_refuse("cmd_type",
			"xuring has no IORING_OP_URING_CMD (fio's io_uring_cmd engine)");
	if (td_trim(td) || td->o.trim_percentage)
		bad = xuring_refuse("trim (rw=trim/randtrim/trimwrite, trim_percentage)",
			"xuring has no discard operation");
	if (o->hipri && !td->o.odirect)
		bad = xuring_refuse("hipri without direct=1",
			"an IOPOLL ring polls O_DIRECT I/O only");
	if (o->hipri && (td->o.fsync_blocks || td->o.fdatasync_blocks ||
			 td->o.sync_file_range || td->o.end_fsync ||
			 td->o.fsync_on_close))
		bad = xuring_refuse("hipri with fsync/fdatasync/sync_file_range/end_fsync/fsync_on_close",
			"an IOPOLL ring takes only reads and writes");
	return bad;
}

static int fio_xuring_init(struct thread_data *td)
{
	struct xuring_options *o = td->eo;
	struct xuring_data *ld;

	if (xuring_unsupported(td)) {
		td_verror(td, EOPNOTSUPP, "fio_xuring_init");
		return 1;
	}

	/* as fio's io_uring engine: the SQ thread uses registered files */
	if (o->sqpoll_thread)
		o->registerfiles = 1;
	if (o->registerfiles && td->o.nr_files != td->o.open_files) {
		log_err("fio: xuring: registerfiles (and sqthread_poll) need "
			"nr_files to be identical to open_files\n");
		td_verror(td, EINVAL, "fio_xuring_init");
		return 1;
	}

	ld = calloc(1, sizeof(*ld));
	if (!ld)
		return 1;
	ld->ring_fd = -1;

	/* the ring's size is a power of two; fio sizes its io_u pool to it */
	ld->iodepth = td->o.iodepth;
	td->o.iodepth = roundup_pow2(td->o.iodepth);

	ld->io_u_index = calloc(td->o.iodepth, sizeof(struct io_u *));
	ld->iovecs = calloc(td->o.iodepth, sizeof(struct iovec));
	td->io_ops_data = ld;
	if (!ld->io_u_index || !ld->iovecs)
		return 1;

	if (fio_cmdprio_init(td, &ld->cmdprio, &o->cmdprio_options)) {
		td_verror(td, EINVAL, "fio_xuring_init");
		return 1;
	}
	return 0;
}

static int fio_xuring_io_u_init(struct thread_data *td, struct io_u *io_u)
{
	struct xuring_data *ld = td->io_ops_data;

	ld->io_u_index[io_u->index] = io_u;
	return 0;
}

static int fio_xuring_open_file(struct thread_data *td, struct fio_file *f)
{
	struct xuring_data *ld = td->io_ops_data;
	struct xuring_options *o = td->eo;

	if (!ld || !o->registerfiles || !ld->fds)
		return generic_open_file(td, f);
	f->fd = ld->fds[f->engine_pos];
	return 0;
}

static int fio_xuring_close_file(struct thread_data *td, struct fio_file *f)
{
	struct xuring_data *ld = td->io_ops_data;
	struct xuring_options *o = td->eo;

	if (!ld || !o->registerfiles || !ld->fds)
		return generic_close_file(td, f);
	f->fd = -1;
	return 0;
}

/* fio looks this up by name in the dlopen()ed engine: our only export */
__attribute__((visibility("default")))
struct ioengine_ops ioengine = {
	.name			= "xuring",
	.version		= FIO_IOOPS_VERSION,
	.flags			= FIO_NO_OFFLOAD | FIO_ASYNCIO_SETS_ISSUE_TIME,
	.init			= fio_xuring_init,
	.post_init		= fio_xuring_post_init,
	.io_u_init		= fio_xuring_io_u_init,
	.prep			= fio_xuring_prep,
	.queue			= fio_xuring_queue,
	.commit			= fio_xuring_commit,
	.getevents		= fio_xuring_getevents,
	.event			= fio_xuring_event,
	.cleanup		= fio_xuring_cleanup,
	.open_file		= fio_xuring_open_file,
	.close_file		= fio_xuring_close_file,
	.get_file_size		= generic_get_file_size,
	.options		= options,
	.option_struct_size	= sizeof(struct xuring_options),
};
