// SPDX-License-Identifier: GPL-2.0
/*
 * What the fuzzer tells: the op log (a ring buffer of the last operations),
 * the kernel log watcher (/dev/kmsg, scanned after every batch of ops and
 * by the monitor thread), the hang monitor, and failed self-checks.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "fuzz.h"

#define FZ_LOG_SIZE	8192	/* entries kept; a power of two */
#define FZ_LOG_TEXT	200

struct fz_log_entry {
	uint64_t	opno;
	int		thread;
	char		text[FZ_LOG_TEXT];
};

static struct fz_log_entry fz_oplog[FZ_LOG_SIZE];
static uint64_t fz_oplog_next;
static pthread_mutex_t fz_oplog_lock = PTHREAD_MUTEX_INITIALIZER;

static char fz_fail_msg[512];

void fz_log(const char *fmt, ...)
{
	struct fz_log_entry *e;
	va_list ap;

	if (fz_in_child)	/* after fork(): no locks */
		return;
	/* a bad stop keeps the ops that led to it, not the cleanup's */
	if (fz_stop_reason >= FZ_STOP_FAIL && !fz_self)
		return;
	pthread_mutex_lock(&fz_oplog_lock);
	e = &fz_oplog[fz_oplog_next++ & (FZ_LOG_SIZE - 1)];
	e->opno = fz_self ? fz_self->cur_opno : 0;
	e->thread = fz_self ? fz_self->idx : -1;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	if (fz_cfg.verbose) {
		printf("op %llu t%d: %s\n", (unsigned long long)e->opno,
		       e->thread, e->text);
		fflush(stdout);
	}
	pthread_mutex_unlock(&fz_oplog_lock);
}

void fz_print_log(unsigned int lines)
{
	uint64_t i, start;

	pthread_mutex_lock(&fz_oplog_lock);
	if (lines > FZ_LOG_SIZE)
		lines = FZ_LOG_SIZE;
	start = fz_oplog_next > lines ? fz_oplog_next - lines : 0;
	printf("FUZZ: last operations (op number, thread):\n");
	for (i = start; i < fz_oplog_next; i++) {
		struct fz_log_entry *e = &fz_oplog[i & (FZ_LOG_SIZE - 1)];

		printf("FUZZ:   op %-8llu t%d %s\n",
		       (unsigned long long)e->opno, e->thread, e->text);
	}
	pthread_mutex_unlock(&fz_oplog_lock);
	fflush(stdout);
}

/* The op log's lines that contain @needle (a user_data), oldest first. */
void fz_print_log_matching(const char *needle)
{
	uint64_t i, start;

	pthread_mutex_lock(&fz_oplog_lock);
	start = fz_oplog_next > FZ_LOG_SIZE ? fz_oplog_next - FZ_LOG_SIZE : 0;
	for (i = start; i < fz_oplog_next; i++) {
		struct fz_log_entry *e = &fz_oplog[i & (FZ_LOG_SIZE - 1)];

		if (strstr(e->text, needle))
			printf("FUZZ: | op %-8llu t%d %s\n",
			       (unsigned long long)e->opno, e->thread, e->text);
	}
	pthread_mutex_unlock(&fz_oplog_lock);
}

