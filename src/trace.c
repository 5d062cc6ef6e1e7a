// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints of include/trace/events/xuring.h are instantiated here;
 * the rest of the module fires them.
 */
#include <linux/fdtable.h>
#include <linux/file.h>

#define CREATE_TRACE_POINTS
#include <trace/events/xuring.h>

static int xr_fd_of_file(const void *file, struct file *f, unsigned int fd)
{
	return f == file ? fd + 1 : 0;
}

/*
 * The lowest fd of the calling process on @file, or -1: xuring_create's
 * fd, which io_uring_setup(2) returns and xuring's SETUP ioctl, made on an
 * fd it is not told, has to look up.
 */
int xr_trace_file_fd(struct file *file)
{
	return iterate_fd(current->files, 0, xr_fd_of_file, file) - 1;
}
