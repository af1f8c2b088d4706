/* exec_helper.c — X, inside the container's PID namespace; see exec.h. */
#define _GNU_SOURCE
#include "exec.h"

#include "process.h"
#include "reaper.h"
#include "syncpipe.h"
#include "title.h"
#include "tty.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* Y: become the command. */
static void run_command(const struct exec_spec *s, int slave, int err_fd)
{
	int code = EXIT_SETUP_FAILED;
	int rc = slave >= 0 ? pty_become_controlling(slave) : (setsid() < 0 ? fail_errno("setsid") : 0);
	if (rc < 0 || process_exec(&s->proc, &code) < 0)
		report_start_error(err_fd, code, err_msg());
	_exit(1);
}

/* The exit status X passes up: the command's, 128 + signal if it was killed. */
static int status_code(int status)
{
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Waits for Y or for a kill request; returns only Y's status. */
static int wait_command(pid_t y, int ctl_fd, int sigfd)
{
	struct pollfd pfd[2] = { { .fd = sigfd, .events = POLLIN }, { .fd = ctl_fd, .events = POLLIN } };
	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			_exit(EXIT_SHIM_FAILED);
		if (pfd[1].revents) {
			/* E asked (signal or timeout), or E died: nothing of it may survive. */
			kill_tree_and_reap(y);  /* Y leads its own session and process group */
			_exit(EXIT_KILLED);
		}
		struct signalfd_siginfo si;
		while (read(sigfd, &si, sizeof si) > 0)
			;
		int status;
		pid_t p;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0)
			if (p == y)
				return status;
	}
}

void exec_helper(const struct exec_spec *s, int ctl_fd, int slave, int err_fd)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	/* X keeps root's capabilities inside the container: make it impossible
	 * to ptrace or read through /proc/PID/mem (runc does this for runc init). */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	pid_t y = sigfd < 0 ? -1 : fork();
	if (y < 0) {
		fail_errno("fork the command");
		report_start_error(err_fd, EXIT_SHIM_FAILED, err_msg());
	}
	if (y == 0) {
		close(ctl_fd);
		run_command(s, slave, err_fd);
	}
	if (slave >= 0)
		close(slave);
	close(err_fd);
	/* Y has its own copy of the spec now; ours (it points into argv) is not used again. */
	title_set("nodelet-exec");
	prctl(PR_SET_NAME, "nodelet-exec", 0, 0, 0);
	int status = wait_command(y, ctl_fd, sigfd);
	/* The command is done; what it left running stays (as with runc exec),
	 * re-parented to the container's init when we exit. Zombies we reap. */
	reap_exited();
	_exit(status_code(status));
}
