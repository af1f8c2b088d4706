/*
 * options.h — the command line of each mode, parsed into plain structs.
 *
 * The shim has no config file: the daemon passes everything as flags, the ones that
 * may hold secrets (environment, command, mounts) on a pipe (`--spec-fd`, spec_fd.h)
 * rather than on argv, which every host user can read. See README.md.
 */
#ifndef NODELET_OPTIONS_H
#define NODELET_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct seccomp_prog;
struct device_rule;

/* What the container's (or exec'd) process looks like: shared by monitor and exec. */
struct process_spec {
	const char *cwd;    /* created if missing; default "/" */
	char **env;         /* NULL-terminated; exactly the --env values */
	int nenv;
	uid_t uid;
	gid_t gid;
	gid_t *groups;      /* supplementary groups (setgroups) */
	int ngroups;
	uint64_t caps;      /* kept capabilities, one bit per CAP_* number */
	bool no_new_privs;
	bool privileged;    /* all capabilities, no masked/read-only paths, /sys rw */
	struct seccomp_prog *seccomp;  /* --seccomp FILE, read at parse time (seccomp.h); NULL = no filter */
	char **argv;        /* COMMAND [ARG...], NULL-terminated */
};

enum mount_kind { MOUNT_BIND, MOUNT_BIND_SUB, MOUNT_TMPFS };

/* One --bind, --bind-sub or --tmpfs, in command-line order. */
struct user_mount {
	enum mount_kind kind;
	const char *src;      /* --bind: host path */
	const char *volroot;  /* --bind-sub: the volume's host directory */
	const char *subpath;  /* --bind-sub: path inside the volume */
	const char *dst;      /* path inside the container */
	const char *opts;     /* comma list */
};

/* One --ns TYPE:PATH. */
struct ns_join {
	int type;             /* CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWUSER */
	const char *path;
};

struct container_spec {
	const char *id;
	const char *log_path;
	uint64_t log_max_size;
	int log_max_files;
	const char *exit_file;
	const char *oom_file;
	const char **cgroups;
	int ncgroups;
	struct ns_join *ns;
	int nns;
	/* --uts-hostname: set in the joined UTS namespace before the init runs (a warm sandbox claimed by a pod). */
	const char *uts_hostname;
	const char *rootfs;
	const char *lower;    /* "a:b:c", top layer first (overlayfs order) */
	const char *upper;
	const char *work;
	bool readonly_rootfs;
	const char *shm;
	const char *stdin_fifo;
	/* --control-fifo: "resize COLS ROWS" and "close-stdin" lines from the daemon (monitor_attach.h). */
	const char *control_fifo;
	bool tty;             /* --tty: the container's stdio is a pty of its own devpts; the monitor holds the master */
	struct user_mount *mounts;
	int nmounts;
	const char **masked;
	int nmasked;
	const char **readonly;
	int nreadonly;
	/* --cgroupfs: the cgroup hierarchies shown at /sys/fs/cgroup, in a new cgroup namespace:
	 * "cgroup2", or "v1:CONTROLLERS:NAME" (mounted with -o CONTROLLERS at /sys/fs/cgroup/NAME). */
	const char **cgroupfs;
	int ncgroupfs;
	/* cgroup v2: attach a device program allowing only these rules to this directory (devices.h). */
	const char *device_cgroup;
	struct device_rule *devices;
	int ndevices;
	struct process_spec proc;
};

struct exec_spec {
	pid_t target;
	const char **cgroups;
	int ncgroups;
	bool tty;
	int timeout_s;        /* 0 = none */
	struct process_spec proc;
};

struct sandbox_spec {
	const char *hostname;
	bool share_pid;
	bool host_network;
	bool host_ipc;
	/* cgroups the pause process is born in (joined before any fork). */
	const char **cgroups;
	int ncgroups;
	/* The pod's /dev/shm: a tmpfs mounted on this host directory (in the host's mount namespace). */
	const char *shm_dir;
	uint64_t shm_size;
	/* The pod's veth pair (--veth HOST --bridge BR --address A/N --gateway G --mac M [--hairpin]); NULL = none. */
	const char *veth;
	const char *bridge;
	const char *address;
	const char *gateway;
	const char *mac;
	bool hairpin;
	/* --userns-map HOST:SIZE: the pod's own user namespace, its IDs 0..SIZE-1 being the host's HOST... (0 = none). */
	uint32_t userns_host;
	uint32_t userns_size;
};

/* Each parser fills spec from argv (argv[0] is the mode name); 0 or -1 with fail(). */
int parse_container_args(int argc, char **argv, struct container_spec *spec);
int parse_exec_args(int argc, char **argv, struct exec_spec *spec);
int parse_sandbox_args(int argc, char **argv, struct sandbox_spec *spec);

/* The ns_join of the given type, or NULL. */
const struct ns_join *find_ns(const struct container_spec *spec, int type);

#endif
