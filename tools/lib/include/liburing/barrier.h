/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * The memory ordering of the ring protocol, under liburing's names.
 *
 * Application and kernel share the rings without locks. Each side publishes
 * an index (SQ tail and CQ head here, SQ head and CQ tail in the kernel) with
 * a store-release after writing the entries it covers, and reads the other
 * side's index with a load-acquire before reading the entries it covers.
 * IO_URING_READ_ONCE and IO_URING_WRITE_ONCE only keep the compiler from
 * tearing or caching an access; io_uring_smp_mb() orders a store against a
 * later load, which acquire and release cannot do (the SQPOLL wakeup check).
 *
 * The __atomic builtins work on plain objects in both C and C++, so one
 * definition serves both; <stdatomic.h> or <atomic> is still included,
 * because programs written against liburing get it from here.
 */
#ifndef LIBURING_BARRIER_H
#define LIBURING_BARRIER_H

#ifdef __cplusplus
#include <atomic>
#else
#include <stdatomic.h>
#endif

#define IO_URING_WRITE_ONCE(var, val)					\
	__atomic_store_n(&(var), (val), __ATOMIC_RELAXED)
#define IO_URING_READ_ONCE(var)						\
	__atomic_load_n(&(var), __ATOMIC_RELAXED)

#define io_uring_smp_store_release(p, v)				\
	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define io_uring_smp_load_acquire(p)					\
	__atomic_load_n((p), __ATOMIC_ACQUIRE)

#define io_uring_smp_mb()						\
	__atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif /* LIBURING_BARRIER_H */
