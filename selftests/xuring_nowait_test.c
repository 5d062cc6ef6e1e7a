// SPDX-License-Identifier: GPL-2.0
/*
 * Non-blocking attempts and their -EAGAIN (issue 11, findings 14 and 11):
 *  - RWF_NOWAIT means "do not wait": a write to a frozen ext4 completes
 *    with -EAGAIN at once, as with io_uring, instead of waiting in io-wq
 *    for the thaw (buffered and O_DIRECT);
 *  - reads that a tiny block queue bounces with -EAGAIN during their
 *    non-blocking attempt are issued again and complete with the right
 *    data, while other reads complete from soft or hard interrupts at the
 *    same time (null_blk with two tags, made through configfs).
 */
#include "xuring_safety.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define BS		4096
#define UD_FROZEN	0xf0000001ULL
#define UD_TINYQ	0x1100000000ULL

/* ----------------------------------------------------------- finding 14 */

FIXTURE(frozen) {
	int dirfd;
	bool frozen;
};

FIXTURE_VARIANT(frozen) {
	bool direct;
};

FIXTURE_VARIANT_ADD(frozen, buffered) {
	.direct = false,
};

FIXTURE_VARIANT_ADD(frozen, direct) {
	.direct = true,
};

FIXTURE_SETUP(frozen)
{
	self->dirfd = -1;
}

/* never leave the file system frozen, whatever happened */
FIXTURE_TEARDOWN(frozen)
{
	if (self->frozen)
		ioctl(self->dirfd, FITHAW, 0);
	if (self->dirfd >= 0)
		close(self->dirfd);
}

/*
 * A WRITE with RWF_NOWAIT to a file on a frozen ext4: its CQE is -EAGAIN
 * and comes while the file system is still frozen. Today the request goes
 * to io-wq and waits for the thaw, then writes.
 */
TEST_F_TIMEOUT(frozen, nowait_write_is_eagain, 60)
{
	const char *dir = xr_env_path("XURING_EXT4_DIR");
	struct xuring_cqe cqe = { 0 };
	struct xuring_sqe *sqe;
	struct xr_ring r;
	void *buf;
	int fd, ret;

	XR_REQUIRE_ROOT();
	if (!dir)
		SKIP(return, "no XURING_EXT4_DIR");
	fd = xr_scratch_file(dir, O_RDWR | (variant->direct ? O_DIRECT : 0));
	ASSERT_LE(0, fd) TH_LOG("scratch file in %s: %s", dir, strerror(-fd));
	buf = xr_alloc(BS);
	ASSERT_NE(NULL, buf);
	xr_fill_pattern(buf, BS, 0, 14);
	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	self->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->dirfd);

	ASSERT_EQ(0, ioctl(self->dirfd, FIFREEZE, 0)) TH_LOG("FIFREEZE %s: %s",
							     dir, strerror(errno));
	self->frozen = true;
	XR_GET_SQE(sqe, &r);
	xr_prep_rw(sqe, XURING_OP_WRITE, fd, buf, BS, 0, UD_FROZEN);
	sqe->rw_flags = RWF_NOWAIT;
	ASSERT_EQ(1, xr_submit(&r));
	ret = xr_wait_cqe_ms(&r, &cqe, 3000);

	/* thaw before judging: a failed assertion must not leave it frozen */
	ASSERT_EQ(0, ioctl(self->dirfd, FITHAW, 0));
	self->frozen = false;
	if (ret == -ETIME) {
		ret = xr_wait_cqe_ms(&r, &cqe, XR_IO_TIMEOUT_MS);
		TH_LOG("no CQE within 3 s of a frozen file system; after the thaw: %s, res %d",
		       ret ? strerror(-ret) : "a CQE", ret ? 0 : cqe.res);
		ASSERT_TRUE(false);
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(UD_FROZEN, cqe.user_data);
	ASSERT_EQ(-EAGAIN, cqe.res);
	xr_ring_exit(&r);
	xr_free(buf, BS);
	close(fd);
}

/* ----------------------------------------------------------- finding 11 */

#define NULLB_CONFIGFS		"/sys/kernel/config/nullb"
#define TINYQ_MB		16

FIXTURE(tiny_queue) {
	char dir[128];
	bool powered;
};

FIXTURE_VARIANT(tiny_queue) {
	/* null_blk's irqmode: 1 softirq, 2 timer (hard interrupt) */
	const char *irqmode;
};

FIXTURE_VARIANT_ADD(tiny_queue, softirq) {
	.irqmode = "1",
};

FIXTURE_VARIANT_ADD(tiny_queue, timer) {
	.irqmode = "2",
};

FIXTURE_SETUP(tiny_queue)
{
}

FIXTURE_TEARDOWN(tiny_queue)
{
	char path[192];

	if (!self->dir[0])
		return;
	if (self->powered) {
		snprintf(path, sizeof(path), "%s/power", self->dir);
		xr_write_file(path, "0");
	}
	rmdir(self->dir);
}

/* Write one null_blk configfs attribute: 0 or -errno. */
static int nullb_set(const char *dir, const char *attr, const char *val)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	return xr_write_file(path, val);
}

