/* log_stream.c — see log_stream.h. */
#define _GNU_SOURCE
#include "log_stream.h"

#include <stdlib.h>
#include <string.h>

int stream_init(struct log_stream *s, const char *name, int fd)
{
	s->name = name;
	s->fd = fd;
	s->len = 0;
	s->immediate = false;
	s->buf = malloc(CRI_LINE_MAX);
	return s->buf ? 0 : -1;
}

/* Appends text without newlines to the current line. A full buffer is written
 * as "P" only when more text follows: a line of exactly CRI_LINE_MAX bytes
 * then its newline stays one "F" line. */
static void append(struct log_writer *w, struct log_stream *s, const char *data, size_t n,
		   const struct timespec *ts)
{
	while (n > 0) {
		if (s->len == CRI_LINE_MAX) {
			log_line(w, s->name, 'P', s->buf, s->len, ts);
			s->len = 0;
		}
		size_t k = n < CRI_LINE_MAX - s->len ? n : CRI_LINE_MAX - s->len;
		memcpy(s->buf + s->len, data, k);
		s->len += k;
		data += k;
		n -= k;
	}
}

void stream_feed(struct log_writer *w, struct log_stream *s, const char *data, size_t n,
		 const struct timespec *ts)
{
	while (n > 0) {
		const char *nl = memchr(data, '\n', n);
		size_t seg = nl ? (size_t)(nl - data) : n;
		if (nl && s->len == 0 && seg <= CRI_LINE_MAX) {
			log_line(w, s->name, 'F', data, seg, ts);  /* common case: no copy */
		} else {
			append(w, s, data, seg, ts);
			if (nl) {
				log_line(w, s->name, 'F', s->buf, s->len, ts);
				s->len = 0;
			}
		}
		data += seg + (nl ? 1 : 0);
		n -= seg + (nl ? 1 : 0);
	}
	if (s->immediate && s->len > 0) {
		log_line(w, s->name, 'P', s->buf, s->len, ts);
		s->len = 0;
	}
}

void stream_finish(struct log_writer *w, struct log_stream *s, const struct timespec *ts)
{
	if (s->len > 0)
		log_line(w, s->name, 'P', s->buf, s->len, ts);
	s->len = 0;
}
