/*
 * namespaces.h — entering cgroups and namespaces that already exist.
 */
#ifndef NODELET_NAMESPACES_H
#define NODELET_NAMESPACES_H

#include "options.h"

#include <sys/types.h>

/* Writes this process's pid to DIR/cgroup.procs for each dir. */
int join_cgroups(const char *const *dirs, int n);

/* setns into each --ns path, in the order ipc, uts, net, pid (runc's nsexec
 * order; the pid namespace only applies to children forked afterwards). */
int join_namespaces(const struct ns_join *ns, int n);

/* Joins the ipc, uts, net, pid and mount namespaces of a running process in
 * one atomic setns(pidfd) — no window where the pid could be reused between
 * opening /proc/PID/ns/x files. After it, / and the cwd are the container's root. */
int join_target(pid_t target);

/* Inode of a namespace file, to compare namespaces ("net" → /proc/self/ns/net). */
int ns_inode(const char *path, unsigned long *ino);

#endif
