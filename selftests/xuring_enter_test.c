// SPDX-License-Identifier: GPL-2.0
/*
 * XURING_IOC_ENTER, io_uring_enter(2)'s stand-in: what it consumes, its
 * flags, waiting for completions with min_complete, a timeout or a signal,
 * and the temporary signal mask, in both the plain and EXT_ARG forms.
 *
 * Timing checks are loose on purpose (the suite runs in slow emulated
 * VMs): a 100 ms timeout must take at least 90 ms and less than 5 s.
 */
#include <poll.h>
#include <sys/time.h>

#include "xuring_test.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define MS	1000000ULL

static volatile sig_atomic_t signal_count;
static volatile __u64 signal_time_ns;

static void count_signal(int sig)
{
	signal_count++;
	signal_time_ns = xr_now_ns();
}

/* Is sig blocked in this thread right now? */
static bool signal_blocked(int sig)
{
	sigset_t cur;

	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, sig);
}

/*
 * A helper thread that waits until the test thread is asleep in ENTER,
 * signals it, and optionally queues and submits one NOP a little later.
 */
struct waker {
	pthread_t thread;
	pthread_t target;
	pid_t target_tid;
	int sig;			/* 0: none */
	unsigned int submit_after_ms;	/* after the signal */
	struct xr_ring *submit_ring;	/* NULL: do not submit */
	__u64 submit_user_data;
	/* results */
	bool saw_sleep;
	__u64 signal_sent_ns;
	__u64 submit_start_ns;
	int submit_ret;
};

static void *waker_fn(void *arg)
{
	struct waker *w = arg;

	w->saw_sleep = xr_wait_task_sleeping(w->target_tid, 10000);
	if (w->sig) {
		w->signal_sent_ns = xr_now_ns();
		pthread_kill(w->target, w->sig);
	}
	if (w->submit_ring) {
		xr_sleep_ms(w->submit_after_ms);
		w->submit_start_ns = xr_now_ns();
		if (!xr_queue_nop(w->submit_ring, w->submit_user_data))
			w->submit_ret = -ENOSPC;
		else
			w->submit_ret = xr_submit(w->submit_ring);
	}
	return NULL;
}

static int waker_start(struct waker *w)
{
	w->target = pthread_self();
	w->target_tid = xr_gettid();
	return pthread_create(&w->thread, NULL, waker_fn, w);
}

static struct __kernel_timespec ms_timespec(unsigned int ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long long)(ms % 1000) * 1000000,
	};

	return ts;
}

/* ENTER(GETEVENTS | EXT_ARG) with a relative timeout and optional mask. */
static int wait_ext(struct xr_ring *r, unsigned int min_complete,
		    unsigned int timeout_ms, const sigset_t *mask)
{
	struct __kernel_timespec ts = ms_timespec(timeout_ms);
	struct xuring_getevents_arg arg = {
		.sigmask = (uintptr_t)mask,
		.sigmask_sz = mask ? XR_KERNEL_SIGSET_SIZE : 0,
		.ts = timeout_ms ? (uintptr_t)&ts : 0,
	};

	return xr_enter(r->fd, 0, min_complete,
			XURING_ENTER_GETEVENTS | XURING_ENTER_EXT_ARG,
			&arg, sizeof(arg));
}

/* Post n NOP completions and leave them in the CQ. */
static int post_nops(struct xr_ring *r, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!xr_queue_nop(r, xr_ud()))
			return -ENOSPC;
	return xr_submit_and_wait(r, n);
}

FIXTURE(ring) {
	struct xr_ring r;
};

FIXTURE_SETUP(ring)
{
	ASSERT_EQ(0, xr_ring_init(&self->r, 8, 0));
	signal_count = 0;
	signal_time_ns = 0;
	ASSERT_EQ(0, xr_catch_signal(SIGUSR1, count_signal));
	ASSERT_EQ(0, xr_catch_signal(SIGALRM, count_signal));
}

FIXTURE_TEARDOWN(ring)
{
	xr_ring_exit(&self->r);
}

TEST_F(ring, nothing_queued_returns_zero)
{
	EXPECT_EQ(0, xr_enter(self->r.fd, 0, 0, 0, NULL, 0));
	EXPECT_EQ(0, xr_enter(self->r.fd, 8, 0, 0, NULL, 0));
	EXPECT_EQ(0, xr_enter(self->r.fd, 0, 0, XURING_ENTER_GETEVENTS,
			      NULL, 0));
	EXPECT_EQ(0U, xr_cq_ready(&self->r));
}

