/*
 * rootfs.c — the container's root: an overlay of the image layers mounted in
 * the container's own mount namespace (so it disappears with the container and
 * never shows in the host's mount table), entered with pivot_root.
 */
#define _GNU_SOURCE
#include "mounts.h"

#include "userns.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

/* mount(2) takes at most one page of options. An image with more layers than fit
 * (about 40 under /var/lib/nodelet) is mounted with the new mount API instead:
 * one fsconfig("lowerdir+") per layer (Linux 6.8), no length limit but overlay's
 * own 500 layers. */
#define OVERLAY_DATA_MAX 4096
/* The colon-joined lower directories as given (--lower), before they are split. */
#define OVERLAY_LOWER_MAX 65536

/* A comma would end the option and start another ("...,upperdir=/"): refuse it. */
static int check_layer_path(const char *what, const char *path)
{
	if (path && strchr(path, ','))
		return fail("mount overlay: %s %s contains a comma", what, path);
	return 0;
}

/* Most layers a pod in its own user namespace can have (each an idmapped mount held open while overlay mounts). */
#define IDMAP_LAYERS_MAX 128

struct layers {
	char lower[OVERLAY_LOWER_MAX], upper[PATH_MAX], work[PATH_MAX];
	int fds[IDMAP_LAYERS_MAX + 1];
	int nfds;
};

static void close_layers(struct layers *l)
{
	while (l->nfds > 0)
		close(l->fds[--l->nfds]);
}

/* An idmapped copy of dir, reached as /proc/self/fd/N (overlay takes paths; the magic link leads to the copy). */
static int idmapped_dir(struct layers *l, const char *dir, char *out, size_t size)
{
	if (l->nfds > IDMAP_LAYERS_MAX)
		return fail("mount overlay: more than %d layers", IDMAP_LAYERS_MAX);
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno("mount overlay: open %s", dir);
	int tree = userns_idmapped_tree(fd, dir);
	close(fd);
	if (tree < 0)
		return -1;
	l->fds[l->nfds++] = tree;
	int n = snprintf(out, size, "/proc/self/fd/%d", tree);
	return n < 0 || (size_t)n >= size ? fail("mount overlay: path too long") : 0;
}

/* The layers as overlay will see them: the paths given, or in a user namespace, idmapped copies of the image's. */
static int prepare_layers(const struct container_spec *s, struct layers *l)
{
	l->nfds = 0;
	if (!userns_idmapping()) {
		copy_str(l->lower, sizeof l->lower, s->lower);
		copy_str(l->upper, sizeof l->upper, s->upper ? s->upper : "");
		copy_str(l->work, sizeof l->work, s->work ? s->work : "");
		return 0;
	}
	static char buf[OVERLAY_LOWER_MAX];
	size_t used = 0;
	copy_str(buf, sizeof buf, s->lower);
	l->lower[0] = '\0';
	for (char *save = NULL, *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (used && used + 1 < sizeof l->lower)
			l->lower[used++] = ':';
		if (idmapped_dir(l, dir, l->lower + used, sizeof l->lower - used) < 0)
			return -1;
		used += strlen(l->lower + used);
	}
	if (!s->upper)
		return 0;
	/* The writable layer is not idmapped: overlay works in it with the mounter's (host root's) IDs, which an
	 * idmapped mount of the pod's namespace cannot store (EOVERFLOW). Its files keep the host IDs the pod's are
	 * (the pod's root writes as the host's first ID of the range), and its root directory, the container's "/",
	 * belongs to the pod's root. */
	copy_str(l->upper, sizeof l->upper, s->upper);
	copy_str(l->work, sizeof l->work, s->work);
	uid_t uid;
	gid_t gid;
	userns_root(&uid, &gid);
	if (chown(s->upper, uid, gid) < 0)
		return fail_errno("mount overlay: give %s to the pod's root", s->upper);
	return 0;
}

/* The overlay through fsopen/fsconfig/fsmount: every lower directory its own "lowerdir+" (top first, as in
 * lowerdir=), so no option string has to hold them all. */
