// SPDX-License-Identifier: GPL-2.0
/*
 * READ, WRITE, READV, WRITEV, READ_FIXED, WRITE_FIXED.
 *
 * Prep imports the buffer into an iterator kept in the request, in the
 * submitter's context: after submission returns, the application may
 * reuse its iovec array (IORING_FEAT_SUBMIT_STABLE). Issue first runs
 * inline with IOCB_NOWAIT; -EAGAIN sends the request to io-wq, which runs
 * it again with blocking allowed from the saved iterator. O_DIRECT on
 * files and block devices completes through ki_complete, possibly in
 * interrupt context, and a NOWAIT bio that could not get a tag comes back
 * there with -EAGAIN and is reissued from io-wq.
 *
 * Offsets follow io_uring: -1 means the file position (used and advanced,
 * as read(2) would, without f_pos_lock: concurrent users of one file's
 * position get what they asked for), and stream files ignore the offset.
 * A short transfer on a regular file or block device is finished in io-wq
 * when it came from a non-blocking attempt; a final short transfer fails
 * the request for the purpose of links.
 */
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/ioprio.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "core.h"
#include "iopoll.h"
#include "opdef.h"
#include "rsrc.h"
#include "rw.h"

struct xr_rw {
	struct kiocb		kiocb;
	struct iov_iter		iter;
	/* the iterator as prep left it, or as of the last partial transfer */
	struct iov_iter		iter_saved;
	/* single-segment storage for READ/WRITE and short READV/WRITEV */
	struct iovec		fast_iov;
	/* transferred by earlier attempts (a partial non-blocking one) */
	size_t			bytes_done;
	/* the submitter's RLIMIT_FSIZE, for writes run by a worker */
	unsigned long		fsize_limit;
	/* READ_FIXED/WRITE_FIXED: the user address, for ->read/->write */
	u64			fixed_addr;
	u32			fixed_len;
};

static inline struct xr_rw *xr_rw_cmd(struct xuring_req *req)
{
	return xr_cmd(req, struct xr_rw);
}

static inline struct xuring_req *xr_rw_req(struct kiocb *kiocb)
{
	struct xr_rw *rw = container_of(kiocb, struct xr_rw, kiocb);

	return container_of((void *)rw, struct xuring_req, cmd);
}

/* ioprio_check_cap() is not exported; these are its rules. */
static int xr_check_ioprio(u16 ioprio)
{
	int level = IOPRIO_PRIO_LEVEL(ioprio);

	switch (IOPRIO_PRIO_CLASS(ioprio)) {
	case IOPRIO_CLASS_RT:
		if (!capable(CAP_SYS_ADMIN) && !capable(CAP_SYS_NICE))
			return -EPERM;
		fallthrough;
	case IOPRIO_CLASS_BE:
		if (level >= IOPRIO_NR_LEVELS)
			return -EINVAL;
		return 0;
	case IOPRIO_CLASS_IDLE:
		return 0;
	case IOPRIO_CLASS_NONE:
		return level ? -EINVAL : 0;
	}
	return -EINVAL;
}

/* Can an attempt with IOCB_NOWAIT be trusted not to block? */
static bool xr_file_supports_nowait(struct file *file)
{
	umode_t mode = file_inode(file)->i_mode;

	if (S_ISBLK(mode)) {
		struct block_device *bdev = I_BDEV(file->f_mapping->host);

		return bdev_nowait(bdev);
	}
	if (S_ISSOCK(mode))
		return true;
	if (S_ISREG(mode)) {
		struct block_device *bdev = file_inode(file)->i_sb->s_bdev;

		return !bdev || bdev_nowait(bdev);
	}
	/* anything with ->read/->write honours O_NONBLOCK */
	if (file->f_flags & O_NONBLOCK)
		return true;
	return file->f_mode & FMODE_NOWAIT;
}

