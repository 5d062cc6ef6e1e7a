// SPDX-License-Identifier: GPL-2.0
/*
 * Who may use /dev/xuring (issue 11, findings 15 and 16):
 *  - by default only root and the group the administrator grants it to:
 *    the node is 0660 and root's, and a user outside that group gets
 *    -EACCES on open, while a member of the device's group gets a ring;
 *  - 32-bit callers are refused with -EOPNOTSUPP rather than having their
 *    arguments parsed as 64-bit ones: SETUP, ENTER and REGISTER made
 *    through the i386 system call entry (int $0x80, from this 64-bit
 *    program, arguments below 4 GiB).
 */
#include "xuring_safety.h"
#include "kselftest_harness.h"

XR_SKIP_ALL_WITHOUT_DEVICE()

#define UD_ACCESS_NOP	0xacce55ULL

/* ----------------------------------------------------------- finding 16 */

/*
 * The node is 0660, owned by root; its group is root's or the xuring
 * group an administrator (the VM's runner) gave it.
 */
TEST(device_mode_is_0660)
{
	struct stat st;

	ASSERT_EQ(0, stat(XURING_DEVICE_PATH, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	ASSERT_EQ(0660U, st.st_mode & 07777)
		TH_LOG("%s is mode %04o", XURING_DEVICE_PATH,
		       st.st_mode & 07777);
	ASSERT_EQ(0U, st.st_uid);
	if (st.st_gid)
		ASSERT_EQ((gid_t)XR_XURING_GID, st.st_gid);
}

/*
 * Open the device as nobody in the groups given and run a NOP: 0, -errno
 * of the open, or -200 and up when a later step failed.
 */
static int open_as_nobody(const gid_t *groups, int nr_groups)
{
	int status, ret = 0;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct xr_ring r;

		if (setgroups(nr_groups, groups) || setgid(XR_NOBODY) ||
		    setuid(XR_NOBODY))
			_exit(200);
		ret = xr_open();
		if (ret < 0)
			_exit(-ret);
		close(ret);
		/* and, with access, a ring that works */
		if (xr_ring_init(&r, 4, 0) || !xr_queue_nop(&r, UD_ACCESS_NOP))
			_exit(201);
		if (xr_run_one(&r, NULL) != 0)
			_exit(202);
		_exit(0);
	}
	status = xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	if (status < 0 || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

/* A user outside the device's group cannot open it. Today anyone can. */
TEST(no_access_outside_group)
{
	int ret;

	XR_REQUIRE_ROOT();
	ret = open_as_nobody(NULL, 0);
	ASSERT_EQ(-EACCES, ret) TH_LOG("nobody without groups: %s",
				       ret ? strerror(-ret) : "opened it");
}

/* The control: a member of the device's group opens it and gets a ring. */
TEST(access_in_device_group)
{
	struct stat st;
	gid_t gid;

	XR_REQUIRE_ROOT();
	ASSERT_EQ(0, stat(XURING_DEVICE_PATH, &st));
	gid = st.st_gid;
	ASSERT_EQ(0, open_as_nobody(&gid, 1));
}

/* ----------------------------------------------------------- finding 15 */

#define I386_NR_ioctl	54
#define I386_NR_getpid	20

/*
 * A system call through the i386 entry, as a 32-bit program makes it:
 * the kernel runs it as a compat call (in_compat_syscall()).
 */
static long int80_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ __volatile__("int $0x80"
			     : "=a"(ret)
			     : "a"(nr), "b"(a), "c"(b), "d"(c)
			     : "memory", "r8", "r9", "r10", "r11");
	return (int)ret;
}

/* Does this kernel take i386 system calls (IA32 emulation)? */
static bool have_ia32(void)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(int80_syscall3(I386_NR_getpid, 0, 0, 0) == getpid() ? 0 : 1);
	status = xr_wait_child_ms(pid, XR_IO_TIMEOUT_MS);
	return status >= 0 && WIFEXITED(status) && !WEXITSTATUS(status);
}

/* Memory a 32-bit pointer reaches. */
struct low_args {
	struct xuring_setup_arg setup;
	struct xuring_params params;
	struct xuring_enter_arg enter;
	struct xuring_register_arg reg;
	struct iovec iov;
	char buf[4096] __attribute__((aligned(4096)));
};

FIXTURE(compat) {
	struct low_args *low;
};

FIXTURE_SETUP(compat)
{
	void *p = mmap(NULL, sizeof(struct low_args), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);

	self->low = p == MAP_FAILED ? NULL : p;
}

FIXTURE_TEARDOWN(compat)
{
	if (self->low)
		munmap(self->low, sizeof(struct low_args));
}

#define XR_REQUIRE_IA32() do {						\
	if (!have_ia32())						\
		SKIP(return, "no IA32 emulation: int $0x80 is not served"); \
	ASSERT_NE(NULL, self->low);					\
	ASSERT_GT(1UL << 32, (unsigned long)self->low);		\
} while (0)

static long compat_ioctl(int fd, unsigned long cmd, void *arg)
{
	return int80_syscall3(I386_NR_ioctl, fd, cmd, (long)arg);
}

/* SETUP from a 32-bit caller: refused. Today it sets up a ring. */
TEST_F(compat, setup_refused)
{
	struct low_args *low = self->low;
	long ret;
	int fd;

	XR_REQUIRE_IA32();
	fd = xr_open();
	ASSERT_LE(0, fd);
	low->setup.entries = 4;
	low->setup.params = (uintptr_t)&low->params;
	ret = compat_ioctl(fd, XURING_IOC_SETUP, &low->setup);
	close(fd);
	ASSERT_EQ(-EOPNOTSUPP, ret);
}

/*
 * ENTER and REGISTER (with a native iovec, which a 32-bit caller's would
 * not be) on a ring set up natively: refused. Today both are served.
 */
TEST_F(compat, enter_and_register_refused)
{
	struct low_args *low = self->low;
	struct xr_ring r;
	long ret;

	XR_REQUIRE_IA32();
	ASSERT_EQ(0, xr_ring_init(&r, 4, 0));

	ret = compat_ioctl(r.fd, XURING_IOC_ENTER, &low->enter);
	EXPECT_EQ(-EOPNOTSUPP, ret) TH_LOG("ENTER: %ld", ret);

	low->iov.iov_base = low->buf;
	low->iov.iov_len = sizeof(low->buf);
	low->reg.opcode = XURING_REGISTER_BUFFERS;
	low->reg.arg = (uintptr_t)&low->iov;
	low->reg.nr_args = 1;
	ret = compat_ioctl(r.fd, XURING_IOC_REGISTER, &low->reg);
	EXPECT_EQ(-EOPNOTSUPP, ret) TH_LOG("REGISTER_BUFFERS: %ld", ret);

	/* the natively set up ring still works natively */
	ASSERT_TRUE(xr_nop_works(&r));
	xr_ring_exit(&r);
}

TEST_HARNESS_MAIN
