/* container_start.c — the monitor's and the intermediate's side; see container.h. */
#define _GNU_SOURCE
#include "container.h"

#include "devices.h"
#include "marks.h"
#include "namespaces.h"
#include "syncpipe.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* I: enter the pod, fork C, tell M C's pid, exit. */
static void intermediate(const struct container_spec *s, const struct container_io *io, int pid_w, int err_w)
{
	/* Not dumpable, which C inherits until its final execve: nothing in the pod can ptrace it or reach its memory
	 * or /proc/PID/exe while it runs the shim with the host's privileges (runc does the same for runc init). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Already in the cgroups (fork_into_cgroups): C and everything it forks are confined and accounted from birth. */
	if (join_namespaces(s->ns, s->nns) < 0)
		report_start_error(err_w, 1, err_msg());
	/* A warm sandbox was made before its pod's name was known: the pod's first container names its UTS namespace
	 * here, in the process already in it (no process of the daemon's enters the pod for it). */
	if (s->uts_hostname && sethostname(s->uts_hostname, strlen(s->uts_hostname)) < 0) {
		fail_errno("sethostname %s", s->uts_hostname);
		report_start_error(err_w, 1, err_msg());
	}
	mark(MARK_JOINED);
	/* Without a pod PID namespace to join, COMMAND becomes PID 1 of a new one. */
	if (find_ns(s, CLONE_NEWPID) == NULL && unshare(CLONE_NEWPID) < 0) {
		fail_errno("create PID namespace");
		report_start_error(err_w, 1, err_msg());
	}
	pid_t c = fork();
	if (c < 0) {
		fail_errno("fork container init");
		report_start_error(err_w, 1, err_msg());
	}
	if (c == 0) {
		mark(MARK_INIT);
		close(pid_w);
		container_init(s, io, err_w);
	}
	/* fork() returned C's pid in I's own PID namespace, the host's. */
	write_all(pid_w, &c, sizeof c);
	_exit(0);
}

static void wait_for(pid_t pid)
{
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* cgroup v2: clone3 straight into the one cgroup directory; -1 with errno ENOSYS where the kernel cannot. */
static pid_t clone_into_cgroup(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno("join cgroup: open %s", dir);
	struct clone_args args = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)fd };
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
	int saved = errno;
	if (pid != 0)
		close(fd);
	if (pid < 0 && (saved == ENOSYS || saved == E2BIG)) {
		errno = ENOSYS;
		return -1;
	}
	if (pid < 0) {
		errno = saved;
		return fail_errno("join cgroup: clone into %s", dir);
	}
	if (pid == 0)
		close(fd);
	return pid;
}

static bool is_cgroup2(const char *dir)
{
	struct statfs st;
	return statfs(dir, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

/*
 * Forks I already in the container's cgroups, so neither it nor C runs an instruction outside them: on cgroup v2
 * (one directory of a cgroup2 file system) by clone3 with CLONE_INTO_CGROUP; on v1 (a directory per hierarchy), or a
 * kernel without clone3, I waits on a pipe until M has written its pid into each cgroup.procs. The device filter
 * (v2) is attached first. The pid in M, 0 in I, -1 with fail() in M (nothing left running).
 */
static pid_t fork_into_cgroups(const struct container_spec *s)
{
	if (s->device_cgroup && devices_attach(s->device_cgroup, s->devices, s->ndevices) < 0)
		return -1;
	if (s->ncgroups == 0) {
		pid_t pid = fork();
		return pid < 0 ? fail_errno("fork") : pid;
	}
	if (s->ncgroups == 1 && is_cgroup2(s->cgroups[0])) {
		pid_t pid = clone_into_cgroup(s->cgroups[0]);
		if (pid >= 0 || errno != ENOSYS)
			return pid;
	}
	int go[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		return fail_errno("pipe");
	pid_t pid = fork();
	if (pid < 0) {
		close(go[0]);
		close(go[1]);
		return fail_errno("fork");
	}
	if (pid == 0) {
		char b;
		ssize_t r;
		close(go[1]);
		while ((r = read(go[0], &b, 1)) < 0 && errno == EINTR)
			;
		if (r != 1)
			_exit(1);  /* M could not place us: it reports why */
		close(go[0]);
		return 0;
	}
	close(go[0]);
	char path[4096], text[24];
	snprintf(text, sizeof text, "%d", pid);
	for (int i = 0; i < s->ncgroups; i++) {
		snprintf(path, sizeof path, "%s/cgroup.procs", s->cgroups[i]);
		if (write_file(path, text) < 0) {
			fail_context("join cgroup");
			close(go[1]);
			kill(pid, SIGKILL);
			wait_for(pid);
			return -1;
		}
	}
	if (write_all(go[1], "g", 1) < 0) {
		fail_errno("start the intermediate process");
		close(go[1]);
		kill(pid, SIGKILL);
		wait_for(pid);
		return -1;
	}
	close(go[1]);
	return pid;
}

pid_t container_start(const struct container_spec *s, const struct container_io *io, pid_t *pid_out)
{
	int pidp[2], errp[2];
	*pid_out = 0;
	if (pipe2(pidp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
		return fail_errno("pipe");
	pid_t i = fork_into_cgroups(s);
	if (i < 0) {
		close(pidp[0]);
		close(pidp[1]);
		close(errp[0]);
		close(errp[1]);
		return -1;
	}
	if (i == 0) {
		close(pidp[0]);
		close(errp[0]);
		intermediate(s, io, pidp[1], errp[1]);
	}
	close(pidp[1]);
	close(errp[1]);
	pid_t c = 0;
	ssize_t n = read_full(pidp[0], &c, sizeof c);
	close(pidp[0]);
	wait_for(i);
	/* EOF on errp: C exec'd (its copy closed on exec) or died; I is gone. */
	int code;
	char msg[ERR_MAX];
	int r = read_start_result(errp[0], &code, msg, sizeof msg);
	close(errp[0]);
	if (n == (ssize_t)sizeof c)
		*pid_out = c;
	if (r != 0 && n == (ssize_t)sizeof c) {
		kill(c, SIGKILL);
		wait_for(c);
	}
	if (r < 0)
		return -1;
	if (r == 1)
		return fail("%s", msg);
	if (n != (ssize_t)sizeof c)
		return fail("start container: the intermediate process died");
	return c;
}
