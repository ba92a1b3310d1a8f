/* unit tests: ctr-spawn/crilog, the CRI log lines */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "ctr-spawn/crilog.h"
#include "runtime/logcfg.h"
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

static struct logcfg cfg;

/* a container directory NAME, and its LOGCONFIG (create.json's) in cfg */
static int
ctr_dir (const char *name, const char *logconfig)
{
	char path[300];
	struct bx_err e;
	json_t *lc = json_loads (logconfig, 0, NULL);

	snprintf (path, sizeof path, "%s/%s", root, name);
	mkdir (path, 0700);
	if (logcfg_parse (lc, &cfg, &e) < 0)
		printf ("# %s: %s\n", logconfig, e.msg);
	json_decref (lc);
	return open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* file NAME of the container directory DIR, read whole ("" when absent) */
static char *
slurp (int dir, const char *name)
{
	char *buf = NULL;
	struct bx_err e;

	if (afile_slurp_at (dir, name, &buf, NULL, &e) < 0)
		buf = strdup ("");
	return buf;
}

static size_t
count (const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr (s, what)); s++)
		n++;
	return n;
}

static struct crilog l;

static void
test_held (void)
{
	int dir = ctr_dir ("held", "{\"Type\": \"json-file\", \"Config\": {}}");
	char *log, big[40001];

	ok (crilog_open (&l, dir, &cfg) == 0 && crilog_due_ms (&l) == -1, "crilog: opened, nothing held");
	crilog_out (&l, 0, "ab", 2);
	log = slurp (dir, "log");
	ok (!*log && crilog_due_ms (&l) >= 0 && crilog_due_ms (&l) <= CRILOG_HOLD_MS,
	    "crilog: a piece without newline waits for its rest");
	free (log);
	crilog_out (&l, 0, "c\nd", 3);
	crilog_out (&l, 1, "e", 1);
	crilog_flush (&l, 0);
	log = slurp (dir, "log");
	ok (strstr (log, "Z stdout F abc\n") && strstr (log, "Z stdout P d\n") && count (log, "\n") == 2,
	    "crilog: a line in two reads is one F record; the rest a P record once flushed");
	free (log);
	usleep ((CRILOG_HOLD_MS + 20) * 1000);
	ok (crilog_due_ms (&l) == 0 && crilog_expire (&l) == 0 && crilog_due_ms (&l) == -1,
	    "crilog: a held piece expires");
	log = slurp (dir, "log");
	ok (strstr (log, "Z stderr P e\n") != NULL, "crilog: what expired is written as P");
	free (log);
	memset (big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\n';
	crilog_out (&l, 0, big, 20000);
	crilog_out (&l, 0, big + 20000, sizeof big - 20000);
	log = slurp (dir, "log");
	ok (count (log, "Z stdout P ") == 3 && count (log, "Z stdout F ") == 2 && strlen (log) < 40000 + 8 * 45,
	    "crilog: a 40000-byte line is records of 16 KiB, P then F");
	free (log);
	crilog_close (&l);
	close (dir);
}

static void
test_rotate (void)
{
	int dir = ctr_dir ("rot", "{\"Type\": \"json-file\", \"Config\": {\"max-size\": \"1k\", \"max-file\": \"3\"}}");
	char line[32], *log;
	struct stat st;

	crilog_open (&l, dir, &cfg);
	for (int i = 0; i < 300; i++) {
		int n = snprintf (line, sizeof line, "line %d\n", i);
		crilog_out (&l, i % 2, line, (size_t)n);
	}
	crilog_close (&l);
	ok (fstatat (dir, "log.1", &st, 0) == 0 && st.st_size >= 1000 && st.st_size < 1000 + 60 &&
	        fstatat (dir, "log.2", &st, 0) == 0 && st.st_size >= 1000 && st.st_size < 1000 + 60,
	    "crilog: rotated files passed max-size by less than a record");
	ok (fstatat (dir, "log.3", &st, 0) < 0 && fstatat (dir, "log", &st, 0) == 0 && st.st_size < 1000 + 60,
	    "crilog: max-file 3: log, log.1, log.2");
	log = slurp (dir, "log");
	ok (strstr (log, "F line 299\n") != NULL, "crilog: the last line in log");
	free (log);
	log = slurp (dir, "log.2");
	ok (strstr (log, "F line 299\n") == NULL && strstr (log, " F line 2") != NULL, "crilog: older lines in log.2");
	free (log);
	close (dir);
	dir = ctr_dir ("one", "{\"Type\": \"json-file\", \"Config\": {\"max-size\": \"1k\"}}");
	crilog_open (&l, dir, &cfg);
	for (int i = 0; i < 300; i++)
		crilog_out (&l, 0, "0123456789\n", 11);
	crilog_close (&l);
	ok (fstatat (dir, "log.1", &st, 0) < 0 && fstatat (dir, "log", &st, 0) == 0 && st.st_size < 1000 + 60,
	    "crilog: max-file 1: the log starts again");
	close (dir);
}

static void
test_none (void)
{
	int dir = ctr_dir ("none", "{\"Type\": \"none\", \"Config\": {}}");
	struct stat st;

	ok (crilog_open (&l, dir, &cfg) == 0 && crilog_out (&l, 0, "a\nb", 3) == 0 && crilog_flush (&l, 0) == 0,
	    "crilog: the driver none takes output");
	crilog_close (&l);
	ok (fstatat (dir, "log", &st, 0) < 0, "crilog: and writes no log");
	close (dir);
}

static void
test_failed (void)
{
	int dir = ctr_dir ("failed", "{\"Type\": \"json-file\", \"Config\": {}}"), full;
	char *log;

	mkdirat (dir, "log", 0700);
	errno = 0;
	ok (crilog_open (&l, dir, &cfg) < 0 && crilog_out (&l, 0, "a\n", 2) < 0 && errno == EISDIR,
	    "crilog: a log that cannot be opened fails each write, with its errno");
	unlinkat (dir, "log", AT_REMOVEDIR);
	crilog_open (&l, dir, &cfg);
	full = open ("/dev/full", O_WRONLY | O_CLOEXEC);
	dup2 (full, l.fd);
	close (full);
	errno = 0;
	ok (crilog_out (&l, 0, "lost\n", 5) < 0 && errno == ENOSPC, "crilog: a full disk fails the write");
	/* room again */
	full = openat (dir, "log", O_WRONLY | O_APPEND | O_CLOEXEC);
	dup2 (full, l.fd);
	close (full);
	crilog_out (&l, 1, "back\n", 5);
	crilog_close (&l);
	log = slurp (dir, "log");
	ok (log[0] == '\n' && strstr (log, "Z stderr F back\n") != NULL,
	    "crilog: after a failed write, the next record starts a line");
	free (log);
	close (dir);
}

int
main (void)
{
	tap_scratch (root, sizeof root, "crilog");
	test_crilog ();
	test_held ();
	test_rotate ();
	test_none ();
	test_failed ();
	tap_scratch_remove (root);
	return tap_done ();
}
