/* copts - TAP unit tests of ctr-create's flag values, as Docker parses
 * them: sizes, ports, restart policies */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/human.h"
#include "ctr-create/copts.h"
#include "tap.h"

static void
test_ram (void)
{
	static const struct {
		const char *in;
		long long want; /* -1: refused */
	} cases[] = {
	    {"32", 32},           {"32b", 32},      {"32 B", 32},      {"32k", 32768},     {"32K", 32768},
	    {"32kb", 32768},      {"32Kib", 32768}, {"32m", 33554432}, {"32Mb", 33554432}, {"1g", 1073741824},
	    {"1.5g", 1610612736}, {"0.3m", 314572}, {"", -1},          {"hello", -1},      {"-32", -1},
	    {"32x", -1},          {"m", -1},        {"32 mb ", -1},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct bx_err e = {0};
		int64_t n = -1;
		int r = human_ram_parse (cases[i].in, &n, &e);
		if (cases[i].want < 0)
			ok (r < 0 && e.code == BX_USAGE, "ram '%s' refused", cases[i].in);
		else
			ok (r == 0 && n == cases[i].want, "ram '%s' = %lld (got %lld)", cases[i].in, cases[i].want,
			    (long long)n);
	}
}

/* a count past int64_t once overflowed the conversion (fuzz/copts, UBSan) */
static void
test_cpus (void)
{
	static const char *const bad[] = {"", "x", "-1", "0.001", "22222222222", "1e300"};
	struct bx_err e = {0};
	int64_t n = -1;

	ok (copts_cpus ("0.5", &n, &e) == 0 && n == 500000000, "cpus 0.5 = 5e8 ns");
	ok (copts_cpus ("0", &n, &e) == 0 && n == 0, "cpus 0 = no limit");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok (copts_cpus (bad[i], &n, &e) < 0 && e.code == BX_USAGE, "cpus '%s' refused", bad[i]);
}

static char *
dump (json_t *j)
{
	static char buf[1024];
	char *s = json_dumps (j, JSON_COMPACT | JSON_SORT_KEYS);

	snprintf (buf, sizeof buf, "%s", s ? s : "(null)");
	free (s);
	return buf;
}

static void
test_publish (void)
{
	json_t *ex = json_object (), *b = json_object ();
	struct bx_err e = {0};

	ok (copts_publish ("80", ex, b, &e) == 0, "-p 80");
	ok (copts_publish ("[::1]:8053:53/udp", ex, b, &e) == 0, "-p [::1]:8053:53/udp");
	ok (copts_publish ("7000-7001:70-71/sctp", ex, b, &e) == 0, "-p ranges");
	ok (copts_publish ("9000-9005:90", ex, b, &e) == 0, "-p a host range for one port");
	is_str (
	    dump (b),
	    "{\"53/udp\":[{\"HostIp\":\"::1\",\"HostPort\":\"8053\"}],\"70/"
	    "sctp\":[{\"HostIp\":\"\",\"HostPort\":\"7000\"}],"
	    "\"71/sctp\":[{\"HostIp\":\"\",\"HostPort\":\"7001\"}],\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}],"
	    "\"90/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"9000-9005\"}]}",
	    "port bindings");
	ok (copts_publish ("1-3:1-2", ex, b, &e) < 0 &&
	        !strcmp (e.msg, "Invalid ranges specified for container and host Ports: 1-2 and 1-3"),
	    "unequal ranges refused");
	ok (copts_publish ("80/icmp", ex, b, &e) < 0 && !strcmp (e.msg, "Invalid proto: icmp"), "bad proto");
	ok (copts_publish ("99999", ex, b, &e) < 0 && !strcmp (e.msg, "Invalid containerPort: 99999"), "bad port");
	ok (copts_publish ("x:80", ex, b, &e) < 0 && !strcmp (e.msg, "Invalid hostPort: x"), "bad host port");
	/* nat.ParsePortSpec's order: the address, then the ports, the protocol last */
	ok (copts_publish ("1-3:4-5/nope", ex, b, &e) < 0 && strstr (e.msg, "Invalid ranges"), "ranges before proto");
	ok (copts_publish ("[::1:80:80", ex, b, &e) < 0 &&
	        !strcmp (e.msg, "Invalid ip address [::1: address [::1:: missing ']' in address"),
	    "an unclosed bracket, in net.SplitHostPort's words");
	ok (copts_publish ("::1:80:80", ex, b, &e) < 0 &&
	        !strcmp (e.msg, "Invalid ip address ::1: address ::1:: too many colons in address"),
	    "an IPv6 address without brackets");
	ok (copts_publish ("1.2.3.4.5:80:80", ex, b, &e) < 0 && !strcmp (e.msg, "Invalid ip address: 1.2.3.4.5"),
	    "not an address");
	ok (copts_publish ("/udp", ex, b, &e) < 0 && !strcmp (e.msg, "No port specified: /udp<empty>"), "no port");
	json_decref (b);
	b = json_object ();
	ok (copts_publish ("8080:80/UDP", ex, b, &e) == 0 && copts_publish ("1-2-9:80-81", ex, b, &e) == 0,
	    "a protocol in capitals, a range with a second dash (Go ignores what follows)");
	is_str (
	    dump (b),
	    "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"1\"}],\"80/udp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}],"
	    "\"81/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"2\"}]}",
	    "their bindings");
	json_decref (b);
	b = json_object ();
	ok (copts_publish ("published=8080,target=80,protocol=udp,mode=host", ex, b, &e) == 0 &&
	        copts_publish ("target=90", ex, b, &e) == 0,
	    "the long form, as convertToStandardNotation reads it");
	is_str (
	    dump (b),
	    "{\"80/udp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}],\"90/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}",
	    "its bindings");
	ok (copts_publish ("published=8080,,target=80", ex, b, &e) < 0 &&
	        !strcmp (e.msg, "invalid publish opts format (should be name=value but got '')"),
	    "an empty param");
	ok (copts_publish ("published=8080", ex, b, &e) < 0 && !strcmp (e.msg, "No port specified: 8080:/tcp<empty>"),
	    "no target");
	json_decref (ex);
	json_decref (b);
}

