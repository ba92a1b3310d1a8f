/* ctrcfg - TAP unit tests of ctr-create's lib modules: copts (Docker's
 * flag values), caps, spec_tmpfs_options, userdb, ctrname_check, secprof */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "ctr-create/caps.h"
#include "ctr-create/copts.h"
#include "ctr-create/secprof.h"
#include "ctr-create/spec.h"
#include "runtime/ctrname.h"
#include "runtime/userdb.h"
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
		int r = copts_ram (cases[i].in, &n, &e);
		if (cases[i].want < 0)
			ok (r < 0 && e.code == BX_USAGE, "ram '%s' refused", cases[i].in);
		else
			ok (r == 0 && n == cases[i].want, "ram '%s' = %lld (got %lld)", cases[i].in, cases[i].want,
			    (long long)n);
	}
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
	ok (copts_publish ("1-3:1-2", ex, b, &e) < 0 && strstr (e.msg, "invalid ranges"), "unequal ranges refused");
	ok (copts_publish ("80/icmp", ex, b, &e) < 0 && !strcmp (e.msg, "invalid proto: icmp"), "bad proto");
	ok (copts_publish ("99999", ex, b, &e) < 0 && !strcmp (e.msg, "invalid containerPort: 99999"), "bad port");
	ok (copts_publish ("x:80", ex, b, &e) < 0 && !strcmp (e.msg, "invalid hostPort: x"), "bad host port");
	json_decref (ex);
	json_decref (b);
}

static void
test_restart (void)
{
	struct bx_err e = {0};
	json_t *r;

	r = copts_restart ("on-failure:5", &e);
	is_str (dump (r), "{\"MaximumRetryCount\":5,\"Name\":\"on-failure\"}", "on-failure:5");
	json_decref (r);
	ok (!copts_restart ("always:3", &e) && strstr (e.msg, "only be used with 'on-failure'"), "always:3 refused");
	ok (!copts_restart (":3", &e) && strstr (e.msg, "no policy provided before colon"), ":3 refused");
	ok (!copts_restart ("on-failure:x", &e) && strstr (e.msg, "must be an integer"), "on-failure:x refused");
}

static void
test_caps (void)
{
	struct bx_err e = {0};
	struct capreq r = {0};

	is_int (caps_parse ("net_admin", &e), 12, "net_admin");
	is_int (caps_parse ("CAP_SYS_ADMIN", &e), 21, "CAP_SYS_ADMIN");
	is_int (caps_parse ("all", &e), CAPS_ALL, "all");
	ok (caps_parse ("cap_bogus", &e) < 0 && !strcmp (e.msg, "unknown capability: \"CAP_BOGUS\""), "bogus refused");
	ok (caps_tweak (&r, 0) == caps_docker_default (), "no flags: the default set");
	r.drop = (capset_t)1 << 0;
	r.add = (capset_t)1 << 12;
	ok (caps_tweak (&r, 0) == ((caps_docker_default () & ~(capset_t)1) | ((capset_t)1 << 12)),
	    "drop CHOWN, add NET_ADMIN");
	r.drop_all = 1;
	ok (caps_tweak (&r, 0) == (capset_t)1 << 12, "drop ALL keeps only the added");
	ok (caps_tweak (&r, 1) == caps_all (), "privileged: all");
	is_int (__builtin_popcountll (caps_docker_default ()), 14, "Docker's default: 14 capabilities");
}

static void
test_tmpfs (void)
{
	struct bx_err e = {0};
	json_t *o;

	o = spec_tmpfs_options (NULL, &e);
	is_str (dump (o), "[\"noexec\",\"nosuid\",\"nodev\",\"rprivate\"]", "tmpfs defaults");
	json_decref (o);
	o = spec_tmpfs_options ("exec,size=1m,mode=700,size=2m,shared", &e);
	is_str (dump (o), "[\"nosuid\",\"nodev\",\"exec\",\"mode=700\",\"size=2m\",\"shared\"]", "later options win");
	json_decref (o);
	ok (!spec_tmpfs_options ("colour=red", &e) && !strcmp (e.msg, "invalid tmpfs option \"colour\""), "bad key");
}

