// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * Description: the register calls and the raw system call wrappers:
 * argument packing, liburing's return conventions, the RLIMIT_NOFILE retry,
 * registered ring fds, and errors on files that are not rings.
 */
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "unit.h"

static void files_and_buffers(void)
{
	struct io_uring_files_update *up;
	struct io_uring_rsrc_register *reg;
	struct io_uring_rsrc_update2 *up2;
	int fds[3] = { 0, 1, 2 };
	__u64 tags[3] = { 1, 2, 3 };
	struct iovec iov = { 0 };
	struct io_uring ring;

	if (io_uring_queue_init(4, &ring, 0))
		return;

	UT_EXPECT_EQ(io_uring_register_files(&ring, fds, 3), 3);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_FILES);
	UT_EXPECT_EQ(fake.reg.nr_args, 3);
	UT_EXPECT(fake.reg.arg == fds);

	/* buffers: the module's positive result is reported as 0 */
	UT_EXPECT_EQ(io_uring_register_buffers(&ring, &iov, 1), 0);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_BUFFERS);
	UT_EXPECT(fake.reg.arg == &iov);

	UT_EXPECT_EQ(io_uring_register_files_update(&ring, 1, fds, 2), 2);
	up = (struct io_uring_files_update *)fake.reg.arg;
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_FILES_UPDATE);
	UT_EXPECT_EQ(fake.reg.nr_args, 2);
	UT_EXPECT_EQ(up->offset, 1);
	UT_EXPECT_EQ(up->fds, (uintptr_t)fds);

	/* the rest is packed into rsrc structs; the fake rejects them */
	UT_EXPECT_EQ(io_uring_register_files_tags(&ring, fds, tags, 3),
		     -EINVAL);
	reg = (struct io_uring_rsrc_register *)fake.reg.arg;
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_FILES2);
	UT_EXPECT_EQ(fake.reg.nr_args, sizeof(*reg));
	UT_EXPECT_EQ(fake.reg.ret, -EINVAL);

	io_uring_register_files_sparse(&ring, 64);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_FILES2);
	io_uring_register_buffers_sparse(&ring, 8);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_BUFFERS2);
	io_uring_register_buffers_tags(&ring, &iov, tags, 1);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_BUFFERS2);
	io_uring_register_files_update_tag(&ring, 2, fds, tags, 3);
	up2 = (struct io_uring_rsrc_update2 *)fake.reg.arg;
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_FILES_UPDATE2);
	UT_EXPECT_EQ(fake.reg.nr_args, sizeof(*up2));
	io_uring_register_buffers_update_tag(&ring, 0, &iov, tags, 1);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_BUFFERS_UPDATE);

	UT_EXPECT_EQ(io_uring_unregister_files(&ring), -EINVAL);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_UNREGISTER_FILES);
	UT_EXPECT_EQ(io_uring_unregister_buffers(&ring), -EINVAL);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_UNREGISTER_BUFFERS);
	io_uring_queue_exit(&ring);
}

/* a file table the fd limit refuses: raise the soft limit once, retry */
static void files_emfile_retry(void)
{
	struct rlimit before, after;
	int fds[2] = { 0, 1 };
	struct io_uring ring;

	if (io_uring_queue_init(4, &ring, 0))
		return;
	getrlimit(RLIMIT_NOFILE, &before);
	fake.config.register_ret[0] = -EMFILE;
	fake.config.nr_register_ret = 1;
	UT_EXPECT_EQ(io_uring_register_files(&ring, fds, 2), 2);
	UT_EXPECT_EQ(fake.nr_register, 2);

	fake.nr_register = 0;
	fake.config.register_ret[0] = -EMFILE;
	fake.config.register_ret[1] = -EMFILE;
	fake.config.nr_register_ret = 2;
	UT_EXPECT_EQ(io_uring_register_files(&ring, fds, 2), -EMFILE);
	UT_EXPECT_EQ(fake.nr_register, 2);
	getrlimit(RLIMIT_NOFILE, &after);
	UT_EXPECT(after.rlim_cur >= before.rlim_cur);
	io_uring_queue_exit(&ring);
}

