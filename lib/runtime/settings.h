/* settings - box's settings without a daemon: $BOX_ROOT/settings
 *
 * What dockerd reads from daemon.json and applies to every container, here
 * a file of "key=value" lines that ctr-create reads and `box config` (the
 * tool sys-config) writes; this module is its only reader and writer. The
 * keys are those of settings_keys; an unknown key is refused, so that a
 * typo is not a setting silently ignored.
 */
#ifndef BOX_SETTINGS_H
#define BOX_SETTINGS_H

#include <stddef.h>

#include "base/err.h"

#define SETTINGS_USERNS_REMAP "userns-remap"

/* the keys, NULL-terminated, in the order `box config` lists them */
extern const char *const settings_keys[];

/* 1 when KEY is a setting */
int settings_is_key (const char *key);
/* The value of KEY into BUF: 1 when set, 0 when not. */
int settings_get (int rootfd, const char *key, char *buf, size_t len, struct bx_err *e);
/* Set KEY to VALUE (NULL or "": unset), atomically, under a flock of
 * settings.lock. BX_USAGE for an unknown key or a newline in VALUE. */
int settings_set (int rootfd, const char *key, const char *value, struct bx_err *e);

#endif
