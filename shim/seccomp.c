/* seccomp.c — see seccomp.h. libseccomp does the BPF; this file only reads the compact profile. */
#define _GNU_SOURCE
#include "seccomp.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_ARGS 6

/* "allow", "errno:1", ... → SCMP_ACT_*; 0 or -1. */
static int parse_action(const char *word, uint32_t *action)
{
	uint64_t n = 0;
	const char *colon = strchr(word, ':');
	size_t len = colon ? (size_t)(colon - word) : strlen(word);
	if (colon && (parse_u64(colon + 1, &n) < 0 || n > 0xffff))
		return -1;
#define IS(name) (len == strlen(name) && strncmp(word, name, len) == 0)
	if (IS("allow") && !colon) *action = SCMP_ACT_ALLOW;
	else if (IS("errno") && colon) *action = SCMP_ACT_ERRNO((uint16_t)n);
	else if (IS("kill_thread") && !colon) *action = SCMP_ACT_KILL;
	else if (IS("kill_process") && !colon) *action = SCMP_ACT_KILL_PROCESS;
	else if (IS("trap") && !colon) *action = SCMP_ACT_TRAP;
	else if (IS("log") && !colon) *action = SCMP_ACT_LOG;
	else if (IS("trace") && colon) *action = SCMP_ACT_TRACE((uint16_t)n);
	else return -1;
#undef IS
	return 0;
}

/* "1:me:2114060288:0" → one comparison; 0 or -1. */
static int parse_cond(char *word, struct scmp_arg_cmp *c)
{
	static const struct { const char *name; enum scmp_compare op; } ops[] = {
		{ "ne", SCMP_CMP_NE }, { "lt", SCMP_CMP_LT }, { "le", SCMP_CMP_LE }, { "eq", SCMP_CMP_EQ },
		{ "ge", SCMP_CMP_GE }, { "gt", SCMP_CMP_GT }, { "me", SCMP_CMP_MASKED_EQ },
	};
	char *save = NULL, *idx = strtok_r(word, ":", &save), *op = strtok_r(NULL, ":", &save);
	char *v1 = strtok_r(NULL, ":", &save), *v2 = strtok_r(NULL, ":", &save);
	uint64_t i;
	memset(c, 0, sizeof *c);
	if (!idx || !op || !v1 || parse_u64(idx, &i) < 0 || i >= MAX_ARGS || parse_u64(v1, &c->datum_a) < 0)
		return -1;
	if (v2 && parse_u64(v2, &c->datum_b) < 0)
		return -1;
	c->arg = (unsigned int)i;
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
		if (strcmp(op, ops[k].name) == 0) {
			c->op = ops[k].op;
			return (c->op == SCMP_CMP_MASKED_EQ) == (v2 != NULL) ? 0 : -1;
		}
	return -1;
}

/* One rule line, tokenised in place. */
static int add_rule(scmp_filter_ctx ctx, uint32_t dflt, char *line, int lineno)
{
	char *save = NULL, *act = strtok_r(line, " ", &save), *name = strtok_r(NULL, " ", &save);
	uint32_t action;
	if (!act || !name || parse_action(act, &action) < 0)
		return fail("seccomp profile line %d: want ACTION SYSCALL [ARG...]", lineno);
	bool optional = name[0] == '?';
	if (optional)
		name++;
	struct scmp_arg_cmp conds[MAX_ARGS];
	unsigned int n = 0;
	for (char *w = strtok_r(NULL, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (n == MAX_ARGS || parse_cond(w, &conds[n++]) < 0)
			return fail("seccomp profile line %d: bad argument condition for %s", lineno, name);
	}
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) {
		if (optional)
			return 0;
		return fail("seccomp profile: unknown syscall \"%s\"", name);
	}
	/* libseccomp refuses a rule whose action is the default one; it changes nothing. */
	if (action == dflt)
		return 0;
	int rc = seccomp_rule_add_array(ctx, action, nr, n, conds);
	if (rc < 0)
		return fail("seccomp profile line %d: rule for %s: %s", lineno, name, strerror(-rc));
	return 0;
}

static int header_line(scmp_filter_ctx ctx, char *line, int lineno)
{
	char *save = NULL, *key = strtok_r(line, " ", &save), *value = strtok_r(NULL, " ", &save);
	int rc = 0;
	if (strcmp(key, "arch") == 0 && value) {
		uint32_t arch = seccomp_arch_resolve_name(value);
		if (arch == 0)
			return fail("seccomp profile: unknown architecture \"%s\"", value);
		rc = seccomp_arch_add(ctx, arch);
		if (rc == -EEXIST)
			rc = 0;
	} else if (strcmp(key, "flag") == 0 && value && strcmp(value, "log") == 0) {
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	} else if (strcmp(key, "flag") == 0 && value && strcmp(value, "spec_allow") == 0) {
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
	} else {
		return fail("seccomp profile line %d: unknown setting \"%s\"", lineno, key);
	}
	if (rc < 0)
		return fail("seccomp profile line %d: %s %s: %s", lineno, key, value, strerror(-rc));
	return 0;
}

