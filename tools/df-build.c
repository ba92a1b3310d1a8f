/*
 * df-build - build an image from a Dockerfile and a context directory, as
 * `docker build` with Docker's classic builder does
 *
 * usage:  df-build [--root DIR] [-t NAME]... [-f FILE|-f -]
 *                  [--build-arg K[=V]]... [--target STAGE] [--no-cache]
 *                  [--cache-from IMAGE]... [-q]
 *                  [--iidfile FILE] [--label K=V]... [--network MODE]
 *                  [--add-host H:IP]... [--shm-size N] [--ulimit T=S[:H]]...
 *                  [--secret id=ID,src=FILE|env=VAR]... [--ssh ID[=SOCKET|KEY[,KEY]]]... [--pull]
 *                  [--platform P] [--progress auto|plain|tty]
 *                  [--compress[=]gzip|zstd] [--allow ENT[,ENT]]... CONTEXT|-
 *         df-build --print-ast FILE|-
 * stdin:  the Dockerfile, with -f - or the context -; or with the context
 *         -, a tar archive (plain, gzip, bzip2, xz, zstd): the context
 * env:    SOURCE_DATE_EPOCH: clamps the layers' mtimes and created dates
 * stdout: Docker's classic builder lines: "Step N/M : INSTRUCTION",
 *         " ---> Running in ID" or " ---> Using cache", the steps' output,
 *         " ---> ID",
 *         "Successfully built ID", "Successfully tagged NAME"; with -q only
 *         the image id (sha256:...); --print-ast: buildkit's parse tree
 *         dump, one S-expression per instruction; nothing with --progress
 *         plain|tty
 * stderr: errors; with --progress plain|tty BuildKit's plain progress
 * reads:  CONTEXT (the Dockerfile, .dockerignore, COPY and ADD sources,
 *         each confined to it), images/ (FROM, COPY --from), ADD's URLs,
 *         build/cache/ (a step's result made before), build/files/ (the
 *         digests of the context's files)
 * writes: images/blobs/ (layers, configs, manifests), images/index.json
 *         (intermediate images while the build runs, removed at its end;
 *         the image, tagged with each -t only when the whole build
 *         succeeded, untagged without -t); containers/<id>/ of each step
 *         (ctr-create, ctr-net attach, ctr-spawn, removed with ctr-rm;
 *         labelled io.box.build.pid), those a killed build left;
 *         layers/<diffid hex>/ (a step's upper moved in as its layer's
 *         tree, as layers/<hex>.tmp-<pid> under layers/<hex>.lock);
 *         tmp/build-<pid>/ (a layer being written), tmp/build-<pid>.step/
 *         (the overlay upper of a WORKDIR, COPY or ADD), tmp/build-<pid>.context/
 *         (a tar context), tmp/build-<pid>.ssh/<n>.sock (the agents of
 *         --ssh key files, ssh-agent's), tmp/run-<pid>/ (a RUN's
 *         secrets and here-document); cache/run/<hex>/ (cache mounts);
 *         images/ through img-fetch (a missing base, --pull);
 *         build/cache/<key> (each step's result), build/files/<context>
 *         (its files' digests); --iidfile
 * locks:  images/gc.lock shared (store_pin) for the whole build,
 *         images/lock while index.json changes, cache/run/<hex>.lock while
 *         a RUN uses the cache mount
 * exit:   0 ok, 1 a step failed (a --chown user the image lacks), 2 usage, bad Dockerfile or not implemented, 3 no
 *         such base image, stage or COPY source, 5 system error; a
 *         failing RUN's own code; 130/143 after SIGINT/SIGTERM
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "base/root.h"
#include "df-build/ast.h"
#include "df-build/build.h"
#include "df-build/context.h"
#include "df-build/ctrrun.h"
#include "df-build/sshagent.h"
#include "dockerfile/dockerfile.h"
#include "layers/layer.h"
#include "image/platform.h"

struct opts {
	struct build_opts b;
	const char *print_ast;
	const char *progress;
	const char *platform;
};

static void
usage (void)
{
	fprintf (
	    stderr,
	    "usage: %s [--root DIR] [-t NAME]... [-f FILE|-] [--build-arg K[=V]]... [--target STAGE]\n"
	    "       [--no-cache] [--cache-from IMAGE]... [-q] [--iidfile FILE] [--label K=V]... [--network MODE]\n"
	    "       [--add-host H:IP]... [--shm-size N] [--ulimit T=S[:H]]... [--secret id=ID,src=FILE|env=VAR]...\n"
	    "       [--ssh ID[=SOCKET|KEY[,KEY]]]... [--pull] [--platform P] [--progress auto|plain|tty] [--compress "
	    "gzip|zstd]\n"
	    "       [--allow ENT[,ENT]]... CONTEXT|-\n"
	    "       %s --print-ast FILE|-\n",
	    bx_prog, bx_prog);
	exit (BX_USAGE);
}

static void
add_build_arg (struct opts *o, const char *kv)
{
	const char *eq = strchr (kv, '=');
	_cleanup_free_ char *k = eq ? strndup (kv, eq - kv) : strdup (kv);
	const char *env = eq ? NULL : getenv (k);

	/* --build-arg K takes K from the environment, and is ignored when unset */
	if (eq)
		json_object_set_new (o->b.buildargs, k, json_string (eq + 1));
	else if (env)
		json_object_set_new (o->b.buildargs, k, json_string (env));
}

