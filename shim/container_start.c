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
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* I: enter the pod, fork C, tell M C's pid, exit. */
static void intermediate(const struct container_spec *s, const struct container_io *io, int pid_w, int err_w)
{
	/* Not dumpable, which C inherits until its final execve: nothing in the pod can ptrace it or reach its memory
	 * or /proc/PID/exe while it runs the shim with the host's privileges (runc does the same for runc init). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* The device filter, then the cgroups: C and everything it forks are confined and accounted from birth. */
	if (s->device_cgroup && devices_attach(s->device_cgroup, s->devices, s->ndevices) < 0)
		report_start_error(err_w, 1, err_msg());
	if (join_cgroups(s->cgroups, s->ncgroups) < 0 || join_namespaces(s->ns, s->nns) < 0)
		report_start_error(err_w, 1, err_msg());
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

pid_t container_start(const struct container_spec *s, const struct container_io *io, pid_t *pid_out)
{
	int pidp[2], errp[2];
	*pid_out = 0;
	if (pipe2(pidp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
		return fail_errno("pipe");
	pid_t i = fork();
	if (i < 0)
		return fail_errno("fork");
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
