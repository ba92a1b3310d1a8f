/* oci - validate OCI image-spec documents and classify media types
 *
 * The rules are those of the image-spec text and its JSON schemas
 * (descriptor.md, manifest.md, image-index.md, config.md,
 * image-layout.md): required fields, types, the mediaType and digest
 * grammars, sizes >= 0, string maps, platforms, schemaVersion 2.
 * Docker's schema2 manifest and manifest list are accepted wherever the
 * OCI manifest and index are, since they differ only in media types.
 *
 * Two leniencies, both for documents real tools write: a JSON null in an
 * optional field is taken as absent (Docker writes "Env": null), and
 * unknown fields are allowed (the spec says to ignore them).
 *
 * Messages name the document and the field:
 *   "manifest: layers[1].digest: invalid digest \"sha256:xyz\""
 */
#ifndef BOX_OCI_H
#define BOX_OCI_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"

/* media types */
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define MT_OCI_EMPTY "application/vnd.oci.empty.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* annotation Docker/containerd put on index.json entries: the full name */
#define ANN_CONTAINERD_NAME "io.containerd.image.name"

enum oci_kind {
	OCI_DESCRIPTOR,    /* content descriptor */
	OCI_MANIFEST,      /* image manifest (OCI or Docker schema2) */
	OCI_INDEX,         /* image index (OCI or Docker manifest list) */
	OCI_CONFIG,        /* image config */
	OCI_LAYOUT_HEADER, /* the oci-layout file */
};

/* "descriptor", "manifest", "index", "config", "oci-layout" */
const char *oci_kind_name (enum oci_kind kind);
/* The kind for a conformance validator name ("Descriptor", "Manifest",
 * "ImageIndex", "ImageConfig", "LayoutHeader"), or -1. */
int oci_kind_parse (const char *name);

/* Check DOC against the rules for KIND; BX_USAGE (bad input) with the
 * document and field named in E when it breaks one. */
int oci_validate (enum oci_kind kind, json_t *doc, struct bx_err *e);
/* Parse BUF (must be one JSON object, nothing else) and validate it.
 * With OUT, the parsed document is returned (caller json_decref's). */
int oci_validate_bytes (enum oci_kind kind, const char *buf, size_t len, json_t **out, struct bx_err *e);

/* Grammar checks the validators use, for other parsers too. */
int oci_mediatype_is_wellformed (const char *s);

/* Media type classes. */
int oci_mt_is_manifest (const char *mt); /* OCI manifest or Docker schema2 */
int oci_mt_is_index (const char *mt);    /* OCI index or Docker manifest list */
int oci_mt_is_config (const char *mt);   /* OCI or Docker image config */

enum oci_compression { OCI_COMP_NONE, OCI_COMP_GZIP, OCI_COMP_ZSTD, OCI_COMP_UNKNOWN };
/* The compression of a layer media type (OCI, OCI non-distributable,
 * Docker); OCI_COMP_UNKNOWN when MT is not an image layer type. */
enum oci_compression oci_layer_compression (const char *mt);

/* A manifest that describes a runnable image (not an artifact): its
 * config is an image config and every layer a known layer type. Call
 * after oci_validate (OCI_MANIFEST). */
int oci_manifest_is_image (json_t *manifest, struct bx_err *e);

#endif
