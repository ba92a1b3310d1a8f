#include "copts.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/human.h"
#include "base/natport.h"

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

/* nat.ParsePortRange: "80" or "8000-8010" -> [lo, hi]; WHY its error */
static int
port_range (const char *s, unsigned long *lo, unsigned long *hi, char *why, size_t nwhy)
{
	struct bx_err e = {0};

	if (natport_range (s, strlen (s), lo, hi, &e) == 0)
		return 0;
	snprintf (why, nwhy, "%s", e.msg);
	return -1;
}

static int
proto_ok (const char *p)
{
	return strcmp (p, "tcp") == 0 || strcmp (p, "udp") == 0 || strcmp (p, "sctp") == 0;
}

/* nat.SplitProtoPort: "80/udp" -> "80", "udp"; "80" and "80/" tcp; an
 * empty port, none. Cuts S at the slash. */
static void
proto_split (char *s, const char **proto)
{
	char *slash = strchr (s, '/'), *second;

	*proto = "tcp";
	if (!slash)
		return;
	*slash = '\0';
	if ((second = strchr (slash + 1, '/')))
		*second = '\0';
	if (!*s)
		*proto = "";
	else if (slash[1])
		*proto = slash + 1;
}

int
copts_expose (const char *s, json_t *exposed, struct bx_err *e)
{
	_cleanup_free_ char *copy = strdup (s);
	const char *proto;
	unsigned long lo, hi;
	char key[48], why[1024];

	if (!copy)
		return err_set (e, BX_SYSTEM, ENOMEM, "--expose");
	if (strchr (s, ':'))
		return err_set (e, BX_USAGE, 0, "invalid port format for --expose: %s", s);
	proto_split (copy, &proto);
	if (port_range (copy, &lo, &hi, why, sizeof why) < 0)
		return err_set (e, BX_USAGE, 0, "invalid range format for --expose: %s, error: %s", s, why);
	/* the docker CLI takes any protocol here (nat.NewPort checks none) */
	for (unsigned long p = lo; p <= hi; p++) {
		snprintf (key, sizeof key, "%lu/%.16s", p, proto);
		json_object_set_new (exposed, key, json_object ());
	}
	return 0;
}

/* nat's splitParts: "[ip:][host:]ctr", the address everything before the
 * last two colons (so an IPv6 one is bracketed) */
static void
publish_split (char *s, char **ip, char **host, char **ctr)
{
	char *last = strrchr (s, ':'), *prev;

	*ip = *host = NULL;
	*ctr = s;
	if (!last)
		return;
	*last = '\0';
	*ctr = last + 1;
	if (!(prev = strrchr (s, ':'))) {
		*host = s;
		return;
	}
	*prev = '\0';
	*ip = s;
	*host = prev + 1;
}

/* Go's net.SplitHostPort (IP + ":") for the host part: brackets
 * stripped; its error as net.AddrError words it */
static int
publish_host_ip (char *ip, char **out, struct bx_err *e)
{
	const char *why = NULL;
	char *close;

	*out = ip;
	if (ip[0] == '[') {
		close = strchr (ip, ']');
		if (!close)
			why = "missing ']' in address";
		else if (close[1] == ':')
			why = "too many colons in address";
		else if (close[1])
			why = "missing port in address";
		else if (strchr (ip + 1, '[') || strchr (close + 1, ']'))
			why = strchr (ip + 1, '[') ? "unexpected '[' in address" : "unexpected ']' in address";
		else {
			*close = '\0';
			*out = ip + 1;
		}
	} else if (strchr (ip, ':'))
		why = "too many colons in address";
	else if (strchr (ip, '[') || strchr (ip, ']'))
		why = strchr (ip, '[') ? "unexpected '[' in address" : "unexpected ']' in address";
	if (why)
		return err_set (e, BX_USAGE, 0, "Invalid ip address %s: address %s:: %s", ip, ip, why);
	if (**out && !copts_is_ip (*out))
		return err_set (e, BX_USAGE, 0, "Invalid ip address: %s", *out);
	return 0;
}

