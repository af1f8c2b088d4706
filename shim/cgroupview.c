/*
 * cgroupview.c — the container's view of its cgroups: what containerd gives on cgroup v2, a cgroup2 mount at
 * /sys/fs/cgroup inside a cgroup namespace rooted at the container's cgroup, so it sees its own limits and usage
 * and nothing of the host's tree (its own path is "/"). On v1, a tmpfs at /sys/fs/cgroup holding one mount per
 * hierarchy the container was placed in (cpu, memory, pids...), each showing the container's cgroup as its root.
 * Read-only unless privileged. Runs in C after unshare(CLONE_NEWNS|CLONE_NEWCGROUP) and after /sys is mounted.
 */
#define _GNU_SOURCE
#include "mounts.h"

#include "resolve.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* mount(2) of a cgroup filesystem onto dir (a path inside the root, resolved in it). */
static int mount_at(int rootfd, const char *dir, const char *type, unsigned long flags, const char *data)
{
	char p[32];
	int fd = open_scoped(rootfd, dir, O_PATH | O_DIRECTORY, SCOPE_IN_ROOT);
	if (fd < 0)
		return fail_errno("mount %s: open", dir);
	int rc = mount(type, fd_path(fd, p), type, flags, data);
	if (rc < 0)
		fail_errno("mount %s on %s", type, dir);
	close(fd);
	return rc;
}

/* "v1:cpu,cpuacct:cpu" → the hierarchy's controllers and its directory name. */
static int v1_mount(int rootfd, int tmpfd, const char *spec, unsigned long flags)
{
	char controllers[256], name[64], dir[96];
	if (sscanf(spec, "v1:%255[^:]:%63[^:/]", controllers, name) != 2 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return fail("--cgroupfs \"%s\": want cgroup2 or v1:CONTROLLERS:NAME", spec);
	if (mkdirat(tmpfd, name, 0755) < 0 && errno != EEXIST)
		return fail_errno("mkdir /sys/fs/cgroup/%s", name);
	snprintf(dir, sizeof dir, "/sys/fs/cgroup/%s", name);
	/* The v1 hierarchy is named by its mount options: exactly the controllers mounted together on the host. */
	return mount_at(rootfd, dir, "cgroup", flags, controllers);
}

int mount_cgroup_view(int rootfd, const struct container_spec *s)
{
	if (s->ncgroupfs == 0)
		return 0;
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (s->proc.privileged ? 0 : MS_RDONLY);
	if (s->ncgroupfs == 1 && strcmp(s->cgroupfs[0], "cgroup2") == 0)
		return mount_at(rootfd, "/sys/fs/cgroup", "cgroup2", flags, NULL);
	/* v1: a small tmpfs to hold one directory per hierarchy, read-only once they are mounted. */
	if (mount_at(rootfd, "/sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k") < 0)
		return -1;
	int tmpfd = open_scoped(rootfd, "/sys/fs/cgroup", O_PATH | O_DIRECTORY, SCOPE_IN_ROOT);
	if (tmpfd < 0)
		return fail_errno("open /sys/fs/cgroup");
	int rc = 0;
	for (int i = 0; i < s->ncgroupfs && rc == 0; i++)
		rc = v1_mount(rootfd, tmpfd, s->cgroupfs[i], flags);
	close(tmpfd);
	if (rc == 0 && !s->proc.privileged)
		rc = set_mount_attr(rootfd, "/sys/fs/cgroup", MOUNT_ATTR_RDONLY, 0, false);
	return rc;
}