static void xr_rw_complete(struct kiocb *kiocb, long res);
static void xr_rw_complete_iopoll(struct kiocb *kiocb, long res);

static int xr_rw_init_kiocb(struct xuring_req *req, int ddir, u64 off,
			    u16 ioprio, u32 rw_flags)
{
	struct xr_rw *rw = xr_rw_cmd(req);
	struct kiocb *kiocb = &rw->kiocb;
	struct file *file = req->file;
	int ret;

	if (!(file->f_mode & (ddir == READ ? FMODE_READ : FMODE_WRITE)))
		return -EBADF;

	kiocb->ki_filp = file;
	kiocb->ki_pos = off;
	kiocb->private = NULL;
	kiocb->ki_waitq = NULL;
	xr_kiocb_clear_write_stream(kiocb);
	kiocb->ki_flags = file->f_iocb_flags;
	ret = xr_kiocb_set_rw_flags(kiocb, (__force rwf_t)rw_flags, ddir);
	if (unlikely(ret))
		return ret;
	if (ioprio) {
		ret = xr_check_ioprio(ioprio);
		if (ret)
			return ret;
		kiocb->ki_ioprio = ioprio;
	} else {
		kiocb->ki_ioprio = get_current_ioprio();
	}

	if (xr_file_supports_nowait(file))
		req->flags |= XR_REQ_F_SUPPORT_NOWAIT;
	/*
	 * RWF_NOWAIT, or O_NONBLOCK on a file that cannot retry: no punt.
	 * RWF_NOWAIT on a file that supports it is tried inline, so that its
	 * -EAGAIN is posted before submission returns, as io_uring does.
	 */
	if ((kiocb->ki_flags & IOCB_NOWAIT) ||
	    ((file->f_flags & O_NONBLOCK) &&
	     !(req->flags & XR_REQ_F_SUPPORT_NOWAIT)))
		req->flags |= XR_REQ_F_NOWAIT;

	if (req->ctx->flags & XURING_SETUP_IOPOLL) {
		/* whether the file can be polled is up to issue, as in io_uring */
		kiocb->ki_flags |= IOCB_HIPRI | IOCB_ALLOC_CACHE;
		kiocb->ki_complete = xr_rw_complete_iopoll;
		req->flags |= XR_REQ_F_IOPOLL;
		req->iopoll_done = 0;
		return 0;
	}
	if (kiocb->ki_flags & IOCB_HIPRI)
		return -EINVAL;
	kiocb->ki_complete = xr_rw_complete;
	return 0;
}

static int xr_rw_prep_common(struct xuring_req *req,
			     const struct xuring_sqe *sqe, int ddir,
			     bool fixed)
{
	struct xr_rw *rw = xr_rw_cmd(req);
	u16 buf_index = READ_ONCE(sqe->buf_index);
	int ret;

	if (READ_ONCE(sqe->file_index) || READ_ONCE(sqe->addr3) ||
	    READ_ONCE(sqe->__pad2[0]))
		return -EINVAL;
	if (!fixed && buf_index)
		return -EINVAL;

	ret = xr_rw_init_kiocb(req, ddir, READ_ONCE(sqe->off),
			       READ_ONCE(sqe->ioprio), READ_ONCE(sqe->rw_flags));
	if (ret)
		return ret;
	rw->bytes_done = 0;
	if (ddir == WRITE)
		rw->fsize_limit = rlimit(RLIMIT_FSIZE);
	return 0;
}

static int xr_rw_prep_single(struct xuring_req *req,
			     const struct xuring_sqe *sqe, int ddir)
{
	struct xr_rw *rw = xr_rw_cmd(req);
	void __user *buf = u64_to_user_ptr(READ_ONCE(sqe->addr));
	int ret;

	ret = xr_rw_prep_common(req, sqe, ddir, false);
	if (ret)
		return ret;
	ret = xr_import_single_range(ddir, buf, READ_ONCE(sqe->len),
				     &rw->fast_iov, &rw->iter);
	if (ret)
		return ret;
	rw->iter_saved = rw->iter;
	return 0;
}

