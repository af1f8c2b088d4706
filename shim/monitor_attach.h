/*
 * monitor_attach.h — what an attach session reaches through the monitor (the part of conmon's attach socket and
 * ctl FIFO nodelet needs): the container's stdin FIFO, its terminal, and a control FIFO.
 *
 *   --stdin-fifo PATH    without --tty the container reads the FIFO itself; with --tty the monitor copies what
 *                        arrives there into the pty master (never blocking: a full terminal parks it)
 *   --tty                the container init opens a pty in its own devpts and sends the master here (tty.h);
 *                        its output goes to the log as "stdout", each read written at once (a prompt has no
 *                        newline: partial text is a "P" line, as conmon writes it)
 *   --control-fifo PATH  lines from the daemon: "resize COLS ROWS" (TIOCSWINSZ on the master: the kernel sends
 *                        SIGWINCH to the terminal's foreground group) and "close-stdin" (stdinOnce: the monitor
 *                        drops its hold on the stdin FIFO and unlinks it, so the container reads EOF once the
 *                        attached writer has gone, and no later attach can write to it)
 *
 * Both FIFOs are made 0600 and held read-write by the monitor, so the daemon's open never blocks and a reader
 * never sees EOF between attach sessions.
 */
#ifndef NODELET_MONITOR_ATTACH_H
#define NODELET_MONITOR_ATTACH_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct monitor;

#define ATTACH_POLLFDS 3

struct monitor_attach {
	int console[2];      /* --tty: socketpair; [1] goes to the container init, [0] receives the master */
	int master;          /* --tty: the pty master (non-blocking), -1 otherwise */
	int stdin_read;      /* --tty with --stdin-fifo: our read end of the FIFO, -1 otherwise or once closed */
	int control;         /* --control-fifo held read-write, -1 without */
	char pending[4096];  /* stdin bytes the terminal has not taken yet */
	size_t pending_len, pending_off;
	char line[128];      /* the control line being read */
	size_t line_len;
};

/* Before the start: the stdin FIFO (the container's stdin, or /dev/null), the control FIFO, the console socket.
 * 0 or -1 with fail_errno. */
int attach_prepare(struct monitor *m);

/* After the start: receives the pty master and reads the terminal's output as the "stdout" stream.
 * 0 or -1 with fail_errno. */
int attach_started(struct monitor *m);

/* Fills pfd[0..ATTACH_POLLFDS) (fd -1 where nothing is to be watched). */
void attach_poll_fds(const struct monitor *m, struct pollfd *pfd);

/* Handles what poll reported on those fds. */
void attach_ready(struct monitor *m, const struct pollfd *pfd);

#endif
