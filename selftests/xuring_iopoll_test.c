// SPDX-License-Identifier: GPL-2.0
/*
 * IOPOLL: O_DIRECT reads and writes on a ring set up with
 * XURING_SETUP_IOPOLL complete by polling the device's poll queues, from
 * ENTER(GETEVENTS) or, with SQPOLL too, from the SQ thread.
 *
 * On null_blk and NVMe with poll queues (each with and without SQPOLL):
 * data written and read back byte for byte (NVMe; null_blk stores
 * nothing, so there only results count); requests that complete only
 * when somebody polls (none does while nobody polls, and blk-mq's debugfs
 * shows them held in the poll queues); no interrupt from the NVMe queues
 * during a polled run (the same run without IOPOLL is the control that
 * shows the count moves); more requests than a poll queue has tags, so
 * the device bounces some with -EAGAIN and they are reissued; a request
 * the block layer must split, which it bounces every time it is polled;
 * links; CQ
 * overflow; SIGKILL in the middle of polled I/O and close with polled
 * requests nobody reaped.
 *
 * What cannot be polled fails with -EOPNOTSUPP (ops that are never polled:
 * -EINVAL), as in io_uring, and never hangs; O_DIRECT on a device or file
 * system without poll queues completes by interrupt and the poll loop
 * reaps it.
 */
#include "xuring_poll.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define BS		4096
#define POLL_BUF	(8 << 20)

enum poll_dev { D_NULLBLK, D_NVME };

/* A block device with poll queues, open with O_DIRECT. */
struct polldev {
	int fd;
	char name[32];
	long long size;
	/* NVMe keeps what is written; null_blk (not memory backed) does not */
	bool stores_data;
};

/* Open it: 0, or -1 with the reason to skip in why. */
static int polldev_open(struct polldev *d, enum poll_dev which, char *why,
			size_t why_size)
{
	const char *env = which == D_NVME ? "XURING_NVME" : "XURING_NULLBLK";
	const char *path = xr_env_path(env);

	d->fd = -1;
	if (!path) {
		snprintf(why, why_size, "%s is not set or missing", env);
		return -1;
	}
	xr_dev_name(path, d->name, sizeof(d->name));
	if (xr_dev_io_poll(d->name) != 1) {
		snprintf(why, why_size, "%s has no poll queues (queue/io_poll)",
			 d->name);
		return -1;
	}
	d->fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (d->fd < 0) {
		snprintf(why, why_size, "open %s: %s", path, strerror(errno));
		return -1;
	}
	d->size = xr_blkdev_size(d->fd);
	d->stores_data = which == D_NVME;
	return 0;
}

static int iopoll_ring(struct xr_ring *r, unsigned int entries, bool sqpoll)
{
	if (sqpoll)
		return xr_sq_ring_init(r, entries, 1000, XURING_SETUP_IOPOLL);
	return xr_ring_init(r, entries, XURING_SETUP_IOPOLL);
}

/*
 * Submit what is queued and wait until n CQEs are ready. Without SQPOLL
 * through ENTER(to_submit, GETEVENTS, min_complete = n), which polls
 * until they are; with SQPOLL by publishing the tail and letting the
 * thread poll, never entering the kernel to wait. Returns how many
 * CQEs are ready, or -errno.
 */
static int polled_submit_wait(struct xr_ring *r, bool sqpoll, unsigned int n)
{
	unsigned int queued = r->sqe_tail - *r->sq_tail;
	int ret;

	if (sqpoll) {
		ret = xr_sqpoll_submit(r);
		if (ret < 0)
			return ret;
		return xr_spin_for_cqes(r, n, XR_IO_TIMEOUT_MS);
	}
	ret = xr_enter(r->fd, xr_flush_sq(r), n, XURING_ENTER_GETEVENTS, NULL,
		       0);
	if (ret < 0)
		return ret;
	if ((unsigned int)ret != queued)
		return -EIO;
	return xr_cq_ready(r);
}

/* A polling device, a ring polling it, and two registered buffers. */
struct polled {
	char skip[128];
	struct polldev d;
	struct xr_ring r;
	unsigned char *wbuf, *rbuf;
};

static void polled_open(struct __test_metadata *_metadata,
			struct polled *self, enum poll_dev dev, bool sqpoll)
{
	struct iovec bufs[2];

	self->r.fd = -1;
	self->wbuf = xr_alloc(POLL_BUF);
	self->rbuf = xr_alloc(POLL_BUF);
	ASSERT_NE(NULL, self->wbuf);
	ASSERT_NE(NULL, self->rbuf);
	if (polldev_open(&self->d, dev, self->skip, sizeof(self->skip)))
		return;
	ASSERT_LT((long long)POLL_BUF * 2, self->d.size);
	ASSERT_EQ(0, iopoll_ring(&self->r, 128, sqpoll));
	bufs[0] = (struct iovec){ self->wbuf, POLL_BUF };
	bufs[1] = (struct iovec){ self->rbuf, POLL_BUF };
	ASSERT_EQ(0, xr_register(self->r.fd, XURING_REGISTER_BUFFERS, bufs,
				 2));
}

static void polled_close(struct polled *self)
{
	if (self->r.fd >= 0)
		xr_ring_exit(&self->r);
	if (self->d.fd >= 0)
		close(self->d.fd);
	xr_free(self->wbuf, POLL_BUF);
	xr_free(self->rbuf, POLL_BUF);
}

/*
 * A fixture of struct polled: its tests run on the variants added to it,
 * only the combinations of device and SQPOLL they mean something for.
 */
#define POLLED_FIXTURE(name)						\
	FIXTURE(name) {							\
		struct polled p;					\
	};								\
	FIXTURE_VARIANT(name) {						\
		enum poll_dev dev;					\
		bool sqpoll;						\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		polled_open(_metadata, &self->p, variant->dev,		\
			    variant->sqpoll);				\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		polled_close(&self->p);					\
	}

