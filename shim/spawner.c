/*
 * spawner.c — `nodelet-shim spawner`: a fork server for the daemon.
 *
 * Why: fork(2) copies the parent's page tables, so every command a large process starts costs time in proportion
 * to its memory: measured here, Node's child_process.spawn takes ~1 ms in a fresh node and ~4-9 ms in one holding
 * 50-200 MB. The daemon runs several commands per pod start (the shim, ip, mount), so it asks this small process
 * to start them instead: its fork costs well under a millisecond whatever the daemon's size.
 *
 * Protocol, on stdin/stdout, all integers little-endian u32 (status i32):
 *   request:  len | id | argc | argc × (n | bytes) | envc | envc × (n | bytes) | inlen | bytes
 *   response: len | id | pid (or -errno when it could not be started) | status | outlen | bytes | errlen | bytes
 * `len` counts the bytes after itself. status is the exit code, or 128+signal. The reply is sent once the child
 * has exited and both its stdout and stderr reached EOF. Requests are served concurrently. The spawner exits when
 * its stdin closes (the daemon went away); children it started keep running.
 *
 * Its fd 9 is a sealed in-memory copy of the shim (selfexe.h): requests to run the shim execute it, and the daemon
 * executes /proc/<spawner pid>/fd/9 for the shim processes it starts itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fork_server.h"
#include "selfexe.h"
#include "util.h"

#define MAX_JOBS 256

/* A sealed copy of this binary, made at start (selfexe.h), and the identity of the file it was copied from: a
 * request whose argv[0] is still that file executes the copy, so a pod start through here copies nothing. A file
 * replaced since (a new build) runs as itself and makes its own copy. */
static int self_copy = -1;
/* Where the copy is kept: the daemon starts the shim processes it does not start through here (exec sessions,
 * which need their own pipes) as /proc/<spawner pid>/fd/9, also without a copy (sys/spawner.ts). */
#define SELF_COPY_FD 9
static struct stat self_stat;

static bool is_self(const char *path)
{
	struct stat st;
	return self_copy >= 0 && stat(path, &st) == 0 && st.st_dev == self_stat.st_dev && st.st_ino == self_stat.st_ino &&
	       st.st_size == self_stat.st_size && st.st_mtim.tv_sec == self_stat.st_mtim.tv_sec &&
	       st.st_mtim.tv_nsec == self_stat.st_mtim.tv_nsec;
}

struct buf {
	char *data;
	size_t len, cap;
};

struct job {
	uint32_t id;
	pid_t pid;
	int out, err, in;      /* pipe ends in the spawner; -1 once closed */
	struct buf stdout_buf, stderr_buf;
	char *input;           /* what is left to write to the child's stdin */
	size_t input_len, input_off;
	int status;
	int exited;
};

static struct job jobs[MAX_JOBS];
static int njobs;

