/*
 * exit_file.h — how the monitor tells the daemon that a container ended: a
 * small JSON file written atomically (PATH.tmp, then rename), whose appearance
 * the daemon sees with inotify.
 */
#ifndef NODELET_EXIT_FILE_H
#define NODELET_EXIT_FILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct exit_record {
	int exit_code;        /* status, or 128 + signal */
	int signal;           /* 0 unless killed by a signal */
	bool oom_killed;
	const char *reason;   /* Completed | Error | OOMKilled | StartError */
	const char *message;
	struct timespec started_at;
	struct timespec finished_at;
	pid_t pid;
};

/* Fills code, signal and reason from a waitpid status and the OOM verdict. */
void exit_record_from_status(struct exit_record *r, int status, bool oom_killed);

/* Writes the record to path (parent dirs created). 0 or -1 with fail_errno. */
int exit_file_write(const char *path, const struct exit_record *r);

/* The "oom_kill N" count in memory.oom_control (v1) or memory.events (v2);
 * 0 when path is NULL or unreadable. */
uint64_t oom_kill_count(const char *path);

#endif
