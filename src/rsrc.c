// SPDX-License-Identifier: GPL-2.0
/*
 * Registered files and buffers.
 *
 * The file table holds one reference per slot. A request using a fixed
 * file takes its own reference at prep time, so slots can be updated or
 * the table unregistered while requests are in flight.
 *
 * Buffers are pinned with FOLL_LONGTERM and charged, as io_uring charges
 * them, to the ring creator's user against RLIMIT_MEMLOCK (user.c), not
 * to a process: the pins outlive any process that holds the ring, so
 * must their charge. CAP_IPC_LOCK at setup skips the limit. The owner's
 * mm shows them as pinned (VmPin). Requests count
 * themselves as users of the buffer table; unregistering detaches the
 * table and waits for its users before unpinning, since unaccounting
 * sleeps and completions may run in interrupt context.
 *
 * All table changes and lookups happen under uring_lock.
 */
#include <linux/file.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>

#include "core.h"
#include "rsrc.h"
#include "stats.h"
#include "user.h"

struct xr_file_table {
	unsigned int		nr;
	struct file		*files[];
};

struct xr_buf_table {
	/*
	 * Requests using one of the buffers, plus one for the registration
	 * itself: the count reaches zero only once unregistering dropped
	 * that one, so a request's put wakes nobody in the common case.
	 */
	atomic_t		users;
	/* being unregistered: no new users */
	bool			quiescing;
	unsigned int		nr;
	struct xr_mapped_buf	*bufs[];
};

struct file *xr_fixed_file_get(struct xuring_ring_ctx *ctx, int index)
{
	struct xr_file_table *table = ctx->file_table;
	struct file *file;

	lockdep_assert_held(&ctx->uring_lock);
	if (unlikely(!table || (unsigned int)index >= table->nr))
		return NULL;
	index = array_index_nospec(index, table->nr);
	file = table->files[index];
	if (file)
		get_file(file);
	return file;
}

/* An fd to put in a table: a reference, never a ring (no cycles). */
static struct file *xr_file_for_table(int fd)
{
	struct file *file = fget(fd);

	if (file && file->f_op == &xuring_fops) {
		fput(file);
		return NULL;
	}
	return file;
}

static void xr_file_table_free(struct xr_file_table *table)
{
	unsigned int i;

	for (i = 0; i < table->nr; i++) {
		if (table->files[i])
			fput(table->files[i]);
	}
	kvfree(table);
}

static int xr_files_register(struct xuring_ring_ctx *ctx,
			     const s32 __user *fds, unsigned int nr)
{
	struct xr_file_table *table;
	unsigned int i;
	int ret;

	if (ctx->file_table)
		return -EBUSY;
	if (!nr)
		return -EINVAL;
	if (nr > XR_MAX_FIXED_FILES || nr > rlimit(RLIMIT_NOFILE))
		return -EMFILE;

	table = kvzalloc(struct_size(table, files, nr), GFP_KERNEL_ACCOUNT);
	if (!table)
		return -ENOMEM;
	table->nr = nr;
	for (i = 0; fds && i < nr; i++) {
		s32 fd;

		ret = -EFAULT;
		if (copy_from_user(&fd, &fds[i], sizeof(fd)))
			goto fail;
		if (fd == -1)
			continue;
		ret = -EBADF;
		table->files[i] = xr_file_for_table(fd);
		if (!table->files[i])
			goto fail;
	}
	ctx->file_table = table;
	return 0;
fail:
	xr_file_table_free(table);
	return ret;
}

int xr_register_files(struct xuring_ring_ctx *ctx, void __user *arg,
		      unsigned int nr_args)
{
	if (!arg)
		return -EFAULT;
	return xr_files_register(ctx, arg, nr_args);
}