/* A finished or interrupted run can still turn out bad; a bad one stays. */
static bool fz_stop_set(int reason)
{
	int cur = __atomic_load_n(&fz_stop_reason, __ATOMIC_SEQ_CST);

	for (;;) {
		bool bad = cur == FZ_STOP_FAIL || cur == FZ_STOP_KERNEL ||
			   cur == FZ_STOP_HANG;

		if (bad || (cur != FZ_RUNNING && (reason == FZ_STOP_DONE ||
						  reason == FZ_STOP_SIGNAL)))
			return false;
		if (__atomic_compare_exchange_n(&fz_stop_reason, &cur, reason,
						false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return true;
	}
}

void fz_request_stop(int reason)
{
	fz_stop_set(reason);
}

void fz_fail(const char *fmt, ...)
{
	char msg[sizeof(fz_fail_msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fz_in_child) {
		fprintf(stderr, "FUZZ: child %d: %s\n", (int)getpid(), msg);
		_exit(42);
	}
	fz_log("SELF-CHECK FAILED: %s", msg);
	pthread_mutex_lock(&fz_oplog_lock);
	if (fz_stop_set(FZ_STOP_FAIL))
		memcpy(fz_fail_msg, msg, sizeof(msg));
	pthread_mutex_unlock(&fz_oplog_lock);
}

/* ---------------------------------------------------------- protected fds */

/* fds the SQEs must never name: the kernel log, stdio, internal pipes */
static int fz_protected[16];
static unsigned int fz_nr_protected;

void fz_protect_fd(int fd)
{
	if (fd >= 0 && fz_nr_protected < ARRAY_SIZE(fz_protected))
		fz_protected[fz_nr_protected++] = fd;
}

bool fz_fd_protected(int fd)
{
	unsigned int i;

	if (fd >= 0 && fd <= 2)
		return true;
	for (i = 0; i < fz_nr_protected; i++)
		if (fz_protected[i] == fd)
			return true;
	return false;
}

/* ------------------------------------------------------------- kernel log */

/*
 * tools/vm/jobs/report-patterns, the list lib.sh scans dmesg with, built
 * in (Makefile); fuzz.sh passes the guest's copy with --report-re.
 */
static const char fz_default_report_re[] =
#include "report-patterns.h"
	;

const char *fz_report_re_default(void)
{
	return fz_default_report_re;
}

#define FZ_KMSG_KEEP	400	/* lines of report kept */

static int fz_kmsg_fd = -1, fz_kmsg_wfd = -1;
static regex_t fz_report_regex;
static pthread_mutex_t fz_kmsg_lock = PTHREAD_MUTEX_INITIALIZER;
static char *fz_kmsg_report[FZ_KMSG_KEEP];
static unsigned int fz_kmsg_nr;
static bool fz_kmsg_hit;
static uint64_t fz_kmsg_hit_op;
static uint64_t fz_kmsg_hit_ns;

int fz_kmsg_open(void)
{
	const char *re = fz_cfg.report_re ? fz_cfg.report_re :
			 fz_default_report_re;

	if (regcomp(&fz_report_regex, re, REG_EXTENDED | REG_NOSUB)) {
		fprintf(stderr, "xuring-fuzz: bad --report-re '%s'\n", re);
		return -1;
	}
	if (fz_cfg.no_kmsg)
		return 0;
	fz_kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fz_kmsg_fd < 0) {
		printf("xuring-fuzz: warning: cannot read /dev/kmsg (%s): kernel reports are not watched\n",
		       strerror(errno));
		return 0;
	}
	/* only what happens from now on */
	lseek(fz_kmsg_fd, 0, SEEK_END);
	fz_protect_fd(fz_kmsg_fd);
	/* root only: where we are, into the log a panic leaves behind */
	fz_kmsg_wfd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	fz_protect_fd(fz_kmsg_wfd);
	return 0;
}

/*
 * A line in the kernel log, before the ops that may crash the kernel: an
 * oops panics the guest before we can say anything, but the console
 * shows the kernel log up to it.
 */
void fz_kmsg_mark(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (fz_kmsg_wfd < 0)
		return;
	n = snprintf(line, sizeof(line), "<5>xuring-fuzz[%d]: ", (int)getpid());
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	(void)!write(fz_kmsg_wfd, line, n);
}

/* "prio,seq,ts,flags;text" -> text, with the timestamp in front */
static void fz_kmsg_keep(const char *rec)
{
	const char *semi = strchr(rec, ';');
	unsigned long long ts = 0;
	char line[600];
	int prio, n;

	if (fz_kmsg_nr >= FZ_KMSG_KEEP)
		return;
	if (sscanf(rec, "%d,%*u,%llu", &prio, &ts) < 1)
		ts = 0;
	n = snprintf(line, sizeof(line), "[%5llu.%06llu] %s", ts / 1000000,
		     ts % 1000000, semi ? semi + 1 : rec);
	if (n > 0 && line[strlen(line) - 1] == '\n')
		line[strlen(line) - 1] = 0;
	fz_kmsg_report[fz_kmsg_nr++] = strdup(line);
}

/* Read what is new; keep everything from the first report on. */
static bool fz_kmsg_read_locked(void)
{
	char buf[8192];
	bool hit = false;

	if (fz_kmsg_fd < 0)
		return false;
	for (;;) {
		ssize_t n = read(fz_kmsg_fd, buf, sizeof(buf) - 1);
		char *semi, *nl;

		if (n < 0) {
			if (errno == EPIPE)	/* overwritten records: go on */
				continue;
			break;
		}
		if (n == 0)
			break;
		buf[n] = 0;
		/* continuation lines (" KEY=value") are dictionary; drop them */
		nl = strchr(buf, '\n');
		if (nl)
			nl[1] = 0;
		semi = strchr(buf, ';');
		if (!fz_kmsg_hit && semi &&
		    regexec(&fz_report_regex, semi + 1, 0, NULL, 0) == 0) {
			fz_kmsg_hit = true;
			fz_kmsg_hit_op = __atomic_load_n(&fz_opno, __ATOMIC_RELAXED);
			fz_kmsg_hit_ns = fz_now_ns();
			hit = true;
		}
		if (fz_kmsg_hit)
			fz_kmsg_keep(buf);
	}
	return hit;
}

bool fz_kmsg_poll(void)
{
	bool hit;

	if (fz_kmsg_fd < 0)
		return false;
	pthread_mutex_lock(&fz_kmsg_lock);
	hit = fz_kmsg_read_locked();
	pthread_mutex_unlock(&fz_kmsg_lock);
	if (hit) {
		fz_log("kernel report in the kernel log");
		fz_request_stop(FZ_STOP_KERNEL);
	}
	return hit;
}

/* Let the rest of a multi-line report arrive, then print it. */
void fz_kmsg_print_report(void)
{
	unsigned int i, quiet = 0;

	if (!fz_kmsg_hit)
		return;
	/* up to 5 s, until the log has been quiet for half a second */
	for (i = 0; i < 50 && quiet < 5; i++) {
		unsigned int before = fz_kmsg_nr;

		usleep(100000);
		pthread_mutex_lock(&fz_kmsg_lock);
		fz_kmsg_read_locked();
		pthread_mutex_unlock(&fz_kmsg_lock);
		quiet = fz_kmsg_nr == before ? quiet + 1 : 0;
	}
	printf("FUZZ: kernel log from the first report on:\n");
	for (i = 0; i < fz_kmsg_nr; i++)
		printf("FUZZ: | %s\n", fz_kmsg_report[i]);
	fflush(stdout);
}

/* ---------------------------------------------------- fault injection */

/*
 * /proc/thread-self/fail-nth makes the nth fault-injection site this
 * thread reaches fail (CONFIG_FAULT_INJECTION; fuzz.sh turns failslab and
 * fail_page_alloc on for sleeping allocations). Deterministic, unlike the
 * probability knobs.
 */
static __thread int fz_fail_nth_fd = -2;

void fz_fail_nth_arm(struct fz_rng *r)
{
	char buf[16];
	unsigned int nth;

	if (!fz_cfg.fail_nth || !fz_chance(r, fz_cfg.fail_nth, 100))
		return;
	if (fz_fail_nth_fd == -2) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth",
			 (int)syscall(SYS_gettid));
		fz_fail_nth_fd = open(path, O_RDWR | O_CLOEXEC);
		fz_protect_fd(fz_fail_nth_fd);
	}
	if (fz_fail_nth_fd < 0)
		return;
	nth = fz_range(r, 1, 40);
	snprintf(buf, sizeof(buf), "%u", nth);
	if (pwrite(fz_fail_nth_fd, buf, strlen(buf), 0) > 0)
		fz_log("fail-nth %u", nth);
}

