/*
 * title.h — rewriting what /proc/PID/cmdline shows for this process.
 *
 * The exec helper lives inside the container's PID namespace, where anyone can
 * read its command line; the shim's argv holds the exec'd command's --env
 * values, so the helper blanks it (PR_SET_MM_ARG_START would need
 * CAP_SYS_RESOURCE, which root lacks on this kind of host).
 */
#ifndef NODELET_TITLE_H
#define NODELET_TITLE_H

/* Called first in main(): remembers where argv's strings lie in memory. */
void title_init(int argc, char **argv);

/* Overwrites the argv area with title and NULs (pointers into argv become invalid). */
void title_set(const char *title);

#endif