/* Every device, with and without SQPOLL. */
POLLED_FIXTURE(polled);
FIXTURE_VARIANT_ADD(polled, nullblk) { .dev = D_NULLBLK };
FIXTURE_VARIANT_ADD(polled, nvme) { .dev = D_NVME };
FIXTURE_VARIANT_ADD(polled, nullblk_sqpoll) { .dev = D_NULLBLK, .sqpoll = true };
FIXTURE_VARIANT_ADD(polled, nvme_sqpoll) { .dev = D_NVME, .sqpoll = true };

/* Where ENTER(GETEVENTS) polls: an SQ thread would poll by itself. */
POLLED_FIXTURE(enter_polled);
FIXTURE_VARIANT_ADD(enter_polled, nullblk) { .dev = D_NULLBLK };
FIXTURE_VARIANT_ADD(enter_polled, nvme) { .dev = D_NVME };

/* NVMe alone: null_blk raises no interrupts, polled or not. */
POLLED_FIXTURE(nvme_polled);
FIXTURE_VARIANT_ADD(nvme_polled, nvme) { .dev = D_NVME };
FIXTURE_VARIANT_ADD(nvme_polled, nvme_sqpoll) { .dev = D_NVME, .sqpoll = true };

/* The 6.1 harness runs the test after a SKIP in setup: say it there. */
#define SKIP_IF_NO_DEVICE() do {					\
	if (self->p.skip[0])						\
		SKIP(return, "%s", self->p.skip);			\
} while (0)

/* One request of a batch: READ(V)/WRITE(V)/_FIXED by number. */
static void prep_kind(struct xuring_sqe *sqe, unsigned int kind, bool write,
		      int fd, unsigned char *buf, __u32 len, __u64 off,
		      struct iovec *iov, __u64 user_data)
{
	switch (kind % 3) {
	case 0:
		xr_prep_rw(sqe, write ? XURING_OP_WRITE : XURING_OP_READ, fd,
			   buf, len, off, user_data);
		break;
	case 1:
		iov[0] = (struct iovec){ buf, len / 2 };
		iov[1] = (struct iovec){ buf + len / 2, len - len / 2 };
		xr_prep_rw(sqe, write ? XURING_OP_WRITEV : XURING_OP_READV, fd,
			   iov, 2, off, user_data);
		break;
	case 2:
		xr_prep_fixed(sqe, write ? XURING_OP_WRITE_FIXED :
			      XURING_OP_READ_FIXED, fd, buf, len, off,
			      write ? 0 : 1, user_data);
		break;
	}
}

/*
 * Rounds of writes of every kind and of sizes from 4 KiB to 64 KiB, then
 * reads of the same ranges, compared byte for byte on NVMe. A batch of
 * 32 fits the poll queue of either device, so none is bounced and
 * ENTER(GETEVENTS) must return with all 32 CQEs there. On NVMe the
 * ring's writes are read back with plain pread() as well, and the ring
 * then reads what plain pwrite() wrote over them: O_DIRECT, so both go
 * to the device itself, with no page cache in between.
 */
TEST_F_TIMEOUT(polled, data_integrity, 60)
{
	enum { NR = 32, ROUNDS = 4 };
	struct polled *p = &self->p;
	struct xuring_cqe cqes[NR];
	struct iovec iov[NR][2];
	unsigned int round, i, phase;

	SKIP_IF_NO_DEVICE();
	for (round = 0; round < ROUNDS; round++) {
		/* each round overwrites part of the one before */
		__u64 base = (__u64)round * (512 << 10);
		unsigned int seed = 10 + round;
		size_t total = 0, lens[NR];

		for (i = 0; i < NR; i++) {
			lens[i] = (size_t)BS << (i % 5);
			total += lens[i];
		}
		xr_fill_pattern(p->wbuf, total, base, seed);
		/* ring write, ring read; pwrite(), ring read */
		for (phase = 0; phase < 3; phase++) {
			bool write = phase == 0;
			__u64 ud = xr_ud_block(NR);
			size_t pos = 0;

			if (phase == 2) {
				if (!p->d.stores_data)
					break;
				seed += 100;
				xr_fill_pattern(p->wbuf, total, base, seed);
				ASSERT_TRUE(xr_pwrite_all(p->d.fd, p->wbuf,
							  total, base));
			}
			memset(p->rbuf, 0, total);
			for (i = 0; i < NR; i++) {
				struct xuring_sqe *sqe;

				XR_GET_SQE(sqe, &p->r);
				prep_kind(sqe, i + round, write, p->d.fd,
					  (write ? p->wbuf : p->rbuf) + pos,
					  lens[i], base + pos, iov[i], ud + i);
				pos += lens[i];
			}
			ASSERT_LE(NR, polled_submit_wait(&p->r,
							 variant->sqpoll, NR));
			for (i = 0; i < NR; i++)
				ASSERT_TRUE(xr_reap_cqe(&p->r, &cqes[i]));
			XR_ASSERT_EACH_ONCE(cqes, NR, ud);
			for (i = 0; i < NR; i++) {
				__u64 k = cqes[i].user_data - ud;

				ASSERT_EQ((int)lens[k], cqes[i].res)
					TH_LOG("round %u phase %u request %llu",
					       round, phase,
					       (unsigned long long)k);
			}
			if (!p->d.stores_data)
				continue;
			if (write)
				ASSERT_TRUE(xr_pread_all(p->d.fd, p->rbuf,
							 total, base));
			XR_ASSERT_PATTERN(p->rbuf, total, base, seed);
		}
	}
}

/*
 * A polled request completes only when somebody polls: submitted with
 * ENTER and no GETEVENTS, none of them completes however long it waits,
 * and the device's poll queues hold them; ENTER(GETEVENTS) polls them
 * all out, each once.
 */
