/* auth - registry credentials in Docker's config.json
 *
 * The file is $DOCKER_CONFIG/config.json, else ~/.docker/config.json, the
 * one `docker login` writes: {"auths": {"KEY": {"auth": base64(user:pass)}}}.
 * KEY is "https://index.docker.io/v1/" for Docker Hub and the host[:port]
 * for others; on reading, keys are compared by host, as Docker does
 * ("https://host/v1/", "http://host" and "host" are one). Credential
 * helpers (credsStore, credHelpers) are not consulted.
 *
 * Writes keep every other key, are atomic (temp file, fsync, rename),
 * mode 0600, and hold an flock on the config directory.
 */
#ifndef BOX_AUTH_H
#define BOX_AUTH_H

#include <stddef.h>

#include "base/err.h"

#define AUTH_DOCKER_HUB_KEY "https://index.docker.io/v1/"

/* The config.json path into BUF. */
int auth_config_path (char *buf, size_t len, struct bx_err *e);
/* The auths key for a registry domain or a server as typed by a user
 * ("docker.io", "https://index.docker.io/v1/", "host:5000"). */
void auth_key (const char *server, char *buf, size_t len);
/* Credentials for DOMAIN into malloc'd *USER and *PASS; 0 when found,
 * 1 when there are none, -1 on a broken file. */
int auth_get (const char *domain, char **user, char **pass, struct bx_err *e);
/* Store (USER, PASS) for SERVER. */
int auth_set (const char *server, const char *user, const char *pass, struct bx_err *e);
/* Remove SERVER's entry; BX_NOTFOUND when there is none. */
int auth_remove (const char *server, struct bx_err *e);

#endif
