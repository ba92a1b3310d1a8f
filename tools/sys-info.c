/*
 * sys-info - box version and box info, as docker version and docker info
 *
 * usage:  sys-info [--root DIR] info [-f FORMAT]
 *         sys-info version [-f FORMAT]
 *         sys-info --version
 * stdin:  unused
 * stdout: Docker's layout, or FORMAT (a Go template, or json) rendered
 *         against Docker's shape of the same facts
 * reads:  containers/<id>/state, images/index.json and the image configs,
 *         /proc, /etc/os-release, uname
 * writes: nothing
 * exit:   0 ok, 2 usage or a bad template, 5 the state dir unreadable
 *
 * box has no daemon: version's Server is the tools themselves (one build,
 * one version), info's counts are read from the state directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/layout.h"
#include "base/gotmpl.h"
#include "base/root.h"
#include "image/imgset.h"
#include "image/store.h"
#include "runtime/cgroup.h"
#include "runtime/ctr.h"
#include "runtime/remap.h"

#ifndef BOX_VERSION
#define BOX_VERSION "0.0.0-dev"
#endif
#ifndef BOX_COMMIT
#define BOX_COMMIT "unknown"
#endif
#ifndef BOX_BUILT
#define BOX_BUILT ""
#endif
/* the Docker Engine API whose shapes box's output follows (Docker 20.10) */
#define API_VERSION "1.41"

struct opts {
	const char *root;
	const char *verb;
	const char *format;
};

static void
usage (void)
{
	fprintf (stderr, "usage: %s [--root DIR] info|version [-f FORMAT]\n       %s --version\n", bx_prog, bx_prog);
	exit (err_code (BX_USAGE));
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"format", required_argument, NULL, 'f'},
	                                   {"version", no_argument, NULL, 'V'},
	                                   {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "+f:", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'f': o->format = optarg; break;
		case 'V': o->verb = "--version"; return;
		default: err_flag (argv); usage ();
		}
	}
	if (optind >= argc)
		usage ();
	o->verb = argv[optind++];
	/* the format may follow the verb too: sys-info info -f '{{.Images}}' */
	while ((c = getopt_long (argc, argv, "f:", lo, NULL)) != -1) {
		switch (c) {
		case 'f': o->format = optarg; break;
		case 'R': o->root = optarg; break;
		default: err_flag (argv); usage ();
		}
	}
	if (optind != argc)
		usage ();
}

/* --- the host ------------------------------------------------------------ */

/* Go's name of the machine's architecture (GOARCH), as Docker reports */
static const char *
sysinfo_goarch (const char *machine)
{
	static const char *const map[][2] = {{"x86_64", "amd64"},   {"aarch64", "arm64"},   {"i686", "386"},
	                                     {"armv7l", "arm"},     {"ppc64le", "ppc64le"}, {"s390x", "s390x"},
	                                     {"riscv64", "riscv64"}};

	for (size_t k = 0; k < sizeof map / sizeof *map; k++)
		if (!strcmp (machine, map[k][0]))
			return map[k][1];
	return machine;
}

/* KEY's value in /etc/os-release, unquoted; DEF when absent */
static json_t *
sysinfo_os_release (const char *key, const char *def)
{
	_cleanup_file_ FILE *f = fopen ("/etc/os-release", "re");
	char line[512];
	size_t kl = strlen (key);

	while (f && fgets (line, sizeof line, f)) {
		char *v = line + kl + 1;
		if (strncmp (line, key, kl) || line[kl] != '=')
			continue;
		v[strcspn (v, "\n")] = 0;
		if (*v == '"' || *v == '\'') {
			size_t n = strlen (v);
			if (n >= 2 && v[n - 1] == *v)
				v[n - 1] = 0;
			v++;
		}
		return json_string (v);
	}
	return json_string (def);
}

/* Docker's statfs name of the file system under the state directory */
static const char *
sysinfo_fs_name (int rootfd)
{
	struct statfs sf;

	if (fstatfs (rootfd, &sf) < 0)
		return "unknown";
	switch ((unsigned long)sf.f_type) {
	case 0xef53: return "extfs";
	case 0x58465342: return "xfs";
	case 0x9123683e: return "btrfs";
	case 0x01021994: return "tmpfs";
	case 0x794c7630: return "overlayfs";
	case 0x2fc12fc1: return "zfs";
	default: return "unknown";
	}
}