TEST_F(enter_polled, completes_only_when_polled)
{
	enum { NR = 32 };
	struct polled *p = &self->p;
	struct xuring_cqe cqes[NR];
	__u64 ud = xr_ud_block(NR);
	int busy, i;

	SKIP_IF_NO_DEVICE();
	/* every other block: requests the block layer cannot merge */
	for (i = 0; i < NR; i++) {
		struct xuring_sqe *sqe;

		XR_GET_SQE(sqe, &p->r);
		xr_prep_rw(sqe, XURING_OP_READ, p->d.fd, p->rbuf + i * BS, BS,
			   (__u64)i * 2 * BS, ud + i);
	}
	ASSERT_EQ(NR, xr_submit(&p->r));
	xr_sleep_ms(300);
	ASSERT_EQ(0U, xr_cq_ready(&p->r));
	busy = xr_poll_queue_busy(p->d.name);
	if (busy >= 0) {
		ASSERT_EQ(NR, busy);
	} else {
		TH_LOG("no blk-mq debugfs: poll queues not inspected");
	}

	ASSERT_EQ(0, xr_enter(p->r.fd, 0, NR, XURING_ENTER_GETEVENTS, NULL,
			      0));
	ASSERT_LE((unsigned int)NR, xr_cq_ready(&p->r));
	for (i = 0; i < NR; i++) {
		ASSERT_TRUE(xr_reap_cqe(&p->r, &cqes[i]));
		ASSERT_EQ(BS, cqes[i].res);
	}
	XR_ASSERT_EACH_ONCE(cqes, NR, ud);
	if (busy >= 0) {
		ASSERT_EQ(0, xr_poll_queue_busy(p->d.name));
	}
}

/* "nvme0" for "nvme0n1". */
static void nvme_ctrl_name(const char *ns, char *buf, size_t size)
{
	char *n;

	snprintf(buf, size, "%s", ns);
	n = strrchr(buf, 'n');
	if (n && n > buf)
		*n = '\0';
}

/*
 * Writes of n blocks of len bytes through r, then reads of them, waiting
 * for each CQE with ENTER(GETEVENTS), every request completing once.
 * With plain_check, plain pread() reads in between what the writes put
 * on the device (fd is O_DIRECT). False on any failure or mismatch.
 */
static bool write_read_blocks(struct xr_ring *r, int fd,
			      unsigned char *wbuf, unsigned char *rbuf,
			      unsigned int n, unsigned int len,
			      bool plain_check)
{
	unsigned char *seen = calloc(n, 1);
	struct xuring_cqe cqe;
	unsigned int phase, i;
	bool ok = !!seen;

	for (phase = 0; ok && phase < 2; phase++) {
		__u64 ud = xr_ud_block(n);

		memset(seen, 0, n);
		for (i = 0; ok && i < n; i++) {
			struct xuring_sqe *sqe = xr_get_sqe(r);
			size_t off = (size_t)i * len;

			ok = sqe;
			if (ok)
				xr_prep_rw(sqe, phase ? XURING_OP_READ :
					   XURING_OP_WRITE, fd,
					   (phase ? rbuf : wbuf) + off, len,
					   off, ud + i);
		}
		ok = ok && xr_any_submit(r) == (int)n;
		for (i = 0; ok && i < n; i++) {
			long k;

			ok = !xr_wait_cqe_ms(r, &cqe, XR_IO_TIMEOUT_MS) &&
			     cqe.res == (int)len;
			k = xr_ud_index(cqe.user_data, ud, n);
			ok = ok && k >= 0 && !seen[k]++;
		}
		if (ok && phase == 0 && plain_check) {
			ok = xr_pread_all(fd, rbuf, (size_t)n * len, 0) &&
			     !memcmp(wbuf, rbuf, (size_t)n * len);
			memset(rbuf, 0, (size_t)n * len);
		}
	}
	free(seen);
	return ok && !memcmp(wbuf, rbuf, (size_t)n * len);
}

/*
 * No interrupt from the NVMe I/O queues while polled requests run: their
 * completions all came through the poll queues. The same requests on a
 * ring without IOPOLL raise interrupts: the count is not stuck. (Plain
 * pread() raises them too: it checks the data only after the counting.)
 */
TEST_F_TIMEOUT(nvme_polled, no_interrupts, 60)
{
	enum { NR = 64, ROUNDS = 4 };
	char ctrl[32], prefix[40], admin[40];
	long long before, polled, plain;
	struct polled *p = &self->p;
	struct xr_ring r;
	unsigned int i;

	SKIP_IF_NO_DEVICE();
	nvme_ctrl_name(p->d.name, ctrl, sizeof(ctrl));
	snprintf(prefix, sizeof(prefix), "%sq", ctrl);
	snprintf(admin, sizeof(admin), "%sq0", ctrl);
	before = xr_irq_count(prefix, admin);
	if (before < 0)
		SKIP(return, "no %s* lines in /proc/interrupts", prefix);

	for (i = 0; i < ROUNDS; i++) {
		xr_fill_pattern(p->wbuf, NR * BS, 0, 20 + i);
		ASSERT_TRUE(write_read_blocks(&p->r, p->d.fd, p->wbuf,
					      p->rbuf, NR, BS, false));
	}
	polled = xr_irq_count(prefix, admin) - before;
	ASSERT_TRUE(xr_pread_all(p->d.fd, p->rbuf, NR * BS, 0));
	XR_ASSERT_PATTERN(p->rbuf, NR * BS, 0, 20 + ROUNDS - 1);

	ASSERT_EQ(0, xr_ring_init(&r, 128, 0));
	before = xr_irq_count(prefix, admin);
	for (i = 0; i < ROUNDS; i++) {
		xr_fill_pattern(p->wbuf, NR * BS, 0, 30 + i);
		ASSERT_TRUE(write_read_blocks(&r, p->d.fd, p->wbuf, p->rbuf,
					      NR, BS, false));
	}
	plain = xr_irq_count(prefix, admin) - before;
	xr_ring_exit(&r);
	TH_LOG("%s I/O queue interrupts: %lld during %u polled requests, %lld during %u without IOPOLL",
	       ctrl, polled, 2 * NR * ROUNDS, plain, 2 * NR * ROUNDS);
	ASSERT_EQ(0, polled);
	ASSERT_LT(0, plain);
}

