/* sibling - find another of box's programs */
#ifndef BOX_SIBLING_H
#define BOX_SIBLING_H

#include <stddef.h>

/* The program NAME beside the running one into OUT (LEN bytes), else NAME
 * alone, for exec*p to find on PATH. */
void sibling_path (const char *name, char *out, size_t len);

#endif
