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

/* Keeps argv[0] and shows args after it as separate words, as if they had been the command line (a monitor forked
 * by the zygote shows what an exec'd one does); words that do not fit in the area are left out. */
void title_set_args(const char *const *args);

#endif