static int buf_append(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (b->data == NULL || b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

static void le32(unsigned char *out, uint32_t v)
{
	out[0] = v & 0xff, out[1] = (v >> 8) & 0xff, out[2] = (v >> 16) & 0xff, out[3] = (v >> 24) & 0xff;
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Sends one response frame on stdout: a fixed head, then the output, then the error output, in one writev. */
static void reply(uint32_t id, int32_t pid, int32_t status, const struct buf *out, const struct buf *err)
{
	size_t outlen = out ? out->len : 0, errlen = err ? err->len : 0;
	unsigned char head[20], mid[4];
	le32(head, (uint32_t)(16 + outlen + 4 + errlen));
	le32(head + 4, id);
	le32(head + 8, (uint32_t)pid);
	le32(head + 12, (uint32_t)status);
	le32(head + 16, (uint32_t)outlen);
	le32(mid, (uint32_t)errlen);
	struct iovec iov[4] = {
		{ head, sizeof head }, { outlen ? out->data : NULL, outlen }, { mid, sizeof mid }, { errlen ? err->data : NULL, errlen },
	};
	size_t total = sizeof head + outlen + sizeof mid + errlen, done = 0;
	int first = 0;
	while (done < total) {
		ssize_t n = writev(STDOUT_FILENO, iov + first, 4 - first);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0); /* the daemon is gone */
		done += (size_t)n;
		while (first < 4 && (size_t)n >= iov[first].iov_len)
			n -= (ssize_t)iov[first++].iov_len;
		if (first < 4) {
			iov[first].iov_base = (char *)iov[first].iov_base + n;
			iov[first].iov_len -= (size_t)n;
		}
	}
}

static void free_strings(char **v)
{
	for (char **a = v; a && *a; a++)
		free(*a);
	free(v);
}

/* Reads a NUL-free string table (count, then length-prefixed strings) from p; returns a NULL-terminated array. */
static char **read_strings(const unsigned char **p, const unsigned char *end)
{
	if (end - *p < 4)
		return NULL;
	uint32_t n = get_u32(*p);
	*p += 4;
	/* Each string takes at least its 4-byte length: a count the frame cannot hold is refused before allocating. */
	if (n > (size_t)(end - *p) / 4)
		return NULL;
	char **v = calloc((size_t)n + 1, sizeof(char *));
	if (!v)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = end - *p < 4 ? 0 : get_u32(*p);
		char *str = end - *p < 4 || (size_t)(end - *p - 4) < len ? NULL : strndup((const char *)*p + 4, len);
		if (str == NULL) {
			free_strings(v);
			return NULL;
		}
		v[i] = str;
		*p += 4 + len;
	}
	return v;
}

/* In the child: stdio on the pipes, default signals, nothing else inherited, then exec. */
static void child_exec(int in, int out, int err, char **argv, char **envp)
{
	fork_server_child_signals();
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	/* One call rather than a close() per possible fd (a thousand syscalls in every spawn); the loop is for kernels
	 * before 5.9. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 1024; fd++)
			if (fd != self_copy)
				close(fd);
	if (is_self(argv[0]))
		execveat(self_copy, "", argv, envp, AT_EMPTY_PATH);
	execvpe(argv[0], argv, envp);
	dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
}

static void start_job(uint32_t id, char **argv, char **envp, const unsigned char *input, size_t input_len)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	char *copy = input_len ? malloc(input_len) : NULL;
	/* Without /dev/null the child's stdin would be ours: the daemon's request stream. */
	int devnull = input_len ? -1 : open("/dev/null", O_RDONLY | O_CLOEXEC);
	errno = 0;
	if (njobs == MAX_JOBS || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0 ||
	    (input_len && (copy == NULL || pipe2(pin, O_CLOEXEC) < 0)) || (!input_len && devnull < 0)) {
		int why = njobs == MAX_JOBS ? EAGAIN : errno ? errno : ENOMEM;
		close_pair(pout);
		close_pair(perr);
		close_pair(pin);
		if (devnull >= 0)
			close(devnull);
		free(copy);
		reply(id, -why, 0, NULL, NULL);
		return;
	}
	pid_t pid = fork();
	if (pid == 0)
		child_exec(input_len ? pin[0] : devnull, pout[1], perr[1], argv, envp);
	int saved = errno;
	close(pout[1]);
	close(perr[1]);
	if (input_len)
		close(pin[0]);
	if (devnull >= 0)
		close(devnull);
	if (pid < 0) {
		close(pout[0]);
		close(perr[0]);
		if (input_len)
			close(pin[1]);
		free(copy);
		reply(id, -saved, 0, NULL, NULL);
		return;
	}
	struct job *j = &jobs[njobs++];
	memset(j, 0, sizeof(*j));
	j->id = id;
	j->pid = pid;
	j->out = pout[0];
	j->err = perr[0];
	j->in = input_len ? pin[1] : -1;
	if (input_len) {
		memcpy(copy, input, input_len);
		j->input = copy;
		j->input_len = input_len;
		fcntl(j->in, F_SETFL, O_NONBLOCK);
	}
}

/* Decodes one request frame (without its length) and starts the command. */
static void handle_request(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	if (len < 4)
		return;
	uint32_t id = get_u32(p);
	p += 4;
	char **argv = read_strings(&p, end);
	char **envp = argv ? read_strings(&p, end) : NULL;
	uint32_t inlen = argv && envp && end - p >= 4 ? get_u32(p) : 0;
	if (!argv || !envp || !argv[0] || end - p < 4 || (size_t)(end - p - 4) < inlen)
		reply(id, -EINVAL, 0, NULL, NULL);
	else
		start_job(id, argv, envp, p + 4, inlen);
	free_strings(argv);
	free_strings(envp);
}

static void drain(int *fd, struct buf *b)
{
	char chunk[65536];
	ssize_t n = read(*fd, chunk, sizeof(chunk));
	if (n > 0) {
		/* Out of memory: this chunk of the command's output is dropped; the pipe keeps draining so the command
		 * never blocks on it. */
		(void)buf_append(b, chunk, (size_t)n);
		return;
	}
	if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
}

static void feed(struct job *j)
{
	ssize_t n = write(j->in, j->input + j->input_off, j->input_len - j->input_off);
	if (n > 0)
		j->input_off += (size_t)n;
	if ((n < 0 && errno != EAGAIN && errno != EINTR) || j->input_off == j->input_len) {
		close(j->in);
		j->in = -1;
		free(j->input);
		j->input = NULL;
	}
}

/* Reaps every exited child; records statuses of our jobs (others, e.g. re-parented orphans, just go away). */
static void reap(void)
{
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < njobs; i++) {
			if (jobs[i].pid == pid) {
				jobs[i].exited = 1;
				jobs[i].status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			}
		}
	}
}

