/* ctrname - container ids and names, and the atomic name reservation
 *
 * An id is 256 random bits in lowercase hex. A name is reserved by
 * creating the symlink names/<name> -> <id> (symlinkat fails when the name
 * is taken, so two creators can never both win); ctr-rm removes it last.
 */
#ifndef BOX_CTRNAME_H
#define BOX_CTRNAME_H

#include <stddef.h>

#include "base/err.h"
#include "runtime/ctr.h"

/* A fresh random id (getrandom). */
int ctrname_new_id (char id[CTR_ID_LEN + 1], struct bx_err *e);
/* Docker's check: [a-zA-Z0-9][a-zA-Z0-9_.-]+, a leading "/" allowed.
 * BX_USAGE: Invalid container name (X), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed */
int ctrname_check (const char *name, struct bx_err *e);
/* A Docker-style "adjective_surname"; RETRY > 0 appends a digit, as
 * Docker's namesgenerator does after a collision. */
void ctrname_random (char *buf, size_t len, int retry);
/* Reserve NAME (no leading "/") for ID: names/NAME -> ID. BX_CONFLICT, in
 * Docker's words, when it is taken. */
int ctrname_reserve (int rootfd, const char *name, const char *id, struct bx_err *e);
/* A generated name, reserved for ID; the name chosen goes to BUF. */
int ctrname_reserve_random (int rootfd, const char *id, char *buf, size_t len, struct bx_err *e);
/* docker rename: container ID (DIRFD: its directory) named OLD (no
 * leading "/") becomes NEW: names/NEW reserved, create.json's Name
 * rewritten, names/OLD removed, in that order and under the lock on
 * names/, so that no create sees NEW free meanwhile. A name whose
 * container has another Name (a rename that died half-way) is stale and
 * taken over. BX_CONFLICT when NEW is taken, in Docker's words. */
int ctrname_rename (int rootfd, int dirfd, const char *id, const char *old, const char *new, struct bx_err *e);
/* Undo ctrname_reserve: remove names/NAME if it still points at ID. */
void ctrname_release (int rootfd, const char *name, const char *id);

#endif