/*
 * Rounds of 64 O_DIRECT reads at once, in their non-blocking attempt, on
 * a memory-backed null_blk with two tags and no scheduler: most find no
 * tag and come back -EAGAIN from inside the submission, to be issued
 * again; the rest complete from the variant's interrupt, possibly while
 * the submitter is still issuing. Every read completes with 4096 bytes of
 * what was written at its offset, and the kernel log stays clean.
 *
 * Finding 11 asks whether an -EAGAIN completion can come from interrupt
 * context while the issuer is still inside ->read_iter: in 6.1 every
 * BLK_STS_AGAIN of a REQ_NOWAIT bio is raised inside submit_bio() itself
 * (bio_queue_enter, a refused split, no tag), in the issuer's task, and
 * neither null_blk nor virtio-blk nor NVMe end a dispatched request with
 * it; this test covers the synchronous case and the interrupt
 * completions around it.
 */
TEST_F_TIMEOUT(tiny_queue, eagain_reissue_keeps_data, 300)
{
	enum { ROUNDS = 100, BATCH = 64 };
	const size_t dev_bytes = (size_t)TINYQ_MB << 20;
	unsigned char *data, *bufs;
	struct xr_iowq_state st;
	struct xr_ring r;
	char path[192], dev[64], buf[16];
	unsigned int round, i;
	int fd, kmsg, index;
	__u64 start;

	XR_REQUIRE_ROOT();
	if (access(NULLB_CONFIGFS, F_OK))
		SKIP(return, "no %s (null_blk and configfs)", NULLB_CONFIGFS);
	/* the disk takes the name of the configfs directory */
	snprintf(self->dir, sizeof(self->dir), NULLB_CONFIGFS "/xr-tinyq-%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	snprintf(buf, sizeof(buf), "%d", TINYQ_MB);
	ASSERT_EQ(0, nullb_set(self->dir, "size", buf));
	ASSERT_EQ(0, nullb_set(self->dir, "blocksize", "4096"));
	ASSERT_EQ(0, nullb_set(self->dir, "memory_backed", "1"));
	ASSERT_EQ(0, nullb_set(self->dir, "queue_mode", "2"));
	ASSERT_EQ(0, nullb_set(self->dir, "submit_queues", "1"));
	ASSERT_EQ(0, nullb_set(self->dir, "hw_queue_depth", "2"));
	ASSERT_EQ(0, nullb_set(self->dir, "no_sched", "1"));
	ASSERT_EQ(0, nullb_set(self->dir, "irqmode", variant->irqmode));
	ASSERT_EQ(0, nullb_set(self->dir, "completion_nsec", "20000"));
	ASSERT_EQ(0, nullb_set(self->dir, "power", "1"));
	self->powered = true;
	snprintf(path, sizeof(path), "%s/index", self->dir);
	ASSERT_LT(0, xr_read_file(path, buf, sizeof(buf)));
	index = atoi(buf);
	start = xr_now_ns();
	do {
		/* named after the directory (6.1), or nullb<index> */
		snprintf(dev, sizeof(dev), "/dev/%s", strrchr(self->dir, '/') + 1);
		if (!access(dev, F_OK))
			break;
		snprintf(dev, sizeof(dev), "/dev/nullb%d", index);
		if (!access(dev, F_OK))
			break;
		xr_sleep_ms(20);
	} while (xr_ms_since(start) < 10000);
	fd = open(dev, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", dev, strerror(errno));

	data = xr_alloc(dev_bytes);
	bufs = xr_alloc((size_t)BATCH * BS);
	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, bufs);
	xr_fill_pattern(data, dev_bytes, 0, 11);
	ASSERT_TRUE(xr_pwrite_all(fd, data, dev_bytes, 0));

	kmsg = xr_kmsg_open();
	srand(getpid());
	ASSERT_EQ(0, xr_ring_init(&r, BATCH, 0));
	for (round = 0; round < ROUNDS; round++) {
		__u64 offs[BATCH];
		unsigned int got;
		struct xuring_cqe cqes[BATCH];

		for (i = 0; i < BATCH; i++) {
			struct xuring_sqe *sqe;

			offs[i] = (__u64)(rand() % (dev_bytes / BS)) * BS;
			XR_GET_SQE(sqe, &r);
			xr_prep_rw(sqe, XURING_OP_READ, fd, bufs + i * BS, BS,
				   offs[i], UD_TINYQ + round * BATCH + i);
		}
		memset(bufs, 0, (size_t)BATCH * BS);
		ASSERT_EQ(BATCH, xr_submit(&r));
		got = xr_reap_n(&r, cqes, BATCH, XR_IO_TIMEOUT_MS);
		ASSERT_EQ((unsigned int)BATCH, got) TH_LOG("round %u", round);
		for (i = 0; i < BATCH; i++) {
			__u64 n = cqes[i].user_data - UD_TINYQ - round * BATCH;

			ASSERT_GT((__u64)BATCH, n)
				TH_LOG("user_data %#llx", cqes[i].user_data);
			ASSERT_EQ(BS, cqes[i].res) TH_LOG("round %u read %llu",
							  round, n);
			XR_ASSERT_PATTERN(bufs + n * BS, BS, offs[n], 11);
		}
	}
	/* reads came back -EAGAIN and went to io-wq, or this tested nothing */
	ASSERT_TRUE(xr_fdinfo_iowq(r.fd, "bound", &st));
	ASSERT_LT(0U, st.workers) TH_LOG("no read was bounced: no io-wq worker");
	xr_ring_exit(&r);
	close(fd);
	XR_ASSERT_KMSG_CLEAN(kmsg);
	if (kmsg >= 0)
		close(kmsg);
	xr_free(data, dev_bytes);
	xr_free(bufs, (size_t)BATCH * BS);
}

TEST_HARNESS_MAIN
