/* syncpipe.c — see syncpipe.h. */
#define _GNU_SOURCE
#include "syncpipe.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void report_start_error(int fd, int code, const char *msg)
{
	char buf[ERR_MAX + 16];
	int n = snprintf(buf, sizeof buf, "%d %s", code, msg);
	write_all(fd, buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
	_exit(code);
}

int read_start_result(int fd, int *code, char *msg, size_t size)
{
	char buf[ERR_MAX + 16];
	ssize_t n = read_full(fd, buf, sizeof buf - 1);
	if (n < 0)
		return fail_errno("read the start result");
	if (n == 0)
		return 0;
	buf[n] = '\0';
	char *space = strchr(buf, ' ');
	*code = atoi(buf);
	copy_str(msg, size, space ? space + 1 : buf);
	return 1;
}
