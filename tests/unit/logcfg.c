/* unit tests: runtime/logcfg, HostConfig.LogConfig checked as Docker 20.10
 * checks it (the words seen from dockerd 20.10.24) */
#include <jansson.h>
#include <string.h>

#include "runtime/logcfg.h"
#include "tap.h"

/* parse {"Type": TYPE, "Config": CONFIG (JSON)} */
static int
parse (const char *type, const char *config, struct logcfg *c, struct bx_err *e)
{
	json_t *lc = json_pack ("{s:s, s:o}", "Type", type, "Config", json_loads (config, 0, NULL));
	int r;

	*e = (struct bx_err){0};
	r = logcfg_parse (lc, c, e);
	json_decref (lc);
	return r;
}

/* TYPE with CONFIG is refused with MSG */
static void
refused (const char *type, const char *config, const char *msg)
{
	struct logcfg c;
	struct bx_err e;
	char name[300];

	snprintf (name, sizeof name, "logcfg: %s %s refused", type, config);
	ok (parse (type, config, &c, &e) < 0 && e.code == BX_USAGE, "%s", name);
	is_str (e.msg, msg, name);
}

static void
test_accepted (void)
{
	struct logcfg c;
	struct bx_err e;
	char name[32];

	ok (logcfg_parse (NULL, &c, &e) == 0 && c.driver == LOGCFG_JSON_FILE && !c.max_size && c.max_file == 1,
	    "logcfg: none given is json-file, never rotated");
	ok (parse ("json-file", "{\"max-size\": \"10m\", \"max-file\": \"3\"}", &c, &e) == 0 &&
	        c.max_size == 10000000 && c.max_file == 3,
	    "logcfg: json-file max-size 10m (go-units: decimal), max-file 3");
	ok (parse ("json-file", "{\"max-size\": \"1.5k\"}", &c, &e) == 0 && c.max_size == 1500 && c.max_file == 1,
	    "logcfg: a fraction; max-file 1 by default");
	ok (parse ("json-file", "{\"max-size\": \"1 KiB\"}", &c, &e) == 0 && c.max_size == 1000,
	    "logcfg: a space, then i and b after the unit");
	ok (parse ("json-file", "{\"max-file\": \"3\"}", &c, &e) == 0 && !c.max_size && c.max_file == 1,
	    "logcfg: max-file without max-size is taken, and does nothing (Docker)");
	ok (parse ("json-file",
	           "{\"tag\": \"x\", \"labels\": \"a\", \"mode\": \"non-blocking\", \"max-buffer-size\": \"4m\"}", &c,
	           &e) == 0,
	    "logcfg: json-file's other options, mode and max-buffer-size");
	ok (parse ("local", "{}", &c, &e) == 0 && c.driver == LOGCFG_LOCAL && c.max_size == 20 * 1024 * 1024 &&
	        c.max_file == 5,
	    "logcfg: local's defaults: 20 MiB, 5 files");
	ok (parse ("local", "{\"max-file\": \"1\", \"compress\": \"false\"}", &c, &e) == 0 && c.max_file == 1,
	    "logcfg: local, one file when not compressed");
	ok (parse ("none", "{}", &c, &e) == 0 && c.driver == LOGCFG_NONE, "logcfg: none");
	logcfg_file_name (0, name, sizeof name);
	is_str (name, "log", "logcfg: file 0 is log");
	logcfg_file_name (2, name, sizeof name);
	is_str (name, "log.2", "logcfg: file 2 is log.2");
}

static void
test_refused (void)
{
	refused ("syslog", "{}",
	         "logging driver syslog is not supported: box keeps the log itself (json-file, local or none)");
	refused ("journald", "{}",
	         "logging driver journald is not supported: box keeps the log itself (json-file, local or none)");
	refused ("foo", "{}", "error looking up logging plugin foo: plugin \"foo\" not found");
	refused ("none", "{\"max-size\": \"1m\"}", "invalid logging opts for driver none");
	refused ("json-file", "{\"foo\": \"bar\"}", "unknown log opt 'foo' for json-file log driver");
	refused ("local", "{\"tag\": \"x\"}", "unknown log opt 'tag' for log driver local");
	refused ("json-file", "{\"mode\": \"xx\"}", "logger: logging mode not supported: xx");
	refused ("json-file", "{\"max-buffer-size\": \"4m\"}",
	         "logger: max-buffer-size option is only supported with 'mode=non-blocking'");
	refused ("json-file", "{\"max-size\": \"abc\"}", "failed to initialize logging driver: invalid size: 'abc'");
	refused ("json-file", "{\"max-size\": \"1e\"}", "failed to initialize logging driver: invalid size: '1e'");
	refused ("json-file", "{\"max-size\": \"-1\"}", "failed to initialize logging driver: invalid size: '-1'");
	refused ("json-file", "{\"max-size\": \"0\"}",
	         "failed to initialize logging driver: max-size must be a positive number");
	refused ("json-file", "{\"max-size\": \"1m\", \"max-file\": \"0\"}",
	         "failed to initialize logging driver: max-file cannot be less than 1");
	refused ("json-file", "{\"max-size\": \"1m\", \"max-file\": \"x\"}",
	         "failed to initialize logging driver: strconv.Atoi: parsing \"x\": invalid syntax");
	refused (
	    "json-file", "{\"compress\": \"true\"}",
	    "failed to initialize logging driver: compress cannot be true when max-file is less than 2 or max-size "
	    "is not set");
	refused ("local", "{\"max-size\": \"abc\"}",
	         "failed to initialize logging driver: invalid value for max-size: abc: invalid size: 'abc'");
	refused ("local", "{\"max-file\": \"1\"}",
	         "failed to initialize logging driver: compression cannot be enabled when max file count is 1");
	refused ("local", "{\"max-size\": \"1m\", \"max-file\": \"-1\"}",
	         "failed to initialize logging driver: max file count cannot be less than 0");
}

int
main (void)
{
	test_accepted ();
	test_refused ();
	return tap_done ();
}
