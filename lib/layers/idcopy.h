/* idcopy - a remapped container's layers where idmapped mounts are not
 * to be had: idcopies/<maps>/<diff_id hex>/, one copy of layers/<hex>/ per
 * id range, every owner shifted to the host ids the range maps it to
 *
 * Docker's userns-remap keeps such copies (/var/lib/docker/<uid>.<gid>/);
 * box makes them only where the kernel or the filesystem cannot idmap the
 * layers (idmount.h), or when BOX_IDMAP_LAYERS=copy asks. A copy is made
 * once per range, under idcopies/<maps>/<hex>.lock, built as
 * <hex>.tmp-<pid>/ and renamed: two containers of one range racing make
 * it once. It goes with its layer (layergc).
 *
 * The ids of POSIX ACLs are shifted as the owners are. File capabilities
 * are copied as they are: a layer's (v2, no root id) apply in the
 * container as under an idmapped mount, and the kernel refuses a v3 root
 * id rewritten from the host's namespace anyway.
 *
 * A container whose rootfs is over such copies has its upper in host ids
 * (its root's files are the mapped root's on disk, as under dockerd); the
 * bundle's L_IDCOPIED file says so, for the container's whole life: a
 * commit or a build step writes its owners back as the container's (layer.h).
 */
#ifndef BOX_IDCOPY_H
#define BOX_IDCOPY_H

#include "base/err.h"
#include "base/idmap.h"

#define IDCOPY_ENV "BOX_IDMAP_LAYERS"
#define IDCOPY_KEY_LEN 224

/* how a remapped container's layers are shown: BOX_IDMAP_LAYERS */
enum idcopy_mode {
	IDCOPY_AUTO,  /* unset or "auto": idmapped, copies where that fails */
	IDCOPY_IDMAP, /* "idmap": idmapped or an error */
	IDCOPY_COPY,  /* "copy": copies always */
};

/* The mode BOX_IDMAP_LAYERS asks for; BX_USAGE, naming it, for another
 * value. */
int idcopy_mode (enum idcopy_mode *m, struct bx_err *e);

/* The directory name of the copies for UID and GID: their extents, or a
 * hash of them when they are too many to spell. */
void idcopy_key (const struct idmap *uid, const struct idmap *gid, char key[IDCOPY_KEY_LEN]);

/* idcopies/KEY/HEX made from layers/HEX (ROOTFD is $BOX_ROOT) unless it
 * is there; KEY from idcopy_key (UID, GID). */
int idcopy_layer (int rootfd, const char *key, const char *hex, const struct idmap *uid, const struct idmap *gid,
                  struct bx_err *e);

/* Mark the bundle DIR as over the copies KEY (before it is mounted). */
int idcopy_bundle_mark (const char *dir, const char *key, struct bx_err *e);

/* 1 when the bundle DIR is over copies, 0 when not. */
int idcopy_bundle_is (const char *dir);
/* As idcopy_bundle_is for the bundle DIRFD, KEY filled when 1; -1 when
 * its mark cannot be read. */
int idcopy_bundle_key (int dirfd, char key[IDCOPY_KEY_LEN], struct bx_err *e);

#endif
