// SPDX-License-Identifier: GPL-2.0
/*
 * The administrator's controls (Documentation/xuring.rst, "Access
 * policy"): the module parameters disabled, group, sqpoll, allowed_ops,
 * max_user_rings, max_user_threads and max_user_pinned. Each is checked
 * as an unprivileged user, and each is changed while that user's rings
 * exist, to show what happens to them.
 *
 * Every test runs as root and forks a child that becomes user and group
 * 65534, keeping the device's group (and, for some tests, a group of the
 * test's or CAP_SYS_NICE). The child asks its parent, still root, to
 * change a parameter through a pipe (param_set()), so that a control
 * changes between two of the child's steps. The fixture saves every
 * parameter first and puts them all back in its teardown, which runs
 * even when a test fails.
 */
#include <poll.h>
#include <sys/prctl.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "xuring_io.h"
#include "xuring_poll.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

/* a supplementary group the tests give the user, and one they do not */
#define GRANTED_GID	4242
#define OTHER_GID	4243

#define KiB		1024UL
#define MiB		(1024 * KiB)

/* every parameter, with its value when the module is loaded without any */
static const struct {
	const char *name, *value;
} params[] = {
	{ "disabled", "0" },
	{ "group", "-1" },
	{ "sqpoll", "1" },
	{ "allowed_ops", "all" },
	{ "max_user_rings", "0" },
	{ "max_user_threads", "0" },
	{ "max_user_pinned", "0" },
};

#define NR_PARAMS	(sizeof(params) / sizeof(params[0]))
#define PARAM_MAX	4096

/* ----------------------------------------------- the unprivileged child */

/*
 * In the child: a check that failed says where and why on stderr (as a
 * TAP comment) and fails the child.
 */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# %s:%d: %s is false (errno %d)\n",	\
			__FILE__, __LINE__, #cond, errno);		\
		return 1;						\
	}								\
} while (0)

#define CHECK_EQ(want, got) do {					\
	long long want_ = (want), got_ = (got);				\
	if (want_ != got_) {						\
		fprintf(stderr, "# %s:%d: %s is %lld, want %lld\n",	\
			__FILE__, __LINE__, #got, got_, want_);		\
		return 1;						\
	}								\
} while (0)

#define CHECK_STR(want, got) do {					\
	const char *want_ = (want), *got_ = (got);			\
	if (strcmp(want_, got_)) {					\
		fprintf(stderr, "# %s:%d: %s is '%s', want '%s'\n",	\
			__FILE__, __LINE__, #got, got_, want_);		\
		return 1;						\
	}								\
} while (0)

/* What the child asks of its parent: write value to parameter name. */
struct param_req {
	char name[32];
	char value[PARAM_MAX - 32];
};

static int child_req_fd = -1, child_ack_fd = -1;

/* In the child: have root set a parameter; 0, or what writing it gave. */
static int param_set(const char *name, const char *value)
{
	struct param_req req;
	int ret;

	memset(&req, 0, sizeof(req));
	snprintf(req.name, sizeof(req.name), "%s", name);
	snprintf(req.value, sizeof(req.value), "%s", value);
	if (write(child_req_fd, &req, sizeof(req)) != sizeof(req))
		return -EPIPE;
	if (read(child_ack_fd, &ret, sizeof(ret)) != sizeof(ret))
		return -EPIPE;
	return ret;
}

#define SET(name, value)	CHECK_EQ(0, param_set(name, value))

struct user_opts {
	/* a supplementary group besides the device's, or 0 */
	gid_t extra_gid;
	/* keep CAP_SYS_NICE, and only it */
	bool keep_sys_nice;
};

static int set_caps(__u32 caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {
		{ .effective = caps, .permitted = caps },
	};

	return syscall(SYS_capset, &hdr, data);
}

/*
 * Become user and group 65534, in the device's group (how access to it is
 * granted) and opts' group. RLIMIT_MEMLOCK is raised first, so that the
 * module's own cap is what a pinning test meets.
 */