void fz_fail_nth_disarm(void)
{
	if (fz_fail_nth_fd >= 0)
		(void)!pwrite(fz_fail_nth_fd, "0", 1, 0);
}

void fz_fail_nth_close(void)
{
	if (fz_fail_nth_fd >= 0)
		close(fz_fail_nth_fd);
	fz_fail_nth_fd = -2;
}

/* ------------------------------------------------------------ watchdog */

void fz_watchdog_arm(unsigned int ms)
{
	struct itimerspec its = { 0 };

	if (!fz_self || !fz_self->has_watchdog)
		return;
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (ms % 1000) * 1000000L;
	/* and again, in case the first one hit between two waits */
	its.it_interval.tv_nsec = 100 * 1000000L;
	timer_settime(fz_self->watchdog, 0, &its, NULL);
}

void fz_watchdog_disarm(void)
{
	struct itimerspec its = { 0 };

	if (fz_self && fz_self->has_watchdog)
		timer_settime(fz_self->watchdog, 0, &its, NULL);
}

/* -------------------------------------------------------- hang monitor */

extern struct fz_thread *fz_threads;

static pthread_t fz_monitor_thread;
static uint64_t fz_kmsg_stop_ns;
static volatile bool fz_monitor_quit;
static int fz_hung_thread = -1;

