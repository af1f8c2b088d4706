/*
 * zygote.c — `nodelet-shim zygote [--cgroup DIR]...`: the node's monitor zygote.
 *
 * Why: starting a container's monitor used to be a fork and an execve of the shim (through the daemon's spawner),
 * which loads the program and its libraries again for every container. The zygote is the shim already loaded and
 * waiting: for each request it forks a child that becomes the container's monitor M itself (monitor_from_zygote:
 * the same parser, the same spec fd, the same monitor as an exec'd one's), so nothing about a monitor changes but how
 * it began — and how it answers: M writes its "ok"/"error" line as a reply frame straight onto the daemon's stream
 * (an exec'd monitor's line goes through its invoking process), then tells the zygote "sent" on its report pipe; the
 * zygote answers for a monitor only when it died before that ("monitor exited before reporting"). M stays the
 * zygote's child while it runs (the zygote reaps it); after the zygote it is re-parented, as an exec'd one is.
 *
 * Hardening, as the shim's own: it runs from the sealed in-memory copy of the binary (selfexe.h, main.c); it keeps
 * the shim's capabilities and sets neither no_new_privs nor a seccomp filter on itself, since its children (the
 * monitor, then the container's init) must do everything the exec'd monitor does, and each container's init applies
 * the container's own no_new_privs, capabilities and filter itself, as before; it joins its own cgroups (--cgroup,
 * written before it reads a request), so it and the monitors it forks are accounted apart from the daemon. It trusts
 * nothing it reads: requests are bounded and checked here (frame size, id's length and characters, the spec's size
 * and final NUL) before anything is forked, the spec itself is parsed by the forked child only (a parser fault
 * cannot take the zygote down), and the mode is always `monitor`: a request cannot name another program or mode.
 *
 * Protocol, on stdin/stdout, integers little-endian u32:
 *   request: len | tag | idlen | id bytes | speclen | spec bytes (NUL-terminated words, as --spec-fd reads them)
 *   reply:   len | tag | line bytes (the monitor's one "ok ..." or "error ..." line, without its newline)
 * `len` counts the bytes after itself. Each frame, the zygote's or a monitor's, is one write under PIPE_BUF, so
 * frames from several processes never interleave. The first frame the zygote writes is tag 0, "ready", once it is in its
 * cgroups. A frame that breaks the bounds ends the zygote (exit 2): the stream cannot be trusted after it; the
 * daemon starts another. The zygote exits 0 when its stdin closes (the daemon went away); monitors keep running.
 */
#define _GNU_SOURCE
#include "fork_server.h"
#include "monitor.h"
#include "namespaces.h"
#include "spec_fd.h"
#include "title.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ID_MAX 128
#define MAX_JOBS 256
/* The spec and the id, with the frame's own fields. */
#define REQUEST_MAX (SPEC_MAX + ID_MAX + 16)

struct zjob {
	uint32_t tag;
	int report;         /* read end of the monitor's report pipe; -1 once it said "sent" or its error was sent */
	char line[ERR_MAX + 512];
	size_t len;
};

static struct zjob jobs[MAX_JOBS];
static int njobs;

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff, p[1] = (v >> 8) & 0xff, p[2] = (v >> 16) & 0xff, p[3] = (v >> 24) & 0xff;
}

/* One write per frame: the monitors write theirs on the same stream (struct monitor_reply), and frames must not
 * interleave. Every frame is far under PIPE_BUF. */
static void send_reply(uint32_t tag, const char *line, size_t n)
{
	unsigned char frame[8 + ERR_MAX + 512];
	if (n > sizeof frame - 8)
		n = sizeof frame - 8;
	put_u32(frame, (uint32_t)(4 + n));
	put_u32(frame + 4, tag);
	memcpy(frame + 8, line, n);
	if (write_all(STDOUT_FILENO, frame, 8 + n) < 0)
		_exit(0);  /* the daemon is gone */
}

