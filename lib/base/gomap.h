/* gomap - a JSON object's keys in the order Go's encoding/json writes a
 * map's: sorted. Docker's inspect shows its maps so (ExposedPorts,
 * PortBindings, NetworkSettings.Ports, Labels); jansson keeps insertion
 * order. */
#ifndef BOX_GOMAP_H
#define BOX_GOMAP_H

#include <jansson.h>

/* A new object of O's members (borrowed), keys sorted; NULL: no memory. */
json_t *gomap_sorted (json_t *o);

#endif
