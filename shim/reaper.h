/*
 * reaper.h — killing a whole process tree without leaving zombies
 * (kubernetes#81042, #110070: exec probes that time out leave children behind).
 */
#ifndef NODELET_REAPER_H
#define NODELET_REAPER_H

#include <sys/types.h>

/* The caller must be a child subreaper with SIGCHLD blocked, so that every
 * orphan of its tree comes back to it. SIGKILLs the process group `group`
 * and every descendant found in /proc, reaps, and repeats (orphans
 * re-parented meanwhile are killed on the next pass) until the caller has no
 * child left, or about 5 s have passed. */
void kill_tree_and_reap(pid_t group);

/* Reaps, without waiting, every child that has already exited. */
void reap_exited(void);

#endif
