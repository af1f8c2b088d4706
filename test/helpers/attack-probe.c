/*
 * attack-probe — what an attacker inside a container tries, one syscall each, reported as one line per step:
 * "STEP ok" or "STEP EPERM" (the errno's name). Built static by attack-probe.ts so it runs in a busybox image.
 *
 *   attack-probe keyctl io_uring unshare-user userns-mount mount sethostname clone-newns personality vsock
 *   attack-probe mknod-open PATH c|b MAJOR MINOR     mknod (if PATH is missing) then open for reading
 *   attack-probe open PATH                           open an existing node for reading
 *   attack-probe write PATH TEXT                     open for writing and write TEXT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>

static const char *errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ENOSYS: return "ENOSYS";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EROFS: return "EROFS";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case ENXIO: return "ENXIO";
	case ENODEV: return "ENODEV";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	default: return strerrorname_np(e) ? strerrorname_np(e) : "E?";
	}
}

static void report(const char *step, long rc)
{
	if (rc < 0)
		printf("%s %s\n", step, errname(errno));
	else
		printf("%s ok\n", step);
	fflush(stdout);
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int rc = fd < 0 ? -1 : (int)write(fd, text, strlen(text));
	if (fd >= 0)
		close(fd);
	return rc < 0 ? -1 : 0;
}

/* In a child: a new user and mount namespace with root mapped to ourselves, then a mount (`unshare -Urm mount`). */
static long userns_mount(void)
{
	char map[32];
	snprintf(map, sizeof map, "0 %d 1", (int)getuid());  /* our uid outside: unmapped once inside */
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			_exit(errno);
		if (write_text("/proc/self/uid_map", map) < 0)
			_exit(errno);
		_exit(mount("none", "/tmp", "tmpfs", 0, NULL) < 0 ? errno : 0);
	}
	int status;
	waitpid(pid, &status, 0);
	errno = WEXITSTATUS(status);
	return errno ? -1 : 0;
}

static long clone_newns(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid;
}

static long step(const char *name)
{
	struct io_uring_params p;
	if (strcmp(name, "keyctl") == 0)
		return syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
	if (strcmp(name, "io_uring") == 0) {
		memset(&p, 0, sizeof p);
		return syscall(SYS_io_uring_setup, 1, &p);
	}
	if (strcmp(name, "unshare-user") == 0)
		return unshare(CLONE_NEWUSER);
	if (strcmp(name, "userns-mount") == 0)
		return userns_mount();
	if (strcmp(name, "mount") == 0)
		return mount("none", "/tmp", "tmpfs", 0, NULL);
	if (strcmp(name, "sethostname") == 0)
		return sethostname("pwned", 5);
	if (strcmp(name, "clone-newns") == 0)
		return clone_newns();
	if (strcmp(name, "personality") == 0)
		return personality(PER_LINUX | ADDR_NO_RANDOMIZE) < 0 ? -1 : 0;
	if (strcmp(name, "vsock") == 0)
		return socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
	fprintf(stderr, "unknown step %s\n", name);
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc >= 6 && strcmp(argv[1], "mknod-open") == 0) {
		mode_t type = argv[3][0] == 'b' ? S_IFBLK : S_IFCHR;
		dev_t dev = makedev(atoi(argv[4]), atoi(argv[5]));
		report("mknod", mknod(argv[2], type | 0600, dev));
		report("open", open(argv[2], O_RDONLY | O_NONBLOCK));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "open") == 0) {
		report("open", open(argv[2], O_RDONLY | O_NONBLOCK));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "write") == 0) {
		int fd = open(argv[2], O_WRONLY);
		report("open", fd);
		if (fd >= 0)
			report("write", write(fd, argv[3], strlen(argv[3])));
		return 0;
	}
	for (int i = 1; i < argc; i++)
		report(argv[i], step(argv[i]));
	return 0;
}
