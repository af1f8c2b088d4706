/*
 * mounts.c — /proc, /sys, the user's volumes, masked and read-only paths.
 * (/dev is in dev.c, the root itself in rootfs.c.)
 */
#define _GNU_SOURCE
#include "mounts.h"

#include "resolve.h"
#include "userns.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int set_mount_attr(int rootfd, const char *dst, uint64_t attr_set, uint64_t propagation, bool recursive)
{
	/* The fd used as the mount target still points at the directory *under*
	 * the new mount; opening the path again walks onto the new mount's root,
	 * which is what mount_setattr(2) must be given. */
	int fd = open_scoped(rootfd, dst, O_PATH, SCOPE_IN_ROOT);
	if (fd < 0)
		return fail_errno("open %s", dst);
	struct mount_attr attr = { .attr_set = attr_set, .propagation = propagation };
	/* mount_setattr only adds the named attributes: nosuid/nodev/noexec already
	 * on the mount are kept, which the older MS_REMOUNT|MS_BIND|MS_RDONLY call
	 * only does when the caller repeats them (runc reads them back with statfs). */
	int rc = mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr);
	if (rc < 0)
		fail_errno("set mount attributes on %s", dst);
	close(fd);
	return rc;
}

int mount_proc(int rootfd)
{
	char p[32];
	int fd = create_scoped(rootfd, "/proc", LEAF_DIR, SCOPE_IN_ROOT);
	if (fd < 0)
		return fail_errno("mount /proc: create mount point");
	/* A fresh proc: it shows the PID namespace we are in (the container's). */
	int rc = mount("proc", fd_path(fd, p), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (rc < 0)
		fail_errno("mount proc on /proc");
	close(fd);
	return rc;
}

int mount_sys(int rootfd, bool privileged)
{
	char p[32];
	int fd = create_scoped(rootfd, "/sys", LEAF_DIR, SCOPE_IN_ROOT);
	if (fd < 0)
		return fail_errno("mount /sys: create mount point");
	/* A fresh sysfs, also in the host's network namespace (hostNetwork: it shows the
	 * host's interfaces, as with Docker's --net=host): never a bind of the host's /sys,
	 * whose submounts (the host's cgroup trees, debugfs...) would come along. */
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (privileged ? 0 : MS_RDONLY);
	int rc = mount("sysfs", fd_path(fd, p), "sysfs", flags, NULL);
	if (rc < 0)
		fail_errno("mount sysfs on /sys");
	close(fd);
	return rc;
}

/* Options of --bind and --bind-sub → mount attributes and propagation. */
static int parse_bind_opts(const char *dst, const char *opts, uint64_t *attrs, uint64_t *prop)
{
	static const struct { const char *name; uint64_t attr; uint64_t prop; } table[] = {
		{ "ro", MOUNT_ATTR_RDONLY, 0 },      { "rw", 0, 0 },
		{ "nosuid", MOUNT_ATTR_NOSUID, 0 },  { "nodev", MOUNT_ATTR_NODEV, 0 },
		{ "noexec", MOUNT_ATTR_NOEXEC, 0 },  { "rprivate", 0, MS_PRIVATE },
		{ "rslave", 0, MS_SLAVE },           { "rshared", 0, MS_SHARED },
	};
	char buf[256];
	copy_str(buf, sizeof buf, opts);
	*attrs = *prop = 0;
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i = 0;
		while (i < sizeof table / sizeof table[0] && strcmp(tok, table[i].name) != 0)
			i++;
		if (i == sizeof table / sizeof table[0])
			return fail("mount %s: unknown bind option \"%s\"", dst, tok);
		*attrs |= table[i].attr;
		*prop = table[i].prop ? table[i].prop : *prop;
	}
	return 0;
}

/* Binds the already-opened source onto m->dst (created inside the root). */
static int bind_fd(int rootfd, int srcfd, const struct user_mount *m, const char *srcname)
{
	uint64_t attrs, prop;
	if (parse_bind_opts(m->dst, m->opts, &attrs, &prop) < 0)
		return -1;
	struct stat st;
	if (fstat(srcfd, &st) < 0)
		return fail_errno("mount %s: stat %s", m->dst, srcname);
	int dstfd = create_scoped(rootfd, m->dst, S_ISDIR(st.st_mode) ? LEAF_DIR : LEAF_FILE, SCOPE_IN_ROOT);
	if (dstfd < 0)
		return fail_errno("mount %s: create mount point", m->dst);
	char sp[32], dp[32];
	/* MS_REC: a volume's own submounts come along (containerd uses "rbind"). */
	if (userns_idmapping()) {
		/* The pod's own user namespace: the volume's files keep their owners as the pod sees them. */
		int rc = userns_idmapped_bind(srcfd, dstfd, srcname);
		close(dstfd);
		if (rc < 0)
			return fail_context("mount %s", m->dst);
	} else {
		int rc = mount(fd_path(srcfd, sp), fd_path(dstfd, dp), NULL, MS_BIND | MS_REC, NULL);
		close(dstfd);
		if (rc < 0)
			return fail_errno("mount %s: bind %s", m->dst, srcname);
	}
	/* A bind mount ignores MS_RDONLY and friends: they take a second step. */
	if ((attrs || prop) && set_mount_attr(rootfd, m->dst, attrs, prop, true) < 0)
		return fail_context("mount %s", m->dst);
	return 0;
}

