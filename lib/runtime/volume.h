/* volume - volumes, the objects of docker volume: $BOX_ROOT/volumes/NAME/
 *
 * volumes/NAME/ holds _data/ (the Mountpoint) and, for a volume made with
 * labels or options, volume.json ({"Labels":{..}, "Options":{..}}, as
 * docker volume create gave them). A named volume has the name given; an
 * anonymous one (an image's VOLUME, -v /path) 64 random hex characters,
 * as Docker's. CreatedAt is the directory's mtime, as Docker's local
 * driver reports it.
 *
 * A volume is built under volumes/NAME.tmp-PID and renamed into place: a
 * volume directory that exists is whole. Two makers at once: one rename
 * wins, the other uses it.
 *
 * The local driver's options, as Docker's: type, device, o (and size,
 * refused as Docker refuses it without quota support). Where Docker's
 * driver mounts DEVICE on _data when a container uses the volume, the
 * container's config.json gets that mount itself (type=tmpfs: a tmpfs
 * with o's options; o=bind: a bind of DEVICE; another type: DEVICE
 * mounted with o), so that any OCI runtime runs the bundle. One
 * difference follows: two containers using one tmpfs volume get a tmpfs
 * each, where Docker's share one.
 *
 * Who uses a volume is read from the containers' create.json Mounts
 * (Type "volume"). A container being made holds a shared flock on
 * volumes/NAME/ until it exists (volume_use); removal takes it
 * exclusively before it looks for users, so a volume never goes from
 * under a container being made. Filling takes an exclusive flock on the
 * data directory itself: one filler at a time, and a container may use a
 * volume twice.
 */
#ifndef BOX_VOLUME_H
#define BOX_VOLUME_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Docker's rule for local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
int volume_check_name (const char *name, struct bx_err *e);
/* The volume whose data SOURCE (a mount's source) is, when it is
 * ROOT/volumes/NAME/_data (ROOT: the state directory's path): its NAME in
 * BUF (LEN bytes), 1; 0 when SOURCE is no volume. For bundles older than
 * create.json's Mounts. */
int volume_of_source (const char *root, const char *source, char *buf, size_t len);
/* True for the name of an anonymous volume. */
int volume_is_anonymous (const char *name);
/* The local driver's check of OPTS (an object of strings, or NULL) for
 * volume NAME: Docker's words ("create NAME: invalid option: \"k\""). */
int volume_check_opts (const char *name, json_t *opts, struct bx_err *e);

/* Make volumes/NAME when it does not exist, with LABELS and OPTS (objects
 * of strings, or NULL; checked). *CREATED (may be NULL) says whether this
 * call made it. An existing volume is kept as it is, as Docker keeps it. */
int volume_create (int rootfd, const char *name, json_t *labels, json_t *opts, int *created, struct bx_err *e);

/* NAME as docker volume inspect shows it (CreatedAt, Driver, Labels,
 * Mountpoint, Name, Options, Scope), a new reference; NULL with
 * BX_NOTFOUND ("get NAME: no such volume"). */
json_t *volume_inspect (int rootfd, const char *name, struct bx_err *e);
/* The volumes' names (volumes/ without its temporary entries). */
int volume_names (int rootfd, char ***names, size_t *n, struct bx_err *e);
void volume_names_free (char **names, size_t n);
/* Who uses which volume: {NAME: [container id, ...]} for every container,
 * running or not (a new reference; NULL on error). */
json_t *volume_usage (int rootfd, struct bx_err *e);

/* Remove what a maker or remover killed meanwhile left: volumes/NAME.tmp-PID
 * of a dead PID. */
void volume_reap (int rootfd);

/* Remove NAME, unless a container uses it: BX_CONFLICT, Docker's words
 * ("remove NAME: volume is in use - [ID ...]"). *BYTES (may be NULL) gets
 * the size of its data, as docker volume prune counts it. */
int volume_remove (int rootfd, const char *name, uint64_t *bytes, struct bx_err *e);

/* A container's use of a volume: the OCI mount it gets, and the lock
 * that keeps the volume while the container is being made. */
struct volume_use {
	int lockfd;
	char mountpoint[4200]; /* volumes/NAME/_data, absolute */
	json_t *mount;         /* the OCI mount (destination, type, source, options) */
};

/* Use volume NAME (made with volume_create) at DEST, read-only with RO.
 * ROOTFS (a dirfd; -1: nocopy) is the container's rootfs: what it holds
 * at DEST is copied into the volume when the volume is empty, as Docker
 * copies an image's content into an empty volume (into DEVICE for a bind
 * volume; a tmpfs volume starts empty). */
int volume_use (int rootfd, const char *name, int rootfs, const char *dest, int ro, struct volume_use *u,
                struct bx_err *e);
/* The data of volume NAME, when it is empty and root's, given to UID:GID:
 * a remapped container's root, whose volumes dockerd keeps owned by it
 * (one filled from the image has the owner of what it was filled with). */
int volume_own (int rootfd, const char *name, unsigned uid, unsigned gid, struct bx_err *e);
/* Let the volume go (its lock, its mount); U may be zeroed. */
void volume_use_end (struct volume_use *u);

#endif