static int xr_copy_rsrc_register(struct xuring_rsrc_register *rr,
				 void __user *arg, unsigned int size)
{
	if (size != sizeof(*rr))
		return -EINVAL;
	if (copy_from_user(rr, arg, sizeof(*rr)))
		return -EFAULT;
	/* tags (IORING_FEAT_RSRC_TAGS) are not supported */
	if (rr->resv2 || rr->tags)
		return -EINVAL;
	if (rr->flags & ~XURING_RSRC_REGISTER_SPARSE)
		return -EINVAL;
	if ((rr->flags & XURING_RSRC_REGISTER_SPARSE) && rr->data)
		return -EINVAL;
	if (!(rr->flags & XURING_RSRC_REGISTER_SPARSE) && !rr->data)
		return -EFAULT;
	return 0;
}

int xr_register_files2(struct xuring_ring_ctx *ctx, void __user *arg,
		       unsigned int size)
{
	struct xuring_rsrc_register rr;
	int ret;

	ret = xr_copy_rsrc_register(&rr, arg, size);
	if (ret)
		return ret;
	return xr_files_register(ctx, u64_to_user_ptr(rr.data), rr.nr);
}

int xr_unregister_files(struct xuring_ring_ctx *ctx)
{
	if (!ctx->file_table)
		return -ENXIO;
	xr_file_table_free(ctx->file_table);
	ctx->file_table = NULL;
	return 0;
}

/* Returns the number of slots processed, or an error if none was. */
static int xr_files_update(struct xuring_ring_ctx *ctx, unsigned int offset,
			   const s32 __user *fds, unsigned int nr)
{
	struct xr_file_table *table = ctx->file_table;
	unsigned int i, end;
	int ret = 0;

	if (!table)
		return -ENXIO;
	if (!nr)
		return -EINVAL;
	if (check_add_overflow(offset, nr, &end) || end > table->nr)
		return -EINVAL;

	for (i = 0; i < nr; i++) {
		unsigned int slot = array_index_nospec(offset + i, table->nr);
		struct file *file = NULL;
		s32 fd;

		if (copy_from_user(&fd, &fds[i], sizeof(fd))) {
			ret = -EFAULT;
			break;
		}
		if (fd == XURING_REGISTER_FILES_SKIP)
			continue;
		if (fd != -1) {
			file = xr_file_for_table(fd);
			if (!file) {
				ret = -EBADF;
				break;
			}
		}
		/* requests in flight hold their own reference to the old file */
		if (table->files[slot])
			fput(table->files[slot]);
		table->files[slot] = file;
	}
	return i ? i : ret;
}

int xr_register_files_update(struct xuring_ring_ctx *ctx, void __user *arg,
			     unsigned int nr_args)
{
	struct xuring_files_update up;

	if (copy_from_user(&up, arg, sizeof(up)))
		return -EFAULT;
	if (up.resv)
		return -EINVAL;
	return xr_files_update(ctx, up.offset, u64_to_user_ptr(up.fds),
			       nr_args);
}

int xr_register_files_update2(struct xuring_ring_ctx *ctx, void __user *arg,
			      unsigned int size)
{
	struct xuring_rsrc_update2 up;

	if (size != sizeof(up))
		return -EINVAL;
	if (copy_from_user(&up, arg, sizeof(up)))
		return -EFAULT;
	if (up.resv || up.resv2 || up.tags)
		return -EINVAL;
	return xr_files_update(ctx, up.offset, u64_to_user_ptr(up.data),
			       up.nr);
}

/* Charge @nr_pages pinned pages to the ring creator's user. */
static int xr_account_pinned(struct xuring_ring_ctx *ctx,
			     unsigned long nr_pages)
{
	int ret;

	ret = xr_user_charge_pinned(ctx->owner.user, nr_pages,
				    ctx->pin_unlimited);
	if (ret)
		return ret;
	atomic64_add(nr_pages, &ctx->owner.mm->pinned_vm);
	return 0;
}

