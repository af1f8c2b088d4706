/* exit_file.c — see exit_file.h. */
#define _GNU_SOURCE
#include "exit_file.h"

#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void exit_record_from_status(struct exit_record *r, int status, bool oom_killed)
{
	r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	r->exit_code = WIFSIGNALED(status) ? 128 + r->signal : WEXITSTATUS(status);
	r->oom_killed = oom_killed;
	r->reason = oom_killed ? "OOMKilled" : r->exit_code == 0 ? "Completed" : "Error";
}

/* JSON string body: quotes, backslashes and control characters escaped. */
static void json_escape(const char *s, char *out, size_t size)
{
	size_t o = 0;
	for (; *s && o + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, size - o, "\\%c", c);
		else if (c < 0x20)
			o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

int exit_file_write(const char *path, const struct exit_record *r)
{
	char msg[ERR_MAX * 2], started[32], finished[32], json[ERR_MAX * 3], tmp[4200];
	json_escape(r->message ? r->message : "", msg, sizeof msg);
	format_rfc3339nano(&r->started_at, started);
	format_rfc3339nano(&r->finished_at, finished);
	int n = snprintf(json, sizeof json,
			 "{\"exitCode\":%d,\"signal\":%d,\"oomKilled\":%s,\"reason\":\"%s\",\"message\":\"%s\","
			 "\"startedAt\":\"%s\",\"finishedAt\":\"%s\",\"pid\":%d}\n",
			 r->exit_code, r->signal, r->oom_killed ? "true" : "false", r->reason, msg, started,
			 finished, (int)r->pid);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (mkdir_parent(path, 0755) < 0)
		return -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail_errno("open %s", tmp);
	int rc = write_all(fd, json, (size_t)n);
	if (rc < 0)
		fail_errno("write %s", tmp);
	close(fd);
	/* rename is atomic: the daemon sees either no file or the whole record. */
	if (rc == 0 && rename(tmp, path) < 0)
		return fail_errno("rename %s to %s", tmp, path);
	return rc;
}

uint64_t oom_kill_count(const char *path)
{
	char buf[1024];
	if (path == NULL || read_file(path, buf, sizeof buf) < 0)
		return 0;
	for (char *line = buf; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, "oom_kill ", 9) == 0)
			return strtoull(line + 9, NULL, 10);
	return 0;
}
