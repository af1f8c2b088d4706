/* log_writer.c — see log_writer.h. */
#define _GNU_SOURCE
#include "log_writer.h"

#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* O_APPEND|O_CREAT; a file we create gets exactly 0640 whatever the daemon's umask. */
static int open_log_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd >= 0)
		fchmod(fd, 0640);
	else if (errno == EEXIST)
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	return fd;
}

int log_open(struct log_writer *w, const char *path, uint64_t max_size, int max_files)
{
	if (mkdir_parent(path, 0755) < 0)
		return -1;
	w->fd = open_log_file(path);
	if (w->fd < 0)
		return fail_errno("open log %s", path);
	struct stat st;
	if (fstat(w->fd, &st) < 0)
		return fail_errno("stat log %s", path);
	w->path = path;
	w->size = (uint64_t)st.st_size;
	w->max_size = max_size;
	w->max_files = max_files;
	w->last_stamp[0] = '\0';
	w->last_seq = 0;
	return 0;
}

/* writev until every byte is out; returns bytes written (short only on error). */
static size_t writev_all(int fd, struct iovec *iov, int cnt)
{
	size_t done = 0;
	while (cnt > 0) {
		ssize_t n = writev(fd, iov, cnt);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return done;
		done += (size_t)n;
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++, cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return done;
}

/* --- rotation ----------------------------------------------------------- */

/* True if name is base + ".YYYYMMDD-HHMMSS" with an optional ".N": a file we rotated. */
static bool is_rotated(const char *name, const char *base)
{
	size_t b = strlen(base);
	if (strncmp(name, base, b) != 0 || name[b] != '.')
		return false;
	const char *s = name + b + 1;
	for (int i = 0; i < 15; i++)
		if (i == 8 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	if (s[15] == '\0')
		return true;
	if (s[15] != '.' || s[16] == '\0')
		return false;
	return strspn(s + 16, "0123456789") == strlen(s + 16);
}

static size_t base_len;  /* for the sort comparator: length of "base." */

/* Oldest first: by timestamp text, then by the numeric ".N" (".10" after ".9"). */
static int by_age(const void *a, const void *b)
{
	const char *x = *(char *const *)a + base_len, *y = *(char *const *)b + base_len;
	int c = strncmp(x, y, 15);
	if (c != 0)
		return c;
	long nx = x[15] ? atol(x + 16) : 0, ny = y[15] ? atol(y + 16) : 0;
	return (nx > ny) - (nx < ny);
}

/* Deletes the oldest rotated files so at most max_files - 1 remain beside the live one. */
static void prune(const struct log_writer *w)
{
	char dirbuf[4096], basebuf[4096];
	copy_str(dirbuf, sizeof dirbuf, w->path);
	copy_str(basebuf, sizeof basebuf, w->path);
	const char *dir = dirname(dirbuf), *base = basename(basebuf);
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (!is_rotated(e->d_name, base))
			continue;
		if (n == cap && (names = realloc(names, (cap = cap ? cap * 2 : 8) * sizeof *names)) == NULL)
			break;
		names[n++] = strdup(e->d_name);
	}
	base_len = strlen(base) + 1;
	if (names)
		qsort(names, n, sizeof *names, by_age);
	for (size_t i = 0; names && i < n; i++) {
		if (n - i > (size_t)(w->max_files - 1))
			unlinkat(dirfd(d), names[i], 0);
		free(names[i]);
	}
	free(names);
	closedir(d);
}

/* Renames the live file to PATH.YYYYMMDD-HHMMSS[.N]. Within one second N only
 * grows: reusing a name freed by prune() would make the newest file sort as
 * the oldest. RENAME_NOREPLACE skips names that exist (e.g. from an earlier
 * monitor) without a check-then-rename race. 0 or -1. */
static int rename_live(struct log_writer *w)
{
	char stamp[16], name[4200];
	struct timespec ts = now_realtime();
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	int seq = strcmp(stamp, w->last_stamp) == 0 ? w->last_seq + 1 : 0;
	for (int tries = 0; tries < 10000; tries++, seq++) {
		if (seq == 0)
			snprintf(name, sizeof name, "%s.%s", w->path, stamp);
		else
			snprintf(name, sizeof name, "%s.%s.%d", w->path, stamp, seq);
		if (renameat2(AT_FDCWD, w->path, AT_FDCWD, name, RENAME_NOREPLACE) == 0) {
			memcpy(w->last_stamp, stamp, sizeof stamp);
			w->last_seq = seq;
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static void rotate(struct log_writer *w)
{
	if (rename_live(w) < 0)
		return;  /* keep appending to the current file */
	int fd = open_log_file(w->path);
	if (fd < 0)
		return;  /* keep writing to the renamed file: lines are not lost */
	close(w->fd);
	w->fd = fd;
	w->size = 0;
	prune(w);
}

void log_line(struct log_writer *w, const char *stream, char tag, const char *text, size_t len,
	      const struct timespec *ts)
{
	char head[80];
	char stamp[32];
	format_rfc3339nano(ts, stamp);
	int hl = snprintf(head, sizeof head, "%s %s %c ", stamp, stream, tag);
	struct iovec iov[3] = {
		{ head, (size_t)hl }, { (void *)text, len }, { "\n", 1 },
	};
	/* One writev per line with O_APPEND: readers never see half a line. */
	w->size += writev_all(w->fd, iov, 3);
	if (w->max_size > 0 && w->size > w->max_size)
		rotate(w);
}