TEST_F(ring, unknown_flags_einval)
{
	static const unsigned int flags[] = {
		1U << 5, 1U << 16, 1U << 31,
		XURING_ENTER_GETEVENTS | (1U << 5),
	};
	unsigned int i;

	ASSERT_TRUE(xr_queue_nop(&self->r, xr_ud()));
	ASSERT_EQ(1U, xr_flush_sq(&self->r));
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		EXPECT_EQ(-EINVAL, xr_enter(self->r.fd, 1, 0, flags[i],
					    NULL, 0))
			TH_LOG("flags %#x", flags[i]);
	}
	/* nothing was consumed */
	EXPECT_EQ(0U, xr_load_acquire(self->r.sq_head));
	EXPECT_EQ(0U, xr_cq_ready(&self->r));
}

TEST_F(ring, registered_ring_einval)
{
	EXPECT_EQ(-EINVAL, xr_enter(self->r.fd, 0, 0,
				    XURING_ENTER_REGISTERED_RING, NULL, 0));
	EXPECT_EQ(-EINVAL, xr_enter(self->r.fd, 0, 0,
				    XURING_ENTER_REGISTERED_RING |
				    XURING_ENTER_GETEVENTS, NULL, 0));
}

TEST_F(ring, nonzero_resv_einval)
{
	struct xuring_enter_arg arg = { .to_submit = 1, .resv = 1 };

	ASSERT_TRUE(xr_queue_nop(&self->r, xr_ud()));
	ASSERT_EQ(1U, xr_flush_sq(&self->r));
	EXPECT_EQ(-EINVAL, xr_ioctl(self->r.fd, XURING_IOC_ENTER, &arg));
	EXPECT_EQ(0U, xr_load_acquire(self->r.sq_head));
}

TEST_F(ring, bad_arg_pointer_efault)
{
	EXPECT_EQ(-EFAULT, xr_ioctl(self->r.fd, XURING_IOC_ENTER, NULL));
}

TEST_F(ring, to_submit_more_than_queued_consumes_queued)
{
	__u64 ud = xr_ud_block(3);
	struct xuring_cqe cqe;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(xr_queue_nop(&self->r, ud + i));
	}
	xr_flush_sq(&self->r);
	EXPECT_EQ(3, xr_enter(self->r.fd, 8, 0, 0, NULL, 0));
	EXPECT_EQ(3U, xr_load_acquire(self->r.sq_head));
	ASSERT_EQ(3U, xr_cq_ready(&self->r));
	for (i = 0; i < 3; i++) {
		ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
		EXPECT_EQ(ud + i, cqe.user_data);
	}
	EXPECT_EQ(0, xr_enter(self->r.fd, 1000, 0, 0, NULL, 0));
}

TEST_F(ring, to_submit_fewer_than_queued_leaves_rest)
{
	__u64 ud = xr_ud_block(5);
	struct xuring_cqe cqe;
	unsigned int i;

	for (i = 0; i < 5; i++) {
		ASSERT_TRUE(xr_queue_nop(&self->r, ud + i));
	}
	ASSERT_EQ(5U, xr_flush_sq(&self->r));
	EXPECT_EQ(2, xr_enter(self->r.fd, 2, 0, 0, NULL, 0));
	EXPECT_EQ(2U, xr_load_acquire(self->r.sq_head));
	EXPECT_EQ(2U, xr_cq_ready(&self->r));
	EXPECT_EQ(3, xr_enter(self->r.fd, 3, 0, 0, NULL, 0));
	EXPECT_EQ(5U, xr_load_acquire(self->r.sq_head));
	ASSERT_EQ(5U, xr_cq_ready(&self->r));
	for (i = 0; i < 5; i++) {
		ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
		EXPECT_EQ(ud + i, cqe.user_data);
	}
}

TEST_F(ring, submit_and_wait_returns_submitted)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		ASSERT_TRUE(xr_queue_nop(&self->r, xr_ud()));
	}
	EXPECT_EQ(8, xr_submit_and_wait(&self->r, 8));
	EXPECT_EQ(8U, xr_cq_ready(&self->r));
}

