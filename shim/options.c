/*
 * options.c — hand-rolled flag parsing (getopt cannot take the 3 and 4 values
 * of --bind and --bind-sub). Each parse_*_opt() looks at argv[i] and returns
 * how many entries it consumed, 0 when the flag is not its own, -1 on error.
 */
#define _GNU_SOURCE
#include "options.h"

#include "caps.h"
#include "devices.h"
#include "seccomp.h"
#include "spec_fd.h"
#include "util.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

/* True when argv[i] is `name` and the flag's nargs values are present. */
static bool is_flag(int argc, char **argv, int i, const char *name, int nargs, int *consumed)
{
	if (strcmp(argv[i], name) != 0)
		return false;
	if (i + nargs >= argc) {
		*consumed = fail("%s needs %d value%s", name, nargs, nargs == 1 ? "" : "s");
		return true;
	}
	*consumed = 1 + nargs;
	return true;
}

static int set_id(const char *flag, const char *value, unsigned int *out)
{
	uint64_t v;
	if (parse_u64(value, &v) < 0 || v > 0xfffffffe)
		return fail("%s: invalid id \"%s\"", flag, value);
	*out = (unsigned int)v;
	return 0;
}

static int set_groups(struct process_spec *p, const char *list)
{
	char *copy = strdup(list);
	if (copy == NULL)
		return fail("--groups: out of memory");
	free(p->groups);
	p->groups = calloc(strlen(list) / 2 + 1, sizeof(gid_t));
	p->ngroups = 0;
	if (p->groups == NULL) {
		free(copy);
		return fail("--groups: out of memory");
	}
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (set_id("--groups", tok, &p->groups[p->ngroups]) < 0) {
			free(copy);
			return -1;
		}
		p->ngroups++;
	}
	free(copy);
	return 0;
}

static int set_cap(struct process_spec *p, const char *name)
{
	if (strcasecmp(name, "ALL") == 0 || strcasecmp(name, "CAP_ALL") == 0) {
		p->caps = ~0ULL;
		return 0;
	}
	int cap = cap_from_name(name);
	if (cap < 0)
		return fail("--cap: unknown capability \"%s\"", name);
	p->caps |= 1ULL << cap;
	return 0;
}

/* Flags of the process: --cwd --env --uid --gid --groups --cap --no-new-privs --privileged --seccomp --redact. */
static int parse_process_opt(struct process_spec *p, int argc, char **argv, int i)
{
	int n = 0;
	if (is_flag(argc, argv, i, "--cwd", 1, &n) && n > 0)
		p->cwd = argv[i + 1];
	else if (is_flag(argc, argv, i, "--env", 1, &n) && n > 0)
		p->env[p->nenv++] = argv[i + 1];
	else if (is_flag(argc, argv, i, "--uid", 1, &n) && n > 0)
		return set_id("--uid", argv[i + 1], &p->uid) < 0 ? -1 : n;
	else if (is_flag(argc, argv, i, "--gid", 1, &n) && n > 0)
		return set_id("--gid", argv[i + 1], &p->gid) < 0 ? -1 : n;
	else if (is_flag(argc, argv, i, "--groups", 1, &n) && n > 0)
		return set_groups(p, argv[i + 1]) < 0 ? -1 : n;
	else if (is_flag(argc, argv, i, "--cap", 1, &n) && n > 0)
		return set_cap(p, argv[i + 1]) < 0 ? -1 : n;
	else if (is_flag(argc, argv, i, "--no-new-privs", 0, &n))
		p->no_new_privs = true;
	else if (is_flag(argc, argv, i, "--privileged", 0, &n))
		p->privileged = true;
	else if (is_flag(argc, argv, i, "--redact", 2, &n) && n > 0)
		return err_redact(argv[i + 1], argv[i + 2]) < 0 ? -1 : n;
	else if (is_flag(argc, argv, i, "--seccomp", 1, &n) && n > 0)
		/* Read now, in the host's mount namespace: the path is the daemon's, gone after pivot_root or setns. */
		return (p->seccomp = calloc(1, sizeof *p->seccomp)) == NULL || seccomp_read(argv[i + 1], p->seccomp) < 0 ? -1 : n;
	return n;
}

static int add_mount(struct container_spec *s, enum mount_kind kind, char **v)
{
	struct user_mount *m = &s->mounts[s->nmounts++];
	m->kind = kind;
	if (kind == MOUNT_BIND) {
		m->src = v[0], m->dst = v[1], m->opts = v[2];
	} else if (kind == MOUNT_BIND_SUB) {
		m->volroot = v[0], m->subpath = v[1], m->dst = v[2], m->opts = v[3];
	} else {
		m->dst = v[0], m->opts = v[1];
	}
	if (m->dst[0] != '/')
		return fail("mount destination \"%s\" must be an absolute path", m->dst);
	return 0;
}