static void
test_expose (void)
{
	json_t *ex = json_object ();
	struct bx_err e = {0};

	ok (copts_expose ("7000-7002", ex, &e) == 0 && copts_expose ("53/udp", ex, &e) == 0, "--expose ranges");
	is_str (dump (ex), "{\"53/udp\":{},\"7000/tcp\":{},\"7001/tcp\":{},\"7002/tcp\":{}}", "exposed");
	ok (copts_expose ("80:90", ex, &e) < 0 && !strcmp (e.msg, "invalid port format for --expose: 80:90"),
	    "a colon");
	ok (copts_expose ("80-70", ex, &e) < 0 &&
	        !strcmp (e.msg, "invalid range format for --expose: 80-70, error: Invalid range specified for the "
	                        "Port: 80-70"),
	    "a range backwards");
	ok (copts_expose ("x", ex, &e) < 0 &&
	        !strcmp (e.msg, "invalid range format for --expose: x, error: strconv.ParseUint: parsing \"x\": "
	                        "invalid syntax"),
	    "not a number");
	ok (copts_expose ("70000", ex, &e) < 0 && strstr (e.msg, "value out of range"), "out of range");
	json_decref (ex);
}

static void
test_restart (void)
{
	struct bx_err e = {0};
	json_t *r;

	r = copts_restart ("on-failure:5", &e);
	is_str (dump (r), "{\"MaximumRetryCount\":5,\"Name\":\"on-failure\"}", "on-failure:5");
	json_decref (r);
	ok (!copts_restart ("on-failure:x", &e) && strstr (e.msg, "must be an integer"), "on-failure:x refused");
	ok (!copts_restart ("a:b:c", &e) && !strcmp (e.msg, "invalid restart policy format"), "a:b:c refused");
	/* the name and the count are the daemon's to judge */
	r = copts_restart ("always:3", &e);
	ok (r && copts_restart_check (r, &e) < 0 &&
	        !strcmp (e.msg, "maximum retry count cannot be used with restart policy 'always'"),
	    "always:3 parsed, refused by the check");
	json_decref (r);
	r = copts_restart ("nope", &e);
	ok (r && copts_restart_check (r, &e) < 0 && !strcmp (e.msg, "invalid restart policy 'nope'"), "nope refused");
	json_decref (r);
	r = copts_restart ("on-failure:-1", &e);
	ok (r && copts_restart_check (r, &e) < 0 && !strcmp (e.msg, "maximum retry count cannot be negative"),
	    "a negative count refused");
	json_decref (r);
	r = copts_restart (":3", &e);
	is_str (dump (r), "{\"MaximumRetryCount\":3,\"Name\":\"\"}", ":3: no name, as Docker's");
	ok (copts_restart_check (r, &e) == 0, ":3 passes the check");
	json_decref (r);
	r = copts_restart ("", &e);
	is_str (dump (r), "{\"MaximumRetryCount\":0,\"Name\":\"no\"}", "the empty policy is no");
	json_decref (r);
}

/* -v, split as Docker's linux parser splits it */
static void
test_volume_split (void)
{
	struct bx_err e = {0};
	char s[64], *part[3];
	int n, ro;

	snprintf (s, sizeof s, "/h:/c:ro,z");
	ok (copts_volume_split (s, "/h:/c:ro,z", part, &n, &ro, &e) == 0 && n == 3 && ro && !strcmp (part[0], "/h") &&
	        !strcmp (part[1], "/c"),
	    "-v /h:/c:ro,z");
	snprintf (s, sizeof s, "/anon");
	ok (copts_volume_split (s, "/anon", part, &n, &ro, &e) == 0 && n == 1 && !ro, "-v /anon");
	snprintf (s, sizeof s, "/x:/y:bogus");
	ok (copts_volume_split (s, "/x:/y:bogus", part, &n, &ro, &e) < 0 && !strcmp (e.msg, "invalid mode: bogus"),
	    "a bad mode refused");
	snprintf (s, sizeof s, "a:b:c:d");
	ok (copts_volume_split (s, "a:b:c:d", part, &n, &ro, &e) < 0 && !strcmp (e.msg, "invalid spec: a:b:c:d"),
	    "four fields refused");
	snprintf (s, sizeof s, "relative");
	ok (copts_volume_split (s, "relative", part, &n, &ro, &e) < 0 && strstr (e.msg, "mount path must be absolute"),
	    "a relative destination refused");
}

int
main (void)
{
	test_volume_split ();
	test_ram ();
	test_cpus ();
	test_publish ();
	test_expose ();
	test_restart ();
	return tap_done ();
}
