// SPDX-License-Identifier: GPL-2.0
/*
 * xuring-no-io_uring [--kill] PROGRAM [ARG...]
 *
 * Run PROGRAM with the kernel's io_uring system calls blocked. A seccomp
 * filter makes io_uring_setup(2), io_uring_enter(2) and
 * io_uring_register(2) fail with ENOSYS, as on a kernel built without
 * io_uring; with --kill, the first such call ends the process with SIGSYS
 * instead, so that a run which finishes shows the calls were never made.
 * The filter is inherited by every child and kept across execve(): all the
 * io_uring PROGRAM gets is xuring's, through the drop-in liburing.so.2
 * (LD_LIBRARY_PATH) or libxuring.
 *
 * The filter sets no_new_privs first (seccomp needs it without
 * CAP_SYS_ADMIN): set-user-ID and set-group-ID programs run without their
 * extra privileges, and so honour LD_LIBRARY_PATH.
 *
 * Exit status: PROGRAM's, or 125 if the filter could not be installed,
 * 126 if PROGRAM could not be run, 127 if it was not found (as env(1)).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/*
 * A syscall number means nothing without its ABI: the filter checks the
 * architecture first. The io_uring calls have the same numbers in every
 * ABI (425-427: the unified numbering every architecture adopted in 5.1),
 * so the 32-bit compat ABI of the same machine is filtered with the same
 * numbers. x32 calls arrive as x86-64 ones with __X32_SYSCALL_BIT set;
 * masking it is harmless for the other ABIs, whose numbers never have it.
 */
#if defined(__x86_64__)
#define NATIVE_ARCH	AUDIT_ARCH_X86_64
#define COMPAT_ARCH	AUDIT_ARCH_I386
#define NR_ABI_BITS	__X32_SYSCALL_BIT
#elif defined(__aarch64__)
#define NATIVE_ARCH	AUDIT_ARCH_AARCH64
#define COMPAT_ARCH	AUDIT_ARCH_ARM
#define NR_ABI_BITS	0
#else
#error "xuring-no-io_uring: add this architecture's AUDIT_ARCH_* and ABIs"
#endif

#if __NR_io_uring_setup != 425 || __NR_io_uring_enter != 426 || \
	__NR_io_uring_register != 427
#error "io_uring's system call numbers are not the unified 425-427 here"
#endif

#define SECCOMP_DATA(field)	offsetof(struct seccomp_data, field)

static int install_filter(__u32 block_action)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA(arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, COMPAT_ARCH, 1, 0),
		/* an ABI we do not know: we cannot tell what it calls */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA(nr)),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ~(__u32)NR_ABI_BITS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_enter, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_register, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, block_action),
	};
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		perror("xuring-no-io_uring: prctl(PR_SET_NO_NEW_PRIVS)");
		return -1;
	}
	if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
		perror("xuring-no-io_uring: seccomp(SECCOMP_SET_MODE_FILTER)");
		if (errno == EINVAL)
			fprintf(stderr, "xuring-no-io_uring: this kernel lacks seccomp filters (CONFIG_SECCOMP_FILTER) or SECCOMP_RET_KILL_PROCESS (4.14)\n");
		return -1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xuring-no-io_uring [--kill] PROGRAM [ARG...]\n"
		"Run PROGRAM with io_uring_setup/enter/register blocked: they fail\n"
		"with ENOSYS, or with --kill the process dies of SIGSYS at the first.\n"
		"To run a liburing program on xuring instead:\n"
		"  LD_LIBRARY_PATH=<build>/lib/dropin xuring-no-io_uring PROGRAM ...\n");
}

int main(int argc, char **argv)
{
	__u32 action = SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA);
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--kill")) {
			action = SECCOMP_RET_KILL_PROCESS;
		} else if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "xuring-no-io_uring: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return 125;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 125;
	}
	if (install_filter(action))
		return 125;
	execvp(argv[i], argv + i);
	fprintf(stderr, "xuring-no-io_uring: cannot run '%s': %s\n", argv[i],
		strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
