/* pullview - what `docker pull` shows, for img-fetch
 *
 * One line per layer ("<12 hex>: Pull complete"), a "Digest:" and a
 * "Status:" line. On a terminal the layer lines are redrawn in place with
 * a progress bar; elsewhere each status change is one new line and the
 * byte counts are left out, as Docker does. The tool chooses the stream
 * (pullview_init); lib code prints only through it.
 */
#ifndef BOX_PULLVIEW_H
#define BOX_PULLVIEW_H

#include <stdint.h>
#include <stdio.h>

#include "image/ref.h"

enum pv_state { PV_NONE, PV_EXISTS, PV_QUEUED, PV_FETCHING, PV_DOWNLOADED, PV_COMPLETE };

struct pv_layer {
	char id[13];
	char digest[DIGEST_STR_LEN + 1];
	enum pv_state state, shown;
	int64_t done, size;
};

struct pullview {
	FILE *out;   /* NULL: say nothing */
	int animate; /* redraw in place (a terminal) */
	int docker;  /* PV_PULL: the full reference last, on stdout; PV_RUN: neither it nor the default tag */
	int quiet;
	struct pv_layer *l;
	size_t n, cap;
	int drawn;      /* layer lines on screen (animate) */
	char name[600]; /* "busybox:latest", for Status */
	char full[600];
};

/* how docker speaks: not (0), as docker pull, as docker run's pull */
enum { PV_PULL = 1, PV_RUN };

/* DOCKER: speak on stdout like `docker pull` (PV_PULL), or its run
 * (PV_RUN); else on stderr, and only when it is a terminal. QUIET: only
 * the reference (PV_PULL) or nothing. */
void pullview_init (struct pullview *v, int docker, int quiet);
int pullview_alloc (struct pullview *v, size_t layers);
void pullview_free (struct pullview *v);
/* "Using default tag: latest" */
void pullview_begin (struct pullview *v, const char *arg, const struct ref *r);
/* "latest: Pulling from library/busybox": once the registry gave the
 * manifest, as Docker says it (not before a failure to reach it) */
void pullview_pulling (struct pullview *v, const struct ref *r);
/* Add a layer of the manifest, in order; a repeated digest is one line. */
void pullview_layer (struct pullview *v, const char *digest, int exists);
struct pv_layer *pullview_find (struct pullview *v, const char *digest);
/* Set layer L's (may be NULL) state. */
void pullview_set (struct pullview *v, struct pv_layer *l, enum pv_state s);
/* From a transfer: state (enum registry_blob_state) and bytes. */
void pullview_blob (struct pullview *v, struct pv_layer *l, int reg_state, int64_t done, int64_t size);
void pullview_draw (struct pullview *v);
/* "Digest: ...", "Status: ..." and, with DOCKER, the full reference. */
void pullview_end (struct pullview *v, const char *digest, int up_to_date);
/* Leave the screen tidy before an error line. */
void pullview_abort (struct pullview *v);

#endif