int xr_prep_read(struct xuring_req *req, const struct xuring_sqe *sqe)
{
	return xr_rw_prep_single(req, sqe, READ);
}

int xr_prep_write(struct xuring_req *req, const struct xuring_sqe *sqe)
{
	return xr_rw_prep_single(req, sqe, WRITE);
}

/*
 * The iovec array is copied here, at submission: the application may
 * reuse it once submission returns.
 */
static int xr_rw_prep_vec(struct xuring_req *req, const struct xuring_sqe *sqe,
			  int ddir)
{
	struct xr_rw *rw = xr_rw_cmd(req);
	const struct iovec __user *uvec;
	struct iovec *iov = &rw->fast_iov;
	ssize_t ret;

	ret = xr_rw_prep_common(req, sqe, ddir, false);
	if (ret)
		return ret;
	uvec = u64_to_user_ptr(READ_ONCE(sqe->addr));
	ret = import_iovec(ddir, uvec, READ_ONCE(sqe->len), 1, &iov, &rw->iter);
	if (ret < 0)
		return ret;
	if (iov) {
		/* more than one segment: the array was allocated */
		req->async_data = iov;
		req->flags |= XR_REQ_F_CLEANUP;
	}
	rw->iter_saved = rw->iter;
	return 0;
}

int xr_prep_readv(struct xuring_req *req, const struct xuring_sqe *sqe)
{
	return xr_rw_prep_vec(req, sqe, READ);
}

int xr_prep_writev(struct xuring_req *req, const struct xuring_sqe *sqe)
{
	return xr_rw_prep_vec(req, sqe, WRITE);
}

static int xr_rw_prep_fixed(struct xuring_req *req,
			    const struct xuring_sqe *sqe, int ddir)
{
	struct xr_rw *rw = xr_rw_cmd(req);
	struct xr_mapped_buf *buf;
	int ret;

	ret = xr_rw_prep_common(req, sqe, ddir, true);
	if (ret)
		return ret;
	buf = xr_fixed_buf_get(req->ctx, READ_ONCE(sqe->buf_index));
	if (!buf)
		return -EFAULT;
	/* released with the request, whatever happens from here */
	req->fixed_buf = buf;
	rw->fixed_addr = READ_ONCE(sqe->addr);
	rw->fixed_len = READ_ONCE(sqe->len);
	ret = xr_import_fixed(buf, ddir, rw->fixed_addr, rw->fixed_len,
			      &rw->iter);
	if (ret)
		return ret;
	rw->iter_saved = rw->iter;
	return 0;
}

int xr_prep_read_fixed(struct xuring_req *req, const struct xuring_sqe *sqe)
{
	return xr_rw_prep_fixed(req, sqe, READ);
}

int xr_prep_write_fixed(struct xuring_req *req, const struct xuring_sqe *sqe)
{
	return xr_rw_prep_fixed(req, sqe, WRITE);
}

void xr_rw_cleanup(struct xuring_req *req)
{
	kfree(req->async_data);
	req->async_data = NULL;
}

/* Where the transfer starts: the offset, the file position, or nowhere. */
static loff_t *xr_rw_pos(struct xuring_req *req)
{
	struct xr_rw *rw = xr_rw_cmd(req);
	struct file *file = req->file;

	if (req->flags & XR_REQ_F_CUR_POS) {
		/* a retry continues from where the last attempt stopped */
		return &rw->kiocb.ki_pos;
	}
	if (rw->kiocb.ki_pos != -1)
		return &rw->kiocb.ki_pos;
	if (file->f_mode & FMODE_STREAM) {
		rw->kiocb.ki_pos = 0;
		return NULL;
	}
	req->flags |= XR_REQ_F_CUR_POS;
	rw->kiocb.ki_pos = file->f_pos;
	return &rw->kiocb.ki_pos;
}

