/* marks.c — see marks.h. */
#define _GNU_SOURCE
#include "marks.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static uint64_t *marks;

static const char *const names[MARK_COUNT] = {
	[MARK_MONITOR] = "monitor",
	[MARK_MONITOR_READY] = "monitor-ready",
	[MARK_JOINED] = "joined",
	[MARK_INIT] = "init",
	[MARK_ROOTFS] = "rootfs",
	[MARK_SYSTEM_MOUNTS] = "system-mounts",
	[MARK_VOLUMES] = "volumes",
	[MARK_PROTECTED] = "protected",
	[MARK_PIVOTED] = "pivoted",
	[MARK_EXEC] = "exec",
	[MARK_RUNNING] = "running",
};

void marks_init(void)
{
	void *p = mmap(NULL, sizeof(uint64_t) * MARK_COUNT, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	marks = p == MAP_FAILED ? NULL : p;
}

void mark(enum start_mark m)
{
	struct timespec ts;
	if (marks == NULL || clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return;
	marks[m] = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void marks_format(char *buf, size_t size)
{
	size_t n = strlen(buf);
	for (int i = 0; marks != NULL && i < MARK_COUNT && n < size; i++) {
		if (marks[i] == 0)
			continue;
		int w = snprintf(buf + n, size - n, " %s=%llu", names[i], (unsigned long long)marks[i]);
		if (w < 0 || (size_t)w >= size - n) {
			buf[n] = '\0';  /* a word cut short would be misread: leave it out */
			return;
		}
		n += (size_t)w;
	}
}