static void fz_dump_file(const char *path, const char *prefix)
{
	char buf[4096];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f))
		printf("%s%s", prefix, buf);
	fclose(f);
}

static void fz_report_hang(struct fz_thread *t)
{
	char path[128];
	unsigned int i;

	printf("FUZZ: hang: thread %d made no progress for %.0f s in op %llu (%s), seed %llu\n",
	       t->idx, fz_cfg.hang_timeout,
	       (unsigned long long)t->cur_opno,
	       t->cur_op ? (const char *)t->cur_op : "?",
	       (unsigned long long)fz_cfg.seed);
	for (i = 0; i < fz_cfg.threads; i++) {
		struct fz_thread *w = &fz_threads[i];

		printf("FUZZ: thread %d (tid %d, op %llu, %s%s%s) kernel stack:\n",
		       w->idx, w->tid, (unsigned long long)w->cur_opno,
		       w->cur_op ? (const char *)w->cur_op : "?",
		       w->cur_what[0] ? ", in " : "", w->cur_what);
		snprintf(path, sizeof(path), "/proc/self/task/%d/stack", w->tid);
		fz_dump_file(path, "FUZZ: |   ");
	}
	/* blocked tasks to the kernel log, for the report */
	{
		int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			(void)!write(fd, "w", 1);
			close(fd);
		}
	}
	fflush(stdout);
}

