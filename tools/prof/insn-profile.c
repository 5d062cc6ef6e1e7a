// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin that counts the guest's kernel instructions by the
 * translation block they ran in. At exit it writes "# marks N", then one
 * line per block that ran, "ADDRESS INSNS RUNS" (address in hex), for
 * profile.sh to attribute to kernel symbols. Under -icount an instruction
 * is the unit of guest time, so this is an exact profile of where the
 * time went.
 *
 * A program marks the stretch to profile by executing "xchg %bx, %bx"
 * (66 87 db, which changes nothing) before and after it, as
 * xuring-bench --profile-marks does: with two marks, only the kernel
 * instructions that ran between them are written; with none, all.
 *
 *	qemu-system-x86_64 ... -plugin insn-profile.so,arg=out=FILE
 *
 * QEMU's plugin API is declared here rather than included: Debian ships
 * QEMU with plugin support but without its header. These are the
 * declarations of API version 1, the one bookworm's QEMU 7.2 speaks.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
					    void *userdata);
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS,
	QEMU_PLUGIN_CB_R_REGS,
	QEMU_PLUGIN_CB_RW_REGS,
};

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *userdata);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *userdata);

#define EXPORT __attribute__((visibility("default")))

EXPORT int qemu_plugin_version = 1;

/* x86-64 kernel addresses: the upper half */
#define KERNEL_START	0xffff800000000000ull

/*
 * One per translation. A block translated again (after a TLB or code
 * cache flush) gets a new one: profile.sh adds them up by address.
 */
struct block {
	uint64_t addr;
	uint64_t runs;		/* bumped inline by the translated code */
	uint64_t at_start;	/* runs at the first mark */
	uint64_t at_end;	/* runs at the second mark */
	uint32_t insns;
};

/* xchg %bx, %bx */
static const unsigned char mark_insn[] = { 0x66, 0x87, 0xdb };

#define CHUNK_BLOCKS	65536

static struct block **chunks;
static size_t nr_blocks, nr_chunks;
static const char *out_path = "insn-profile.out";
static unsigned int marks;

static struct block *block_at(size_t i)
{
	return &chunks[i / CHUNK_BLOCKS][i % CHUNK_BLOCKS];
}

/* Runs before the marking instruction: snapshot every counter. */
static void on_mark(unsigned int vcpu_index __attribute__((unused)),
		    void *userdata __attribute__((unused)))
{
	size_t i;

	marks++;
	for (i = 0; i < nr_blocks; i++) {
		struct block *b = block_at(i);

		if (marks == 1)
			b->at_start = b->runs;
		else if (marks == 2)
			b->at_end = b->runs;
	}
}

/* User space is not counted, only searched for marks. */
static void find_marks(struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);

	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_size(insn) == sizeof(mark_insn) &&
		    !memcmp(qemu_plugin_insn_data(insn), mark_insn,
			    sizeof(mark_insn)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}
}

static struct block *new_block(void)
{
	if (nr_blocks == nr_chunks * CHUNK_BLOCKS) {
		struct block **c = realloc(chunks, (nr_chunks + 1) * sizeof(*c));

		if (!c)
			return NULL;
		chunks = c;
		chunks[nr_chunks] = calloc(CHUNK_BLOCKS, sizeof(struct block));
		if (!chunks[nr_chunks])
			return NULL;
		nr_chunks++;
	}
	return block_at(nr_blocks++);
}

static void on_translate(qemu_plugin_id_t id __attribute__((unused)),
			 struct qemu_plugin_tb *tb)
{
	uint64_t addr = qemu_plugin_tb_vaddr(tb);
	struct block *b;

	if (addr < KERNEL_START) {
		find_marks(tb);
		return;
	}
	b = new_block();
	if (!b) {
		fprintf(stderr, "insn-profile: out of memory\n");
		exit(1);
	}
	b->addr = addr;
	b->insns = qemu_plugin_tb_n_insns(tb);
	/* not atomic: profile with one vCPU */
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->runs, 1);
}

static void at_qemu_exit(qemu_plugin_id_t id __attribute__((unused)),
			 void *userdata __attribute__((unused)))
{
	FILE *f = fopen(out_path, "w");
	size_t i;

	if (!f) {
		perror(out_path);
		return;
	}
	fprintf(f, "# marks %u\n", marks);
	for (i = 0; i < nr_blocks; i++) {
		struct block *b = block_at(i);
		/* blocks translated after the first mark start from 0 */
		uint64_t runs = marks == 2 ? b->at_end - b->at_start : b->runs;

		if (runs)
			fprintf(f, "%016llx %u %llu\n",
				(unsigned long long)b->addr, b->insns,
				(unsigned long long)runs);
	}
	fclose(f);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
			       const qemu_info_t *info __attribute__((unused)),
			       int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4)) {
			out_path = argv[i] + 4;
		} else {
			fprintf(stderr, "insn-profile: unknown argument '%s' (out=FILE)\n",
				argv[i]);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, at_qemu_exit, NULL);
	return 0;
}