static int mount_layers_fsconfig(const struct container_spec *s, const struct layers *l, unsigned long flags)
{
	int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return fail_errno("mount overlay on %s: fsopen (options longer than a page need Linux 6.8)", s->rootfs);
	static char buf[OVERLAY_LOWER_MAX];
	copy_str(buf, sizeof buf, l->lower);
	int rc = 0;
	for (char *save = NULL, *dir = strtok_r(buf, ":", &save); dir && rc == 0; dir = strtok_r(NULL, ":", &save))
		if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", dir, 0) < 0)
			rc = fail_errno("mount overlay on %s: lowerdir+ %s", s->rootfs, dir);
	if (rc == 0 && s->upper &&
	    (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", l->upper, 0) < 0 ||
	     fsconfig(fs, FSCONFIG_SET_STRING, "workdir", l->work, 0) < 0))
		rc = fail_errno("mount overlay on %s: upperdir/workdir", s->rootfs);
	if (rc == 0 && s->upper)
		(void)fsconfig(fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0); /* as in mount_layers: best effort */
	if (rc == 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		rc = fail_errno("mount overlay on %s: create", s->rootfs);
	int mnt = rc == 0 ? fsmount(fs, FSMOUNT_CLOEXEC, (flags & MS_NODEV) ? MOUNT_ATTR_NODEV : 0) : -1;
	if (rc == 0 && mnt < 0)
		rc = fail_errno("mount overlay on %s: fsmount", s->rootfs);
	if (rc == 0 && move_mount(mnt, "", AT_FDCWD, s->rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		rc = fail_errno("mount overlay on %s: move_mount", s->rootfs);
	if (mnt >= 0)
		close(mnt);
	close(fs);
	return rc;
}

static int mount_layers(const struct container_spec *s, const struct layers *l)
{
	char data[OVERLAY_DATA_MAX];
	int n;
	/* "volatile" (Linux 5.10): the writable layer is never synced. Without it the
	 * overlay's unmount, when the container's last process exits and its mount
	 * namespace goes, syncs the upper filesystem and waits for a journal commit
	 * (1-40 ms on ext4 here), and the exit is only reported after that. A
	 * container's writable layer is throwaway (a restart gets a new one, and
	 * nothing remounts it after a crash), so losing its unsynced writes to a host
	 * crash costs nothing; podman mounts transient containers the same way. */
	if (s->upper)
		n = snprintf(data, sizeof data, "lowerdir=%s,upperdir=%s,workdir=%s,volatile", l->lower, l->upper, l->work);
	else
		n = snprintf(data, sizeof data, "lowerdir=%s", l->lower);
	/* nodev: a node the container makes (CAP_MKNOD) in its root opens nothing; only /dev's do. */
	unsigned long flags = s->proc.privileged ? 0 : MS_NODEV;
	if (n < 0 || (size_t)n >= sizeof data)
		return mount_layers_fsconfig(s, l, flags);
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

static int mount_overlay(const struct container_spec *s)
{
	if (check_layer_path("--lower", s->lower) < 0 || check_layer_path("--upper", s->upper) < 0 ||
	    check_layer_path("--work", s->work) < 0)
		return -1;
	if (s->upper && (mkdir_p(s->upper, 0755) < 0 || mkdir_p(s->work, 0700) < 0))
		return -1;
	static struct layers l; /* 64 KiB of lower paths: not on the stack */
	int rc = prepare_layers(s, &l);
	if (rc == 0)
		rc = mount_layers(s, &l);
	close_layers(&l);
	return rc;
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
	if (userns_idmapping()) {
		int from = open(src, O_PATH | O_DIRECTORY | O_CLOEXEC), to = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		int rc = from < 0 || to < 0 ? fail_errno("bind %s on %s: open", src, s->rootfs) : userns_idmapped_bind(from, to, src);
		if (from >= 0)
			close(from);
		if (to >= 0)
			close(to);
		if (rc < 0)
			return -1;
	} else if (mount(src, s->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
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