static int mount_bind(int rootfd, const struct user_mount *m)
{
	int srcfd = open(m->src, O_PATH | O_CLOEXEC);  /* a host path: the daemon's to trust */
	if (srcfd < 0)
		return fail_errno("mount %s: open %s", m->dst, m->src);
	int rc = bind_fd(rootfd, srcfd, m, m->src);
	close(srcfd);
	return rc;
}

/* --bind-sub: the subPath is resolved beneath the volume, so neither ".." nor
 * a symlink (absolute, or relative and climbing out) can reach outside it —
 * the kubelet's subPath CVEs (CVE-2017-1002101, CVE-2021-25741). */
static int mount_bind_sub(int rootfd, const struct user_mount *m)
{
	int volfd = open(m->volroot, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (volfd < 0)
		return fail_errno("mount %s: open volume %s", m->dst, m->volroot);
	int srcfd = create_scoped(volfd, m->subpath, LEAF_DIR, SCOPE_BENEATH);
	int saved = errno;
	close(volfd);
	if (srcfd < 0 && (saved == EXDEV || saved == ELOOP))
		return fail("subPath \"%s\" escapes the volume", m->subpath);
	errno = saved;
	if (srcfd < 0)
		return fail_errno("mount %s: subPath \"%s\" in %s", m->dst, m->subpath, m->volroot);
	int rc = bind_fd(rootfd, srcfd, m, m->subpath);
	close(srcfd);
	return rc;
}

/* --tmpfs DST OPTS: flag words become mount flags, the rest is tmpfs data. */
static int mount_tmpfs(int rootfd, const struct user_mount *m)
{
	char buf[256], data[256] = "";
	copy_str(buf, sizeof buf, m->opts);
	unsigned long flags = 0;
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "ro") == 0) flags |= MS_RDONLY;
		else if (strcmp(tok, "nosuid") == 0) flags |= MS_NOSUID;
		else if (strcmp(tok, "nodev") == 0) flags |= MS_NODEV;
		else if (strcmp(tok, "noexec") == 0) flags |= MS_NOEXEC;
		else if (strcmp(tok, "rw") != 0) {
			size_t n = strlen(data);
			snprintf(data + n, sizeof data - n, "%s%s", n ? "," : "", tok);
		}
	}
	int fd = create_scoped(rootfd, m->dst, LEAF_DIR, SCOPE_IN_ROOT);
	if (fd < 0)
		return fail_errno("mount %s: create mount point", m->dst);
	char p[32];
	int rc = mount("tmpfs", fd_path(fd, p), "tmpfs", flags, data);
	if (rc < 0)
		fail_errno("mount %s: tmpfs %s", m->dst, m->opts);
	close(fd);
	return rc;
}

int mount_user(int rootfd, const struct user_mount *m)
{
	switch (m->kind) {
	case MOUNT_BIND:
		return mount_bind(rootfd, m);
	case MOUNT_BIND_SUB:
		return mount_bind_sub(rootfd, m);
	case MOUNT_TMPFS:
		return mount_tmpfs(rootfd, m);
	}
	return fail("mount %s: unknown kind", m->dst);
}

int mask_path(int rootfd, const char *path)
{
	int fd = open_scoped(rootfd, path, O_PATH, SCOPE_IN_ROOT);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return fail_errno("mask %s: open", path);
	struct stat st;
	char p[32];
	int rc = fstat(fd, &st);
	if (rc == 0 && S_ISDIR(st.st_mode))
		rc = mount("tmpfs", fd_path(fd, p), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	else if (rc == 0)
		rc = mount("/dev/null", fd_path(fd, p), NULL, MS_BIND, NULL);
	if (rc < 0)
		fail_errno("mask %s", path);
	close(fd);
	return rc;
}

int readonly_path(int rootfd, const char *path)
{
	int fd = open_scoped(rootfd, path, O_PATH, SCOPE_IN_ROOT);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return fail_errno("make %s read-only: open", path);
	char p[32];
	int rc = mount(fd_path(fd, p), p, NULL, MS_BIND | MS_REC, NULL);
	close(fd);
	if (rc < 0)
		return fail_errno("make %s read-only: bind onto itself", path);
	return set_mount_attr(rootfd, path, MOUNT_ATTR_RDONLY, 0, true);
}

int make_rprivate(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail_errno("make / rprivate");
	return 0;
}