static void
add_label (struct opts *o, const char *kv)
{
	const char *eq = strchr (kv, '=');
	_cleanup_free_ char *k = eq ? strndup (kv, eq - kv) : strdup (kv);

	json_object_set_new (o->b.labels, k, json_string (eq ? eq + 1 : ""));
}

/* --compress[=| ]gzip|zstd: the layers' compression in the store (by
 * default none: a push gzips them, as Docker's does); Docker's bare
 * --compress (gzip the context on its way to the daemon) has nothing to do
 * here, the context is read where it is */
static void
set_compress (struct opts *o, int argc, char **argv)
{
	const char *alg = optarg;

	if (!alg && optind < argc && (!strcmp (argv[optind], "gzip") || !strcmp (argv[optind], "zstd")))
		alg = argv[optind++];
	if (!alg)
		return;
	if (!strcmp (alg, "gzip"))
		o->b.compress = LAYER_GZIP;
	else if (!strcmp (alg, "zstd"))
		o->b.compress = LAYER_ZSTD;
	else
		err_die (BX_USAGE, "--compress %s: unknown compression (gzip or zstd)", alg);
}

/* SOURCE_DATE_EPOCH, from --build-arg as buildkit takes it, else from the
 * environment */
static void
set_epoch (struct opts *o)
{
	json_t *arg = json_object_get (o->b.buildargs, "SOURCE_DATE_EPOCH");
	const char *v = json_is_string (arg) ? json_string_value (arg) : getenv ("SOURCE_DATE_EPOCH");
	char *end;

	o->b.epoch = -1;
	if (!v || !*v)
		return;
	errno = 0;
	o->b.epoch = strtoll (v, &end, 10);
	if (errno || *end || o->b.epoch < 0)
		err_die (BX_USAGE, "SOURCE_DATE_EPOCH=%s: not a number of seconds", v);
}

/* --secret id=ID,src=FILE | id=ID,env=VAR (also type=file|env,
 * source=): as docker buildx reads it */