static void
test_names (void)
{
	struct bx_err e = {0};
	char buf[64];

	ok (ctrname_check ("web-1.a_b", &e) == 0, "a good name");
	ok (ctrname_check ("/web", &e) == 0, "a leading slash");
	ok (ctrname_check ("a", &e) < 0, "one character");
	ok (ctrname_check ("-x", &e) < 0, "a leading dash");
	ok (ctrname_check ("a b", &e) < 0, "a blank");
	ctrname_random (buf, sizeof buf, 0);
	ok (strchr (buf, '_') && ctrname_check (buf, &e) == 0, "a generated name: %s", buf);
}

/* a rootfs whose /etc is a symlink out of it: the lookup stays inside */
static void
test_userdb (const char *dir)
{
	char path[512];
	struct userdb_ids u;
	struct bx_err e = {0};
	FILE *f;
	_cleanup_close_ int fd = -1;

	snprintf (path, sizeof path, "%s/root/real", dir);
	mkdir (path, 0755);
	snprintf (path, sizeof path, "%s/root/etc", dir);
	if (symlink ("/real", path) < 0)
		return;
	snprintf (path, sizeof path, "%s/root/real/passwd", dir);
	if (!(f = fopen (path, "w")))
		return;
	fputs ("# comment\nroot:x:0:0:root:/root:/bin/sh\nbob:x:1001:1002:Bob:/home/bob:/bin/sh\nbad-line\n", f);
	fclose (f);
	snprintf (path, sizeof path, "%s/root/real/group", dir);
	if (!(f = fopen (path, "w")))
		return;
	fputs ("root:x:0:\nstaff:x:50:bob,eve\ndev:x:60:eve,bob\nbob:x:1002:\n", f);
	fclose (f);
	snprintf (path, sizeof path, "%s/root", dir);
	fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok (userdb_resolve (fd, "bob", &u, &e) == 0 && u.uid == 1001 && u.gid == 1002 && u.nsgids == 2 &&
	        u.sgids[0] == 50 && u.sgids[1] == 60 && !strcmp (u.home, "/home/bob"),
	    "bob through a symlinked /etc: 1001:1002, groups 50 60");
	ok (userdb_resolve (fd, "1001:staff", &u, &e) == 0 && u.uid == 1001 && u.gid == 50 && u.nsgids == 0,
	    "1001:staff");
	ok (userdb_resolve (fd, "", &u, &e) == 0 && u.uid == 0 && u.gid == 0, "the default is root");
	ok (userdb_resolve (fd, "eve", &u, &e) < 0 && e.code == BX_FAIL, "eve has no passwd entry");
	ok (userdb_resolve (fd, "2147483648", &u, &e) < 0 && e.code == BX_USAGE, "uid out of range");
	ok (userdb_group_add (fd, "dev", &u, &e) == 0 && u.sgids[u.nsgids - 1] == 60, "--group-add dev");
}

static void
test_secprof (void)
{
	struct bx_err e = {0};
	json_t *p = secprof_docker_default (), *o;
	size_t i, n = 0;
	json_t *call;

	o = secprof_to_oci (p, caps_docker_default (), &e);
	ok (o && !strcmp (json_string_value (json_object_get (o, "defaultAction")), "SCMP_ACT_ERRNO"),
	    "default profile");
	json_array_foreach (json_object_get (o, "syscalls"), i, call) n +=
	    json_array_size (json_object_get (call, "names"));
	ok (n > 300, "over 300 syscall names (%zu)", n);
	json_decref (o);
	json_decref (p);
	p = json_pack ("{s:s, s:[s], s:[s]}", "defaultAction", "SCMP_ACT_ERRNO", "architectures", "SCMP_ARCH_X86_64",
	               "archMap", "x");
	ok (!secprof_to_oci (p, 0, &e) && strstr (e.msg, "use either 'architectures' or 'archMap'"), "both arch lists");
	json_decref (p);
	p = json_pack ("{}");
	e = (struct bx_err){0};
	ok (!secprof_to_oci (p, 0, &e) && e.code == BX_OK, "an empty profile: no seccomp");
	json_decref (p);
}

int
main (void)
{
	char dir[] = "/tmp/ctrcfg-unit.XXXXXX";
	char path[512], cmd[600];

	test_ram ();
	test_publish ();
	test_restart ();
	test_caps ();
	test_tmpfs ();
	test_names ();
	test_secprof ();
	if (mkdtemp (dir)) {
		snprintf (path, sizeof path, "%s/root", dir);
		mkdir (path, 0755);
		test_userdb (dir);
		snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system (cmd) != 0)
			printf ("# could not remove %s\n", dir);
	}
	return tap_done ();
}
