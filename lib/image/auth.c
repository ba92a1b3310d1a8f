#include "image/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/afile.h"
#include "base/cleanup.h"

static int
config_dir (char *buf, size_t len, struct bx_err *e)
{
	const char *d = getenv ("DOCKER_CONFIG"), *home = getenv ("HOME");

	if (d && *d)
		snprintf (buf, len, "%s", d);
	else if (home && *home)
		snprintf (buf, len, "%s/.docker", home);
	else
		return err_set (e, BX_USAGE, 0, "neither DOCKER_CONFIG nor HOME is set");
	return 0;
}

int
auth_config_path (char *buf, size_t len, struct bx_err *e)
{
	char dir[4000];

	if (config_dir (dir, sizeof dir, e) < 0)
		return -1;
	snprintf (buf, len, "%s/config.json", dir);
	return 0;
}

/* "https://host:5000/v1/" -> "host:5000" */
static void
hostname_of (const char *s, char *buf, size_t len)
{
	if (strncmp (s, "https://", 8) == 0)
		s += 8;
	else if (strncmp (s, "http://", 7) == 0)
		s += 7;
	snprintf (buf, len, "%.*s", (int)strcspn (s, "/"), s);
}

static int
is_docker_hub (const char *host)
{
	return strcmp (host, "docker.io") == 0 || strcmp (host, "index.docker.io") == 0 ||
	       strcmp (host, "registry-1.docker.io") == 0;
}

void
auth_key (const char *server, char *buf, size_t len)
{
	char host[256];

	hostname_of (server, host, sizeof host);
	if (!*host || is_docker_hub (host))
		snprintf (buf, len, "%s", AUTH_DOCKER_HUB_KEY);
	else
		snprintf (buf, len, "%s", host);
}

/* The config, or an empty object when there is no file. */
static int
config_load (json_t **cfg, struct bx_err *e)
{
	char path[4096];
	json_error_t je;

	if (auth_config_path (path, sizeof path, e) < 0)
		return -1;
	*cfg = json_load_file (path, 0, &je);
	if (*cfg && json_is_object (*cfg))
		return 0;
	if (!*cfg && access (path, F_OK) < 0 && errno == ENOENT) {
		*cfg = json_object ();
		return *cfg ? 0 : err_set (e, BX_SYSTEM, ENOMEM, "%s", path);
	}
	json_decref (*cfg);
	*cfg = NULL;
	return err_set (e, BX_USAGE, 0, "%s: not a JSON object: %s", path, je.text);
}