/*
 * More requests at once than a poll queue has tags (null_blk 64, NVMe
 * 1023): the device bounces the rest with -EAGAIN and they are reissued
 * from io-wq, whose workers show it. Every request completes once; every
 * write lands (NVMe: read back with pread() and through the ring, and
 * compared).
 */
TEST_F_TIMEOUT(polled, more_requests_than_tags, 90)
{
	unsigned int nr = variant->dev == D_NVME ? 2048 : 512;
	struct polled *p = &self->p;
	struct xr_iowq_state st;
	unsigned char *seen;
	struct xuring_cqe cqe;
	unsigned int phase, i;
	struct xr_ring r;

	SKIP_IF_NO_DEVICE();
	ASSERT_GE((size_t)POLL_BUF, (size_t)nr * BS);
	ASSERT_EQ(0, iopoll_ring(&r, nr, variant->sqpoll));
	seen = calloc(nr, 1);
	ASSERT_NE(NULL, seen);
	xr_fill_pattern(p->wbuf, (size_t)nr * BS, 0, 40);
	for (phase = 0; phase < 2; phase++) {
		__u64 ud = xr_ud_block(nr);
		unsigned int got = 0;
		__u64 start;

		memset(p->rbuf, 0, (size_t)nr * BS);
		/* every other block: requests the block layer cannot merge */
		for (i = 0; i < nr; i++) {
			struct xuring_sqe *sqe;

			XR_GET_SQE(sqe, &r);
			xr_prep_rw(sqe, phase ? XURING_OP_READ :
				   XURING_OP_WRITE, p->d.fd,
				   (phase ? p->rbuf : p->wbuf) +
				   (size_t)i * BS, BS, (__u64)i * 2 * BS,
				   ud + i);
		}
		ASSERT_EQ((int)nr, xr_any_submit(&r));
		memset(seen, 0, nr);
		start = xr_now_ns();
		while (got < nr && xr_ms_since(start) < 60000) {
			if (!variant->sqpoll) {
				ASSERT_LE(0, xr_enter(r.fd, 0, nr - got,
						      XURING_ENTER_GETEVENTS,
						      NULL, 0));
			}
			while (xr_reap_cqe(&r, &cqe)) {
				long k = xr_ud_index(cqe.user_data, ud, nr);

				ASSERT_LE(0, k);
				ASSERT_EQ(0, seen[k]);
				seen[k] = 1;
				ASSERT_EQ(BS, cqe.res) TH_LOG("request %ld", k);
				got++;
			}
			if (variant->sqpoll)
				usleep(200);
		}
		ASSERT_EQ(nr, got);
		if (phase == 0) {
			/* bounced requests were reissued by io-wq workers */
			ASSERT_TRUE(xr_fdinfo_iowq(r.fd, "bound", &st));
			TH_LOG("%u requests at once: %u io-wq workers retried bounced ones",
			       nr, st.workers);
			ASSERT_LT(0U, st.workers);
		}
		if (!p->d.stores_data)
			continue;
		/* the writes as plain pread() finds them, then the reads */
		for (i = 0; phase == 0 && i < nr; i++)
			ASSERT_TRUE(xr_pread_all(p->d.fd,
						 p->rbuf + (size_t)i * BS, BS,
						 (__u64)i * 2 * BS));
		XR_ASSERT_PATTERN(p->rbuf, (size_t)nr * BS, 0, 40);
	}
	xr_ring_exit(&r);
	free(seen);
}

/*
 * One request the block layer must split: more segments than either
 * device takes in one request (null_blk 128; the 200 blocks are every
 * other page of the buffer, so none merge) and 800 KiB, more than QEMU's
 * NVMe takes in one transfer. A polled bio is REQ_NOWAIT, and the block
 * layer fails a REQ_NOWAIT bio it would have to split with -EAGAIN, each
 * time it is tried: reissued as polled, forever, such a request never
 * completed while an io-wq worker spun on it. It must complete, with its
 * data (NVMe: written through the ring, read back with pread() and
 * through the ring, compared).
 */
