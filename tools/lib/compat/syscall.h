/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * Stand-in for liburing's internal src/syscall.h, for building liburing's
 * own test programs unchanged against libxuring.
 *
 * Some of those tests include "../src/syscall.h" and call the io_uring
 * system calls directly through __sys_io_uring_*(). The compat-tests build
 * stages the test sources so that this file is what they find instead, and
 * the calls go to xuring's ioctls: the tests then exercise the module, not
 * the host kernel's io_uring.
 */
#ifndef XURING_COMPAT_SYSCALL_H
#define XURING_COMPAT_SYSCALL_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <liburing.h>

static inline void *ERR_PTR(intptr_t n)
{
	return (void *)n;
}

static inline int PTR_ERR(const void *ptr)
{
	return (int)(intptr_t)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return uring_unlikely((uintptr_t)ptr >= (uintptr_t)-4095UL);
}

static inline int __sys_io_uring_setup(unsigned int entries,
				       struct io_uring_params *p)
{
	return io_uring_setup(entries, p);
}

static inline int __sys_io_uring_enter2(unsigned int fd,
					unsigned int to_submit,
					unsigned int min_complete,
					unsigned int flags, sigset_t *sig,
					size_t sz)
{
	return io_uring_enter2(fd, to_submit, min_complete, flags, sig, sz);
}

static inline int __sys_io_uring_enter(unsigned int fd,
				       unsigned int to_submit,
				       unsigned int min_complete,
				       unsigned int flags, sigset_t *sig)
{
	return io_uring_enter(fd, to_submit, min_complete, flags, sig);
}

static inline int __sys_io_uring_register(unsigned int fd,
					  unsigned int opcode,
					  const void *arg,
					  unsigned int nr_args)
{
	return io_uring_register(fd, opcode, arg, nr_args);
}

/* liburing's allocation hooks (nolibc builds); plain libc here */
static inline void *uring_malloc(size_t len)
{
	return malloc(len);
}

static inline void uring_free(void *ptr)
{
	free(ptr);
}

#endif /* XURING_COMPAT_SYSCALL_H */