/* Root filesystem and mount flags. */
static int parse_mount_opt(struct container_spec *s, int argc, char **argv, int i)
{
	int n = 0;
	char **v = argv + i + 1;
	if (is_flag(argc, argv, i, "--rootfs", 1, &n) && n > 0)
		s->rootfs = v[0];
	else if (is_flag(argc, argv, i, "--lower", 1, &n) && n > 0)
		s->lower = v[0];
	else if (is_flag(argc, argv, i, "--upper", 1, &n) && n > 0)
		s->upper = v[0];
	else if (is_flag(argc, argv, i, "--work", 1, &n) && n > 0)
		s->work = v[0];
	else if (is_flag(argc, argv, i, "--readonly-rootfs", 0, &n))
		s->readonly_rootfs = true;
	else if (is_flag(argc, argv, i, "--shm", 1, &n) && n > 0)
		s->shm = v[0];
	else if (is_flag(argc, argv, i, "--bind", 3, &n) && n > 0)
		return add_mount(s, MOUNT_BIND, v) < 0 ? -1 : n;
	else if (is_flag(argc, argv, i, "--bind-sub", 4, &n) && n > 0)
		return add_mount(s, MOUNT_BIND_SUB, v) < 0 ? -1 : n;
	else if (is_flag(argc, argv, i, "--tmpfs", 2, &n) && n > 0)
		return add_mount(s, MOUNT_TMPFS, v) < 0 ? -1 : n;
	else if (is_flag(argc, argv, i, "--masked", 1, &n) && n > 0)
		s->masked[s->nmasked++] = v[0];
	else if (is_flag(argc, argv, i, "--readonly", 1, &n) && n > 0)
		s->readonly[s->nreadonly++] = v[0];
	return n;
}

static int add_ns(struct container_spec *s, const char *arg)
{
	static const struct { const char *name; int type; } types[] = {
		{ "net", CLONE_NEWNET }, { "uts", CLONE_NEWUTS }, { "ipc", CLONE_NEWIPC }, { "pid", CLONE_NEWPID },
		{ "user", CLONE_NEWUSER },
	};
	const char *colon = strchr(arg, ':');
	for (size_t t = 0; colon && t < sizeof types / sizeof types[0]; t++) {
		if (strncmp(arg, types[t].name, (size_t)(colon - arg)) == 0 && strlen(types[t].name) == (size_t)(colon - arg)) {
			s->ns[s->nns].type = types[t].type;
			s->ns[s->nns++].path = colon + 1;
			return 0;
		}
	}
	return fail("--ns \"%s\": want TYPE:PATH with TYPE one of net, uts, ipc, pid, user", arg);
}

static int set_size(const char *flag, const char *value, uint64_t *out)
{
	if (parse_u64(value, out) < 0)
		return fail("%s: invalid number \"%s\"", flag, value);
	return 0;
}

/* Monitor-only flags: identity, logs, exit file, cgroups, namespaces, stdin. */
static int parse_monitor_opt(struct container_spec *s, int argc, char **argv, int i)
{
	int n = 0;
	char **v = argv + i + 1;
	uint64_t files;
	if (is_flag(argc, argv, i, "--id", 1, &n) && n > 0)
		s->id = v[0];
	else if (is_flag(argc, argv, i, "--log", 1, &n) && n > 0)
		s->log_path = v[0];
	else if (is_flag(argc, argv, i, "--log-max-size", 1, &n) && n > 0)
		return set_size("--log-max-size", v[0], &s->log_max_size) < 0 ? -1 : n;
	else if (is_flag(argc, argv, i, "--log-max-files", 1, &n) && n > 0) {
		if (set_size("--log-max-files", v[0], &files) < 0 || files < 1 || files > 1000)
			return fail("--log-max-files: want 1..1000, got \"%s\"", v[0]);
		s->log_max_files = (int)files;
	} else if (is_flag(argc, argv, i, "--exit-file", 1, &n) && n > 0)
		s->exit_file = v[0];
	else if (is_flag(argc, argv, i, "--oom-file", 1, &n) && n > 0)
		s->oom_file = v[0];
	else if (is_flag(argc, argv, i, "--cgroup", 1, &n) && n > 0)
		s->cgroups[s->ncgroups++] = v[0];
	else if (is_flag(argc, argv, i, "--ns", 1, &n) && n > 0)
		return add_ns(s, v[0]) < 0 ? -1 : n;
	else if (is_flag(argc, argv, i, "--uts-hostname", 1, &n) && n > 0)
		s->uts_hostname = v[0];
	else if (is_flag(argc, argv, i, "--stdin-fifo", 1, &n) && n > 0)
		s->stdin_fifo = v[0];
	else if (is_flag(argc, argv, i, "--control-fifo", 1, &n) && n > 0)
		s->control_fifo = v[0];
	else if (is_flag(argc, argv, i, "--tty", 0, &n))
		s->tty = true;
	else if (is_flag(argc, argv, i, "--cgroupfs", 1, &n) && n > 0)
		s->cgroupfs[s->ncgroupfs++] = v[0];
	else if (is_flag(argc, argv, i, "--device-cgroup", 1, &n) && n > 0)
		s->device_cgroup = v[0];
	else if (is_flag(argc, argv, i, "--device", 1, &n) && n > 0) {
		if (s->ndevices == DEVICE_RULES_MAX)
			return fail("--device: more than %d rules", DEVICE_RULES_MAX);
		return device_rule_parse(v[0], &s->devices[s->ndevices++]) < 0 ? -1 : n;
	}
	return n;
}