static bool xr_rw_is_write(struct xuring_req *req)
{
	return xr_rw_cmd(req)->kiocb.ki_flags & IOCB_WRITE;
}

/* Freeze protection of a write ends, wherever the write completed. */
static void xr_rw_end_write(struct xuring_req *req)
{
	if (xr_rw_is_write(req) && (req->flags & XR_REQ_F_ISREG))
		kiocb_end_write(&xr_rw_cmd(req)->kiocb);
}

/*
 * The result to post: what this attempt did plus what earlier attempts
 * did. A transfer shorter than asked for fails the request for links.
 */
static s32 xr_rw_result(struct xuring_req *req, long res)
{
	struct xr_rw *rw = xr_rw_cmd(req);
	size_t want = iov_iter_count(&rw->iter_saved) + rw->bytes_done;

	if (rw->bytes_done)
		res = res < 0 ? rw->bytes_done : res + rw->bytes_done;
	if (res >= 0 && (req->flags & XR_REQ_F_CUR_POS))
		req->file->f_pos = rw->kiocb.ki_pos;
	if (res != want)
		req_set_fail(req);
	return res;
}

static bool xr_rw_should_reissue(struct xuring_req *req)
{
	umode_t mode = file_inode(req->file)->i_mode;

	if (!(req->flags & XR_REQ_F_NOWAIT_ISSUE) ||
	    (req->flags & (XR_REQ_F_NOWAIT | XR_REQ_F_REISSUED)))
		return false;
	return S_ISBLK(mode) || S_ISREG(mode);
}

/*
 * A non-blocking attempt came back -EAGAIN after it was queued: start
 * over from io-wq, from the iterator as it was before the attempt. The
 * op's ->reissue: called by the last holder of the request (core.c), so
 * never while an issuer is still inside the call.
 */
void xr_rw_reissue(struct xuring_req *req)
{
	struct xr_rw *rw = xr_rw_cmd(req);

	xr_rw_end_write(req);
	rw->iter = rw->iter_saved;
	req->flags &= ~XR_REQ_F_NOWAIT_ISSUE;
	req->flags |= XR_REQ_F_REISSUED;
	xr_req_issue_from_wq(req);
}

/* ki_complete: any context, including hard interrupts. */
static void xr_rw_complete(struct kiocb *kiocb, long res)
{
	struct xuring_req *req = xr_rw_req(kiocb);

	if (unlikely(res == -EAGAIN || res == -EOPNOTSUPP) &&
	    xr_rw_should_reissue(req)) {
		/*
		 * Issue it again, but not under an issuer that is still
		 * inside the call (a bio that could not get a tag fails in
		 * the submitter's context; a stacked driver may fail it on
		 * another CPU before the call returns): the last holder of
		 * the request does it.
		 */
		xr_req_reissue(req);
		return;
	}
	/*
	 * No fsnotify here: this may run in interrupt context or under
	 * rcu_read_lock() in the block layer, and fsnotify may sleep. Like
	 * aio, asynchronous completions generate no notification.
	 */
	xr_rw_end_write(req);
	xr_req_complete(req, xr_rw_result(req, res));
}

/*
 * ki_complete of a polled request: usually called from ->iopoll by the
 * poller, but possibly from an interrupt if the bio was not polled after
 * all. Only record the result; the poller completes the request.
 */
static void xr_rw_complete_iopoll(struct kiocb *kiocb, long res)
{
	struct xuring_req *req = xr_rw_req(kiocb);

	xr_rw_end_write(req);
	req->res = res;
	/* pairs with the poller's load-acquire */
	smp_store_release(&req->iopoll_done, 1);
}

int xr_rw_iopoll(struct xuring_req *req, struct io_comp_batch *iob,
		 unsigned int poll_flags)
{
	struct kiocb *kiocb = &xr_rw_cmd(req)->kiocb;

	return req->file->f_op->iopoll(kiocb, iob, poll_flags);
}

