/* exec.c — E, the invoked process of `nodelet-shim exec`; see exec.h. */
#define _GNU_SOURCE
#include "exec.h"

#include "namespaces.h"
#include "process.h"
#include "syncpipe.h"
#include "tty.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* After the command exits, keep copying terminal output while it still flows. */
#define TTY_QUIET_MS 100

struct exec_state {
	const struct exec_spec *spec;
	pid_t helper;
	int ctl_w;            /* a byte here asks X to kill the tree */
	int sigfd;
	bool has_tty;
	struct tty_relay tty;
	bool done;            /* X exited */
	int status;
	bool killing;
	bool timed_out;
};

static int shim_failed(void)
{
	fprintf(stderr, "nodelet-shim exec: %s\n", err_msg());
	return EXIT_SHIM_FAILED;
}

static void request_kill(struct exec_state *e)
{
	if (e->killing)
		return;
	e->killing = true;
	write_all(e->ctl_w, "k", 1);
}

static void on_signals(struct exec_state *e)
{
	struct signalfd_siginfo si;
	while (read(e->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo != SIGCHLD)
			request_kill(e);  /* SIGTERM, SIGINT, SIGHUP */
		else if (!e->done && waitpid(e->helper, &e->status, WNOHANG) == e->helper)
			e->done = true;
	}
}

/* poll timeout: the --timeout deadline while running, a short quiet period
 * for terminal output once the command is done. */
static int next_timeout(const struct exec_state *e, int64_t kill_at)
{
	if (e->done)
		return TTY_QUIET_MS;
	if (kill_at < 0 || e->killing)
		return -1;
	int64_t left = kill_at - now_ms();
	return left > 0 ? (int)left : 0;
}

static void wait_helper(struct exec_state *e)
{
	int64_t kill_at = e->spec->timeout_s > 0 ? now_ms() + (int64_t)e->spec->timeout_s * 1000 : -1;
	while (!e->done || (e->has_tty && e->tty.master_open)) {
		struct pollfd pfd[4] = { { .fd = e->sigfd, .events = POLLIN } };
		int n = 1 + (e->has_tty ? tty_relay_fds(&e->tty, pfd + 1) : 0);
		int timeout = next_timeout(e, kill_at);
		int r = poll(pfd, (nfds_t)n, timeout);
		if (r < 0 && errno != EINTR)
			break;
		if (r == 0 && e->done)
			break;  /* quiet terminal after the end: someone in the background holds it */
		if (r == 0) {
			e->timed_out = true;
			request_kill(e);
			continue;
		}
		if (pfd[0].revents)
			on_signals(e);
		if (e->has_tty && r > 0)
			tty_relay_ready(&e->tty, pfd + 1, n - 1);
	}
}

/* Start error from Y, kill, timeout, or the command's own status. */
static int final_status(struct exec_state *e, int err_r)
{
	int code;
	char msg[ERR_MAX];
	if (read_start_result(err_r, &code, msg, sizeof msg) == 1) {
		fprintf(stderr, "nodelet-shim exec: %s\n", msg);
		return code;
	}
	if (e->timed_out)
		fprintf(stderr, "nodelet-shim exec: timed out after %ds, killed the command\n", e->spec->timeout_s);
	if (e->killing)
		return EXIT_KILLED;
	return WIFSIGNALED(e->status) ? 128 + WTERMSIG(e->status) : WEXITSTATUS(e->status);
}

static int block_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return fail_errno("sigprocmask");
	int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? fail_errno("signalfd") : fd;
}

/* Forks X; returns the read end of the start-error pipe, or -1. */
static int start_helper(struct exec_state *e, int master, int slave)
{
	int ctl[2], errp[2];
	if (pipe2(ctl, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
		return fail_errno("pipe");
	/* The pid namespace joined by setns() applies to this child. */
	e->helper = fork();
	if (e->helper < 0)
		return fail_errno("fork");
	if (e->helper == 0) {
		close(ctl[1]);
		close(errp[0]);
		close(e->sigfd);
		if (master >= 0)
			close(master);
		exec_helper(e->spec, ctl[0], slave, errp[1]);
	}
	close(ctl[0]);
	close(errp[1]);
	if (slave >= 0)
		close(slave);
	e->ctl_w = ctl[1];
	/* Non-blocking: if X died abnormally, Y may still hold the pipe. */
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	return errp[0];
}

int cmd_exec(int argc, char **argv)
{
	struct exec_spec s;
	struct exec_state e = { .spec = &s };
	int master = -1, slave = -1;
	if (parse_exec_args(argc, argv, &s) < 0 || (e.sigfd = block_signals()) < 0)
		return shim_failed();
	/* Cgroups by their host paths first: after setns(mnt) those paths are gone. */
	if (join_cgroups(s.cgroups, s.ncgroups) < 0 || join_target(s.target) < 0)
		return shim_failed();
	if (s.tty && pty_open(&master, &slave) < 0)
		return shim_failed();
	int err_r = start_helper(&e, master, slave);
	if (err_r < 0)
		return shim_failed();
	e.has_tty = s.tty;
	if (s.tty)
		tty_relay_init(&e.tty, master);
	wait_helper(&e);
	return final_status(&e, err_r);
}
