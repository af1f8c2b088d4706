/*
 * mounts.h — everything mounted inside the container's mount namespace, in
 * the order container_init.c calls it. Every target is resolved inside the
 * root with resolve.h and reached through /proc/self/fd/N.
 */
#ifndef NODELET_MOUNTS_H
#define NODELET_MOUNTS_H

#include "options.h"

#include <stdbool.h>
#include <stdint.h>

/* Makes every mount in this (new) namespace private, so nothing we mount
 * propagates back to the host (the host's /run/netns is "shared"). */
int make_rprivate(void);

/* Creates the --rootfs dir and mounts the overlay (or a self bind) on it. */
int rootfs_mount(const struct container_spec *s);
/* pivot_root into rootfs and detach the old root. */
int rootfs_pivot(const char *rootfs);
/* --readonly-rootfs: the root mount alone becomes read-only (not /proc, /dev...). */
int rootfs_make_readonly(void);

/* /proc, /dev, /sys (a fresh sysfs, read-only unless privileged). */
int mount_proc(int rootfd);
/* privileged: every device node of the host's /dev, otherwise the harmless few. */
int mount_dev(int rootfd, const char *shm, bool privileged);
int mount_sys(int rootfd, bool privileged);
/* --cgroupfs: the container's own cgroups at /sys/fs/cgroup, read-only unless privileged (cgroupview.c). */
int mount_cgroup_view(int rootfd, const struct container_spec *s);

/* One --bind, --bind-sub or --tmpfs. */
int mount_user(int rootfd, const struct user_mount *m);
/* --masked: /dev/null over a file, an empty read-only tmpfs over a directory; missing paths are skipped. */
int mask_path(int rootfd, const char *path);
/* --readonly: a recursive read-only bind of the path onto itself; missing paths are skipped. */
int readonly_path(int rootfd, const char *path);

/* Re-opens dst (now the root of the mount just made there) and applies mount
 * attributes (MOUNT_ATTR_*) and propagation (MS_PRIVATE...; 0 = leave). */
int set_mount_attr(int rootfd, const char *dst, uint64_t attr_set, uint64_t propagation, bool recursive);

#endif
