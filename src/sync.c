// SPDX-License-Identifier: GPL-2.0
/*
 * FSYNC, SYNC_FILE_RANGE and FALLOCATE. All of them block, so the inline
 * attempt goes straight to io-wq, where FALLOCATE is held to the
 * submitter's RLIMIT_FSIZE.
 */
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/writeback.h>

#include "core.h"
#include "opdef.h"
#include "sync.h"

struct xr_sync {
	loff_t		off;
	loff_t		len;
	u32		flags;
	u32		mode;
	/* FALLOCATE: the submitter's RLIMIT_FSIZE, for the worker */
	unsigned long	fsize_limit;
};

static inline struct xr_sync *xr_sync_cmd(struct xuring_req *req)
{
	return xr_cmd(req, struct xr_sync);
}

/* fields none of these ops use */
static bool xr_sync_sqe_unused_set(const struct xuring_sqe *sqe)
{
	return READ_ONCE(sqe->buf_index) || READ_ONCE(sqe->splice_fd_in) ||
	       READ_ONCE(sqe->addr3) || READ_ONCE(sqe->__pad2[0]);
}

int xr_fsync_prep(struct xuring_req *req, const struct xuring_sqe *sqe)
{
	struct xr_sync *sync = xr_sync_cmd(req);

	if (READ_ONCE(sqe->addr) || xr_sync_sqe_unused_set(sqe))
		return -EINVAL;
	sync->flags = READ_ONCE(sqe->fsync_flags);
	if (sync->flags & ~XURING_FSYNC_DATASYNC)
		return -EINVAL;
	sync->off = READ_ONCE(sqe->off);
	sync->len = READ_ONCE(sqe->len);
	if (sync->off < 0)
		return -EINVAL;
	return 0;
}

int xr_fsync(struct xuring_req *req, unsigned int issue_flags)
{
	struct xr_sync *sync = xr_sync_cmd(req);
	loff_t end;

	if (issue_flags & XR_ISSUE_NONBLOCK)
		return -EAGAIN;
	/* a length of 0 means to the end of the file */
	if (!sync->len || check_add_overflow(sync->off, sync->len, &end))
		end = LLONG_MAX;
	else
		end--;
	return vfs_fsync_range(req->file, sync->off, end,
			       sync->flags & XURING_FSYNC_DATASYNC);
}

#define XR_SYNC_FILE_RANGE_FLAGS	(SYNC_FILE_RANGE_WAIT_BEFORE | \
					 SYNC_FILE_RANGE_WRITE | \
					 SYNC_FILE_RANGE_WAIT_AFTER)

int xr_sync_file_range_prep(struct xuring_req *req,
			    const struct xuring_sqe *sqe)
{
	struct xr_sync *sync = xr_sync_cmd(req);

	if (READ_ONCE(sqe->addr) || xr_sync_sqe_unused_set(sqe))
		return -EINVAL;
	sync->off = READ_ONCE(sqe->off);
	sync->len = READ_ONCE(sqe->len);
	sync->flags = READ_ONCE(sqe->sync_range_flags);
	if (sync->flags & ~XR_SYNC_FILE_RANGE_FLAGS)
		return -EINVAL;
	return 0;
}

/*
 * sync_file_range() itself is not exported to modules; this follows its
 * rules (fs/sync.c) with the writeback primitives that are.
 */
int xr_sync_file_range(struct xuring_req *req, unsigned int issue_flags)
{
	struct xr_sync *sync = xr_sync_cmd(req);
	struct file *file = req->file;
	umode_t mode = file_inode(file)->i_mode;
	loff_t start = sync->off, end;
	int ret = 0;

	if (issue_flags & XR_ISSUE_NONBLOCK)
		return -EAGAIN;
	if (start < 0 || check_add_overflow(start, sync->len, &end))
		return -EINVAL;
	end = sync->len ? end - 1 : LLONG_MAX;
	if (!S_ISREG(mode) && !S_ISBLK(mode) && !S_ISDIR(mode) &&
	    !S_ISLNK(mode))
		return -ESPIPE;

	if (sync->flags & SYNC_FILE_RANGE_WAIT_BEFORE) {
		ret = file_fdatawait_range(file, start, end);
		if (ret < 0)
			return ret;
	}
	if (sync->flags & SYNC_FILE_RANGE_WRITE) {
		struct writeback_control wbc = {
			.sync_mode	= WB_SYNC_NONE,
			.nr_to_write	= LONG_MAX,
			.range_start	= start,
			.range_end	= end,
		};

		if ((sync->flags & SYNC_FILE_RANGE_WRITE_AND_WAIT) ==
		    SYNC_FILE_RANGE_WRITE_AND_WAIT)
			wbc.sync_mode = WB_SYNC_ALL;
		ret = xr_filemap_fdatawrite_wbc(file->f_mapping, &wbc);
		if (ret < 0)
			return ret;
	}
	if (sync->flags & SYNC_FILE_RANGE_WAIT_AFTER)
		ret = file_fdatawait_range(file, start, end);
	return ret;
}

int xr_fallocate_prep(struct xuring_req *req, const struct xuring_sqe *sqe)
{
	struct xr_sync *sync = xr_sync_cmd(req);

	if (READ_ONCE(sqe->rw_flags) || xr_sync_sqe_unused_set(sqe))
		return -EINVAL;
	/* io_uring's layout: the length travels in addr, the mode in len */
	sync->off = READ_ONCE(sqe->off);
	sync->len = READ_ONCE(sqe->addr);
	sync->mode = READ_ONCE(sqe->len);
	sync->fsize_limit = rlimit(RLIMIT_FSIZE);
	return 0;
}

int xr_fallocate(struct xuring_req *req, unsigned int issue_flags)
{
	struct xr_sync *sync = xr_sync_cmd(req);
	unsigned long old_limit = 0;
	int ret;

	if (issue_flags & XR_ISSUE_NONBLOCK)
		return -EAGAIN;
	/* growing the file past the limit is -EFBIG, as with fallocate(2) */
	if (issue_flags & XR_ISSUE_IOWQ)
		old_limit = xr_set_fsize_limit(sync->fsize_limit);
	ret = vfs_fallocate(req->file, sync->mode, sync->off, sync->len);
	if (issue_flags & XR_ISSUE_IOWQ)
		xr_set_fsize_limit(old_limit);
	if (ret >= 0)
		fsnotify_modify(req->file);
	return ret;
}