/* Allocates every repeatable list with room for argc entries: no flag can appear more often. */
static int alloc_process(struct process_spec *p, int argc)
{
	p->cwd = "/";
	p->env = calloc((size_t)argc + 1, sizeof(char *));
	return p->env ? 0 : fail("out of memory");
}

/* Collects COMMAND after "--"; fails if it is missing. */
static int take_command(struct process_spec *p, int argc, char **argv, int i)
{
	if (i >= argc || strcmp(argv[i], "--") != 0)
		return fail("missing \"-- COMMAND [ARG...]\"");
	if (i + 1 >= argc)
		return fail("missing COMMAND after \"--\"");
	p->argv = argv + i + 1;
	return 0;
}

static int unknown(const char *arg)
{
	return fail("unknown flag \"%s\"", arg);
}

int parse_container_args(int argc, char **argv, struct container_spec *s)
{
	memset(s, 0, sizeof *s);
	if (spec_fd_expand(&argc, &argv) < 0)
		return -1;
	s->id = "";
	s->log_max_size = 10485760;
	s->log_max_files = 5;
	s->cgroups = calloc((size_t)argc, sizeof(char *));
	s->ns = calloc((size_t)argc, sizeof(struct ns_join));
	s->mounts = calloc((size_t)argc, sizeof(struct user_mount));
	s->masked = calloc((size_t)argc, sizeof(char *));
	s->readonly = calloc((size_t)argc, sizeof(char *));
	s->devices = calloc(DEVICE_RULES_MAX, sizeof(struct device_rule));
	s->cgroupfs = calloc((size_t)argc, sizeof(char *));
	if (alloc_process(&s->proc, argc) < 0 || !s->cgroups || !s->ns || !s->mounts || !s->masked || !s->readonly ||
	    !s->devices || !s->cgroupfs)
		return fail("out of memory");
	int i = 1;
	while (i < argc && strcmp(argv[i], "--") != 0) {
		int n = parse_monitor_opt(s, argc, argv, i);
		if (n == 0)
			n = parse_mount_opt(s, argc, argv, i);
		if (n == 0)
			n = parse_process_opt(&s->proc, argc, argv, i);
		if (n <= 0)
			return n < 0 ? -1 : unknown(argv[i]);
		i += n;
	}
	if (s->rootfs == NULL)
		return fail("--rootfs is required");
	if (s->lower && s->upper && s->work == NULL)
		return fail("--upper needs --work");
	if (s->ndevices && s->device_cgroup == NULL)
		return fail("--device needs --device-cgroup");
	if (s->tty && s->log_path == NULL)
		return fail("--tty needs --log: the terminal's output goes to the log");
	if (s->uts_hostname && find_ns(s, CLONE_NEWUTS) == NULL)
		return fail("--uts-hostname needs --ns uts:PATH: only a joined UTS namespace is renamed");
	if (s->uts_hostname && (s->uts_hostname[0] == '\0' || strlen(s->uts_hostname) > 64))
		return fail("--uts-hostname: want 1-64 bytes");
	return take_command(&s->proc, argc, argv, i);
}

static int parse_exec_opt(struct exec_spec *s, int argc, char **argv, int i)
{
	int n = 0;
	char **v = argv + i + 1;
	if (is_flag(argc, argv, i, "--target", 1, &n) && n > 0) {
		int pid;
		if (parse_int(v[0], &pid) < 0 || pid < 1)
			return fail("--target: invalid pid \"%s\"", v[0]);
		s->target = pid;
	} else if (is_flag(argc, argv, i, "--cgroup", 1, &n) && n > 0)
		s->cgroups[s->ncgroups++] = v[0];
	else if (is_flag(argc, argv, i, "--tty", 0, &n))
		s->tty = true;
	else if (is_flag(argc, argv, i, "--timeout", 1, &n) && n > 0) {
		if (parse_int(v[0], &s->timeout_s) < 0)
			return fail("--timeout: invalid number of seconds \"%s\"", v[0]);
	}
	return n;
}

