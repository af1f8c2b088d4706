/* namespaces.c — see namespaces.h. */
#define _GNU_SOURCE
#include "namespaces.h"

#include "userns.h"
#include "util.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int join_cgroups(const char *const *dirs, int n)
{
	char path[4096], pid[24];
	snprintf(pid, sizeof pid, "%d", getpid());
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/cgroup.procs", dirs[i]);
		if (write_file(path, pid) < 0)
			return fail_context("join cgroup");
	}
	return 0;
}

static const char *ns_name(int type)
{
	switch (type) {
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWNET: return "net";
	case CLONE_NEWPID: return "pid";
	case CLONE_NEWUSER: return "user";
	default: return "?";
	}
}

int join_namespaces(const struct ns_join *ns, int n)
{
	static const int order[] = { CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWPID };
	for (size_t o = 0; o < sizeof order / sizeof order[0]; o++) {
		for (int i = 0; i < n; i++) {
			if (ns[i].type != order[o])
				continue;
			int fd = open(ns[i].path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return fail_errno("join %s namespace: open %s", ns_name(ns[i].type), ns[i].path);
			/* nstype makes the kernel check the file really is that kind of namespace. */
			int rc = setns(fd, ns[i].type);
			close(fd);
			if (rc < 0)
				return fail_errno("join %s namespace %s", ns_name(ns[i].type), ns[i].path);
		}
	}
	return 0;
}

int join_target(pid_t target)
{
	int pidfd = (int)syscall(SYS_pidfd_open, target, 0);
	if (pidfd < 0)
		return fail_errno("open process %d", target);
	/* A hostUsers: false pod: its user namespace too, in the same atomic call (userns.h). */
	int user = userns_flag_for(target);
	if (user < 0) {
		close(pidfd);
		return -1;
	}
	/* The cgroup namespace too: joined after the cgroups, so the command sees its container's as "/". */
	int rc = setns(pidfd, CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWCGROUP | user);
	if (rc < 0)
		fail_errno("join the namespaces of process %d", target);
	close(pidfd);
	return rc;
}

int ns_inode(const char *path, unsigned long *ino)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return fail_errno("stat %s", path);
	*ino = st.st_ino;
	return 0;
}
