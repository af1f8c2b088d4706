/* resolve.c — see resolve.h. */
#define _GNU_SOURCE
#include "resolve.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int open_scoped(int dirfd, const char *path, int flags, int scope)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_NO_MAGICLINKS |
			   (scope == SCOPE_IN_ROOT ? RESOLVE_IN_ROOT : RESOLVE_BENEATH),
	};
	while (*path == '/' && scope == SCOPE_IN_ROOT)
		path++;  /* same meaning in root scope; keeps "" → "." below simple */
	if (*path == '\0')
		path = ".";
	long fd;
	int tries = 0;
	do  /* EAGAIN: a rename raced with a scoped lookup; the kernel asks us to retry */
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	while (fd < 0 && errno == EAGAIN && ++tries < 32);
	return (int)fd;
}

/* Creates one element `name` in the directory `parent` (already resolved). */
static int create_leaf(int dirfd, const char *parent, const char *name, enum leaf_kind leaf, int scope)
{
	int pfd = open_scoped(dirfd, parent, O_PATH | O_DIRECTORY, scope);
	if (pfd < 0)
		return -1;
	int rc;
	if (leaf == LEAF_DIR) {
		rc = mkdirat(pfd, name, 0755);
	} else {
		/* O_NOFOLLOW|O_EXCL: never write through a symlink planted at the leaf */
		rc = openat(pfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (rc >= 0)
			rc = close(rc);
	}
	int saved = errno;
	close(pfd);
	errno = saved;
	return rc < 0 && errno != EEXIST ? -1 : 0;
}

int create_scoped(int dirfd, const char *path, enum leaf_kind leaf, int scope)
{
	char buf[4096];
	if (!copy_str(buf, sizeof buf, path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* Resolve each prefix "a", "a/b", "a/b/c" from dirfd, creating what is missing.
	 * Re-resolving from the top each time keeps ".." and symlinks inside the scope. */
	size_t len = strlen(buf);
	for (size_t end = 0; end <= len; end++) {
		if (buf[end] != '/' && buf[end] != '\0')
			continue;
		if (end == 0 || buf[end - 1] == '/')
			continue;  /* leading or doubled slash */
		char saved = buf[end];
		buf[end] = '\0';
		int fd = open_scoped(dirfd, buf, O_PATH, scope);
		if (fd >= 0) {
			close(fd);
		} else if (errno == ENOENT) {
			char *slash = strrchr(buf, '/');
			const char *name = slash ? slash + 1 : buf;
			if (slash)
				*slash = '\0';
			int rc = create_leaf(dirfd, slash ? buf : ".", name, saved == '\0' ? leaf : LEAF_DIR, scope);
			if (slash)
				*slash = '/';
			if (rc < 0)
				return -1;
		} else {
			return -1;
		}
		buf[end] = saved;
	}
	return open_scoped(dirfd, buf, O_PATH, scope);
}