static void
add_secret (struct opts *o, const char *spec)
{
	_cleanup_free_ char *s = strdup (spec);
	const char *id = NULL, *src = NULL, *env = NULL, *type = NULL;
	char *save = NULL;

	for (char *kv = strtok_r (s, ",", &save); kv; kv = strtok_r (NULL, ",", &save)) {
		char *v = strchr (kv, '=');
		if (!v)
			err_die (BX_USAGE, "--secret %s: %s: a key=value pair is needed", spec, kv);
		*v++ = '\0';
		if (!strcmp (kv, "id"))
			id = v;
		else if (!strcmp (kv, "src") || !strcmp (kv, "source"))
			src = v;
		else if (!strcmp (kv, "env"))
			env = v;
		else if (!strcmp (kv, "type") && (!strcmp (v, "file") || !strcmp (v, "env")))
			type = v;
		else
			err_die (BX_USAGE, "--secret %s: unexpected key '%s'", spec, kv);
	}
	if (!id || !*id)
		err_die (BX_USAGE, "--secret %s: id is required", spec);
	/* type=env,src=VAR names a variable; neither: the variable ID, else the file ID */
	if (type && !strcmp (type, "env") && src && !env)
		env = src, src = NULL;
	if (!src && !env)
		*(getenv (id) ? &env : &src) = id;
	if (src && access (src, R_OK) < 0)
		err_die (BX_USAGE, "--secret %s: %s: %s", spec, src, strerror (errno));
	json_object_set_new (o->b.secrets, id, src ? json_pack ("{s:s}", "src", src) : json_pack ("{s:s}", "env", env));
}

/* --ssh ID[=SOCKET|KEY[,KEY]]: an ssh agent's socket ($SSH_AUTH_SOCK by
 * default), or, as buildx tells them, key files: more than one path, or
 * one that is no socket; sshagent serves them */
static void
add_ssh (struct opts *o, const char *spec)
{
	const char *eq = strchr (spec, '='), *v = eq ? eq + 1 : getenv ("SSH_AUTH_SOCK");
	_cleanup_free_ char *id = eq ? strndup (spec, eq - spec) : strdup (spec), *copy = NULL;
	char *save = NULL;
	struct stat st;
	json_t *keys;

	if (!id || !*id)
		err_die (BX_USAGE, "--ssh %s: ID[=SOCKET|KEY[,KEY]] expected", spec);
	if (!v || !*v)
		err_die (BX_USAGE, "--ssh %s: no SOCKET given and SSH_AUTH_SOCK is not set", spec);
	if (!strchr (v, ',') && stat (v, &st) == 0 && S_ISSOCK (st.st_mode)) {
		json_object_set_new (o->b.ssh, id, json_string (v));
		return;
	}
	keys = json_array ();
	copy = strdup (v);
	for (char *t = copy ? strtok_r (copy, ",", &save) : NULL; t; t = strtok_r (NULL, ",", &save)) {
		char *abs = realpath (t, NULL);
		if (!abs || stat (abs, &st) < 0)
			err_die (BX_USAGE, "--ssh %s: %s: %s", spec, t, strerror (errno));
		if (!S_ISREG (st.st_mode))
			err_die (BX_USAGE, "--ssh %s: %s: not a socket or a key file", spec, t);
		json_array_append_new (keys, json_string (abs));
		free (abs);
	}
	json_object_set_new (o->b.ssh, id, json_pack ("{s:o}", "keys", keys));
}

/* --allow ENT[,ENT]: buildx's entitlements; security.insecure lets RUN
 * --security=insecure run privileged; network.host is what RUN
 * --network=host always had here */
static void
add_allow (struct opts *o, const char *list)
{
	_cleanup_free_ char *copy = strdup (list);
	char *save = NULL;

	for (char *t = copy ? strtok_r (copy, ",", &save) : NULL; t; t = strtok_r (NULL, ",", &save)) {
		if (!strcmp (t, "security.insecure"))
			o->b.insecure = 1;
		else if (strcmp (t, "network.host"))
			err_die (BX_USAGE, "unknown entitlement %s", t);
	}
}

enum {
	O_ROOT = 256,
	O_BUILD_ARG,
	O_TARGET,
	O_NO_CACHE,
	O_IIDFILE,
	O_LABEL,
	O_NETWORK,
	O_PRINT_AST,
	O_PULL,
	O_PROGRESS,
	O_PLATFORM,
	O_COMPRESS,
	O_ADD_HOST,
	O_SHM_SIZE,
	O_ULIMIT,
	O_SECRET,
	O_SSH,
	O_CACHE_FROM,
	O_ALLOW
};

