/*
 * relay.c — `nodelet-shim relay`: moves bytes both ways between the two connected sockets it inherits as fds 3
 * and 4, with splice(2) through a pipe per direction, so the data never enters user space.
 *
 * Why: a port-forward carries bulk data through the daemon (and through the CLI on the client side); a relay in
 * Node copies every chunk through JavaScript buffers, and on a 2-core machine that process becomes the
 * bottleneck (about a third of loopback throughput, measured). The daemon hands a busy connection to this
 * relay once it has moved enough bytes to be worth a process.
 *
 * Half-close is kept: when one side sends EOF, the other side's write half is shut down, and the relay goes on in
 * the other direction until it ends too. Errors (a reset) end both directions. Exit status 0.
 *
 * With --pending, fds 5 and 6 carry bytes the daemon had already read from fd 3 (for fd 4) and from fd 4 (for
 * fd 3) but not yet written: each direction writes its pending stream out first, up to its end, and only then
 * splices from its socket, so the order of the bytes is kept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK (1 << 20)

struct direction {
	int from, to;
	int source;      /* the socket `from` becomes once the pending stream (if any) has ended */
	int pipe[2];
	size_t buffered; /* bytes sitting in the pipe, not yet written to `to` */
	int eof;         /* `from` has ended: drain the pipe, then shut down `to`'s write half */
	int done;
};

/* Writes what the pipe holds to `to`, without blocking (the sockets are shared with Node and non-blocking).
 * Returns -1 on error. */
static int drain(struct direction *d)
{
	while (d->buffered) {
		ssize_t m = splice(d->pipe[0], NULL, d->to, NULL, d->buffered, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (m < 0 && errno == EINTR)
			continue;
		if (m < 0 && errno == EAGAIN)
			return 0; /* `to` is full: wait for POLLOUT */
		if (m <= 0)
			return -1;
		d->buffered -= (size_t)m;
	}
	if (d->eof) {
		shutdown(d->to, SHUT_WR);
		d->done = 1;
	}
	return 0;
}

/* Reads what `from` has into the pipe. Returns -1 on error. */
static int fill(struct direction *d)
{
	ssize_t n = splice(d->from, NULL, d->pipe[1], NULL, CHUNK, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n == 0 && d->from != d->source) {
		close(d->from); /* the pending bytes are all in the pipe: go on from the socket */
		d->from = d->source;
	} else if (n == 0)
		d->eof = 1;
	else if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -1;
	else if (n > 0)
		d->buffered += (size_t)n;
	return 0;
}

int cmd_relay(int argc, char **argv)
{
	int pending = argc > 1 && strcmp(argv[1], "--pending") == 0;
	struct direction dirs[2] = { { .from = 3, .to = 4, .source = 3 }, { .from = 4, .to = 3, .source = 4 } };
	for (int i = 0; i < 2; i++) {
		if (pending) {
			dirs[i].from = 5 + i;
			fcntl(dirs[i].from, F_SETFL, fcntl(dirs[i].from, F_GETFL) | O_NONBLOCK);
		}
		if (pipe2(dirs[i].pipe, O_CLOEXEC) < 0)
			return 1;
		fcntl(dirs[i].pipe[1], F_SETPIPE_SZ, CHUNK); /* best effort: larger pipes, fewer wake-ups */
	}
	while (!dirs[0].done || !dirs[1].done) {
		struct pollfd fds[2];
		for (int i = 0; i < 2; i++) {
			struct direction *d = &dirs[i];
			/* Waiting to write what is buffered, or to read more: never both, so a full peer applies back-pressure. */
			if (d->done)
				fds[i] = (struct pollfd){ .fd = -1 };
			else if (d->buffered || d->eof)
				fds[i] = (struct pollfd){ .fd = d->to, .events = POLLOUT };
			else
				fds[i] = (struct pollfd){ .fd = d->from, .events = POLLIN };
		}
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (int i = 0; i < 2; i++) {
			struct direction *d = &dirs[i];
			if (d->done || !fds[i].revents)
				continue;
			if (fds[i].revents & (POLLERR | POLLNVAL))
				return 0; /* a reset: both directions end with the process */
			if (!d->buffered && !d->eof && fill(d) < 0)
				return 0;
			if (drain(d) < 0)
				return 0;
		}
	}
	return 0;
}
