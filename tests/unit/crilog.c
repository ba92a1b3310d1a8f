/* unit tests: ctr-spawn/crilog, the CRI log lines */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "ctr-spawn/crilog.h"
#include "tap.h"

static char root[256];

static void
test_crilog (void)
{
	char path[300], *log = NULL, *nl;
	struct bx_err e = {0};
	int fd;

	snprintf (path, sizeof path, "%s/log", root);
	fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	ok (crilog_write (fd, "stdout", "a\nb\npart", 8) == 0 && crilog_write (fd, "stderr", "x\n", 2) == 0,
	    "crilog: writes");
	close (fd);
	fd = open (path, O_RDONLY);
	afile_slurp_fd (fd, &log, NULL, &e);
	close (fd);
	nl = log;
	ok (strlen (log) > 0 && strstr (log, "Z stdout F a\n") && strstr (log, "Z stdout F b\n") &&
	        strstr (log, "Z stdout P part\n") && strstr (log, "Z stderr F x\n"),
	    "crilog: F lines, a P piece, the stream named");
	ok (nl[4] == '-' && nl[10] == 'T' && strchr (nl, 'Z') - nl == 29, "crilog: RFC 3339 nanosecond time first");
	free (log);
}

int
main (void)
{
	snprintf (root, sizeof root, "/tmp/box-unit-crilog-%d", (int)getpid ());
	mkdir (root, 0755);
	test_crilog ();
	{
		char cmd[400];
		snprintf (cmd, sizeof cmd, "rm -rf %s", root);
		if (system (cmd) != 0)
			printf ("# could not remove %s\n", root);
	}
	return tap_done ();
}
