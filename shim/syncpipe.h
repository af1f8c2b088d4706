/*
 * syncpipe.h — how a forked child tells its parent that it failed before (or
 * at) execve. The write end is O_CLOEXEC: a successful execve closes it, so
 * the parent reads EOF and knows the command is running; a failure writes
 * "<code> <message>" first. The same trick as runc's and Go's os/exec.
 */
#ifndef NODELET_SYNCPIPE_H
#define NODELET_SYNCPIPE_H

#include <stddef.h>

/* In the child: write code and message to fd and _exit(code). */
void report_start_error(int fd, int code, const char *msg) __attribute__((noreturn));

/* In the parent: 0 when EOF came first (exec succeeded), 1 when the child
 * reported an error (code and msg filled), -1 on a read error (fail_errno). */
int read_start_result(int fd, int *code, char *msg, size_t size);

#endif
