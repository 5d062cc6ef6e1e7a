// SPDX-License-Identifier: GPL-2.0
/*
 * Fake test programs for `make check-runner`: each misbehaves in one way
 * the VM runner (tools/vm/jobs/lib.sh) must turn into a failure, or
 * behaves well and must pass. What it does depends on the name it is run
 * under (argv[0]), so that one binary copied under several names fills a
 * selftests directory.
 *
 * Every process ends itself after LIFETIME seconds at the latest, so that
 * a runner that fails to kill one leaves nothing running on the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/xuring.h>

#define LIFETIME	40

static void tap(const char *lines)
{
	fputs(lines, stdout);
	fflush(stdout);
}

/* A child in a process group of its own, as the kselftest harness makes. */
static pid_t fork_own_group(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		alarm(LIFETIME);	/* not inherited across fork() */
		for (;;)
			pause();
	}
	return pid;
}

/* Holds a ring in a process outside the runner's session, then exits. */
static int ring_outlives_test(unsigned int hold_seconds)
{
	struct xuring_params p = { 0 };
	struct xuring_setup_arg arg = {
		.entries = 4,
		.params = (unsigned long)&p,
	};
	int fd = open(XURING_DEVICE_PATH, O_RDWR);

	if (fd < 0 || ioctl(fd, XURING_IOC_SETUP, &arg) < 0) {
		printf("1..1\nnot ok 1 ring_setup # %s\n", strerror(errno));
		return 1;
	}
	if (fork() == 0) {
		setsid();
		close(STDOUT_FILENO);
		close(STDERR_FILENO);
		sleep(hold_seconds);
		_exit(0);
	}
	tap("1..1\nok 1 ring_handed_to_a_daemon\n");
	return 0;
}

/*
 * An O_DIRECT read from a device whose I/O completes after a long time
 * (a null_blk device with a completion timer, set up by jobs/runner.sh):
 * the process waits uninterruptibly, and SIGKILL cannot end it.
 */
static int stuck_in_the_kernel(const char *dev)
{
	static char buf[4096] __attribute__((aligned(4096)));
	int fd = open(dev, O_RDONLY | O_DIRECT);

	tap("1..1\n");
	if (fd < 0 || pread(fd, buf, sizeof(buf), 0) < 0) {
		printf("not ok 1 read_slow_device # %s: %s\n", dev,
		       strerror(errno));
		return 1;
	}
	tap("ok 1 read_slow_device\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 :
			   argv[0];
	pid_t child;

	(void)argc;
	alarm(LIFETIME);

	if (!strcmp(name, "fake_pass")) {
		/* a pass, a skip and a pass: well-behaved */
		tap("1..3\nok 1 first\nok 2 second # SKIP not here\nok 3 third\n");
		return 0;
	}
	if (!strcmp(name, "fake_fail")) {
		/* fails as a test should: counted from its own "not ok" */
		tap("1..2\nok 1 first\nnot ok 2 second\n");
		return 1;
	}
	if (!strcmp(name, "fake_skip_all")) {
		tap("1..0 # SKIP nothing to test here\n");
		return 4;
	}
	if (!strcmp(name, "fake_segv")) {
		tap("1..3\nok 1 before_the_crash\n");
		raise(SIGSEGV);
		return 0;
	}
	if (!strcmp(name, "fake_exit255")) {
		tap("1..2\nok 1 first\nok 2 second\n");
		return 255;
	}
	if (!strcmp(name, "fake_short_plan")) {
		tap("1..5\nok 1 first\nok 2 second\nok 3 third\n");
		return 0;
	}
	if (!strcmp(name, "fake_extra_results")) {
		tap("1..2\nok 1 first\nok 2 second\nok 3 third\n");
		return 0;
	}
	if (!strcmp(name, "fake_no_plan")) {
		tap("ok 1 first\n");
		return 0;
	}
	if (!strcmp(name, "fake_group_hang")) {
		/* waits for a test that never ends, as the harness would */
		tap("1..2\nok 1 first\n");
		child = fork_own_group();
		waitpid(child, NULL, 0);
		return 0;
	}
	if (!strcmp(name, "fake_group_orphan")) {
		/* exits, leaving a test running that holds the output */
		tap("1..1\nok 1 first\n");
		fork_own_group();
		return 0;
	}
	if (!strcmp(name, "fake_escape")) {
		/* leaves the runner's session, keeping the output open */
		tap("1..1\nok 1 first\n");
		if (fork() == 0) {
			setsid();
			sleep(15);
			_exit(0);
		}
		return 0;
	}
	if (!strcmp(name, "fake_ring_leak"))
		return ring_outlives_test(getenv("XURING_RING_HOLD") ?
					  atoi(getenv("XURING_RING_HOLD")) : 6);
	if (!strcmp(name, "fake_stuck") && getenv("XURING_SLOW_BLKDEV"))
		return stuck_in_the_kernel(getenv("XURING_SLOW_BLKDEV"));
	fprintf(stderr, "fake-test: no behaviour called '%s'\n", name);
	return 2;
}
