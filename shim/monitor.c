/*
 * monitor.c — `nodelet-shim monitor`: the invoking process forks the monitor,
 * relays its one "ok"/"error" line to stdout and exits; the monitor detaches
 * (setsid), starts the container and stays beside it. See monitor.h.
 */
#define _GNU_SOURCE
#include "monitor.h"

#include "exit_file.h"
#include "marks.h"
#include "namespaces.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff, p[1] = (v >> 8) & 0xff, p[2] = (v >> 16) & 0xff, p[3] = (v >> 24) & 0xff;
}

/* The line as a zygote reply frame (len | tag | line), written in one write: see struct monitor_reply. */
static void reply_direct(struct monitor *m, const char *line)
{
	unsigned char frame[8 + ERR_MAX + 128];
	int n = snprintf((char *)frame + 8, sizeof frame - 8, "%s", line);
	size_t len = n < 0 ? 0 : (size_t)n >= sizeof frame - 8 ? sizeof frame - 9 : (size_t)n;
	if (len > 3 && memcmp(frame + 8, "ok ", 3) == 0) {
		int w = snprintf((char *)frame + 8 + len, sizeof frame - 8 - len, " zygote=%llu", (unsigned long long)m->reply.zygote_ns);
		if (w > 0 && (size_t)w < sizeof frame - 8 - len)
			len += (size_t)w;
	}
	put_u32(frame, (uint32_t)(4 + len));
	put_u32(frame + 4, m->reply.tag);
	write_all(m->reply.fd, frame, 8 + len);
	close(m->reply.fd);
	m->reply.fd = -1;
}

/* Sends the one line the invoking process prints (or, forked by the zygote, the daemon reads); newlines in messages
 * become spaces. */
static void report(struct monitor *m, const char *line)
{
	char buf[ERR_MAX + 64];
	copy_str(buf, sizeof buf - 1, line);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (m->reply.fd >= 0) {
		reply_direct(m, buf);
		/* The zygote only learns that the daemon has its answer: it sends nothing for this start. */
		write_all(m->report_fd, "sent\n", 5);
	} else {
		strcat(buf, "\n");
		write_all(m->report_fd, buf, strlen(buf));
	}
	if (m->report_fd != STDOUT_FILENO)
		close(m->report_fd);
	m->report_fd = -1;
}

/* Setup or exec failed: exit file with StartError, "error ..." line, exit 1. */
static void start_failed(struct monitor *m)
{
	char line[ERR_MAX + 16], msg[ERR_MAX];
	copy_str(msg, sizeof msg, err_msg());
	snprintf(line, sizeof line, "error %s", msg);
	if (m->spec->exit_file) {
		struct exit_record r = {
			.exit_code = 128, .reason = "StartError", .message = msg,
			.started_at = now_realtime(), .pid = m->pid,
		};
		r.finished_at = r.started_at;
		if (exit_file_write(m->spec->exit_file, &r) < 0)
			snprintf(line, sizeof line, "error %s (and %s)", r.message, err_msg());
	}
	report(m, line);
	_exit(1);
}

