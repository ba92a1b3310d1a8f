#include "base/sibling.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void
sibling_path (const char *name, char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
	char *slash;

	self[n > 0 ? n : 0] = '\0';
	slash = strrchr (self, '/');
	snprintf (out, len, "%.*s/%s", slash ? (int)(slash - self) : 0, self, name);
	if (access (out, X_OK) < 0)
		snprintf (out, len, "%s", name);
}