/* The filter of a compact profile; NULL with fail(). */
static scmp_filter_ctx build(const char *text)
{
	char *copy = strdup(text);
	if (!copy) {
		fail("seccomp profile: out of memory");
		return NULL;
	}
	scmp_filter_ctx ctx = NULL;
	uint32_t dflt = 0;
	int lineno = 0, rc = 0;
	for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line && rc == 0; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, "nodelet-seccomp 1") != 0)
				rc = fail("seccomp profile: not a compiled profile (first line \"%.40s\")", line);
		} else if (lineno == 2) {
			if (strncmp(line, "default ", 8) != 0 || parse_action(line + 8, &dflt) < 0)
				rc = fail("seccomp profile line 2: want \"default ACTION\"");
			else if ((ctx = seccomp_init(dflt)) == NULL)
				rc = fail("seccomp profile: seccomp_init failed");
			/* no_new_privs is process.c's decision, never a side effect of loading. */
			else if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0)
				rc = fail("seccomp profile: cannot leave no_new_privs alone");
		} else if (strncmp(line, "arch ", 5) == 0 || strncmp(line, "flag ", 5) == 0) {
			rc = header_line(ctx, line, lineno);
		} else {
			rc = add_rule(ctx, dflt, line, lineno);
		}
	}
	free(copy);
	if (rc == 0 && ctx == NULL)
		rc = fail("seccomp profile: empty");
	if (rc < 0 && ctx) {
		seccomp_release(ctx);
		ctx = NULL;
	}
	return ctx;
}

#define PROG_MAGIC "NLSC"
#define PROG_MAX_INSNS 4096   /* BPF_MAXINSNS */

/* Reads a whole small file into a new buffer; byte count or -1 with fail(). */
static ssize_t slurp(const char *path, size_t max, char **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return fail_errno("seccomp: open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return fail("seccomp: %s is not a regular file of at most %zu bytes", path, max);
	}
	char *buf = malloc((size_t)st.st_size + 1);
	ssize_t n = buf ? read_full(fd, buf, (size_t)st.st_size) : -1;
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return fail("seccomp: cannot read %s", path);
	}
	buf[n] = '\0';
	*out = buf;
	return n;
}

int seccomp_read(const char *path, struct seccomp_prog *prog)
{
	char *buf;
	ssize_t n = slurp(path, 8 + PROG_MAX_INSNS * sizeof(struct sock_filter), &buf);
	if (n < 0)
		return -1;
	size_t body = (size_t)n - 8;
	if (n < 8 || memcmp(buf, PROG_MAGIC, 4) != 0 || body == 0 || body % sizeof(struct sock_filter) != 0) {
		free(buf);
		return fail("seccomp: %s is not a compiled filter", path);
	}
	memcpy(&prog->flags, buf + 4, 4);
	prog->len = (unsigned short)(body / sizeof(struct sock_filter));
	prog->insns = malloc(body);
	if (prog->insns)
		memcpy(prog->insns, buf + 8, body);
	free(buf);
	return prog->insns ? 0 : fail("seccomp: out of memory");
}

int seccomp_apply(const struct seccomp_prog *prog)
{
	struct sock_fprog fprog = { .len = prog->len, .filter = prog->insns };
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, prog->flags, &fprog) < 0)
		return fail_errno("load seccomp filter");
	return 0;
}

/* The load flags the profile asked for (flag lines), as seccomp(2) takes them. */
static uint32_t load_flags(scmp_filter_ctx ctx)
{
	uint32_t v = 0, flags = 0;
	if (seccomp_attr_get(ctx, SCMP_FLTATR_CTL_LOG, &v) == 0 && v)
		flags |= SECCOMP_FILTER_FLAG_LOG;
	if (seccomp_attr_get(ctx, SCMP_FLTATR_CTL_SSB, &v) == 0 && v)
		flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	return flags;
}

static int compile_to(const char *text, int fd)
{
	scmp_filter_ctx ctx = build(text);
	if (!ctx)
		return -1;
	uint32_t flags = load_flags(ctx);
	int rc = write_all(fd, PROG_MAGIC, 4) < 0 || write_all(fd, &flags, 4) < 0 ? -errno : seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (rc < 0)
		return fail("seccomp profile: cannot generate the filter: %s", strerror(-rc));
	return 0;
}

int cmd_seccomp_compile(int argc, char **argv)
{
	char *text = NULL;
	int rc = argc == 3 ? 0 : fail("usage: nodelet-shim seccomp-compile IN OUT");
	if (rc == 0 && slurp(argv[1], SECCOMP_PROFILE_MAX, &text) < 0)
		rc = -1;
	if (rc == 0) {
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
		rc = fd < 0 ? fail_errno("seccomp: create %s", argv[2]) : compile_to(text, fd);
		if (fd >= 0 && close(fd) < 0 && rc == 0)
			rc = fail_errno("seccomp: write %s", argv[2]);
	}
	free(text);
	if (rc < 0) {
		printf("error %s\n", err_msg());
		return 1;
	}
	printf("ok\n");
	return 0;
}
