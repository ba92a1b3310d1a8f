#include "copts.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/human.h"

int
copts_cpus (const char *s, int64_t *nano, struct bx_err *e)
{
	char *end;
	double v;
	long n = sysconf (_SC_NPROCESSORS_ONLN);

	errno = 0;
	v = strtod (s, &end);
	if (!*s || *end || errno || v < 0)
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"--cpus\" flag: failed to parse %s as a "
		                "rational number",
		                s, s);
	/* past int64_t the conversion is undefined: such a count is out of range anyway */
	*nano = v * 1e9 < 9.2e18 ? (int64_t)(v * 1e9 + 0.5) : INT64_MAX;
	if (*nano != 0 && (*nano < 10000000 || (n > 0 && *nano > n * 1000000000LL)))
		return err_set (e, BX_USAGE, 0,
		                "range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs "
		                "available",
		                n, n);
	return 0;
}

/* "80" or "8000-8010" -> [lo, hi]; 0 ok */
static int
port_range (const char *s, size_t n, long *lo, long *hi)
{
	char buf[32], *dash, *end;

	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy (buf, s, n);
	buf[n] = '\0';
	dash = strchr (buf, '-');
	if (dash)
		*dash = '\0';
	*lo = strtol (buf, &end, 10);
	if (!isdigit ((unsigned char)buf[0]) || *end || *lo < 0 || *lo > 65535)
		return -1;
	*hi = *lo;
	if (dash) {
		*hi = strtol (dash + 1, &end, 10);
		if (!isdigit ((unsigned char)dash[1]) || *end || *hi < *lo || *hi > 65535)
			return -1;
	}
	return 0;
}

static int
proto_ok (const char *p)
{
	return strcmp (p, "tcp") == 0 || strcmp (p, "udp") == 0 || strcmp (p, "sctp") == 0;
}

int
copts_expose (const char *s, json_t *exposed, struct bx_err *e)
{
	const char *slash = strchr (s, '/');
	const char *proto = slash ? slash + 1 : "tcp";
	long lo, hi;
	char key[48];

	if (!proto_ok (proto))
		return err_set (e, BX_USAGE, 0, "invalid proto: %s", proto);
	if (port_range (s, slash ? (size_t)(slash - s) : strlen (s), &lo, &hi) < 0)
		return err_set (e, BX_USAGE, 0, "invalid range format for --expose specification: \"%s\"", s);
	for (long p = lo; p <= hi; p++) {
		snprintf (key, sizeof key, "%ld/%s", p, proto);
		json_object_set_new (exposed, key, json_object ());
	}
	return 0;
}

/* split "[ip:][host:]ctr" (ip may be [v6]) */
static int
publish_split (char *s, char **ip, char **host, char **ctr)
{
	char *last = strrchr (s, ':'), *prev;

	*ip = *host = NULL;
	*ctr = s;
	if (!last)
		return 0;
	*last = '\0';
	*ctr = last + 1;
	prev = strrchr (s, ':');
	if (s[0] == '[') { /* [v6]:host or [v6]: */
		char *close = strchr (s, ']');
		if (!close || (close[1] != ':' && close[1] != '\0'))
			return -1;
		*close = '\0';
		*ip = s + 1;
		*host = close[1] ? close + 2 : close + 1;
		return 0;
	}
	if (prev) {
		*prev = '\0';
		*ip = s;
		*host = prev + 1;
	} else
		*host = s;
	return 0;
}

int
copts_publish (const char *s, json_t *exposed, json_t *bindings, struct bx_err *e)
{
	_cleanup_free_ char *copy = strdup (s);
	char *ip, *host, *ctr, *slash;
	const char *proto = "tcp";
	long clo, chi, hlo = 0, hhi = 0;

	if (!copy || publish_split (copy, &ip, &host, &ctr) < 0)
		return err_set (e, BX_USAGE, 0, "invalid IP address: %s", s);
	if ((slash = strchr (ctr, '/'))) {
		*slash = '\0';
		proto = slash + 1;
	}
	if (ip && *ip && !copts_is_ip (ip))
		return err_set (e, BX_USAGE, 0, "invalid IP address: %s", ip);
	if (!*ctr)
		return err_set (e, BX_USAGE, 0, "no port specified: %s<empty>", s);
	if (port_range (ctr, strlen (ctr), &clo, &chi) < 0)
		return err_set (e, BX_USAGE, 0, "invalid containerPort: %s", ctr);
	if (host && *host && port_range (host, strlen (host), &hlo, &hhi) < 0)
		return err_set (e, BX_USAGE, 0, "invalid hostPort: %s", host);
	if (!proto_ok (proto))
		return err_set (e, BX_USAGE, 0, "invalid proto: %s", proto);
	if (host && *host && chi - clo != hhi - hlo && chi != clo)
		return err_set (e, BX_USAGE, 0, "invalid ranges specified for container and host Ports: %s and %s", ctr,
		                host);
	for (long p = clo; p <= chi; p++) {
		char key[48], hp[32] = "";
		json_t *list;
		snprintf (key, sizeof key, "%ld/%s", p, proto);
		json_object_set_new (exposed, key, json_object ());
		if (host && *host) {
			if (chi == clo && hhi != hlo)
				snprintf (hp, sizeof hp, "%ld-%ld", hlo, hhi);
			else
				snprintf (hp, sizeof hp, "%ld", hlo + (p - clo));
		}
		if (!(list = json_object_get (bindings, key)))
			json_object_set_new (bindings, key, list = json_array ());
		json_array_append_new (list, json_pack ("{s:s, s:s}", "HostIp", ip ? ip : "", "HostPort", hp));
	}
	return 0;
}