static int become_user(const struct user_opts *opts)
{
	struct rlimit memlock = { 64 * MiB, 64 * MiB };
	gid_t groups[2];
	struct stat st;
	int n = 0;

	if (stat(XURING_DEVICE_PATH, &st))
		return -errno;
	groups[n++] = st.st_gid;
	if (opts->extra_gid)
		groups[n++] = opts->extra_gid;
	if (setrlimit(RLIMIT_MEMLOCK, &memlock))
		return -errno;
	if (opts->keep_sys_nice && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -errno;
	if (setgroups(n, groups) || setgid(65534) || setuid(65534))
		return -errno;
	if (opts->keep_sys_nice && set_caps(1U << CAP_SYS_NICE))
		return -errno;
	if (getuid() == 0 || geteuid() == 0)
		return -EPERM;
	return 0;
}

/*
 * Run fn() in a child that has become the user opts describe, serving its
 * requests to change parameters until it exits; fail the test if it fails.
 */
static void run_as_user(struct __test_metadata *_metadata, int (*fn)(void),
			const struct user_opts *opts)
{
	int req[2], ack[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe2(req, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ack, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ret;

		close(req[0]);
		close(ack[1]);
		child_req_fd = req[1];
		child_ack_fd = ack[0];
		ret = become_user(opts);
		if (ret) {
			fprintf(stderr, "# cannot become user 65534: %s\n",
				strerror(-ret));
			_exit(1);
		}
		_exit(fn());
	}
	close(req[1]);
	close(ack[0]);
	for (;;) {
		struct pollfd pfd = { .fd = req[0], .events = POLLIN };
		struct param_req r;
		ssize_t n;
		int ret;

		/* a child stuck in the kernel must not hang the test */
		if (poll(&pfd, 1, 3 * XR_IO_TIMEOUT_MS) <= 0)
			break;
		n = read(req[0], &r, sizeof(r));
		if (n != sizeof(r))
			break;
		r.name[sizeof(r.name) - 1] = '\0';
		r.value[sizeof(r.value) - 1] = '\0';
		ret = xr_param_write(r.name, r.value);
		if (write(ack[1], &ret, sizeof(ret)) != sizeof(ret))
			break;
	}
	close(req[0]);
	close(ack[1]);
	status = xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	ASSERT_TRUE(status >= 0 && WIFEXITED(status)) TH_LOG("status %d",
							     status);
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* SETUP on a fresh fd, which is closed again: 0 or -errno. */
static int try_setup(unsigned int flags)
{
	struct xuring_params p = { .flags = flags, .sq_thread_idle = 10 };
	int fd = xr_open();
	int ret;

	if (fd < 0)
		return fd;
	ret = xr_setup(fd, 4, &p);
	close(fd);
	return ret;
}

/* Set up and map a ring; SQPOLL threads sleep after 10 ms idle. */
static int ring_init(struct xr_ring *r, unsigned int flags)
{
	struct xuring_params p = { .flags = flags, .sq_thread_idle = 10 };

	return xr_ring_init_params(r, 8, &p);
}

/*
 * Run one SQE of @opcode, every other field 0 but fd -1, on any ring:
 * its CQE res, or INT_MIN if none came.
 */
static int run_op(struct xr_ring *r, __u8 opcode, __u8 sqe_flags)
{
	struct xuring_cqe cqe;
	struct xuring_sqe *sqe = xr_get_sqe(r);

	if (!sqe)
		return INT_MIN;
	sqe->opcode = opcode;
	sqe->fd = -1;
	sqe->flags = sqe_flags;
	sqe->user_data = 0x5eed;
	if (xr_any_run_one(r, &cqe) == INT_MIN || cqe.user_data != 0x5eed)
		return INT_MIN;
	return cqe.res;
}

static int nop_res(struct xr_ring *r)
{
	return run_op(r, XURING_OP_NOP, 0);
}

/* PROBE: the opcodes flagged supported, as a bit mask. */
static __u64 probe_mask(struct xr_ring *r)
{
	size_t size = sizeof(struct xuring_probe) +
		      64 * sizeof(struct xuring_probe_op);
	struct xuring_probe *p = calloc(1, size);
	__u64 mask = 0;
	unsigned int i;

	if (!p || xr_register(r->fd, XURING_REGISTER_PROBE, p, 64)) {
		free(p);
		return ~0ULL;
	}
	for (i = 0; i < p->ops_len; i++)
		if (p->ops[i].flags & XURING_OP_SUPPORTED)
			mask |= 1ULL << p->ops[i].op;
	free(p);
	return mask;
}

/* The value of the ring's "AllowedOps:" fdinfo line, in buf. */
static const char *fdinfo_allowed_ops(struct xr_ring *r, char *buf,
				      size_t size)
{
	char path[64], line[PARAM_MAX];
	const char *key = "AllowedOps:\t";
	FILE *f;

	snprintf(buf, size, "(no AllowedOps line)");
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", r->fd);
	f = fopen(path, "re");
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, strlen(key)))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, size, "%s", line + strlen(key));
		break;
	}
	fclose(f);
	return buf;
}