static void xr_unaccount_pinned(struct xuring_ring_ctx *ctx,
				unsigned long nr_pages)
{
	xr_user_uncharge_pinned(ctx->owner.user, nr_pages, ctx->pin_unlimited);
	atomic64_sub(nr_pages, &ctx->owner.mm->pinned_vm);
}

static void xr_mapped_buf_release(struct xuring_ring_ctx *ctx,
				  struct xr_mapped_buf *buf)
{
	unsigned int i;

	for (i = 0; i < buf->nr_bvecs; i++)
		unpin_user_page(buf->bvec[i].bv_page);
	xr_unaccount_pinned(ctx, buf->acct_pages);
	atomic_long_sub(buf->nr_bvecs, &xr_stats.pinned_pages);
	kvfree(buf);
}

static int xr_validate_buffer(const struct iovec *iov)
{
	unsigned long end;

	/* a NULL, zero-length entry leaves the slot empty */
	if (!iov->iov_base)
		return iov->iov_len ? -EFAULT : 0;
	if (!iov->iov_len || iov->iov_len > XR_MAX_FIXED_BUF_SIZE)
		return -EFAULT;
	/* the end rounded up to a page, as xr_map_buffer() computes it */
	if (check_add_overflow((unsigned long)iov->iov_base,
			       iov->iov_len + PAGE_SIZE - 1, &end))
		return -EOVERFLOW;
	return 0;
}

/*
 * Pin pages and refuse file-backed memory other than hugetlbfs: page cache
 * pages can be truncated or written back under a long-term pin. Called
 * with the mmap lock held for reading.
 */
static int xr_pin_user_buffer(unsigned long start, unsigned long nr_pages,
			      struct page **pages,
			      struct vm_area_struct **vmas)
{
	long pinned;
	unsigned long i;