/* --restart as Docker 20.10's client parses it (runconfig's
 * ParseRestartPolicy): NAME[:COUNT], the count an integer; the name and
 * count are its daemon's to judge (copts_restart_check) */
json_t *
copts_restart (const char *s, struct bx_err *e)
{
	const char *colon = strchr (s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen (s);
	long long max = 0;
	char *end;

	if (colon && strchr (colon + 1, ':'))
		return err_set (e, BX_USAGE, 0, "invalid restart policy format"), NULL;
	if (colon) {
		errno = 0;
		max = strtoll (colon + 1, &end, 10);
		if (*end || end == colon + 1 || isspace ((unsigned char)colon[1]) || errno == ERANGE)
			return err_set (e, BX_USAGE, 0, "maximum retry count must be an integer"), NULL;
	}
	if (!n && !colon)
		s = "no", n = 2;
	return json_pack ("{s:s#, s:I}", "Name", s, (int)n, "MaximumRetryCount", (json_int_t)max);
}

int
copts_restart_check (const json_t *policy, struct bx_err *e)
{
	const char *name = json_string_value (json_object_get (policy, "Name"));
	json_int_t max = json_integer_value (json_object_get (policy, "MaximumRetryCount"));

	if (!name || !*name)
		return 0;
	if (!strcmp (name, "on-failure"))
		return max < 0 ? err_set (e, BX_USAGE, 0, "maximum retry count cannot be negative") : 0;
	if (strcmp (name, "no") && strcmp (name, "always") && strcmp (name, "unless-stopped"))
		return err_set (e, BX_USAGE, 0, "invalid restart policy '%s'", name);
	if (max)
		return err_set (e, BX_USAGE, 0, "maximum retry count cannot be used with restart policy '%s'", name);
	return 0;
}

int
copts_env (const char *s, json_t *env, struct bx_err *e)
{
	const char *eq = strchr (s, '=');
	const char *val;

	if (s[0] == '=' || !s[0])
		return err_set (e, BX_USAGE, 0, "invalid environment variable: %s", s);
	if (!eq && (val = getenv (s))) {
		char *kv;
		if (asprintf (&kv, "%s=%s", s, val) < 0)
			return err_set (e, BX_SYSTEM, ENOMEM, "env");
		json_array_append_new (env, json_string (kv));
		free (kv);
		return 0;
	}
	json_array_append_new (env, json_string (s));
	return 0;
}

void
copts_label (const char *s, json_t *labels)
{
	const char *eq = strchr (s, '=');

	if (eq) {
		char *k = strndup (s, (size_t)(eq - s));
		if (k)
			json_object_set_new (labels, k, json_string (eq + 1));
		free (k);
	} else
		json_object_set_new (labels, s, json_string (""));
}

int
copts_env_file (const char *path, json_t *out, int labels, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	char *save = NULL, *line;
	int lineno = 0;

	if (afile_slurp_at (AT_FDCWD, path, &buf, NULL, e) < 0) {
		e->code = BX_USAGE;
		return err_wrap (e, "open %s", path);
	}
	for (line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
		char *eq;
		lineno++;
		while (isspace ((unsigned char)*line))
			line++;
		line[strcspn (line, "\r")] = '\0';
		if (!*line || *line == '#')
			continue;
		eq = strchr (line, '=');
		if (eq == line)
			return err_set (e, BX_USAGE, 0, "%s: no variable name on line '%s'", path, line);
		if (eq && strcspn (line, " \t") < (size_t)(eq - line))
			return err_set (e, BX_USAGE, 0, "%s: variable '%.*s' contains whitespaces", path,
			                (int)(eq - line), line);
		if (labels)
			copts_label (line, out);
		else if (eq)
			json_array_append_new (out, json_string (line));
		else if (getenv (line))
			copts_env (line, out, e);
	}
	return 0;
}

int
copts_is_ip (const char *s)
{
	unsigned char buf[16];

	return inet_pton (AF_INET, s, buf) == 1 || inet_pton (AF_INET6, s, buf) == 1;
}

int
copts_add_host (const char *s, char *host, size_t hlen, char *ip, size_t iplen, struct bx_err *e)
{
	const char *sep = strchr (s, '=');
	const char *addr;
	size_t alen;

	if (!sep)
		sep = strchr (s, ':');
	if (!sep || sep == s)
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"--add-host\" flag: bad format for "
		                "add-host: \"%s\"",
		                s, s);
	addr = sep + 1;
	alen = strlen (addr);
	if (addr[0] == '[' && alen > 2 && addr[alen - 1] == ']') {
		addr++;
		alen -= 2;
	}
	snprintf (host, hlen, "%.*s", (int)(sep - s), s);
	snprintf (ip, iplen, "%.*s", (int)alen, addr);
	if (strcmp (ip, "host-gateway") != 0 && !copts_is_ip (ip))
		return err_set (e, BX_USAGE, 0,
		                "invalid argument \"%s\" for \"--add-host\" flag: invalid IP address "
		                "in add-host: \"%s\"",
		                s, ip);
	return 0;
}

