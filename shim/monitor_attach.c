/* monitor_attach.c — see monitor_attach.h. */
#define _GNU_SOURCE
#include "monitor.h"

#include "tty.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* Makes the FIFO (0600) and opens it read-write: a writer's open never blocks, a reader never sees EOF. */
static int hold_fifo(const char *path)
{
	if (mkdir_parent(path, 0755) < 0)
		return -1;
	if (mkfifo(path, 0600) < 0 && errno != EEXIST)
		return fail_errno("mkfifo %s", path);
	struct stat st;
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return fail_errno("open %s", path);
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		close(fd);
		return fail("open %s: not a FIFO", path);
	}
	return fd;
}

/* The container's stdin: /dev/null, the FIFO's read end, or (--tty) the slave the init sets up itself. */
static int prepare_stdin(struct monitor *m)
{
	const char *path = m->spec->stdin_fifo;
	m->stdin_hold = -1;
	if (path != NULL && (m->stdin_hold = hold_fifo(path)) < 0)
		return -1;
	if (path != NULL && !m->spec->tty) {
		m->io.stdin_fd = open(path, O_RDONLY | O_CLOEXEC);
		return m->io.stdin_fd < 0 ? fail_errno("open %s", path) : 0;
	}
	if (path != NULL) {
		m->at.stdin_read = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (m->at.stdin_read < 0)
			return fail_errno("open %s", path);
	}
	m->io.stdin_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return m->io.stdin_fd < 0 ? fail_errno("open /dev/null") : 0;
}

int attach_prepare(struct monitor *m)
{
	struct monitor_attach *a = &m->at;
	a->console[0] = a->console[1] = a->master = a->stdin_read = a->control = -1;
	if (prepare_stdin(m) < 0)
		return -1;
	if (m->spec->control_fifo && (a->control = hold_fifo(m->spec->control_fifo)) < 0)
		return -1;
	m->io.console_fd = -1;
	if (m->spec->tty) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, a->console) < 0)
			return fail_errno("socketpair");
		m->io.console_fd = a->console[1];
	}
	return 0;
}

int attach_started(struct monitor *m)
{
	struct monitor_attach *a = &m->at;
	if (!m->spec->tty)
		return 0;
	close(a->console[1]);
	a->console[1] = -1;
	a->master = pty_console_receive(a->console[0]);
	close(a->console[0]);
	a->console[0] = -1;
	if (a->master < 0)
		return -1;
	/* Never block on the terminal: output is read when poll says so, input waits in `pending`. */
	if (fcntl(a->master, F_SETFL, O_NONBLOCK) < 0)
		return fail_errno("set the terminal non-blocking");
	int out = fcntl(a->master, F_DUPFD_CLOEXEC, 3);
	if (out < 0)
		return fail_errno("dup the terminal");
	if (stream_init(&m->out, "stdout", out) < 0)
		return fail("out of memory");
	m->out.immediate = true;
	return 0;
}

void attach_poll_fds(const struct monitor *m, struct pollfd *pfd)
{
	const struct monitor_attach *a = &m->at;
	bool waiting = a->pending_len > a->pending_off;
	pfd[0] = (struct pollfd){ .fd = a->control, .events = POLLIN };
	/* With input the terminal has not taken, wait until it can take more instead of reading more. */
	pfd[1] = (struct pollfd){ .fd = waiting ? -1 : a->stdin_read, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = waiting ? a->master : -1, .events = POLLOUT };
}

/* Writes what is pending to the terminal, as much as it takes now. */
static void flush_pending(struct monitor_attach *a)
{
	while (a->pending_off < a->pending_len) {
		ssize_t n = write(a->master, a->pending + a->pending_off, a->pending_len - a->pending_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			a->pending_off = a->pending_len;  /* the terminal is gone: drop the input */
			break;
		}
		a->pending_off += (size_t)n;
	}
	a->pending_off = a->pending_len = 0;
}

/* Copies what arrived on the stdin FIFO into the terminal. */
static void on_stdin(struct monitor_attach *a)
{
	ssize_t n = read(a->stdin_read, a->pending, sizeof a->pending);
	if (n <= 0)
		return;  /* EAGAIN; EOF cannot happen while we hold a writer */
	a->pending_len = (size_t)n;
	a->pending_off = 0;
	flush_pending(a);
}

/* stdinOnce: the first attach ended. Whatever it wrote is still read (the FIFO keeps it; with a terminal it is
 * copied first); then the container reads EOF (without a terminal) and the FIFO is gone for later attaches. */
static void close_stdin(struct monitor *m)
{
	struct monitor_attach *a = &m->at;
	if (a->stdin_read >= 0) {
		while (a->pending_off == a->pending_len && a->master >= 0) {
			ssize_t n = read(a->stdin_read, a->pending, sizeof a->pending);
			if (n <= 0)
				break;
			a->pending_len = (size_t)n;
			a->pending_off = 0;
			flush_pending(a);
		}
		close(a->stdin_read);
		a->stdin_read = -1;
	}
	if (m->stdin_hold >= 0) {
		close(m->stdin_hold);
		m->stdin_hold = -1;
		unlink(m->spec->stdin_fifo);
	}
}

static void on_command(struct monitor *m, const char *line)
{
	unsigned cols, rows;
	if (sscanf(line, "resize %u %u", &cols, &rows) == 2 && m->at.master >= 0 && cols <= 65535 && rows <= 65535) {
		struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
		ioctl(m->at.master, TIOCSWINSZ, &ws);
	} else if (strcmp(line, "close-stdin") == 0) {
		close_stdin(m);
	}
	/* anything else is ignored: the daemon is the only writer (the FIFO is 0600) */
}

static void on_control(struct monitor *m)
{
	struct monitor_attach *a = &m->at;
	ssize_t n = read(a->control, a->line + a->line_len, sizeof a->line - 1 - a->line_len);
	if (n <= 0)
		return;
	a->line_len += (size_t)n;
	a->line[a->line_len] = '\0';
	char *nl;
	while ((nl = strchr(a->line, '\n')) != NULL) {
		*nl = '\0';
		on_command(m, a->line);
		a->line_len -= (size_t)(nl + 1 - a->line);
		memmove(a->line, nl + 1, a->line_len + 1);
	}
	if (a->line_len >= sizeof a->line - 1)
		a->line_len = 0;  /* a line too long to be a command: drop it */
}

void attach_ready(struct monitor *m, const struct pollfd *pfd)
{
	if (pfd[0].revents)
		on_control(m);
	if (pfd[1].revents)
		on_stdin(&m->at);
	if (pfd[2].revents)
		flush_pending(&m->at);
}
