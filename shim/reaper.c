/* reaper.c — see reaper.h. */
#define _GNU_SOURCE
#include "reaper.h"

#include <ctype.h>
#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct proc_link {
	pid_t pid, ppid;
};

/* Our pid as the mounted /proc numbers it: after setns into a container's
 * mount namespace, /proc may belong to another PID namespace than getpid(). */
static pid_t proc_self(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
	if (n <= 0)
		return getpid();
	buf[n] = '\0';
	return (pid_t)atoi(buf);
}

/* ppid from /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold ") ". */
static pid_t read_ppid(int procfd, pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "%d/stat", (int)pid);
	int fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *close_paren = strrchr(buf, ')');
	int ppid;
	if (close_paren == NULL || sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/* Every (pid, ppid) pair in /proc; *count set; NULL on failure. */
static struct proc_link *list_processes(size_t *count)
{
	DIR *d = opendir("/proc");
	if (d == NULL)
		return NULL;
	struct proc_link *list = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		pid_t ppid = read_ppid(dirfd(d), pid);
		if (ppid < 0)
			continue;
		if (n == cap) {
			struct proc_link *grown = realloc(list, (cap = cap ? cap * 2 : 64) * sizeof *list);
			if (grown == NULL)
				break;
			list = grown;
		}
		list[n++] = (struct proc_link){ pid, ppid };
	}
	closedir(d);
	*count = n;
	return list;
}

static bool in_set(const pid_t *set, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == pid)
			return true;
	return false;
}

/* One pass: SIGKILL everything below root (transitively). */
static void kill_descendants(pid_t root)
{
	size_t n = 0;
	struct proc_link *all = list_processes(&n);
	pid_t *tree = malloc((n + 1) * sizeof *tree);
	if (all == NULL || tree == NULL) {
		free(all);
		free(tree);
		return;
	}
	size_t size = 1;
	tree[0] = root;
	for (bool grew = true; grew;) {  /* a fixpoint: containers have few processes */
		grew = false;
		for (size_t i = 0; i < n; i++) {
			if (in_set(tree, size, all[i].ppid) && !in_set(tree, size, all[i].pid)) {
				tree[size++] = all[i].pid;
				grew = true;
			}
		}
	}
	for (size_t i = 1; i < size; i++)
		kill(tree[i], SIGKILL);
	free(all);
	free(tree);
}

/* Reaps what has exited; true once no child is left at all. */
static bool reap_all_exited(void)
{
	for (;;) {
		pid_t p = waitpid(-1, NULL, WNOHANG);
		if (p < 0 && errno == ECHILD)
			return true;
		if (p <= 0)
			return false;
	}
}

void kill_tree_and_reap(pid_t group)
{
	pid_t self = proc_self();
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	/* The command's own process group first: it works even if /proc cannot be read. */
	if (group > 0)
		kill(-group, SIGKILL);
	/* Bounded (about 5 s) so that the shim always ends, even if something escaped the walk. */
	for (int pass = 0; pass < 50; pass++) {
		kill_descendants(self);
		if (reap_all_exited())
			return;
		/* Each exit may hand us more orphans: wait for the next SIGCHLD (blocked here), then look again. */
		struct timespec tick = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };
		sigtimedwait(&chld, NULL, &tick);
	}
}

void reap_exited(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}
