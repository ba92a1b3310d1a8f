/* volevents - Docker's volume events of a container's volumes (not its
 * binds): "mount" for each before each start and "unmount" after each end
 * (ctr-spawn), a mount and an unmount around each of cp's archive calls
 * (ctr-cp), as dockerd's setupMounts and UnmountVolumes log them.
 *
 * What the events need is taken from create.json's Mounts once (for
 * ctr-spawn before the supervisor forks) into one small buffer: the
 * supervisor reads no JSON (RSS). */
#ifndef BOX_VOLEVENTS_H
#define BOX_VOLEVENTS_H

#include <jansson.h>
#include <stddef.h>

struct volevents {
	char *buf; /* per volume: name, destination, RW, propagation, driver, each NUL-ended */
	size_t len;
};

/* The volumes of MOUNTS (create.json's); none when it has none or on
 * failure (an event is never worth failing a start). */
void volevents_read (struct volevents *v, json_t *mounts);
/* ACTION ("mount" or "unmount") of each volume of container ID. */
void volevents_log (const struct volevents *v, int rootfd, const char *id, const char *action);
void volevents_free (struct volevents *v);

#endif
