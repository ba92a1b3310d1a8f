/* ocistate - ctr-oci's state directory: one directory per container under
 * --root, owned by this module alone
 *
 *   <root>/<id>/state.json  what `create` recorded: the OCI state's fixed
 *                           part (id, pid, bundle, annotations, created)
 *                           and ours (the pid's start time, the cgroup)
 *   <root>/<id>/exec.fifo   the FIFO the container's process blocks on
 *                           until `start`; gone once it was started
 *
 * The status is never stored: it is read off the process (alive, with the
 * start time recorded, and not a zombie), the FIFO and the freezer. */
#ifndef BOX_OCISTATE_H
#define BOX_OCISTATE_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"

#define OCISTATE_ID_MAX 1024

enum ocistate_status { OCI_CREATING, OCI_CREATED, OCI_RUNNING, OCI_PAUSED, OCI_STOPPED };

struct ocistate {
	char id[OCISTATE_ID_MAX];
	pid_t pid;
	uint64_t pid_start; /* /proc/<pid>/stat field 22 */
	char bundle[PATH_MAX];
	char rootfs[PATH_MAX];
	char created[40];  /* RFC 3339, ns */
	char cgroup[4096]; /* relative to the hierarchies' roots */
	void *annotations; /* json_t * (object), owned; NULL: none */
	void *hooks;       /* json_t * of config.json's hooks (poststop runs at delete), owned */
	uid_t owner;
	int host_mounts; /* no mount namespace: the rootfs's bind is in ours, detached at delete */
};

/* The root directory (made when missing, 0700); its fd, or -1. */
int ocistate_root_open (const char *root, int create, struct bx_err *e);

/* An id runc accepts: [\w+.-], not "." or "..". */
int ocistate_id_valid (const char *id, struct bx_err *e);

/* Reserve ID's directory (mkdir: a second create fails) and return its fd. */
int ocistate_reserve (int rootfd, const char *id, struct bx_err *e);
/* Record S in ID's directory (atomic). */
int ocistate_save (int dirfd, const struct ocistate *s, struct bx_err *e);
/* Read ID's state; E "container does not exist" (BX_NOTFOUND) when none. */
int ocistate_load (int rootfd, const char *id, struct ocistate *s, struct bx_err *e);
void ocistate_free (struct ocistate *s);
/* Remove ID's directory and what is in it; with host_mounts, detach
 * the mounts its container made in our namespace first. */
int ocistate_remove (int rootfd, const struct ocistate *s, struct bx_err *e);

/* What S is now. */
enum ocistate_status ocistate_status (int rootfd, const struct ocistate *s);
const char *ocistate_status_name (enum ocistate_status st);
/* The start time of PID, 0 when it is gone. */
uint64_t ocistate_pid_start (pid_t pid);

/* The OCI state document of S at ST (a json_t *, new reference). */
void *ocistate_json (const struct ocistate *s, enum ocistate_status st);

#endif
