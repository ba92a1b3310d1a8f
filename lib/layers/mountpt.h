/* mountpt - the files a container run leaves behind as mount points
 *
 * ctr-spawn mounts /proc, /sys, /dev and bind-mounts /etc/hosts,
 * /etc/hostname and /etc/resolv.conf; the empty directories and files
 * standing in for them are not the container's changes. Neither Docker's
 * `docker diff` nor `docker commit` reports or keeps them. No libarchive
 * here: ctr-list (box diff) uses it and does not load it.
 */
#ifndef LAYERS_MOUNTPT_H
#define LAYERS_MOUNTPT_H

#include <sys/stat.h>

/* True when PATH (from the root, with or without its leading "/") with
 * the status ST is one of those stand-ins. */
int mountpt_is_standin (const char *path, const struct stat *st);

#endif