TEST_F_TIMEOUT(polled, request_the_block_layer_splits, 60)
{
	enum { NR_SEGS = 200 };
	struct polled *p = &self->p;
	struct iovec iov[NR_SEGS];
	struct xuring_cqe cqe;
	unsigned int phase, i;

	SKIP_IF_NO_DEVICE();
	ASSERT_GE((size_t)POLL_BUF, (size_t)NR_SEGS * 2 * BS);
	for (i = 0; i < NR_SEGS; i++)
		xr_fill_pattern(p->wbuf + (size_t)i * 2 * BS, BS,
				(__u64)i * BS, 50);
	for (phase = 0; phase < 2; phase++) {
		bool write = phase == 0;
		unsigned char *buf = write ? p->wbuf : p->rbuf;
		__u64 ud = xr_ud_block(1), start;
		struct xuring_sqe *sqe;

		memset(p->rbuf, 0, (size_t)NR_SEGS * 2 * BS);
		for (i = 0; i < NR_SEGS; i++)
			iov[i] = (struct iovec){ buf + (size_t)i * 2 * BS, BS };
		XR_GET_SQE(sqe, &p->r);
		xr_prep_rw(sqe, write ? XURING_OP_WRITEV : XURING_OP_READV,
			   p->d.fd, iov, NR_SEGS, 0, ud);
		ASSERT_EQ(1, xr_any_submit(&p->r));
		/*
		 * Bounced inline, it is in io-wq: ENTER(GETEVENTS) returns
		 * while the poll list is empty, as io_uring's does. Poll on
		 * until it is back.
		 */
		start = xr_now_ns();
		while (!xr_cq_ready(&p->r) && xr_ms_since(start) < 20000) {
			if (variant->sqpoll)
				usleep(1000);
			else
				ASSERT_LE(0, xr_enter(p->r.fd, 0, 1,
						      XURING_ENTER_GETEVENTS,
						      NULL, 0));
		}
		ASSERT_TRUE(xr_reap_cqe(&p->r, &cqe))
			TH_LOG("no CQE %llu ms after the %s was submitted",
			       (unsigned long long)xr_ms_since(start),
			       write ? "write" : "read");
		ASSERT_EQ(ud, cqe.user_data);
		ASSERT_EQ(NR_SEGS * BS, cqe.res);
		ASSERT_FALSE(xr_reap_cqe(&p->r, &cqe));
		if (!p->d.stores_data)
			continue;
		if (write) {
			ASSERT_TRUE(xr_pread_all(p->d.fd, p->rbuf,
						 (size_t)NR_SEGS * BS, 0));
			XR_ASSERT_PATTERN(p->rbuf, (size_t)NR_SEGS * BS, 0, 50);
			continue;
		}
		for (i = 0; i < NR_SEGS; i++)
			XR_ASSERT_PATTERN(p->rbuf + (size_t)i * 2 * BS, BS,
					  (__u64)i * BS, 50);
	}
}

/*
 * Links between polled requests: a read linked after a write sees it; a
 * request that fails (misaligned O_DIRECT: -EINVAL) cancels its link.
 */
TEST_F(polled, links)
{
	struct polled *p = &self->p;
	struct xuring_cqe cqes[3];
	struct xuring_sqe *sqe;
	__u64 ud = xr_ud_block(4);
	unsigned int i;

	SKIP_IF_NO_DEVICE();
	xr_fill_pattern(p->wbuf, 8 * BS, 0, 50);
	memset(p->rbuf, 0, 8 * BS);
	XR_GET_SQE(sqe, &p->r);
	xr_prep_rw(sqe, XURING_OP_WRITE, p->d.fd, p->wbuf, 8 * BS, 0, ud);
	sqe->flags = XURING_SQE_IO_LINK;
	XR_GET_SQE(sqe, &p->r);
	xr_prep_rw(sqe, XURING_OP_READ, p->d.fd, p->rbuf, 8 * BS, 0, ud + 1);
	ASSERT_LE(2, polled_submit_wait(&p->r, variant->sqpoll, 2));
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(xr_reap_cqe(&p->r, &cqes[i]));
		ASSERT_EQ(ud + i, cqes[i].user_data);
		ASSERT_EQ(8 * BS, cqes[i].res);
	}
	if (p->d.stores_data)
		XR_ASSERT_PATTERN(p->rbuf, 8 * BS, 0, 50);

	XR_GET_SQE(sqe, &p->r);
	xr_prep_rw(sqe, XURING_OP_READ, p->d.fd, p->rbuf + 1, BS, 0, ud + 2);
	sqe->flags = XURING_SQE_IO_LINK;
	XR_GET_SQE(sqe, &p->r);
	xr_prep_nop(sqe, ud + 3);
	ASSERT_LE(2, polled_submit_wait(&p->r, variant->sqpoll, 2));
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(xr_reap_cqe(&p->r, &cqes[i]));
		ASSERT_EQ(ud + 2 + i, cqes[i].user_data);
	}
	ASSERT_EQ(-EINVAL, cqes[0].res);
	ASSERT_EQ(-ECANCELED, cqes[1].res);
}

/*
 * ENTER(GETEVENTS) asking for more CQEs than there are requests in
 * flight returns once nothing is left to poll, and at once when nothing
 * is in flight.
 */
TEST_F(enter_polled, min_complete_beyond_inflight)
{
	struct polled *p = &self->p;
	struct xuring_cqe cqes[2];
	__u64 ud = xr_ud_block(2);
	__u64 start;
	int i;

	SKIP_IF_NO_DEVICE();
	start = xr_now_ns();
	ASSERT_EQ(0, xr_enter(p->r.fd, 0, 1, XURING_ENTER_GETEVENTS, NULL,
			      0));
	ASSERT_EQ(0U, xr_cq_ready(&p->r));
	for (i = 0; i < 2; i++) {
		struct xuring_sqe *sqe;

		XR_GET_SQE(sqe, &p->r);
		xr_prep_rw(sqe, XURING_OP_READ, p->d.fd, p->rbuf, BS,
			   (__u64)i * BS, ud + i);
	}
	ASSERT_EQ(2, xr_enter(p->r.fd, xr_flush_sq(&p->r), 8,
			      XURING_ENTER_GETEVENTS, NULL, 0));
	ASSERT_EQ(2U, xr_cq_ready(&p->r));
	ASSERT_GT(5000ULL, xr_ms_since(start));
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(xr_reap_cqe(&p->r, &cqes[i]));
		ASSERT_EQ(BS, cqes[i].res);
	}
	XR_ASSERT_EACH_ONCE(cqes, 2, ud);
}

/*
 * Polled completions that do not fit in the CQ wait on the overflow list
 * (OVERFLOW set) and all arrive, each once, as the CQ is reaped.
 */