static const struct option longopts[] = {{"root", required_argument, NULL, O_ROOT},
                                         {"tag", required_argument, NULL, 't'},
                                         {"file", required_argument, NULL, 'f'},
                                         {"build-arg", required_argument, NULL, O_BUILD_ARG},
                                         {"target", required_argument, NULL, O_TARGET},
                                         {"no-cache", no_argument, NULL, O_NO_CACHE},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"iidfile", required_argument, NULL, O_IIDFILE},
                                         {"label", required_argument, NULL, O_LABEL},
                                         {"network", required_argument, NULL, O_NETWORK},
                                         {"print-ast", required_argument, NULL, O_PRINT_AST},
                                         {"pull", no_argument, NULL, O_PULL},
                                         {"progress", required_argument, NULL, O_PROGRESS},
                                         {"platform", required_argument, NULL, O_PLATFORM},
                                         {"cache-from", required_argument, NULL, O_CACHE_FROM},
                                         {"add-host", required_argument, NULL, O_ADD_HOST},
                                         {"shm-size", required_argument, NULL, O_SHM_SIZE},
                                         {"ulimit", required_argument, NULL, O_ULIMIT},
                                         {"secret", required_argument, NULL, O_SECRET},
                                         {"ssh", required_argument, NULL, O_SSH},
                                         {"compress", optional_argument, NULL, O_COMPRESS},
                                         {"allow", required_argument, NULL, O_ALLOW},
                                         {"help", no_argument, NULL, 'h'},
                                         {0, 0, 0, 0}};

static void
parse_one (struct opts *o, int c, int idx, int argc, char **argv)
{
	switch (c) {
	case O_ROOT: o->b.root = optarg; break;
	case 't': {
		const char **tags = realloc (o->b.tags, (o->b.ntags + 1) * sizeof *o->b.tags);
		if (!tags)
			err_die (BX_SYSTEM, "out of memory");
		o->b.tags = tags;
		o->b.tags[o->b.ntags++] = optarg;
		break;
	}
	case 'f': o->b.file = optarg; break;
	case O_BUILD_ARG: add_build_arg (o, optarg); break;
	case O_TARGET: o->b.target = optarg; break;
	case O_NO_CACHE: o->b.no_cache = 1; break;
	case 'q': o->b.quiet = 1; break;
	case O_IIDFILE: o->b.iidfile = optarg; break;
	case O_LABEL: add_label (o, optarg); break;
	case O_NETWORK: o->b.network = optarg; break;
	case O_PRINT_AST: o->print_ast = optarg; break;
	case O_PULL: o->b.pull = 1; break;
	case O_PROGRESS: o->progress = optarg; break;
	case O_PLATFORM: o->platform = optarg; break;
	case O_COMPRESS: set_compress (o, argc, argv); break;
	case O_ADD_HOST:
	case O_SHM_SIZE:
	case O_ULIMIT: /* ctr-create checks them as docker run does */
		json_array_append_new (o->b.runflags, json_sprintf ("--%s", longopts[idx].name));
		json_array_append_new (o->b.runflags, json_string (optarg));
		break;
	case O_SECRET: add_secret (o, optarg); break;
	case O_SSH: add_ssh (o, optarg); break;
	case O_CACHE_FROM: json_array_append_new (o->b.cachefrom, json_string (optarg)); break;
	case O_ALLOW: add_allow (o, optarg); break;
	default: usage ();
	}
}

/* --platform: this machine's only, there is nothing to emulate another */
static void
check_platform (const char *v)
{
	struct platform here, want;
	struct bx_err e = {0};
	char p[128];

	platform_default (&here);
	platform_format (&here, p, sizeof p);
	if (platform_parse (v, &want, &e) < 0)
		err_die (e.code, "--platform %s: %s", v, e.msg);
	if (!platform_matches (&here, &want))
		err_die (BX_USAGE, "--platform %s: only this machine's platform (%s) can be built", v, p);
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	int c, idx = 0;

	o->b.buildargs = json_object ();
	o->b.labels = json_object ();
	o->b.runflags = json_array ();
	o->b.secrets = json_object ();
	o->b.ssh = json_object ();
	o->b.cachefrom = json_array ();
	o->b.network = "default";
	o->b.compress = LAYER_NONE;
	while ((c = getopt_long (argc, argv, "+t:f:qh", longopts, &idx)) != -1)
		parse_one (o, c, idx, argc, argv);
	if (o->print_ast) {
		if (optind != argc)
			usage ();
		return;
	}
	if (argc - optind != 1)
		usage ();
	o->b.context = argv[optind];
	set_epoch (o);
	if (o->progress && strcmp (o->progress, "auto") && strcmp (o->progress, "plain") && strcmp (o->progress, "tty"))
		err_die (BX_USAGE, "invalid progress mode \"%s\": auto, plain or tty", o->progress);
	o->b.plain = o->progress && strcmp (o->progress, "auto");
	if (o->platform)
		check_platform (o->platform);
}

