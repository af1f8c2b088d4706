/*
 * devices.h — the container's device allowlist on cgroup v2: a BPF_CGROUP_DEVICE
 * program attached to the container's cgroup (what runc and crun generate; on
 * cgroup v1 the daemon writes devices.deny/devices.allow instead). The rules
 * are the daemon's (--device "c 1:3 rwm", "c 136:* rwm", "b *:* m"); every
 * device no rule allows is refused to mknod, open for reading or for writing.
 */
#ifndef NODELET_DEVICES_H
#define NODELET_DEVICES_H

#define DEVICE_RULES_MAX 64

struct device_rule {
	char type;            /* 'a' (any), 'c', 'b' */
	long major, minor;    /* -1 = any */
	unsigned access;      /* BPF_DEVCG_ACC_* bits */
};

/* "c 1:3 rwm" → rule; 0 or -1 with fail(). */
int device_rule_parse(const char *text, struct device_rule *r);

/* Builds, loads and attaches (BPF_F_ALLOW_MULTI) the program allowing exactly
 * the rules to the cgroup v2 directory dir. The attachment lives as long as
 * the cgroup: removing the cgroup frees the program. 0 or -1 with fail(). */
int devices_attach(const char *dir, const struct device_rule *rules, int n);

#endif