/* min_complete 2: one completion is not enough to end the wait. */
TEST_F(ring, getevents_waits_for_min_complete)
{
	struct waker w = {
		.submit_ring = &self->r,
		.submit_after_ms = 50,
		.submit_user_data = xr_ud(),
	};
	__u64 second_submit_ns, returned_ns;
	int ret;

	/* the first NOP comes from a thread of ours, while we sleep */
	ASSERT_EQ(0, waker_start(&w));
	ret = xr_enter(self->r.fd, 0, 1, XURING_ENTER_GETEVENTS, NULL, 0);
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	ASSERT_EQ(0, ret);
	ASSERT_TRUE(w.saw_sleep);
	ASSERT_EQ(1, w.submit_ret);
	EXPECT_EQ(1U, xr_cq_ready(&self->r));

	/* now wait for two with one ready: the second comes 200 ms later */
	w.submit_after_ms = 200;
	w.submit_user_data = xr_ud();
	ASSERT_EQ(0, waker_start(&w));
	ret = xr_enter(self->r.fd, 0, 2, XURING_ENTER_GETEVENTS, NULL, 0);
	returned_ns = xr_now_ns();
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	second_submit_ns = w.submit_start_ns;
	ASSERT_EQ(0, ret);
	ASSERT_TRUE(w.saw_sleep);
	ASSERT_EQ(1, w.submit_ret);
	EXPECT_EQ(2U, xr_cq_ready(&self->r));
	EXPECT_LE(second_submit_ns, returned_ns)
		TH_LOG("the wait for 2 ended before the 2nd completion");
}

TEST_F(ring, getevents_with_enough_ready_returns_at_once)
{
	__u64 start;

	ASSERT_EQ(3, post_nops(&self->r, 3));
	start = xr_now_ns();
	EXPECT_EQ(0, xr_enter(self->r.fd, 0, 3, XURING_ENTER_GETEVENTS,
			      NULL, 0));
	EXPECT_EQ(0, wait_ext(&self->r, 2, 5000, NULL));
	EXPECT_GT(2000ULL, xr_ms_since(start));
	EXPECT_EQ(3U, xr_cq_ready(&self->r));
}

TEST_F(ring, ext_arg_bad_argsz_einval)
{
	struct __kernel_timespec ts = ms_timespec(100);
	struct xuring_getevents_arg arg[2];
	const size_t sizes[] = { 0, 8, 16, sizeof(arg[0]) + 8 };
	unsigned int i;

	memset(arg, 0, sizeof(arg));
	arg[0].ts = (uintptr_t)&ts;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		EXPECT_EQ(-EINVAL,
			  xr_enter(self->r.fd, 0, 1,
				   XURING_ENTER_GETEVENTS | XURING_ENTER_EXT_ARG,
				   arg, sizes[i]))
			TH_LOG("argsz %zu", sizes[i]);
	}
}

TEST_F(ring, ext_arg_nonzero_pad_einval)
{
	struct __kernel_timespec ts = ms_timespec(100);
	struct xuring_getevents_arg arg = {
		.pad = 1,
		.ts = (uintptr_t)&ts,
	};

	EXPECT_EQ(-EINVAL, xr_enter(self->r.fd, 0, 1,
				    XURING_ENTER_GETEVENTS |
				    XURING_ENTER_EXT_ARG, &arg, sizeof(arg)));
}

TEST_F(ring, ext_arg_bad_sigmask_size_einval)
{
	struct __kernel_timespec ts = ms_timespec(100);
	const unsigned int sizes[] = { 4, 16, sizeof(sigset_t) };
	struct xuring_getevents_arg arg = { .ts = (uintptr_t)&ts };
	sigset_t mask;
	unsigned int i;

	sigemptyset(&mask);
	arg.sigmask = (uintptr_t)&mask;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		arg.sigmask_sz = sizes[i];
		EXPECT_EQ(-EINVAL,
			  xr_enter(self->r.fd, 0, 1,
				   XURING_ENTER_GETEVENTS | XURING_ENTER_EXT_ARG,
				   &arg, sizeof(arg)))
			TH_LOG("sigmask_sz %u", sizes[i]);
	}
}

