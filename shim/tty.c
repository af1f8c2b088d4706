/* tty.c — see tty.h. */
#define _GNU_SOURCE
#include "tty.h"

#include "resolve.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

int pty_open(int *master, int *slave)
{
	/* /dev belongs to the container: open pts/ptmx without following any
	 * symlink, and check it really is the ptmx device (5, 2) before using it. */
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return fail_errno("open /");
	*master = open_scoped(root, "dev/pts/ptmx", O_RDWR | O_NOCTTY | O_NOFOLLOW, SCOPE_IN_ROOT);
	close(root);
	struct stat st;
	if (*master < 0)
		return fail_errno("open /dev/pts/ptmx");
	if (fstat(*master, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2)
		return fail("open /dev/pts/ptmx: not the pty multiplexer");
	if (unlockpt(*master) < 0)
		return fail_errno("unlockpt");
	/* TIOCGPTPEER opens the slave from the master: no /dev/pts/N path lookup
	 * the container could redirect (the reason the ioctl was added). */
	*slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0)
		return fail_errno("open the pty slave");
	return 0;
}

/* The caller is a session leader: the slave becomes its controlling terminal
 * and its stdin, stdout and stderr; the original descriptor is closed. */
static int take_slave(int slave)
{
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return fail_errno("set controlling terminal");
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		return fail_errno("dup2 pty");
	if (slave > 2)
		close(slave);
	return 0;
}

int pty_become_controlling(int slave)
{
	if (setsid() < 0)
		return fail_errno("setsid");
	return take_slave(slave);
}

int pty_console_setup(int console)
{
	int master, slave;
	if (pty_open(&master, &slave) < 0)
		return -1;
	char byte = 'm';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	ssize_t n = sendmsg(console, &msg, MSG_NOSIGNAL);
	close(master);
	if (n != 1) {
		close(slave);
		return fail_errno("send the terminal to the monitor");
	}
	return take_slave(slave);
}

int pty_console_receive(int console)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
	ssize_t n;
	while ((n = recvmsg(console, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT)) < 0 && errno == EINTR)
		;
	if (n != 1)
		return n < 0 ? fail_errno("receive the container's terminal") : fail("receive the container's terminal: none was sent");
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return fail("receive the container's terminal: no descriptor in the message");
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

void tty_relay_init(struct tty_relay *r, int master)
{
	memset(r, 0, sizeof *r);
	r->master = master;
	r->master_open = true;
	r->in_fd = 0;
	r->resize_fd = fcntl(3, F_GETFD) >= 0 ? 3 : -1;
}

int tty_relay_fds(struct tty_relay *r, struct pollfd *pfd)
{
	pfd[0] = (struct pollfd){ .fd = r->master_open ? r->master : -1, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = r->in_fd, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = r->resize_fd, .events = POLLIN };
	return 3;
}

/* Applies every complete "COLS ROWS" line received on the resize fd. */
static void on_resize(struct tty_relay *r)
{
	ssize_t n = read(r->resize_fd, r->resize_buf + r->resize_len, sizeof r->resize_buf - 1 - (size_t)r->resize_len);
	if (n <= 0) {
		r->resize_fd = -1;
		return;
	}
	r->resize_len += (int)n;
	r->resize_buf[r->resize_len] = '\0';
	char *nl;
	while ((nl = strchr(r->resize_buf, '\n')) != NULL) {
		unsigned cols, rows;
		if (sscanf(r->resize_buf, "%u %u", &cols, &rows) == 2) {
			struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
			ioctl(r->master, TIOCSWINSZ, &ws);
		}
		r->resize_len -= (int)(nl + 1 - r->resize_buf);
		memmove(r->resize_buf, nl + 1, (size_t)r->resize_len + 1);
	}
	if (r->resize_len >= (int)sizeof r->resize_buf - 1)
		r->resize_len = 0;  /* a line too long to be a size: drop it */
}

/* Reads one chunk from `from` and writes it to `to` unless writing there
 * already failed (then it is discarded, so the command never blocks on a full
 * terminal nobody reads). False at EOF or a read error (EIO on the master:
 * every slave fd is closed, the command and its children are gone). */
static bool copy_chunk(int from, int to, bool *to_broken)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (!*to_broken && write_all(to, buf, (size_t)n) < 0)
		*to_broken = true;
	return true;
}

bool tty_relay_ready(struct tty_relay *r, const struct pollfd *pfd, int n)
{
	bool output = false;
	(void)n;
	if (pfd[0].revents) {
		r->master_open = copy_chunk(r->master, 1, &r->out_broken);
		output = r->master_open;
	}
	if (pfd[1].revents && !copy_chunk(r->in_fd, r->master, &r->in_broken))
		r->in_fd = -1;  /* stdin ended: stop reading it, keep the terminal */
	if (pfd[2].revents)
		on_resize(r);
	return output;
}
