/*
 * dev.c — the container's /dev: a small tmpfs holding bind mounts of the
 * host's harmless character devices, a private devpts, shm and the usual
 * symlinks. Bind mounts rather than mknod: on this kind of host (and in
 * rootless runc) freshly made device nodes cannot be opened.
 */
#define _GNU_SOURCE
#include "mounts.h"

#include "resolve.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };

static const struct { const char *name; const char *target; } dev_links[] = {
	{ "ptmx", "pts/ptmx" },           { "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },   { "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

/* An empty file in the fresh tmpfs, with the host's device bound over it. */
static int bind_device(int devfd, const char *name)
{
	char host[PATH_MAX], p[32];
	snprintf(host, sizeof host, "/dev/%s", name);
	int fd = openat(devfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
	if (fd < 0 || close(fd) < 0)
		return fail_errno("create /dev/%s", name);
	fd = openat(devfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail_errno("open /dev/%s", name);
	int rc = mount(host, fd_path(fd, p), NULL, MS_BIND, NULL);
	if (rc < 0)
		fail_errno("bind %s on /dev/%s", host, name);
	close(fd);
	return rc;
}

/* mkdir name in the /dev tmpfs and mount on it. */
static int mount_in_dev(int devfd, const char *name, const char *src, const char *type,
			unsigned long flags, const char *data)
{
	char p[32];
	if (mkdirat(devfd, name, 0755) < 0 && errno != EEXIST)
		return fail_errno("mkdir /dev/%s", name);
	int fd = openat(devfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail_errno("open /dev/%s", name);
	int rc = mount(src, fd_path(fd, p), type, flags, data);
	if (rc < 0)
		fail_errno("mount %s on /dev/%s", type ? type : src, name);
	close(fd);
	return rc;
}

static int mount_dev_tmpfs(int rootfd)
{
	char p[32];
	int fd = create_scoped(rootfd, "/dev", LEAF_DIR, SCOPE_IN_ROOT);
	if (fd < 0)
		return fail_errno("mount /dev: create mount point");
	int rc = mount("tmpfs", fd_path(fd, p), "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	if (rc < 0)
		fail_errno("mount tmpfs on /dev");
	close(fd);
	return rc;
}

/* Privileged: every device node of the host's /dev (relative path rel, "" at the top), bound at the same place, as
 * containerd gives a privileged container all host devices. Not the host's pts, shm or mqueue: the container has
 * its own. Links (stdin, fd, ...) are made below; other files are skipped. */
static int bind_host_devices(int devfd, const char *rel, int depth)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "/dev/%s", rel);
	DIR *d = opendir(dir);
	if (!d)
		return fail_errno("privileged /dev: open %s", dir);
	int rc = 0;
	for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL;) {
		char name[PATH_MAX];
		if (e->d_name[0] == '.' || (depth == 0 && (strcmp(e->d_name, "pts") == 0 || strcmp(e->d_name, "shm") == 0 ||
						      strcmp(e->d_name, "mqueue") == 0 || strcmp(e->d_name, "ptmx") == 0)))
			continue;
		if (snprintf(name, sizeof name, "%s%s", rel, e->d_name) >= (int)sizeof name)
			continue;
		if (e->d_type == DT_CHR || e->d_type == DT_BLK) {
			rc = bind_device(devfd, name);
		} else if (e->d_type == DT_DIR && depth < 3) {
			if (mkdirat(devfd, name, 0755) < 0 && errno != EEXIST)
				rc = fail_errno("mkdir /dev/%s", name);
			else if (snprintf(name + strlen(name), sizeof name - strlen(name), "/") > 0)
				rc = bind_host_devices(devfd, name, depth + 1);
		}
	}
	closedir(d);
	return rc;
}

static int fill_dev(int devfd, const char *shm, bool privileged)
{
	if (privileged && bind_host_devices(devfd, "", 0) < 0)
		return -1;
	for (size_t i = 0; !privileged && i < sizeof devices / sizeof devices[0]; i++)
		if (bind_device(devfd, devices[i]) < 0)
			return -1;
	/* newinstance: the container's ptys are its own, not the host's /dev/pts. */
	if (mount_in_dev(devfd, "pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
			 "newinstance,ptmxmode=0666,mode=0620,gid=5") < 0)
		return -1;
	int rc = shm ? mount_in_dev(devfd, "shm", shm, NULL, MS_BIND | MS_REC, NULL)
		     : mount_in_dev(devfd, "shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=64m");
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++)
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0)
			return fail_errno("symlink /dev/%s", dev_links[i].name);
	return 0;
}

int mount_dev(int rootfd, const char *shm, bool privileged)
{
	if (mount_dev_tmpfs(rootfd) < 0)
		return -1;
	/* Open again to land on the new tmpfs: it is ours alone and empty, so
	 * plain *at() calls relative to it cannot be redirected by the image. */
	int devfd = open_scoped(rootfd, "/dev", O_PATH | O_DIRECTORY, SCOPE_IN_ROOT);
	if (devfd < 0)
		return fail_errno("open /dev");
	int rc = fill_dev(devfd, shm, privileged);
	close(devfd);
	return rc;
}
