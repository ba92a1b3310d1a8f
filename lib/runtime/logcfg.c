#include "runtime/logcfg.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/layout.h"

/* Docker's local driver: 20 MiB a file, 5 files, compressed (box's
 * rotated files stay plain text) */
#define LOCAL_MAX_SIZE (20 * 1024 * 1024)
#define LOCAL_MAX_FILE 5

/* the drivers Docker has that box does not: the output would go elsewhere */
static const char *const elsewhere[] = {"syslog", "journald", "gelf",    "fluentd",    "awslogs",
                                        "splunk", "etwlogs",  "gcplogs", "logentries", NULL};

/* the options each driver takes (Docker's ValidateLogOpt); mode and
 * max-buffer-size are every driver's. json-file's labels, env and tag add
 * attributes to its JSON lines, which the CRI format has no place for. */
static const char *const json_file_opts[] = {"max-file", "max-size",  "compress", "labels", "labels-regex",
                                             "env",      "env-regex", "tag",      "mode",   "max-buffer-size",
                                             NULL};
static const char *const local_opts[] = {"max-file", "max-size", "compress", "mode", "max-buffer-size", NULL};

static int
is_in (const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp (*list, s))
			return 1;
	return 0;
}

/* go-units' FromHumanSize (BINARY 0: k is 1000) and RAMInBytes (1024),
 * with Docker's grammar: digits, a fraction, a space, a unit of
 * k/m/g/t/p, then an optional i and b ("10m", "1.5k", "1 GiB") */
static int
size_parse (const char *s, int binary, int64_t *out)
{
	static const char units[] = "kmgtp";
	const char *p = s, *u;
	double v, mult = 1;

	if (!s || !isdigit ((unsigned char)*p))
		return -1;
	while (isdigit ((unsigned char)*p))
		p++;
	if (*p == '.' && !isdigit ((unsigned char)*++p))
		return -1;
	while (isdigit ((unsigned char)*p))
		p++;
	v = strtod (s, NULL);
	if (*p == ' ')
		p++;
	if (*p && (u = strchr (units, tolower ((unsigned char)*p)))) {
		for (long i = 0; i <= u - units; i++)
			mult *= binary ? 1024 : 1000;
		p++;
	}
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p || v * mult >= 9.2e18)
		return -1;
	*out = (int64_t)(v * mult);
	return 0;
}

/* Go's strconv.Atoi */
static int
int_parse (const char *s, int *out)
{
	char *end;
	long v;

	if (!s || !*s || isspace ((unsigned char)*s))
		return -1;
	v = strtol (s, &end, 10);
	if (*end || v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/* Go's strconv.ParseBool */
static int
bool_parse (const char *s, int *out)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True", NULL};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False", NULL};

	if (s && is_in (yes, s))
		return *out = 1, 0;
	if (s && is_in (no, s))
		return *out = 0, 0;
	return -1;
}

static const char *
opt (json_t *cfg, const char *key)
{
	return json_string_value (json_object_get (cfg, key));
}

/* Docker's checks of every driver but none (logger.ValidateLogOpts) */
static int
mode_check (json_t *cfg, struct bx_err *e)
{
	const char *mode = opt (cfg, "mode"), *buf = opt (cfg, "max-buffer-size");
	int64_t n;

	if (mode && *mode && strcmp (mode, "blocking") && strcmp (mode, "non-blocking"))
		return err_set (e, BX_USAGE, 0, "logger: logging mode not supported: %s", mode);
	if (json_object_get (cfg, "max-buffer-size") && (!mode || strcmp (mode, "non-blocking")))
		return err_set (e, BX_USAGE, 0,
		                "logger: max-buffer-size option is only supported with 'mode=non-blocking'");
	if (json_object_get (cfg, "max-buffer-size") && size_parse (buf, 1, &n) < 0)
		return err_set (e, BX_USAGE, 0, "error parsing option max-buffer-size: invalid size: '%s'",
		                buf ? buf : "");
	return 0;
}

static int
driver_pick (const char *type, struct logcfg *c, struct bx_err *e)
{
	if (!strcmp (type, "json-file")) {
		*c = (struct logcfg){.driver = LOGCFG_JSON_FILE, .max_file = 1};
		return 0;
	}
	if (!strcmp (type, "local")) {
		*c = (struct logcfg){.driver = LOGCFG_LOCAL, .max_size = LOCAL_MAX_SIZE, .max_file = LOCAL_MAX_FILE};
		return 0;
	}
	if (is_in (elsewhere, type))
		return err_set (
		    e, BX_USAGE, 0,
		    "logging driver %s is not supported: box keeps the log itself (json-file, local or none)", type);
	return err_set (e, BX_USAGE, 0, "error looking up logging plugin %s: plugin \"%s\" not found", type, type);
}

