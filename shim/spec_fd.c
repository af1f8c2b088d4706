/*
 * spec_fd.c — see spec_fd.h. The words read go after the flags left on argv, and the command ("-- COMMAND") must
 * be among them: argv itself may not carry one when --spec-fd is used.
 */
#define _GNU_SOURCE
#include "spec_fd.h"

#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The words read: the parsed spec points into them for the rest of the process's life. */
static char *spec_words;

/* Reads fd to EOF into a NUL-terminated heap buffer; its length in *len. NULL with fail(). */
static char *read_spec(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (buf == NULL) {
		fail("--spec-fd: out of memory");
		return NULL;
	}
	for (;;) {
		if (n + 1 >= cap) {
			if (cap >= SPEC_MAX) {
				free(buf);
				fail("--spec-fd: spec larger than %u bytes", SPEC_MAX);
				return NULL;
			}
			char *bigger = realloc(buf, cap * 2);
			if (bigger == NULL) {
				free(buf);
				fail("--spec-fd: out of memory");
				return NULL;
			}
			buf = bigger, cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail_errno("--spec-fd: read fd %d", fd);
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int spec_fd_expand(int *argc, char ***argv)
{
	int at = -1;
	bool command = false;
	for (int i = 1; i < *argc; i++) {
		if (strcmp((*argv)[i], "--") == 0) {
			command = true;
			break;
		}
		if (at < 0 && strcmp((*argv)[i], "--spec-fd") == 0)
			at = i;
	}
	if (at < 0)
		return 0;
	if (command)
		return fail("--spec-fd: the command goes in the spec, not on the command line");
	int fd;
	if (at + 1 >= *argc || parse_int((*argv)[at + 1], &fd) < 0 || fd < 0)
		return fail("--spec-fd needs a file descriptor number");
	size_t len;
	char *buf = read_spec(fd, &len);
	close(fd);
	if (buf == NULL)
		return -1;
	if (len > 0 && buf[len - 1] != '\0') {
		free(buf);
		return fail("--spec-fd: the spec must end with a NUL byte");
	}
	size_t words = 0;
	for (size_t i = 0; i < len; i++)
		words += buf[i] == '\0';
	size_t total = (size_t)*argc - 2 + words;
	char **out = calloc(total + 1, sizeof(char *));
	if (out == NULL) {
		free(buf);
		return fail("--spec-fd: out of memory");
	}
	size_t k = 0;
	for (int i = 0; i < *argc; i++)
		if (i != at && i != at + 1)
			out[k++] = (*argv)[i];
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
		if (strcmp(buf + i, "--spec-fd") == 0) {
			free(out);
			free(buf);
			return fail("--spec-fd: the spec cannot name another --spec-fd");
		}
		out[k++] = buf + i;
	}
	out[k] = NULL;
	*argc = (int)k;
	*argv = out;
	spec_words = buf;
	return 0;
}