/* Read @len bytes of @fd at offset 0 with READ: its res, or INT_MIN. */
static int read_res(struct xr_ring *r, int fd, void *buf, unsigned int len)
{
	struct xuring_cqe cqe;
	struct xuring_sqe *sqe = xr_get_sqe(r);

	if (!sqe)
		return INT_MIN;
	xr_prep_rw(sqe, XURING_OP_READ, fd, buf, len, 0, 0x4ead);
	if (xr_any_run_one(r, &cqe) == INT_MIN || cqe.user_data != 0x4ead)
		return INT_MIN;
	return cqe.res;
}

/* A memfd holding @len bytes of the pattern with @seed. */
static int pattern_file(size_t len, uint32_t seed)
{
	char *buf = malloc(len);
	int fd = memfd_create("xuring-policy", MFD_CLOEXEC);

	if (fd < 0 || !buf) {
		free(buf);
		return -1;
	}
	xr_fill_pattern(buf, len, 0, seed);
	if (!xr_pwrite_all(fd, buf, len, 0)) {
		close(fd);
		fd = -1;
	}
	free(buf);
	return fd;
}

/* --------------------------------------------------------------- fixture */

FIXTURE(policy) {
	char saved[NR_PARAMS][PARAM_MAX];
};

/* Save every parameter, then start from the defaults. */
FIXTURE_SETUP(policy)
{
	unsigned int i;

	if (geteuid())
		SKIP(return, "needs root to change parameters and become another user");
	for (i = 0; i < NR_PARAMS; i++) {
		ssize_t n = xr_param_read(params[i].name, self->saved[i],
					  sizeof(self->saved[i]));

		if (n < 0)
			fprintf(stderr, "# no parameter %s in " XR_PARAM_DIR "\n",
				params[i].name);
		ASSERT_LE(0, n);
	}
	for (i = 0; i < NR_PARAMS; i++)
		ASSERT_EQ(0, xr_param_write(params[i].name, params[i].value));
}

/* Put every parameter back, whatever the test did or where it failed. */
FIXTURE_TEARDOWN(policy)
{
	unsigned int i;

	for (i = 0; i < NR_PARAMS; i++) {
		int ret = xr_param_write(params[i].name, self->saved[i]);

		if (ret)
			fprintf(stderr, "# cannot restore %s to '%s': %s\n",
				params[i].name, self->saved[i], strerror(-ret));
		EXPECT_EQ(0, ret);
	}
}

/* ---------------------------------------------------------------- tests */

/*
 * As loaded (the test job loads the module without parameters): rings
 * for anyone with the device, SQPOLL for the privileged, no caps, and
 * every op: the allowlist names exactly the ops PROBE reports, one name
 * per row of the opcode table.
 */
TEST(defaults)
{
	char buf[PARAM_MAX], *name, *save;
	unsigned int names = 0, i;
	struct xr_ring r;
	__u64 mask;

	for (i = 0; i < NR_PARAMS; i++) {
		if (!strcmp(params[i].name, "allowed_ops"))
			continue;
		ASSERT_LE(0, xr_param_read(params[i].name, buf, sizeof(buf)))
			TH_LOG("no parameter %s", params[i].name);
		EXPECT_STREQ(params[i].value, buf)
			TH_LOG("%s", params[i].name);
	}

	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	mask = probe_mask(&r);
	xr_ring_exit(&r);
	ASSERT_NE(~0ULL, mask);
	ASSERT_LE(0, xr_param_read("allowed_ops", buf, sizeof(buf)));
	for (name = strtok_r(buf, ",", &save); name;
	     name = strtok_r(NULL, ",", &save))
		names++;
	EXPECT_EQ((unsigned int)__builtin_popcountll(mask), names);
	EXPECT_TRUE(!!(mask & (1ULL << XURING_OP_NOP)));
	EXPECT_TRUE(!!(mask & (1ULL << XURING_OP_READ)));
}

