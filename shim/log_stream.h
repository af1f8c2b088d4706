/*
 * log_stream.h — turns the bytes of one output pipe (stdout or stderr) into
 * CRI log lines: "F" for a full line, "P" for a partial chunk (a line longer
 * than CRI_LINE_MAX, or text without a final newline at EOF).
 */
#ifndef NODELET_LOG_STREAM_H
#define NODELET_LOG_STREAM_H

#include "log_writer.h"

#include <stdbool.h>

struct log_stream {
	const char *name;   /* "stdout" or "stderr" */
	int fd;             /* read end of the pipe; -1 once at EOF */
	char *buf;          /* the current unfinished line */
	size_t len;
	bool immediate;     /* a terminal: text without a newline is written at once as "P" (a prompt must show) */
};

/* 0 or -1 (out of memory). */
int stream_init(struct log_stream *s, const char *name, int fd);

/* Frames data read at time ts; writes every line it completes. */
void stream_feed(struct log_writer *w, struct log_stream *s, const char *data, size_t n,
		 const struct timespec *ts);

/* At EOF: writes any unfinished text as a "P" line. */
void stream_finish(struct log_writer *w, struct log_stream *s, const struct timespec *ts);

#endif