static void reply_error(uint32_t tag, const char *msg)
{
	char line[ERR_MAX + 16];
	int n = snprintf(line, sizeof line, "error %s", msg);
	send_reply(tag, line, n < 0 ? 0 : (size_t)n >= sizeof line ? sizeof line - 1 : (size_t)n);
}

/* A container id as the daemon makes them: 1-128 of [A-Za-z0-9._-]. */
static bool valid_id(const unsigned char *p, uint32_t n)
{
	if (n == 0 || n > ID_MAX)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') ||
		      p[i] == '.' || p[i] == '_' || p[i] == '-'))
			return false;
	return true;
}

/* Where the forked monitor keeps the report pipe and the reply stream (above stdio, which it points at /dev/null). */
#define CHILD_REPORT_FD 3
#define CHILD_REPLY_FD 4

/* In the child, which becomes the monitor M itself: the spec on fd 0 (a memfd, read to EOF by spec_fd.c), the
 * report pipe and the daemon's reply stream (monitor.h struct monitor_reply) above stdio, then the monitor. */
static void child_monitor(const char *id, const unsigned char *spec, size_t speclen, int report_w, uint32_t tag, uint64_t forked_at)
{
	fork_server_child_signals();
	int mfd = memfd_create("spec", MFD_CLOEXEC);
	if (mfd < 0 || write_all(mfd, spec, speclen) < 0 || lseek(mfd, 0, SEEK_SET) < 0 || dup2(mfd, STDIN_FILENO) < 0 ||
	    dup3(STDOUT_FILENO, CHILD_REPLY_FD, O_CLOEXEC) < 0 || dup3(report_w, CHILD_REPORT_FD, O_CLOEXEC) < 0) {
		dprintf(report_w, "error zygote: pass the spec to the monitor: %s\n", strerror(errno));
		_exit(1);
	}
	char *argv[] = { "monitor", "--id", (char *)id, "--spec-fd", "0", NULL };
	/* What ps shows, as for an exec'd monitor (the zygote's own command line, with its --cgroup dirs, has room). */
	title_set_args((const char *const *)argv);
	monitor_from_zygote(5, argv, CHILD_REPORT_FD, (struct monitor_reply){ .fd = CHILD_REPLY_FD, .tag = tag, .zygote_ns = forked_at });
}

static void start(uint32_t tag, const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	uint32_t idlen = len >= 4 ? get_u32(p) : UINT32_MAX;
	if (idlen == UINT32_MAX || idlen > (size_t)(end - p - 4) || !valid_id(p + 4, idlen))
		return reply_error(tag, "zygote: bad request: the container id must be 1-128 of [A-Za-z0-9._-]");
	char id[ID_MAX + 1];
	memcpy(id, p + 4, idlen);
	id[idlen] = '\0';
	p += 4 + idlen;
	uint32_t speclen = end - p >= 4 ? get_u32(p) : UINT32_MAX;
	if (speclen == UINT32_MAX || speclen != (size_t)(end - p - 4) || speclen == 0 || speclen > SPEC_MAX || p[4 + speclen - 1] != '\0')
		return reply_error(tag, "zygote: bad request: the spec must be 1 byte to 16 MiB of NUL-terminated words filling the frame");
	if (njobs == MAX_JOBS)
		return reply_error(tag, "zygote: too many monitors starting at once");
	int rp[2];
	if (pipe2(rp, O_CLOEXEC) < 0)
		return reply_error(tag, "zygote: pipe failed");
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	pid_t pid = fork();
	if (pid < 0) {
		close(rp[0]);
		close(rp[1]);
		return reply_error(tag, "zygote: fork failed");
	}
	uint64_t forked_at = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (pid == 0) {
		close(rp[0]);
		child_monitor(id, p + 4, speclen, rp[1], tag, forked_at);
	}
	close(rp[1]);
	fcntl(rp[0], F_SETFL, O_NONBLOCK);
	jobs[njobs++] = (struct zjob){ .tag = tag, .report = rp[0] };
}

