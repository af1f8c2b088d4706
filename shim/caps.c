/* caps.c — see caps.h. Capability numbers are from <linux/capability.h>. */
#define _GNU_SOURCE
#include "caps.h"

#include "util.h"

#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const cap_names[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
	"SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
	"IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
	"SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
	"LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
	"WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

int cap_from_name(const char *name)
{
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
		if (strcasecmp(name, cap_names[i]) == 0)
			return (int)i;
	return -1;
}

int caps_drop_bounding(uint64_t keep)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return fail_errno("clear ambient capabilities");
	/* Walk up to 63 and stop at the first number the kernel does not know
	 * (EINVAL): cheaper than reading /proc/sys/kernel/cap_last_cap. */
	for (int cap = 0; cap < 64; cap++) {
		if (keep & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL)
			break;
		return fail_errno("drop capability %d from the bounding set", cap);
	}
	return 0;
}

static int cap_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	if (syscall(SYS_capget, &hdr, data) < 0)
		return fail_errno("capget");
	return 0;
}

static int cap_set(const struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	if (syscall(SYS_capset, &hdr, data) < 0)
		return fail_errno("capset");
	return 0;
}

int caps_set_final(uint64_t keep, uid_t uid)
{
	struct __user_cap_data_struct data[2];
	if (cap_get(data) < 0)
		return -1;
	uint64_t have = (uint64_t)data[1].permitted << 32 | data[0].permitted;
	/* A capability this host never gave us (here CAP_SYS_RESOURCE) cannot be
	 * raised; --privileged means "everything we have". */
	uint64_t set = uid == 0 ? keep & have : 0;
	/* The inheritable set stays empty, as containerd >= 1.6.2 and runc do since CVE-2022-24769: inheritable
	 * capabilities would pass to programs with file capabilities across exec even for non-root users. */
	for (int i = 0; i < 2; i++) {
		uint32_t word = (uint32_t)(set >> (32 * i));
		data[i].effective = data[i].permitted = word;
		data[i].inheritable = 0;
	}
	return cap_set(data);
}