/*
 * The block layer bounced a polled request with -EAGAIN: no tag was free,
 * or the bio would have had to be split. Polled bios are always
 * REQ_NOWAIT, from io-wq too, so such a request is tried again from
 * io-wq (see __xr_rw_issue() for how), unless the application asked for
 * RWF_NOWAIT or the ring is going away.
 */
static __always_inline bool xr_rw_iopoll_bounced(struct xuring_req *req)
{
	/* pairs with the store-release in xr_rw_complete_iopoll() */
	return smp_load_acquire(&req->iopoll_done) && req->res == -EAGAIN &&
	       !(req->flags & XR_REQ_F_NOWAIT) && !xr_ring_stopping(req->ctx);
}

/* Make a bounced polled request ready to be issued again. */
static void xr_rw_iopoll_rearm(struct xuring_req *req)
{
	struct xr_rw *rw = xr_rw_cmd(req);

	/* the write's freeze protection ended in ki_complete */
	rw->iter = rw->iter_saved;
	req->iopoll_done = 0;
}

/* The poller found the request done: complete it, or retry it. */
void xr_rw_iopoll_finish(struct xuring_req *req)
{
	if (unlikely(xr_rw_iopoll_bounced(req))) {
		xr_rw_iopoll_rearm(req);
		xr_req_issue_from_wq(req);
		return;
	}
	xr_req_complete(req, xr_rw_result(req, req->res));
}

/* The attempt finished synchronously with @ret. */
static int xr_rw_done(struct xuring_req *req, long ret)
{
	xr_rw_end_write(req);
	if (ret > 0) {
		if (xr_rw_is_write(req))
			fsnotify_modify(req->file);
		else
			fsnotify_access(req->file);
	}
	return xr_rw_result(req, ret);
}

/*
 * What to do with the outcome of one attempt. Returns a result to post,
 * -EAGAIN to go (back) to io-wq, or XR_ISSUE_SKIP_COMPLETE.
 */
static int xr_rw_outcome(struct xuring_req *req, long ret, bool nonblock,
			 bool iopoll)
{
	struct xr_rw *rw = xr_rw_cmd(req);

	if (ret == -EIOCBQUEUED) {
		/*
		 * Queued: the request belongs to its completion now (which
		 * may have handed it back for a reissue, see xr_rw_complete()).
		 */
		if (iopoll)
			xr_iopoll_add(req);
		return XR_ISSUE_SKIP_COMPLETE;
	}
	if (!nonblock)
		return xr_rw_done(req, ret);

	/* some file systems say -EOPNOTSUPP to IOCB_NOWAIT */
	if (ret == -EOPNOTSUPP)
		ret = -EAGAIN;
	if (ret == -EAGAIN) {
		/*
		 * The caller asked not to wait: -EAGAIN is the result, posted
		 * now. Returned, it would send the request to io-wq.
		 */
		if (req->flags & XR_REQ_F_NOWAIT) {
			xr_req_complete(req, xr_rw_done(req, ret));
			return XR_ISSUE_SKIP_COMPLETE;
		}
		xr_rw_end_write(req);
		rw->iter = rw->iter_saved;
		return -EAGAIN;
	}
	/*
	 * A partial transfer from a regular file or block device: finish it
	 * in io-wq, from where this attempt stopped.
	 */
	if (ret > 0 && iov_iter_count(&rw->iter) &&
	    !(req->flags & XR_REQ_F_NOWAIT) &&
	    (req->flags & XR_REQ_F_ISREG ||
	     S_ISBLK(file_inode(req->file)->i_mode))) {
		xr_rw_end_write(req);
		rw->bytes_done += ret;
		rw->iter_saved = rw->iter;
		return -EAGAIN;
	}
	return xr_rw_done(req, ret);
}

