/*
 * exec.h — `nodelet-shim exec`: run a command inside a running container.
 *
 *   shim E (host PID namespace; joins the container's cgroups and its ipc,
 *     │    uts, net, pid, mnt namespaces; relays the tty; enforces --timeout)
 *     └─ helper X (PID namespace of the container, child subreaper,
 *          │       waits for a kill request from E on a pipe)
 *          └─ command Y (cwd, uid, caps, no_new_privs, execve)
 *
 * X exists because only a process inside the container's PID namespace can be
 * the subreaper of the command's orphans: killing "the command" then means
 * killing X's whole tree and reaping it, leaving no zombie in the container.
 */
#ifndef NODELET_EXEC_H
#define NODELET_EXEC_H

#include "options.h"

/* Exit status when the shim itself failed (bad flags, container gone, setup of
 * the command), as podman/docker use it; equal to EXIT_SETUP_FAILED. */
#define EXIT_SHIM_FAILED 125
#define EXIT_KILLED 137

/* X: runs the command and waits for it; never returns. ctl_fd: E's kill
 * request (a byte, or EOF when E dies). slave: the pty slave or -1. */
void exec_helper(const struct exec_spec *s, int ctl_fd, int slave, int err_fd) __attribute__((noreturn));

int cmd_exec(int argc, char **argv);

#endif
