// SPDX-License-Identifier: GPL-2.0
/*
 * XURING_IOC_SETUP, io_uring_setup(2)'s stand-in: ring sizes, flags,
 * features, the offsets it reports, and the errors of the device's three
 * ioctls before and after a file becomes a ring.
 */
#include <grp.h>
#include <limits.h>
#include <sys/wait.h>

#include "xuring_test.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define XR_MAX_ENTRIES		32768U
#define XR_MAX_CQ_ENTRIES	65536U

static unsigned int roundup_pow2(unsigned int x)
{
	unsigned int r = 1;

	while (r < x)
		r <<= 1;
	return r;
}

/* Set up a fresh file with these parameters; returns 0 or -errno. */
static int setup_fresh(unsigned int entries, struct xuring_params *p)
{
	int fd = xr_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = xr_setup(fd, entries, p);
	close(fd);
	return ret;
}

/*
 * The device gives nobody but root and its group access: 0660, owned by
 * root (the group is the administrator's choice, root's by default).
 */
TEST(device_is_group_only_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(XURING_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660U, st.st_mode & 07777U);
	EXPECT_EQ(0U, st.st_uid);
}

/*
 * Set up a ring as nobody (uid/gid 65534), with or without the device's
 * group among its groups, and run a NOP through it. Returns 0, or the
 * number of the step that failed.
 */
static int unprivileged_child(bool granted)
{
	struct xuring_cqe cqe;
	__u64 ud = xr_ud();
	struct xr_ring r;
	struct stat st;
	gid_t grp;
	int fd;

	if (stat(XURING_DEVICE_PATH, &st))
		return 1;
	grp = st.st_gid;
	if (setgroups(granted ? 1 : 0, &grp) || setgid(65534) ||
	    setuid(65534))
		return 1;
	if (getuid() == 0 || geteuid() == 0)
		return 2;
	if (!granted) {
		/* 65534 is not the device's group: no access at all */
		fd = open(XURING_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != EACCES)
			return 7;
		return 0;
	}
	if (xr_ring_init(&r, 4, 0))
		return 3;
	if (!xr_queue_nop(&r, ud))
		return 4;
	if (xr_submit_and_wait(&r, 1) != 1)
		return 5;
	if (!xr_reap_cqe(&r, &cqe) || cqe.user_data != ud || cqe.res)
		return 6;
	xr_ring_exit(&r);
	return 0;
}

static void check_unprivileged(struct __test_metadata *_metadata,
			       bool granted)
{
	int status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root to become another user");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(unprivileged_child(granted));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("child failed at step %d (1 setuid, 2 still root, 3 ring setup, 5 enter, 6 cqe, 7 opened without access)",
		       WEXITSTATUS(status));
}

/* A member of the device's group may set up rings... */
TEST(unprivileged_user_with_access_can_set_up_ring)
{
	check_unprivileged(_metadata, true);
}

/* ... and a user outside it cannot even open the device. */
TEST(unprivileged_user_without_access_is_refused)
{
	check_unprivileged(_metadata, false);
}

TEST(sq_entries_round_up_and_cq_is_twice)
{
	static const unsigned int entries[] = {
		1, 2, 3, 4, 5, 7, 8, 9, 100, 127, 128, 1000, 4096,
		32767, 32768,
	};
	unsigned int i;

	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		struct xuring_params p = { 0 };
		unsigned int sq = roundup_pow2(entries[i]);

		ASSERT_EQ(0, setup_fresh(entries[i], &p))
			TH_LOG("entries %u", entries[i]);
		EXPECT_EQ(sq, p.sq_entries) TH_LOG("entries %u", entries[i]);
		EXPECT_EQ(2 * sq, p.cq_entries)
			TH_LOG("entries %u", entries[i]);
	}
}

TEST(zero_entries_einval)
{
	struct xuring_params p = { 0 };

	EXPECT_EQ(-EINVAL, setup_fresh(0, &p));
}

TEST(too_many_entries_einval)
{
	struct xuring_params p = { 0 };

	EXPECT_EQ(-EINVAL, setup_fresh(XR_MAX_ENTRIES + 1, &p));
	memset(&p, 0, sizeof(p));
	EXPECT_EQ(-EINVAL, setup_fresh(UINT_MAX, &p));
}

