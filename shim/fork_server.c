/* fork_server.c — see fork_server.h. */
#define _GNU_SOURCE
#include "fork_server.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include "util.h"

int fork_server_signals(void)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return fail_errno("sigprocmask");
	signal(SIGPIPE, SIG_IGN);
	int fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? fail_errno("signalfd") : fd;
}

void fork_server_drain(int sigfd)
{
	struct signalfd_siginfo si;
	while (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si)
		;
}

void fork_server_child_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
}