/* one binding of BINDINGS[KEY] (and KEY exposed) */
static void
publish_one (json_t *exposed, json_t *bindings, const char *key, const char *ip, const char *hp)
{
	json_t *list;

	json_object_set_new (exposed, key, json_object ());
	if (!(list = json_object_get (bindings, key)))
		json_object_set_new (bindings, key, list = json_array ());
	json_array_append_new (list, json_pack ("{s:s, s:s}", "HostIp", ip, "HostPort", hp));
}

/* nat.ParsePortSpec: its checks in its order, its words */
static int
publish_spec (const char *s, json_t *exposed, json_t *bindings, struct bx_err *e)
{
	_cleanup_free_ char *copy = strdup (s);
	char *rawip, *ip, *host, *ctr, lower[16], why[1024], none[1] = "";
	const char *proto;
	unsigned long clo, chi, hlo = 0, hhi = 0;

	if (!copy)
		return err_set (e, BX_SYSTEM, ENOMEM, "-p");
	publish_split (copy, &rawip, &host, &ctr);
	proto_split (ctr, &proto);
	if (publish_host_ip (rawip ? rawip : none, &ip, e) < 0)
		return -1;
	if (!*ctr)
		return err_set (e, BX_USAGE, 0, "No port specified: %s<empty>", s);
	if (port_range (ctr, &clo, &chi, why, sizeof why) < 0)
		return err_set (e, BX_USAGE, 0, "Invalid containerPort: %s", ctr);
	if (host && *host && port_range (host, &hlo, &hhi, why, sizeof why) < 0)
		return err_set (e, BX_USAGE, 0, "Invalid hostPort: %s", host);
	/* a host range for one container port: one port of it, picked */
	if (host && *host && chi - clo != hhi - hlo && chi != clo)
		return err_set (e, BX_USAGE, 0, "Invalid ranges specified for container and host Ports: %s and %s", ctr,
		                host);
	snprintf (lower, sizeof lower, "%s", proto);
	for (char *c = lower; *c; c++)
		*c = (char)tolower ((unsigned char)*c);
	if (!proto_ok (lower))
		return err_set (e, BX_USAGE, 0, "Invalid proto: %s", proto);
	for (unsigned long p = clo; p <= chi; p++) {
		char key[48], hp[32] = "";
		snprintf (key, sizeof key, "%lu/%s", p, lower);
		if (host && *host && chi == clo && hhi != hlo)
			snprintf (hp, sizeof hp, "%lu-%lu", hlo, hhi);
		else if (host && *host)
			snprintf (hp, sizeof hp, "%lu", hlo + (p - clo));
		publish_one (exposed, bindings, key, ip, hp);
	}
	return 0;
}

/* the docker CLI's convertToStandardNotation: "published=8080,target=80
 * [,protocol=udp][,mode=host]" -> "8080:80/udp" in OUT (the last of a key
 * wins, unknown keys and mode are ignored, a missing one is empty) */
static int
publish_long (const char *s, char *out, size_t n, struct bx_err *e)
{
	_cleanup_free_ char *copy = strdup (s);
	const char *pub = "", *target = "", *proto = "tcp";
	char *rest = copy, *param;

	if (!copy)
		return err_set (e, BX_SYSTEM, ENOMEM, "-p");
	/* strings.Split: an empty param is one too */
	while ((param = strsep (&rest, ","))) {
		char *eq = strchr (param, '='), *end;
		if (!eq)
			return err_set (e, BX_USAGE, 0,
			                "invalid publish opts format (should be name=value but got '%s')", param);
		*eq = '\0';
		/* Go's strings.Split: a second '=' ends the value */
		if ((end = strchr (eq + 1, '=')))
			*end = '\0';
		if (!strcmp (param, "published"))
			pub = eq + 1;
		else if (!strcmp (param, "target"))
			target = eq + 1;
		else if (!strcmp (param, "protocol"))
			proto = eq + 1;
	}
	if ((size_t)snprintf (out, n, "%s:%s/%s", pub, target, proto) >= n)
		return err_set (e, BX_USAGE, 0, "invalid publish opts format: %s", s);
	return 0;
}