/* Reads what P wrote; sends the line once it is whole (or what there is at EOF). */
static void pump(struct zjob *j)
{
	for (;;) {
		ssize_t n = read(j->report, j->line + j->len, sizeof j->line - 1 - j->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n > 0)
			j->len += (size_t)n;
		char *nl = memchr(j->line, '\n', j->len);
		if (nl == NULL && n > 0 && j->len < sizeof j->line - 1)
			continue;
		if (nl != NULL)
			j->len = (size_t)(nl - j->line);
		if (j->len == 4 && memcmp(j->line, "sent", 4) == 0)
			;  /* the monitor answered the daemon itself */
		else if (j->len == 0)
			reply_error(j->tag, "monitor exited before reporting");
		else
			send_reply(j->tag, j->line, j->len);
		close(j->report);
		j->report = -1;
		return;
	}
}

/* The monitors are the zygote's children for as long as they run: each is reaped when its container is done. */
static void reap(void)
{
	int st;
	while (waitpid(-1, &st, WNOHANG) > 0)
		;
}

/* A start is the zygote's business until its monitor answered (or died before it): then its job goes. */
static void drop_finished(void)
{
	for (int i = 0; i < njobs;)
		if (jobs[i].report < 0)
			jobs[i] = jobs[--njobs];
		else
			i++;
}

int cmd_zygote(int argc, char **argv)
{
	const char *cgroups[16];
	int ncgroups = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--cgroup") == 0 && i + 1 < argc && ncgroups < 16) {
			cgroups[ncgroups++] = argv[++i];
		} else {
			fprintf(stderr, "nodelet-shim zygote: unknown or repeated flag \"%s\"\n", argv[i]);
			return 2;
		}
	}
	close_range(3, ~0U, 0);
	if (join_cgroups(cgroups, ncgroups) < 0) {
		fprintf(stderr, "nodelet-shim zygote: %s\n", err_msg());
		return 1;
	}
	int sfd = fork_server_signals();
	if (sfd < 0) {
		fprintf(stderr, "nodelet-shim zygote: %s\n", err_msg());
		return 1;
	}
	send_reply(0, "ready", 5);
	unsigned char *in = NULL;
	size_t in_len = 0, in_cap = 0;
	for (;;) {
		struct pollfd fds[2 + MAX_JOBS];
		int n = 0;
		fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		for (int i = 0; i < njobs; i++)
			fds[n++] = (struct pollfd){ .fd = jobs[i].report, .events = POLLIN };
		if (poll(fds, (nfds_t)n, -1) < 0 && errno != EINTR)
			return 1;
		int count = njobs;
		for (int i = 0; i < count; i++)
			if (fds[2 + i].revents && jobs[i].report >= 0)
				pump(&jobs[i]);
		if (fds[1].revents) {
			fork_server_drain(sfd);
			reap();
		}
		drop_finished();
		if (!fds[0].revents)
			continue;
		if (in_cap - in_len < 65536) {
			size_t cap = in_cap ? in_cap * 2 : 131072;
			unsigned char *bigger = cap <= 2 * (size_t)REQUEST_MAX + 131072 ? realloc(in, cap) : NULL;
			if (bigger == NULL)
				return 1;
			in = bigger;
			in_cap = cap;
		}
		ssize_t r = read(STDIN_FILENO, in + in_len, in_cap - in_len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;  /* the daemon is gone */
		in_len += (size_t)r;
		size_t off = 0;
		while (in_len - off >= 4) {
			uint32_t len = get_u32(in + off);
			if (len < 4 || len > REQUEST_MAX) {
				fprintf(stderr, "nodelet-shim zygote: a request frame of %u bytes is out of bounds; exiting\n", len);
				return 2;
			}
			if (in_len - off - 4 < len)
				break;
			start(get_u32(in + off + 4), in + off + 8, len - 4);
			off += 4 + len;
		}
		if (off > 0) {
			memmove(in, in + off, in_len - off);
			in_len -= off;
		}
	}
}
