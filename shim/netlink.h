/*
 * netlink.h — the pod's veth pair made with rtnetlink (netlink.c).
 */
#ifndef NODELET_NETLINK_H
#define NODELET_NETLINK_H

#include <stdint.h>

struct veth_spec {
	const char *host_name;   /* host end, on the bridge */
	const char *pod_name;    /* pod end, "eth0" */
	int bridge_index;        /* ifindex of the bridge in the host's namespace */
	unsigned char mac[6];    /* pod end's MAC */
	uint32_t ip;             /* network byte order */
	int prefix;
	uint32_t gateway;        /* network byte order */
};

/* A bound NETLINK_ROUTE socket in the calling thread's current network namespace; fd or -1 with fail(). */
int nl_open(void);
/* Creates the pair from the host's socket: host end up on the bridge, pod end inside netns_fd. */
int nl_create_veth(int host_fd, const struct veth_spec *v, int netns_fd);
/* From a socket in the pod's namespace: address, link up, default route via the gateway. */
int nl_configure_pod(int pod_fd, const struct veth_spec *v);

int parse_cidr(const char *s, uint32_t *ip, int *prefix);
int parse_mac(const char *s, unsigned char mac[6]);

#endif
