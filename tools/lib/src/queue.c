// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Submission and completion: publishing SQEs, and entering the kernel when
 * the rings alone cannot do the job.
 *
 * The rings need the kernel only to submit (unless an SQPOLL thread is
 * awake to pick SQEs up), to wait, to flush CQEs that overflowed into the
 * kernel's list while the CQ ring was full, and to reap IOPOLL completions.
 * Everything else is loads and stores on the shared rings.
 */
#include "lib.h"

/*
 * Whether submitting these SQEs takes an enter: always without SQPOLL; with
 * it, only to wake the SQ thread when it went to sleep, and then with
 * IORING_ENTER_SQ_WAKEUP added to *flags.
 */
static bool xr_sq_needs_enter(struct io_uring *ring, unsigned int submit,
			      unsigned int *flags)
{
	if (!submit)
		return false;
	if (!(ring->flags & IORING_SETUP_SQPOLL))
		return true;

	/*
	 * Order the tail store of __io_uring_flush_sq() before the flags
	 * load: the SQ thread sets NEED_WAKEUP and then rechecks the tail
	 * before it sleeps, so one of the two sides sees the other's store.
	 */
	io_uring_smp_mb();
	if (uring_unlikely(IO_URING_READ_ONCE(*ring->sq.kflags) &
			   IORING_SQ_NEED_WAKEUP)) {
		*flags |= IORING_ENTER_SQ_WAKEUP;
		return true;
	}
	return false;
}

/* CQEs are waiting in the kernel, not in the ring: an enter brings them */
static bool xr_cq_needs_flush(struct io_uring *ring)
{
	return IO_URING_READ_ONCE(*ring->sq.kflags) &
	       (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN);
}

static bool xr_cq_needs_enter(struct io_uring *ring)
{
	/* IOPOLL completions are only found by polling from an enter */
	return (ring->flags & IORING_SETUP_IOPOLL) || xr_cq_needs_flush(ring);
}

static unsigned int xr_enter_flags(struct io_uring *ring, unsigned int flags)
{
	if (ring->int_flags & INT_FLAG_REG_RING)
		flags |= IORING_ENTER_REGISTERED_RING;
	return flags;
}

/* what to submit and wait for, and how, in one trip to get a CQE */
struct xr_get_cqe {
	unsigned int submit;		/* SQEs published and not submitted */
	unsigned int wait_nr;		/* CQEs to wait for */
	unsigned int enter_flags;	/* added to GETEVENTS: EXT_ARG or 0 */
	bool has_ts;			/* arg is an EXT_ARG with a timeout */
	const void *arg;		/* sigset_t, or io_uring_getevents_arg */
	size_t argsz;
};

/*
 * Submit what is to be submitted and wait until wait_nr CQEs are ready, or
 * a CQE at all if wait_nr is 0, entering the kernel as few times as
 * possible. The first CQE goes to *cqe_ptr (NULL if none).
 *
 * Returns 0 or -errno, with liburing's quirks kept so programs see what
 * they saw there: -EAGAIN when nothing is ready and nothing was asked for;
 * -ETIME when a timed wait returned without a CQE; and otherwise, after an
 * enter that submitted SQEs, the number it submitted.
 */
static int xr_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		      struct xr_get_cqe *data)
{
	struct io_uring_cqe *cqe = NULL;
	bool entered = false;
	int err = 0;

	for (;;) {
		unsigned int flags = 0, nr_available;
		bool need_enter = false;
		int ret;

		ret = __io_uring_peek_cqe(ring, &cqe, &nr_available);
		if (ret) {
			if (!err)
				err = ret;
			break;
		}
		if (!cqe && !data->wait_nr && !data->submit) {
			/* a peek: enter once, and only to flush or poll */
			if (entered || !xr_cq_needs_enter(ring)) {
				if (!err)
					err = -EAGAIN;
				break;
			}
			need_enter = true;
		}
		if (data->wait_nr > nr_available || need_enter) {
			flags = IORING_ENTER_GETEVENTS | data->enter_flags;
			need_enter = true;
		}
		if (xr_sq_needs_enter(ring, data->submit, &flags))
			need_enter = true;
		if (!need_enter)
			break;
		/* the kernel already waited out the timeout once */
		if (entered && data->has_ts) {
			const struct io_uring_getevents_arg *arg = data->arg;

			if (!cqe && arg->ts && !err)
				err = -ETIME;
			break;
		}

		ret = xr_sys_enter(ring->enter_ring_fd, data->submit,
				   data->wait_nr, xr_enter_flags(ring, flags),
				   data->arg, data->argsz);
		if (ret < 0) {
			if (!err)
				err = ret;
			break;
		}
		data->submit -= ret;
		if (cqe)
			break;
		if (!entered) {
			entered = true;
			err = ret;
		}
	}

	*cqe_ptr = cqe;
	return err;
}