static void misc_register(void)
{
	unsigned int workers[2] = { 0, 0 };
	struct io_uring ring;
	int efd = 5;

	if (io_uring_queue_init(4, &ring, 0))
		return;
	UT_EXPECT_EQ(io_uring_register_iowq_max_workers(&ring, workers), 0);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_IOWQ_MAX_WORKERS);
	UT_EXPECT_EQ(fake.reg.nr_args, 2);
	UT_EXPECT_EQ(workers[IO_WQ_BOUND], 4);
	UT_EXPECT_EQ(workers[IO_WQ_UNBOUND], 16);

	/* not implemented by xuring: the module's -EINVAL comes back */
	UT_EXPECT_EQ(io_uring_register_eventfd(&ring, efd), -EINVAL);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_EVENTFD);
	UT_EXPECT_EQ(fake.reg.nr_args, 1);
	UT_EXPECT_EQ(io_uring_register_personality(&ring), -EINVAL);
	UT_EXPECT_EQ(io_uring_unregister_personality(&ring, 3), -EINVAL);
	UT_EXPECT_EQ(fake.reg.nr_args, 3);
	UT_EXPECT_EQ(io_uring_register_iowq_aff(&ring, 1UL << 31, NULL),
		     -EINVAL);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_UNREGISTER_PERSONALITY);
	UT_EXPECT_EQ(io_uring_register_file_alloc_range(&ring, 4, 8), -EINVAL);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_REGISTER_FILE_ALLOC_RANGE);
	UT_EXPECT_EQ(fake.reg.nr_args, 0);
	UT_EXPECT_EQ(io_uring_unregister_buf_ring(&ring, 7), -EINVAL);
	UT_EXPECT_EQ(fake.reg.opcode, IORING_UNREGISTER_PBUF_RING);
	UT_EXPECT_EQ(((struct io_uring_buf_reg *)fake.reg.arg)->bgid, 7);

	/* registered ring fds do not exist on xuring: no call at all */
	fake.nr_register = 0;
	UT_EXPECT_EQ(io_uring_register_ring_fd(&ring), -EINVAL);
	UT_EXPECT_EQ(io_uring_unregister_ring_fd(&ring), -EINVAL);
	UT_EXPECT_EQ(fake.nr_register, 0);
	UT_EXPECT_EQ(ring.enter_ring_fd, ring.ring_fd);
	UT_EXPECT_EQ(ring.int_flags, 0);
	io_uring_queue_exit(&ring);
}

/* the raw calls: io_uring's errors on files that are not rings */
static void not_a_ring(void)
{
	int pipefd[2];

	UT_EXPECT_EQ(pipe(pipefd), 0);
	UT_EXPECT_EQ(io_uring_enter(pipefd[0], 1, 0, 0, NULL), -EOPNOTSUPP);
	UT_EXPECT_EQ(io_uring_enter2(pipefd[0], 1, 0, 0, NULL, 8),
		     -EOPNOTSUPP);
	UT_EXPECT_EQ(io_uring_register(pipefd[0], IORING_REGISTER_PROBE,
				       NULL, 0), -EOPNOTSUPP);
	close(pipefd[0]);
	close(pipefd[1]);
	UT_EXPECT_EQ(io_uring_enter(pipefd[0], 1, 0, 0, NULL), -EBADF);
	UT_EXPECT_EQ(io_uring_register(pipefd[0], 0, NULL, 0), -EBADF);
	UT_EXPECT_EQ(fake.nr_enter + fake.nr_register, 0);
}

/* errno is not how the library reports errors, and it leaves it alone */
static void raw_calls(void)
{
	struct io_uring_params p;
	int fd;

	memset(&p, 0, sizeof(p));
	fd = io_uring_setup(4, &p);
	UT_EXPECT(fd >= 0);
	UT_EXPECT_EQ(io_uring_enter(fd, 0, 0, IORING_ENTER_GETEVENTS, NULL),
		     0);
	UT_EXPECT_EQ(fake.enter.argsz, _NSIG / 8);
	UT_EXPECT_EQ(io_uring_enter2(fd, 0, 0, 1U << 7, NULL, 0), -EINVAL);
	UT_EXPECT_EQ(io_uring_register(fd, 99, NULL, 0), -EINVAL);
	close(fd);

	fake.config.absent = true;
	UT_EXPECT_EQ(io_uring_setup(4, &p), -ENOENT);
}

UT_MAIN(UT(files_and_buffers), UT(files_emfile_retry), UT(misc_register),
	UT(not_a_ring), UT(raw_calls))