static void *fz_monitor_fn(void *arg)
{
	uint64_t last_progress_print = fz_now_ns();
	uint64_t last_ops = 0;

	(void)arg;
	while (!fz_monitor_quit) {
		uint64_t now;
		unsigned int i;

		usleep(200000);
		if (fz_kmsg_fd >= 0 &&
		    pthread_mutex_trylock(&fz_kmsg_lock) == 0) {
			bool hit = fz_kmsg_read_locked();

			pthread_mutex_unlock(&fz_kmsg_lock);
			if (hit)
				fz_request_stop(FZ_STOP_KERNEL);
		}
		now = fz_now_ns();
		for (i = 0; i < fz_cfg.threads && fz_hung_thread < 0; i++) {
			struct fz_thread *t = &fz_threads[i];
			uint64_t p = t->progress_ns;

			if (p && now > p &&
			    (now - p) / 1e9 > fz_cfg.hang_timeout) {
				fz_hung_thread = i;
				fz_request_stop(FZ_STOP_HANG);
				fz_report_hang(t);
			}
		}
		/*
		 * A kernel report stops the workers at their next op; one
		 * that an Oops killed, or that is stuck, never gets there.
		 */
		if (fz_stop_reason == FZ_STOP_KERNEL && !fz_kmsg_stop_ns)
			fz_kmsg_stop_ns = now;
		if (fz_kmsg_stop_ns && now - fz_kmsg_stop_ns > 20000000000ULL) {
			printf("FUZZ: the workers did not stop within 20 s of the kernel report\n");
			fz_report_final();
			_exit(2);
		}
		if (fz_hung_thread >= 0) {
			/* the stuck thread will not come back: report and go */
			usleep(2000000);
			fz_report_final();
			_exit(3);
		}
		if (now - last_progress_print >= 5000000000ULL) {
			uint64_t ops = __atomic_load_n(&fz_opno, __ATOMIC_RELAXED);
			double dt = (now - last_progress_print) / 1e9;

			char line[256];
			int len;

			/* write(2), not stdio: a stuck worker may hold its lock */
			len = snprintf(line, sizeof(line),
			       "xuring-fuzz: %6.0fs %9llu ops (%.0f/s) sqes %llu cqes %llu checked %llu ioctls %llu children %u pcs %llu\n",
			       (now - fz_start_ns) / 1e9,
			       (unsigned long long)ops, (ops - last_ops) / dt,
			       (unsigned long long)fz_stats.sqes,
			       (unsigned long long)fz_stats.cqes,
			       (unsigned long long)fz_stats.cqes_checked,
			       (unsigned long long)fz_stats.ioctls,
			       fz_children_live(),
			       (unsigned long long)fz_cover_pcs());
			(void)!write(1, line, len);
			last_ops = ops;
			last_progress_print = now;
		}
	}
	return NULL;
}

void fz_monitor_start(void)
{
	pthread_create(&fz_monitor_thread, NULL, fz_monitor_fn, NULL);
}

void fz_monitor_stop(void)
{
	fz_monitor_quit = true;
	pthread_join(fz_monitor_thread, NULL);
}

/* -------------------------------------------------- a ring stuck */

