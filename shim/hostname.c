/*
 * hostname.c — `nodelet-shim hostname --uts PATH NAME`: sets the hostname of an existing UTS namespace (a warm
 * sandbox claimed by a pod takes the pod's name). Enters only that namespace: the process stays in the host's
 * mount, PID and network namespaces, so it exposes nothing of the host to the pod.
 */
#define _GNU_SOURCE
#include "util.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_hostname(int argc, char **argv)
{
	const char *uts = NULL, *name = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--uts") == 0 && i + 1 < argc)
			uts = argv[++i];
		else if (name == NULL && argv[i][0] != '-')
			name = argv[i];
		else {
			printf("error unknown argument %s\n", argv[i]);
			return 1;
		}
	}
	if (uts == NULL || name == NULL || name[0] == '\0' || strlen(name) > 64) {
		printf("error usage: nodelet-shim hostname --uts PATH NAME (1-64 bytes)\n");
		return 1;
	}
	int fd = open(uts, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail_errno("open %s", uts);
	} else if (setns(fd, CLONE_NEWUTS) < 0) {
		fail_errno("enter the UTS namespace %s", uts);
	} else if (sethostname(name, strlen(name)) < 0) {
		fail_errno("sethostname %s", name);
	}
	if (fd >= 0)
		close(fd);
	if (err_msg()[0] != '\0') {
		printf("error %s\n", err_msg());
		return 1;
	}
	printf("ok\n");
	return 0;
}
