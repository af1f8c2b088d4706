/*
 * util.h — small helpers shared by every mode: error messages, whole reads and
 * writes, time formatting, directories, integers.
 *
 * Error convention: a function that fails stores one human-readable message
 * ("mount /data: bind /src: No such file or directory") with fail() or
 * fail_errno() and returns -1. The caller either adds nothing and passes -1 up,
 * or reports err_msg() at the top of its mode.
 */
#ifndef NODELET_UTIL_H
#define NODELET_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define ERR_MAX 1024

/* Stores a formatted message as the current error; returns -1. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like fail(), with ": strerror(errno)" appended (errno read before formatting). */
int fail_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Puts a prefix before the current error: "prefix: <current message>"; returns -1.
 * (fail("...: %s", err_msg()) would format the buffer into itself.) */
int fail_context(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* From now on, error messages show `shown` wherever they would show `text` (--redact: a command word expanded
 * from a Secret's variable is shown as the pod spec writes it). Both must outlive the process's use of errors. */
int err_redact(const char *text, const char *shown);
/* The current error message ("" if none). */
const char *err_msg(void);

/* write(2) until all of buf is written, retrying on EINTR; 0 or -1 (errno set). */
int write_all(int fd, const void *buf, size_t len);
/* Reads until EOF or len bytes; returns the byte count or -1 (errno set). */
ssize_t read_full(int fd, void *buf, size_t len);

/* Writes a short string to a file that already exists (cgroup files); 0 or -1 with fail_errno. */
int write_file(const char *path, const char *text);
/* Reads up to len-1 bytes of a file into buf, NUL-terminated; byte count or -1 with fail_errno. */
ssize_t read_file(const char *path, char *buf, size_t len);

/* mkdir -p; existing directories are fine. 0 or -1 with fail_errno. */
int mkdir_p(const char *path, mode_t mode);
/* mkdir -p of the directory that contains path. */
int mkdir_parent(const char *path, mode_t mode);

/* "2026-11-27T04:19:27.123456789Z" (always 9 fraction digits, so lines sort as text). out >= 32 bytes. */
void format_rfc3339nano(const struct timespec *ts, char *out);
struct timespec now_realtime(void);
/* CLOCK_MONOTONIC in milliseconds, for deadlines. */
int64_t now_ms(void);

/* Decimal parse of a whole string; 0 or -1 (no message). */
int parse_u64(const char *s, uint64_t *out);
int parse_int(const char *s, int *out);

/* Points fds 0, 1 and 2 at /dev/null. 0 or -1 with fail_errno. */
int stdio_to_devnull(void);

/* "/proc/self/fd/N" into buf (>= 32 bytes): the path by which mount(2) reaches an fd. */
const char *fd_path(int fd, char *buf);

/* Copies src into dst[size], always NUL-terminated; true when it fitted. */
bool copy_str(char *dst, size_t size, const char *src);

#endif
