/* ctrview - one container as docker ps and docker inspect show it
 *
 * Gathers what the container directory says (docs/ARCHITECTURE.md):
 * state (settled: a vanished pid or supervisor reads as exited, and the
 * exit is recorded then, ctrrm_reap_lost),
 * create.json (Docker's Config and HostConfig), config.json (the OCI
 * process, mounts), network.json (NetworkSettings) and health (State.Health,
 * lib/runtime/health), and renders
 * Docker's words from them: "Up 3 seconds", "Exited (0) 2 minutes ago",
 * "0.0.0.0:8080->80/tcp", the inspect object.
 */
#ifndef BOX_CTRVIEW_H
#define BOX_CTRVIEW_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "base/err.h"
#include "runtime/ctr.h"

struct ctrview {
	char id[CTR_ID_LEN + 1];
	char name[256];      /* without Docker's leading '/' */
	char dir[4096];      /* the container directory, absolute */
	struct ctr_state st; /* settled */
	int paused;          /* running, and frozen (runtime/freezer) */
	json_t *create;      /* create.json; an empty object when absent */
	json_t *config;      /* config.json; an empty object when absent */
	json_t *network;     /* network.json; NULL when not attached */
	json_t *health;      /* State.Health; NULL without a health check */
	char created[CTR_TIME_LEN];
	int64_t created_s;   /* seconds since the epoch; 0 when unknown */
	char image_id[80];   /* "sha256:..."; "" when unknown */
	char image_ref[512]; /* the image as typed at create */
};

/* Load containers/ID below ROOTFD; ROOT is the state directory's path
 * (for the inspect object's paths). BX_NOTFOUND for a --rm container
 * found lost, and removed. */
int ctrview_load (int rootfd, const char *root, const char *id, struct ctrview *v, struct bx_err *e);
void ctrview_free (struct ctrview *v);

/* Docker's State.Status: st.status, "paused" for a paused running one,
 * "created" when there is no state yet. */
const char *ctrview_state (const struct ctrview *v);
/* "Up 3 seconds", "Up 3 seconds (healthy)", "Up 3 seconds (Paused)", "Restarting (1) 2 seconds ago",
 * "Exited (0) 2 minutes ago", "Created" (Docker's State.String). */
void ctrview_status (const struct ctrview *v, time_t now, char *buf, size_t len);
/* The command as docker ps has it before quoting: path and args, spaces
 * between. Malloc'd. */
char *ctrview_command (const struct ctrview *v);
/* The process's path and args (Docker's Path + Args), a new array. */
json_t *ctrview_argv (const struct ctrview *v);
/* Published and exposed ports as docker ps prints them
 * ("0.0.0.0:8080->80/tcp, 443/tcp"); malloc'd, "" when none. */
char *ctrview_ports (const struct ctrview *v);
/* Docker's Mounts array (binds and volumes, not the runtime's own). */
json_t *ctrview_mounts (const struct ctrview *v);
/* `docker container inspect`'s object; LOWERDIR (may be NULL) is the
 * overlay's lower directories, GraphDriver.Data.LowerDir. NULL when out
 * of memory. */
json_t *ctrview_inspect (const struct ctrview *v, const char *lowerdir);

/* --- docker ps's columns and filters --- */
/* health=: "starting", "healthy", "unhealthy", or "none" without a check. */
const char *ctrview_health (const struct ctrview *v);
/* label=KEY or label=KEY=VALUE (WANT without "label="): 1 when it has it. */
int ctrview_has_label (const struct ctrview *v, const char *want);
/* CMD as docker ps quotes it (strconv.Quote), cut to 20 code points and an
 * ellipsis with TRUNC. Malloc'd; NULL when out of memory. */
char *ctrview_quote_command (const char *cmd, int trunc);
/* The LABELS column: k=v,k=v into BUF (LEN bytes). */
void ctrview_labels (const struct ctrview *v, char *buf, size_t len);
/* The MOUNTS column (volume names, else sources; cut to 15 with TRUNC);
 * *LOCAL: how many named volumes. */
void ctrview_mount_names (const struct ctrview *v, int trunc, char *buf, size_t len, int *local);
/* The NETWORKS column: its networks, else its network mode. */
void ctrview_networks (const struct ctrview *v, char *buf, size_t len);

#endif