/* json-file's options, as its New checks them at start */
static int
json_file_values (json_t *cfg, struct logcfg *c, struct bx_err *e)
{
	const char *size = opt (cfg, "max-size"), *files = opt (cfg, "max-file"), *comp = opt (cfg, "compress");
	int compress = 0;

	if (json_object_get (cfg, "max-size") && size_parse (size, 0, &c->max_size) < 0)
		return err_set (e, BX_USAGE, 0, "invalid size: '%s'", size ? size : "");
	if (json_object_get (cfg, "max-size") && c->max_size <= 0)
		return err_set (e, BX_USAGE, 0, "max-size must be a positive number");
	if (json_object_get (cfg, "max-file") && int_parse (files, &c->max_file) < 0)
		return err_set (e, BX_USAGE, 0, "strconv.Atoi: parsing \"%s\": invalid syntax", files ? files : "");
	if (c->max_file < 1)
		return err_set (e, BX_USAGE, 0, "max-file cannot be less than 1");
	if (json_object_get (cfg, "compress") && bool_parse (comp, &compress) < 0)
		return err_set (e, BX_USAGE, 0, "strconv.ParseBool: parsing \"%s\": invalid syntax", comp ? comp : "");
	if (compress && (c->max_file == 1 || !c->max_size))
		return err_set (e, BX_USAGE, 0,
		                "compress cannot be true when max-file is less than 2 or max-size is not set");
	/* Docker: max-file alone is accepted, and does nothing */
	if (!c->max_size)
		c->max_file = 1;
	return 0;
}

/* local's options, as its New checks them */
static int
local_values (json_t *cfg, struct logcfg *c, struct bx_err *e)
{
	const char *size = opt (cfg, "max-size"), *files = opt (cfg, "max-file"), *comp = opt (cfg, "compress");
	int compress = 1;

	if (json_object_get (cfg, "max-size") && size_parse (size, 0, &c->max_size) < 0)
		return err_set (e, BX_USAGE, 0, "invalid value for max-size: %s: invalid size: '%s'", size ? size : "",
		                size ? size : "");
	if (json_object_get (cfg, "max-file") && int_parse (files, &c->max_file) < 0)
		return err_set (e, BX_USAGE, 0,
		                "invalid value for max-file: %s: strconv.Atoi: parsing \"%s\": invalid syntax",
		                files ? files : "", files ? files : "");
	if (json_object_get (cfg, "compress") && bool_parse (comp, &compress) < 0)
		return err_set (e, BX_USAGE, 0,
		                "error reading compress log option: strconv.ParseBool: parsing \"%s\": invalid syntax",
		                comp ? comp : "");
	if (c->max_file < 0)
		return err_set (e, BX_USAGE, 0, "max file count cannot be less than 0");
	if (compress && c->max_file <= 1)
		return err_set (e, BX_USAGE, 0, "compression cannot be enabled when max file count is 1");
	if (c->max_file < 1)
		c->max_file = 1;
	/* Docker's local driver with max-size 0 rotates before every entry */
	if (json_object_get (cfg, "max-size") && !c->max_size)
		c->max_size = 1;
	return 0;
}

int
logcfg_parse (json_t *logconfig, struct logcfg *c, struct bx_err *e)
{
	const char *type = json_string_value (json_object_get (logconfig, "Type")), *key;
	json_t *cfg = json_object_get (logconfig, "Config"), *v;

	if (!type || !*type)
		type = "json-file";
	if (!strcmp (type, "none")) {
		/* the docker client's check: the daemon takes anything */
		if (json_object_size (cfg))
			return err_set (e, BX_USAGE, 0, "invalid logging opts for driver none");
		*c = (struct logcfg){.driver = LOGCFG_NONE, .max_file = 1};
		return 0;
	}
	if (mode_check (cfg, e) < 0 || driver_pick (type, c, e) < 0)
		return -1;
	json_object_foreach (cfg, key, v)
	{
		if (c->driver == LOGCFG_JSON_FILE && !is_in (json_file_opts, key))
			return err_set (e, BX_USAGE, 0, "unknown log opt '%s' for json-file log driver", key);
		if (c->driver == LOGCFG_LOCAL && !is_in (local_opts, key))
			return err_set (e, BX_USAGE, 0, "unknown log opt '%s' for log driver local", key);
	}
	/* Docker checks the values when the driver starts: its words then */
	if ((c->driver == LOGCFG_LOCAL ? local_values (cfg, c, e) : json_file_values (cfg, c, e)) < 0)
		return err_wrap (e, "failed to initialize logging driver");
	return 0;
}

void
logcfg_file_name (int n, char *buf, size_t len)
{
	if (n)
		snprintf (buf, len, L_LOG ".%d", n);
	else
		snprintf (buf, len, L_LOG);
}