TEST(clamp_limits_entries)
{
	struct xuring_params p = { .flags = XURING_SETUP_CLAMP };

	ASSERT_EQ(0, setup_fresh(XR_MAX_ENTRIES + 1, &p));
	EXPECT_EQ(XR_MAX_ENTRIES, p.sq_entries);
	EXPECT_EQ(XR_MAX_CQ_ENTRIES, p.cq_entries);
	EXPECT_EQ(XURING_SETUP_CLAMP, p.flags);

	memset(&p, 0, sizeof(p));
	p.flags = XURING_SETUP_CLAMP;
	ASSERT_EQ(0, setup_fresh(UINT_MAX, &p));
	EXPECT_EQ(XR_MAX_ENTRIES, p.sq_entries);
	EXPECT_EQ(XR_MAX_CQ_ENTRIES, p.cq_entries);

	/* below the limit, CLAMP changes nothing */
	memset(&p, 0, sizeof(p));
	p.flags = XURING_SETUP_CLAMP;
	ASSERT_EQ(0, setup_fresh(5, &p));
	EXPECT_EQ(8U, p.sq_entries);
	EXPECT_EQ(16U, p.cq_entries);
}

struct cqsize_case {
	unsigned int entries;
	unsigned int cq_in;
	unsigned int flags;	/* besides CQSIZE */
	int ret;
	unsigned int sq;
	unsigned int cq;
};

TEST(cqsize_rules)
{
	static const struct cqsize_case cases[] = {
		{ 8, 0, 0, -EINVAL, 0, 0 },
		{ 8, 4, 0, -EINVAL, 0, 0 },		/* cq < sq */
		{ 16, 8, 0, -EINVAL, 0, 0 },
		{ 8, 7, 0, 0, 8, 8 },		/* rounded up, then compared */
		{ 8, 8, 0, 0, 8, 8 },		/* cq == sq is fine */
		{ 8, 9, 0, 0, 8, 16 },
		{ 4, 10, 0, 0, 4, 16 },
		{ 5, 8, 0, 0, 8, 8 },
		{ 1, 1, 0, 0, 1, 1 },
		{ 1, 65536, 0, 0, 1, 65536 },
		{ 1, 65537, 0, -EINVAL, 0, 0 },
		{ 1, UINT_MAX, 0, -EINVAL, 0, 0 },
		{ 1, 65537, XURING_SETUP_CLAMP, 0, 1, 65536 },
		{ 1, UINT_MAX, XURING_SETUP_CLAMP, 0, 1, 65536 },
		{ 1, 0, XURING_SETUP_CLAMP, -EINVAL, 0, 0 },
		/* clamped SQ of 32768 with a CQ smaller than that */
		{ 40000, 16, XURING_SETUP_CLAMP, -EINVAL, 0, 0 },
		{ 40000, 40000, XURING_SETUP_CLAMP, 0, 32768, 65536 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cqsize_case *c = &cases[i];
		struct xuring_params p = {
			.flags = XURING_SETUP_CQSIZE | c->flags,
			.cq_entries = c->cq_in,
		};

		ASSERT_EQ(c->ret, setup_fresh(c->entries, &p))
			TH_LOG("case %u: entries %u cq_entries %u flags %#x",
			       i, c->entries, c->cq_in, p.flags);
		if (c->ret)
			continue;
		EXPECT_EQ(c->sq, p.sq_entries) TH_LOG("case %u", i);
		EXPECT_EQ(c->cq, p.cq_entries) TH_LOG("case %u", i);
	}
}

TEST(unknown_flags_einval)
{
	static const unsigned int flags[] = { 1U << 14, 1U << 20, 1U << 31 };
	unsigned int i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct xuring_params p = { .flags = flags[i] };

		EXPECT_EQ(-EINVAL, setup_fresh(4, &p))
			TH_LOG("flags %#x", flags[i]);
	}
}

TEST(sqe128_and_cqe32_einval)
{
	struct xuring_params p = { .flags = XURING_SETUP_SQE128 };

	EXPECT_EQ(-EINVAL, setup_fresh(4, &p));
	memset(&p, 0, sizeof(p));
	p.flags = XURING_SETUP_CQE32;
	EXPECT_EQ(-EINVAL, setup_fresh(4, &p));
}

/* Flag combinations io_uring_setup(2) rejects. */
TEST(invalid_flag_combinations_einval)
{
	static const unsigned int flags[] = {
		XURING_SETUP_SQ_AFF,		/* without SQPOLL */
		XURING_SETUP_TASKRUN_FLAG,	/* without COOP/DEFER_TASKRUN */
		XURING_SETUP_DEFER_TASKRUN,	/* without SINGLE_ISSUER */
	};
	unsigned int i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct xuring_params p = { .flags = flags[i] };

		EXPECT_EQ(-EINVAL, setup_fresh(4, &p))
			TH_LOG("flags %#x", flags[i]);
	}
}

