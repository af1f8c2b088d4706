/*
 * log_writer.h — the container's CRI log file ("<time> <stream> <F|P> <text>"),
 * the format the kubelet reads for `kubectl logs` (see
 * kubernetes/pkg/kubelet/kuberuntime/logs), with size-based rotation.
 */
#ifndef NODELET_LOG_WRITER_H
#define NODELET_LOG_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Longest content of one log line; longer lines are split into P chunks
 * (containerd's and CRI-O's default maximum). */
#define CRI_LINE_MAX 16384

struct log_writer {
	int fd;
	const char *path;
	uint64_t size;      /* bytes in the live file */
	uint64_t max_size;  /* rotate once size exceeds this; 0 = never */
	int max_files;      /* live file + rotated ones kept */
	char last_stamp[16];/* YYYYMMDD-HHMMSS of the last rotation, and its ".N" */
	int last_seq;
};

/* Creates parent dirs, opens path O_APPEND|O_CREAT (0640). 0 or -1 with fail_errno. */
int log_open(struct log_writer *w, const char *path, uint64_t max_size, int max_files);

/* Writes one CRI line with a single write (so a reader never sees half a
 * line), then rotates if the file grew past max_size. tag is 'F' or 'P'.
 * Write errors (disk full) drop the line: the container must never block on its log. */
void log_line(struct log_writer *w, const char *stream, char tag, const char *text, size_t len,
	      const struct timespec *ts);

#endif