static int
mode_parse (const char *mode, int *ro, struct bx_err *e)
{
	_cleanup_free_ char *m = strdup (mode);
	char *save = NULL, *w;

	*ro = 0;
	for (w = m ? strtok_r (m, ",", &save) : NULL; w; w = strtok_r (NULL, ",", &save)) {
		if (strcmp (w, "ro") == 0)
			*ro = 1;
		else if (strcmp (w, "rw") && strcmp (w, "z") && strcmp (w, "Z") && strcmp (w, "nocopy") &&
		         strcmp (w, "rprivate") && strcmp (w, "private"))
			return err_set (e, BX_USAGE, 0, "invalid mode: %s", mode);
	}
	return 0;
}

int
copts_volume_split (char *s, const char *raw, char *part[3], int *n, int *ro, struct bx_err *e)
{
	char *p = s, *four[4] = {0};

	*n = *ro = 0;
	while (p && *n < 4) {
		four[(*n)++] = p;
		if ((p = strchr (p, ':')))
			*p++ = '\0';
	}
	if (*n > 3 || p || !*four[0] || (*n >= 2 && !*four[1]))
		return err_set (e, BX_USAGE, 0, "invalid spec: %s", raw);
	memcpy (part, four, 3 * sizeof *part);
	if (*n == 2 && (strcmp (part[1], "ro") == 0 || strcmp (part[1], "rw") == 0))
		return err_set (e, BX_USAGE, 0, "invalid spec: %s", raw);
	if (*n == 3 && mode_parse (part[2], ro, e) < 0)
		return -1;
	if ((*n == 1 ? part[0] : part[1])[0] != '/')
		return err_set (e, BX_USAGE, 0,
		                "invalid mount config for type \"%s\": invalid mount path: '%s' mount "
		                "path must be absolute",
		                *n == 1 || part[0][0] != '/' ? "volume" : "bind", *n == 1 ? part[0] : part[1]);
	return 0;
}

int
copts_blkio_device (const char *s, int kind, json_t *list, struct bx_err *e)
{
	const char *colon = strrchr (s, ':'), *v;
	char *end;
	int64_t n;

	if (!colon)
		return err_set (e, BX_USAGE, 0, "bad format: %s", s);
	if (strncmp (s, "/dev/", 5) != 0)
		return err_set (e, BX_USAGE, 0, "bad format for device path: %s", s);
	v = colon + 1;
	errno = 0;
	if (kind == 1) {
		if (human_ram_parse (v, &n, e) < 0)
			return err_set (
			    e, BX_USAGE, 0,
			    "invalid rate for device: %s. The correct format is <device-path>:<number>[<unit>]. "
			    "Number must be a positive integer. Unit is optional and can be kb, mb, or gb",
			    s);
	} else if (!isdigit ((unsigned char)*v) || ((n = strtoll (v, &end, 10)), *end) || errno ||
	           (kind == 0 && (n > 65535 || (n > 0 && (n < 10 || n > 1000)))))
		return kind == 0
		           ? err_set (e, BX_USAGE, 0, "invalid weight for device: %s", s)
		           : err_set (e, BX_USAGE, 0,
		                      "invalid rate for device: %s. The correct format is <device-path>:<number>. "
		                      "Number must be a positive integer",
		                      s);
	json_array_append_new (
	    list, json_pack ("{s:s%, s:I}", "Path", s, (int)(colon - s), kind ? "Rate" : "Weight", (json_int_t)n));
	return 0;
}

int
copts_is_cpuset (const char *s)
{
	/* Docker's parsers.ParseUintList: N or N-M, comma separated */
	while (*s) {
		char *end;
		unsigned long a = strtoul (s, &end, 10), b;
		if (end == s || !isdigit ((unsigned char)*s))
			return 0;
		if (*end == '-') {
			s = end + 1;
			if (!isdigit ((unsigned char)*s) || ((b = strtoul (s, &end, 10)), b < a))
				return 0;
		}
		if (*end && (*end != ',' || !end[1]))
			return 0;
		s = *end ? end + 1 : end;
	}
	return 1;
}
