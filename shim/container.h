/*
 * container.h — starting one container: the monitor forks an intermediate
 * process, which joins the cgroups and namespaces and forks the container's
 * init; the init builds the root filesystem and execs COMMAND.
 *
 *   monitor M (host namespaces, child subreaper)
 *     └─ intermediate I: join cgroups, setns(ipc, uts, net, pid) / unshare(pid),
 *          │              fork, send C's pid to M, exit
 *          └─ container init C: unshare(mnt), mounts, pivot_root, exec
 *
 * I exists so that M itself never enters the pod's namespaces or cgroups:
 * a PID namespace only applies to children, and M must not keep the pod's
 * network namespace alive nor be charged to (or OOM-killed in) its memory cgroup.
 * When I exits, C is re-parented to M because M is a child subreaper.
 */
#ifndef NODELET_CONTAINER_H
#define NODELET_CONTAINER_H

#include "options.h"

#include <stdbool.h>
#include <sys/types.h>

/* The stdio the container init gets (M's ends of these are separate). */
struct container_io {
	int stdin_fd;
	int stdout_fd;
	int stderr_fd;
	int console_fd;   /* --tty: the socket C sends its pty master over (tty.h); -1 otherwise */
};

/* Forks I and C and waits until COMMAND has been exec'd. Returns C's pid (as
 * seen from the host), or -1 with the failure in err_msg(); *pid_out is set to
 * C's pid if C existed (it has then been killed and reaped), else 0. */
pid_t container_start(const struct container_spec *s, const struct container_io *io, pid_t *pid_out);

/* Runs in C: sets up the container and execs COMMAND; on failure reports on
 * err_fd (see syncpipe.h) and exits. */
void container_init(const struct container_spec *s, const struct container_io *io, int err_fd)
	__attribute__((noreturn));

#endif
