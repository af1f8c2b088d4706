/*
 * rootfs.c — the container's root: an overlay of the image layers mounted in
 * the container's own mount namespace (so it disappears with the container and
 * never shows in the host's mount table), entered with pivot_root.
 */
#define _GNU_SOURCE
#include "mounts.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

/* mount(2) takes at most one page of options; beyond that the daemon must use
 * shorter layer paths (containerd chdirs and uses relative ones). */
#define OVERLAY_DATA_MAX 4096

/* A comma would end the option and start another ("...,upperdir=/"): refuse it. */
static int check_layer_path(const char *what, const char *path)
{
	if (path && strchr(path, ','))
		return fail("mount overlay: %s %s contains a comma", what, path);
	return 0;
}

static int mount_overlay(const struct container_spec *s)
{
	char data[OVERLAY_DATA_MAX];
	int n;
	if (check_layer_path("--lower", s->lower) < 0 || check_layer_path("--upper", s->upper) < 0 ||
	    check_layer_path("--work", s->work) < 0)
		return -1;
	/* "volatile" (Linux 5.10): the writable layer is never synced. Without it the
	 * overlay's unmount, when the container's last process exits and its mount
	 * namespace goes, syncs the upper filesystem and waits for a journal commit
	 * (1-40 ms on ext4 here), and the exit is only reported after that. A
	 * container's writable layer is throwaway (a restart gets a new one, and
	 * nothing remounts it after a crash), so losing its unsynced writes to a host
	 * crash costs nothing; podman mounts transient containers the same way. */
	if (s->upper)
		n = snprintf(data, sizeof data, "lowerdir=%s,upperdir=%s,workdir=%s,volatile", s->lower, s->upper, s->work);
	else
		n = snprintf(data, sizeof data, "lowerdir=%s", s->lower);
	if (n < 0 || (size_t)n >= sizeof data)
		return fail("mount overlay on %s: options longer than a page", s->rootfs);
	if (s->upper && (mkdir_p(s->upper, 0755) < 0 || mkdir_p(s->work, 0700) < 0))
		return -1;
	/* nodev: a node the container makes (CAP_MKNOD) in its root opens nothing; only /dev's do. */
	unsigned long flags = s->proc.privileged ? 0 : MS_NODEV;
	if (mount("overlay", s->rootfs, "overlay", flags, data) == 0)
		return 0;
	/* A kernel before 5.10 refuses the option it does not know: mount without it. */
	if (s->upper && errno == EINVAL) {
		data[strlen(data) - strlen(",volatile")] = '\0';
		if (mount("overlay", s->rootfs, "overlay", flags, data) == 0)
			return 0;
	}
	return fail_errno("mount overlay on %s", s->rootfs);
}

int rootfs_mount(const struct container_spec *s)
{
	if (mkdir_p(s->rootfs, 0755) < 0)
		return -1;
	/* overlayfs wants two lower layers when there is no upper: a lone
	 * read-only layer is simply bound (read-only) instead. */
	if (s->lower && (s->upper || strchr(s->lower, ':')))
		return mount_overlay(s);
	/* pivot_root needs the new root to be a mount point: bind it onto itself. */
	const char *src = s->lower ? s->lower : s->rootfs;
	if (mount(src, s->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail_errno("bind %s on %s", src, s->rootfs);
	unsigned long nodev = s->proc.privileged ? 0 : MS_NODEV;
	if (s->lower && mount(NULL, s->rootfs, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | nodev, NULL) < 0)
		return fail_errno("remount %s read-only", s->rootfs);
	return 0;
}

int rootfs_pivot(const char *rootfs)
{
	/* pivot_root(".", ".") stacks the old root on top of the new one; the
	 * umount then detaches it, leaving no path back to the host's files.
	 * (runc's pivotRoot; a bare chroot could be escaped with a second chroot.) */
	if (chdir(rootfs) < 0)
		return fail_errno("chdir %s", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return fail_errno("pivot_root %s", rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		return fail_errno("detach the old root");
	if (chdir("/") < 0)
		return fail_errno("chdir /");
	return 0;
}

int rootfs_make_readonly(void)
{
	/* Not recursive: /proc, /dev, /sys and the volumes keep their own modes. */
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	if (mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof attr) < 0)
		return fail_errno("make / read-only");
	return 0;
}