/* Flags that change nothing a NOP can see: accepted, echoed, usable. */
TEST(accepted_flags_work)
{
	static const unsigned int flags[] = {
		0,
		XURING_SETUP_SUBMIT_ALL,
		XURING_SETUP_COOP_TASKRUN,
		XURING_SETUP_COOP_TASKRUN | XURING_SETUP_TASKRUN_FLAG,
		XURING_SETUP_SINGLE_ISSUER,
		XURING_SETUP_SINGLE_ISSUER | XURING_SETUP_DEFER_TASKRUN,
		XURING_SETUP_CLAMP,
	};
	unsigned int i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct xuring_cqe cqe;
		__u64 ud = xr_ud();
		struct xr_ring r;

		ASSERT_EQ(0, xr_ring_init(&r, 4, flags[i]))
			TH_LOG("flags %#x", flags[i]);
		EXPECT_EQ(flags[i], r.p.flags);
		ASSERT_TRUE(xr_queue_nop(&r, ud));
		EXPECT_EQ(1, xr_submit_and_wait(&r, 1))
			TH_LOG("flags %#x", flags[i]);
		ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
		EXPECT_EQ(ud, cqe.user_data);
		EXPECT_EQ(0, cqe.res);
		xr_ring_exit(&r);
	}
}

TEST(nonzero_params_resv_einval)
{
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct xuring_params p = { 0 };

		p.resv[i] = 1;
		EXPECT_EQ(-EINVAL, setup_fresh(4, &p)) TH_LOG("resv[%u]", i);
	}
}

TEST(nonzero_arg_resv_einval)
{
	struct xuring_params p = { 0 };
	struct xuring_setup_arg arg = {
		.entries = 4,
		.resv = 1,
		.params = (uintptr_t)&p,
	};
	int fd = xr_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, xr_ioctl(fd, XURING_IOC_SETUP, &arg));
	/* the file is still unset: a good SETUP goes through */
	arg.resv = 0;
	EXPECT_EQ(0, xr_ioctl(fd, XURING_IOC_SETUP, &arg));
	close(fd);
}

TEST(bad_params_pointer_efault)
{
	struct xuring_setup_arg arg = { .entries = 4 };
	void *none;
	int fd;

	fd = xr_open();
	ASSERT_LE(0, fd);
	arg.params = 0;
	EXPECT_EQ(-EFAULT, xr_ioctl(fd, XURING_IOC_SETUP, &arg));

	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	arg.params = (uintptr_t)none;
	EXPECT_EQ(-EFAULT, xr_ioctl(fd, XURING_IOC_SETUP, &arg));

	/* nor may the ioctl argument itself be bad */
	EXPECT_EQ(-EFAULT, xr_ioctl(fd, XURING_IOC_SETUP, NULL));
	EXPECT_EQ(-EFAULT, xr_ioctl(fd, XURING_IOC_SETUP, none));
	munmap(none, 4096);
	close(fd);
}

/* Parameters that can be read but not written back: no ring is made. */
TEST(readonly_params_efault_leaves_file_unset)
{
	struct xuring_params *p;
	struct xuring_params good = { 0 };
	int fd;

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0, sizeof(*p));
	ASSERT_EQ(0, mprotect(p, 4096, PROT_READ));

	fd = xr_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EFAULT, xr_setup(fd, 4, p));
	EXPECT_EQ(-EBADFD, xr_enter(fd, 0, 0, 0, NULL, 0));
	EXPECT_EQ(0, xr_setup(fd, 4, &good));
	EXPECT_EQ(4U, good.sq_entries);
	close(fd);
	munmap(p, 4096);
}

