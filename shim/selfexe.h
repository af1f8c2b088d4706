/*
 * selfexe.h — the shim runs from a sealed in-memory copy of itself (CVE-2019-5736).
 *
 * A process that enters a container (the container's init before its execve, the exec helper and the command it
 * becomes, the pause process) runs the shim's binary, and a process in the container that reaches it through
 * /proc/PID/exe (a `#!/proc/self/exe` entrypoint makes the exec'd command the shim itself) could reopen the host's
 * file for writing once nothing runs it any more. As runc and crun do, the modes that enter a pod re-execute from a
 * memfd copy sealed against writing, growing and shrinking, so /proc/PID/exe leads to that copy and never to the
 * host's file. The spawner keeps one sealed copy for its whole life and starts the shim from it, so a pod start
 * through it pays no copy at all.
 */
#ifndef NODELET_SELFEXE_H
#define NODELET_SELFEXE_H

#include <stdbool.h>

/* True when /proc/self/exe is a memfd carrying every seal a copy gets. */
bool selfexe_is_sealed(void);

/* A new close-on-exec memfd holding a sealed copy of /proc/self/exe; -1 with fail(). */
int selfexe_sealed_copy(void);

/* Unless already running from a sealed copy, makes one and re-executes argv from it (environment kept); returns
 * only on failure, -1 with fail(). */
int selfexe_ensure_sealed(char **argv);

#endif