/*
 * An inline attempt cannot go on without blocking. A request that asked
 * never to wait (RWF_NOWAIT) gets -EAGAIN as its result; any other goes
 * to io-wq.
 */
static int xr_rw_would_block(struct xuring_req *req)
{
	if (req->flags & XR_REQ_F_NOWAIT) {
		xr_req_complete(req, xr_rw_result(req, -EAGAIN));
		return XR_ISSUE_SKIP_COMPLETE;
	}
	return -EAGAIN;
}

/* Freeze protection for a write to a regular file; may not block inline. */
static bool xr_rw_start_write(struct xuring_req *req, bool nonblock)
{
	struct kiocb *kiocb = &xr_rw_cmd(req)->kiocb;
	struct super_block *sb;

	if (!(req->flags & XR_REQ_F_ISREG))
		return true;
	if (!nonblock) {
		kiocb_start_write(kiocb);
		return true;
	}
	sb = file_inode(req->file)->i_sb;
	if (!sb_start_write_trylock(sb))
		return false;
	/* the matching end may run in another context */
	__sb_writers_release(sb, SB_FREEZE_WRITE);
	return true;
}

/*
 * Files with only ->read/->write (old character drivers; directories,
 * whose ->read says -EISDIR): one call per segment, as readv(2) does on
 * them. They may block, so an inline attempt goes to io-wq unless the
 * file is O_NONBLOCK. Fixed buffers go through their user address.
 */
static ssize_t xr_rw_loop(struct xuring_req *req, int ddir, loff_t *ppos,
			  bool nonblock)
{
	struct xr_rw *rw = xr_rw_cmd(req);
	struct iov_iter *iter = &rw->iter;
	struct file *file = req->file;
	ssize_t ret = 0;

	if (ddir == READ ? !file->f_op->read : !file->f_op->write)
		return -EINVAL;
	if (nonblock && !(file->f_flags & O_NONBLOCK))
		return -EAGAIN;

	while (iov_iter_count(iter)) {
		struct iovec iov;
		ssize_t nr;

		if (iov_iter_is_bvec(iter)) {
			size_t done = rw->fixed_len - iov_iter_count(iter);

			iov.iov_base = u64_to_user_ptr(rw->fixed_addr + done);
			iov.iov_len = iov_iter_count(iter);
		} else {
			iov = xr_iov_iter_iovec(iter);
		}
		if (ddir == READ)
			nr = file->f_op->read(file, iov.iov_base, iov.iov_len,
					      ppos);
		else
			nr = file->f_op->write(file, iov.iov_base, iov.iov_len,
					       ppos);
		if (nr < 0) {
			if (!ret)
				ret = nr;
			break;
		}
		ret += nr;
		iov_iter_advance(iter, nr);
		if (nr != iov.iov_len)
			break;
	}
	return ret;
}

