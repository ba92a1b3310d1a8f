#include "base/netfile.h"

#include <string.h>

#include "base/afile.h"

int
netfile_write_at (int dirfd, const char *name, const char *text, struct bx_err *e)
{
	return afile_replace_at (dirfd, name, text, strlen (text), e);
}
