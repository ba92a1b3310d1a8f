#include "ocilog.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/timestamp.h"

/* without --log, logrus' text lines on stderr, as runc */
static int log_fd = STDERR_FILENO, log_file, log_json, log_debug;

void
ocilog_open (const char *path, int json, int debug)
{
	if (path && (log_fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		log_file = 1;
	else
		log_fd = STDERR_FILENO;
	log_json = json;
	log_debug = debug;
}

/* one line, in one write: the shim reads the file while others append */
static void
log_line (const char *level, const char *msg)
{
	char now[TIMESTAMP_LEN], *line = NULL;
	json_t *j;

	if (log_fd < 0)
		return;
	timestamp_now (now);
	if (log_json) {
		if ((j = json_pack ("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", now))) {
			line = json_dumps (j, JSON_COMPACT);
			json_decref (j);
		}
	} else {
		json_t *q = json_string (msg);
		char *quoted = q ? json_dumps (q, JSON_ENCODE_ANY) : NULL;
		if (quoted && asprintf (&line, "time=\"%s\" level=%s msg=%s", now, level, quoted) < 0)
			line = NULL;
		free (quoted);
		json_decref (q);
	}
	if (line) {
		size_t n = strlen (line);
		line[n] = '\n';
		afile_write_all (log_fd, line, n + 1);
		line[n] = '\0';
		free (line);
	}
}

void
ocilog_debug (const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!log_debug)
		return;
	va_start (ap, fmt);
	vsnprintf (msg, sizeof msg, fmt, ap);
	va_end (ap);
	log_line ("debug", msg);
}

void
ocilog_warn (const struct bx_err *e)
{
	log_line ("warning", e->msg);
}

int
ocilog_error (const struct bx_err *e)
{
	log_line ("error", e->msg);
	/* the shim shows the log's line; a person at a terminal, this one */
	if (log_file)
		fprintf (stderr, "%s\n", e->msg);
	return 1;
}
