/*
 * pidwatch.c — `nodelet-shim pidwatch`: holds a pidfd for each container monitor the daemon names and tells the
 * daemon the moment one exits, with no polling (epoll over the pidfds; a pidfd becomes readable when its process
 * exits). Node has no pidfd_open binding, and a monitor is not the daemon's child (it detaches), so neither
 * waitpid nor a 'exit' event can see it: this long-lived helper is the daemon's eyes for them.
 *
 * A monitor that exits while its container still runs was lost (killed, crashed): nobody holds the container's
 * stdio, writes its log or will record its exit. The helper then kills the container through the container's own
 * pidfd (pidfd_send_signal, so a recycled pid can never be hit) and waits for it to be gone, so the daemon knows
 * its real end: SIGKILL, exit code 137. A monitor that exits after its container (the normal end: it wrote the
 * exit record first) is reported the same way with "gone", and the daemon reads the record.
 *
 * stdin, one request a line:
 *   watch ID MPID MSTART CPID CSTART   watch monitor MPID (start time MSTART, /proc/PID/stat field 22) of
 *                                      container ID whose process is CPID/CSTART (0 0 when unknown)
 *   forget ID                          stop watching ID (the container was removed)
 * stdout, one line an event:
 *   exited ID killed MS                the monitor died first; the container was SIGKILLed and is gone
 *   exited ID gone MS                  the monitor is gone (or was when watched); its container was not running
 * MS is the wall-clock time (ms since the epoch) the helper saw the container gone (killed) or the monitor gone
 * (gone): the daemon records it as the container's end, which it may handle later when it is busy.
 * A pidfd is trusted only once the start time read after opening it matches, so a pid reused since the daemon
 * recorded it is never watched or signalled. EOF on stdin (the daemon is gone): exit 0, killing nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#define ID_MAX 64
#define LINE_MAX_LEN 256
#define KILL_WAIT_MS 5000

struct watch {
	char id[ID_MAX + 1];
	int monitor;   /* pidfd of the monitor */
	int container; /* pidfd of the container, or -1 */
	struct watch *next;
};

static struct watch *watches;

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_kill(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Field 22 of /proc/PID/stat (start time in clock ticks since boot), or 0 when it cannot be read. */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	if (!p)
		return 0;
	unsigned long long v = 0;
	/* after ") " come fields 3..: skip 19 of them to reach field 22 */
	int field = 2;
	for (p++; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field == 22)
		v = strtoull(p, NULL, 10);
	return v;
}

/* A pidfd for PID if it is still the process that started at START; -1 otherwise. */
static int open_checked(pid_t pid, unsigned long long start)
{
	if (pid <= 0)
		return -1;
	int fd = pidfd_open_(pid);
	if (fd < 0)
		return -1;
	if (start != 0 && start_time(pid) != start) {
		close(fd);
		return -1;
	}
	return fd;
}

static int exited(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	return poll(&p, 1, 0) > 0;
}

static void say(const char *id, const char *what)
{
	char line[ID_MAX + 48];
	struct timespec ts = now_realtime();
	long long ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	int n = snprintf(line, sizeof line, "exited %s %s %lld\n", id, what, ms);
	if (write_all(STDOUT_FILENO, line, (size_t)n) < 0)
		_exit(0); /* the daemon is gone */
}

static void drop(int ep, struct watch *w)
{
	struct watch **pp = &watches;
	while (*pp && *pp != w)
		pp = &(*pp)->next;
	if (*pp)
		*pp = w->next;
	if (w->monitor >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, w->monitor, NULL);
		close(w->monitor);
	}
	if (w->container >= 0)
		close(w->container);
	free(w);
}

/* The monitor of w exited: end its container if it still runs, report, stop watching. */
static void monitor_exited(int ep, struct watch *w)
{
	const char *what = "gone";
	if (w->container >= 0 && !exited(w->container) && pidfd_kill(w->container, SIGKILL) == 0) {
		struct pollfd p = {.fd = w->container, .events = POLLIN};
		if (poll(&p, 1, KILL_WAIT_MS) > 0)
			what = "killed";
	}
	say(w->id, what);
	drop(ep, w);
}

static int valid_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > ID_MAX)
		return 0;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

static struct watch *find(const char *id)
{
	for (struct watch *w = watches; w; w = w->next)
		if (strcmp(w->id, id) == 0)
			return w;
	return NULL;
}

static void request(int ep, char *line)
{
	char id[ID_MAX + 2];
	int mpid = 0, cpid = 0;
	unsigned long long mstart = 0, cstart = 0;
	if (sscanf(line, "forget %65s", id) == 1) {
		struct watch *w = find(id);
		if (w)
			drop(ep, w);
		return;
	}
	if (sscanf(line, "watch %65s %d %llu %d %llu", id, &mpid, &mstart, &cpid, &cstart) != 5 || !valid_id(id)) {
		fprintf(stderr, "nodelet-shim pidwatch: bad request: %s\n", line);
		return;
	}
	struct watch *old = find(id);
	if (old)
		drop(ep, old);
	struct watch *w = calloc(1, sizeof *w);
	if (!w) {
		fprintf(stderr, "nodelet-shim pidwatch: out of memory\n");
		return;
	}
	copy_str(w->id, sizeof w->id, id);
	w->container = open_checked(cpid, cstart);
	w->monitor = open_checked(mpid, mstart);
	w->next = watches;
	watches = w;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};
	if (w->monitor < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, w->monitor, &ev) < 0)
		monitor_exited(ep, w); /* already gone: report at once */
}

int cmd_pidwatch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event in = {.events = EPOLLIN, .data.ptr = NULL};
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &in) < 0) {
		perror("nodelet-shim pidwatch: epoll");
		return 1;
	}
	char buf[LINE_MAX_LEN * 16];
	size_t used = 0;
	for (;;) {
		struct epoll_event evs[32];
		int n = epoll_wait(ep, evs, 32, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("nodelet-shim pidwatch: epoll_wait");
			return 1;
		}
		/* Exits first: a "forget" read below may free a watch whose exit is in this batch. */
		int input = 0;
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr)
				monitor_exited(ep, evs[i].data.ptr);
			else
				input = 1;
		}
		if (input) {
			ssize_t r = read(STDIN_FILENO, buf + used, sizeof buf - used - 1);
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0)
				return 0;
			used += (size_t)r;
			buf[used] = 0;
			char *start = buf, *nl;
			while ((nl = memchr(start, '\n', used - (size_t)(start - buf)))) {
				*nl = 0;
				request(ep, start);
				start = nl + 1;
			}
			used -= (size_t)(start - buf);
			memmove(buf, start, used);
			if (used >= sizeof buf - 1)
				used = 0; /* a line longer than any request: dropped */
		}
	}
}
