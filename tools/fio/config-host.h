/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stand-in for the config-host.h fio's configure writes, which the engine
 * is compiled with (-include) against the headers of Debian's fio source.
 *
 * These are the C library and kernel header features fio 3.33's configure
 * finds on Debian bookworm without any optional library. Libraries Debian's
 * build had (libaio, librdmacm, libnuma, ...) are left out on purpose:
 * their macros only pull in headers and add members to the union at the
 * end of struct io_u, which fio allocates and an engine never sizes. The
 * structures the engine does use (thread_data up to its last CUDA member,
 * thread_options, fio_file, io_u's named fields, ioengine_ops) have the
 * same layout either way, and FIO_IOOPS_VERSION comes from the same
 * source as the installed binary.
 */
#define CONFIG_64BIT
#define CONFIG_LITTLE_ENDIAN
#define CONFIG_POSIXAIO
#define CONFIG_POSIXAIO_FSYNC
#define CONFIG_PSHARED
#define CONFIG_PTHREAD_CONDATTR_SETCLOCK
#define CONFIG_PTHREAD_SIGMASK
#define CONFIG_PTHREAD_GETAFFINITY
#define CONFIG_HAVE_ASPRINTF
#define CONFIG_HAVE_VASPRINTF
#define CONFIG_LINUX_FALLOCATE
#define CONFIG_POSIX_FALLOCATE
#define CONFIG_FDATASYNC
#define CONFIG_PIPE
#define CONFIG_PIPE2
#define CONFIG_PREAD
#define CONFIG_SYNC_FILE_RANGE
#define CONFIG_SFAA
#define CONFIG_SYNC_SYNC
#define CONFIG_CMP_SWAP
#define CONFIG_CLOCK_GETTIME
#define CONFIG_CLOCK_MONOTONIC
#define CONFIG_CLOCKID_T
#define CONFIG_GETTIMEOFDAY
#define CONFIG_POSIX_FADVISE
#define CONFIG_3ARG_AFFINITY
#define CONFIG_STRSEP
#define CONFIG_STRCASESTR
#define CONFIG_GETOPT_LONG_ONLY
#define CONFIG_INET_ATON
#define CONFIG_SOCKLEN_T
#define CONFIG_LINUX_SPLICE
#define CONFIG_TLS_THREAD
#define CONFIG_RUSAGE_THREAD
#define CONFIG_SCHED_IDLE
#define CONFIG_RLIMIT_MEMLOCK
#define CONFIG_PWRITEV
#define CONFIG_PWRITEV2
#define CONFIG_STATIC_ASSERT
#define CONFIG_HAVE_BOOL
#define CONFIG_HAVE_STRNDUP
#define CONFIG_HAS_BLKZONED
#define CONFIG_HAVE_KERNEL_RWF_T
#define CONFIG_HAVE_GETTID
#define CONFIG_HAVE_STATX
#define CONFIG_HAVE_STATX_SYSCALL
#define CONFIG_HAVE_TIMERFD_CREATE
#define CONFIG_HAVE_THP
#define CONFIG_SEED_BUCKETS 4
