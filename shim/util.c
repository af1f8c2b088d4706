/* util.c — see util.h. */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char err_buf[ERR_MAX];

/* Texts error messages must not show (a Secret's bytes in a command), each with what they show instead. */
#define REDACT_MAX 256
static const char *redact_from[REDACT_MAX], *redact_to[REDACT_MAX];
static int nredact;

int err_redact(const char *text, const char *shown)
{
	if (text[0] == '\0')
		return 0;
	if (nredact == REDACT_MAX)
		return fail("--redact: more than %d texts", REDACT_MAX);
	redact_from[nredact] = text, redact_to[nredact] = shown, nredact++;
	return 0;
}

/* Appends len bytes of src to out[ERR_MAX] at *at, cut at the buffer's end. */
static void append(char *out, size_t *at, const char *src, size_t len)
{
	size_t room = ERR_MAX - 1 - *at, k = len < room ? len : room;
	memcpy(out + *at, src, k);
	*at += k;
}

/* Sets err_buf to msg with every registered text replaced by what it shows instead. */
static void set_error(const char *msg)
{
	char cur[ERR_MAX], out[ERR_MAX];
	copy_str(cur, sizeof cur, msg);
	for (int r = 0; r < nredact; r++) {
		size_t at = 0, flen = strlen(redact_from[r]);
		const char *p = cur, *hit;
		while ((hit = strstr(p, redact_from[r])) != NULL) {
			append(out, &at, p, (size_t)(hit - p));
			append(out, &at, redact_to[r], strlen(redact_to[r]));
			p = hit + flen;
		}
		if (p == cur)
			continue;
		append(out, &at, p, strlen(p));
		out[at] = '\0';
		memcpy(cur, out, at + 1);
	}
	memcpy(err_buf, cur, sizeof err_buf);
}

/* Formatted in a larger buffer first, so a text to redact is whole when it is looked for. */
int fail(const char *fmt, ...)
{
	char msg[4 * ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	set_error(msg);
	return -1;
}

int fail_errno(const char *fmt, ...)
{
	int saved = errno;
	char msg[4 * ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof msg)
		snprintf(msg + n, sizeof msg - n, ": %s", strerror(saved));
	set_error(msg);
	errno = saved;
	return -1;
}

int fail_context(const char *fmt, ...)
{
	char old[ERR_MAX], msg[4 * ERR_MAX];
	memcpy(old, err_buf, sizeof old);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* ": <old>" appended by hand, cut at the buffer's end (snprintf's truncation is a warning under -fanalyzer). */
	size_t at = n < 0 ? 0 : (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
	size_t room = sizeof msg - 1 - at, oldlen = strnlen(old, sizeof old - 1);
	if (room >= 2) {
		memcpy(msg + at, ": ", 2);
		at += 2, room -= 2;
		size_t k = oldlen < room ? oldlen : room;
		memcpy(msg + at, old, k);
		at += k;
	}
	msg[at] = '\0';
	set_error(msg);
	return -1;
}

const char *err_msg(void)
{
	return err_buf;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno("open %s", path);
	int rc = write_all(fd, text, strlen(text));
	if (rc < 0)
		fail_errno("write %s", path);
	close(fd);
	return rc;
}

ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno("open %s", path);
	ssize_t n = read_full(fd, buf, len - 1);
	if (n < 0)
		fail_errno("read %s", path);
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	if (!copy_str(buf, sizeof buf, path))
		return fail("mkdir %s: path too long", path);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return fail_errno("mkdir %s", buf);
		*p = saved;
		if (saved == '\0')
			return 0;
	}
}

int mkdir_parent(const char *path, mode_t mode)
{
	char buf[4096];
	if (!copy_str(buf, sizeof buf, path))
		return fail("mkdir %s: path too long", path);
	char *slash = strrchr(buf, '/');
	if (slash == NULL || slash == buf)
		return 0;
	*slash = '\0';
	return mkdir_p(buf, mode);
}

void format_rfc3339nano(const struct timespec *ts, char *out)
{
	struct tm tm;
	gmtime_r(&ts->tv_sec, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%09ldZ", ts->tv_nsec % 1000000000L);
}

struct timespec now_realtime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int parse_u64(const char *s, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int parse_int(const char *s, int *out)
{
	uint64_t v;
	if (parse_u64(s, &v) < 0 || v > 0x7fffffff)
		return -1;
	*out = (int)v;
	return 0;
}

int stdio_to_devnull(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail_errno("open /dev/null");
	for (int i = 0; i < 3; i++) {
		if (dup2(fd, i) < 0) {
			fail_errno("dup2 /dev/null");
			if (fd > 2)
				close(fd);
			return -1;
		}
	}
	if (fd > 2)
		close(fd);
	return 0;
}

const char *fd_path(int fd, char *buf)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

bool copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}