/* Replies for finished jobs and drops them from the table. */
static void finish_jobs(void)
{
	for (int i = 0; i < njobs;) {
		struct job *j = &jobs[i];
		if (!j->exited || j->out >= 0 || j->err >= 0) {
			i++;
			continue;
		}
		reply(j->id, j->pid, j->status, &j->stdout_buf, &j->stderr_buf);
		if (j->in >= 0)
			close(j->in);
		free(j->stdout_buf.data);
		free(j->stderr_buf.data);
		free(j->input);
		jobs[i] = jobs[--njobs];
	}
}

int cmd_spawner(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int sfd = fork_server_signals();
	if (sfd < 0) {
		fprintf(stderr, "nodelet-shim spawner: %s\n", err_msg());
		return 1;
	}
	if (stat("/proc/self/exe", &self_stat) < 0 || (self_copy = selfexe_sealed_copy()) < 0 ||
	    dup3(self_copy, SELF_COPY_FD, O_CLOEXEC) < 0) {
		fprintf(stderr, "nodelet-shim spawner: %s (each shim it starts makes its own copy)\n", err_msg());
	} else {
		close(self_copy);
		self_copy = SELF_COPY_FD;
	}
	struct buf in = { 0 };
	for (;;) {
		struct pollfd fds[2 + 3 * MAX_JOBS];
		int n = 0;
		fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		for (int i = 0; i < njobs; i++) {
			fds[n++] = (struct pollfd){ .fd = jobs[i].out, .events = POLLIN };
			fds[n++] = (struct pollfd){ .fd = jobs[i].err, .events = POLLIN };
			fds[n++] = (struct pollfd){ .fd = jobs[i].in, .events = POLLOUT };
		}
		if (poll(fds, (nfds_t)n, -1) < 0 && errno != EINTR)
			return 1;
		int count = njobs; /* jobs started below are polled next round */
		for (int i = 0; i < count; i++) {
			if (fds[2 + 3 * i].revents && jobs[i].out >= 0)
				drain(&jobs[i].out, &jobs[i].stdout_buf);
			if (fds[3 + 3 * i].revents && jobs[i].err >= 0)
				drain(&jobs[i].err, &jobs[i].stderr_buf);
			if (fds[4 + 3 * i].revents && jobs[i].in >= 0)
				feed(&jobs[i]);
		}
		if (fds[1].revents) {
			fork_server_drain(sfd);
			reap();
		}
		if (fds[0].revents) {
			char chunk[65536];
			ssize_t r = read(STDIN_FILENO, chunk, sizeof(chunk));
			if (r <= 0 && (r == 0 || errno != EINTR))
				return 0; /* the daemon is gone */
			if (r > 0 && buf_append(&in, chunk, (size_t)r) < 0)
				return 1; /* a request lost to memory: the daemon's Runner goes on without us */
			size_t off = 0;
			while (in.len - off >= 4) {
				uint32_t len = get_u32((unsigned char *)in.data + off);
				if (in.len - off - 4 < len)
					break;
				handle_request((unsigned char *)in.data + off + 4, len);
				off += 4 + len;
			}
			if (off > 0) {
				memmove(in.data, in.data + off, in.len - off);
				in.len -= off;
			}
		}
		finish_jobs();
	}
}