int __io_uring_get_cqe(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned submit, unsigned wait_nr, sigset_t *sigmask)
{
	struct xr_get_cqe data = {
		.submit		= submit,
		.wait_nr	= wait_nr,
		.arg		= sigmask,
		.argsz		= XR_SIGSET_SIZE,
	};

	return xr_get_cqe(ring, cqe_ptr, &data);
}

/* Flush overflowed CQEs (and run pending task work) into the CQ ring. */
int io_uring_get_events(struct io_uring *ring)
{
	return xr_sys_enter(ring->enter_ring_fd, 0, 0,
			    xr_enter_flags(ring, IORING_ENTER_GETEVENTS),
			    NULL, XR_SIGSET_SIZE);
}

/*
 * Fill cqes[] with up to count ready CQEs without consuming them; returns
 * how many. An empty ring with overflowed CQEs is flushed once first.
 */
unsigned io_uring_peek_batch_cqe(struct io_uring *ring,
				 struct io_uring_cqe **cqes, unsigned count)
{
	int shift = (ring->flags & IORING_SETUP_CQE32) ? 1 : 0;
	unsigned int ready, head, mask, i;
	bool flushed = false;

	for (;;) {
		ready = io_uring_cq_ready(ring);
		if (ready)
			break;
		if (flushed || !xr_cq_needs_flush(ring))
			return 0;
		io_uring_get_events(ring);
		flushed = true;
	}

	if (count > ready)
		count = ready;
	head = *ring->cq.khead;
	mask = ring->cq.ring_mask;
	for (i = 0; i < count; i++)
		cqes[i] = &ring->cq.cqes[((head + i) & mask) << shift];
	return count;
}

/*
 * Publish the SQEs handed out by io_uring_get_sqe() since the last call by
 * moving the SQ tail up to them. Returns how many SQEs the kernel has yet
 * to consume.
 */
unsigned __io_uring_flush_sq(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	unsigned int tail = sq->sqe_tail;

	if (sq->sqe_head != tail) {
		sq->sqe_head = tail;
		/*
		 * The release orders the SQE stores before the tail store.
		 * Without SQPOLL the enter that follows would order them too,
		 * but the release costs nothing on x86 and keeps one rule.
		 */
		io_uring_smp_store_release(sq->ktail, tail);
	}
	/*
	 * A plain load: with SQPOLL the head may move right after it, which
	 * only makes the count an overestimate that the kernel corrects.
	 */
	return tail - *sq->khead;
}

/*
 * Timed waits on kernels without IORING_FEAT_EXT_ARG: queue an
 * IORING_OP_TIMEOUT SQE, tagged LIBURING_UDATA_TIMEOUT, that completes after
 * ts or once wait_nr other CQEs were posted, and have __io_uring_peek_cqe()
 * swallow its CQE. xuring sets EXT_ARG, so it never gets here, and would
 * complete the timeout SQE with -EOPNOTSUPP if it did.
 */
static int xr_submit_timeout(struct io_uring *ring, unsigned int wait_nr,
			     struct __kernel_timespec *ts)
{
	struct io_uring_sqe *sqe;
	int ret;

	sqe = io_uring_get_sqe(ring);
	if (!sqe) {
		/* the SQ ring is full: make room */
		ret = io_uring_submit(ring);
		if (ret < 0)
			return ret;
		sqe = io_uring_get_sqe(ring);
		if (!sqe)
			return -EAGAIN;
	}
	io_uring_prep_timeout(sqe, ts, wait_nr, 0);
	sqe->user_data = LIBURING_UDATA_TIMEOUT;
	return __io_uring_flush_sq(ring);
}

/* a timed get with IORING_ENTER_EXT_ARG; arg lives in the caller's frame */
static int xr_get_cqe_ext_arg(struct io_uring *ring,
			      struct io_uring_cqe **cqe_ptr,
			      unsigned int submit, unsigned int wait_nr,
			      struct __kernel_timespec *ts, sigset_t *sigmask,
			      struct io_uring_getevents_arg *arg)
{
	struct xr_get_cqe data = {
		.submit		= submit,
		.wait_nr	= wait_nr,
		.enter_flags	= IORING_ENTER_EXT_ARG,
		.has_ts		= ts != NULL,
		.arg		= arg,
		.argsz		= sizeof(*arg),
	};

