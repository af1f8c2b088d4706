/* userns.c — see userns.h. */
#define _GNU_SOURCE
#include "userns.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int ns_fd = -1;
static uid_t root_uid;
static gid_t root_gid;

/* The host ID that ID 0 of the namespace is, from a map file ("0 HOST SIZE" on its first line). */
static int read_root(const char *map, unsigned int *out)
{
	char buf[256];
	unsigned int inside, host, size;
	if (read_file(map, buf, sizeof buf) < 0)
		return fail_context("join user namespace");
	if (sscanf(buf, "%u %u %u", &inside, &host, &size) != 3 || inside != 0)
		return fail("join user namespace: %s does not map ID 0", map);
	*out = host;
	return 0;
}

int userns_write_maps(pid_t pid, uint32_t host, uint32_t size)
{
	char path[64], map[64];
	snprintf(map, sizeof map, "0 %u %u\n", host, size);
	static const char *const files[] = { "uid_map", "gid_map" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "/proc/%d/%s", pid, files[i]);
		if (write_file(path, map) < 0)
			return fail_context("user namespace: map IDs %u-%u", host, host + size - 1);
	}
	return 0;
}

int userns_open(const char *path)
{
	int pid;
	char tail[8], map[64];
	unsigned int uid, gid;
	if (sscanf(path, "/proc/%d/ns/%7s", &pid, tail) != 2 || strcmp(tail, "user") != 0)
		return fail("join user namespace: want /proc/PID/ns/user, got %s", path);
	snprintf(map, sizeof map, "/proc/%d/uid_map", pid);
	if (read_root(map, &uid) < 0)
		return -1;
	snprintf(map, sizeof map, "/proc/%d/gid_map", pid);
	if (read_root(map, &gid) < 0)
		return -1;
	root_uid = uid;
	root_gid = gid;
	ns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns_fd < 0)
		return fail_errno("join user namespace: open %s", path);
	return 0;
}

void userns_root(uid_t *uid, gid_t *gid)
{
	*uid = root_uid;
	*gid = root_gid;
}

bool userns_idmapping(void)
{
	return ns_fd >= 0;
}

int userns_idmapped_tree(int fd, const char *what)
{
	int tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tree < 0)
		return fail_errno("idmapped mount of %s: open_tree", what);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)ns_fd };
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
		/* EINVAL: the file system (or one mounted beneath) cannot be idmapped; never mount it unmapped. */
		fail_errno("idmapped mount of %s: its file system cannot map the pod's user namespace", what);
		close(tree);
		return -1;
	}
	return tree;
}

int userns_idmapped_bind(int srcfd, int dstfd, const char *what)
{
	int tree = userns_idmapped_tree(srcfd, what);
	if (tree < 0)
		return -1;
	int rc = move_mount(tree, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	if (rc < 0)
		fail_errno("idmapped mount of %s: move_mount", what);
	close(tree);
	return rc;
}

int userns_enter(void)
{
	if (ns_fd < 0)
		return 0;
	int rc = setns(ns_fd, CLONE_NEWUSER);
	if (rc < 0)
		fail_errno("join the pod's user namespace");
	close(ns_fd);
	ns_fd = -1;
	return rc;
}

int userns_flag_for(pid_t pid)
{
	char path[64];
	struct stat mine, theirs;
	snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
	if (stat("/proc/self/ns/user", &mine) < 0 || stat(path, &theirs) < 0)
		return fail_errno("stat the user namespace of process %d", pid);
	return mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev ? 0 : CLONE_NEWUSER;
}