/*
 * allowed_ops takes the rows' names in any case, with spaces, or all or
 * none, and shows them in opcode order; an unknown name refuses the whole
 * list, which leaves the old one in force. So do the other parameters'
 * bad values.
 */
TEST_F(policy, parameter_syntax)
{
	char buf[PARAM_MAX], all[PARAM_MAX];

	ASSERT_EQ(0, xr_param_write("allowed_ops", "all"));
	ASSERT_LT(0, xr_param_read("allowed_ops", all, sizeof(all)));

	ASSERT_EQ(0, xr_param_write("allowed_ops",
				    "read,write,readv,writev,fsync,nop"));
	ASSERT_LT(0, xr_param_read("allowed_ops", buf, sizeof(buf)));
	EXPECT_STREQ("NOP,READV,WRITEV,FSYNC,READ,WRITE", buf);
	ASSERT_EQ(0, xr_param_write("allowed_ops", " Nop , READ_fixed "));
	ASSERT_LT(0, xr_param_read("allowed_ops", buf, sizeof(buf)));
	EXPECT_STREQ("NOP,READ_FIXED", buf);

	/* io_uring's OPENAT has no row in xuring; neither has an empty name */
	EXPECT_EQ(-EINVAL, xr_param_write("allowed_ops", "read,openat"));
	EXPECT_EQ(-EINVAL, xr_param_write("allowed_ops", "read,,write"));
	ASSERT_LT(0, xr_param_read("allowed_ops", buf, sizeof(buf)));
	EXPECT_STREQ("NOP,READ_FIXED", buf);

	ASSERT_EQ(0, xr_param_write("allowed_ops", "none"));
	ASSERT_LT(0, xr_param_read("allowed_ops", buf, sizeof(buf)));
	EXPECT_STREQ("none", buf);
	ASSERT_EQ(0, xr_param_write("allowed_ops", "nop"));
	ASSERT_EQ(0, xr_param_write("allowed_ops", ""));
	ASSERT_LT(0, xr_param_read("allowed_ops", buf, sizeof(buf)));
	EXPECT_STREQ("none", buf);
	ASSERT_EQ(0, xr_param_write("allowed_ops", "ALL"));
	ASSERT_LT(0, xr_param_read("allowed_ops", buf, sizeof(buf)));
	EXPECT_STREQ(all, buf);

	EXPECT_EQ(-EINVAL, xr_param_write("disabled", "3"));
	EXPECT_EQ(-EINVAL, xr_param_write("sqpoll", "3"));
	EXPECT_EQ(-EINVAL, xr_param_write("group", "-2"));
	EXPECT_EQ(-EINVAL, xr_param_write("max_user_pinned", "lots"));
	EXPECT_EQ(-EINVAL, xr_param_write("max_user_pinned", "-1"));
	ASSERT_EQ(0, xr_param_write("max_user_pinned", "3M"));
	ASSERT_LT(0, xr_param_read("max_user_pinned", buf, sizeof(buf)));
	EXPECT_STREQ("3145728", buf);
	ASSERT_EQ(0, xr_param_write("group", "4242"));
	ASSERT_LT(0, xr_param_read("group", buf, sizeof(buf)));
	EXPECT_STREQ("4242", buf);
}

/*
 * Every op that has a row, refused by leaving it out of the list: its SQE
 * fails with -EACCES (before anything else of it is looked at, as
 * io_uring's restriction check), PROBE stops flagging it, and fdinfo
 * shows the list; the other ops still run. The names come from the
 * parameter itself, in opcode order, one per op PROBE flags.
 */
