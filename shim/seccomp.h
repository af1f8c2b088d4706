/*
 * seccomp.h — the container's seccomp filter, built with libseccomp from the
 * compact profile the daemon compiles (src/runtime/seccomp/compact.ts) out of
 * an OCI/Docker JSON profile. One rule a line, words separated by spaces:
 *
 *   nodelet-seccomp 1              first line: format and version
 *   default errno:1                the action for every syscall no rule names
 *   arch x86                       an extra architecture (the native one is always in)
 *   flag log | flag spec_allow     SECCOMP_FILTER_FLAG_LOG / _SPEC_ALLOW
 *   ACTION NAME [IDX:OP:V[:V2]]... one rule; conditions are ANDed
 *
 * ACTION: allow, errno:N, kill_thread, kill_process, trap, log, trace:N.
 * OP: ne lt le eq ge gt me (masked equal: (arg & V) == V2).
 * NAME: a syscall name; `?NAME` may be unknown to libseccomp (skipped: the
 * default profile names syscalls newer than the library), a plain NAME must
 * resolve or the whole profile is refused.
 *
 * Building the filter costs libseccomp milliseconds (≈3.5 ms of CPU for the
 * default profile and one architecture here, 14 ms with x86 and x32), so it is
 * done once per distinct profile: `nodelet-shim seccomp-compile IN OUT` writes
 * the BPF program, the daemon keeps it, and each container start only loads
 * it (--seccomp FILE: one seccomp(2) call), as crun caches its filters.
 * The program file: "NLSC", the u32 SECCOMP_FILTER_FLAG_* to load with, then
 * struct sock_filter instructions.
 */
#ifndef NODELET_SECCOMP_H
#define NODELET_SECCOMP_H

#include <stddef.h>
#include <stdint.h>

/* Most bytes a compact profile may have (the default one is ~7 KB). */
#define SECCOMP_PROFILE_MAX (1u << 20)

/* A compiled filter, ready for seccomp(2). */
struct seccomp_prog {
	uint32_t flags;
	unsigned short len;    /* instructions */
	void *insns;           /* struct sock_filter[len] */
};

/* Reads a program file written by seccomp-compile (the daemon keeps it 0600
 * in the container's state dir). 0 or -1 with fail(). */
int seccomp_read(const char *path, struct seccomp_prog *prog);

/* Loads the program into this process. no_new_privs is the caller's business
 * (process.c): without it the caller must still hold CAP_SYS_ADMIN. 0 or -1. */
int seccomp_apply(const struct seccomp_prog *prog);

/* `nodelet-shim seccomp-compile IN OUT`: builds IN (compact) with libseccomp,
 * writes the program to OUT; prints "ok" or "error <message>". */
int cmd_seccomp_compile(int argc, char **argv);

#endif
