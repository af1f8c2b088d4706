/* devices.c — see devices.h. The program is runc's devicefilter shape: load the
 * request once, then one block per rule that jumps to the next rule on any
 * mismatch and returns 1 (allow) at its end; 0 (deny) after the last. */
#define _GNU_SOURCE
#include "devices.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ALU32_IMM(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define MOV32_REG(d, s) INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define JNE_IMM(d, i) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, 0, i)  /* offset patched per block */
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Per rule at most 7 instructions; 4 to load the request, 2 to deny. */
#define PROG_MAX (6 + 7 * DEVICE_RULES_MAX)

static int parse_num(const char *s, long *out)
{
	if (strcmp(s, "*") == 0) {
		*out = -1;
		return 0;
	}
	uint64_t v;
	if (parse_u64(s, &v) < 0 || v > 0xfffff)
		return -1;
	*out = (long)v;
	return 0;
}

int device_rule_parse(const char *text, struct device_rule *r)
{
	char type, numbers[48], access[8];
	if (sscanf(text, "%c %47s %7s", &type, numbers, access) != 3 || strchr("acb", type) == NULL)
		return fail("device rule \"%s\": want TYPE MAJOR:MINOR ACCESS (\"c 1:3 rwm\")", text);
	char *colon = strchr(numbers, ':');
	if (!colon)
		return fail("device rule \"%s\": want MAJOR:MINOR", text);
	*colon = '\0';
	if (parse_num(numbers, &r->major) < 0 || parse_num(colon + 1, &r->minor) < 0)
		return fail("device rule \"%s\": bad major or minor", text);
	r->type = type;
	r->access = 0;
	for (const char *a = access; *a; a++) {
		if (*a == 'r') r->access |= BPF_DEVCG_ACC_READ;
		else if (*a == 'w') r->access |= BPF_DEVCG_ACC_WRITE;
		else if (*a == 'm') r->access |= BPF_DEVCG_ACC_MKNOD;
		else return fail("device rule \"%s\": access is a combination of r, w, m", text);
	}
	return 0;
}

/* r2 = type, r3 = access, r4 = major, r5 = minor (struct bpf_cgroup_dev_ctx). */
static int emit_rule(struct bpf_insn *p, const struct device_rule *r)
{
	const unsigned all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
	int n = 0;
	if (r->type != 'a')
		p[n++] = JNE_IMM(2, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
	if ((r->access & all) != all) {
		/* Every access asked for must be in the rule: (asked & ~allowed) == 0. */
		p[n++] = MOV32_REG(1, 3);
		p[n++] = ALU32_IMM(BPF_AND, 1, (int)(~r->access & all));
		p[n++] = JNE_IMM(1, 0);
	}
	if (r->major >= 0)
		p[n++] = JNE_IMM(4, (int)r->major);
	if (r->minor >= 0)
		p[n++] = JNE_IMM(5, (int)r->minor);
	p[n++] = MOV64_IMM(0, 1);
	p[n++] = EXIT;
	/* A mismatch jumps past this block's end: to the next rule. */
	for (int i = 0; i < n; i++)
		if (p[i].code == (BPF_JMP | BPF_JNE | BPF_K))
			p[i].off = (short)(n - i - 1);
	return n;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

int devices_attach(const char *dir, const struct device_rule *rules, int nrules)
{
	static struct bpf_insn prog[PROG_MAX];
	if (nrules > DEVICE_RULES_MAX)
		return fail("device filter: more than %d rules", DEVICE_RULES_MAX);
	int n = 0;
	prog[n++] = LDX_W(2, 1, 0);
	prog[n++] = ALU32_IMM(BPF_AND, 2, 0xffff);
	prog[n++] = LDX_W(3, 1, 0);
	prog[n++] = ALU32_IMM(BPF_RSH, 3, 16);
	prog[n++] = LDX_W(4, 1, 4);
	prog[n++] = LDX_W(5, 1, 8);
	for (int i = 0; i < nrules; i++)
		n += emit_rule(prog + n, &rules[i]);
	prog[n++] = MOV64_IMM(0, 0);
	prog[n++] = EXIT;

	union bpf_attr load = { 0 };
	load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	load.insns = (uint64_t)(uintptr_t)prog;
	load.insn_cnt = (uint32_t)n;
	load.license = (uint64_t)(uintptr_t)"Apache";
	int progfd = sys_bpf(BPF_PROG_LOAD, &load);
	if (progfd < 0) {
		/* Again with the verifier's log, for the message. */
		int saved = errno;
		char log[512] = "";
		load.log_buf = (uint64_t)(uintptr_t)log;
		load.log_size = sizeof log;
		load.log_level = 1;
		sys_bpf(BPF_PROG_LOAD, &load);
		errno = saved;
		return fail_errno("device filter: load the BPF program%s%.200s", log[0] ? ": " : "", log);
	}
	int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0) {
		close(progfd);
		return fail_errno("device filter: open cgroup %s", dir);
	}
	union bpf_attr attach = { 0 };
	attach.target_fd = (uint32_t)cgfd;
	attach.attach_bpf_fd = (uint32_t)progfd;
	attach.attach_type = BPF_CGROUP_DEVICE;
	attach.attach_flags = BPF_F_ALLOW_MULTI;
	int rc = sys_bpf(BPF_PROG_ATTACH, &attach);
	if (rc < 0)
		fail_errno("device filter: attach to cgroup %s", dir);
	close(cgfd);
	close(progfd);
	return rc;
}
