/*
 * caps.h — capability names and the capability sets of the container process.
 * No libcap: the three syscalls involved (prctl, capget, capset) are simple.
 */
#ifndef NODELET_CAPS_H
#define NODELET_CAPS_H

#include <stdint.h>
#include <sys/types.h>

/* "CAP_CHOWN" or "CHOWN" (any case) → 0; -1 if unknown. */
int cap_from_name(const char *name);

/* Before changing uid: clears the ambient set and drops every capability not
 * in keep from the bounding set (needs CAP_SETPCAP, so it runs while still root). */
int caps_drop_bounding(uint64_t keep);

/* After setuid: for uid 0, effective = permitted = inheritable = keep (limited to
 * what this process still has); for other uids all three are emptied, as the
 * kernel already did for permitted and effective on setuid. */
int caps_set_final(uint64_t keep, uid_t uid);

#endif