int parse_exec_args(int argc, char **argv, struct exec_spec *s)
{
	memset(s, 0, sizeof *s);
	if (spec_fd_expand(&argc, &argv) < 0)
		return -1;
	s->cgroups = calloc((size_t)argc, sizeof(char *));
	if (alloc_process(&s->proc, argc) < 0 || !s->cgroups)
		return fail("out of memory");
	int i = 1;
	while (i < argc && strcmp(argv[i], "--") != 0) {
		int n = parse_exec_opt(s, argc, argv, i);
		if (n == 0)
			n = parse_process_opt(&s->proc, argc, argv, i);
		if (n <= 0)
			return n < 0 ? -1 : unknown(argv[i]);
		i += n;
	}
	if (s->target == 0)
		return fail("--target PID is required");
	return take_command(&s->proc, argc, argv, i);
}

/* HOST:SIZE, both within the 32-bit ID space and not the host's root. */
static int set_userns_map(struct sandbox_spec *s, const char *v)
{
	uint64_t host, size;
	const char *colon = strchr(v, ':');
	char hostpart[24];
	if (colon == NULL || (size_t)(colon - v) >= sizeof hostpart)
		return fail("--userns-map: want HOST:SIZE, got \"%s\"", v);
	memcpy(hostpart, v, (size_t)(colon - v));
	hostpart[colon - v] = '\0';
	if (parse_u64(hostpart, &host) < 0 || parse_u64(colon + 1, &size) < 0 || host == 0 || size == 0 ||
	    host + size > 0xffffffffULL)
		return fail("--userns-map: want HOST:SIZE with HOST > 0 and HOST+SIZE within 32 bits, got \"%s\"", v);
	s->userns_host = (uint32_t)host;
	s->userns_size = (uint32_t)size;
	return 0;
}

int parse_sandbox_args(int argc, char **argv, struct sandbox_spec *s)
{
	memset(s, 0, sizeof *s);
	s->cgroups = calloc((size_t)argc, sizeof(char *));
	if (s->cgroups == NULL)
		return fail("out of memory");
	s->shm_size = 64ULL << 20;
	for (int i = 1; i < argc; i++) {
		int n = 0;
		if (is_flag(argc, argv, i, "--hostname", 1, &n) && n > 0)
			s->hostname = argv[++i];
		else if (is_flag(argc, argv, i, "--cgroup", 1, &n) && n > 0)
			s->cgroups[s->ncgroups++] = argv[++i];
		else if (is_flag(argc, argv, i, "--shm", 1, &n) && n > 0)
			s->shm_dir = argv[++i];
		else if (is_flag(argc, argv, i, "--veth", 1, &n) && n > 0)
			s->veth = argv[++i];
		else if (is_flag(argc, argv, i, "--bridge", 1, &n) && n > 0)
			s->bridge = argv[++i];
		else if (is_flag(argc, argv, i, "--address", 1, &n) && n > 0)
			s->address = argv[++i];
		else if (is_flag(argc, argv, i, "--gateway", 1, &n) && n > 0)
			s->gateway = argv[++i];
		else if (is_flag(argc, argv, i, "--mac", 1, &n) && n > 0)
			s->mac = argv[++i];
		else if (is_flag(argc, argv, i, "--hairpin", 0, &n))
			s->hairpin = true;
		else if (is_flag(argc, argv, i, "--userns-map", 1, &n) && n > 0) {
			if (set_userns_map(s, argv[++i]) < 0)
				return -1;
		}
		else if (is_flag(argc, argv, i, "--shm-size", 1, &n) && n > 0) {
			if (set_size("--shm-size", argv[++i], &s->shm_size) < 0)
				return -1;
		}
		else if (is_flag(argc, argv, i, "--share-pid", 0, &n))
			s->share_pid = true;
		else if (is_flag(argc, argv, i, "--host-network", 0, &n))
			s->host_network = true;
		else if (is_flag(argc, argv, i, "--host-ipc", 0, &n))
			s->host_ipc = true;
		if (n <= 0)
			return n < 0 ? -1 : unknown(argv[i]);
	}
	if (s->userns_size && (s->host_network || s->host_ipc))
		return fail("--userns-map cannot go with --host-network or --host-ipc: the pod's namespaces must belong to its user namespace");
	if (s->veth && (!s->bridge || !s->address || !s->gateway || !s->mac || s->host_network))
		return fail("--veth needs --bridge, --address, --gateway and --mac, and a network namespace of its own");
	return 0;
}

const struct ns_join *find_ns(const struct container_spec *spec, int type)
{
	const struct ns_join *found = NULL;
	for (int i = 0; i < spec->nns; i++)
		if (spec->ns[i].type == type)
			found = &spec->ns[i];
	return found;
}