	memset(arg, 0, sizeof(*arg));
	arg->sigmask = (uintptr_t)sigmask;
	arg->sigmask_sz = XR_SIGSET_SIZE;
	arg->ts = (uintptr_t)ts;
	return xr_get_cqe(ring, cqe_ptr, &data);
}

/*
 * Wait for wait_nr CQEs, for at most ts if ts is not NULL, with sigmask
 * installed while waiting. Without EXT_ARG, this submits pending SQEs too
 * (see xr_submit_timeout()).
 */
int io_uring_wait_cqes(struct io_uring *ring, struct io_uring_cqe **cqe_ptr,
		       unsigned wait_nr, struct __kernel_timespec *ts,
		       sigset_t *sigmask)
{
	struct io_uring_getevents_arg arg;
	int to_submit = 0;

	if (ts) {
		if (ring->features & IORING_FEAT_EXT_ARG)
			return xr_get_cqe_ext_arg(ring, cqe_ptr, 0, wait_nr, ts,
						  sigmask, &arg);
		to_submit = xr_submit_timeout(ring, wait_nr, ts);
		if (to_submit < 0)
			return to_submit;
	}
	return __io_uring_get_cqe(ring, cqe_ptr, to_submit, wait_nr, sigmask);
}

/* Submit, then wait as io_uring_wait_cqes() does, in a single enter. */
int io_uring_submit_and_wait_timeout(struct io_uring *ring,
				     struct io_uring_cqe **cqe_ptr,
				     unsigned wait_nr,
				     struct __kernel_timespec *ts,
				     sigset_t *sigmask)
{
	struct io_uring_getevents_arg arg;
	int to_submit;

	if (ts) {
		if (ring->features & IORING_FEAT_EXT_ARG)
			return xr_get_cqe_ext_arg(ring, cqe_ptr,
						  __io_uring_flush_sq(ring),
						  wait_nr, ts, sigmask, &arg);
		to_submit = xr_submit_timeout(ring, wait_nr, ts);
		if (to_submit < 0)
			return to_submit;
	} else {
		to_submit = __io_uring_flush_sq(ring);
	}
	return __io_uring_get_cqe(ring, cqe_ptr, to_submit, wait_nr, sigmask);
}

int io_uring_wait_cqe_timeout(struct io_uring *ring,
			      struct io_uring_cqe **cqe_ptr,
			      struct __kernel_timespec *ts)
{
	return io_uring_wait_cqes(ring, cqe_ptr, 1, ts, NULL);
}

/*
 * Submit the published SQEs and, when asked to or when the CQ side needs
 * it anyway, wait for wait_nr CQEs in the same enter. Returns the number of
 * SQEs submitted, or -errno.
 */
static int xr_submit(struct io_uring *ring, unsigned int submitted,
		     unsigned int wait_nr, bool getevents)
{
	bool cq_needs_enter = getevents || wait_nr || xr_cq_needs_enter(ring);
	unsigned int flags = 0;

	if (!xr_sq_needs_enter(ring, submitted, &flags) && !cq_needs_enter)
		return submitted;	/* the SQ thread is awake */

	if (cq_needs_enter)
		flags |= IORING_ENTER_GETEVENTS;
	return xr_sys_enter(ring->enter_ring_fd, submitted, wait_nr,
			    xr_enter_flags(ring, flags), NULL, XR_SIGSET_SIZE);
}

int io_uring_submit(struct io_uring *ring)
{
	return xr_submit(ring, __io_uring_flush_sq(ring), 0, false);
}

int io_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr)
{
	return xr_submit(ring, __io_uring_flush_sq(ring), wait_nr, false);
}

int io_uring_submit_and_get_events(struct io_uring *ring)
{
	return xr_submit(ring, __io_uring_flush_sq(ring), 0, true);
}

/* exported for programs that take its address or cannot inline */
struct io_uring_sqe *io_uring_get_sqe(struct io_uring *ring)
{
	return _io_uring_get_sqe(ring);
}

/* With SQPOLL: sleep until the SQ thread frees an SQ entry. */
int __io_uring_sqring_wait(struct io_uring *ring)
{
	return xr_sys_enter(ring->enter_ring_fd, 0, 0,
			    xr_enter_flags(ring, IORING_ENTER_SQ_WAIT),
			    NULL, XR_SIGSET_SIZE);
}
