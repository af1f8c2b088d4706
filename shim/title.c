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