#define EXPECT_FEATURE(p, name)						\
	EXPECT_TRUE(!!((p).features & XURING_FEAT_##name))		\
		TH_LOG("FEAT_" #name " missing from %#x", (p).features)

TEST(required_features)
{
	struct xuring_params p = { 0 };

	ASSERT_EQ(0, setup_fresh(4, &p));
	EXPECT_FEATURE(p, SINGLE_MMAP);
	EXPECT_FEATURE(p, NODROP);
	EXPECT_FEATURE(p, SUBMIT_STABLE);
	EXPECT_FEATURE(p, RW_CUR_POS);
	EXPECT_FEATURE(p, EXT_ARG);
}

/* [off, off + size) and [off2, off2 + size2) do not overlap */
static bool disjoint(unsigned int off, unsigned int size, unsigned int off2,
		     unsigned int size2)
{
	return off + size <= off2 || off2 + size2 <= off;
}

TEST(ring_offsets_are_sane)
{
	static const unsigned int entries[] = { 1, 4, 64, 4096 };
	unsigned int i, j, k;

	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		struct xuring_params p;
		unsigned int sq_words[6], cq_words[6];

		/* garbage in sq_off/cq_off is not an input: it is overwritten */
		memset(&p, 0, sizeof(p));
		memset(&p.sq_off, 0xa5, sizeof(p.sq_off));
		memset(&p.cq_off, 0xa5, sizeof(p.cq_off));
		ASSERT_EQ(0, setup_fresh(entries[i], &p));

		EXPECT_EQ(0U, p.sq_off.resv1);
		EXPECT_EQ(0ULL, p.sq_off.resv2);
		EXPECT_EQ(0U, p.cq_off.resv1);
		EXPECT_EQ(0ULL, p.cq_off.resv2);

		sq_words[0] = p.sq_off.head;
		sq_words[1] = p.sq_off.tail;
		sq_words[2] = p.sq_off.ring_mask;
		sq_words[3] = p.sq_off.ring_entries;
		sq_words[4] = p.sq_off.flags;
		sq_words[5] = p.sq_off.dropped;
		cq_words[0] = p.cq_off.head;
		cq_words[1] = p.cq_off.tail;
		cq_words[2] = p.cq_off.ring_mask;
		cq_words[3] = p.cq_off.ring_entries;
		cq_words[4] = p.cq_off.overflow;
		cq_words[5] = p.cq_off.flags;

		EXPECT_EQ(0U, p.sq_off.array % 4);
		EXPECT_EQ(0U, p.cq_off.cqes % 8);
		for (j = 0; j < 6; j++) {
			EXPECT_EQ(0U, sq_words[j] % 4) TH_LOG("sq word %u", j);
			EXPECT_GE(p.sq_off.array, sq_words[j] + 4)
				TH_LOG("sq word %u not before the array", j);
			EXPECT_EQ(0U, cq_words[j] % 4) TH_LOG("cq word %u", j);
			EXPECT_GE(p.cq_off.cqes, cq_words[j] + 4)
				TH_LOG("cq word %u not before the CQEs", j);
			for (k = 0; k < j; k++) {
				EXPECT_NE(sq_words[k], sq_words[j]);
				EXPECT_NE(cq_words[k], cq_words[j]);
			}
		}

		/* one mapping holds both rings: nothing may overlap */
		if (!(p.features & XURING_FEAT_SINGLE_MMAP))
			continue;
		for (j = 0; j < 6; j++) {
			EXPECT_TRUE(disjoint(p.cq_off.cqes,
					     p.cq_entries * 16, sq_words[j], 4));
			EXPECT_TRUE(disjoint(p.sq_off.array,
					     p.sq_entries * 4, cq_words[j], 4));
			for (k = 0; k < 6; k++) {
				EXPECT_NE(sq_words[j], cq_words[k]);
			}
		}
		EXPECT_TRUE(disjoint(p.cq_off.cqes, p.cq_entries * 16,
				     p.sq_off.array, p.sq_entries * 4));
	}
}

TEST(ring_fields_through_mapping)
{
	static const unsigned int entries[] = { 1, 2, 8, 100, 32768 };
	unsigned int i;

	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		struct xr_ring r;

		ASSERT_EQ(0, xr_ring_init(&r, entries[i], 0))
			TH_LOG("entries %u", entries[i]);
		EXPECT_EQ(r.p.sq_entries - 1, *r.sq_ring_mask);
		EXPECT_EQ(r.p.sq_entries, *r.sq_ring_entries);
		EXPECT_EQ(r.p.cq_entries - 1, *r.cq_ring_mask);
		EXPECT_EQ(r.p.cq_entries, *r.cq_ring_entries);
		EXPECT_EQ(0U, *r.sq_head);
		EXPECT_EQ(0U, *r.sq_tail);
		EXPECT_EQ(0U, *r.sq_flags);
		EXPECT_EQ(0U, *r.sq_dropped);
		EXPECT_EQ(0U, *r.cq_head);
		EXPECT_EQ(0U, *r.cq_tail);
		EXPECT_EQ(0U, *r.cq_overflow);
		EXPECT_EQ(0U, *r.cq_flags);
		xr_ring_exit(&r);
	}
}

TEST(second_setup_ebusy)
{
	struct xuring_params p2 = { 0 };
	struct xuring_cqe cqe;
	__u64 ud = xr_ud();
	struct xr_ring r;

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	EXPECT_EQ(-EBUSY, xr_setup(r.fd, 8, &p2));
	/* and the first ring is untouched */
	ASSERT_TRUE(xr_queue_nop(&r, ud));
	EXPECT_EQ(1, xr_submit_and_wait(&r, 1));
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	EXPECT_EQ(3U, *r.sq_ring_mask);
	xr_ring_exit(&r);
}

TEST(enter_register_mmap_before_setup_ebadfd)
{
	struct {
		struct xuring_probe probe;
		struct xuring_probe_op ops[4];
	} probe;
	void *ptr;
	int fd;

	memset(&probe, 0, sizeof(probe));
	fd = xr_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADFD, xr_enter(fd, 0, 0, 0, NULL, 0));
	EXPECT_EQ(-EBADFD, xr_enter(fd, 1, 1, XURING_ENTER_GETEVENTS,
				    NULL, 0));
	EXPECT_EQ(-EBADFD, xr_register(fd, XURING_REGISTER_PROBE, &probe, 4));
	ptr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   XURING_OFF_SQ_RING);
	EXPECT_EQ(MAP_FAILED, ptr);
	EXPECT_EQ(EBADFD, errno);
	ptr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   XURING_OFF_SQES);
	EXPECT_EQ(MAP_FAILED, ptr);
	EXPECT_EQ(EBADFD, errno);
	close(fd);
}

