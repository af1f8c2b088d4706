/* title.c — see title.h. */
#define _GNU_SOURCE
#include "title.h"

#include <string.h>

static char *area;
static size_t area_len;

void title_init(int argc, char **argv)
{
	if (argc < 1)
		return;
	area = argv[0];
	area_len = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) - argv[0]);
}

void title_set(const char *title)
{
	if (area == NULL || area_len == 0)
		return;
	memset(area, 0, area_len + 1);
	strncpy(area, title, area_len);
}

void title_set_args(const char *const *args)
{
	if (area == NULL || area_len == 0)
		return;
	size_t at = strlen(area) + 1;  /* argv[0] stays */
	if (at > area_len)
		return;
	memset(area + at, 0, area_len + 1 - at);
	for (; *args != NULL; args++) {
		size_t n = strlen(*args);
		if (at + n >= area_len)
			return;  /* what does not fit is left out whole */
		memcpy(area + at, *args, n);
		at += n + 1;
	}
}
