/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * libxuring internals: the three ioctls that stand in for io_uring's system
 * calls, and the -errno convention for everything that can fail.
 *
 * Every function here returns a result or -errno and leaves errno alone as
 * far as the caller is concerned, like liburing's system call wrappers.
 */
#ifndef XURING_LIB_H
#define XURING_LIB_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

/* the library's own build: io_uring_get_sqe() is a real function too */
#define LIBURING_INTERNAL
#include "liburing.h"
#include <linux/xuring.h>

#define __cold		__attribute__((__cold__))
#define __hot		__attribute__((__hot__))

/* struct io_uring.int_flags */
enum {
	/*
	 * enter_ring_fd is a registered ring index. liburing sets it from
	 * io_uring_register_ring_fd(); xuring has no registered ring fds, so
	 * it is never set, and ring_fd and enter_ring_fd stay equal.
	 */
	INT_FLAG_REG_RING	= 1,
};

/* the sigset size the kernel's signal mask code expects */
#define XR_SIGSET_SIZE		(_NSIG / 8)

/*
 * An ioctl on a file that is not a ring fails with -ENOTTY, where
 * io_uring_enter(2) and io_uring_register(2) fail with -EOPNOTSUPP.
 */
static inline int xr_ioctl_ret(int ret)
{
	if (ret >= 0)
		return ret;
	return errno == ENOTTY ? -EOPNOTSUPP : -errno;
}

/* io_uring_setup(2): a new ring on a new /dev/xuring file */
static inline int xr_sys_setup(unsigned int entries, struct io_uring_params *p)
{
	struct xuring_setup_arg arg = {
		.entries	= entries,
		.params		= (uintptr_t)p,
	};
	int fd, err;

	fd = open(XURING_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, XURING_IOC_SETUP, &arg) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* io_uring_enter(2); arg is a sigset_t or, with EXT_ARG, the getevents arg */
static inline int xr_sys_enter(unsigned int fd, unsigned int to_submit,
			       unsigned int min_complete, unsigned int flags,
			       const void *arg, size_t argsz)
{
	struct xuring_enter_arg enter = {
		.to_submit	= to_submit,
		.min_complete	= min_complete,
		.flags		= flags,
		.arg		= (uintptr_t)arg,
		.argsz		= argsz,
	};
	int ret;

	ret = ioctl((int)fd, XURING_IOC_ENTER, &enter);
	return xr_ioctl_ret(ret);
}

/* io_uring_register(2) */
static inline int xr_sys_register(unsigned int fd, unsigned int opcode,
				  const void *arg, unsigned int nr_args)
{
	struct xuring_register_arg reg = {
		.opcode		= opcode,
		.nr_args	= nr_args,
		.arg		= (uintptr_t)arg,
	};
	int ret;

	ret = ioctl((int)fd, XURING_IOC_REGISTER, &reg);
	return xr_ioctl_ret(ret);
}

/* publish the SQEs got since the last call; returns the SQEs pending */
unsigned __io_uring_flush_sq(struct io_uring *ring);

#endif /* XURING_LIB_H */