TEST(unknown_ioctl_enotty)
{
	char zero_arg[64];
	const unsigned long cmds[] = {
		_IOW(XURING_IOC_MAGIC, 3, struct xuring_setup_arg),
		_IOW(XURING_IOC_MAGIC, 0x7f, struct xuring_setup_arg),
		_IO(XURING_IOC_MAGIC, 0),
		_IOR(XURING_IOC_MAGIC, 0, struct xuring_setup_arg),
		_IOWR(XURING_IOC_MAGIC, 1, struct xuring_enter_arg),
		_IOW(XURING_IOC_MAGIC + 1, 0, struct xuring_setup_arg),
	};
	struct xr_ring r;
	unsigned int i;
	int fd;

	memset(&zero_arg, 0, sizeof(zero_arg));
	fd = xr_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-ENOTTY, xr_ioctl(fd, cmds[i], zero_arg))
			TH_LOG("unset file, cmd %#lx", cmds[i]);
		EXPECT_EQ(-ENOTTY, xr_ioctl(r.fd, cmds[i], zero_arg))
			TH_LOG("ring, cmd %#lx", cmds[i]);
	}
	xr_ring_exit(&r);
	close(fd);
}

/*
 * The argument structures are versioned by the size the ioctl number
 * encodes: larger with a zero tail is the same call, a nonzero tail is
 * E2BIG, and smaller than version 0 is EINVAL.
 */
struct setup_arg_v1 {
	struct xuring_setup_arg arg;
	__u64 tail[2];
};

TEST(setup_arg_larger_with_zero_tail_accepted)
{
	struct xuring_params p = { 0 };
	struct setup_arg_v1 big;
	int fd;

	memset(&big, 0, sizeof(big));
	big.arg.entries = 4;
	big.arg.params = (uintptr_t)&p;
	fd = xr_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, xr_ioctl(fd, XR_IOC(0, sizeof(big)), &big));
	EXPECT_EQ(4U, p.sq_entries);
	EXPECT_EQ(8U, p.cq_entries);
	/* it really is a ring now */
	EXPECT_EQ(0, xr_enter(fd, 0, 0, 0, NULL, 0));
	close(fd);
}

TEST(setup_arg_nonzero_tail_e2big)
{
	struct xuring_params p = { 0 };
	struct setup_arg_v1 big;
	int fd;

	memset(&big, 0, sizeof(big));
	big.arg.entries = 4;
	big.arg.params = (uintptr_t)&p;
	big.tail[1] = 1;
	fd = xr_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-E2BIG, xr_ioctl(fd, XR_IOC(0, sizeof(big)), &big));
	EXPECT_EQ(-EBADFD, xr_enter(fd, 0, 0, 0, NULL, 0));
	close(fd);
}