/* The first lines of @path that contain @needle ("" for all), at most @max. */
static void fz_dump_lines(const char *path, const char *needle, int max,
			  const char *prefix)
{
	char buf[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (max > 0 && fgets(buf, sizeof(buf), f)) {
		if (strstr(buf, needle)) {
			printf("%s%s", prefix, buf);
			max--;
		}
	}
	fclose(f);
}

/*
 * Who holds the block devices' poll-queue tags: a polled request waits in
 * io-wq for one, and only polling frees them (blk-mq's debugfs).
 */
static void fz_dump_poll_queues(void)
{
	char path[600], type[32];
	struct dirent *dev, *hctx;
	DIR *d = opendir("/sys/kernel/debug/block"), *h;

	if (!d)
		return;
	while ((dev = readdir(d))) {
		if (dev->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/block/%s",
			 dev->d_name);
		h = opendir(path);
		if (!h)
			continue;
		while ((hctx = readdir(h))) {
			FILE *f;

			if (strncmp(hctx->d_name, "hctx", 4))
				continue;
			snprintf(path, sizeof(path),
				 "/sys/kernel/debug/block/%s/%s/type",
				 dev->d_name, hctx->d_name);
			f = fopen(path, "r");
			type[0] = 0;
			if (f) {
				if (!fgets(type, sizeof(type), f))
					type[0] = 0;
				fclose(f);
			}
			if (strncmp(type, "poll", 4))
				continue;
			printf("FUZZ: %s %s (poll queue): tags and busy requests:\n",
			       dev->d_name, hctx->d_name);
			snprintf(path, sizeof(path),
				 "/sys/kernel/debug/block/%s/%s/tags",
				 dev->d_name, hctx->d_name);
			fz_dump_lines(path, "busy=", 2, "FUZZ: |   ");
			snprintf(path, sizeof(path),
				 "/sys/kernel/debug/block/%s/%s/busy",
				 dev->d_name, hctx->d_name);
			fz_dump_lines(path, "", 4, "FUZZ: |   ");
		}
		closedir(h);
	}
	closedir(d);
}

/*
 * What a lost completion leaves to look at: the ring's fdinfo (indexes,
 * overflow backlog, drain list, worker pools) and the kernel stacks of
 * the module's threads (xuring-wq/..., xuring-sq/...).
 */
void fz_dump_ring_state(int fd)
{
	char path[300], comm[64];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/thread-self/fdinfo/%d", fd);
	printf("FUZZ: fdinfo of the ring (fd %d):\n", fd);
	fz_dump_file(path, "FUZZ: |   ");
	d = opendir("/proc");
	if (!d)
		return;
	while ((de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "xuring-", 7)) {
			comm[strcspn(comm, "\n")] = 0;
			printf("FUZZ: kernel stack of %s (pid %s; an empty one is running):\n",
			       comm, de->d_name);
			snprintf(path, sizeof(path), "/proc/%s/stack", de->d_name);
			fz_dump_file(path, "FUZZ: |   ");
		}
		fclose(f);
	}
	closedir(d);
	fz_dump_poll_queues();
	/* running threads show no stack there: the CPUs' backtraces (dmesg) */
	{
		int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			(void)!write(fd, "l", 1);
			close(fd);
			printf("FUZZ: (sysrq l: the CPUs' backtraces are in the kernel log)\n");
		}
	}
	fflush(stdout);
}

/* ------------------------------------------------------------ the end */

static uint64_t fz_sum(const uint64_t *a, unsigned int n)
{
	uint64_t s = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		s += a[i];
	return s;
}

/*
 * Where every SQE went: a CQE we checked, a CQE on a tainted ring, a
 * confirmed silent success, a dropped slot, or abandoned (closed, tainted,
 * unenterable), and why.
 */
void fz_print_counts(void)
{
	const struct fz_stats *st = &fz_stats;
	uint64_t abandoned = fz_sum(st->abandoned, ABANDON_NR);
	uint64_t taints = fz_sum(st->taints, TAINT_NR);
	unsigned int i;

	printf("xuring-fuzz: counts: %llu SQEs submitted: %llu CQEs checked, %llu silent successes confirmed, %llu dropped slots, %llu abandoned, %llu CQEs unchecked (tainted rings); %llu drain markers\n",
	       (unsigned long long)st->sqes,
	       (unsigned long long)st->cqes_checked,
	       (unsigned long long)st->silent,
	       (unsigned long long)st->dropped,
	       (unsigned long long)abandoned,
	       (unsigned long long)st->cqes_unchecked,
	       (unsigned long long)st->markers);
	for (i = 0; i < ABANDON_NR; i++)
		if (st->abandoned[i])
			printf("xuring-fuzz:   abandoned %llu: %s\n",
			       (unsigned long long)st->abandoned[i],
			       fz_abandon_names[i]);
	printf("xuring-fuzz: counts: %llu ring taints", (unsigned long long)taints);
	for (i = 0; i < TAINT_NR; i++)
		if (st->taints[i])
			printf("%s %llu %s", i ? "," : ":",
			       (unsigned long long)st->taints[i], fz_taint_names[i]);
	printf("; %llu rings closed with every CQE in, %llu closes in all\n",
	       (unsigned long long)st->quiesced, (unsigned long long)st->closes);
	printf("xuring-fuzz: counts: %llu verified reads (%llu bytes compared), %llu exact results (/dev/null, /dev/zero), %llu ops refused by allowed_ops, %llu programs, %llu resets (%.1f s); ring closes: %.1f s waiting for CQEs, %.1f s closing\n",
	       (unsigned long long)st->verified_reads,
	       (unsigned long long)st->verified_bytes,
	       (unsigned long long)st->exact_results,
	       (unsigned long long)st->denied,
	       (unsigned long long)st->programs,
	       (unsigned long long)st->resets, st->reset_ns / 1e9,
	       st->quiesce_ns / 1e9, st->teardown_ns / 1e9);
	printf("xuring-fuzz: counts: shapes: %llu forks, %llu execs (%llu CLONE_VM siblings), %llu vforks, %llu ring fds sent / %llu received, %llu credential changes, %llu rings whose creator thread exited, %llu 32-bit ioctls\n",
	       (unsigned long long)st->forks, (unsigned long long)st->execs,
	       (unsigned long long)st->siblings, (unsigned long long)st->vforks,
	       (unsigned long long)st->scm_sent,
	       (unsigned long long)st->scm_received,
	       (unsigned long long)st->cred_changes,
	       (unsigned long long)st->thread_rings,
	       (unsigned long long)st->compat_ioctls);
	fz_cover_print();
}