/* --- the state directory -------------------------------------------------- */

struct counts {
	int containers, running, paused, stopped, images;
};

static int
sysinfo_is_id (const char *s)
{
	return strlen (s) == CTR_ID_LEN && strspn (s, "0123456789abcdef") == CTR_ID_LEN;
}

/* containers/ by their settled status; one vanishing meanwhile is skipped */
static int
sysinfo_count_containers (int rootfd, struct counts *n, struct bx_err *e)
{
	int fd = openat (rootfd, L_CONTAINERS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_dir_ DIR *d = fd < 0 ? NULL : fdopendir (fd);
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close (fd);
		return fd < 0 && errno != ENOENT ? err_set (e, BX_SYSTEM, errno, L_CONTAINERS) : 0;
	}
	while ((de = readdir (d))) {
		struct ctr_state s = {0};
		struct bx_err ignored = {0};
		_cleanup_close_ int cfd = -1;

		if (!sysinfo_is_id (de->d_name))
			continue;
		if ((cfd = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
		    ctr_state_read (cfd, &s, &ignored) < 0)
			continue;
		ctr_state_settle (&s);
		n->containers++;
		if (!strcmp (s.status, "running") || !strcmp (s.status, "restarting"))
			n->running++;
		else if (!strcmp (s.status, "paused"))
			n->paused++;
		else
			n->stopped++;
	}
	return 0;
}

/* images as docker images -a counts them: one per image id */
static int
sysinfo_count_images (int rootfd, struct counts *n, struct bx_err *e)
{
	struct store st;
	struct imgset set = {0};
	json_t *index = NULL;
	int rc = -1;

	if (store_open (&st, rootfd, e) < 0)
		return -1;
	if (store_index_load (&st, &index, e) < 0 || imgset_load (&st, index, &set, e) < 0)
		goto out;
	for (size_t k = 0; k < set.n; k++) {
		size_t j = 0;
		if (!*set.v[k].id)
			continue;
		while (j < k && strcmp (set.v[j].id, set.v[k].id))
			j++;
		n->images += j == k;
	}
	rc = 0;
out:
	imgset_free (&set);
	json_decref (index);
	store_close (&st);
	return rc;
}

/* --- Docker's shapes ------------------------------------------------------ */

static json_t *
sysinfo_version_json (void)
{
	struct utsname u;
	const char *arch;

	uname (&u);
	arch = sysinfo_goarch (u.machine);
	return json_pack ("{s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b},"
	                  " s:{s:{s:s},s:[{s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s}}],"
	                  "    s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}}",
	                  "Client", "Version", BOX_VERSION, "ApiVersion", API_VERSION, "DefaultAPIVersion", API_VERSION,
	                  "GitCommit", BOX_COMMIT, "GoVersion", "gcc " __VERSION__, "Os", "linux", "Arch", arch,
	                  "BuildTime", BOX_BUILT, "Context", "default", "Experimental", 1, "Server", "Platform", "Name",
	                  "box", "Components", "Name", "Tools", "Version", BOX_VERSION, "Details", "ApiVersion",
	                  API_VERSION, "GitCommit", BOX_COMMIT, "GoVersion", "gcc " __VERSION__, "Os", "linux", "Arch",
	                  arch, "KernelVersion", u.release, "Version", BOX_VERSION, "ApiVersion", API_VERSION,
	                  "MinAPIVersion", API_VERSION, "GitCommit", BOX_COMMIT, "GoVersion", "gcc " __VERSION__, "Os",
	                  "linux", "Arch", arch, "KernelVersion", u.release, "BuildTime", BOX_BUILT);
}

static void
sysinfo_version_print (json_t *v)
{
	json_t *c = json_object_get (v, "Client"), *s = json_object_get (v, "Server");
#define S(o, k) json_string_value (json_object_get (o, k))
	printf ("Client:\n Version:           %s\n API version:       %s\n Go version:        %s\n"
	        " Git commit:        %s\n Built:             %s\n OS/Arch:           %s/%s\n"
	        " Context:           %s\n Experimental:      true\n\n",
	        S (c, "Version"), S (c, "ApiVersion"), S (c, "GoVersion"), S (c, "GitCommit"), S (c, "BuildTime"),
	        S (c, "Os"), S (c, "Arch"), S (c, "Context"));
	printf ("Server: box\n Tools:\n  Version:          %s\n  API version:      %s (minimum version %s)\n"
	        "  Go version:       %s\n  Git commit:       %s\n  Built:            %s\n  OS/Arch:          %s/%s\n"
	        "  Experimental:     false\n",
	        S (s, "Version"), S (s, "ApiVersion"), S (s, "MinAPIVersion"), S (s, "GoVersion"), S (s, "GitCommit"),
	        S (s, "BuildTime"), S (s, "Os"), S (s, "Arch"));
#undef S
}

/* Go's units.BytesSize: binary units, four significant digits */
static void
sysinfo_bytes_size (double b, char *buf, size_t len)
{
	static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	size_t k = 0;

	while (b >= 1024 && k + 1 < sizeof u / sizeof *u) {
		b /= 1024;
		k++;
	}
	snprintf (buf, len, "%.4g%s", b, u[k]);
}

/* What box has of dockerd's plugins: the volume, network and log drivers
 * it knows ("null" is --network none's driver) */
static json_t *
sysinfo_plugins (void)
{
	return json_pack ("{s:[s],s:[s,s,s],s:n,s:[s,s]}", "Volume", "local", "Network", "bridge", "host", "null",
	                  "Authorization", "Log", "json-file", "local");
}

/* Docker's registry.ServiceConfig of box's rule (image/registry): plain
 * http to dockerd's default 127.0.0.0/8 and to BOX_INSECURE_REGISTRIES'
 * hosts, which Docker lists as insecure index configs; no mirrors */
static int
sysinfo_cmp_str (const void *a, const void *b)
{
	return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static json_t *
sysinfo_registry_config (void)
{
	_cleanup_free_ char *list =
	    strdup (getenv ("BOX_INSECURE_REGISTRIES") ? getenv ("BOX_INSECURE_REGISTRIES") : "");
	const char *names[64] = {"docker.io"};
	json_t *idx = json_object ();
	size_t n = 1;
	char *save = NULL;

	for (char *h = list ? strtok_r (list, ", ", &save) : NULL; h && n < 64; h = strtok_r (NULL, ", ", &save))
		names[n++] = h;
	/* a Go map: its keys sorted in JSON */
	qsort (names, n, sizeof *names, sysinfo_cmp_str);
	for (size_t i = 0; idx && i < n; i++) {
		int hub = !strcmp (names[i], "docker.io");
		json_object_set_new (
		    idx, names[i],
		    json_pack ("{s:s,s:[],s:b,s:b}", "Name", names[i], "Mirrors", "Secure", hub, "Official", hub));
	}
	return json_pack ("{s:[],s:[],s:[s],s:o,s:[]}", "AllowNondistributableArtifactsCIDRs",
	                  "AllowNondistributableArtifactsHostnames", "InsecureRegistryCIDRs", "127.0.0.0/8",
	                  "IndexConfigs", idx, "Mirrors");
}

static json_t *
sysinfo_info_json (int rootfd, const struct counts *n, struct bx_err *e)
{
	struct utsname u;
	struct sysinfo si;
	char root[4096], host[256] = "", remap[256] = "";
	json_t *sec;

	if (root_abspath (rootfd, root, sizeof root, e) < 0)
		return NULL;
	uname (&u);
	sysinfo (&si);
	gethostname (host, sizeof host - 1);
	/* dockerd's order: seccomp, userns, rootless, cgroupns */
	sec = json_pack ("[s]", "name=seccomp,profile=default");
	if (remap_current (rootfd, remap, sizeof remap, e) < 0)
		return NULL;
	if (*remap)
		json_array_append_new (sec, json_string ("name=userns"));
	/* a rootless box runs as uid 0 of the user's namespace (usr-ns) */
	if (root_is_rootless () || geteuid ())
		json_array_append_new (sec, json_string ("name=rootless"));
	if (cgroup_is_v2_host ())
		json_array_append_new (sec, json_string ("name=cgroupns"));
	return json_pack (
	    "{s:s,s:i,s:i,s:i,s:i,s:i,s:s,s:[[s,s],[s,s]],s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,"
	    "s:I,s:I,s:s,s:s,s:s,s:b,s:[],s:b,s:{s:{s:s}},s:s,s:o,s:s,s:s,s:o,"
	    "s:{s:s,s:s,s:s,s:b,s:s,s:n},s:o}",
	    "ID", "", "Containers", n->containers, "ContainersRunning", n->running, "ContainersPaused", n->paused,
	    "ContainersStopped", n->stopped, "Images", n->images, "Driver", "overlay2", "DriverStatus",
	    "Backing Filesystem", sysinfo_fs_name (rootfd), "Supports d_type", "true", "LoggingDriver", "json-file",
	    "CgroupDriver", "cgroupfs", "CgroupVersion", cgroup_is_v2_host () ? "2" : "1", "KernelVersion", u.release,
	    "OperatingSystem", sysinfo_os_release ("PRETTY_NAME", "Linux"), "OSVersion",
	    sysinfo_os_release ("VERSION_ID", ""), "OSType", "linux", "Architecture", u.machine, "NCPU",
	    (json_int_t)sysconf (_SC_NPROCESSORS_ONLN), "MemTotal", (json_int_t)si.totalram * si.mem_unit,
	    "DockerRootDir", root, "Name", host, "ServerVersion", BOX_VERSION, "Debug", 0, "Labels",
	    "ExperimentalBuild", 0, "Runtimes", "ctr-spawn", "path", "ctr-spawn", "DefaultRuntime", "ctr-spawn",
	    "SecurityOptions", sec, "IndexServerAddress", "https://index.docker.io/v1/", "InitBinary", "", "Plugins",
	    sysinfo_plugins (), "Swarm", "NodeID", "", "NodeAddr", "", "LocalNodeState", "inactive", "ControlAvailable",
	    0, "Error", "", "RemoteManagers", "RegistryConfig", sysinfo_registry_config ());
}

/* docker info's lists of plugins: "  Volume: local" */
static void
sysinfo_print_plugins (json_t *plugins)
{
	static const char *const kinds[] = {"Volume", "Network", "Authorization", "Log", NULL};
	json_t *x;
	size_t k;

	printf (" Plugins:\n");
	for (size_t i = 0; kinds[i]; i++) {
		json_t *names = json_object_get (plugins, kinds[i]);
		if (!json_array_size (names))
			continue;
		printf ("  %s:", kinds[i]);
		json_array_foreach (names, k, x) printf (" %s", json_string_value (x));
		putchar ('\n');
	}
}

/* docker info's insecure registries: the insecure index configs' names
 * (in Go's map order, which varies: sorted here), then the CIDRs */
static void
sysinfo_print_registries (json_t *rc)
{
	json_t *idx = json_object_get (rc, "IndexConfigs"), *x;
	const char *k;
	size_t i;

	printf (" Insecure Registries:\n");
	json_object_foreach (idx, k, x) if (json_is_false (json_object_get (x, "Secure"))) printf ("  %s\n", k);
	json_array_foreach (json_object_get (rc, "InsecureRegistryCIDRs"), i, x)
	    printf ("  %s\n", json_string_value (x));
}

static void
sysinfo_info_print (json_t *v)
{
	size_t k;
	json_t *x;
	char mem[32];
#define S(key) json_string_value (json_object_get (v, key))
#define I(key) (long long)json_integer_value (json_object_get (v, key))

	printf ("Client:\n Context:    default\n Debug Mode: false\n\nServer:\n");
	printf (" Containers: %lld\n  Running: %lld\n  Paused: %lld\n  Stopped: %lld\n Images: %lld\n",
	        I ("Containers"), I ("ContainersRunning"), I ("ContainersPaused"), I ("ContainersStopped"),
	        I ("Images"));
	printf (" Server Version: %s\n Storage Driver: %s\n", S ("ServerVersion"), S ("Driver"));
	json_array_foreach (json_object_get (v, "DriverStatus"), k, x)
	    printf ("  %s: %s\n", json_string_value (json_array_get (x, 0)), json_string_value (json_array_get (x, 1)));
	printf (" Logging Driver: %s\n Cgroup Driver: %s\n Cgroup Version: %s\n", S ("LoggingDriver"),
	        S ("CgroupDriver"), S ("CgroupVersion"));
	sysinfo_print_plugins (json_object_get (v, "Plugins"));
	printf (" Swarm: %s\n", json_string_value (json_object_get (json_object_get (v, "Swarm"), "LocalNodeState")));
	printf (" Runtimes: %s\n Default Runtime: %s\n Security Options:\n", S ("DefaultRuntime"),
	        S ("DefaultRuntime"));
	json_array_foreach (json_object_get (v, "SecurityOptions"), k, x)
	{
		const char *o = json_string_value (x), *p = strstr (o, ",profile=");
		printf ("  %.*s\n", (int)(p ? p - o : (long)strlen (o)) - 5, o + 5);
		if (p)
			printf ("   Profile: %s\n", p + 9);
	}
	sysinfo_bytes_size ((double)I ("MemTotal"), mem, sizeof mem);
	printf (" Kernel Version: %s\n Operating System: %s\n OSType: %s\n Architecture: %s\n CPUs: %lld\n"
	        " Total Memory: %s\n Name: %s\n Docker Root Dir: %s\n Debug Mode: false\n Registry: %s\n"
	        " Labels:\n Experimental: false\n",
	        S ("KernelVersion"), S ("OperatingSystem"), S ("OSType"), S ("Architecture"), I ("NCPU"), mem,
	        S ("Name"), S ("DockerRootDir"), S ("IndexServerAddress"));
	sysinfo_print_registries (json_object_get (v, "RegistryConfig"));
	putchar ('\n');
#undef S
#undef I
}

/* How docker version and docker info show their value: the template's
 * name and the Go type a template's errors name, the text without one */
struct shown {
	const char *name, *type;
	const char *const *member_types;
	void (*print) (json_t *);
};

static const char *const sysinfo_version_types[] = {"Client", "system.clientVersion", "Server", "*types.Version", NULL};
static const struct shown sysinfo_version = {"version", "system.versionInfo", sysinfo_version_types,
                                             sysinfo_version_print};
static const char *const sysinfo_info_types[] = {
    "Swarm", "swarm.Info", "Plugins", "types.PluginsInfo", "RegistryConfig", "*registry.ServiceConfig", NULL};
static const struct shown sysinfo_info = {"", "system.info", sysinfo_info_types, sysinfo_info_print};
/* Docker's nil slices in them: printed [] by a template */
static const char *const sysinfo_info_nils[] = {"Plugins.Authorization[]", "Swarm.RemoteManagers[]", NULL};

/* V (taken) as HOW prints it, or FORMAT rendered against it as docker's
 * --format does ("json" is {{json .}}): a template that does not parse
 * "template parsing error", 64; one that fails the output made before
 * the error, its newline and Go's error alone, 1. The exit code. */
static int
sysinfo_show (json_t *v, const char *format, const struct shown *how)
{
	const struct gotmpl_opts opts = {
	    .missing = GOTMPL_MISSING_ERROR, .type = how->type, .member_types = how->member_types};
	struct bx_err e = {0};
	struct gotmpl *t = NULL;
	_cleanup_free_ char *text = NULL;
	int rc = 0;

	if (!format)
		how->print (v);
	else if (gotmpl_parse_named (how->name, !strcmp (format, "json") ? "{{json .}}" : format, &t, &e) < 0)
		rc = err_report_tmpl (&e, "template parsing error", 64);
	else if (gotmpl_exec_partial (t, v, &opts, &text, &e) == 0)
		printf ("%s\n", text);
	else if (!err_docker () || e.code == BX_SYSTEM)
		rc = err_report (&e);
	else {
		/* Go's Execute wrote what came before the error, docker its newline */
		printf ("%s\n", text);
		fflush (stdout);
		fprintf (stderr, "%s\n", e.msg);
		rc = BX_FAIL;
	}
	gotmpl_free (t);
	json_decref (v);
	return rc;
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	struct bx_err e = {0};
	struct counts n = {0};
	json_t *v;
	int rootfd;

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	if (!strcmp (o.verb, "--version")) {
		printf ("box version %s, build %s\n", BOX_VERSION, BOX_COMMIT);
		return 0;
	}
	if (!strcmp (o.verb, "version"))
		return sysinfo_show (sysinfo_version_json (), o.format, &sysinfo_version);
	if (strcmp (o.verb, "info"))
		usage ();
	if ((rootfd = root_open (o.root, &e)) < 0 || sysinfo_count_containers (rootfd, &n, &e) < 0 ||
	    sysinfo_count_images (rootfd, &n, &e) < 0 || !(v = sysinfo_info_json (rootfd, &n, &e)))
		return err_report (&e);
	if (o.format)
		gotmpl_type_nils (v, sysinfo_info_nils);
	return sysinfo_show (v, o.format, &sysinfo_info);
}
