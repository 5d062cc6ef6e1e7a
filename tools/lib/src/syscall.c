// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * io_uring's three system calls, as xuring provides them: an open of
 * /dev/xuring plus XURING_IOC_SETUP, and the ENTER and REGISTER ioctls on
 * the ring file. Each returns what the system call would, or -errno.
 *
 * Where the two differ in their errors, io_uring's wins, with one
 * exception: io_uring_setup() returns -errno of the open when /dev/xuring
 * cannot be opened, -ENOENT when the module is not loaded (io_uring would
 * return -ENOSYS from a kernel built without it). Enter and register on a
 * file that is not a ring return -EOPNOTSUPP, as io_uring does, not the
 * ioctl's -ENOTTY.
 */
#include "lib.h"

int io_uring_setup(unsigned int entries, struct io_uring_params *p)
{
	return xr_sys_setup(entries, p);
}

int io_uring_enter(unsigned int fd, unsigned int to_submit,
		   unsigned int min_complete, unsigned int flags, sigset_t *sig)
{
	return xr_sys_enter(fd, to_submit, min_complete, flags, sig,
			    XR_SIGSET_SIZE);
}

int io_uring_enter2(unsigned int fd, unsigned int to_submit,
		    unsigned int min_complete, unsigned int flags,
		    sigset_t *sig, size_t sz)
{
	return xr_sys_enter(fd, to_submit, min_complete, flags, sig, sz);
}

int io_uring_register(unsigned int fd, unsigned int opcode, const void *arg,
		      unsigned int nr_args)
{
	return xr_sys_register(fd, opcode, arg, nr_args);
}
