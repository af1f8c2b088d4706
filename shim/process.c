/* process.c — see process.h. */
#define _GNU_SOURCE
#include "process.h"

#include "marks.h"

#include "caps.h"
#include "seccomp.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The PATH runc/Docker assume when the image sets none. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void reset_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);  /* fails harmlessly for glibc's reserved 32, 33 */
}

/* A working directory reached through an fd the shim still held (/proc/self/fd/N) would be a host directory
 * (CVE-2024-21626): the kernel's getcwd() names such a place "(unreachable)", glibc's fails with ENOENT. */
static int check_cwd_inside(const char *cwd)
{
	char here[4096];
	if (getcwd(here, sizeof here) == NULL || here[0] != '/')
		return fail("working directory %s is outside the container's root", cwd);
	return 0;
}

static int enter_cwd(const char *cwd)
{
	if (chdir(cwd) == 0)
		return check_cwd_inside(cwd);
	if (errno != ENOENT)
		return fail_errno("chdir to working directory %s", cwd);
	/* runc creates a missing working directory rather than failing. */
	if (mkdir_p(cwd, 0755) < 0)
		return fail_context("create working directory %s", cwd);
	if (chdir(cwd) < 0)
		return fail_errno("chdir to working directory %s", cwd);
	return check_cwd_inside(cwd);
}

static int set_identity(const struct process_spec *p)
{
	uint64_t keep = p->privileged ? ~0ULL : p->caps;
	if (caps_drop_bounding(keep) < 0)
		return -1;
	if (setgroups((size_t)p->ngroups, p->groups) < 0)
		return fail_errno("setgroups");
	if (setgid(p->gid) < 0)
		return fail_errno("setgid %u", p->gid);
	/* For uid != 0 this also clears permitted and effective capabilities. */
	if (setuid(p->uid) < 0)
		return fail_errno("setuid %u", p->uid);
	return caps_set_final(keep, p->uid);
}

static const char *env_path(char *const *env)
{
	for (; env && *env; env++)
		if (strncmp(*env, "PATH=", 5) == 0)
			return *env + 5;
	return DEFAULT_PATH;
}

/* Go's exec error texts are lower case ("permission denied"); keep to them. */
static int exec_error(const char *name, int err, int *code)
{
	char text[128];
	copy_str(text, sizeof text, strerror(err));
	text[0] = (char)tolower((unsigned char)text[0]);
	*code = err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
	return fail("exec: \"%s\": %s", name, text);
}

/* execvp's search, but in the PATH of the container's --env (glibc's execvpe
 * would read the shim's own PATH). A file found without execute permission is
 * "permission denied" (126) rather than "not found" (127), as in shells. */
static int lookup(const char *name, char *const *env, char *out, size_t size, int *code)
{
	if (strchr(name, '/'))
		return copy_str(out, size, name) ? 0 : exec_error(name, ENAMETOOLONG, code);
	bool denied = false;
	const char *dir = env_path(env);
	while (dir) {
		const char *end = strchrnul(dir, ':');
		int len = (int)(end - dir);
		snprintf(out, size, "%.*s%s%s", len, len ? dir : ".", "/", name);
		struct stat st;
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			denied = true;
		}
		dir = *end ? end + 1 : NULL;
	}
	if (denied)
		return exec_error(name, EACCES, code);
	*code = EXIT_NOT_FOUND;
	return fail("exec: \"%s\": executable file not found in $PATH", name);
}

int process_exec(const struct process_spec *p, int *code)
{
	char path[4096];
	*code = EXIT_SETUP_FAILED;
	umask(022);  /* runc's default; the daemon's own umask is not the container's business */
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which set_identity
	 * drops: load it first, as runc does (the profile must then allow setuid & co). */
	bool early_filter = p->seccomp && !p->no_new_privs;
	if (enter_cwd(p->cwd) < 0 || (early_filter && seccomp_apply(p->seccomp) < 0) || set_identity(p) < 0)
		return -1;
	if (lookup(p->argv[0], p->env, path, sizeof path, code) < 0)
		return -1;
	/* Last, so nothing above (setuid) is affected; it also blocks file
	 * capabilities and setuid binaries from raising privileges again. */
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail_errno("set no_new_privs");
	reset_signals();
	/* Whatever the shim still holds (log file, pipes) must not leak into the
	 * container: mark every fd above stdio close-on-exec. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return fail_errno("close_range");
	/* Last before execve, after no_new_privs, so the filter need allow
	 * nothing the runtime itself does (runc: "as late as possible"). */
	if (p->seccomp && !early_filter && seccomp_apply(p->seccomp) < 0)
		return -1;
	mark(MARK_EXEC);
	execve(path, p->argv, p->env);
	return exec_error(p->argv[0], errno, code);
}