	pinned = xr_pin_user_pages(start, nr_pages, FOLL_WRITE | FOLL_LONGTERM,
				   pages, vmas);
	if (pinned < 0)
		return pinned;
	if (pinned != nr_pages) {
		unpin_user_pages(pages, pinned);
		return -EFAULT;
	}
	for (i = 0; XR_PIN_RETURNS_VMAS && i < nr_pages; i++) {
		struct vm_area_struct *vma = vmas[i];

		if (vma->vm_file && !is_vm_hugetlb_page(vma)) {
			unpin_user_pages(pages, nr_pages);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/* The whole buffer inside one (huge) folio: describe it with one bvec. */
static bool xr_buffer_in_one_folio(struct page **pages,
				   unsigned long nr_pages)
{
	struct folio *folio = page_folio(pages[0]);
	unsigned long i;

	if (nr_pages < 2 || !folio_test_large(folio))
		return false;
	for (i = 1; i < nr_pages; i++) {
		if (page_folio(pages[i]) != folio ||
		    pages[i] != pages[i - 1] + 1)
			return false;
	}
	return true;
}

static int xr_map_buffer(struct xuring_ring_ctx *ctx, const struct iovec *iov,
			 struct xr_mapped_buf **bufp)
{
	unsigned long ubuf = (unsigned long)iov->iov_base;
	unsigned long start = ubuf >> PAGE_SHIFT;
	unsigned long end = (ubuf + iov->iov_len + PAGE_SIZE - 1) >> PAGE_SHIFT;
	unsigned long nr_pages = end - start, i, off;
	struct vm_area_struct **vmas = NULL;
	struct page **pages = NULL;
	struct xr_mapped_buf *buf;
	size_t left;
	int ret;

	ret = xr_account_pinned(ctx, nr_pages);
	if (ret)
		return ret;

	ret = -ENOMEM;
	pages = kvmalloc_array(nr_pages, sizeof(*pages), GFP_KERNEL);
	vmas = kvmalloc_array(nr_pages, sizeof(*vmas), GFP_KERNEL);
	if (!pages || !vmas)
		goto out_unaccount;

	mmap_read_lock(current->mm);
	ret = xr_pin_user_buffer(ubuf & PAGE_MASK, nr_pages, pages, vmas);
	mmap_read_unlock(current->mm);
	if (ret)
		goto out_unaccount;

	ret = -ENOMEM;

	if (xr_buffer_in_one_folio(pages, nr_pages)) {
		/* one pin keeps the folio; drop the others now */
		unpin_user_pages(&pages[1], nr_pages - 1);
		buf = kvmalloc(struct_size(buf, bvec, 1), GFP_KERNEL_ACCOUNT);
		if (!buf) {
			unpin_user_page(pages[0]);
			goto out_unaccount;
		}
		buf->nr_bvecs = 1;
		buf->bvec[0].bv_page = pages[0];
		buf->bvec[0].bv_offset = ubuf & ~PAGE_MASK;
		buf->bvec[0].bv_len = iov->iov_len;
	} else {
		buf = kvmalloc(struct_size(buf, bvec, nr_pages),
			       GFP_KERNEL_ACCOUNT);
		if (!buf) {
			unpin_user_pages(pages, nr_pages);
			goto out_unaccount;
		}
		buf->nr_bvecs = nr_pages;
		off = ubuf & ~PAGE_MASK;
		left = iov->iov_len;
		for (i = 0; i < nr_pages; i++) {
			size_t len = min_t(size_t, left, PAGE_SIZE - off);

			buf->bvec[i].bv_page = pages[i];
			buf->bvec[i].bv_offset = off;
			buf->bvec[i].bv_len = len;
			left -= len;
			off = 0;
		}
	}
	buf->ubuf = ubuf;
	buf->ubuf_end = ubuf + iov->iov_len;
	buf->acct_pages = nr_pages;
	atomic_long_add(buf->nr_bvecs, &xr_stats.pinned_pages);
	*bufp = buf;
	kvfree(pages);
	kvfree(vmas);
	return 0;

out_unaccount:
	xr_unaccount_pinned(ctx, nr_pages);
	kvfree(pages);
	kvfree(vmas);
	return ret;
}

static void xr_buf_table_free(struct xuring_ring_ctx *ctx,
			      struct xr_buf_table *table)
{
	unsigned int i;

	for (i = 0; i < table->nr; i++) {
		if (table->bufs[i])
			xr_mapped_buf_release(ctx, table->bufs[i]);
	}
	kvfree(table);
}

static int xr_buffers_register(struct xuring_ring_ctx *ctx,
			       const struct iovec __user *iovs,
			       unsigned int nr)
{
	struct xr_buf_table *table;
	unsigned int i;
	int ret = 0;

	if (ctx->buf_table)
		return -EBUSY;
	if (!nr || nr > XR_MAX_FIXED_BUFS)
		return -EINVAL;

	table = kvzalloc(struct_size(table, bufs, nr), GFP_KERNEL_ACCOUNT);
	if (!table)
		return -ENOMEM;
	table->nr = nr;
	atomic_set(&table->users, 1);
	for (i = 0; iovs && i < nr; i++) {
		struct iovec iov;

		if (copy_from_user(&iov, &iovs[i], sizeof(iov))) {
			ret = -EFAULT;
			break;
		}
		ret = xr_validate_buffer(&iov);
		if (ret)
			break;
		if (!iov.iov_base)
			continue;
		ret = xr_map_buffer(ctx, &iov, &table->bufs[i]);
		if (ret)
			break;
		table->bufs[i]->table = table;
		/* pinning a large buffer takes a while */
		cond_resched();
	}
	if (ret) {
		xr_buf_table_free(ctx, table);
		return ret;
	}
	ctx->buf_table = table;
	return 0;
}

int xr_register_buffers(struct xuring_ring_ctx *ctx, void __user *arg,
			unsigned int nr_args)
{
	if (!arg)
		return -EFAULT;
	return xr_buffers_register(ctx, arg, nr_args);
}

int xr_register_buffers2(struct xuring_ring_ctx *ctx, void __user *arg,
			 unsigned int size)
{
	struct xuring_rsrc_register rr;
	int ret;

	ret = xr_copy_rsrc_register(&rr, arg, size);
	if (ret)
		return ret;
	return xr_buffers_register(ctx, u64_to_user_ptr(rr.data), rr.nr);
}

/*
 * Wait until no request uses the buffer table, then free it. Drops
 * uring_lock while waiting: completions of polled requests need it. A
 * signal ends the wait with -EINTR and the buffers stay registered, as
 * with io_uring: a request may be blocked on them for ever.
 */
int xr_unregister_buffers(struct xuring_ring_ctx *ctx)
{
	struct xr_buf_table *table = ctx->buf_table;
	int ret;

	lockdep_assert_held(&ctx->uring_lock);
	if (!table)
		return -ENXIO;
	if (table->quiescing)
		return -EBUSY;
	table->quiescing = true;
	mutex_unlock(&ctx->uring_lock);
	ret = 0;
	if (!atomic_dec_and_test(&table->users))
		ret = wait_var_event_interruptible(&table->users,
						   !atomic_read(&table->users));
	mutex_lock(&ctx->uring_lock);
	if (ret) {
		/* still registered: take the registration's count back */
		atomic_inc(&table->users);
		table->quiescing = false;
		return -EINTR;
	}
	ctx->buf_table = NULL;
	xr_buf_table_free(ctx, table);
	return 0;
}

struct xr_mapped_buf *xr_fixed_buf_get(struct xuring_ring_ctx *ctx,
				       unsigned int index)
{
	struct xr_buf_table *table = ctx->buf_table;
	struct xr_mapped_buf *buf;

	lockdep_assert_held(&ctx->uring_lock);
	if (unlikely(!table || table->quiescing || index >= table->nr))
		return NULL;
	buf = table->bufs[array_index_nospec(index, table->nr)];
	if (buf)
		atomic_inc(&table->users);
	return buf;
}

/* Any context. */
void xr_put_mapped_buf(struct xr_mapped_buf *buf)
{
	struct xr_buf_table *table = buf->table;

	/* zero only while unregistering: wake it */
	if (atomic_dec_and_test(&table->users))
		wake_up_var(&table->users);
}

/*
 * An iterator over [addr, addr + len) of a fixed buffer, without touching
 * page tables: the pages are pinned already.
 */
int xr_import_fixed(struct xr_mapped_buf *buf, int rw, u64 addr, size_t len,
		    struct iov_iter *iter)
{
	size_t offset;
	u64 end;

	if (check_add_overflow(addr, (u64)len, &end))
		return -EFAULT;
	if (addr < buf->ubuf || end > buf->ubuf_end)
		return -EFAULT;

	offset = addr - buf->ubuf;
	iov_iter_bvec(iter, rw, buf->bvec, buf->nr_bvecs, offset + len);
	if (!offset)
		return 0;
	if (buf->nr_bvecs == 1 || offset < buf->bvec[0].bv_len) {
		iov_iter_advance(iter, offset);
		return 0;
	}
	/*
	 * Every bvec after the first covers a whole page, so the one that
	 * holds @offset can be computed instead of walked to.
	 */
	offset -= buf->bvec[0].bv_len;
	iter->bvec += 1 + (offset >> PAGE_SHIFT);
	iter->nr_segs -= 1 + (offset >> PAGE_SHIFT);
	iter->iov_offset = offset & ~PAGE_MASK;
	iter->count -= buf->bvec[0].bv_len + offset;
	return 0;
}

/* At teardown: no request is live, so nothing waits. */
void xr_rsrc_free(struct xuring_ring_ctx *ctx)
{
	if (ctx->file_table) {
		xr_file_table_free(ctx->file_table);
		ctx->file_table = NULL;
	}
	if (ctx->buf_table) {
		xr_buf_table_free(ctx, ctx->buf_table);
		ctx->buf_table = NULL;
	}
}
