/* SPDX-License-Identifier: GPL-2.0 */
#ifndef XURING_IOCTL_H
#define XURING_IOCTL_H

#include <linux/fs.h>
#include <linux/uaccess.h>

struct xuring_ring_ctx;

/* The ring behind an open /dev/xuring, or NULL before XURING_IOC_SETUP. */
static inline struct xuring_ring_ctx *xr_file_ctx(struct file *file)
{
	/* pairs with the cmpxchg_release() that publishes the ring */
	return smp_load_acquire((struct xuring_ring_ctx **)&file->private_data);
}

/*
 * Copy an ioctl argument structure that is versioned by size: smaller
 * than the first version is an error, larger is fine as long as the bytes
 * this module does not know are zero.
 */
static inline int xr_copy_ioctl_arg(void *dst, size_t ksize,
				    const void __user *src, size_t usize)
{
	if (usize < ksize)
		return -EINVAL;
	if (likely(usize == ksize))
		return copy_from_user(dst, src, ksize) ? -EFAULT : 0;
	return copy_struct_from_user(dst, ksize, src, usize);
}

#endif /* XURING_IOCTL_H */
