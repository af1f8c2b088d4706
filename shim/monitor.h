/*
 * monitor.h — the state of one monitor process (the conmon role): it holds
 * the container's output pipes, writes the CRI log, waits for the container
 * init and writes the exit file.
 */
#ifndef NODELET_MONITOR_H
#define NODELET_MONITOR_H

#include "container.h"
#include "log_stream.h"
#include "log_writer.h"
#include "monitor_attach.h"
#include "options.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/*
 * A monitor forked by the zygote sends its one line straight to the daemon, as a zygote reply frame on the zygote's
 * own reply stream (fd, tag), instead of through the invoking process and the zygote (two process wake-ups less on
 * every start). One write per frame, under PIPE_BUF: frames of monitors and of the zygote never interleave.
 */
struct monitor_reply {
	int fd;                   /* the zygote's reply stream; -1: the line goes to report_fd, as an exec'd monitor's */
	uint32_t tag;
	uint64_t zygote_ns;       /* when the zygote forked us: the `zygote` mark of an "ok" line */
};

struct monitor {
	const struct container_spec *spec;
	int report_fd;            /* pipe to the invoking process (the zygote), for the one "ok"/"error" line */
	struct monitor_reply reply;
	int sigfd;                /* signalfd: SIGCHLD and the signals forwarded to the container */
	int stdin_hold;           /* --stdin-fifo held open read-write, so stdin never sees EOF */
	struct monitor_attach at; /* --tty, --control-fifo and, with a terminal, stdin (monitor_attach.h) */
	struct container_io io;   /* the container's ends; closed here once it started */
	bool has_log;
	struct log_writer log;
	struct log_stream out, err;
	uint64_t oom_before;
	pid_t pid;                /* the container init, as seen from the host */
	bool exited;
	int status;
	struct timespec started_at, finished_at;
};

/* The signals the monitor passes on to the container. */
extern const int forwarded_signals[];
extern const int n_forwarded_signals;

/* Pumps output into the log, forwards signals and reaps children until the
 * container init has exited and its output is drained (EOF, or 2 s after the
 * exit if other processes still hold the pipes). */
void monitor_loop(struct monitor *m);

/* Entry point of `nodelet-shim monitor`. */
int cmd_monitor(int argc, char **argv);

/* The zygote's child (zygote.c) becomes the monitor itself: the spec on fd 0, `report_fd` the pipe the zygote
 * watches (it hears "sent", or sends an error when the monitor dies first), `reply` the daemon's stream. */
void monitor_from_zygote(int argc, char **argv, int report_fd, struct monitor_reply reply) __attribute__((noreturn));

#endif
