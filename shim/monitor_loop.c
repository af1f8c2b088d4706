/* monitor_loop.c — the monitor's steady state; see monitor.h. */
#define _GNU_SOURCE
#include "monitor.h"

#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* How long output may keep coming after the container init exited: in a
 * shared PID namespace its background children can hold the pipes forever. */
#define DRAIN_MS 2000

const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
const int n_forwarded_signals = sizeof forwarded_signals / sizeof forwarded_signals[0];

/* Reaps every child that is done: the container init, and as a child
 * subreaper anything re-parented to us (the intermediate, orphans). */
static void reap(struct monitor *m)
{
	int status;
	pid_t p;
	while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
		if (p == m->pid && !m->exited) {
			m->exited = true;
			m->status = status;
			m->finished_at = now_realtime();
		}
	}
}

static void on_signals(struct monitor *m)
{
	struct signalfd_siginfo si;
	while (read(m->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGCHLD)
			reap(m);
		else if (!m->exited)
			kill(m->pid, (int)si.ssi_signo);
	}
}

/* Reads what is available on one pipe into the log; EOF or an error closes it. */
static void pump(struct monitor *m, struct log_stream *s)
{
	char buf[32768];
	ssize_t n = read(s->fd, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	struct timespec ts = now_realtime();
	if (n > 0) {
		stream_feed(&m->log, s, buf, (size_t)n, &ts);
		return;
	}
	stream_finish(&m->log, s, &ts);
	close(s->fd);
	s->fd = -1;
}

/* poll timeout: forever while the container runs, then what is left of the drain. */
static int next_timeout(const struct monitor *m, int64_t *deadline)
{
	if (!m->exited)
		return -1;
	if (*deadline < 0)
		*deadline = now_ms() + DRAIN_MS;
	int64_t left = *deadline - now_ms();
	return left > 0 ? (int)left : 0;
}

void monitor_loop(struct monitor *m)
{
	int64_t deadline = -1;
	while (!m->exited || m->out.fd >= 0 || m->err.fd >= 0) {
		int timeout = next_timeout(m, &deadline);
		if (timeout == 0)
			break;
		/* A negative fd is skipped by poll: streams already at EOF. */
		struct pollfd pfd[3 + ATTACH_POLLFDS] = {
			{ .fd = m->sigfd, .events = POLLIN },
			{ .fd = m->out.fd, .events = POLLIN },
			{ .fd = m->err.fd, .events = POLLIN },
		};
		/* Input and control only matter while the container runs. */
		nfds_t n = 3;
		if (!m->exited) {
			attach_poll_fds(m, pfd + 3);
			n += ATTACH_POLLFDS;
		}
		if (poll(pfd, n, timeout) < 0 && errno != EINTR)
			break;
		if (n > 3)
			attach_ready(m, pfd + 3);
		if (pfd[0].revents)
			on_signals(m);
		if (pfd[1].revents)
			pump(m, &m->out);
		if (pfd[2].revents)
			pump(m, &m->err);
	}
	struct timespec ts = now_realtime();
	if (m->out.fd >= 0)
		stream_finish(&m->log, &m->out, &ts);
	if (m->err.fd >= 0)
		stream_finish(&m->log, &m->err, &ts);
}
