/* logcfg - a container's logging driver and its options, as create.json
 * holds them in Docker's shape: HostConfig.LogConfig {Type, Config}, the
 * values strings ({"Type": "json-file", "Config": {"max-size": "10m"}}).
 *
 * ctr-create checks them (logcfg_parse) with Docker's words, the -d
 * supervisor of ctr-spawn writes and rotates the log as they say, and
 * ctr-logs refuses a driver that keeps no log. json-file and local both
 * write box's CRI log (containers/<id>/log, then log.1 ... log.(N-1), the
 * oldest last); none writes nothing. The drivers that send the output
 * elsewhere (syslog, journald, fluentd...) are refused. */
#ifndef BOX_LOGCFG_H
#define BOX_LOGCFG_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"

enum logcfg_driver { LOGCFG_JSON_FILE, LOGCFG_LOCAL, LOGCFG_NONE };

struct logcfg {
	enum logcfg_driver driver;
	int64_t max_size; /* rotate once the log reached this many bytes; 0: never */
	int max_file;     /* files kept, the log itself included (>= 1) */
};

/* Check LOGCONFIG ({Type, Config}; NULL or an empty Type: json-file) as
 * Docker checks it, at create rather than at start, and fill *C with its
 * driver's defaults and the options given; BX_USAGE with Docker's words. */
int logcfg_parse (json_t *logconfig, struct logcfg *c, struct bx_err *e);

/* The name of file N of a log: "log" (N 0), then "log.N". */
void logcfg_file_name (int n, char *buf, size_t len);

#endif
