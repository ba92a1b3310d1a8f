/* cachefiles - the content digests of a context's files, remembered in
 * build/files/<sha256 hex of the context's path> as one line per file
 * ("ino size mtime.ns hex path"), so that a rebuild whose files kept
 * their inode, size and mtime reads none of them again */
#ifndef DF_BUILD_CACHEFILES_H
#define DF_BUILD_CACHEFILES_H

#include <sys/stat.h>

#include "base/digest.h"
#include "base/err.h"

struct cachefiles;

/* The table of the context CTXFD, kept under ROOTFD; an empty one when
 * there is none yet or it is unreadable, or when not KEEP (a context
 * extracted for this build alone: its files are new each time, and a
 * table of it would only pile up). NULL only without memory. */
struct cachefiles *cachefiles_load (int rootfd, int ctxfd, int keep);
/* 1 when the sha256 hex of the file PATH of the context, as ST (its
 * lstat) finds it, is remembered: HEX; else 0. */
int cachefiles_known (struct cachefiles *cf, const char *path, const struct stat *st, char hex[DIGEST_HEX_LEN + 1]);
/* Read FD (the file PATH, as ST finds it): HEX its digest, remembered. */
int cachefiles_learn (struct cachefiles *cf, int fd, const char *path, const struct stat *st,
                      char hex[DIGEST_HEX_LEN + 1], struct bx_err *e);
/* Write the table back when it learnt something; NULL is no table. */
int cachefiles_save (struct cachefiles *cf, struct bx_err *e);
void cachefiles_free (struct cachefiles *cf);

#endif
