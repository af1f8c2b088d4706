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

int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof err_buf, fmt, ap);
	va_end(ap);
	return -1;
}

int fail_errno(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err_buf, sizeof err_buf, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof err_buf)
		snprintf(err_buf + n, sizeof err_buf - n, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

int fail_context(const char *fmt, ...)
{
	char old[ERR_MAX];
	memcpy(old, err_buf, sizeof old);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err_buf, sizeof err_buf, fmt, ap);
	va_end(ap);
	/* ": <old>" appended by hand, cut at the buffer's end (snprintf's truncation is a warning under -fanalyzer). */
	size_t at = n < 0 ? 0 : (size_t)n < sizeof err_buf ? (size_t)n : sizeof err_buf - 1;
	size_t room = sizeof err_buf - 1 - at, oldlen = strnlen(old, sizeof old - 1);
	if (room >= 2) {
		memcpy(err_buf + at, ": ", 2);
		at += 2, room -= 2;
		size_t k = oldlen < room ? oldlen : room;
		memcpy(err_buf + at, old, k);
		at += k;
	}
	err_buf[at] = '\0';
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