static int
b64_decode (const char *in, char **out)
{
	size_t n = strlen (in);
	char *buf = malloc (n / 4 * 3 + 4);
	int len;

	if (!buf)
		return -1;
	len = EVP_DecodeBlock ((unsigned char *)buf, (const unsigned char *)in, (int)n);
	if (len < 0) {
		free (buf);
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes */
	while (n > 0 && in[n - 1] == '=' && len > 0)
		n--, len--;
	buf[len] = '\0';
	*out = buf;
	return len;
}

static int
entry_creds (json_t *ent, const char *key, char **user, char **pass, struct bx_err *e)
{
	const char *a = json_string_value (json_object_get (ent, "auth"));
	_cleanup_free_ char *plain = NULL;
	char *colon;

	if (!a || !*a) {
		const char *u = json_string_value (json_object_get (ent, "username"));
		const char *p = json_string_value (json_object_get (ent, "password"));
		if (!u)
			return 1;
		*user = strdup (u);
		*pass = strdup (p ? p : "");
		return 0;
	}
	if (b64_decode (a, &plain) < 0 || !(colon = strchr (plain, ':')))
		return err_set (e, BX_USAGE, 0, "config.json: auths[%s]: bad auth value", key);
	*colon = '\0';
	*user = strdup (plain);
	*pass = strdup (colon + 1);
	explicit_bzero (plain, strlen (colon + 1) + (size_t)(colon - plain));
	return 0;
}

int
auth_get (const char *domain, char **user, char **pass, struct bx_err *e)
{
	json_t *cfg, *auths, *ent;
	const char *key;
	char want[256], host[256];
	int rc = 1;

	*user = *pass = NULL;
	if (config_load (&cfg, e) < 0)
		return -1;
	hostname_of (domain, want, sizeof want);
	auths = json_object_get (cfg, "auths");
	json_object_foreach (auths, key, ent)
	{
		hostname_of (key, host, sizeof host);
		if (strcmp (host, want) == 0 || (is_docker_hub (host) && is_docker_hub (want))) {
			rc = entry_creds (ent, key, user, pass, e);
			if (rc == 0)
				break;
		}
	}
	json_decref (cfg);
	if (rc == 0 && (!*user || !*pass)) {
		free (*user);
		free (*pass);
		*user = *pass = NULL;
		return err_set (e, BX_SYSTEM, ENOMEM, "credentials");
	}
	return rc;
}

/* Write CFG as DIR/config.json, private: it holds credentials. */
static int
config_write (int dirfd, json_t *cfg, struct bx_err *e)
{
	_cleanup_free_ char *out = json_dumps (cfg, JSON_INDENT (8) | JSON_PRESERVE_ORDER);
	size_t n = out ? strlen (out) : 0;
	_cleanup_free_ char *text = out ? malloc (n + 1) : NULL;

	if (!text)
		return err_set (e, BX_SYSTEM, ENOMEM, "config.json");
	memcpy (text, out, n);
	text[n] = '\n';
	return afile_write_at (dirfd, "config.json", text, n + 1, 0600, e);
}

/* Under an flock on the config dir: load, let FN change, write back. */
static int
config_update (int (*fn) (json_t *cfg, void *arg, struct bx_err *e), void *arg, struct bx_err *e)
{
	char dir[4000];
	_cleanup_close_ int dfd = -1;
	json_t *cfg = NULL;
	int rc;

	if (config_dir (dir, sizeof dir, e) < 0 || afile_mkdir_p_at (AT_FDCWD, dir, 0700, e) < 0)
		return -1;
	dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_set (e, BX_SYSTEM, errno, "%s", dir);
	while (flock (dfd, LOCK_EX) < 0)
		if (errno != EINTR)
			return err_set (e, BX_SYSTEM, errno, "lock %s", dir);
	if (config_load (&cfg, e) < 0)
		return -1;
	rc = fn (cfg, arg, e);
	if (rc == 0)
		rc = config_write (dfd, cfg, e);
	json_decref (cfg);
	return rc;
}

struct entry_op {
	const char *key, *user, *pass;
};

static int
set_fn (json_t *cfg, void *arg, struct bx_err *e)
{
	struct entry_op *op = arg;
	json_t *auths = json_object_get (cfg, "auths"), *ent;
	_cleanup_free_ char *plain = NULL, *b64 = NULL;
	size_t n;

	if (!json_is_object (auths))
		json_object_set_new (cfg, "auths", auths = json_object ());
	if (asprintf (&plain, "%s:%s", op->user, op->pass) < 0)
		return err_set (e, BX_SYSTEM, ENOMEM, "credentials");
	n = strlen (plain);
	if (!(b64 = malloc (4 * ((n + 2) / 3) + 1)))
		return err_set (e, BX_SYSTEM, ENOMEM, "credentials");
	EVP_EncodeBlock ((unsigned char *)b64, (unsigned char *)plain, (int)n);
	explicit_bzero (plain, n);
	ent = json_object_get (auths, op->key);
	if (!json_is_object (ent))
		json_object_set_new (auths, op->key, ent = json_object ());
	json_object_del (ent, "username");
	json_object_del (ent, "password");
	json_object_set_new (ent, "auth", json_string (b64));
	return 0;
}

int
auth_set (const char *server, const char *user, const char *pass, struct bx_err *e)
{
	char key[300];
	struct entry_op op = {key, user, pass};

	auth_key (server, key, sizeof key);
	if (strchr (user, ':'))
		return err_set (e, BX_USAGE, 0, "username must not contain ':'");
	return config_update (set_fn, &op, e);
}

static int
remove_fn (json_t *cfg, void *arg, struct bx_err *e)
{
	struct entry_op *op = arg;
	json_t *auths = json_object_get (cfg, "auths");
	const char *key;
	json_t *ent;
	void *tmp;
	char host[256], want[256];
	int found = 0;

	hostname_of (op->key, want, sizeof want);
	json_object_foreach_safe (auths, tmp, key, ent)
	{
		hostname_of (key, host, sizeof host);
		if (strcmp (host, want) == 0 || (is_docker_hub (host) && is_docker_hub (want))) {
			json_object_del (auths, key);
			found = 1;
		}
	}
	return found ? 0 : err_set (e, BX_NOTFOUND, 0, "not logged in to %s", op->key);
}

int
auth_remove (const char *server, struct bx_err *e)
{
	char key[300];
	struct entry_op op = {key, NULL, NULL};

	auth_key (server, key, sizeof key);
	return config_update (remove_fn, &op, e);
}