static int
print_ast (const char *file)
{
	struct bx_err e = {0};
	_cleanup_free_ char *text = NULL;
	struct dockerfile *df = NULL;
	size_t len;
	int stdin_ = strcmp (file, "-") == 0;

	if ((stdin_ ? afile_slurp_fd (STDIN_FILENO, &text, &len, &e)
	            : afile_slurp_at (AT_FDCWD, file, &text, &len, &e)) < 0) {
		err_wrap (&e, "%s", file);
		return err_report (&e);
	}
	if (dockerfile_parse (stdin_ ? "stdin" : file, text, len, &df, &e) < 0)
		return err_report (&e);
	ast_print (stdout, df);
	dockerfile_free (df);
	return fflush (stdout) == 0 ? 0 : BX_SYSTEM;
}

static int
root_dir_path (struct build *b, struct bx_err *e)
{
	char fdpath[64];
	ssize_t n;

	snprintf (fdpath, sizeof fdpath, "/proc/self/fd/%d", b->rootfd);
	if ((n = readlink (fdpath, b->o->rootpath, sizeof b->o->rootpath - 1)) < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", fdpath);
	b->o->rootpath[n] = '\0';
	return 0;
}

/* the build of the context and Dockerfile O names: the exit code */
static int
build (struct opts *o)
{
	struct build b = {.o = &o->b, .ctxfd = -1, .rootfd = -1};
	struct context ctx = {.fd = -1};
	struct bx_err e = {0};
	_cleanup_free_ char *text = NULL;
	size_t len;
	int rc = -1;

	if (o->b.file && !strcmp (o->b.file, "-") && !strcmp (o->b.context, "-"))
		err_die (BX_USAGE, "invalid argument: can't use stdin for both build context and dockerfile");
	if ((b.rootfd = root_open (o->b.root, &e)) < 0 || context_open (&ctx, &o->b, b.rootfd, &text, &len, &e) < 0)
		goto out;
	b.ctxfd = ctx.fd;
	b.ign = ctx.has_ign ? &ctx.ign : NULL;
	b.dfname = o->b.file && strcmp (o->b.file, "-") ? o->b.file : "Dockerfile";
	if (dockerfile_parse (b.dfname, text, len, &b.df, &e) < 0 || root_dir_path (&b, &e) < 0 ||
	    store_open (&b.st, b.rootfd, &e) < 0)
		goto out;
	ctrrun_signals ();
	ctrrun_sweep (&b);
	if (sshagent_start (&b, &e) == 0)
		rc = build_run (&b, &e);
	sshagent_stop (&b);
	store_close (&b.st);
out:
	dockerfile_free (b.df);
	context_close (&ctx, b.rootfd);
	if (b.rootfd >= 0)
		close (b.rootfd);
	if (rc < 0)
		return err_report (&e);
	return fflush (stdout) == 0 ? 0 : BX_SYSTEM;
}

int
main (int argc, char **argv)
{
	struct opts o = {0};
	int rc;

	err_prog_init (argv[0]);
	/* the steps' output and ours interleave as they happen */
	setvbuf (stdout, NULL, _IOLBF, 0);
	parse_args (argc, argv, &o);
	rc = o.print_ast ? print_ast (o.print_ast) : build (&o);
	json_decref (o.b.buildargs);
	json_decref (o.b.labels);
	json_decref (o.b.runflags);
	json_decref (o.b.secrets);
	json_decref (o.b.ssh);
	json_decref (o.b.cachefrom);
	free (o.b.tags);
	return rc;
}
