/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * Kernel UAPI types that liburing programs expect <liburing.h> to provide:
 * struct __kernel_timespec and struct open_how. liburing's configure
 * generates this file from what the system headers have; xuring needs
 * Linux 5.6 or later UAPI headers anyway (<linux/xuring.h> includes
 * <linux/time_types.h>), so only open_how keeps a fallback.
 */
#ifndef LIBURING_COMPAT_H
#define LIBURING_COMPAT_H

#include <linux/time_types.h>

#if !defined(__has_include) || __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#else
#include <inttypes.h>

struct open_how {
	uint64_t	flags;
	uint64_t	mode;
	uint64_t	resolve;
};
#endif

#endif /* LIBURING_COMPAT_H */
