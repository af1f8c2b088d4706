/*
 * resolve.h — path resolution that cannot be tricked by symlinks.
 *
 * A container image is untrusted: its /data may be a symlink to /etc, and a
 * naive mount("/host", rootfs + "/data") would then mount over the host's /etc.
 * openat2(2) resolves the path in the kernel with a scope (RESOLVE_IN_ROOT:
 * treat the directory as "/", RESOLVE_BENEATH: fail on any escape), and the fd
 * it returns is then used as the mount target through /proc/self/fd/N — the
 * same approach as runc's securejoin + WithProcfd (CVE-2021-30465).
 */
#ifndef NODELET_RESOLVE_H
#define NODELET_RESOLVE_H

#include <stdint.h>

/* resolve flags for the functions below */
#define SCOPE_IN_ROOT 1   /* RESOLVE_IN_ROOT: ".." and absolute symlinks stay inside */
#define SCOPE_BENEATH 2   /* RESOLVE_BENEATH: any escape fails with EXDEV */

/* openat2(dirfd, path, flags) with the scope and RESOLVE_NO_MAGICLINKS; fd or -1 (errno set, no message). */
int open_scoped(int dirfd, const char *path, int flags, int scope);

enum leaf_kind { LEAF_DIR, LEAF_FILE };

/* Creates the missing parts of path inside dirfd — directories, and the last
 * element as a directory or an empty file — then opens it with O_PATH.
 * fd or -1 (errno set, no message). */
int create_scoped(int dirfd, const char *path, enum leaf_kind leaf, int scope);

#endif
