/*
 * sandbox.c — `nodelet-shim sandbox`: the pod's "pause" process, a tiny
 * long-lived holder of the pod's UTS, IPC and network namespaces (and, with
 * --share-pid, PID 1 of the pod's PID namespace, reaping its zombies).
 *
 *   invoked process P ── fork ──> A: unshare, sethostname, lo up ── fork ──> pause
 *   P prints "ok <pause pid>" and exits; A exits at once, so the pause process
 *   is re-parented away from the daemon (like the Kubernetes pause container).
 */
#define _GNU_SOURCE
#include "namespaces.h"
#include "netlink.h"
#include "options.h"
#include "userns.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_child(int sig)
{
	(void)sig;  /* only wakes sigsuspend; the loop reaps */
}

/* Handlers and mask are set in A *before* it forks pause, which inherits them:
 * as PID 1 of a namespace, pause would drop a SIGTERM that arrived before it
 * had a handler (the kernel ignores unhandled signals to a namespace's init),
 * and the daemon may send one as soon as it reads "ok". Returns the mask to
 * wait with (everything but the three). */
static int install_signals(sigset_t *wait_mask)
{
	struct sigaction stop_sa = { .sa_handler = on_stop }, child_sa = { .sa_handler = on_child, .sa_flags = SA_NOCLDSTOP };
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	if (sigaction(SIGTERM, &stop_sa, NULL) < 0 || sigaction(SIGINT, &stop_sa, NULL) < 0 ||
	    sigaction(SIGCHLD, &child_sa, NULL) < 0 || sigprocmask(SIG_BLOCK, &block, wait_mask) < 0)
		return fail_errno("install signal handlers");
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGCHLD);
	return 0;
}

/* The pause process (Kubernetes' pause.c): exits 0 on SIGTERM/SIGINT, reaps orphans. */
static void pause_main(const sigset_t *wait_mask)
{
	if (chdir("/") < 0 || stdio_to_devnull() < 0)
		_exit(1);
	close_range(3, ~0U, 0);
	prctl(PR_SET_NAME, "nodelet-pause", 0, 0, 0);
	while (!stop) {
		/* Orphans of a shared PID namespace are re-parented to us. */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		sigsuspend(wait_mask);  /* signals stay blocked in between: no lost wake-up */
	}
	_exit(0);
}

/* `ip link set lo up` without exec: SIOCSIFFLAGS on any socket of the namespace. */
static int loopback_up(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail_errno("socket");
	struct ifreq ifr = { 0 };
	copy_str(ifr.ifr_name, IFNAMSIZ, "lo");
	int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (rc < 0)
		fail_errno("bring lo up");
	close(fd);
	return rc;
}

/* The pod's shared /dev/shm (containerd mounts one per sandbox): a tmpfs on the host, in the host's mount
 * namespace, bind-mounted into each container by the monitor (--shm). The daemon unmounts it with the pod. */