TEST_F(ring, ext_arg_timeout_etime)
{
	__u64 start = xr_now_ns();
	int ret = wait_ext(&self->r, 1, 100, NULL);
	__u64 elapsed = xr_ms_since(start);

	EXPECT_EQ(-ETIME, ret);
	EXPECT_LE(90ULL, elapsed);
	EXPECT_GT(5000ULL, elapsed);
}

/* Not enough completions by the timeout, but some: that is success. */
TEST_F(ring, ext_arg_timeout_with_cqe_ready_returns_zero)
{
	__u64 start, elapsed;
	int ret;

	ASSERT_EQ(1, post_nops(&self->r, 1));
	start = xr_now_ns();
	ret = wait_ext(&self->r, 2, 100, NULL);
	elapsed = xr_ms_since(start);
	EXPECT_EQ(0, ret);
	EXPECT_LE(90ULL, elapsed);
	EXPECT_GT(5000ULL, elapsed);
	EXPECT_EQ(1U, xr_cq_ready(&self->r));
}

TEST_F(ring, ext_arg_without_timeout_or_mask)
{
	struct xuring_getevents_arg arg = { 0 };

	ASSERT_EQ(1, post_nops(&self->r, 1));
	EXPECT_EQ(0, xr_enter(self->r.fd, 0, 1,
			      XURING_ENTER_GETEVENTS | XURING_ENTER_EXT_ARG,
			      &arg, sizeof(arg)));
}

TEST_F(ring, signal_interrupts_wait_eintr)
{
	struct waker w = { .sig = SIGUSR1 };
	__u64 start, elapsed;
	int ret;

	ASSERT_EQ(0, waker_start(&w));
	start = xr_now_ns();
	ret = wait_ext(&self->r, 1, 10000, NULL);
	elapsed = xr_ms_since(start);
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	ASSERT_TRUE(w.saw_sleep);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_GT(8000ULL, elapsed);
	EXPECT_EQ(1, signal_count);
}

/* The same without EXT_ARG or any timeout: a timer's SIGALRM. */
TEST_F(ring, timer_signal_interrupts_plain_wait_eintr)
{
	struct itimerval it = { .it_value = { .tv_usec = 100000 } };
	__u64 start, elapsed;
	int ret;

	start = xr_now_ns();
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	ret = xr_enter(self->r.fd, 0, 1, XURING_ENTER_GETEVENTS, NULL, 0);
	elapsed = xr_ms_since(start);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_LE(90ULL, elapsed);
	EXPECT_GT(5000ULL, elapsed);
	EXPECT_EQ(1, signal_count);
}

/* Interrupted, but completions are there to reap: success. */
TEST_F(ring, signal_with_cqe_ready_returns_zero)
{
	struct waker w = { .sig = SIGUSR1 };
	__u64 start, elapsed;
	int ret;

	ASSERT_EQ(1, post_nops(&self->r, 1));
	ASSERT_EQ(0, waker_start(&w));
	start = xr_now_ns();
	ret = wait_ext(&self->r, 2, 10000, NULL);
	elapsed = xr_ms_since(start);
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	ASSERT_TRUE(w.saw_sleep);
	EXPECT_EQ(0, ret);
	EXPECT_GT(8000ULL, elapsed);
	EXPECT_EQ(1, signal_count);
}

/*
 * A sigmask blocking SIGUSR1 keeps it from interrupting the wait, which
 * ends by timeout; then the original mask is back and the signal, now
 * unblocked, is delivered.
 */
TEST_F(ring, ext_sigmask_blocks_signal_during_wait)
{
	struct waker w = { .sig = SIGUSR1 };
	__u64 start, elapsed;
	sigset_t mask;
	int ret;

	ASSERT_FALSE(signal_blocked(SIGUSR1));
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	ASSERT_EQ(0, waker_start(&w));
	start = xr_now_ns();
	ret = wait_ext(&self->r, 1, 300, &mask);
	elapsed = xr_ms_since(start);
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	ASSERT_TRUE(w.saw_sleep);
	EXPECT_EQ(-ETIME, ret);
	EXPECT_LE(270ULL, elapsed);
	EXPECT_GT(5000ULL, elapsed);
	EXPECT_FALSE(signal_blocked(SIGUSR1));
	/* delivered once the mask came back, not before the wait ended */
	EXPECT_EQ(1, signal_count);
	EXPECT_LE(w.signal_sent_ns, signal_time_ns);
	EXPECT_LE(start + 270 * MS, signal_time_ns);
}

