// SPDX-License-Identifier: GPL-2.0
/*
 * The only place the two contenders differ: how a ring is created, entered
 * and registered with. xuring: open /dev/xuring, then the SETUP, ENTER and
 * REGISTER ioctls on that file. io_uring: the raw io_uring_setup(2),
 * io_uring_enter(2) and io_uring_register(2) system calls (no liburing,
 * whose helpers would make its loop differ from ours). The mapping of the
 * rings is the same for both: xuring's offsets and structures are
 * io_uring's, which the static assertions below hold it to.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <linux/io_uring.h>

#include "bench.h"

_Static_assert(sizeof(struct xuring_params) == sizeof(struct io_uring_params),
	       "xuring_params is io_uring_params");
_Static_assert(offsetof(struct xuring_params, cq_off) ==
	       offsetof(struct io_uring_params, cq_off), "params layout");
_Static_assert(sizeof(struct xuring_sqe) == sizeof(struct io_uring_sqe),
	       "xuring_sqe is io_uring_sqe");
_Static_assert(sizeof(struct xuring_cqe) == sizeof(struct io_uring_cqe),
	       "xuring_cqe is io_uring_cqe");
_Static_assert(XURING_OFF_CQ_RING == IORING_OFF_CQ_RING &&
	       XURING_OFF_SQES == IORING_OFF_SQES, "mmap offsets");
/* the enums are distinct types: compare their values */
_Static_assert((int)XURING_OP_READ == (int)IORING_OP_READ &&
	       (int)XURING_OP_READ_FIXED == (int)IORING_OP_READ_FIXED &&
	       XURING_ENTER_GETEVENTS == IORING_ENTER_GETEVENTS &&
	       XURING_ENTER_SQ_WAKEUP == IORING_ENTER_SQ_WAKEUP &&
	       XURING_SQ_NEED_WAKEUP == IORING_SQ_NEED_WAKEUP &&
	       XURING_SETUP_SQPOLL == IORING_SETUP_SQPOLL &&
	       (int)XURING_REGISTER_FILES == (int)IORING_REGISTER_FILES &&
	       (int)XURING_REGISTER_BUFFERS == (int)IORING_REGISTER_BUFFERS,
	       "opcodes and flags");

const char *backend_name(enum bench_backend backend)
{
	return backend == BACKEND_XURING ? "xuring" : "io_uring";
}

static void *ring_mmap(int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, fd, off);

	return p == MAP_FAILED ? NULL : p;
}

#define RING_AT(base, off)	((unsigned int *)((char *)(base) + (off)))

static int ring_map(struct bench_ring *ring, const struct xuring_params *p)
{
	ring->sq_map_len = p->sq_off.array + p->sq_entries * sizeof(__u32);
	ring->cq_map_len = p->cq_off.cqes +
			   p->cq_entries * sizeof(struct xuring_cqe);
	if (p->features & XURING_FEAT_SINGLE_MMAP) {
		if (ring->cq_map_len > ring->sq_map_len)
			ring->sq_map_len = ring->cq_map_len;
		ring->cq_map_len = ring->sq_map_len;
	}
	ring->sq_map = ring_mmap(ring->fd, ring->sq_map_len,
				 XURING_OFF_SQ_RING);
	if (!ring->sq_map)
		return -errno;
	if (p->features & XURING_FEAT_SINGLE_MMAP) {
		ring->cq_map = ring->sq_map;
	} else {
		ring->cq_map = ring_mmap(ring->fd, ring->cq_map_len,
					 XURING_OFF_CQ_RING);
		if (!ring->cq_map)
			return -errno;
	}
	ring->sqes_len = p->sq_entries * sizeof(struct xuring_sqe);
	ring->sqes = ring_mmap(ring->fd, ring->sqes_len, XURING_OFF_SQES);
	if (!ring->sqes)
		return -errno;

	ring->sq_head = RING_AT(ring->sq_map, p->sq_off.head);
	ring->sq_tail = RING_AT(ring->sq_map, p->sq_off.tail);
	ring->sq_flags = RING_AT(ring->sq_map, p->sq_off.flags);
	ring->sq_array = RING_AT(ring->sq_map, p->sq_off.array);
	ring->sq_mask = *RING_AT(ring->sq_map, p->sq_off.ring_mask);
	ring->sq_entries = p->sq_entries;
	ring->cq_head = RING_AT(ring->cq_map, p->cq_off.head);
	ring->cq_tail = RING_AT(ring->cq_map, p->cq_off.tail);
	ring->cqes = (struct xuring_cqe *)RING_AT(ring->cq_map,
						  p->cq_off.cqes);
	ring->cq_mask = *RING_AT(ring->cq_map, p->cq_off.ring_mask);
	ring->cq_entries = p->cq_entries;
	return 0;
}

int bench_ring_setup(struct bench_ring *ring, enum bench_backend backend,
		     unsigned int entries, struct xuring_params *p)
{
	int ret;

	memset(ring, 0, sizeof(*ring));
	ring->backend = backend;
	if (backend == BACKEND_XURING) {
		struct xuring_setup_arg arg = {
			.entries = entries,
			.params = (uintptr_t)p,
		};

		ring->fd = open(XURING_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		if (ring->fd < 0)
			return -errno;
		ret = ioctl(ring->fd, XURING_IOC_SETUP, &arg);
	} else {
		ring->fd = syscall(__NR_io_uring_setup, entries, p);
		ret = ring->fd;
	}
	if (ret < 0) {
		ret = -errno;
		bench_ring_exit(ring);
		return ret;
	}
	ring->flags = p->flags;
	ring->features = p->features;
	ret = ring_map(ring, p);
	if (ret)
		bench_ring_exit(ring);
	return ret;
}

int bench_ring_enter(struct bench_ring *ring, unsigned int to_submit,
		     unsigned int min_complete, unsigned int flags)
{
	int ret;

	if (ring->backend == BACKEND_XURING) {
		struct xuring_enter_arg arg = {
			.to_submit = to_submit,
			.min_complete = min_complete,
			.flags = flags,
		};

		ret = ioctl(ring->fd, XURING_IOC_ENTER, &arg);
	} else {
		ret = syscall(__NR_io_uring_enter, ring->fd, to_submit,
			      min_complete, flags, NULL, 0);
	}
	return ret < 0 ? -errno : ret;
}

int bench_ring_register(struct bench_ring *ring, unsigned int opcode,
			const void *arg, unsigned int nr)
{
	int ret;

	if (ring->backend == BACKEND_XURING) {
		struct xuring_register_arg reg = {
			.opcode = opcode,
			.nr_args = nr,
			.arg = (uintptr_t)arg,
		};

		ret = ioctl(ring->fd, XURING_IOC_REGISTER, &reg);
	} else {
		ret = syscall(__NR_io_uring_register, ring->fd, opcode, arg,
			      nr);
	}
	return ret < 0 ? -errno : 0;
}

void bench_ring_exit(struct bench_ring *ring)
{
	if (ring->sqes)
		munmap(ring->sqes, ring->sqes_len);
	if (ring->cq_map && ring->cq_map != ring->sq_map)
		munmap(ring->cq_map, ring->cq_map_len);
	if (ring->sq_map)
		munmap(ring->sq_map, ring->sq_map_len);
	if (ring->fd >= 0)
		close(ring->fd);
	memset(ring, 0, sizeof(*ring));
	ring->fd = -1;
}
