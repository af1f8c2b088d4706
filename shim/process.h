/*
 * process.h — the last steps before execve, shared by the container init
 * (monitor mode) and the exec'd command (exec mode): working directory,
 * identity, capabilities, no_new_privs, signals, PATH lookup, execve.
 */
#ifndef NODELET_PROCESS_H
#define NODELET_PROCESS_H

#include "options.h"

/* Exit statuses for a command that could not start, as shells and runc use them. */
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127
/* Setup before execve failed (cwd, ids, capabilities): the runtime's fault, not the command's. */
#define EXIT_SETUP_FAILED 125

/* Becomes p's process and execs it. Returns only on failure: -1 with the
 * message in err_msg() and *code set to 126, 127 or EXIT_SETUP_FAILED. */
int process_exec(const struct process_spec *p, int *code);

/* Unblocks every signal and restores default dispositions: the daemon and the
 * monitor block or ignore some (Node ignores SIGPIPE) and exec keeps both. */
void reset_signals(void);

#endif
