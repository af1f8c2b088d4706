/*
 * reaper.h — killing a whole process tree without leaving zombies
 * (kubernetes#81042, #110070: exec probes that time out leave children behind).
 */
#ifndef NODELET_REAPER_H
#define NODELET_REAPER_H

/* The caller must be a child subreaper, so that every orphan of its tree comes
 * back to it. SIGKILLs every descendant found in /proc, reaps, and repeats
 * (orphans re-parented meanwhile are killed on the next pass) until the
 * caller has no child left. */
void kill_tree_and_reap(void);

/* Reaps, without waiting, every child that has already exited. */
void reap_exited(void);

#endif
