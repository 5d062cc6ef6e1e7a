/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * Stand-in for the config-host.h liburing's configure writes, which its
 * test programs are compiled with (-include). These are the features
 * liburing 2.3's configure finds on Debian bookworm; the tests barely
 * look at them.
 */
#define CONFIG_HAVE_KERNEL_RWF_T
#define CONFIG_HAVE_KERNEL_TIMESPEC
#define CONFIG_HAVE_OPEN_HOW
#define CONFIG_HAVE_STATX
#define CONFIG_HAVE_GLIBC_STATX
#define CONFIG_HAVE_CXX
#define CONFIG_HAVE_UCONTEXT
#define CONFIG_HAVE_STRINGOP_OVERFLOW
#define CONFIG_HAVE_ARRAY_BOUNDS
#define CONFIG_HAVE_NVME_URING
