/*
 * netlink.c — the pod's veth pair, made with rtnetlink messages instead of `ip` commands (what `ip link add`,
 * `ip addr add`, `ip link set up` and `ip route add` send), so the sandbox comes up with its network in the same
 * process that created its namespace: no exec, no nsenter.
 *
 * A netlink socket talks to the network namespace it was created in. The sandbox opens one before unshare (the
 * host's, to create the pair and attach the host end to the bridge) and one after (the pod's, to configure eth0).
 * The pod end is created directly inside the pod's namespace (IFLA_NET_NS_FD on the peer), as `ip link add ...
 * peer name eth0 netns PID` does (drivers/net/veth.c veth_newlink).
 */
#define _GNU_SOURCE
#include "netlink.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MSG_MAX 1024

struct msg {
	struct nlmsghdr *h;
	char buf[MSG_MAX];
};

int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return fail_errno("netlink socket");
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return fail_errno("bind netlink socket");
	}
	return fd;
}

static void *msg_init(struct msg *m, int type, int flags, size_t body)
{
	memset(m->buf, 0, sizeof m->buf);
	m->h = (struct nlmsghdr *)m->buf;
	m->h->nlmsg_len = NLMSG_LENGTH(body);
	m->h->nlmsg_type = (unsigned short)type;
	m->h->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	return NLMSG_DATA(m->h);
}

static struct rtattr *attr(struct msg *m, int type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(m->buf + NLMSG_ALIGN(m->h->nlmsg_len));
	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	m->h->nlmsg_len = NLMSG_ALIGN(m->h->nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

/* A nested attribute: call nest_end with what nest_begin returned once its children are added. */
static struct rtattr *nest_begin(struct msg *m, int type)
{
	return attr(m, type, NULL, 0);
}

static void nest_end(struct msg *m, struct rtattr *a)
{
	a->rta_len = (unsigned short)((m->buf + m->h->nlmsg_len) - (char *)a);
}

/* Sends one request and reads its acknowledgement; the kernel's error becomes ours, named by `what`. */
static int transact(int fd, struct msg *m, const char *what)
{
	if (send(fd, m->buf, m->h->nlmsg_len, 0) < 0)
		return fail_errno("%s: send", what);
	char reply[4096];
	ssize_t n = recv(fd, reply, sizeof reply, 0);
	if (n < 0)
		return fail_errno("%s: receive", what);
	struct nlmsghdr *h = (struct nlmsghdr *)reply;
	if (!NLMSG_OK(h, (unsigned)n) || h->nlmsg_type != NLMSG_ERROR)
		return fail("%s: unexpected netlink reply", what);
	int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	if (err) {
		errno = -err;
		return fail_errno("%s", what);
	}
	return 0;
}

int nl_create_veth(int host_fd, const struct veth_spec *v, int netns_fd)
{
	struct msg m;
	struct ifinfomsg *ifi = msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	attr(&m, IFLA_IFNAME, v->host_name, strlen(v->host_name) + 1);
	attr(&m, IFLA_MASTER, &v->bridge_index, sizeof v->bridge_index);
	struct rtattr *info = nest_begin(&m, IFLA_LINKINFO);
	attr(&m, IFLA_INFO_KIND, "veth", 4);
	struct rtattr *data = nest_begin(&m, IFLA_INFO_DATA);
	struct rtattr *peer = nest_begin(&m, VETH_INFO_PEER);
	struct ifinfomsg peer_ifi = { .ifi_family = AF_UNSPEC };
	/* The peer's ifinfomsg is the payload's start, then its own attributes. */
	memcpy(m.buf + m.h->nlmsg_len, &peer_ifi, sizeof peer_ifi);
	m.h->nlmsg_len += NLMSG_ALIGN(sizeof peer_ifi);
	attr(&m, IFLA_IFNAME, v->pod_name, strlen(v->pod_name) + 1);
	attr(&m, IFLA_ADDRESS, v->mac, 6);
	attr(&m, IFLA_NET_NS_FD, &netns_fd, sizeof netns_fd);
	nest_end(&m, peer);
	nest_end(&m, data);
	nest_end(&m, info);
	return transact(host_fd, &m, "create veth pair");
}

int nl_configure_pod(int pod_fd, const struct veth_spec *v)
{
	unsigned idx = if_nametoindex(v->pod_name);
	if (!idx)
		return fail_errno("find %s in the pod's namespace", v->pod_name);
	struct msg m;
	struct ifaddrmsg *ifa = msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifa);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)v->prefix;
	ifa->ifa_index = idx;
	attr(&m, IFA_LOCAL, &v->ip, 4);
	attr(&m, IFA_ADDRESS, &v->ip, 4);
	if (transact(pod_fd, &m, "add the pod's address") < 0)
		return -1;
	struct ifinfomsg *ifi = msg_init(&m, RTM_NEWLINK, 0, sizeof *ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)idx;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (transact(pod_fd, &m, "bring eth0 up") < 0)
		return -1;
	struct rtmsg *rt = msg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof *rt);
	rt->rtm_family = AF_INET;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	attr(&m, RTA_GATEWAY, &v->gateway, 4);
	attr(&m, RTA_OIF, &idx, sizeof idx);
	return transact(pod_fd, &m, "add the default route");
}

/* "10.244.0.5/24" → address and prefix; "0a:58:0a:f4:00:05" → 6 bytes. 0 or -1 with fail(). */
int parse_cidr(const char *s, uint32_t *ip, int *prefix)
{
	char addr[32];
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof addr)
		return fail("invalid address \"%s\": want A.B.C.D/N", s);
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (inet_pton(AF_INET, addr, ip) != 1 || parse_int(slash + 1, prefix) < 0 || *prefix < 1 || *prefix > 32)
		return fail("invalid address \"%s\": want A.B.C.D/N", s);
	return 0;
}

int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned int b[6];
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return fail("invalid MAC address \"%s\"", s);
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)b[i];
	return 0;
}
