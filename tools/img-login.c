/*
 * img-login - log in to (or out of) a registry, as `docker login` does
 *
 * usage:  img-login [--root DIR] [-u USER] [-p PASS | --password-stdin] [--insecure] [SERVER]
 *         img-login --logout [SERVER]
 * stdin:  the password with --password-stdin; else prompts when a terminal
 * stdout: "Login Succeeded"; "Removing login credentials for SERVER"
 * reads:  $DOCKER_CONFIG/config.json (else ~/.docker/config.json)
 * writes: that file (mode 0600, atomic, other keys kept)
 * locks:  flock on the config directory while rewriting the file
 * exit:   0 ok, 1 unauthorized, 2 usage, 5 network or registry failure
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"
#include "base/err.h"
#include "image/auth.h"
#include "image/registry.h"

struct opts {
	const char *root; /* unused: every tool takes it */
	const char *user, *pass;
	int pass_stdin, logout, insecure;
	const char *server;
};

static void
usage (void)
{
	fprintf (stderr,
	         "usage: %s [--root DIR] [-u USER] [-p PASS | --password-stdin] [--insecure] [SERVER]\n"
	         "       %s --logout [SERVER]\n",
	         bx_prog, bx_prog);
	exit (err_code (BX_USAGE));
}

static void
parse_args (int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"root", required_argument, NULL, 'R'},
	                                   {"username", required_argument, NULL, 'u'},
	                                   {"password", required_argument, NULL, 'p'},
	                                   {"password-stdin", no_argument, NULL, 'S'},
	                                   {"logout", no_argument, NULL, 'L'},
	                                   {"insecure", no_argument, NULL, 'I'},
	                                   {0, 0, 0, 0}};
	int c;

	while ((c = getopt_long (argc, argv, "u:p:", lo, NULL)) != -1) {
		switch (c) {
		case 'R': o->root = optarg; break;
		case 'u': o->user = optarg; break;
		case 'p': o->pass = optarg; break;
		case 'S': o->pass_stdin = 1; break;
		case 'L': o->logout = 1; break;
		case 'I': o->insecure = 1; break;
		default: err_flag (argv); usage ();
		}
	}
	if (argc - optind > 1)
		usage ();
	o->server = optind < argc ? argv[optind] : "docker.io";
	if (o->pass && o->pass_stdin)
		err_die (BX_USAGE, "--password and --password-stdin are mutually exclusive");
	if (o->pass_stdin && !o->user)
		err_die (BX_USAGE, "must provide --username with --password-stdin");
	if (o->logout && (o->user || o->pass || o->pass_stdin))
		err_die (BX_USAGE, "--logout takes no credentials");
}

/* One line from the terminal, without echo when SECRET. */
static char *
prompt (const char *what, int secret)
{
	struct termios old, quiet;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int echo_off;

	fprintf (stderr, "%s: ", what);
	fflush (stderr);
	echo_off = secret && tcgetattr (STDIN_FILENO, &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	n = getline (&line, &cap, stdin);
	if (echo_off) {
		tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
		fputc ('\n', stderr);
	}
	if (n <= 0) {
		free (line);
		return NULL;
	}
	line[strcspn (line, "\r\n")] = '\0';
	return line;
}

/* The password from stdin: all of it, trailing newlines dropped. */
static char *
read_stdin_password (void)
{
	char *buf = NULL;
	size_t len;
	struct bx_err e;

	if (afile_slurp_fd (STDIN_FILENO, &buf, &len, &e) < 0)
		exit (err_report (&e));
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return buf;
}

static void
get_credentials (struct opts *o, char **user, char **pass)
{
	int tty = isatty (STDIN_FILENO);

	*user = o->user ? strdup (o->user) : NULL;
	if (!*user && (!tty || !(*user = prompt ("Username", 0))))
		err_die (BX_USAGE, "cannot perform an interactive login from a non TTY device");
	if (o->pass) {
		fprintf (stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
		*pass = strdup (o->pass);
	} else if (o->pass_stdin) {
		*pass = read_stdin_password ();
	} else if (!tty || !(*pass = prompt ("Password", 1))) {
		err_die (BX_USAGE, "cannot perform an interactive login from a non TTY device");
	}
	if (!**user || !*pass || !**pass)
		err_die (BX_USAGE, "%s required", !**user ? "username" : "password");
}

/* "https://host:5000/v1/" -> "host:5000"; Docker Hub -> its API host. */
static void
server_host (const char *server, char *host, size_t len)
{
	char key[300];

	auth_key (server, key, sizeof key);
	if (strcmp (key, AUTH_DOCKER_HUB_KEY) == 0)
		snprintf (host, len, "registry-1.docker.io");
	else
		snprintf (host, len, "%s", key);
}

static int
login (struct opts *o)
{
	_cleanup_free_ char *user = NULL, *pass = NULL;
	struct registry_opts ro = {0};
	struct bx_err e = {0};
	struct registry *r;
	char host[300], key[300];
	int rc;

	get_credentials (o, &user, &pass);
	server_host (o->server, host, sizeof host);
	auth_key (o->server, key, sizeof key);
	ro.user = user;
	ro.pass = pass;
	ro.plain_http = o->insecure || strncmp (o->server, "http://", 7) == 0 ||
	                registry_is_insecure (host, getenv ("BOX_INSECURE_REGISTRIES"));
	if (!(r = registry_new (host, &ro, &e)))
		return err_report (&e);
	rc = registry_ping (r, &e);
	registry_free (r);
	if (rc == 0)
		rc = auth_set (key, user, pass, &e);
	explicit_bzero (pass, strlen (pass));
	if (rc < 0) {
		err_wrap (&e, "%s", key);
		return err_report (&e);
	}
	puts ("Login Succeeded");
	return fflush (stdout) == EOF ? BX_SYSTEM : 0;
}

static int
logout (struct opts *o)
{
	struct bx_err e = {0};
	char key[300];

	auth_key (o->server, key, sizeof key);
	if (auth_remove (key, &e) < 0) {
		if (e.code != BX_NOTFOUND)
			return err_report (&e);
		printf ("Not logged in to %s\n", key); /* as Docker: not an error */
		return 0;
	}
	printf ("Removing login credentials for %s\n", key);
	return fflush (stdout) == EOF ? BX_SYSTEM : 0;
}

int
main (int argc, char **argv)
{
	struct opts o = {0};

	err_prog_init (argv[0]);
	parse_args (argc, argv, &o);
	return o.logout ? logout (&o) : login (&o);
}