static int __xr_rw_issue(struct xuring_req *req, unsigned int issue_flags,
			 int ddir)
{
	bool nonblock = issue_flags & XR_ISSUE_NONBLOCK;
	bool iopoll = req->flags & XR_REQ_F_IOPOLL;
	struct xr_rw *rw = xr_rw_cmd(req);
	struct kiocb *kiocb = &rw->kiocb;
	struct file *file = req->file;
	unsigned long old_limit = 0;
	loff_t *ppos;
	long ret;

	/*
	 * Only direct I/O on a file that can be polled goes on an IOPOLL
	 * ring. Failing here rather than in prep lets the rest of the
	 * submission go on, as io_uring does.
	 */
	if (iopoll && (!(kiocb->ki_flags & IOCB_DIRECT) || !file->f_op->iopoll))
		return -EOPNOTSUPP;
	if (nonblock) {
		if (!(req->flags & XR_REQ_F_SUPPORT_NOWAIT))
			return xr_rw_would_block(req);
		/*
		 * Buffered writes to regular files block on the page cache
		 * unless the file system says it can do them asynchronously.
		 */
		if (ddir == WRITE && !(kiocb->ki_flags & IOCB_DIRECT) &&
		    (req->flags & XR_REQ_F_ISREG) &&
		    !xr_file_buffered_wasync(file))
			return xr_rw_would_block(req);
		kiocb->ki_flags |= IOCB_NOWAIT;
		req->flags |= XR_REQ_F_NOWAIT_ISSUE;
	} else if (!(req->flags & XR_REQ_F_NOWAIT)) {
		kiocb->ki_flags &= ~IOCB_NOWAIT;
		req->flags &= ~XR_REQ_F_NOWAIT_ISSUE;
	}

again:
	ppos = xr_rw_pos(req);
	ret = rw_verify_area(ddir, file, ppos, iov_iter_count(&rw->iter));
	if (unlikely(ret))
		return ret;

	if (ddir == READ) {
		if (likely(file->f_op->read_iter))
			ret = file->f_op->read_iter(kiocb, &rw->iter);
		else
			ret = xr_rw_loop(req, READ, ppos, nonblock);
	} else {
		/* a frozen file system; the write did not start */
		if (unlikely(!xr_rw_start_write(req, nonblock)))
			return xr_rw_would_block(req);
		kiocb->ki_flags |= IOCB_WRITE;
		if (issue_flags & XR_ISSUE_IOWQ)
			old_limit = xr_set_fsize_limit(rw->fsize_limit);
		if (likely(file->f_op->write_iter))
			ret = file->f_op->write_iter(kiocb, &rw->iter);
		else
			ret = xr_rw_loop(req, WRITE, ppos, nonblock);
		if (issue_flags & XR_ISSUE_IOWQ)
			xr_set_fsize_limit(old_limit);
	}
	/*
	 * A polled request is not on the poll list yet, so still ours: if
	 * the device bounced it during the call, try again at once (io-wq)
	 * rather than when the poller finds out.
	 */
	if (iopoll && ret == -EIOCBQUEUED && xr_rw_iopoll_bounced(req)) {
		xr_rw_iopoll_rearm(req);
		if (nonblock)
			return -EAGAIN;
		/* a worker being cancelled has SIGKILL pending */
		if (fatal_signal_pending(current))
			return -EINTR;
		/*
		 * A polled bio is REQ_NOWAIT, and the block layer bounces a
		 * REQ_NOWAIT bio it would have to split every time: polled
		 * again, it would never complete. A worker may block, so it
		 * sends the request as an ordinary bio, which may wait for
		 * a tag and be split. It completes by interrupt, and the
		 * poller reaps it as it does any polled request that was
		 * not polled after all (kiocb->private names no bio). The
		 * per-CPU bio cache takes back only bios freed in a task,
		 * so it goes too.
		 */
		kiocb->ki_flags &= ~(IOCB_HIPRI | IOCB_ALLOC_CACHE);
		WRITE_ONCE(kiocb->private, NULL);
		cond_resched();
		goto again;
	}
	/* after -EIOCBQUEUED the request may already be completed */
	return xr_rw_outcome(req, ret, nonblock, iopoll);
}

static int xr_rw_issue(struct xuring_req *req, unsigned int issue_flags,
		       int ddir)
{
	int ret;

	/*
	 * From the moment the file has the I/O until we are back, the
	 * request may be completed elsewhere: the hold keeps it and its
	 * file alive. Unless the result is XR_ISSUE_SKIP_COMPLETE, nothing
	 * completed it, and it is still the caller's after the unhold.
	 */
	xr_req_hold(req);
	ret = __xr_rw_issue(req, issue_flags, ddir);
	xr_req_unhold(req);
	return ret;
}

int xr_read(struct xuring_req *req, unsigned int issue_flags)
{
	return xr_rw_issue(req, issue_flags, READ);
}

int xr_write(struct xuring_req *req, unsigned int issue_flags)
{
	return xr_rw_issue(req, issue_flags, WRITE);
}