/* -p in either form, the long one made short first, as the docker CLI does */
int
copts_publish (const char *s, json_t *exposed, json_t *bindings, struct bx_err *e)
{
	char std[256];

	if (strchr (s, '=')) {
		if (publish_long (s, std, sizeof std, e) < 0)
			return -1;
		s = std;
	}
	return publish_spec (s, exposed, bindings, e);
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

/* strerror as Go's os package words it: lower case */
static const char *
go_strerror (int err, char *buf, size_t n)
{
	snprintf (buf, n, "%s", strerror (err));
	buf[0] = (char)tolower ((unsigned char)buf[0]);
	return buf;
}

/* the length of the UTF-8 sequence lead byte C starts, 0 when none */
static unsigned
utf8_len (unsigned c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c < 0xe0)
		return 2;
	if (c >= 0xe0 && c < 0xf0)
		return 3;
	return c >= 0xf0 && c < 0xf5 ? 4 : 0;
}

/* Go's utf8.Valid: no stray, overlong or surrogate sequence, none past
 * U+10FFFF */
static int
utf8_valid (const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], len = utf8_len (c);
		if (!len || i + len > n)
			return 0;
		for (unsigned k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		if ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0) ||
		    (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90))
			return 0;
		i += len;
	}
	return 1;
}

/* Go's %v of the bytes of a line: [255 61 50] */
static void
go_bytes (const unsigned char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;

	o += (size_t)snprintf (out, size, "[");
	for (size_t i = 0; i < n && o < size; i++)
		o += (size_t)snprintf (out + o, size - o, "%s%u", i ? " " : "", s[i]);
	if (o < size)
		snprintf (out + o, size - o, "]");
}

/* One line of an env or label file (docker's opts.parseKeyValueFile) */
static int
kv_line (char *line, json_t *out, int labels, struct bx_err *e)
{
	char *eq;
	size_t klen;

	while (isspace ((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return 0;
	eq = strchr (line, '=');
	klen = eq ? (size_t)(eq - line) : strlen (line);
	if (strcspn (line, " \t") < klen)
		return err_set (e, BX_USAGE, 0, "poorly formatted environment: variable '%.*s' contains whitespaces",
		                (int)klen, line);
	if (!klen)
		return err_set (e, BX_USAGE, 0, "poorly formatted environment: no variable name on line '%s'", line);
	if (labels) {
		/* a label file's line without "=" names no label (Docker's emptyFn is nil) */
		if (eq)
			copts_label (line, out);
	} else if (eq)
		json_array_append_new (out, json_string (line));
	else if (getenv (line))
		return copts_env (line, out, e);
	return 0;
}

int
copts_env_file (const char *path, json_t *out, int labels, struct bx_err *e)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC);
	char why[1024], *line, *end;
	size_t len = 0;
	int lineno = 0;

	if (fd < 0)
		return err_set (e, BX_USAGE, 0, "open %s: %s", path, go_strerror (errno, why, sizeof why));
	if (afile_slurp_fd (fd, &buf, &len, e) < 0)
		return err_set (e, BX_USAGE, 0, "read %s: %s", path,
		                go_strerror (e->sys ? e->sys : EIO, why, sizeof why));
	/* lines as Go's bufio.ScanLines cuts them: a CR before the LF dropped */
	for (line = buf; line < buf + len; line = end + 1) {
		char bytes[256];
		size_t n;
		if (!(end = memchr (line, '\n', (size_t)(buf + len - line))))
			end = buf + len;
		n = (size_t)(end - line);
		if (n && line[n - 1] == '\r')
			n--;
		lineno++;
		if (!utf8_valid ((unsigned char *)line, n)) {
			go_bytes ((unsigned char *)line, n, bytes, sizeof bytes);
			return err_set (e, BX_USAGE, 0, "env file %s contains invalid utf8 bytes at line %d: %s", path,
			                lineno, bytes);
		}
		/* a UTF-8 byte order mark before the first line is not its text */
		if (lineno == 1 && n >= 3 && !memcmp (line, "\xef\xbb\xbf", 3))
			line += 3, n -= 3;
		line[n] = '\0';
		if (memchr (line, '\0', n))
			return err_set (e, BX_USAGE, 0, "env file %s: a NUL byte at line %d", path, lineno);
		if (kv_line (line, out, labels, e) < 0)
			return -1;
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
