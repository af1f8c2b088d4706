/*
 * spec_fd.h — the container spec (command, environment, mounts, every option) read from a file descriptor instead
 * of argv: argv is world-readable in /proc/PID/cmdline, so the daemon puts only identification there (`--id`,
 * `--target`) and sends the rest as NUL-terminated words on `--spec-fd N`. The words are the same flags the command
 * line takes, so options.c stays the one place options are understood.
 */
#ifndef NODELET_SPEC_FD_H
#define NODELET_SPEC_FD_H

/* Most bytes read from a spec fd: far above a real spec (argv itself is limited to ~2 MiB by the kernel). */
#define SPEC_MAX (16u << 20)

/*
 * When argv has `--spec-fd N` (before any "--"), reads fd N to EOF, closes it, and replaces *argc and *argv with a new
 * vector: argv without the two `--spec-fd` words, followed by the words read. The new vector and its strings live
 * until the process ends. 0 (also when there is no --spec-fd) or -1 with fail().
 */
int spec_fd_expand(int *argc, char ***argv);

#endif