static const char *fz_stop_names[] = {
	[FZ_RUNNING] = "running",
	[FZ_STOP_DONE] = "clean",
	[FZ_STOP_SIGNAL] = "interrupted",
	[FZ_STOP_FAIL] = "self-check failure",
	[FZ_STOP_KERNEL] = "kernel report",
	[FZ_STOP_HANG] = "hang",
};

void fz_report_final(void)
{
	int reason = fz_stop_reason;
	uint64_t ops = fz_opno;
	double secs = (fz_now_ns() - fz_start_ns) / 1e9;

	switch (reason) {
	case FZ_STOP_KERNEL:
		printf("FUZZ: kernel report at op %llu, seed %llu\n",
		       (unsigned long long)fz_kmsg_hit_op,
		       (unsigned long long)fz_cfg.seed);
		fz_print_log(fz_cfg.log_lines);
		fz_kmsg_print_report();
		break;
	case FZ_STOP_FAIL:
		printf("FUZZ: self-check failure at op %llu, seed %llu: %s\n",
		       (unsigned long long)ops, (unsigned long long)fz_cfg.seed,
		       fz_fail_msg);
		fz_print_log(fz_cfg.log_lines);
		/* a kernel report may explain it */
		fz_kmsg_poll();
		fz_kmsg_print_report();
		break;
	case FZ_STOP_HANG:
		fz_print_log(fz_cfg.log_lines);
		fz_kmsg_poll();
		fz_kmsg_print_report();
		break;
	}
	if (reason == FZ_STOP_KERNEL || reason == FZ_STOP_FAIL ||
	    reason == FZ_STOP_HANG) {
		char args[2048];

		fz_replay_args(args, sizeof(args));
		printf("FUZZ: seed %llu; replay: xuring-fuzz %s%s\n",
		       (unsigned long long)fz_cfg.seed, args,
		       fz_cfg.threads > 1 ?
		       "   (single-threaded: the exact replay mode; this run had --threads, so the interleaving differs)" : "");
		if (reason == FZ_STOP_KERNEL)
			printf("FUZZ: the report came at op %llu\n",
			       (unsigned long long)fz_kmsg_hit_op);
	}
	(void)fz_kmsg_hit_ns;
	fz_print_counts();
	printf("xuring-fuzz: done: seed %llu, %llu ops in %.1f s (%.0f/s), %llu sqes, %llu cqes, %llu ioctls, %llu forks: %s\n",
	       (unsigned long long)fz_cfg.seed, (unsigned long long)ops, secs,
	       secs > 0 ? ops / secs : 0.0,
	       (unsigned long long)fz_stats.sqes,
	       (unsigned long long)fz_stats.cqes,
	       (unsigned long long)fz_stats.ioctls,
	       (unsigned long long)fz_stats.forks,
	       fz_stop_names[reason]);
	fflush(stdout);
}