TEST(setup_arg_too_small_einval)
{
	struct xuring_params p = { 0 };
	struct xuring_setup_arg arg = {
		.entries = 4,
		.params = (uintptr_t)&p,
	};
	int fd;

	fd = xr_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, xr_ioctl(fd, XR_IOC(0, 8), &arg));
	EXPECT_EQ(-EINVAL, xr_ioctl(fd, XR_IOC(0, 0), &arg));
	EXPECT_EQ(-EBADFD, xr_enter(fd, 0, 0, 0, NULL, 0));
	close(fd);
}

TEST(enter_arg_versioned_by_size)
{
	struct {
		struct xuring_enter_arg arg;
		__u64 tail;
	} big;
	struct xuring_cqe cqe;
	__u64 ud = xr_ud();
	struct xr_ring r;

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	ASSERT_TRUE(xr_queue_nop(&r, ud));
	memset(&big, 0, sizeof(big));
	big.arg.to_submit = xr_flush_sq(&r);
	ASSERT_EQ(1U, big.arg.to_submit);

	big.tail = 1;
	EXPECT_EQ(-E2BIG, xr_ioctl(r.fd, XR_IOC(1, sizeof(big)), &big));
	EXPECT_EQ(-EINVAL, xr_ioctl(r.fd, XR_IOC(1, 16), &big.arg));
	/* neither consumed the SQE */
	EXPECT_EQ(0U, xr_load_acquire(r.sq_head));
	EXPECT_EQ(0U, xr_cq_ready(&r));

	big.tail = 0;
	EXPECT_EQ(1, xr_ioctl(r.fd, XR_IOC(1, sizeof(big)), &big));
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(ud, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	xr_ring_exit(&r);
}

TEST(register_arg_versioned_by_size)
{
	struct {
		struct xuring_register_arg arg;
		__u64 tail;
	} big;
	struct {
		struct xuring_probe probe;
		struct xuring_probe_op ops[4];
	} probe;
	struct xr_ring r;

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	memset(&big, 0, sizeof(big));
	memset(&probe, 0, sizeof(probe));
	big.arg.opcode = XURING_REGISTER_PROBE;
	big.arg.nr_args = 4;
	big.arg.arg = (uintptr_t)&probe;

	big.tail = 1;
	EXPECT_EQ(-E2BIG, xr_ioctl(r.fd, XR_IOC(2, sizeof(big)), &big));
	EXPECT_EQ(-EINVAL, xr_ioctl(r.fd, XR_IOC(2, 8), &big.arg));
	EXPECT_EQ(0, probe.probe.ops_len);

	big.tail = 0;
	EXPECT_EQ(0, xr_ioctl(r.fd, XR_IOC(2, sizeof(big)), &big));
	EXPECT_EQ(XURING_OP_LAST - 1, probe.probe.last_op);
	EXPECT_EQ(4, probe.probe.ops_len);
	xr_ring_exit(&r);
}

struct single_issuer_ctx {
	struct xr_ring *r;
	int ret;
};

static void *single_issuer_other_thread(void *arg)
{
	struct single_issuer_ctx *ctx = arg;

	ctx->ret = xr_enter(ctx->r->fd, 1, 0, 0, NULL, 0);
	return NULL;
}

/* SINGLE_ISSUER: only the task that set the ring up may submit. */
TEST(single_issuer_other_thread_eexist)
{
	struct single_issuer_ctx ctx;
	struct xuring_cqe cqe;
	__u64 ud = xr_ud();
	struct xr_ring r;
	pthread_t thread;

	ASSERT_EQ(0, xr_ring_init(&r, 4, XURING_SETUP_SINGLE_ISSUER));
	ASSERT_TRUE(xr_queue_nop(&r, ud));
	ASSERT_EQ(1U, xr_flush_sq(&r));

	ctx.r = &r;
	ctx.ret = 0;
	ASSERT_EQ(0, pthread_create(&thread, NULL,
				    single_issuer_other_thread, &ctx));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(-EEXIST, ctx.ret);
	EXPECT_EQ(0U, xr_load_acquire(r.sq_head));

	EXPECT_EQ(1, xr_enter(r.fd, 1, 1, XURING_ENTER_GETEVENTS, NULL, 0));
	ASSERT_TRUE(xr_reap_cqe(&r, &cqe));
	EXPECT_EQ(ud, cqe.user_data);
	xr_ring_exit(&r);
}

TEST_HARNESS_MAIN