static int mount_shm(const struct sandbox_spec *s)
{
	char opts[64];
	snprintf(opts, sizeof opts, "mode=1777,size=%llu", (unsigned long long)s->shm_size);
	if (mkdir_p(s->shm_dir, 0755) < 0)
		return -1;
	if (mount("shm", s->shm_dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
		return fail_errno("mount tmpfs on %s", s->shm_dir);
	return 0;
}

/* What --veth asks for, parsed; the bridge is looked up while still in the host's namespace. */
static int veth_spec(const struct sandbox_spec *s, struct veth_spec *v)
{
	memset(v, 0, sizeof *v);
	v->host_name = s->veth;
	v->pod_name = "eth0";
	v->bridge_index = (int)if_nametoindex(s->bridge);
	if (!v->bridge_index)
		return fail_errno("find bridge %s", s->bridge);
	int gw_prefix;
	char gw[48];
	snprintf(gw, sizeof gw, "%s/32", s->gateway);
	if (parse_cidr(s->address, &v->ip, &v->prefix) < 0 || parse_cidr(gw, &v->gateway, &gw_prefix) < 0 || parse_mac(s->mac, v->mac) < 0)
		return -1;
	return 0;
}

/* Called in the pod's fresh namespace, holding a netlink socket of the host's: make and configure the pair. */
static int setup_veth(const struct sandbox_spec *s, const struct veth_spec *v, int host_nl)
{
	int netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (netns < 0)
		return fail_errno("open /proc/self/ns/net");
	int rc = nl_create_veth(host_nl, v, netns);
	close(netns);
	if (rc < 0)
		return -1;
	if (s->hairpin) {
		/* /sys shows the host's devices: the sandbox never leaves the host's mount namespace. */
		char path[128];
		snprintf(path, sizeof path, "/sys/class/net/%s/brport/hairpin_mode", v->host_name);
		if (write_file(path, "1") < 0)
			return -1;
	}
	int pod_nl = nl_open();
	if (pod_nl < 0)
		return -1;
	rc = nl_configure_pod(pod_nl, v);
	close(pod_nl);
	return rc;
}

static int enter_namespaces(const struct sandbox_spec *s)
{
	int flags = CLONE_NEWUTS | (s->host_ipc ? 0 : CLONE_NEWIPC) | (s->host_network ? 0 : CLONE_NEWNET) |
		    (s->share_pid ? CLONE_NEWPID : 0);
	if (unshare(flags) < 0)
		return fail_errno("unshare namespaces");
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return fail_errno("sethostname %s", s->hostname);
	if (!s->host_network && loopback_up() < 0)
		return -1;
	return 0;
}

/* Namespaces, and the pod's network when --veth is given (needs a netlink socket opened before unshare). */
static int enter_pod(const struct sandbox_spec *s)
{
	struct veth_spec v;
	int host_nl = -1;
	if (s->veth && (veth_spec(s, &v) < 0 || (host_nl = nl_open()) < 0))
		return -1;
	int rc = enter_namespaces(s);
	if (rc == 0 && s->veth)
		rc = setup_veth(s, &v, host_nl);
	if (host_nl >= 0)
		close(host_nl);
	return rc;
}

/* U: the pod's user namespace. It unshares it, waits for A to write the ID maps, becomes root of it, creates the
 * pod's other namespaces (owned by it), and forks pause; pause's host pid, or an error, goes back to A. */
static void userns_member(const struct sandbox_spec *s, int up, int down)
{
	sigset_t wait_mask;
	char ready = 'u', go = 0;
	pid_t pause_pid = -1;
	if (unshare(CLONE_NEWUSER) < 0) {
		fail_errno("create the pod's user namespace");
		ready = 'e';
	}
	if (write_all(up, &ready, 1) < 0 || ready == 'e' || read_full(down, &go, 1) != 1 || go != 'g')
		goto out;
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		fail_errno("become root of the pod's user namespace");
	else if (enter_namespaces(s) == 0 && install_signals(&wait_mask) == 0 && (pause_pid = fork()) < 0)
		fail_errno("fork pause process");
	if (pause_pid == 0) {
		close(up);
		close(down);
		pause_main(&wait_mask);
	}
out:
	write_all(up, &pause_pid, sizeof pause_pid);
	if (pause_pid < 0)
		write_all(up, err_msg(), strlen(err_msg()));
	_exit(pause_pid > 0 ? 0 : 1);
}

/* The sandbox of a pod in its own user namespace (--userns-map): U makes the namespaces, A (still host root)
 * writes U's ID maps and then gives the pod its network from inside the pod's network namespace. */
static pid_t sandbox_in_userns(const struct sandbox_spec *s)
{
	struct veth_spec v;
	int host_nl = -1, up[2] = { -1, -1 }, down[2] = { -1, -1 };
	pid_t pause_pid = -1, u = -1;
	if (s->veth && (veth_spec(s, &v) < 0 || (host_nl = nl_open()) < 0))
		goto out;
	if (pipe2(up, O_CLOEXEC) < 0 || pipe2(down, O_CLOEXEC) < 0) {
		fail_errno("pipe");
		goto out;
	}
	if ((u = fork()) < 0) {
		fail_errno("fork");
		goto out;
	}
	if (u == 0) {
		close(up[0]);
		close(down[1]);
		if (host_nl >= 0)
			close(host_nl);
		userns_member(s, up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	up[1] = down[0] = -1;
	char ready = 0;
	if (read_full(up[0], &ready, 1) == 1 && ready == 'u' && userns_write_maps(u, s->userns_host, s->userns_size) == 0)
		write_all(down[1], "g", 1);
	close(down[1]);
	down[1] = -1;
	char msg[ERR_MAX] = "";
	ssize_t n = read_full(up[0], &pause_pid, sizeof pause_pid);
	if (n != (ssize_t)sizeof pause_pid)
		pause_pid = -1;
	if (pause_pid < 0 && err_msg()[0] == '\0') {
		ssize_t m = read_full(up[0], msg, sizeof msg - 1);
		msg[m > 0 ? m : 0] = '\0';
		fail("%s", msg[0] ? msg : "the pod's user namespace process died");
	}
	while (waitpid(u, NULL, 0) < 0 && errno == EINTR)
		;
	if (pause_pid > 0 && s->veth) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/ns/net", pause_pid);
		int netns = open(path, O_RDONLY | O_CLOEXEC);
		if (netns < 0 || setns(netns, CLONE_NEWNET) < 0 || setup_veth(s, &v, host_nl) < 0) {
			if (netns < 0 || err_msg()[0] == '\0')
				fail_errno("enter the pod's network namespace");
			kill(pause_pid, SIGKILL);
			pause_pid = -1;
		}
		if (netns >= 0)
			close(netns);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (up[i] >= 0)
			close(up[i]);
		if (down[i] >= 0)
			close(down[i]);
	}
	if (host_nl >= 0)
		close(host_nl);
	return pause_pid;
}

/* A: runs in its own fresh namespaces, forks the pause process, reports its pid. */
static void sandbox_child(const struct sandbox_spec *s, int report_fd)
{
	char line[ERR_MAX + 16];
	sigset_t wait_mask;
	pid_t pause_pid = -1;
	/* A new session first, so no signal aimed at the daemon's process group
	 * (a ^C in its terminal) ever reaches the pause process. */
	if (setsid() < 0)
		fail_errno("setsid");
	else if (join_cgroups(s->cgroups, s->ncgroups) < 0 || (s->shm_dir && mount_shm(s) < 0))
		;
	else if (s->userns_size)
		pause_pid = sandbox_in_userns(s);
	else if (enter_pod(s) == 0 && install_signals(&wait_mask) == 0 && (pause_pid = fork()) < 0)
		fail_errno("fork pause process");
	if (pause_pid == 0) {
		close(report_fd);
		pause_main(&wait_mask);
	}
	/* The pid from fork() is in A's own PID namespace: the host's. */
	if (pause_pid > 0)
		snprintf(line, sizeof line, "ok %d\n", pause_pid);
	else
		snprintf(line, sizeof line, "error %s\n", err_msg());
	write_all(report_fd, line, strlen(line));
	_exit(pause_pid > 0 ? 0 : 1);
}

int cmd_sandbox(int argc, char **argv)
{
	struct sandbox_spec s;
	if (parse_sandbox_args(argc, argv, &s) < 0) {
		printf("error %s\n", err_msg());
		return 1;
	}
	int rp[2];
	if (pipe2(rp, O_CLOEXEC) < 0) {
		printf("error pipe: %s\n", strerror(errno));
		return 1;
	}
	pid_t a = fork();
	if (a < 0) {
		printf("error fork: %s\n", strerror(errno));
		return 1;
	}
	if (a == 0) {
		close(rp[0]);
		sandbox_child(&s, rp[1]);
	}
	close(rp[1]);
	char line[ERR_MAX + 16];
	ssize_t n = read_full(rp[0], line, sizeof line - 1);
	while (waitpid(a, NULL, 0) < 0 && errno == EINTR)
		;
	if (n <= 0) {
		printf("error sandbox process died\n");
		return 1;
	}
	fwrite(line, 1, (size_t)n, stdout);
	return strncmp(line, "ok ", 3) == 0 ? 0 : 1;
}
