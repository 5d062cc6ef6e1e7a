// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * io_uring_register() opcodes, one function each. The library adds nothing
 * but argument packing and, for file tables, one retry with a raised
 * RLIMIT_NOFILE. Opcodes xuring does not implement fail with the module's
 * errno (-EINVAL, as io_uring answers opcodes it does not know).
 */
#include <sys/resource.h>

#include "lib.h"

static int xr_register(struct io_uring *ring, unsigned int opcode,
		       const void *arg, unsigned int nr_args)
{
	return xr_sys_register(ring->ring_fd, opcode, arg, nr_args);
}

/* for the opcodes whose success value liburing reports as 0 */
static int xr_register_zero(struct io_uring *ring, unsigned int opcode,
			    const void *arg, unsigned int nr_args)
{
	int ret = xr_register(ring, opcode, arg, nr_args);

	return ret < 0 ? ret : 0;
}

int io_uring_register_buffers(struct io_uring *ring, const struct iovec *iovecs,
			      unsigned nr_iovecs)
{
	return xr_register_zero(ring, IORING_REGISTER_BUFFERS, iovecs,
				nr_iovecs);
}

int io_uring_register_buffers_tags(struct io_uring *ring,
				   const struct iovec *iovecs,
				   const __u64 *tags, unsigned nr)
{
	struct io_uring_rsrc_register reg;

	memset(&reg, 0, sizeof(reg));
	reg.nr = nr;
	reg.data = (uintptr_t)iovecs;
	reg.tags = (uintptr_t)tags;
	return xr_register(ring, IORING_REGISTER_BUFFERS2, &reg, sizeof(reg));
}

int io_uring_register_buffers_sparse(struct io_uring *ring, unsigned nr)
{
	struct io_uring_rsrc_register reg;

	memset(&reg, 0, sizeof(reg));
	reg.nr = nr;
	reg.flags = IORING_RSRC_REGISTER_SPARSE;
	return xr_register(ring, IORING_REGISTER_BUFFERS2, &reg, sizeof(reg));
}

int io_uring_register_buffers_update_tag(struct io_uring *ring, unsigned off,
					 const struct iovec *iovecs,
					 const __u64 *tags, unsigned nr)
{
	struct io_uring_rsrc_update2 up;

	memset(&up, 0, sizeof(up));
	up.offset = off;
	up.data = (uintptr_t)iovecs;
	up.tags = (uintptr_t)tags;
	up.nr = nr;
	return xr_register(ring, IORING_REGISTER_BUFFERS_UPDATE, &up,
			   sizeof(up));
}

int io_uring_unregister_buffers(struct io_uring *ring)
{
	return xr_register_zero(ring, IORING_UNREGISTER_BUFFERS, NULL, 0);
}

/*
 * Registering files takes a reference to each, which the kernel charges
 * against RLIMIT_NOFILE: when that fails with -EMFILE, raise the soft limit
 * by nr, once, and try again.
 */
static void xr_raise_nofile(unsigned int nr)
{
	struct rlimit rlim;

	if (getrlimit(RLIMIT_NOFILE, &rlim))
		return;
	if (rlim.rlim_cur < nr) {
		rlim.rlim_cur += nr;
		setrlimit(RLIMIT_NOFILE, &rlim);
	}
}

static int xr_register_files(struct io_uring *ring, unsigned int opcode,
			     const void *arg, unsigned int nr_args,
			     unsigned int nr_files)
{
	int ret;

	ret = xr_register(ring, opcode, arg, nr_args);
	if (ret == -EMFILE) {
		xr_raise_nofile(nr_files);
		ret = xr_register(ring, opcode, arg, nr_args);
	}
	return ret;
}

int io_uring_register_files(struct io_uring *ring, const int *files,
			    unsigned nr_files)
{
	return xr_register_files(ring, IORING_REGISTER_FILES, files, nr_files,
				 nr_files);
}

int io_uring_register_files_tags(struct io_uring *ring, const int *files,
				 const __u64 *tags, unsigned nr)
{
	struct io_uring_rsrc_register reg;

	memset(&reg, 0, sizeof(reg));
	reg.nr = nr;
	reg.data = (uintptr_t)files;
	reg.tags = (uintptr_t)tags;
	return xr_register_files(ring, IORING_REGISTER_FILES2, &reg,
				 sizeof(reg), nr);
}

int io_uring_register_files_sparse(struct io_uring *ring, unsigned nr)
{
	struct io_uring_rsrc_register reg;

	memset(&reg, 0, sizeof(reg));
	reg.nr = nr;
	reg.flags = IORING_RSRC_REGISTER_SPARSE;
	return xr_register_files(ring, IORING_REGISTER_FILES2, &reg,
				 sizeof(reg), nr);
}

