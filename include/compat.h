/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel interfaces xuring uses that changed between Linux 6.1 (Debian
 * bookworm), 6.12 (bookworm-backports, Debian 13) and 7.x (trixie-backports).
 * Kbuild includes this file before anything else in every source file, so
 * the rest of the module is written once. Each shim is named after the
 * kernel change it bridges, with the version that made it; a shim picks
 * the newer kernel's interface wherever that kernel has one, and the
 * older interface only where it must.
 *
 * A version check is exact for mainline releases. Debian's stable kernels
 * take some changes early (6.12.25 got 6.13's rq_list): such a check names
 * the stable release that brought the change.
 */
#ifndef XURING_COMPAT_H
#define XURING_COMPAT_H

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/version.h>
#include <linux/workqueue.h>
#include <linux/writeback.h>

/*
 * The only use of LINUX_VERSION_CODE in xuring (checkpatch's rule against
 * it is for code merged into one kernel version, and so is waived here).
 */
#define XR_KERNEL_SINCE(major, minor, sublevel) \
	(KERNEL_VERSION(major, minor, sublevel) <= LINUX_VERSION_CODE)

/*
 * 6.3, "mm: introduce vma->vm_flags wrapper functions": vm_flags is const
 * and written through them (with the mmap lock held for writing, as in
 * ->mmap).
 */
static inline void xr_vm_flags_set(struct vm_area_struct *vma,
				   vm_flags_t flags)
{
#if XR_KERNEL_SINCE(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/*
 * 6.4, "blk-mq: remove hybrid polling": nothing sleeps in ->iopoll any
 * more, so asking it not to is the default.
 */
#if XR_KERNEL_SINCE(6, 4, 0)
#define BLK_POLL_NOSLEEP	0
#endif

/*
 * 6.4, "iov_iter: add iter_iov_addr() and iter_iov_len() helpers" (and
 * iov_iter_iovec()'s removal): the segment an iterator is at, which from
 * 6.6 on may also be an ITER_UBUF one.
 */
static inline struct iovec xr_iov_iter_iovec(const struct iov_iter *iter)
{
#if XR_KERNEL_SINCE(6, 4, 0)
	return (struct iovec) {
		.iov_base	= iter_iov_addr(iter),
		.iov_len	= min(iter_iov_len(iter), iov_iter_count(iter)),
	};
#else
	return iov_iter_iovec(iter);
#endif
}

/*
 * 6.5, "mm/gup: remove vmas parameter from pin_user_pages()" and "mm/gup:
 * disallow FOLL_LONGTERM GUP-nonfast writing to file-backed mappings":
 * from 6.5 GUP itself refuses a long-term writable pin of file pages that
 * write-back could touch (-EFAULT, as io_uring on that kernel returns),
 * and gives no VMAs to check. Before, the caller checks the VMAs (and
 * returns -EOPNOTSUPP, as io_uring on 6.1 does).
 */
#if XR_KERNEL_SINCE(6, 5, 0)
#define XR_PIN_RETURNS_VMAS	false
#define xr_pin_user_pages(start, nr_pages, gup_flags, pages, vmas) \
	pin_user_pages(start, nr_pages, gup_flags, pages)
#else
#define XR_PIN_RETURNS_VMAS	true
#define xr_pin_user_pages(start, nr_pages, gup_flags, pages, vmas) \
	pin_user_pages(start, nr_pages, gup_flags, pages, vmas)
#endif

/*
 * 6.6, "iov_iter: Export import_ubuf()": a single user buffer becomes an
 * ITER_UBUF iterator, cheaper to walk than a one-segment ITER_IOVEC;
 * before that export, import_single_range() (gone in 6.8) is the route.
 */
static inline int xr_import_single_range(int ddir, void __user *buf,
					 size_t len, struct iovec *iov,
					 struct iov_iter *iter)
{
#if XR_KERNEL_SINCE(6, 6, 0)
	return import_ubuf(ddir, buf, len, iter);
#else
	return import_single_range(ddir, buf, len, iov, iter);
#endif
}

/*
 * 6.7, "file: convert to SLAB_TYPESAFE_BY_RCU": a struct file may be
 * freed and reused while RCU readers look at it, so get_file_rcu() takes
 * the fd table slot and returns a reference only to a file still in it.
 * True if this took a reference to @file, still in @slot.
 */
static inline bool xr_get_file_rcu(struct file __rcu **slot,
				   struct file *file)
{
#if XR_KERNEL_SINCE(6, 7, 0)
	struct file *got = get_file_rcu(slot);

	if (got == file)
		return true;
	if (got)
		fput(got);
	return false;
#else
	return get_file_rcu(file);
#endif
}

/*
 * 6.11, "fs: claw back a few FMODE_* bits": whether buffered writes can
 * go without blocking is a property of the file operations.
 */
static inline bool xr_file_buffered_wasync(const struct file *file)
{
#if XR_KERNEL_SINCE(6, 11, 0)
	return file->f_op->fop_flags & FOP_BUFFER_WASYNC;
#else
	return file->f_mode & FMODE_BUF_WASYNC;
#endif
}

/*
 * 6.11, "fs: Initial atomic write support": kiocb_set_rw_flags() takes the
 * direction, to refuse RWF_ATOMIC on reads.
 */
static inline int xr_kiocb_set_rw_flags(struct kiocb *kiocb, rwf_t flags,
					int ddir)
{
#if XR_KERNEL_SINCE(6, 11, 0)
	return kiocb_set_rw_flags(kiocb, flags, ddir);
#else
	return kiocb_set_rw_flags(kiocb, flags);
#endif
}

/*
 * 6.16, "fs: add a write stream field to the kiocb": block devices refuse
 * a write stream they do not have with -EINVAL, so a kiocb not set up by
 * init_sync_kiocb() must clear it. xuring has no write streams.
 */
static inline void xr_kiocb_clear_write_stream(struct kiocb *kiocb)
{
#if XR_KERNEL_SINCE(6, 16, 0)
	kiocb->ki_write_stream = 0;
#endif
}

/*
 * 6.17 (and 6.12.77), "workqueue: Add system_percpu_wq and system_dfl_wq":
 * the unbound system workqueue's new name; 7.x warns about work queued on
 * the old one.
 */
#if !XR_KERNEL_SINCE(6, 17, 0) && \
	!(XR_KERNEL_SINCE(6, 12, 77) && !XR_KERNEL_SINCE(6, 13, 0))
#define system_dfl_wq	system_unbound_wq
#endif

/*
 * 6.19, "mm: remove filemap_fdatawrite_wbc": write back a range either
 * without waiting (WB_SYNC_NONE, filemap_flush_range()) or for data
 * integrity (WB_SYNC_ALL), as sync_file_range(2) does on that kernel.
 */
static inline int xr_filemap_fdatawrite_wbc(struct address_space *mapping,
					    struct writeback_control *wbc)
{
#if XR_KERNEL_SINCE(6, 19, 0)
	if (wbc->sync_mode == WB_SYNC_ALL)
		return filemap_fdatawrite_range(mapping, wbc->range_start,
						wbc->range_end);
	return filemap_flush_range(mapping, wbc->range_start,
				   wbc->range_end);
#else
	return filemap_fdatawrite_wbc(mapping, wbc);
#endif
}

/*
 * 7.2 (posted May 2026; in Debian's 7.3), "mm/slab: improve
 * kmem_cache_alloc_bulk": it returns whether it allocated all @size
 * objects, where it returned how many. The count was already all or none,
 * so this reads either answer right: how many objects are in @objs.
 */
static inline int xr_kmem_cache_alloc_bulk(struct kmem_cache *cachep,
					   gfp_t gfp, size_t size,
					   void **objs)
{
	return kmem_cache_alloc_bulk(cachep, gfp, size, objs) ? size : 0;
}

/*
 * 6.12, "introduce fd_file(), convert all accessors to it": struct fd
 * packs its flags into the file pointer.
 */
#if !XR_KERNEL_SINCE(6, 12, 0)
#define fd_file(f)	((f).file)
#endif

/*
 * 6.13 (Debian's 6.12.25), "block: add a rq_list type": a completion
 * batch's requests are a struct rq_list, no longer a bare request pointer.
 */
#if XR_KERNEL_SINCE(6, 12, 25)
#define xr_rq_list_empty(list)	rq_list_empty(&(list))
#else
#define xr_rq_list_empty(list)	rq_list_empty(list)
#endif

/*
 * 6.19, "io_uring/trace: rename io_uring_queue_async_work event "rw"
 * field": whether the work is hashed became "bool hashed" (an "int rw"
 * before). xuring_queue_async_work (include/trace/events/xuring.h) has the
 * field of the kernel it is built for, so that a script reads both events
 * alike.
 */
#if XR_KERNEL_SINCE(6, 19, 0)
#define XR_TP_HASHED_FIELD	__field(bool, hashed)
#define XR_TP_HASHED		__entry->hashed
#else
#define XR_TP_HASHED_FIELD	__field(int, rw)
#define XR_TP_HASHED		__entry->rw
#endif

#endif
