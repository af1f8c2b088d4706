/*
 * nodelet-shim — the native helper of the nodelet daemon.
 *
 *   nodelet-shim sandbox [flags]                  create a pod's namespace holder (pause)
 *   nodelet-shim monitor [flags] -- CMD [ARG...]  start a container and stay beside it
 *   nodelet-shim exec --target PID [flags] -- CMD run a command in a running container
 *   nodelet-shim spawner                          a fork server for the daemon's commands (spawner.c)
 *   nodelet-shim relay                            splice bytes between inherited sockets 3 and 4 (relay.c)
 *   nodelet-shim seccomp-compile IN OUT           a compact seccomp profile → its BPF program (seccomp.c)
 *   nodelet-shim pidwatch                         hold a pidfd per container monitor, report exits (pidwatch.c)
 *
 * See README.md for every flag and the output contract of each mode.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "exec.h"
#include "monitor.h"
#include "seccomp.h"
#include "selfexe.h"
#include "title.h"
#include "util.h"

int cmd_sandbox(int argc, char **argv);
int cmd_spawner(int argc, char **argv);
int cmd_relay(int argc, char **argv);
int cmd_pidwatch(int argc, char **argv);
int cmd_zygote(int argc, char **argv);

static int usage(void)
{
	fprintf(stderr, "usage: nodelet-shim sandbox [--hostname NAME] [--share-pid] [--host-network] [--host-ipc]\n"
			"       nodelet-shim monitor --rootfs DIR [options] -- COMMAND [ARG...]\n"
			"       nodelet-shim exec --target PID [options] -- COMMAND [ARG...]\n"
			"       nodelet-shim spawner\n"
			"       nodelet-shim relay   (fds 3 and 4: two connected sockets)\n"
			"       nodelet-shim seccomp-compile IN OUT\n"
			"       nodelet-shim pidwatch\n"
			"       nodelet-shim zygote [--cgroup DIR]...\n"
			"(see shim/README.md)\n");
	return 2;
}

/* The modes whose processes enter a pod run from a sealed copy of the binary (selfexe.h); a failure is reported in
 * the mode's own way and nothing is started. */
static bool enters_pod(const char *mode)
{
	/* pidwatch enters none, but lives as long as the daemon: from a copy it does not keep the host's file busy. */
	return strcmp(mode, "sandbox") == 0 || strcmp(mode, "monitor") == 0 || strcmp(mode, "exec") == 0 ||
	       strcmp(mode, "pidwatch") == 0 || strcmp(mode, "zygote") == 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && enters_pod(argv[1]) && selfexe_ensure_sealed(argv) < 0) {
		if (strcmp(argv[1], "exec") == 0) {
			fprintf(stderr, "nodelet-shim exec: %s\n", err_msg());
			return EXIT_SHIM_FAILED;
		}
		printf("error %s\n", err_msg());
		return 1;
	}
	/* Started from a sealed copy, the kernel named the process after the fd ("9"): keep the name ps and pgrep know. */
	prctl(PR_SET_NAME, "nodelet-shim", 0, 0, 0);
	title_init(argc, argv);
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "sandbox") == 0)
		return cmd_sandbox(argc - 1, argv + 1);
	if (strcmp(argv[1], "monitor") == 0)
		return cmd_monitor(argc - 1, argv + 1);
	if (strcmp(argv[1], "exec") == 0)
		return cmd_exec(argc - 1, argv + 1);
	if (strcmp(argv[1], "spawner") == 0)
		return cmd_spawner(argc - 1, argv + 1);
	if (strcmp(argv[1], "relay") == 0)
		return cmd_relay(argc - 1, argv + 1);
	if (strcmp(argv[1], "seccomp-compile") == 0)
		return cmd_seccomp_compile(argc - 1, argv + 1);
	if (strcmp(argv[1], "pidwatch") == 0)
		return cmd_pidwatch(argc - 1, argv + 1);
	if (strcmp(argv[1], "zygote") == 0)
		return cmd_zygote(argc - 1, argv + 1);
	return usage();
}