int io_uring_register_files_update_tag(struct io_uring *ring, unsigned off,
				       const int *files, const __u64 *tags,
				       unsigned nr_files)
{
	struct io_uring_rsrc_update2 up;

	memset(&up, 0, sizeof(up));
	up.offset = off;
	up.data = (uintptr_t)files;
	up.tags = (uintptr_t)tags;
	up.nr = nr_files;
	return xr_register(ring, IORING_REGISTER_FILES_UPDATE2, &up,
			   sizeof(up));
}

/* Replace nr_files slots from off; returns the number of slots updated. */
int io_uring_register_files_update(struct io_uring *ring, unsigned off,
				   const int *files, unsigned nr_files)
{
	struct io_uring_files_update up;

	memset(&up, 0, sizeof(up));
	up.offset = off;
	up.fds = (uintptr_t)files;
	return xr_register(ring, IORING_REGISTER_FILES_UPDATE, &up, nr_files);
}

int io_uring_unregister_files(struct io_uring *ring)
{
	return xr_register_zero(ring, IORING_UNREGISTER_FILES, NULL, 0);
}

int io_uring_register_eventfd(struct io_uring *ring, int fd)
{
	return xr_register_zero(ring, IORING_REGISTER_EVENTFD, &fd, 1);
}

int io_uring_register_eventfd_async(struct io_uring *ring, int fd)
{
	return xr_register_zero(ring, IORING_REGISTER_EVENTFD_ASYNC, &fd, 1);
}

int io_uring_unregister_eventfd(struct io_uring *ring)
{
	return xr_register_zero(ring, IORING_UNREGISTER_EVENTFD, NULL, 0);
}

int io_uring_register_probe(struct io_uring *ring, struct io_uring_probe *p,
			    unsigned nr)
{
	return xr_register_zero(ring, IORING_REGISTER_PROBE, p, nr);
}

/* Returns the new personality id. */
int io_uring_register_personality(struct io_uring *ring)
{
	return xr_register(ring, IORING_REGISTER_PERSONALITY, NULL, 0);
}

int io_uring_unregister_personality(struct io_uring *ring, int id)
{
	return xr_register(ring, IORING_UNREGISTER_PERSONALITY, NULL,
			   (unsigned int)id);
}

int io_uring_register_restrictions(struct io_uring *ring,
				   struct io_uring_restriction *res,
				   unsigned int nr_res)
{
	return xr_register_zero(ring, IORING_REGISTER_RESTRICTIONS, res,
				nr_res);
}

int io_uring_enable_rings(struct io_uring *ring)
{
	return xr_register(ring, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
}

int io_uring_register_iowq_aff(struct io_uring *ring, size_t cpusz,
			       const cpu_set_t *mask)
{
	/* the size travels in nr_args, an unsigned int read as an int */
	if (cpusz >= (1U << 31))
		return -EINVAL;
	return xr_register(ring, IORING_REGISTER_IOWQ_AFF, mask,
			   (unsigned int)cpusz);
}

int io_uring_unregister_iowq_aff(struct io_uring *ring)
{
	return xr_register(ring, IORING_UNREGISTER_IOWQ_AFF, NULL, 0);
}

/*
 * values[IO_WQ_BOUND] and values[IO_WQ_UNBOUND]: the new limits, 0 to
 * leave one as it is; the old limits come back in their place.
 */
int io_uring_register_iowq_max_workers(struct io_uring *ring,
				       unsigned int *values)
{
	return xr_register(ring, IORING_REGISTER_IOWQ_MAX_WORKERS, values, 2);
}

/*
 * Registered ring fds let io_uring_enter() skip the fd lookup. xuring has
 * none; -EINVAL is what io_uring's callers take for "not supported", and
 * the ring keeps entering through its plain fd.
 */
int io_uring_register_ring_fd(struct io_uring *ring)
{
	(void)ring;
	return -EINVAL;
}

int io_uring_unregister_ring_fd(struct io_uring *ring)
{
	(void)ring;
	return -EINVAL;
}

int io_uring_register_buf_ring(struct io_uring *ring,
			       struct io_uring_buf_reg *reg, unsigned int flags)
{
	(void)flags;	/* no flags defined */
	return xr_register(ring, IORING_REGISTER_PBUF_RING, reg, 1);
}

int io_uring_unregister_buf_ring(struct io_uring *ring, int bgid)
{
	struct io_uring_buf_reg reg;

	memset(&reg, 0, sizeof(reg));
	reg.bgid = (__u16)bgid;
	return xr_register(ring, IORING_UNREGISTER_PBUF_RING, &reg, 1);
}

int io_uring_register_sync_cancel(struct io_uring *ring,
				  struct io_uring_sync_cancel_reg *reg)
{
	return xr_register(ring, IORING_REGISTER_SYNC_CANCEL, reg, 1);
}

int io_uring_register_file_alloc_range(struct io_uring *ring,
				       unsigned off, unsigned len)
{
	struct io_uring_file_index_range range;

	memset(&range, 0, sizeof(range));
	range.off = off;
	range.len = len;
	return xr_register(ring, IORING_REGISTER_FILE_ALLOC_RANGE, &range, 0);
}
