/* runmount - what a RUN mounts (BuildKit's RUN --mount=type=bind, cache,
 * tmpfs, secret, and a here-document run as a file) made into ctr-create
 * flags; the mount points the runtime had to make are removed after the
 * RUN, so that neither they nor a secret ever land in the layer */
#ifndef DF_BUILD_RUNMOUNT_H
#define DF_BUILD_RUNMOUNT_H

#include "build.h"
#include "ctrrun.h"

struct runmount {
	json_t *flags;   /* ctr-create's arguments */
	json_t *targets; /* the mount points in the container */
	json_t *stubs;   /* those missing from the image: the topmost path each made */
	json_t *ctrs;    /* the containers bind from= made (ids) */
	int tmpfd;       /* tmp/run-PID: secrets, copies, the here-document */
	int *locks;      /* cache directories held (sharing=locked|private) */
	size_t nlocks, n;
	size_t nssh; /* ssh agent sockets mounted */
};

/* Read B->in's --mount flags into M. */
int runmount_parse (struct build *b, struct runmount *m, struct bx_err *e);
/* Mount DATA (LEN bytes) as the file TARGET, mode MODE, read-only. */
int runmount_file (struct build *b, struct runmount *m, const char *target, const char *data, size_t len, mode_t mode,
                   struct bx_err *e);
/* Before the RUN: which mount points the container's ROOTFS lacks. */
void runmount_note_stubs (struct runmount *m, int rootfs);
/* After the RUN: remove them from ROOTFS, when the RUN left them empty. */
void runmount_remove_stubs (struct runmount *m, int rootfs);
/* Release what M holds: its temporary files, locks and containers. */
void runmount_release (struct build *b, struct runmount *m);

#endif