static int every_op_child(void)
{
	char all[PARAM_MAX], list[PARAM_MAX], shown[PARAM_MAX];
	char *names[64], *save, *name;
	unsigned int nr = 0, i, j;
	__u8 opcodes[64];
	struct xr_ring r;
	__u64 mask;

	CHECK(xr_param_read("allowed_ops", all, sizeof(all)) > 0);
	for (name = strtok_r(all, ",", &save); name && nr < 64;
	     name = strtok_r(NULL, ",", &save))
		names[nr++] = name;
	CHECK_EQ(0, ring_init(&r, 0));
	mask = probe_mask(&r);
	CHECK_EQ(nr, __builtin_popcountll(mask));
	for (i = 0, j = 0; i < 64; i++)
		if (mask & (1ULL << i))
			opcodes[j++] = i;

	for (i = 0; i < nr; i++) {
		/* every name but the i-th */
		list[0] = '\0';
		for (j = 0; j < nr; j++) {
			if (j == i)
				continue;
			strcat(list, *list ? "," : "");
			strcat(list, names[j]);
		}
		SET("allowed_ops", list);
		fprintf(stderr, "# refusing %s (opcode %u)\n", names[i],
			opcodes[i]);
		CHECK_EQ(-EACCES, run_op(&r, opcodes[i], 0));
		CHECK_EQ(mask & ~(1ULL << opcodes[i]), probe_mask(&r));
		CHECK_STR(list, fdinfo_allowed_ops(&r, shown, sizeof(shown)));
		if (opcodes[i] != XURING_OP_NOP)
			CHECK_EQ(0, nop_res(&r));
	}
	xr_ring_exit(&r);
	return 0;
}

TEST_F(policy, every_op_can_be_refused)
{
	struct user_opts opts = {};

	run_as_user(_metadata, every_op_child, &opts);
}

/*
 * allowed_ops changed under a live ring: the next SQE sees the new list.
 * A refused op in a chain fails the chain; ops without a row stay
 * -EOPNOTSUPP and opcodes past the last -EINVAL, whatever the list; an
 * SQ thread checks as ENTER does; "none" stops every ring at once.
 */
static int allowed_ops_child(void)
{
	char data[4096], shown[PARAM_MAX];
	struct xuring_cqe cqes[2];
	struct xuring_sqe *sqe;
	struct xr_ring r, sq;
	int fd;

	fd = pattern_file(sizeof(data), 7);
	CHECK(fd >= 0);
	CHECK_EQ(0, ring_init(&r, 0));
	CHECK_EQ(0, ring_init(&sq, XURING_SETUP_SQPOLL));
	CHECK_EQ(0, nop_res(&r));
	CHECK_EQ(0, nop_res(&sq));

	SET("allowed_ops", "read");
	CHECK_EQ(-EACCES, nop_res(&r));
	CHECK_EQ(-EACCES, nop_res(&sq));
	CHECK_EQ(1ULL << XURING_OP_READ, probe_mask(&r));
	CHECK_STR("READ", fdinfo_allowed_ops(&r, shown, sizeof(shown)));
	memset(data, 0, sizeof(data));
	CHECK_EQ(sizeof(data), read_res(&r, fd, data, sizeof(data)));
	CHECK_EQ(-1, xr_pattern_mismatch(data, sizeof(data), 0, 7));
	memset(data, 0, sizeof(data));
	CHECK_EQ(sizeof(data), read_res(&sq, fd, data, sizeof(data)));
	CHECK_EQ(-1, xr_pattern_mismatch(data, sizeof(data), 0, 7));

	/* a refused NOP heading a chain takes the READ after it down */
	sqe = xr_get_sqe(&r);
	xr_prep_nop(sqe, 1);
	sqe->flags = XURING_SQE_IO_LINK;
	sqe = xr_get_sqe(&r);
	xr_prep_rw(sqe, XURING_OP_READ, fd, data, sizeof(data), 0, 2);
	CHECK_EQ(2, xr_submit(&r));
	CHECK_EQ(2, xr_reap_n(&r, cqes, 2, XR_IO_TIMEOUT_MS));
	CHECK_EQ(1, cqes[0].user_data);
	CHECK_EQ(-EACCES, cqes[0].res);
	CHECK_EQ(2, cqes[1].user_data);
	CHECK_EQ(-ECANCELED, cqes[1].res);

	/* POLL_ADD has no row: not xuring's, whatever the list says */
	CHECK_EQ(-EOPNOTSUPP, run_op(&r, 6, 0));
	CHECK_EQ(-EINVAL, run_op(&r, XURING_OP_LAST, 0));

	SET("allowed_ops", "none");
	CHECK_EQ(-EACCES, read_res(&r, fd, data, sizeof(data)));
	CHECK_EQ(-EACCES, read_res(&sq, fd, data, sizeof(data)));
	CHECK_EQ(0, probe_mask(&r));
	CHECK_STR("none", fdinfo_allowed_ops(&r, shown, sizeof(shown)));
	CHECK_EQ(-EOPNOTSUPP, run_op(&r, 6, 0));

	SET("allowed_ops", "all");
	CHECK_EQ(0, nop_res(&r));
	CHECK_EQ(0, nop_res(&sq));
	/* ASYNC: the check happens at submission, before io-wq */
	CHECK_EQ(0, run_op(&r, XURING_OP_NOP, XURING_SQE_ASYNC));
	xr_ring_exit(&sq);
	xr_ring_exit(&r);
	close(fd);
	return 0;
}

