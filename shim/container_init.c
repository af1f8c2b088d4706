/* container_init.c — what C does between fork and exec; see container.h. */
#define _GNU_SOURCE
#include "container.h"

#include "marks.h"

#include "mounts.h"
#include "process.h"
#include "resolve.h"
#include "syncpipe.h"
#include "tty.h"
#include "userns.h"
#include "util.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

static int setup_stdio(const struct container_io *io)
{
	if (dup2(io->stdin_fd, 0) < 0 || dup2(io->stdout_fd, 1) < 0 || dup2(io->stderr_fd, 2) < 0)
		return fail_errno("set up stdio");
	/* Its own session: a shell in the container must not share the monitor's. */
	if (setsid() < 0)
		return fail_errno("setsid");
	return 0;
}

/* /proc, /dev, /sys, then the volumes, then the working directory. */
static int mount_inside(int rootfd, const struct container_spec *s)
{
	if (mount_proc(rootfd) < 0 || mount_dev(rootfd, s->shm, s->proc.privileged) < 0 ||
	    mount_sys(rootfd, s->proc.privileged) < 0 || mount_cgroup_view(rootfd, s) < 0)
		return -1;
	mark(MARK_SYSTEM_MOUNTS);
	for (int i = 0; i < s->nmounts; i++)
		if (mount_user(rootfd, &s->mounts[i]) < 0)
			return -1;
	/* The cwd is made here, before a read-only root, like runc does. */
	int fd = create_scoped(rootfd, s->proc.cwd, LEAF_DIR, SCOPE_IN_ROOT);
	if (fd < 0)
		return fail_errno("create working directory %s", s->proc.cwd);
	close(fd);
	mark(MARK_VOLUMES);
	return 0;
}

/* Masked and read-only paths come last so that no mount above can uncover them. */
static int protect_paths(int rootfd, const struct container_spec *s)
{
	if (s->proc.privileged)
		return 0;
	for (int i = 0; i < s->nmasked; i++)
		if (mask_path(rootfd, s->masked[i]) < 0)
			return -1;
	for (int i = 0; i < s->nreadonly; i++)
		if (readonly_path(rootfd, s->readonly[i]) < 0)
			return -1;
	return 0;
}

static int setup_filesystem(const struct container_spec *s, const struct container_io *io)
{
	/* A cgroup namespace rooted at the container's cgroup (I joined it before forking
	 * us): /proc/self/cgroup shows "/" and the cgroup mounts show only its subtree. */
	if (unshare(CLONE_NEWNS | (s->ncgroupfs ? CLONE_NEWCGROUP : 0)) < 0)
		return fail_errno("create mount and cgroup namespaces");
	/* A pod in its own user namespace: every mount below is made as host root, the host's directories idmapped
	 * into that namespace; C joins it once they are all made (userns.h). */
	const struct ns_join *user = find_ns(s, CLONE_NEWUSER);
	if (user && userns_open(user->path) < 0)
		return -1;
	if (make_rprivate() < 0 || rootfs_mount(s) < 0)
		return -1;
	mark(MARK_ROOTFS);
	int rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return fail_errno("open rootfs %s", s->rootfs);
	int rc = mount_inside(rootfd, s);
	if (rc == 0)
		rc = protect_paths(rootfd, s);
	mark(MARK_PROTECTED);
	close(rootfd);
	if (rc == 0)
		rc = rootfs_pivot(s->rootfs);
	if (rc == 0 && s->readonly_rootfs)
		rc = rootfs_make_readonly();
	/* The terminal comes from the container's own devpts, opened as host root before the user namespace. */
	if (rc == 0 && io->console_fd >= 0)
		rc = pty_console_setup(io->console_fd);
	if (rc == 0)
		rc = userns_enter();
	mark(MARK_PIVOTED);
	return rc;
}

void container_init(const struct container_spec *s, const struct container_io *io, int err_fd)
{
	int code = 1;
	if (setup_stdio(io) < 0 || setup_filesystem(s, io) < 0 || process_exec(&s->proc, &code) < 0)
		report_start_error(err_fd, code, err_msg());
	_exit(1);  /* not reached: process_exec returns only on failure */
}
