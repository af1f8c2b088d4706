/*
 * tty.h — `exec --tty`: a pseudo-terminal from the container's own devpts
 * instance, and the relay between it and the shim's stdio.
 */
#ifndef NODELET_TTY_H
#define NODELET_TTY_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

struct tty_relay {
	int master;
	int in_fd;        /* our stdin, -1 after EOF */
	int resize_fd;    /* fd 3 when open: "COLS ROWS\n" lines; -1 otherwise */
	char resize_buf[64];
	int resize_len;
	bool master_open;
	bool out_broken;  /* writing to our stdout failed: output is discarded from now on */
	bool in_broken;   /* writing to the master failed */
};

/* Opens a pty in the container (after setns into its mount namespace):
 * master from /dev/pts/ptmx, slave with TIOCGPTPEER. 0 or -1 with fail_errno. */
int pty_open(int *master, int *slave);

/* In the command's process: new session, slave as controlling tty and stdio. */
int pty_become_controlling(int slave);

/* Monitor --tty, in the container init after pivot_root: opens a pty in the container's devpts, sends the
 * master over `console` (SCM_RIGHTS, runc's console socket) and makes the slave the controlling terminal and
 * stdio of this process, which is already a session leader. 0 or -1 with fail_errno. */
int pty_console_setup(int console);

/* In the monitor: receives the master the container init sent. The fd, or -1 with fail_errno. */
int pty_console_receive(int console);

void tty_relay_init(struct tty_relay *r, int master);

/* Adds the relay's fds to pfd[] (returns how many were added). */
int tty_relay_fds(struct tty_relay *r, struct pollfd *pfd);
/* Handles readiness reported for those fds; returns true if output was copied. */
bool tty_relay_ready(struct tty_relay *r, const struct pollfd *pfd, int n);

#endif
