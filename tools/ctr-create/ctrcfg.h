/* ctrcfg - the plan of a container: `docker create` flags (ctrflags.h)
 * and an image config merged as Docker merges them, the bundle's paths,
 * and the documents of the bundle made from them
 *
 * ctrcfg_resolve_network finds what --network names; ctrcfg_merge applies
 * the image config (ENTRYPOINT/CMD, Env, Labels, WorkingDir, User,
 * ExposedPorts, StopSignal, Volumes); ctrcfg_in_rootfs resolves what needs
 * the mounted rootfs (the user, the working directory, volumes); then the
 * files and the JSON.
 */
#ifndef BOX_CTRCFG_H
#define BOX_CTRCFG_H

#include <jansson.h>

#include "base/err.h"
#include "ctrflags.h"
#include "usermap.h"
#include "runtime/ctr.h"
#include "runtime/userdb.h"

/* where the --init binary comes from (Debian's tini-static) */
#define CTRCFG_INIT_BINARY "/usr/bin/tini-static"
#define CTRCFG_INIT_PATH "/sbin/docker-init"

struct ctrcfg {
	const struct ctrflags *flags; /* borrowed */
	char id[CTR_ID_LEN + 1];
	char name[256];
	char image_id[80];
	char created[CTR_TIME_LEN];
	char net_mode[128];     /* as recorded: container:<full id> */
	json_t *config;         /* Docker's Config */
	json_t *args;           /* the process's argv */
	json_t *proc_env;       /* the process's environment */
	json_t *mounts;         /* the container's own OCI mounts */
	json_t *inspect_mounts; /* Docker's inspect "Mounts" */
	int *volume_locks;      /* the volumes it uses, kept until it exists (volume_use) */
	size_t nvolume_locks;
	json_t *anon_volumes; /* the anonymous volumes it made: they go if the container is not made */
	struct userdb_ids ids;
	struct usermap users; /* its user namespace (usermap_plan) */
	const char *hostname;
	char *hosts, *resolv, *hostname_file; /* the contents of the bundle's files */

	/* the paths */
	char bundle[4200];     /* the final bundle */
	char netns_path[4200]; /* for bridge/user networks and container: */
	char peer_dir[4200];   /* container:X: that container's directory */
};

/* A plan for the container FLAGS ask for; FLAGS must outlive it. */
void ctrcfg_init (struct ctrcfg *c, const struct ctrflags *flags);
void ctrcfg_free (struct ctrcfg *c);
/* --network container:X names an existing container (BX_NOTFOUND), NAME
 * an existing network. */
int ctrcfg_resolve_network (struct ctrcfg *c, int rootfd, struct bx_err *e);
/* Merge the image config (IMG_CONFIG: the image's config blob) for the
 * container ID named NAME. */
int ctrcfg_merge (struct ctrcfg *c, json_t *img_config, const char *id, const char *name, const char *image_id,
                  struct bx_err *e);
/* The user, the working directory (made when missing), volumes (made
 * and pre-filled on first use) and the mounts; BUNDLE_TMP is where the
 * bundle is being built (its files are named by their final path). */
int ctrcfg_in_rootfs (struct ctrcfg *c, int rootfd, int rootfs, const char *bundle_tmp, struct bx_err *e);
/* The container could not be made: let its volumes go, and remove the
 * anonymous ones made for it (Docker's cleanup of a failed create). */
void ctrcfg_volumes_undo (struct ctrcfg *c, int rootfd);
/* hosts, hostname, resolv.conf contents */
int ctrcfg_etc_files (struct ctrcfg *c, struct bx_err *e);
/* config.json and create.json (new references) */
json_t *ctrcfg_config_json (struct ctrcfg *c, struct bx_err *e);
json_t *ctrcfg_create_json (struct ctrcfg *c, struct bx_err *e);

#endif