TEST_F(polled, cq_overflow)
{
	struct xuring_params params = {
		.flags = XURING_SETUP_IOPOLL | XURING_SETUP_CQSIZE,
		.cq_entries = 16,
	};
	struct polled *p = &self->p;
	struct xuring_cqe cqes[48];
	__u64 ud = xr_ud_block(48);
	unsigned int round, i;
	struct xr_ring r;
	__u64 start;

	SKIP_IF_NO_DEVICE();
	if (variant->sqpoll) {
		params.flags |= XURING_SETUP_SQPOLL;
		params.sq_thread_idle = 1000;
	}
	ASSERT_EQ(0, xr_ring_init_params(&r, 16, &params));
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 16; i++) {
			struct xuring_sqe *sqe;

			XR_GET_SQE(sqe, &r);
			xr_prep_rw(sqe, XURING_OP_READ, p->d.fd,
				   p->rbuf + i * BS, BS, (__u64)i * BS,
				   ud + round * 16 + i);
		}
		ASSERT_EQ(16, xr_any_submit(&r));
	}
	/* poll until all 48 are done: 16 in the CQ, 32 waiting */
	start = xr_now_ns();
	while (xr_fdinfo_value(r.fd, "CqOverflowList") < 32 &&
	       xr_ms_since(start) < XR_IO_TIMEOUT_MS) {
		if (!variant->sqpoll) {
			ASSERT_EQ(0, xr_enter(r.fd, 0, 16,
					      XURING_ENTER_GETEVENTS, NULL, 0));
		}
		xr_sleep_ms(1);
	}
	ASSERT_EQ(32, xr_fdinfo_value(r.fd, "CqOverflowList"));
	ASSERT_EQ(16U, xr_cq_ready(&r));
	ASSERT_TRUE(!!(xr_load_acquire(r.sq_flags) & XURING_SQ_CQ_OVERFLOW));
	for (i = 0; i < 48; i++) {
		ASSERT_EQ(0, xr_wait_cqe_ms(&r, &cqes[i], XR_IO_TIMEOUT_MS));
		ASSERT_EQ(BS, cqes[i].res);
	}
	XR_ASSERT_EACH_ONCE(cqes, 48, ud);
	ASSERT_FALSE(!!(xr_load_acquire(r.sq_flags) & XURING_SQ_CQ_OVERFLOW));
	xr_ring_exit(&r);
}

/* ------------------------------------------------------ kill and close */

/* What the child of the kill tests does. */
struct polled_victim_args {
	enum poll_dev which;
	bool sqpoll;
	/* submit once and never poll */
	bool nobody_polls;
};

/* Child of the kill tests: polled I/O without end, until killed. */
static void polled_victim(int ready_fd, const void *arg)
{
	const struct polled_victim_args *a = arg;
	struct xuring_cqe cqe;
	struct polldev d;
	struct xr_ring r;
	unsigned char *buf;
	unsigned int n = 0;
	bool told = false;
	char why[128];

	if (polldev_open(&d, a->which, why, sizeof(why)))
		_exit(10);
	buf = xr_alloc(1 << 20);
	/* more than null_blk has tags: some are bounced and retried */
	if (!buf || iopoll_ring(&r, 256, a->sqpoll))
		_exit(11);
	for (;;) {
		struct xuring_sqe *sqe;

		/* every other block: requests the block layer cannot merge */
		while ((sqe = xr_get_sqe(&r))) {
			size_t slot = (n % 256) * BS;

			xr_prep_rw(sqe, n % 2 ? XURING_OP_WRITE :
				   XURING_OP_READ, d.fd, buf + slot, BS,
				   2 * slot, xr_ud());
			n++;
		}
		if (a->sqpoll) {
			if (xr_sqpoll_submit(&r) < 0)
				_exit(12);
		} else if (xr_enter(r.fd, xr_flush_sq(&r),
				    a->nobody_polls ? 0 : 16,
				    a->nobody_polls ? 0 : XURING_ENTER_GETEVENTS,
				    NULL, 0) < 0) {
			_exit(13);
		}
		if (!told && write(ready_fd, "r", 1) != 1)
			_exit(14);
		told = true;
		if (a->nobody_polls)
			for (;;)
				pause();
		while (xr_reap_cqe(&r, &cqe))
			;
	}
}

static void kill_polled(struct __test_metadata *_metadata,
			enum poll_dev which, bool sqpoll, bool nobody_polls,
			unsigned int delay_ms)
{
	const struct polled_victim_args args = { which, sqpoll, nobody_polls };
	const char *why;
	char ready;

	why = xr_kill_at_work(polled_victim, &args, &ready, 1, delay_ms);
	ASSERT_EQ(NULL, why) TH_LOG("%s", why);
}

/* Wait for the poll queues to be empty again (or debugfs to be absent). */
static bool poll_queues_drained(const char *name)
{
	__u64 start = xr_now_ns();

	while (xr_poll_queue_busy(name) > 0) {
		if (xr_ms_since(start) > 10000)
			return false;
		xr_sleep_ms(10);
	}
	return true;
}

/*
 * SIGKILL a process in the middle of polled I/O, polling or (with SQPOLL)
 * leaving it to the thread, with more requests in flight than null_blk
 * has tags (io-wq retrying the bounced ones): it dies promptly and leaves
 * nothing behind.
 */