TEST_F(policy, allowed_ops_change_under_live_rings)
{
	struct user_opts opts = {};

	ASSERT_EQ(0, xr_param_write("sqpoll", "2"));
	run_as_user(_metadata, allowed_ops_child, &opts);
}

/*
 * disabled and group, as io_uring_disabled and io_uring_group: checked
 * at SETUP, against the caller's groups; a ring set up before a change
 * keeps working, and opening the device is not SETUP.
 */
static int disabled_child(void)
{
	struct xr_ring r;
	int fd;

	CHECK_EQ(0, try_setup(0));
	SET("disabled", "1");
	CHECK_EQ(-EPERM, try_setup(0));
	SET("group", "4242");
	CHECK_EQ(0, try_setup(0));
	CHECK_EQ(0, ring_init(&r, 0));
	SET("group", "4243");
	CHECK_EQ(-EPERM, try_setup(0));
	CHECK_EQ(0, nop_res(&r));

	SET("disabled", "2");
	SET("group", "4242");
	CHECK_EQ(-EPERM, try_setup(0));
	/* opening the device is not setting a ring up */
	fd = xr_open();
	CHECK(fd >= 0);
	close(fd);
	/* the ring set up before still works, REGISTER included */
	CHECK_EQ(0, nop_res(&r));
	fd = memfd_create("xuring-policy", MFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_EQ(0, xr_register(r.fd, XURING_REGISTER_FILES, &fd, 1));
	close(fd);

	SET("disabled", "0");
	SET("group", "-1");
	CHECK_EQ(0, try_setup(0));
	xr_ring_exit(&r);
	return 0;
}

TEST_F(policy, disabled_and_group)
{
	struct user_opts opts = { .extra_gid = GRANTED_GID };

	run_as_user(_metadata, disabled_child, &opts);

	/* root: CAP_SYS_ADMIN passes disabled=1, nothing passes 2 */
	ASSERT_EQ(0, xr_param_write("disabled", "1"));
	EXPECT_EQ(0, try_setup(0));
	ASSERT_EQ(0, xr_param_write("disabled", "2"));
	EXPECT_EQ(-EPERM, try_setup(0));
}

/*
 * sqpoll: by default SQPOLL rings are for CAP_SYS_NICE, CAP_SYS_ADMIN and
 * group's members; 0 is nobody's, 2 everybody's. A ring whose SQ thread
 * runs keeps it when the rule changes. Plain rings are not concerned.
 */
static int sqpoll_child(void)
{
	struct xr_ring a, b;

	CHECK_EQ(-EPERM, try_setup(XURING_SETUP_SQPOLL));
	CHECK_EQ(-EPERM, try_setup(XURING_SETUP_SQPOLL |
				   XURING_SETUP_SQ_AFF));
	CHECK_EQ(0, try_setup(0));
	SET("group", "4242");
	CHECK_EQ(0, ring_init(&a, XURING_SETUP_SQPOLL));
	CHECK(xr_sq_thread_pid(a.fd) > 0);
	CHECK_EQ(0, nop_res(&a));

	SET("sqpoll", "0");
	CHECK_EQ(-EPERM, try_setup(XURING_SETUP_SQPOLL));
	CHECK_EQ(0, try_setup(0));
	/* the thread goes on taking SQEs */
	CHECK_EQ(0, nop_res(&a));

	SET("sqpoll", "2");
	SET("group", "-1");
	CHECK_EQ(0, ring_init(&b, XURING_SETUP_SQPOLL));
	CHECK_EQ(0, nop_res(&b));
	xr_ring_exit(&b);
	xr_ring_exit(&a);
	return 0;
}

TEST_F(policy, sqpoll)
{
	struct user_opts opts = { .extra_gid = GRANTED_GID };

	run_as_user(_metadata, sqpoll_child, &opts);

	/* root passes 1 (CAP_SYS_ADMIN), not 0 */
	ASSERT_EQ(0, xr_param_write("sqpoll", "1"));
	EXPECT_EQ(0, try_setup(XURING_SETUP_SQPOLL));
	ASSERT_EQ(0, xr_param_write("sqpoll", "0"));
	EXPECT_EQ(-EPERM, try_setup(XURING_SETUP_SQPOLL));
}

/* CAP_SYS_NICE alone is enough for sqpoll=1; without it, no SQPOLL. */
static int sys_nice_child(void)
{
	CHECK_EQ(0, try_setup(XURING_SETUP_SQPOLL));
	CHECK_EQ(0, set_caps(0));
	CHECK_EQ(-EPERM, try_setup(XURING_SETUP_SQPOLL));
	CHECK_EQ(0, try_setup(0));
	return 0;
}

TEST_F(policy, sqpoll_with_cap_sys_nice)
{
	struct user_opts opts = { .keep_sys_nice = true };

	ASSERT_EQ(0, xr_param_write("sqpoll", "1"));
	ASSERT_EQ(0, xr_param_write("group", "-1"));
	run_as_user(_metadata, sys_nice_child, &opts);
}

/*
 * max_user_rings counts the user's set-up rings, -EMFILE over the cap.
 * Lowering the cap below what the user holds leaves those rings alone;
 * new ones wait until enough are gone. Opening the device is not a ring.
 */
static int rings_child(void)
{
	struct xr_ring r[3];
	int fds[4], i;

	CHECK_EQ(0, ring_init(&r[0], 0));
	CHECK_EQ(-EMFILE, try_setup(0));
	for (i = 0; i < 4; i++)
		CHECK((fds[i] = xr_open()) >= 0);
	SET("max_user_rings", "3");
	CHECK_EQ(0, ring_init(&r[1], 0));
	CHECK_EQ(0, ring_init(&r[2], 0));
	CHECK_EQ(-EMFILE, try_setup(0));

	SET("max_user_rings", "1");
	for (i = 0; i < 3; i++)
		CHECK_EQ(0, nop_res(&r[i]));
	xr_ring_exit(&r[0]);
	xr_ring_exit(&r[1]);
	CHECK_EQ(-EMFILE, try_setup(0));
	xr_ring_exit(&r[2]);
	CHECK_EQ(0, try_setup(0));
	SET("max_user_rings", "0");
	for (i = 0; i < 4; i++) {
		struct xuring_params p = {};

		CHECK_EQ(0, xr_setup(fds[i], 4, &p));
		close(fds[i]);
	}
	return 0;
}

TEST_F(policy, max_user_rings)
{
	struct user_opts opts = {};
	struct xr_ring root_ring;

	/* the cap is per user: root's ring leaves the child its own */
	ASSERT_EQ(0, xr_param_write("max_user_rings", "1"));
	ASSERT_EQ(0, xr_ring_init(&root_ring, 4, 0));
	/* and holds for root too */
	EXPECT_EQ(-EMFILE, try_setup(0));
	run_as_user(_metadata, rings_child, &opts);
	xr_ring_exit(&root_ring);
	EXPECT_EQ(0, try_setup(0));
}

/*
 * max_user_threads counts io-wq workers and SQ threads together: an SQ
 * thread over the cap fails SETUP with -EAGAIN, and work queued for a
 * worker that may not be started completes with -ECANCELED, as io_uring
 * cancels it when it cannot create one. Lowering the cap leaves running
 * threads alone.
 */
static int threads_child(void)
{
	struct xr_ring a, b, c;

	SET("max_user_threads", "1");
	CHECK_EQ(0, ring_init(&a, XURING_SETUP_SQPOLL));
	CHECK_EQ(-EAGAIN, try_setup(XURING_SETUP_SQPOLL));
	CHECK_EQ(0, ring_init(&c, 0));
	CHECK_EQ(-ECANCELED, run_op(&c, XURING_OP_NOP, XURING_SQE_ASYNC));
	/* inline work needs no thread */
	CHECK_EQ(0, nop_res(&c));

	SET("max_user_threads", "3");
	CHECK_EQ(0, run_op(&c, XURING_OP_NOP, XURING_SQE_ASYNC));
	CHECK_EQ(0, ring_init(&b, XURING_SETUP_SQPOLL));

	SET("max_user_threads", "1");
	CHECK_EQ(0, nop_res(&a));
	CHECK_EQ(0, nop_res(&b));
	CHECK_EQ(-EAGAIN, try_setup(XURING_SETUP_SQPOLL));
	/* every thread is gone with its ring */
	xr_ring_exit(&a);
	xr_ring_exit(&b);
	xr_ring_exit(&c);
	CHECK_EQ(0, try_setup(XURING_SETUP_SQPOLL));
	return 0;
}

TEST_F(policy, max_user_threads)
{
	struct user_opts opts = {};

	ASSERT_EQ(0, xr_param_write("sqpoll", "2"));
	run_as_user(_metadata, threads_child, &opts);
}

/* REGISTER_BUFFERS of @len bytes at @mem: 0 or -errno. */
static int register_buf(struct xr_ring *r, void *mem, size_t len)
{
	struct iovec iov = { .iov_base = mem, .iov_len = len };

	return xr_register(r->fd, XURING_REGISTER_BUFFERS, &iov, 1);
}

/* READ_FIXED of the pattern file into the registered buffer at @mem. */
static bool read_fixed_works(struct xr_ring *r, int fd, void *mem)
{
	struct xuring_cqe cqe;
	struct xuring_sqe *sqe = xr_get_sqe(r);

	if (!sqe)
		return false;
	memset(mem, 0, 4096);
	xr_prep_fixed(sqe, XURING_OP_READ_FIXED, fd, mem, 4096, 0, 0, 0xf1);
	return xr_run_one(r, &cqe) == 4096 &&
	       xr_pattern_mismatch(mem, 4096, 0, 9) == -1;
}

/*
 * max_user_pinned caps the registered buffers of all of a user's rings
 * together (-ENOMEM, as RLIMIT_MEMLOCK), in bytes. Lowering it leaves the
 * buffers registered alone; unregistering gives the room back.
 */
static int pinned_child(void)
{
	void *mem = xr_alloc(4 * MiB);
	struct xr_ring a, b;
	int fd;

	CHECK(mem);
	fd = pattern_file(4096, 9);
	CHECK(fd >= 0);
	CHECK_EQ(0, ring_init(&a, 0));
	CHECK_EQ(0, ring_init(&b, 0));

	SET("max_user_pinned", "1M");
	CHECK_EQ(0, register_buf(&a, mem, 512 * KiB));
	CHECK_EQ(-ENOMEM, register_buf(&b, (char *)mem + MiB, MiB));
	CHECK_EQ(0, register_buf(&b, (char *)mem + MiB, 512 * KiB));

	SET("max_user_pinned", "256K");
	CHECK(read_fixed_works(&a, fd, mem));
	CHECK(read_fixed_works(&b, fd, (char *)mem + MiB));
	CHECK_EQ(0, xr_register(a.fd, XURING_UNREGISTER_BUFFERS, NULL, 0));
	CHECK_EQ(-ENOMEM, register_buf(&a, mem, 4096));
	CHECK_EQ(0, xr_register(b.fd, XURING_UNREGISTER_BUFFERS, NULL, 0));
	CHECK_EQ(0, register_buf(&a, mem, 256 * KiB));
	CHECK(read_fixed_works(&a, fd, mem));

	/* no cap: RLIMIT_MEMLOCK (64 MiB here) is all that is left */
	SET("max_user_pinned", "0");
	CHECK_EQ(0, register_buf(&b, mem, 4 * MiB));
	xr_ring_exit(&a);
	xr_ring_exit(&b);
	xr_free(mem, 4 * MiB);
	close(fd);
	return 0;
}

TEST_F(policy, max_user_pinned)
{
	struct user_opts opts = {};
	void *mem = xr_alloc(MiB);
	struct xr_ring r;

	run_as_user(_metadata, pinned_child, &opts);

	/* CAP_IPC_LOCK lifts RLIMIT_MEMLOCK, not the cap */
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, xr_param_write("max_user_pinned", "64K"));
	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));
	EXPECT_EQ(-ENOMEM, register_buf(&r, mem, MiB));
	EXPECT_EQ(0, register_buf(&r, mem, 64 * KiB));
	xr_ring_exit(&r);
	xr_free(mem, MiB);
}

TEST_HARNESS_MAIN
