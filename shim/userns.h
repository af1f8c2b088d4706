/*
 * userns.h — pods in their own user namespace (spec.hostUsers: false).
 *
 * The sandbox makes the namespace: a child unshares CLONE_NEWUSER, the sandbox (host root) writes its uid and gid
 * maps ("0 HOST SIZE": the pod's IDs 0..SIZE-1 are the host's HOST..HOST+SIZE-1), and the child, now root of the
 * namespace, creates the pod's UTS, IPC, network (and shared PID) namespaces, so they belong to it: the container's
 * capabilities act on them and on nothing of the host's. The container init does every mount as host root first,
 * the image layers, the writable layer and the volumes through idmapped mounts (mount_setattr MOUNT_ATTR_IDMAP:
 * files owned by 0 on disk are the pod's root, not the host's), and joins the user namespace last, just before it
 * drops to the container's user: its mount namespace and every mount in it stay the host's, out of its reach.
 * An exec joins the user namespace of its target with the others.
 */
#ifndef NODELET_USERNS_H
#define NODELET_USERNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Writes "0 host size" to /proc/PID/uid_map and gid_map. 0 or -1 with fail(). */
int userns_write_maps(pid_t pid, uint32_t host, uint32_t size);

/* Opens the user namespace at path, /proc/PID/ns/user, for the idmapped mounts and userns_enter(), and reads
 * which host IDs its root is (/proc/PID/uid_map, gid_map). 0 or -1 with fail(). */
int userns_open(const char *path);
/* The host IDs of the opened namespace's root. */
void userns_root(uid_t *uid, gid_t *gid);
/* True between userns_open() and userns_enter(): mounts made now are idmapped. */
bool userns_idmapping(void);
/* A detached, idmapped copy of the mount tree at fd (recursive); its fd or -1 with fail(). */
int userns_idmapped_tree(int fd, const char *what);
/* Binds an idmapped copy of srcfd onto dstfd. 0 or -1 with fail(). */
int userns_idmapped_bind(int srcfd, int dstfd, const char *what);
/* Joins the namespace opened by userns_open(); a no-op without one. 0 or -1 with fail(). */
int userns_enter(void);

/* CLONE_NEWUSER when process pid is in another user namespace than ours (an exec into a hostUsers: false pod), else
 * 0; -1 with fail(). */
int userns_flag_for(pid_t pid);

#endif