TEST_F_TIMEOUT(polled, kill_while_polling, 90)
{
	struct xr_counters base;
	unsigned int i;

	SKIP_IF_NO_DEVICE();
	XR_READ_BASELINE(&base);
	srandom(getpid());
	for (i = 0; i < 5; i++)
		kill_polled(_metadata, variant->dev, variant->sqpoll, false,
			    random() % 20);
	ASSERT_TRUE(poll_queues_drained(self->p.d.name));
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

/*
 * SIGKILL a process with polled requests in flight that nobody polls
 * (on null_blk, io-wq keeps retrying those its poll queue bounced):
 * teardown polls them out, so it still dies promptly and the poll
 * queues are empty again. (An SQ thread would have polled them.)
 */
TEST_F_TIMEOUT(enter_polled, kill_with_unreaped, 60)
{
	struct xr_counters base;

	SKIP_IF_NO_DEVICE();
	XR_READ_BASELINE(&base);
	kill_polled(_metadata, variant->dev, false, true, 100);
	ASSERT_TRUE(poll_queues_drained(self->p.d.name));
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

/* close() of a ring with polled requests nobody reaped returns promptly. */
TEST_F(polled, close_with_unreaped)
{
	struct polled *p = &self->p;
	struct xr_counters base;
	struct xr_ring r;
	__u64 start;
	int i;

	SKIP_IF_NO_DEVICE();
	XR_READ_BASELINE(&base);
	ASSERT_EQ(0, iopoll_ring(&r, 32, variant->sqpoll));
	for (i = 0; i < 32; i++) {
		struct xuring_sqe *sqe;

		XR_GET_SQE(sqe, &r);
		xr_prep_rw(sqe, XURING_OP_READ, p->d.fd, p->rbuf + i * BS, BS,
			   (__u64)i * 2 * BS, xr_ud());
	}
	ASSERT_EQ(32, xr_any_submit(&r));
	start = xr_now_ns();
	xr_ring_exit(&r);
	ASSERT_GT(5000ULL, xr_ms_since(start));
	ASSERT_TRUE(poll_queues_drained(p->d.name));
	XR_ASSERT_COUNTERS_SETTLE(&base);
}

/* ------------------------------------------- what cannot be polled */

struct unpollable {
	const char *what;
	int res;
};

/*
 * On an IOPOLL ring, reads and writes that cannot be polled fail with
 * -EOPNOTSUPP when they are issued, so the rest of the submission goes
 * on, as in io_uring: buffered I/O, files and devices without ->iopoll
 * (tmpfs, pipes, character devices). None of them hangs, not even a read
 * of an empty pipe. Ops that are never polled fail their checks with
 * -EINVAL, which ends a submission as any bad SQE does. A NOP works.
 */
static void check_unpollable(struct __test_metadata *_metadata, bool sqpoll)
{
	const char *nullb = xr_env_path("XURING_NULLBLK");
	const char *ext4 = xr_env_path("XURING_EXT4_DIR");
	const char *tmp = xr_env_path("XURING_TMPDIR");
	struct unpollable cases[16];
	unsigned char *buf = xr_alloc(1 << 20);
	int p[2], fds[3] = { -1, -1, -1 }, devnull;
	struct iovec iov = { NULL, BS };
	__u64 ud = xr_ud_block(ARRAY_SIZE(cases));
	struct xuring_cqe cqe;
	struct xuring_sqe *sqe;
	unsigned int n = 0, seen = 0, i;
	struct xr_ring r;

	ASSERT_NE(NULL, buf);
	iov.iov_base = buf;
	ASSERT_EQ(0, iopoll_ring(&r, 32, sqpoll));
	ASSERT_EQ(0, pipe(p));
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, devnull);

#define CASE(desc, want) do {						\
	XR_GET_SQE(sqe, &r);						\
	cases[n] = (struct unpollable){ desc, want };			\
} while (0)
	if (nullb) {
		fds[0] = open(nullb, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fds[0]);
		CASE("buffered read of null_blk", -EOPNOTSUPP);
		xr_prep_rw(sqe, XURING_OP_READ, fds[0], buf, BS, 0, ud + n++);
		CASE("buffered write to null_blk", -EOPNOTSUPP);
		xr_prep_rw(sqe, XURING_OP_WRITE, fds[0], buf, BS, 0, ud + n++);
	}
	if (ext4) {
		fds[1] = xr_scratch_file(ext4, O_RDWR);
		ASSERT_LE(0, fds[1]);
		CASE("buffered write to ext4", -EOPNOTSUPP);
		xr_prep_rw(sqe, XURING_OP_WRITE, fds[1], buf, BS, 0, ud + n++);
	}
	if (tmp) {
		fds[2] = xr_scratch_file(tmp, O_RDWR);
		ASSERT_LE(0, fds[2]);
		CASE("write to tmpfs", -EOPNOTSUPP);
		xr_prep_rw(sqe, XURING_OP_WRITE, fds[2], buf, BS, 0, ud + n++);
	}
	CASE("read of an empty pipe", -EOPNOTSUPP);
	xr_prep_rw(sqe, XURING_OP_READ, p[0], buf, BS, -1, ud + n++);
	CASE("readv of an empty pipe", -EOPNOTSUPP);
	xr_prep_rw(sqe, XURING_OP_READV, p[0], &iov, 1, -1, ud + n++);
	CASE("write to a pipe", -EOPNOTSUPP);
	xr_prep_rw(sqe, XURING_OP_WRITE, p[1], buf, BS, -1, ud + n++);
	CASE("write to /dev/null", -EOPNOTSUPP);
	xr_prep_rw(sqe, XURING_OP_WRITE, devnull, buf, BS, 0, ud + n++);
	CASE("NOP", 0);
	xr_prep_nop(sqe, ud + n++);
#undef CASE

	/* one ENTER (or one pass of the SQ thread) takes them all */
	ASSERT_EQ((int)n, xr_any_submit(&r));
	for (i = 0; i < n; i++) {
		long k;

		ASSERT_EQ(0, xr_wait_cqe_ms(&r, &cqe, XR_IO_TIMEOUT_MS))
			TH_LOG("%u of %u CQEs", i, n);
		k = xr_ud_index(cqe.user_data, ud, n);
		ASSERT_LE(0, k);
		ASSERT_EQ(0U, seen & 1U << k) TH_LOG("%s twice", cases[k].what);
		seen |= 1U << k;
		ASSERT_EQ(cases[k].res, cqe.res) TH_LOG("%s", cases[k].what);
	}
	/* the pipe still has its reader: nothing was consumed from it */
	ASSERT_EQ(3, write(p[1], "abc", 3));
	ASSERT_EQ(3, read(p[0], buf, BS));

	if (fds[1] >= 0) {
		static const __u8 never_polled[] = {
			XURING_OP_FSYNC, XURING_OP_FALLOCATE,
			XURING_OP_FADVISE, XURING_OP_SYNC_FILE_RANGE,
		};

		for (i = 0; i < ARRAY_SIZE(never_polled); i++) {
			XR_GET_SQE(sqe, &r);
			xr_prep_rw(sqe, never_polled[i], fds[1], NULL, BS, 0,
				   xr_ud());
			ASSERT_EQ(-EINVAL, xr_any_run_one(&r, &cqe))
				TH_LOG("opcode %u", never_polled[i]);
		}
	}
	xr_ring_exit(&r);
	for (i = 0; i < 3; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
	}
	close(devnull);
	close(p[0]);
	close(p[1]);
	xr_free(buf, 1 << 20);
}

