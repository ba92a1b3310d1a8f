/* ociinfo - what ctr-oci says of itself: `features` (the runtime-spec's
 * features document) and `spec` (a default config.json) */
#ifndef BOX_OCIINFO_H
#define BOX_OCIINFO_H

#include "base/err.h"

int ociinfo_features (int argc, char **argv, struct bx_err *e);
/* spec [--bundle DIR]: DIR/config.json, which must not exist */
int ociinfo_spec (int argc, char **argv, struct bx_err *e);

#endif