/* After an interrupted wait, too, the caller's mask is back. */
TEST_F(ring, ext_sigmask_restored_after_eintr)
{
	struct waker w = { .sig = SIGUSR1 };
	sigset_t mask;
	int ret;

	ASSERT_FALSE(signal_blocked(SIGUSR2));
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	ASSERT_EQ(0, waker_start(&w));
	ret = wait_ext(&self->r, 1, 10000, &mask);
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	ASSERT_TRUE(w.saw_sleep);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_EQ(1, signal_count);
	EXPECT_FALSE(signal_blocked(SIGUSR2));
	EXPECT_FALSE(signal_blocked(SIGUSR1));
}

/* Without EXT_ARG, arg is the sigset itself and argsz its size. */
TEST_F(ring, plain_sigmask_blocks_signal_during_wait)
{
	struct waker w = {
		.sig = SIGUSR1,
		.submit_ring = &self->r,
		.submit_after_ms = 100,
		.submit_user_data = xr_ud(),
	};
	struct xuring_cqe cqe;
	sigset_t mask;
	int ret;

	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	ASSERT_EQ(0, waker_start(&w));
	ret = xr_enter(self->r.fd, 0, 1, XURING_ENTER_GETEVENTS, &mask,
		       XR_KERNEL_SIGSET_SIZE);
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	ASSERT_TRUE(w.saw_sleep);
	ASSERT_EQ(1, w.submit_ret);
	EXPECT_EQ(0, ret);
	ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
	EXPECT_EQ(w.submit_user_data, cqe.user_data);
	EXPECT_FALSE(signal_blocked(SIGUSR1));
	EXPECT_EQ(1, signal_count);
	EXPECT_LE(w.submit_start_ns, signal_time_ns);
}

TEST_F(ring, plain_sigmask_bad_size_einval)
{
	/* if the size were accepted, SIGALRM ends the wait with EINTR */
	struct itimerval it = { .it_value = { .tv_sec = 2 } };
	const size_t sizes[] = { 4, 16, sizeof(sigset_t) };
	sigset_t mask;
	unsigned int i;

	sigemptyset(&mask);
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		EXPECT_EQ(-EINVAL, xr_enter(self->r.fd, 0, 1,
					    XURING_ENTER_GETEVENTS, &mask,
					    sizes[i]))
			TH_LOG("argsz %zu", sizes[i]);
	}
}

TEST_F(ring, other_thread_may_submit)
{
	struct waker w = {
		.submit_ring = &self->r,
		.submit_user_data = xr_ud(),
	};
	struct xuring_cqe cqe;

	ASSERT_EQ(0, waker_start(&w));
	ASSERT_EQ(0, xr_wait_cqe(&self->r, &cqe));
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	EXPECT_EQ(1, w.submit_ret);
	EXPECT_EQ(w.submit_user_data, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
}

/* poll(): POLLOUT while the SQ has room, POLLIN while CQEs wait. */
TEST_F(ring, poll_reports_readiness)
{
	struct pollfd pfd = { .fd = self->r.fd, .events = POLLIN | POLLOUT };
	struct xuring_cqe cqe;

	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents & (POLLIN | POLLOUT));

	ASSERT_EQ(1, post_nops(&self->r, 1));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLOUT, pfd.revents & (POLLIN | POLLOUT));

	ASSERT_TRUE(xr_reap_cqe(&self->r, &cqe));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLOUT, pfd.revents & (POLLIN | POLLOUT));
}

/*
 * On an SQPOLL ring ENTER reports to_submit as submitted, as io_uring
 * does; a count of 2^31 or more must not come back as a negative errno.
 */
TEST(sqpoll_huge_to_submit_not_an_errno)
{
	struct xr_ring r;

	ASSERT_EQ(0, xr_ring_init(&r, 8, XURING_SETUP_SQPOLL));
	EXPECT_EQ(0x7fffffff, xr_enter(r.fd, 0x80000000u, 0, 0, NULL, 0));
	EXPECT_EQ(0x7fffffff, xr_enter(r.fd, 0xffffffffu, 0, 0, NULL, 0));
	EXPECT_EQ(3, xr_enter(r.fd, 3, 0, 0, NULL, 0));
	xr_ring_exit(&r);
}

TEST_HARNESS_MAIN