TEST(cannot_be_polled)
{
	check_unpollable(_metadata, false);
}

TEST(cannot_be_polled_sqpoll)
{
	check_unpollable(_metadata, true);
}

/* RWF_HIPRI asks for polling, which a ring without IOPOLL does not do. */
TEST(hipri_without_iopoll)
{
	const char *nullb = xr_env_path("XURING_NULLBLK");
	unsigned char *buf = xr_alloc(BS);
	struct xuring_sqe *sqe;
	struct xuring_cqe cqe;
	struct xr_ring r;
	int fd;

	if (!nullb)
		SKIP(return, "XURING_NULLBLK is not set or missing");
	ASSERT_NE(NULL, buf);
	fd = open(nullb, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xr_ring_init(&r, 8, 0));
	XR_GET_SQE(sqe, &r);
	xr_prep_rw(sqe, XURING_OP_READ, fd, buf, BS, 0, xr_ud());
	sqe->rw_flags = RWF_HIPRI;
	ASSERT_EQ(-EINVAL, xr_run_one(&r, &cqe));
	xr_ring_exit(&r);
	close(fd);
	xr_free(buf, BS);
}

/*
 * O_DIRECT on a disk without poll queues (virtio) and on ext4 is
 * accepted on an IOPOLL ring, as in io_uring: it completes by interrupt
 * and the poll loop (or the SQ thread) reaps it. Data read back byte for
 * byte. Since 6.11 ("block: move the poll flag to queue_limits") the block
 * layer fails a polled bio to a disk without poll queues instead: the
 * CQE carries -EOPNOTSUPP on io_uring, and on xuring.
 */
FIXTURE(unpolled_dev) {
	int fd;
	unsigned char *wbuf, *rbuf;
};

FIXTURE_VARIANT(unpolled_dev) {
	bool ext4;
	bool sqpoll;
};

FIXTURE_VARIANT_ADD(unpolled_dev, virtio) { .ext4 = false };
FIXTURE_VARIANT_ADD(unpolled_dev, virtio_sqpoll) { .sqpoll = true };
FIXTURE_VARIANT_ADD(unpolled_dev, ext4) { .ext4 = true };
FIXTURE_VARIANT_ADD(unpolled_dev, ext4_sqpoll) { .ext4 = true, .sqpoll = true };

#define UNPOLLED_NR	64
#define UNPOLLED_LEN	(16 << 10)

FIXTURE_SETUP(unpolled_dev)
{
	self->fd = -1;
	self->wbuf = xr_alloc(UNPOLLED_NR * UNPOLLED_LEN);
	self->rbuf = xr_alloc(UNPOLLED_NR * UNPOLLED_LEN);
	ASSERT_NE(NULL, self->wbuf);
	ASSERT_NE(NULL, self->rbuf);
}

FIXTURE_TEARDOWN(unpolled_dev)
{
	if (self->fd >= 0)
		close(self->fd);
	xr_free(self->wbuf, UNPOLLED_NR * UNPOLLED_LEN);
	xr_free(self->rbuf, UNPOLLED_NR * UNPOLLED_LEN);
}

TEST_F(unpolled_dev, completes_and_is_reaped)
{
	const char *env = variant->ext4 ? "XURING_EXT4_DIR" : "XURING_BLKDEV";
	const char *path = xr_env_path(env);
	size_t total = (size_t)UNPOLLED_NR * UNPOLLED_LEN;
	struct xr_ring r;
	char name[32];

	if (!path)
		SKIP(return, "%s is not set or missing", env);
	if (variant->ext4) {
		self->fd = xr_scratch_file(path, O_RDWR | O_DIRECT);
		ASSERT_LE(0, self->fd);
		/* not extending: ext4 may then complete O_DIRECT in the bio */
		ASSERT_EQ(0, ftruncate(self->fd, total));
	} else {
		xr_dev_name(path, name, sizeof(name));
		if (xr_dev_io_poll(name) != 0)
			SKIP(return, "%s has poll queues after all", name);
		self->fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
		ASSERT_LE(0, self->fd);
	}
	ASSERT_EQ(0, iopoll_ring(&r, 128, variant->sqpoll));
	if (!variant->ext4 && xr_kernel_since(6, 11)) {
		struct xuring_sqe *sqe;
		struct xuring_cqe cqe;

		XR_GET_SQE(sqe, &r);
		xr_prep_rw(sqe, XURING_OP_READ, self->fd, self->rbuf,
			   UNPOLLED_LEN, 0, 1);
		ASSERT_EQ(1, xr_any_submit(&r));
		ASSERT_EQ(0, xr_wait_cqe_ms(&r, &cqe, XR_IO_TIMEOUT_MS));
		ASSERT_EQ(-EOPNOTSUPP, cqe.res);
		xr_ring_exit(&r);
		return;
	}
	xr_fill_pattern(self->wbuf, total, 0, 60);
	ASSERT_TRUE(write_read_blocks(&r, self->fd,
				      self->wbuf, self->rbuf, UNPOLLED_NR,
				      UNPOLLED_LEN, true));
	XR_ASSERT_PATTERN(self->rbuf, total, 0, 60);
	xr_ring_exit(&r);
}

TEST_HARNESS_MAIN
