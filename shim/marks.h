/*
 * marks.h — when each step of a container start happened, for the daemon's
 * start trace (`nodelet explain pod NAME --timing`). The monitor maps one
 * shared anonymous page before it forks; the intermediate process and the
 * container's init write CLOCK_MONOTONIC nanoseconds into it as they go (the
 * page outlives their execve in the monitor), and the monitor appends them to
 * its "ok" line as NAME=NS words. CLOCK_MONOTONIC is the clock of Node's
 * process.hrtime, so the daemon places them among its own spans as they are.
 */
#ifndef NODELET_MARKS_H
#define NODELET_MARKS_H

#include <stddef.h>

enum start_mark {
	MARK_MONITOR,         /* the monitor process began */
	MARK_MONITOR_READY,   /* its signals, stdin and log pipes are set up */
	MARK_JOINED,          /* the intermediate joined the device filter, cgroups and namespaces */
	MARK_INIT,            /* the container's init runs (forked into the pod's PID namespace) */
	MARK_ROOTFS,          /* mount namespace made, the overlay root mounted */
	MARK_SYSTEM_MOUNTS,   /* /proc, /dev, /sys and the cgroup view mounted */
	MARK_VOLUMES,         /* the pod's volumes mounted, the working directory made */
	MARK_PROTECTED,       /* masked and read-only paths applied */
	MARK_PIVOTED,         /* pivot_root done (and the root made read-only, the user namespace entered) */
	MARK_EXEC,            /* identity, capabilities and seccomp set: execve is next */
	MARK_RUNNING,         /* the monitor saw the execve succeed */
	MARK_COUNT,
};

/* Maps the shared page; without it (mmap failed) mark() does nothing: timing is never a reason to fail. */
void marks_init(void);
void mark(enum start_mark m);
/* Appends " name=ns" for every mark taken to buf (NUL-terminated, truncated to size). */
void marks_format(char *buf, size_t size);

#endif