/* Detach from the daemon: own session, no stdio of its, child subreaper. */
static int detach(void)
{
	if (setsid() < 0)
		return fail_errno("setsid");
	if (stdio_to_devnull() < 0)
		return -1;
	prctl(PR_SET_NAME, "nodelet-monitor", 0, 0, 0);
	/* Orphans of the container (and C itself once I exits) come to us, not to init. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return fail_errno("become child subreaper");
	return 0;
}

/* SIGCHLD and forwarded signals arrive through a signalfd; SIGPIPE is ignored
 * (the invoking process may be gone when we report). */
static int setup_signals(struct monitor *m)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (int i = 0; i < n_forwarded_signals; i++)
		sigaddset(&set, forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return fail_errno("sigprocmask");
	signal(SIGPIPE, SIG_IGN);
	m->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return m->sigfd < 0 ? fail_errno("signalfd") : 0;
}

/* With --log, stdout and stderr are two pipes we read; without, /dev/null. With --tty the terminal is the
 * container's stdio and its master, received once it started, our one stream (attach_started). */
static int setup_output(struct monitor *m)
{
	m->out.fd = m->err.fd = -1;
	if (m->spec->tty && log_open(&m->log, m->spec->log_path, m->spec->log_max_size, m->spec->log_max_files) < 0)
		return -1;
	if (m->spec->tty)
		m->has_log = true;
	if (m->spec->log_path == NULL || m->spec->tty) {
		m->io.stdout_fd = m->io.stderr_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		return m->io.stdout_fd < 0 ? fail_errno("open /dev/null") : 0;
	}
	int out[2], err[2];
	if (log_open(&m->log, m->spec->log_path, m->spec->log_max_size, m->spec->log_max_files) < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return fail_errno("pipe");
	if (stream_init(&m->out, "stdout", out[0]) < 0 || stream_init(&m->err, "stderr", err[0]) < 0)
		return fail("out of memory");
	m->io.stdout_fd = out[1];
	m->io.stderr_fd = err[1];
	m->has_log = true;
	return 0;
}

static void close_container_ends(struct monitor *m)
{
	close(m->io.stdin_fd);
	close(m->io.stdout_fd);
	if (m->io.stderr_fd != m->io.stdout_fd)
		close(m->io.stderr_fd);
}

static void finish(struct monitor *m)
{
	uint64_t oom_after = oom_kill_count(m->spec->oom_file);
	struct exit_record r = {
		.message = "", .started_at = m->started_at, .finished_at = m->finished_at, .pid = m->pid,
	};
	exit_record_from_status(&r, m->status, oom_after > m->oom_before);
	if (m->spec->exit_file)
		exit_file_write(m->spec->exit_file, &r);  /* nobody left to tell if this fails */
	int status;
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
	_exit(0);
}

static void monitor_main(const struct container_spec *s, int report_fd, struct monitor_reply reply)
{
	struct monitor m = { .spec = s, .report_fd = report_fd, .reply = reply };
	char line[ERR_MAX];
	if (detach() < 0 || setup_signals(&m) < 0 || attach_prepare(&m) < 0 || setup_output(&m) < 0)
		start_failed(&m);
	m.oom_before = oom_kill_count(s->oom_file);
	mark(MARK_MONITOR_READY);
	if (container_start(s, &m.io, &m.pid) < 0)
		start_failed(&m);
	mark(MARK_RUNNING);
	m.started_at = now_realtime();
	close_container_ends(&m);
	if (attach_started(&m) < 0) {
		/* Running, but its terminal never reached us: nobody could read its output or write its input. */
		kill(m.pid, SIGKILL);
		waitpid(m.pid, NULL, 0);
		start_failed(&m);
	}
	snprintf(line, sizeof line, "ok %d %d", getpid(), m.pid);
	marks_format(line, sizeof line);
	report(&m, line);
	monitor_loop(&m);
	finish(&m);
}

/* In the invoking process: copy the monitor's line to stdout; 0 for "ok". */
static int relay_report(int fd)
{
	char line[ERR_MAX + 64];
	size_t n = 0;
	while (n < sizeof line - 1 && read(fd, line + n, 1) == 1 && line[n++] != '\n')
		;
	if (n == 0 || line[n - 1] != '\n') {
		printf("error monitor exited before reporting\n");
		return 1;
	}
	fwrite(line, 1, n, stdout);
	return strncmp(line, "ok ", 3) == 0 ? 0 : 1;
}

int cmd_monitor(int argc, char **argv)
{
	struct container_spec s;
	marks_init();
	mark(MARK_MONITOR);
	/* Fds the daemon leaked to us must not reach the container. */
	close_range(3, ~0U, 0);
	if (parse_container_args(argc, argv, &s) < 0) {
		struct monitor m = { .spec = &s, .report_fd = STDOUT_FILENO, .reply = { .fd = -1 } };
		start_failed(&m);  /* prints the error (and writes --exit-file if it was parsed) */
	}
	int rp[2];
	if (pipe2(rp, O_CLOEXEC) < 0) {
		printf("error pipe: %s\n", strerror(errno));
		return 1;
	}
	fflush(stdout);
	pid_t m = fork();
	if (m < 0) {
		printf("error fork: %s\n", strerror(errno));
		return 1;
	}
	if (m == 0) {
		close(rp[0]);
		monitor_main(&s, rp[1], (struct monitor_reply){ .fd = -1 });
	}
	close(rp[1]);
	return relay_report(rp[0]);
}

void monitor_from_zygote(int argc, char **argv, int report_fd, struct monitor_reply reply)
{
	struct container_spec s;
	marks_init();
	mark(MARK_MONITOR);
	/* Nothing of the zygote's reaches the container: only the spec (0), stdio, the report pipe and the reply stream. */
	int keep = report_fd > reply.fd ? report_fd : reply.fd;
	close_range((unsigned)keep + 1, ~0U, 0);
	struct monitor m = { .spec = &s, .report_fd = report_fd, .reply = reply };
	if (parse_container_args(argc, argv, &s) < 0)
		start_failed(&m);
	monitor_main(&s, report_fd, reply);
	_exit(1);  /* monitor_main never returns */
}
